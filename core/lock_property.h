#pragma once
// The `lock:` property (cli.md §1.5) for operations that outlive one config
// lock: set it under the config lock, do the work, remove it again.
#include <string>

#include "core/config_store.h"

namespace pct {

// Under the config lock: check_lock, then write `lock: <lock>`.
void set_lock_property(ConfigStore& store, int vmid, const std::string& lock);

// Under the config lock: `no lock found trying to remove '<lock>' lock`,
// `found lock '<other>' trying to remove '<lock>' lock`, else delete it.
void remove_lock_property(ConfigStore& store, int vmid, const std::string& lock);

}  // namespace pct
