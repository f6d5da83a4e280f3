#include "runtime/host_paths.h"

#include <cstdlib>

namespace pct {

HostPaths::HostPaths(std::string root) : root_(std::move(root)) {
    if (root_.empty() || root_.back() != '/') root_ += '/';
}

HostPaths HostPaths::from_environment() {
    const char* root = std::getenv("PCT_ROOT");
    return HostPaths(root && *root ? root : "/");
}

}  // namespace pct
