#pragma once
// `pct rescan` (cli.md §3.24): bring configs in line with the storages —
// volumes a container owns but does not use become unusedN, and sizes
// recorded in rootfs/mpN follow the real volume sizes.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config_store.h"
#include "core/storage.h"

namespace pct {

struct RescanOptions {
    std::optional<int> vmid;               // only this container
    bool dry_run = false;                  // report, write nothing
    std::vector<std::string> storage_ids;  // the storages to list
};

// Reports each change as Proxmox words it (`CT <id>: add unreferenced
// volume '<volid>' as 'unusedN' to config.`, `CT <id>: updated volume size
// of '<volid>' in config.`). Containers are visited in ascending order, each
// under its config lock; a locked container aborts with `CT is locked (<x>)`
// after the earlier ones were written. Volumes of ids without a config are
// skipped.
void rescan_volumes(ConfigStore& store, StorageRegistry& storages, const RescanOptions& options,
                    const std::function<void(const std::string&)>& report);

}  // namespace pct
