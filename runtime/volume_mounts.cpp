#include "runtime/volume_mounts.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/idmap_writer.h"
#include "runtime/kernel_api.h"

namespace pct {

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        if (slash > start) parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

// One component, never following a symlink (ELOOP) and never leaving `dir`.
int open_component(int dir, const std::string& name, uint64_t flags) {
    return sys_openat2(dir, name.c_str(), flags | O_CLOEXEC, 0,
                       RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
}

}  // namespace

UniqueFd open_host_directory_nofollow(const std::string& path) {
    if (path.empty() || path[0] != '/') throw UserError("cannot open directory " + path + ": not an absolute path");
    UniqueFd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    std::string so_far;
    for (const auto& part : split_path(path)) {
        if (part == "." || part == "..") throw UserError(path + " contains illegal character sequences");
        so_far += "/" + part;
        int fd = open_component(dir.get(), part, O_PATH | O_DIRECTORY);
        if (fd < 0) {
            if (errno == ELOOP || errno == ENOTDIR) {
                // ENOTDIR: a file, or a symlink O_DIRECTORY refused; tell them apart.
                struct stat info {};
                if (errno == ELOOP || (::fstatat(dir.get(), part.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(info.st_mode)))
                    throw UserError("symlink encountered at: " + so_far);
            }
            throw UserError("cannot open directory " + so_far + ": " + errno_text());
        }
        dir.reset(fd);
    }
    return dir;
}

GuestPath open_guest_path(int root_fd, const std::string& path, CreateMissing create, uid_t uid, gid_t gid) {
    GuestPath result;
    result.parent.reset(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3));
    std::vector<std::string> parts = split_path(path);
    if (parts.empty()) {
        result.target.reset(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3));
        return result;
    }
    std::string so_far;
    UniqueFd dir(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3));
    for (size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        if (part == "." || part == "..") throw UserError(path + " contains illegal character sequences");
        so_far += "/" + part;
        const bool last = i + 1 == parts.size();
        int fd = open_component(dir.get(), part, O_PATH);
        if (fd < 0 && errno == ENOENT && create != CreateMissing::Nothing) {
            // A racing mkdir (EEXIST) is fine: the re-open below still refuses a symlink.
            int made;
            if (last && create == CreateMissing::DirectoriesAndFile) {
                int file = ::openat(dir.get(), part.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
                made = file < 0 ? -1 : 0;
                if (file >= 0) ::close(file);
            } else {
                made = ::mkdirat(dir.get(), part.c_str(), 0755);
            }
            if (made != 0 && errno != EEXIST) throw UserError("failed to create path: " + so_far + ": " + errno_text());
            if (made == 0 && ::fchownat(dir.get(), part.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
                throw UserError("failed to create path: " + so_far + ": " + errno_text());
            fd = open_component(dir.get(), part, O_PATH);
        }
        if (fd < 0) {
            if (errno == ELOOP) throw UserError("symlink encountered at: " + so_far);
            throw UserError("cannot open " + so_far + ": " + errno_text());
        }
        if (last) {
            result.parent = std::move(dir);
            result.name = part;
            result.target.reset(fd);
            return result;
        }
        struct stat info {};
        if (::fstat(fd, &info) != 0 || !S_ISDIR(info.st_mode)) {
            ::close(fd);
            throw UserError("cannot open " + so_far + ": " + errno_text(ENOTDIR));
        }
        dir.reset(fd);
    }
    return result;
}

uint64_t mount_attributes(const std::vector<std::string>& flags, bool read_only) {
    uint64_t attributes = read_only ? MOUNT_ATTR_RDONLY : 0;
    for (const auto& flag : flags) {
        if (flag == "ro") attributes |= MOUNT_ATTR_RDONLY;
        else if (flag == "nodev") attributes |= MOUNT_ATTR_NODEV;
        else if (flag == "nosuid") attributes |= MOUNT_ATTR_NOSUID;
        else if (flag == "noexec") attributes |= MOUNT_ATTR_NOEXEC;
        else if (flag == "noatime") attributes |= MOUNT_ATTR_NOATIME;
        else if (flag == "nodiratime") attributes |= MOUNT_ATTR_NODIRATIME;
        else if (flag == "strictatime") attributes |= MOUNT_ATTR_STRICTATIME;
        else if (flag == "nosymfollow") attributes |= MOUNT_ATTR_NOSYMFOLLOW;
    }
    return attributes;
}

void bind_mount_fds(int source_fd, int target_fd, uint64_t attributes, bool recursive, const std::string& what) {
    // A detached copy of exactly the directory we hold a handle on: nothing
    // between the check and the mount can swap the source.
    unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    UniqueFd tree(::open_tree(source_fd, "", tree_flags));
    if (!tree) throw UserError(what + ": cannot clone mount: " + errno_text());
    if (attributes) {
        struct mount_attr attr {};
        attr.attr_set = attributes;
        // The attributes are set while the copy is still invisible.
        if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) != 0)
            throw UserError(what + ": cannot set mount attributes: " + errno_text());
    }
    if (::move_mount(tree.get(), "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw UserError(what + ": cannot attach mount: " + errno_text());
}

void verify_bind_mount(int parent_fd, const std::string& name, int source_fd, bool read_only,
                       const std::string& source_path) {
    UniqueFd mounted(name.empty() ? ::fcntl(parent_fd, F_DUPFD_CLOEXEC, 3)
                                  : ::openat(parent_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    if (!mounted) throw UserError("cannot open mount target: " + errno_text());
    if (read_only) {
        if (::faccessat(mounted.get(), "", W_OK, AT_EMPTY_PATH | AT_EACCESS) == 0)
            throw UserError("failed to mark bind mount read only");
        if (errno != EROFS) throw UserError("read-only check failed: " + errno_text());
    }
    struct stat mounted_info {}, source_info {};
    if (::fstat(mounted.get(), &mounted_info) != 0 || ::fstat(source_fd, &source_info) != 0 ||
        mounted_info.st_dev != source_info.st_dev || mounted_info.st_ino != source_info.st_ino)
        throw UserError("detected mount path change at: " + source_path);
}

UniqueFd make_idmap_userns(const std::vector<IdMapEntry>& map) {
    // A helper process owns the namespace just long enough for us to write
    // its maps and take a handle on it.
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) throw UserError("cannot create pipe: " + errno_text());
    pid_t child = ::fork();
    if (child < 0) throw UserError("cannot fork: " + errno_text());
    if (child == 0) {
        ::close(ready[0]);
        char byte = ::unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
        (void)!::write(ready[1], &byte, 1);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    (void)!::read(ready[0], &byte, 1);
    ::close(ready[0]);
    UniqueFd userns;
    std::string error;
    if (byte != 1) {
        error = "cannot create a user namespace for the id mapped mount";
    } else {
        try {
            std::vector<IdMapEntry> both;
            for (const auto& entry : map) both.push_back(entry);
            write_id_maps(child, both);
            userns.reset(::open(("/proc/" + std::to_string(child) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
            if (!userns) error = "cannot open user namespace: " + errno_text();
        } catch (const UserError& e) {
            error = e.what();
        }
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    if (!error.empty()) throw UserError(error);
    return userns;
}

VolumeMountSession::VolumeMountSession(VolumeMounter& mounter, std::string rootfs_dir, std::string staging_dir)
    : mounter_(mounter), rootfs_dir_(std::move(rootfs_dir)), staging_dir_(std::move(staging_dir)) {}

VolumeMountSession::~VolumeMountSession() = default;

void VolumeMountSession::mount_all(const std::vector<VolumeMountPlan>& volumes, uid_t root_uid, gid_t root_gid) {
    for (const auto& volume : volumes) {
        try {
            if (volume.key == "rootfs") mount_rootfs(volume);
            else mount_point(volume, root_uid, root_gid);
        } catch (const UserError& e) {
            throw UserError(volume.key + ": " + e.what());
        }
    }
}

// Mount flags and file system options of a raw image or device, comma-separated.
static std::string mount_options(const VolumeMountPlan& volume) {
    std::string options;
    for (const auto& flag : volume.flags) options += (options.empty() ? "" : ",") + flag;
    if (!volume.fs_options.empty()) options += (options.empty() ? "" : ",") + volume.fs_options;
    return options;
}

void VolumeMountSession::mount_rootfs(const VolumeMountPlan& volume) {
    if (volume.kind == VolumeSourceKind::RawImage || volume.kind == VolumeSourceKind::BlockDevice) {
        mounter_.mount({.source = volume.source,
                        .format = VolumeFormat::Raw,
                        .is_device = volume.kind == VolumeSourceKind::BlockDevice,
                        .target = rootfs_dir_,
                        .read_only = volume.read_only,
                        .options = mount_options(volume)});
        mounts_.push_back(rootfs_dir_);
        return;
    }
    UniqueFd source = open_host_directory_nofollow(volume.source);
    UniqueFd target(::open(rootfs_dir_.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!target) throw UserError("cannot open " + rootfs_dir_ + ": " + errno_text());
    bind_mount_fds(source.get(), target.get(), mount_attributes(volume.flags, volume.read_only), false, "bind mount");
    mounts_.push_back(rootfs_dir_);
    UniqueFd mounted(::open(rootfs_dir_.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!mounted) throw UserError("cannot open " + rootfs_dir_ + ": " + errno_text());
    verify_bind_mount(mounted.get(), "", source.get(), volume.read_only, volume.source);
}

void VolumeMountSession::mount_point(const VolumeMountPlan& volume, uid_t root_uid, gid_t root_gid) {
    UniqueFd root(::open(rootfs_dir_.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root) throw UserError("cannot open " + rootfs_dir_ + ": " + errno_text());

    UniqueFd source;
    if (volume.kind == VolumeSourceKind::RawImage || volume.kind == VolumeSourceKind::BlockDevice) {
        // Staged: the file system is mounted on a directory of ours first,
        // then a clone of that mount is attached inside the root.
        std::string staging = staging_dir_ + "/" + volume.key;
        ::mkdir(staging_dir_.c_str(), 0700);
        if (::mkdir(staging.c_str(), 0700) != 0 && errno != EEXIST)
            throw UserError("cannot create " + staging + ": " + errno_text());
        mounter_.mount({.source = volume.source,
                        .format = VolumeFormat::Raw,
                        .is_device = volume.kind == VolumeSourceKind::BlockDevice,
                        .target = staging,
                        .read_only = volume.read_only,
                        .options = mount_options(volume)});
        mounts_.push_back(staging);
        source.reset(::open(staging.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!source) throw UserError("cannot open " + staging + ": " + errno_text());
    } else {
        source = open_host_directory_nofollow(volume.source);
    }

    GuestPath target = open_guest_path(root.get(), volume.target, CreateMissing::Directories, root_uid, root_gid);
    struct stat before {};
    if (volume.keep_attributes && ::fstat(target.target.get(), &before) != 0)
        throw UserError("cannot stat " + volume.target + ": " + errno_text());

    uint64_t attributes = mount_attributes(volume.flags, volume.read_only);
    UniqueFd tree(::open_tree(source.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree) throw UserError("cannot clone mount: " + errno_text());
    struct mount_attr attr {};
    attr.attr_set = attributes;
    UniqueFd userns;
    if (!volume.idmap.empty()) {
        userns = make_idmap_userns(volume.idmap);
        attr.attr_set |= MOUNT_ATTR_IDMAP;
        attr.userns_fd = static_cast<uint64_t>(userns.get());
    }
    if (attr.attr_set && ::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
        throw UserError("cannot set mount attributes: " + errno_text());
    if (::move_mount(tree.get(), "", target.target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw UserError("cannot attach mount at " + volume.target + ": " + errno_text());
    // Covered by the rootfs mount's post-stop detach; nothing extra to record.
    verify_bind_mount(target.parent.get(), target.name, source.get(), volume.read_only, volume.source);

    if (volume.keep_attributes) {
        UniqueFd mounted(::openat(target.parent.get(), target.name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
        std::string proc_path = "/proc/self/fd/" + std::to_string(mounted.get());
        if (!mounted || ::chmod(proc_path.c_str(), before.st_mode & 07777) != 0 ||
            ::fchownat(mounted.get(), "", before.st_uid, before.st_gid, AT_EMPTY_PATH) != 0)
            throw UserError("cannot keep the attributes of " + volume.target + ": " + errno_text());
    }
}

void VolumeMountSession::undo() {
    unmount_all(mounts_);
    mounts_.clear();
}

std::vector<std::string> mounts_below(const std::string& directory) {
    std::vector<std::string> mounts;
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mountinfo, line)) {
        std::istringstream fields(line);
        std::string id, parent, device, root, mount_point;
        fields >> id >> parent >> device >> root >> mount_point;
        std::string decoded;  // mountinfo escapes space, tab, newline and backslash as \ooo
        for (size_t i = 0; i < mount_point.size(); ++i) {
            if (mount_point[i] == '\\' && i + 3 < mount_point.size()) {
                decoded += static_cast<char>(std::stoi(mount_point.substr(i + 1, 3), nullptr, 8));
                i += 3;
            } else {
                decoded += mount_point[i];
            }
        }
        if (decoded.starts_with(directory + "/")) mounts.push_back(decoded);
    }
    std::sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return mounts;
}

UniqueFd open_guest_directory(int root_fd, const std::string& path) {
    GuestPath found = open_guest_path(root_fd, path, CreateMissing::Nothing);
    const std::string reopen = "/proc/self/fd/" + std::to_string(found.target.get());
    UniqueFd directory(::open(reopen.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!directory) throw UserError("cannot open " + path + " in the container: " + errno_text());
    return directory;
}

void unmount_all(const std::vector<std::string>& paths) {
    for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
        // Detach the whole tree below it; loop devices (autoclear) go when
        // the last user of the file system is gone.
        ::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
    }
}

}  // namespace pct
