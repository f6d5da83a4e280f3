#pragma once
#include "core/storage_config.h"
#include "runtime/host_paths.h"

namespace pct {

// $PCT_ROOT/etc/pve/storage.cfg with the implicit `local` dir storage at
// $PCT_ROOT/var/lib/vz (config.md §11.1). A missing file means just `local`.
StorageConfig load_storage_config(const HostPaths& paths);

}  // namespace pct
