#include "runtime/passthrough_devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace pct {

namespace {

std::string errno_text() { return std::strerror(errno); }

// A fresh tmpfs as a detached mount; its root directory is the returned fd.
UniqueFd detached_tmpfs() {
    UniqueFd context(::fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (!context || ::fsconfig(context.get(), FSCONFIG_SET_STRING, "size", "64k", 0) != 0 ||
        ::fsconfig(context.get(), FSCONFIG_SET_STRING, "mode", "0700", 0) != 0 ||
        ::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        throw UserError("cannot create the pass-through tmpfs: " + errno_text());
    UniqueFd mount(::fsmount(context.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC));
    if (!mount) throw UserError("cannot mount the pass-through tmpfs: " + errno_text());
    return mount;
}

}  // namespace

StagedDeviceNodes stage_passthrough_devices(const std::vector<DeviceNodePlan>& devices) {
    StagedDeviceNodes staged;
    UniqueFd tmpfs;
    int index = 0;
    for (const auto& device : devices) {
        if (!device.passthrough) continue;
        if (!tmpfs) tmpfs = detached_tmpfs();
        const std::string name = "dev" + std::to_string(index++);
        const mode_t type = device.type == 'b' ? S_IFBLK : S_IFCHR;
        if (::mknodat(tmpfs.get(), name.c_str(), type | 0600, makedev(device.major, device.minor)) != 0)
            throw UserError(device.path + ": mknod: " + errno_text());
        // mknod is subject to the umask; the configured mode is exact.
        if (::fchmodat(tmpfs.get(), name.c_str(), device.mode & 07777, 0) != 0 ||
            ::fchownat(tmpfs.get(), name.c_str(), static_cast<uid_t>(device.host_uid), static_cast<gid_t>(device.host_gid),
                       AT_SYMLINK_NOFOLLOW) != 0)
            throw UserError(device.path + ": cannot set owner and mode: " + errno_text());
        UniqueFd tree(::open_tree(tmpfs.get(), name.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
        if (!tree) throw UserError(device.path + ": cannot clone the staged node: " + errno_text());
        staged[device.path] = std::move(tree);
    }
    return staged;
}

}  // namespace pct
