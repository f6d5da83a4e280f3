#include "runtime/storage_registry.h"

#include "core/error.h"
#include "runtime/btrfs_storage.h"
#include "runtime/dir_storage.h"

namespace pct {

LinuxStorageRegistry::LinuxStorageRegistry(StorageConfig config) : config_(std::move(config)) {}

Storage& LinuxStorageRegistry::get(const std::string& storage_id) {
    if (auto found = active_.find(storage_id); found != active_.end()) return *found->second;

    const StorageDefinition* definition = config_.find(storage_id);
    if (!definition) throw UserError("storage '" + storage_id + "' does not exist");
    if (!definition->supported())
        throw UserError("storage '" + storage_id + "' has type '" + definition->type +
                        "', which pct does not support (supported: dir, btrfs)");
    if (definition->disabled()) throw UserError("storage '" + storage_id + "' is disabled");

    std::unique_ptr<DirStorage> storage = definition->type == "btrfs" ? std::make_unique<BtrfsStorage>(*definition)
                                                                      : std::make_unique<DirStorage>(*definition);
    storage->activate();  // a failed activation is retried on the next get
    return *(active_[storage_id] = std::move(storage));
}

}  // namespace pct
