#pragma once
// The config side of post-stop (runtime.md §12.3 steps 4-5): the changes
// queued while the container ran are applied, then the `post-stop`
// hookscript phase runs (not when the guest rebooted). Cheap when there is
// nothing to do: the config is read, storages are only opened on demand.
#include <string>
#include <vector>

#include "runtime/host_paths.h"

namespace pct {

// Returns what went wrong, as warnings.
std::vector<std::string> finish_stopped_config(const HostPaths& paths, int vmid, bool guest_reboot);

}  // namespace pct
