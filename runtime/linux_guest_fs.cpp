#include "runtime/linux_guest_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/unique_fd.h"

namespace pct {

namespace {

constexpr int kOpenRetries = 16;  // openat2 returns EAGAIN when a rename races the lookup

[[noreturn]] void fail(std::string_view operation, std::string_view path, int error) {
    throw GuestFsError("unable to " + std::string(operation) + " '" + std::string(path) + "': " + std::strerror(error));
}

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// The path relative to the root ("." for the root itself).
std::string relative_path(std::string_view path) {
    while (path.starts_with('/')) path.remove_prefix(1);
    return path.empty() ? "." : std::string(path);
}

// Opens `path` inside the root as if chrooted; returns -1 with errno set.
int open_in_root(int root_fd, std::string_view path, int flags, bool follow_last) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW));
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string relative = relative_path(path);
    for (int attempt = 0;; ++attempt) {
        long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof(how));
        if (fd >= 0) return static_cast<int>(fd);
        if ((errno != EAGAIN && errno != EINTR) || attempt >= kOpenRetries) return -1;
    }
}

// The directory holding the last component, opened inside the root, and
// that component's name; operations then act on the name via *at() calls,
// which cannot leave the directory because the name has no slash.
struct ParentAndName {
    UniqueFd directory;
    std::string name;
};

ParentAndName open_parent(int root_fd, std::string_view path, std::string_view operation) {
    std::string_view trimmed = path;
    while (trimmed.size() > 1 && trimmed.ends_with('/')) trimmed.remove_suffix(1);
    size_t slash = trimmed.rfind('/');
    std::string_view parent = slash == std::string_view::npos ? "." : trimmed.substr(0, slash + 1);
    std::string name(slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1));
    if (name.empty() || name == "." || name == "..") fail(operation, path, EINVAL);
    int fd = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY, true);
    if (fd < 0) fail(operation, path, errno);
    return ParentAndName{UniqueFd(fd), std::move(name)};
}

GuestFileStatus status_of(const struct stat& info) {
    GuestFileType type = S_ISREG(info.st_mode)   ? GuestFileType::Regular
                         : S_ISDIR(info.st_mode) ? GuestFileType::Directory
                         : S_ISLNK(info.st_mode) ? GuestFileType::Symlink
                                                 : GuestFileType::Other;
    return GuestFileStatus{type, static_cast<uint32_t>(info.st_mode & 07777), info.st_uid, info.st_gid};
}

std::optional<GuestFileStatus> stat_in_root(int root_fd, std::string_view path, bool follow) {
    UniqueFd fd(open_in_root(root_fd, path, O_PATH, follow));
    if (fd.get() < 0) return std::nullopt;
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return std::nullopt;
    return status_of(info);
}

// Fills a new file and makes it durable; returns 0 or an errno value.
int fill_file(int fd, std::string_view data, uint32_t mode, const std::optional<GuestFileOwner>& owner) {
    const bool empty = data.empty();
    while (!data.empty()) {
        ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data.remove_prefix(static_cast<size_t>(written));
    }
    if (::fchmod(fd, mode & 07777) != 0) return errno;
    if (owner && ::fchown(fd, static_cast<uid_t>(owner->uid), static_cast<gid_t>(owner->gid)) != 0) return errno;
    // An empty file has no data a crash could lose (the /fastboot marker,
    // written on every start).
    if (!empty && ::fsync(fd) != 0) return errno;
    return 0;
}

