#pragma once
// Builds the StartPlan (core/start_plan.h) from a container config and the
// host facts: everything runtime.md says a start establishes, decided
// before anything is touched.
#include "core/config_file.h"
#include "core/start_host_facts.h"
#include "core/start_plan.h"
#include "core/volume_mount_plan.h"

namespace pct {

// Expects a config loaded with full value checks (config_loader.h), with
// pending changes already applied. Throws UserError naming every problem,
// one per line, with the spec's messages. Warnings end up in plan.warnings.
StartPlan build_start_plan(const ContainerConfig& config, int vmid, const StartHostFacts& facts,
                           const VolumeResolver& resolve);

// Just the volumes of a start (rootfs and mount points, the id map's root),
// for mounting a stopped container on the host without the rest of a start
// plan, whose checks (a network bridge that must exist, ...) have nothing to
// do with its files. Throws UserError naming every volume problem.
struct HostMountPlan {
    std::vector<VolumeMountPlan> volumes;
    uint64_t root_uid = 0;
    uint64_t root_gid = 0;
};
HostMountPlan build_host_mount_plan(const ContainerConfig& config, const VolumeResolver& resolve);

}  // namespace pct
