#include "runtime/host_paths.h"

#include <unistd.h>

#include <cstdlib>

namespace pct {

HostPaths::HostPaths(std::string root) : root_(std::move(root)) {
    if (root_.empty() || root_.back() != '/') root_ += '/';
}

HostPaths HostPaths::from_environment() {
    const char* root = std::getenv("PCT_ROOT");
    return HostPaths(root && *root ? root : "/");
}

std::string executable_directory() {
    char buffer[4096];
    ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n <= 0) return ".";
    std::string path(buffer, static_cast<size_t>(n));
    return path.substr(0, path.find_last_of('/'));
}

}  // namespace pct
