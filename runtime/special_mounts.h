#pragma once
// /proc, /sys, cgroupfs, /dev, devpts and the LXC mount entries of the plan
// (runtime.md §6), applied by the container's first process in its own
// mount namespace before pivot_root. Every target is resolved below the
// root handle without following symlinks (volume_mounts.h), and file
// systems are created with fsopen/fsmount and attached with move_mount, so
// a guest that made /proc or /dev a symlink cannot send a mount to the host.
#include <vector>

#include "core/start_plan.h"

namespace pct {

// Throws UserError `<target>: <message>`; optional steps whose source or
// target is missing are skipped.
void apply_special_mounts(int root_fd, const std::vector<SpecialMountPlan>& mounts);

// Reads the kernel's random UUID (for the boot id).
std::string random_uuid();

}  // namespace pct
