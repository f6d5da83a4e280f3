#pragma once
// What `pct start` validates before anything happens. The full start plan
// (mounts, cgroups, confinement) builds on this.
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/idmap.h"

namespace pct {

struct StartChecks {
    bool unprivileged = false;
    std::vector<IdMapEntry> idmap;          // effective map (custom or default)
    std::string rootfs_volume;
    std::string rootfs_kind;                // "bind", "device" or "volume"
    std::vector<std::string> checked;       // human-readable list of what was checked
};

struct StartOptions {
    bool skiplock = false;
};

// Expects a config loaded with full value checks (config_loader.h).
// Throws UserError naming every problem (one per line).
StartChecks check_start(const ContainerConfig& config, const StartOptions& options);

}  // namespace pct
