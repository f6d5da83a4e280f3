#include "runtime/container_state.h"

#include <signal.h>

#include <cerrno>
#include <fstream>

namespace pct {

bool is_container_running(const HostPaths& paths, int vmid) {
    std::ifstream file(paths.run_dir(vmid) + "/monitor.pid");
    long pid = 0;
    if (!(file >> pid) || pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace pct
