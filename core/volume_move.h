#pragma once
// `pct move-volume` (cli.md §3.22): copy a container's volume to another
// storage, or hand a volume over to another container.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config_store.h"
#include "core/storage.h"

namespace pct {

struct VolumeMoveRequest {
    int vmid = 0;
    std::string key;                    // rootfs, mpN, unusedN
    std::optional<std::string> storage;  // move to this storage ...
    std::optional<int> target_vmid;      // ... or reassign to this container
    std::string target_key;              // reassign: key in the target (default: `key`)
    bool delete_source = false;
    std::string digest;
    std::string target_digest;
};

// Copies the file system of `source` (a volume id) onto the freshly
// allocated, formatted `target`. Throws UserError.
using CopyVolume = std::function<void(const std::string& source, const std::string& target)>;

// Whether a container runs (moving needs a stopped source; reassigning only
// allows unusedN volumes away from a running one).
using IsRunning = std::function<bool(int vmid)>;

// Throws UserError with the spec's messages; a failed copy frees the new
// volume and removes the `disk` lock again. Returns warnings.
std::vector<std::string> move_volume(ConfigStore& store, StorageRegistry& storages, const VolumeMoveRequest& request,
                                     const IsRunning& is_running, const CopyVolume& copy);

}  // namespace pct
