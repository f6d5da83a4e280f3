#pragma once
// rootfs and mpN as mounts (runtime.md §5.2-5.3, §4.5).
#include <functional>
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/idmap.h"
#include "core/start_plan.h"
#include "core/storage.h"

namespace pct {

struct ResolvedVolume {
    std::string path;  // host path: raw image file or directory
    VolumeFormat format = VolumeFormat::Raw;
};

// Storage volume id ("local:100/vm-100-disk-0.raw") -> where it is on the
// host. Throws UserError for unknown storages or volumes.
using VolumeResolver = std::function<ResolvedVolume(const std::string& volid)>;

struct VolumeMountInputs {
    bool unprivileged = false;
    std::vector<IdMapEntry> idmap;  // the container's effective map
};

// rootfs, then the mount points parent before child. Problems (with the
// spec's messages) go to `problems`, warnings to `warnings`.
std::vector<VolumeMountPlan> plan_volume_mounts(const ConfigSection& config, const VolumeMountInputs& inputs,
                                                const VolumeResolver& resolve, std::vector<std::string>& problems,
                                                std::vector<std::string>& warnings);

}  // namespace pct
