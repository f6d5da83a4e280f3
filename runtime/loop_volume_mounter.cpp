#include "runtime/loop_volume_mounter.h"

// The new mount API (fsopen/fsmount/open_tree/move_mount): a mount is built
// detached, gets its flags (read-only included) and only then appears at the
// target, so there is never a moment where a read-only volume is writable.
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/error.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

// LOOP_CTL_GET_FREE and the attach are two steps; another process may take
// the device in between.
constexpr int kLoopAttachAttempts = 16;

[[noreturn]] void fail(const std::string& what, int error, const std::string& detail = "") {
    throw UserError(what + ": " + std::strerror(error) + (detail.empty() ? "" : " (" + detail + ")"));
}

// ---- options ---------------------------------------------------------------------

struct MountOptions {
    uint64_t set = 0;    // MOUNT_ATTR_* for the mount
    uint64_t clear = 0;  // MOUNT_ATTR__ATIME when an atime mode is chosen
    std::vector<std::pair<std::string, std::optional<std::string>>> filesystem;  // key[=value]
};

MountOptions parse_options(const std::string& text, bool read_only) {
    struct Attribute {
        const char* name;
        uint64_t set;
        bool atime;
    };
    static const Attribute attributes[] = {
        {"ro", MOUNT_ATTR_RDONLY, false},
        {"nosuid", MOUNT_ATTR_NOSUID, false},
        {"nodev", MOUNT_ATTR_NODEV, false},
        {"noexec", MOUNT_ATTR_NOEXEC, false},
        {"noatime", MOUNT_ATTR_NOATIME, true},
        {"relatime", MOUNT_ATTR_RELATIME, true},
        {"strictatime", MOUNT_ATTR_STRICTATIME, true},
        {"nodiratime", MOUNT_ATTR_NODIRATIME, false},
        // The defaults, accepted and ignored.
        {"rw", 0, false},
        {"suid", 0, false},
        {"dev", 0, false},
        {"exec", 0, false},
        {"defaults", 0, false},
    };
    MountOptions options;
    if (read_only) options.set |= MOUNT_ATTR_RDONLY;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string option = text.substr(start, comma - start);
        start = comma + 1;
        if (option.empty()) continue;
        bool known = false;
        for (const Attribute& attribute : attributes) {
            if (option != attribute.name) continue;
            known = true;
            options.set |= attribute.set;
            if (attribute.atime) options.clear |= MOUNT_ATTR__ATIME;
        }
        if (known) continue;
        const size_t equals = option.find('=');
        if (equals == std::string::npos)
            options.filesystem.emplace_back(option, std::nullopt);
        else
            options.filesystem.emplace_back(option.substr(0, equals), option.substr(equals + 1));
    }
    return options;
}

// ---- loop devices -------------------------------------------------------------------

struct LoopDevice {
    UniqueFd fd;  // while open, the device stays attached even without a mount
    std::string path;
};

// Attaches `image` to a free loop device. AUTOCLEAR: the kernel detaches it
// when the last user goes, i.e. when its mount goes, or when `fd` is closed
// without a mount having taken it; no code path has to remember to detach.
// No PARTSCAN: partition tables inside a guest's image are none of the host's
// business.
LoopDevice attach_loop_device(const std::string& image, bool read_only) {
    UniqueFd file(::open(image.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (file.get() < 0) fail("unable to open '" + image + "'", errno);
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) fail("unable to stat '" + image + "'", errno);
    if (!S_ISREG(info.st_mode)) throw UserError("'" + image + "' is not a raw image file");

    // Loop devices are a host-wide resource: only root may configure them.
    UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
    if (control.get() < 0) fail("unable to open /dev/loop-control", errno);

    loop_info64 status{};
    status.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0);
    std::strncpy(reinterpret_cast<char*>(status.lo_file_name), image.c_str(), LO_NAME_SIZE - 1);

    for (int attempt = 0; attempt < kLoopAttachAttempts; ++attempt) {
        const int number = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
        if (number < 0) fail("unable to find a free loop device", errno);
        LoopDevice device{UniqueFd(::open(("/dev/loop" + std::to_string(number)).c_str(), O_RDWR | O_CLOEXEC)),
                          "/dev/loop" + std::to_string(number)};
        if (device.fd.get() < 0) fail("unable to open " + device.path, errno);

        loop_config config{};
        config.fd = static_cast<uint32_t>(file.get());
        config.info = status;
        if (::ioctl(device.fd.get(), LOOP_CONFIGURE, &config) == 0) return device;
        if (errno == EBUSY) continue;  // taken since LOOP_CTL_GET_FREE
        if (errno != EINVAL && errno != ENOTTY) fail("unable to attach '" + image + "' to " + device.path, errno);

        // Kernels before 5.8 lack LOOP_CONFIGURE: attach, then set the flags.
        if (::ioctl(device.fd.get(), LOOP_SET_FD, file.get()) != 0) {
            if (errno == EBUSY) continue;
            fail("unable to attach '" + image + "' to " + device.path, errno);
        }
        if (::ioctl(device.fd.get(), LOOP_SET_STATUS64, &status) != 0) {
            const int error = errno;
            ::ioctl(device.fd.get(), LOOP_CLR_FD, 0);
            fail("unable to configure " + device.path, error);
        }
        return device;
    }
    throw UserError("unable to attach '" + image + "' to a loop device: all candidates were taken concurrently");
}

// ---- mounting ----------------------------------------------------------------------

