#include "runtime/container_state.h"

#include <sys/stat.h>

#include "runtime/run_state.h"

namespace pct {

std::optional<int> running_init_pid(const HostPaths& paths, int vmid) {
    struct stat info {};
    if (::stat(run_state_path(paths, vmid).c_str(), &info) != 0) return std::nullopt;
    auto state = read_run_state(paths, vmid);
    if (!state || !process_alive(state->init)) return std::nullopt;
    return state->init.pid;
}

bool is_container_running(const HostPaths& paths, int vmid) { return running_init_pid(paths, vmid).has_value(); }

}  // namespace pct
