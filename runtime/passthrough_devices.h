#pragma once
// devN pass-through (runtime.md §12.1 step 4, improved): a node of its own
// for each device with the configured mode and the owner mapped through
// the id map, on a small tmpfs that is never attached anywhere - it exists
// only as a detached mount - and one detached bind mount per node, which
// the container's init attaches on its /dev path (it inherits the
// descriptors when it is cloned). The container never sees the host's
// /dev entries, and nothing has to be unmounted afterwards: the nodes go
// when the last reference does.
#include <map>
#include <string>
#include <vector>

#include "core/start_plan.h"
#include "runtime/unique_fd.h"

namespace pct {

// Container path of a pass-through device -> its detached bind mount.
using StagedDeviceNodes = std::map<std::string, UniqueFd>;

// Nodes for the `passthrough` entries of `devices` (none: empty, nothing
// created). Throws UserError.
StagedDeviceNodes stage_passthrough_devices(const std::vector<DeviceNodePlan>& devices);

}  // namespace pct
