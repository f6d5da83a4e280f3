#pragma once
// Device nodes in the container's /dev tmpfs (runtime.md §6.4, §12).
#include <vector>

#include "core/start_plan.h"
#include "runtime/passthrough_devices.h"

namespace pct {

// mknod each planned node (mode and owner as planned, container ids); where
// mknod is not allowed (a user namespace) or the plan says so, an empty
// file is created and the host's node is bind-mounted onto it; pass-through
// devices get their staged node attached instead. Throws UserError.
void create_device_nodes(int root_fd, const std::vector<DeviceNodePlan>& devices, const StagedDeviceNodes& staged);

}  // namespace pct
