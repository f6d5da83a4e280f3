#pragma once
// `pct template` (cli.md §3.21): convert a stopped container without
// snapshots into a template whose volumes are read-only base volumes.
#include <functional>
#include <string>
#include <vector>

#include "core/config_store.h"
#include "core/storage.h"

namespace pct {

// Under the config lock: check_lock, `unable to create template, because CT
// contains snapshots`, `you can't convert a template to a template`, `you
// can't convert a CT to template if the CT is running`; every volume
// (rootfs, mpN, bind and device mount points too) must support the storage
// `template` feature (`Template feature is not available for '<volid>'`);
// then each volume becomes a base volume and its new id is written at once
// (a failure half-way leaves a config that names what is on the storage),
// and finally `template: 1`. Returns the storages' warnings.
std::vector<std::string> convert_to_template(ConfigStore& store, StorageRegistry& storages, int vmid,
                                             const std::function<bool(int vmid)>& is_running);

}  // namespace pct
