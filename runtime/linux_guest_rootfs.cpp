#include "runtime/linux_guest_rootfs.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/linux_guest_fs.h"

namespace pct {

namespace {

std::string read_host_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

void run_ssh_keygen(const std::string& type, const std::string& comment, const std::string& key_file) {
    pid_t child = ::fork();
    if (child < 0) throw UserError("unable to generate SSH host keys: fork failed");
    if (child == 0) {
        ::execlp("ssh-keygen", "ssh-keygen", "-q", "-t", type.c_str(), "-N", "", "-C", comment.c_str(), "-f",
                 key_file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw UserError("unable to generate SSH host key of type '" + type + "' (is ssh-keygen installed on the host?)");
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
            run_ssh_keygen(type, plan.comment, dir + "/" + name);
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
