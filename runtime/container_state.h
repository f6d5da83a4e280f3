#pragma once
#include "runtime/host_paths.h"

namespace pct {

// A container runs while the monitor's pid file under run/pct/<id>/ names a
// live process. Stale files from a crash count as stopped.
bool is_container_running(const HostPaths& paths, int vmid);

}  // namespace pct
