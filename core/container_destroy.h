#pragma once
// `pct destroy` (cli.md §3.3): checks, then free every volume the container
// owns, then remove the config.
#include <string>
#include <vector>

#include "core/config_store.h"
#include "core/storage.h"

namespace pct {

struct DestroyOptions {
    bool force = false;
    bool destroy_unreferenced_disks = false;
    std::vector<std::string> all_storage_ids;  // searched for unreferenced disks
};

// Returns warnings. Throws UserError with the spec's messages; a failure to
// free a volume stops before the config is touched.
std::vector<std::string> destroy_container(ConfigStore& store, StorageRegistry& storages, int vmid, bool running,
                                           const DestroyOptions& options);

}  // namespace pct
