#pragma once
#include <optional>

#include "runtime/host_paths.h"

namespace pct {

// A container runs while its init is alive: the run state under
// run/pct/<id>/ names init by PID and start time, so a stale state left by
// a crash, or a reused PID, counts as stopped. This works whether or not
// the monitor is still there. Cheap when the container is stopped (one stat).
bool is_container_running(const HostPaths& paths, int vmid);

// The init PID of a running container.
std::optional<int> running_init_pid(const HostPaths& paths, int vmid);

}  // namespace pct
