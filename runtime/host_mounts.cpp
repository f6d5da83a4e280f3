#include "runtime/host_mounts.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "runtime/volume_mounts.h"

namespace pct {

std::string host_mount_rootfs(const HostPaths& paths, int vmid) { return paths.host_mount_dir(vmid) + "/rootfs"; }

void mount_on_host(const HostPaths& paths, int vmid, const std::vector<VolumeMountPlan>& volumes, uid_t root_uid,
                   gid_t root_gid, VolumeMounter& mounter) {
    const std::string base = paths.host_mount_dir(vmid);
    const std::string rootfs = host_mount_rootfs(paths, vmid);
    std::error_code error;
    std::filesystem::create_directories(rootfs, error);
    if (error) throw UserError("cannot create " + rootfs + ": " + error.message());
    if (!mounts_below(base).empty()) throw UserError("CT " + std::to_string(vmid) + " is already mounted in '" + rootfs + "'");
    VolumeMountSession session(mounter, rootfs, base + "/staging");
    try {
        session.mount_all(volumes, root_uid, root_gid);
    } catch (...) {
        session.undo();
        unmount_from_host(paths, vmid);
        throw;
    }
}

void unmount_from_host(const HostPaths& paths, int vmid) {
    const std::string base = paths.host_mount_dir(vmid);
    for (const auto& mount : mounts_below(base))
        if (::umount2(mount.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT)
            throw UserError("cannot unmount " + mount + ": " + std::strerror(errno));
    // Only our own (now empty) directories go; anything else there stays.
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(base + "/staging", ignored))
        ::rmdir(entry.path().c_str());
    ::rmdir((base + "/staging").c_str());
    ::rmdir((base + "/rootfs").c_str());
    ::rmdir(base.c_str());
}

}  // namespace pct
