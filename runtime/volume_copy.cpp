#include "runtime/volume_copy.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "core/volume_id.h"
#include "runtime/run_program.h"

namespace pct {

namespace {

// A private directory for the two mounts, removed with whatever is below it.
class CopyWorkspace {
public:
    CopyWorkspace(const HostPaths& paths, VolumeMounter& mounter) : mounter_(mounter) {
        std::filesystem::create_directories(paths.run_base());
        std::string pattern = paths.run_base() + "/.copy-XXXXXX";
        if (!::mkdtemp(pattern.data())) throw UserError("cannot create a directory for the copy: " + std::string(std::strerror(errno)));
        path_ = pattern;
        ::mkdir((path_ + "/source").c_str(), 0700);
        ::mkdir((path_ + "/target").c_str(), 0700);
    }
    ~CopyWorkspace() {
        for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it) {
            try {
                mounter_.unmount(*it);
            } catch (const UserError&) {
                ::umount2(it->c_str(), MNT_DETACH);  // the loop device goes with the last user
            }
        }
        ::rmdir((path_ + "/source").c_str());
        ::rmdir((path_ + "/target").c_str());
        ::rmdir(path_.c_str());
    }
    void mount(MountRequest request) {
        mounter_.mount(request);
        mounted_.push_back(request.target);
    }
    std::string at(const std::string& name) const { return path_ + "/" + name; }

private:
    VolumeMounter& mounter_;
    std::string path_;
    std::vector<std::string> mounted_;
};

MountRequest mount_of(StorageRegistry& storages, const std::string& volid, const std::string& target, bool read_only,
                      const std::string& snapshot = "") {
    Storage& storage = storages.get(parse_volume_id(volid).storage);
    MountRequest request{.source = snapshot.empty() ? storage.path(volid) : storage.snapshot_path(volid, snapshot),
                         .format = storage.format(volid),
                         .target = target,
                         .read_only = read_only};
    // A snapshot of a mounted ext4 (a running container's) still says its
    // journal needs recovery, which a read-only snapshot cannot have: read
    // it as the snapshot's sync left it on disk.
    if (!snapshot.empty() && request.format == VolumeFormat::Raw) request.options = "noload";
    return request;
}

}  // namespace

void copy_volume_contents(const HostPaths& paths, StorageRegistry& storages, VolumeMounter& mounter,
                          const std::string& source, const std::string& target, uint64_t bwlimit_kib,
                          const std::string& snapshot) {
    CopyWorkspace workspace(paths, mounter);
    workspace.mount(mount_of(storages, source, workspace.at("source"), true, snapshot));
    workspace.mount(mount_of(storages, target, workspace.at("target"), false));
    std::vector<std::string> argv{"rsync", "--stats", "-X", "-A", "--numeric-ids", "-aH", "--whole-file", "--sparse",
                                  "--one-file-system"};
    if (bwlimit_kib) argv.push_back("--bwlimit=" + std::to_string(bwlimit_kib));
    argv.push_back(workspace.at("source") + "/");
    argv.push_back(workspace.at("target"));
    run_host_program(argv, "copying " + source + " to " + target + " failed");
    // rsync does not sync: a sparse image on a full storage only fails at
    // write-back, which syncfs reports.
    const std::string copied = workspace.at("target");
    const int fd = ::open(copied.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::syncfs(fd) == 0;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!synced) throw UserError("copying " + source + " to " + target + " failed: " + std::strerror(error));
}

}  // namespace pct
