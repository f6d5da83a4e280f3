#pragma once
// The storages of storage.cfg, created (and activated) on first use.
#include <map>
#include <memory>
#include <string>

#include "core/storage.h"
#include "core/storage_config.h"

namespace pct {

class LinuxStorageRegistry : public StorageRegistry {
public:
    explicit LinuxStorageRegistry(StorageConfig config);

    // A DirStorage or BtrfsStorage, activated (directories created, mount
    // and file system checked) on the first get. Throws UserError:
    // `storage '<s>' does not exist`, `storage '<s>' has type '<t>', which pct
    // does not support (supported: dir, btrfs)`, `storage '<s>' is disabled`,
    // or the activation error.
    Storage& get(const std::string& storage_id) override;

private:
    StorageConfig config_;
    std::map<std::string, std::unique_ptr<Storage>> active_;
};

}  // namespace pct
