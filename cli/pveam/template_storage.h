#pragma once
// The storages pveam puts templates on (config.md §11.1-§11.2): looked up in
// $PCT_ROOT/etc/pve/storage.cfg; templates live in <path>/template/cache.
#include <cstdint>
#include <string>
#include <vector>

#include "core/storage_config.h"
#include "runtime/host_paths.h"

namespace pct::pveam {

// The storage, which must exist and be enabled. Throws UserError
// `storage '<id>' does not exist` / `storage '<id>' is disabled`.
StorageDefinition find_enabled_storage(const HostPaths& paths, const std::string& storage_id);

bool allows_templates(const StorageDefinition& storage);

// <path>/template/cache, or the storage's `content-dirs` entry for vztmpl.
// Throws UserError for storages without a path.
std::string template_cache_dir(const StorageDefinition& storage);

struct StoredTemplate {
    std::string volid;  // "<storage>:vztmpl/<file>"
    std::string path;
    uint64_t size = 0;
};

// Template archives in the cache directory, by name.
std::vector<StoredTemplate> list_templates(const StorageDefinition& storage);

}  // namespace pct::pveam
