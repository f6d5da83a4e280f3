#include "core/lock_property.h"

#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/error.h"

namespace pct {

void set_lock_property(ConfigStore& store, int vmid, const std::string& lock) {
    auto held = store.lock(vmid);
    LoadedConfig loaded = load_config(store, vmid);
    check_lock(loaded.config);
    loaded.config.main.values["lock"] = lock;
    store.replace(vmid, write_config(loaded.config));
}

void remove_lock_property(ConfigStore& store, int vmid, const std::string& lock) {
    auto held = store.lock(vmid);
    LoadedConfig loaded = load_config(store, vmid);
    const std::string* current = loaded.config.main.get("lock");
    if (!current) throw UserError("no lock found trying to remove '" + lock + "' lock");
    if (*current != lock) throw UserError("found lock '" + *current + "' trying to remove '" + lock + "' lock");
    loaded.config.main.values.erase("lock");
    store.replace(vmid, write_config(loaded.config));
}

}  // namespace pct
