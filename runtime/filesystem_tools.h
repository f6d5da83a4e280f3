#pragma once
// The host tools behind resize, fsck, fstrim and df: ext4 growth offline
// (e2fsck + resize2fs on the image) and online (loop capacity refresh, then
// the kernel's EXT4_IOC_RESIZE_FS on the mounted file system), fsck, fstrim
// and statvfs.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace pct {

// Stopped container: `e2fsck -f -y <image>` then `resize2fs <image>`.
void grow_ext4_offline(const std::string& image_path);

// Running container with init `init_pid`: the loop device backing
// `image_path` learns its new size, then the file system mounted at
// `guest_path` inside the container grows to fill it. Throws UserError.
void grow_ext4_online(const std::string& image_path, pid_t init_pid, const std::string& guest_path);

// The loop device (/dev/loopN) whose backing file is `image_path`; empty when none.
std::string loop_device_of(const std::string& image_path);

// `fsck -a -l [-f] <path>`, its report on our stdout/stderr. Throws UserError.
void check_filesystem(const std::string& path, bool force);

// `fstrim -v <directory>`, its report on our stdout. Throws UserError.
void trim_filesystem(const std::string& directory);

struct FilesystemUsage {
    uint64_t total_bytes = 0;
    uint64_t used_bytes = 0;
    uint64_t available_bytes = 0;
};

// statvfs of a directory that `directory_fd` refers to. Throws UserError.
FilesystemUsage filesystem_usage(int directory_fd, const std::string& what);

}  // namespace pct
