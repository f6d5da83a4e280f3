#include "runtime/filesystem_tools.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "runtime/run_program.h"
#include "runtime/unique_fd.h"
#include "runtime/volume_mounts.h"

// Not in Debian 12's kernel headers; value from fs/ext4/ext4.h.
#ifndef EXT4_IOC_RESIZE_FS
#define EXT4_IOC_RESIZE_FS _IOW('f', 16, __u64)
#endif

namespace pct {

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

void grow_ext4_offline(const std::string& image_path) {
    run_host_program({"e2fsck", "-f", "-y", image_path}, "file system check before resizing failed");
    run_host_program({"resize2fs", image_path}, "resizing the file system failed");
}

std::string loop_device_of(const std::string& image_path) {
    std::error_code error;
    const auto wanted = std::filesystem::canonical(image_path, error);
    if (error) return "";
    for (const auto& entry : std::filesystem::directory_iterator("/sys/block", error)) {
        const std::string name = entry.path().filename();
        if (!name.starts_with("loop")) continue;
        std::ifstream file(entry.path() / "loop" / "backing_file");
        std::string backing;
        if (std::getline(file, backing) && backing == wanted.string()) return "/dev/" + name;
    }
    return "";
}

void grow_ext4_online(const std::string& image_path, pid_t init_pid, const std::string& guest_path) {
    const std::string device = loop_device_of(image_path);
    if (device.empty()) throw UserError("no loop device is attached to " + image_path);
    UniqueFd loop(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
    if (!loop) throw UserError("cannot open " + device + ": " + errno_text());
    if (::ioctl(loop.get(), LOOP_SET_CAPACITY, 0) != 0) throw UserError("cannot refresh the size of " + device + ": " + errno_text());
    uint64_t device_bytes = 0;
    if (::ioctl(loop.get(), BLKGETSIZE64, &device_bytes) != 0) throw UserError("cannot read the size of " + device + ": " + errno_text());
    struct stat device_info {};
    if (::fstat(loop.get(), &device_info) != 0) throw UserError("cannot stat " + device + ": " + errno_text());

    // The mount lives in the container's namespace: reach it through init's
    // root without following any guest symlink.
    const std::string root_path = "/proc/" + std::to_string(init_pid) + "/root";
    UniqueFd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw UserError("cannot open the container's root: " + errno_text());
    UniqueFd mounted = open_guest_directory(root.get(), guest_path);
    struct stat mounted_info {};
    struct statvfs fs {};
    if (::fstat(mounted.get(), &mounted_info) != 0 || ::fstatvfs(mounted.get(), &fs) != 0)
        throw UserError("cannot stat " + guest_path + " in the container: " + errno_text());
    if (mounted_info.st_dev != device_info.st_rdev)
        throw UserError(guest_path + " in the container is not the file system on " + device);

    uint64_t blocks = device_bytes / fs.f_bsize;
    if (::ioctl(mounted.get(), EXT4_IOC_RESIZE_FS, &blocks) != 0)
        throw UserError("online resize of " + device + " failed: " + errno_text());
}

void check_filesystem(const std::string& path, bool force) {
    std::vector<std::string> argv{"fsck", "-a", "-l"};
    if (force) argv.push_back("-f");
    argv.push_back(path);
    run_host_program(argv, "fsck of " + path + " failed", ToolOutput::Shown);
}

void trim_filesystem(const std::string& directory) {
    run_host_program({"fstrim", "-v", directory}, "fstrim of " + directory + " failed", ToolOutput::Shown);
}

FilesystemUsage filesystem_usage(int directory_fd, const std::string& what) {
    struct statvfs fs {};
    if (::fstatvfs(directory_fd, &fs) != 0) throw UserError("cannot read the usage of " + what + ": " + errno_text());
    const uint64_t unit = fs.f_frsize;
    return {.total_bytes = fs.f_blocks * unit,
            .used_bytes = (fs.f_blocks - fs.f_bfree) * unit,
            .available_bytes = fs.f_bavail * unit};
}

}  // namespace pct
