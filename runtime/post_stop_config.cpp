#include "runtime/post_stop_config.h"

#include <optional>

#include "core/config_changes.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/hookscript.h"
#include "runtime/file_config_store.h"
#include "runtime/hookscript_runner.h"
#include "runtime/host_probe.h"
#include "runtime/storage_config_file.h"
#include "runtime/storage_registry.h"
#include "runtime/system_random.h"

namespace pct {

std::vector<std::string> finish_stopped_config(const HostPaths& paths, int vmid, bool guest_reboot) {
    std::vector<std::string> warnings;
    FileConfigStore store(paths);
    std::optional<StorageConfig> storage;
    std::optional<LinuxStorageRegistry> storages;
    auto open_storages = [&]() -> LinuxStorageRegistry& {
        if (!storages) {
            storage = load_storage_config(paths);
            storages.emplace(*storage);
        }
        return *storages;
    };
    try {
        // Most stops have neither: skip the lock and the full parse then.
        auto peek = store.read(vmid);
        if (!peek || (peek->text.find("[pve:pending]") == std::string::npos &&
                      peek->text.find("hookscript:") == std::string::npos))
            return warnings;
        auto lock = store.lock(vmid);
        if (!store.read(vmid)) return warnings;  // destroyed meanwhile
        ContainerConfig config = load_config(store, vmid).config;
        if (!config.pending.empty()) {
            const HostFacts facts = probe_host_facts();
            SystemRandom random;
            LinuxStorageRegistry& registry = open_storages();
            ChangeContext change{.vmid = vmid, .facts = facts, .random = random, .storage = &*storage, .storages = &registry};
            for (auto& warning : apply_all_pending(config, change)) warnings.push_back(std::move(warning));
            store.replace(vmid, write_config(config));
        }
        if (!guest_reboot && config.main.has("hookscript"))
            run_hookscript({.storages = &open_storages(), .run = run_hookscript_program}, config.main, vmid,
                           HookPhase::PostStop);
    } catch (const UserError& e) {
        warnings.push_back(e.what());
    }
    return warnings;
}

}  // namespace pct