// True when `name` in `directory` already is what writing would make it: a
// regular file with one link, this content, mode and owner. Guest setup
// writes the same files on every start; leaving them spares an fsync and a
// rename each (milliseconds of start time).
bool already_written(int directory, const std::string& name, std::string_view data, uint32_t mode,
                     const std::optional<GuestFileOwner>& owner) {
    UniqueFd file(::openat(directory, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat info {}, parent {};
    if (file.get() < 0 || ::fstat(file.get(), &info) != 0 || ::fstat(directory, &parent) != 0) return false;
    uint64_t uid = owner ? owner->uid : ::geteuid();
    uint64_t gid = owner ? owner->gid : (parent.st_mode & S_ISGID) ? parent.st_gid : ::getegid();
    if (!S_ISREG(info.st_mode) || info.st_nlink != 1 || (info.st_mode & 07777) != (mode & 07777) ||
        info.st_uid != uid || info.st_gid != gid || static_cast<size_t>(info.st_size) != data.size())
        return false;
    std::string content(data.size(), '\0');
    size_t got = 0;
    while (got < content.size()) {
        ssize_t n = ::read(file.get(), content.data() + got, content.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += static_cast<size_t>(n);
    }
    return content == data;
}

}  // namespace

LinuxGuestFs::LinuxGuestFs(const std::string& root, std::optional<GuestFileOwner> new_entry_owner)
    : root_fd_(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), new_entry_owner_(new_entry_owner) {
    if (root_fd_ < 0) {
        throw GuestFsError("unable to open container root '" + root + "': " + std::strerror(errno));
    }
}

LinuxGuestFs::~LinuxGuestFs() { ::close(root_fd_); }

std::optional<GuestFileStatus> LinuxGuestFs::stat(std::string_view path) const {
    return stat_in_root(root_fd_, path, true);
}

std::optional<GuestFileStatus> LinuxGuestFs::lstat(std::string_view path) const {
    return stat_in_root(root_fd_, path, false);
}

std::string LinuxGuestFs::read(std::string_view path, size_t max_bytes) const {
    UniqueFd fd(open_in_root(root_fd_, path, O_RDONLY, true));
    if (fd.get() < 0) fail("read", path, errno);
    std::string content;
    char buffer[65536];
    while (content.size() < max_bytes) {
        size_t wanted = std::min(sizeof(buffer), max_bytes - content.size());
        ssize_t got = ::read(fd.get(), buffer, wanted);
        if (got < 0) {
            if (errno == EINTR) continue;
            fail("read", path, errno);
        }
        if (got == 0) break;
        content.append(buffer, static_cast<size_t>(got));
    }
    return content;
}

void LinuxGuestFs::write(std::string_view path, std::string_view data, uint32_t mode) {
    auto [directory, name] = open_parent(root_fd_, path, "write");
    if (already_written(directory.get(), name, data, mode, new_entry_owner_)) return;
    // A fresh file renamed over the target: readers never see a partial file
    // and a symlink at the target is replaced instead of followed.
    std::string temporary = name + ".tmp." + std::to_string(::getpid());
    UniqueFd file(
        ::openat(directory.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (file.get() < 0) fail("write", path, errno);
    int error = fill_file(file.get(), data, mode, new_entry_owner_);
    if (file.close() != 0 && error == 0) error = errno;
    if (error == 0 && ::renameat(directory.get(), temporary.c_str(), directory.get(), name.c_str()) != 0) error = errno;
    if (error != 0) {
        ::unlinkat(directory.get(), temporary.c_str(), 0);
        fail("write", path, error);
    }
}

bool LinuxGuestFs::is_writable(std::string_view path) const {
    UniqueFd fd(open_in_root(root_fd_, path, O_PATH, true));
    if (fd.get() < 0) return false;
    // The fd's /proc link reaches exactly the opened inode; access() then
    // reports read-only mounts (EROFS) as well.
    return ::faccessat(AT_FDCWD, proc_fd_path(fd.get()).c_str(), W_OK, AT_EACCESS) == 0;
}

void LinuxGuestFs::mkdir(std::string_view path, uint32_t mode) {
    auto [directory, name] = open_parent(root_fd_, path, "create directory");
    if (::mkdirat(directory.get(), name.c_str(), 0700) != 0) fail("create directory", path, errno);
    UniqueFd created(::openat(directory.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (created.get() < 0) fail("create directory", path, errno);
    // The final mode is set after creation so that the umask does not apply.
    if (::fchmod(created.get(), mode & 07777) != 0) fail("create directory", path, errno);
    if (new_entry_owner_ && ::fchown(created.get(), static_cast<uid_t>(new_entry_owner_->uid),
                                     static_cast<gid_t>(new_entry_owner_->gid)) != 0)
        fail("create directory", path, errno);
}

void LinuxGuestFs::symlink(std::string_view target, std::string_view link_path) {
    auto [directory, name] = open_parent(root_fd_, link_path, "create symlink");
    if (::symlinkat(std::string(target).c_str(), directory.get(), name.c_str()) != 0)
        fail("create symlink", link_path, errno);
    if (new_entry_owner_ && ::fchownat(directory.get(), name.c_str(), static_cast<uid_t>(new_entry_owner_->uid),
                                       static_cast<gid_t>(new_entry_owner_->gid), AT_SYMLINK_NOFOLLOW) != 0)
        fail("create symlink", link_path, errno);
}

std::string LinuxGuestFs::readlink(std::string_view path) const {
    auto [directory, name] = open_parent(root_fd_, path, "read link");
    std::string target(4096, '\0');
    ssize_t length = ::readlinkat(directory.get(), name.c_str(), target.data(), target.size());
    if (length < 0) fail("read link", path, errno);
    target.resize(static_cast<size_t>(length));
    return target;
}

void LinuxGuestFs::chmod(std::string_view path, uint32_t mode) {
    UniqueFd fd(open_in_root(root_fd_, path, O_PATH, true));
    if (fd.get() < 0) fail("chmod", path, errno);
    // fchmod() refuses O_PATH descriptors; their /proc link does not.
    if (::fchmodat(AT_FDCWD, proc_fd_path(fd.get()).c_str(), mode & 07777, 0) != 0) fail("chmod", path, errno);
}

void LinuxGuestFs::chown(std::string_view path, uint64_t uid, uint64_t gid) {
    UniqueFd fd(open_in_root(root_fd_, path, O_PATH, true));
    if (fd.get() < 0) fail("chown", path, errno);
    if (::fchownat(fd.get(), "", static_cast<uid_t>(uid), static_cast<gid_t>(gid), AT_EMPTY_PATH) != 0)
        fail("chown", path, errno);
}

void LinuxGuestFs::unlink(std::string_view path) {
    auto [directory, name] = open_parent(root_fd_, path, "unlink");
    if (::unlinkat(directory.get(), name.c_str(), 0) != 0) fail("unlink", path, errno);
}

void LinuxGuestFs::rename(std::string_view from, std::string_view to) {
    auto source = open_parent(root_fd_, from, "rename");
    auto destination = open_parent(root_fd_, to, "rename");
    if (::renameat(source.directory.get(), source.name.c_str(), destination.directory.get(),
                   destination.name.c_str()) != 0)
        fail("rename", from, errno);
}

std::vector<std::string> LinuxGuestFs::list_directory(std::string_view path) const {
    int fd = open_in_root(root_fd_, path, O_RDONLY | O_DIRECTORY, true);
    if (fd < 0) fail("list", path, errno);
    DIR* directory = ::fdopendir(fd);
    if (!directory) {
        int error = errno;
        ::close(fd);
        fail("list", path, error);
    }
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(directory)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(directory);
    return names;
}

}  // namespace pct
