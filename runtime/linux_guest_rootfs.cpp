#include "runtime/linux_guest_rootfs.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/linux_guest_fs.h"
#include "runtime/run_program.h"

namespace pct {

namespace {

std::string read_host_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

}  // namespace

std::unique_ptr<GuestFs> LinuxGuestRootfs::open(const std::string& rootdir, uint64_t uid, uint64_t gid) {
    std::optional<GuestFileOwner> owner;
    if (uid != 0 || gid != 0) owner = GuestFileOwner{uid, gid};
    return std::make_unique<LinuxGuestFs>(rootdir, owner);
}

// Proxmox runs the guest's own ssh-keygen in a chroot. We generate on the
// host instead and write the keys through the confined GuestFs: no binary
// from an untrusted template ever runs with host privileges.
void LinuxGuestRootfs::generate_ssh_host_keys(GuestFs& fs, const guest::SshHostKeyPlan& plan) {
    char pattern[] = "/tmp/pct-ssh-keys.XXXXXX";
    if (!::mkdtemp(pattern)) throw UserError("unable to generate SSH host keys: cannot create a temporary directory");
    std::string dir = pattern;
    try {
        for (const auto& type : plan.key_types) {
            std::string name = "ssh_host_" + type + "_key";
            run_host_program({"ssh-keygen", "-q", "-t", type, "-N", "", "-C", plan.comment, "-f", dir + "/" + name},
                             "unable to generate SSH host key of type '" + type + "'");
            fs.write("/etc/ssh/" + name, read_host_file(dir + "/" + name), 0600);
            fs.write("/etc/ssh/" + name + ".pub", read_host_file(dir + "/" + name + ".pub"), 0644);
        }
    } catch (...) {
        std::filesystem::remove_all(dir);
        throw;
    }
    std::filesystem::remove_all(dir);
}

}  // namespace pct
