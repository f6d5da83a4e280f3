#include "runtime/pivot_root.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"

namespace pct {

void pivot_into(int root_fd) {
    if (::fchdir(root_fd) != 0) throw UserError("cannot enter the root: " + errno_text());
    // pivot_root(".", ".") stacks the old root on top of the new one; no
    // directory for it is needed inside the guest.
    if (sys_pivot_root(".", ".") != 0) throw UserError("pivot_root failed: " + errno_text());
    // The old root must not pass the detach on to the host's mounts.
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
        throw UserError("cannot make the old root a slave: " + errno_text());
    if (::umount2(".", MNT_DETACH) != 0) throw UserError("cannot detach the old root: " + errno_text());
    if (::chdir("/") != 0) throw UserError("cannot chdir to /: " + errno_text());
    if (::mount(nullptr, "/", nullptr, MS_SHARED | MS_REC, nullptr) != 0)
        throw UserError("cannot make the root shared: " + errno_text());
}

}  // namespace pct