// Superblock magics of the file systems a `/dev/...` mount point may hold.
std::string detect_filesystem(const std::string& device) {
    UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail("unable to open '" + device + "'", errno);
    auto bytes_at = [&](off_t offset, size_t length) {
        std::string buffer(length, '\0');
        const ssize_t got = ::pread(fd.get(), buffer.data(), length, offset);
        return got == static_cast<ssize_t>(length) ? buffer : std::string();
    };
    if (bytes_at(1080, 2) == std::string("\x53\xEF", 2)) return "ext4";  // ext2/3/4
    if (bytes_at(0, 4) == "XFSB") return "xfs";
    if (bytes_at(65536 + 64, 8) == "_BHRfS_M") return "btrfs";
    throw UserError("unable to detect the file system on '" + device + "' (supported: ext2, ext3, ext4, xfs, btrfs)");
}

// The kernel explains a failed fsconfig in the fs context's message log.
std::string kernel_message(int context_fd) {
    char buffer[512];
    const ssize_t got = ::read(context_fd, buffer, sizeof(buffer) - 1);
    if (got <= 0) return "";
    std::string message(buffer, static_cast<size_t>(got));
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return message;
}

// A new, still detached mount of `device`'s file system. fsopen needs
// CAP_SYS_ADMIN: the kernel parses a file system that may have been written
// by a guest, which only the host may ask for.
// `shown` names the volume in errors: the image file rather than its loop device.
UniqueFd create_filesystem_mount(const std::string& type, const std::string& device, const std::string& shown,
                                 const MountOptions& options, bool read_only) {
    const std::string what = "unable to mount '" + shown + "' (" + type + " on " + device + ")";
    UniqueFd context(::fsopen(type.c_str(), FSOPEN_CLOEXEC));
    if (context.get() < 0) fail(what, errno);
    auto configure = [&](unsigned command, const char* key, const char* value) {
        if (::fsconfig(context.get(), command, key, value, 0) != 0) {
            const int error = errno;
            fail(what + (key ? std::string(", option '") + key + "'" : std::string()), error,
                 kernel_message(context.get()));
        }
    };
    configure(FSCONFIG_SET_STRING, "source", device.c_str());
    // Read-only super block too: no journal replay, no writes to the image.
    if (read_only) configure(FSCONFIG_SET_FLAG, "ro", nullptr);
    for (const auto& [key, value] : options.filesystem) {
        if (value)
            configure(FSCONFIG_SET_STRING, key.c_str(), value->c_str());
        else
            configure(FSCONFIG_SET_FLAG, key.c_str(), nullptr);
    }
    configure(FSCONFIG_CMD_CREATE, nullptr, nullptr);
    UniqueFd mount(::fsmount(context.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(options.set)));
    if (mount.get() < 0) fail(what, errno, kernel_message(context.get()));
    return mount;
}

// A detached copy of the directory tree at `source` (a recursive bind
// mount; OPEN_TREE_CLONE needs CAP_SYS_ADMIN). Recursive, so that what is
// mounted below the volume on the host comes along, as with mount --rbind.
UniqueFd create_bind_mount(const std::string& source, const MountOptions& options) {
    if (!options.filesystem.empty())
        throw UserError("mount option '" + options.filesystem.front().first +
                        "' cannot be used for a directory volume (bind mount)");
    struct stat info {};
    if (::stat(source.c_str(), &info) != 0) fail("unable to bind mount '" + source + "'", errno);
    if (!S_ISDIR(info.st_mode)) throw UserError("unable to bind mount '" + source + "': not a directory");
    UniqueFd tree(::open_tree(AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (tree.get() < 0) fail("unable to bind mount '" + source + "'", errno);
    if (options.set || options.clear) {
        // Recursive: a read-only volume stays read-only in every mount below it.
        mount_attr attributes{};
        attributes.attr_set = options.set;
        attributes.attr_clr = options.clear;
        if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof(attributes)) != 0)
            fail("unable to set mount options for '" + source + "'", errno);
    }
    return tree;
}

}  // namespace

void LoopVolumeMounter::mount(const MountRequest& request) {
    const MountOptions options = parse_options(request.options, request.read_only);
    UniqueFd target(::open(request.target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (target.get() < 0) fail("unable to use '" + request.target + "' as mount target", errno);

    std::optional<LoopDevice> loop;  // attached until the mount holds it
    UniqueFd mount;
    if (request.is_device) {
        struct stat info {};
        if (::stat(request.source.c_str(), &info) != 0 || !S_ISBLK(info.st_mode))
            throw UserError("path '" + request.source + "' does not point to a block device");
        mount = create_filesystem_mount(detect_filesystem(request.source), request.source, request.source, options,
                                        request.read_only);
    } else if (request.format == VolumeFormat::Subvol) {
        mount = create_bind_mount(request.source, options);
    } else {
        loop = attach_loop_device(request.source, request.read_only);
        mount = create_filesystem_mount("ext4", loop->path, request.source, options, request.read_only);
    }

    // Only now does the mount become visible. If this fails, closing `mount`
    // drops the detached tree and with it the loop device.
    if (::move_mount(mount.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        fail("unable to mount '" + request.source + "' on '" + request.target + "'", errno);
}

void LoopVolumeMounter::unmount(const std::string& target) {
    // Unmounting needs CAP_SYS_ADMIN; no MNT_DETACH, so a busy mount is
    // reported instead of lingering out of sight. A loop device behind the
    // mount goes with it (AUTOCLEAR, which attach_loop_device guarantees);
    // detaching by hand would risk a device someone else attached since, or
    // one an administrator gave us as a `/dev/loopN` mount point.
    if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) != 0) fail("unable to unmount '" + target + "'", errno);
}

}  // namespace pct
