#include "runtime/file_config_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/sha1.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

std::string errno_text() { return std::strerror(errno); }

// Closing the fd drops the flock.
class FlockLock : public ConfigLock {
public:
    explicit FlockLock(UniqueFd fd) : fd_(std::move(fd)) {}

private:
    UniqueFd fd_;
};

void make_directories(const std::string& path) {
    std::string partial;
    for (size_t pos = 0; pos != std::string::npos;) {
        pos = path.find('/', pos + 1);
        partial = path.substr(0, pos);
        if (partial.empty()) continue;
        if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
            throw UserError("unable to create directory '" + partial + "': " + errno_text());
    }
}

void write_all(int fd, const std::string& data, const std::string& path) {
    size_t written = 0;
    while (written < data.size()) {
        ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw UserError("unable to write '" + path + "': " + errno_text());
        }
        written += static_cast<size_t>(n);
    }
}

int default_lock_timeout_ms() {
    const char* value = std::getenv("PCT_LOCK_TIMEOUT");
    if (value && *value) return static_cast<int>(std::atof(value) * 1000);
    return 10000;
}

}  // namespace

FileConfigStore::FileConfigStore(HostPaths paths, int lock_timeout_ms)
    : paths_(std::move(paths)), lock_timeout_ms_(lock_timeout_ms >= 0 ? lock_timeout_ms : default_lock_timeout_ms()) {}

std::optional<StoredConfig> FileConfigStore::read(int vmid) const {
    std::string path = paths_.config_file(vmid);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw UserError("unable to read '" + path + "': " + errno_text());
    }
    StoredConfig stored;
    char buffer[8192];
    while (true) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw UserError("unable to read '" + path + "': " + errno_text());
        }
        if (n == 0) break;
        stored.text.append(buffer, static_cast<size_t>(n));
    }
    stored.digest = sha1_hex(stored.text);
    return stored;
}

std::unique_ptr<ConfigLock> FileConfigStore::lock(int vmid) {
    std::string dir = paths_.lock_dir();
    make_directories(dir);
    std::string path = dir + "/pve-config-" + std::to_string(vmid) + ".lock";
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) throw UserError("can't open lock file '" + path + "': " + errno_text());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_timeout_ms_);
    auto pause = std::chrono::microseconds(500);
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) throw UserError("can't lock file '" + path + "': " + errno_text());
        if (std::chrono::steady_clock::now() >= deadline)
            throw UserError("can't lock file '" + path + "' - got timeout");
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
    return std::make_unique<FlockLock>(std::move(fd));
}

void FileConfigStore::replace(int vmid, const std::string& text) {
    std::string dir = paths_.config_dir();
    make_directories(dir);
    std::string path = paths_.config_file(vmid);
    std::string temp = dir + "/." + std::to_string(vmid) + ".conf.tmp." + std::to_string(::getpid());
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
        if (fd.get() < 0) throw UserError("unable to write '" + path + "': " + errno_text());
        try {
            write_all(fd.get(), text, path);
            if (::fsync(fd.get()) != 0) throw UserError("unable to write '" + path + "': " + errno_text());
        } catch (...) {
            ::unlink(temp.c_str());
            throw;
        }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        std::string reason = errno_text();
        ::unlink(temp.c_str());
        throw UserError("unable to write '" + path + "': " + reason);
    }
    // The rename is durable only once the directory entry is on disk.
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

void FileConfigStore::remove(int vmid) {
    std::string path = paths_.config_file(vmid);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw UserError("unable to remove '" + path + "': " + errno_text());
}

std::vector<int> FileConfigStore::list() const {
    std::vector<int> ids;
    DIR* dir = ::opendir(paths_.config_dir().c_str());
    if (!dir) return ids;
    while (dirent* entry = ::readdir(dir)) {
        // Only "<digits>.conf" names count (config.md §1).
        const char* name = entry->d_name;
        size_t digits = 0;
        while (name[digits] >= '0' && name[digits] <= '9') ++digits;
        if (digits == 0 || digits > 9 || std::strcmp(name + digits, ".conf") != 0) continue;
        ids.push_back(std::atoi(name));
    }
    ::closedir(dir);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace pct
