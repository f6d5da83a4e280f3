#pragma once
// `pct set` semantics: queue changes into [pve:pending] (config.md §7.2) and
// apply them at once when the container is stopped (§7.3) or, for the keys
// that allow it, while it runs (§7.4).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/host_facts.h"
#include "core/random.h"
#include "core/storage.h"
#include "core/storage_config.h"

namespace pct {

struct ConfigChangeRequest {
    std::map<std::string, std::string> set;  // option -> value as given
    std::vector<std::string> delete_keys;
    std::vector<std::string> revert_keys;

    bool empty() const { return set.empty() && delete_keys.empty() && revert_keys.empty(); }
};

struct ChangeContext {
    int vmid = 0;
    bool running = false;
    bool creating = false;  // create may set read-only options such as unprivileged
    const HostFacts& facts;
    Random& random;
    const StorageConfig* storage = nullptr;  // for volume checks; null skips them
    StorageRegistry* storages = nullptr;     // allocates and frees volumes; null refuses to
    // Checks a new `hookscript` value (a snippets volume that exists and is
    // executable; core/hookscript.h); empty: not checked.
    std::function<void(const std::string& volid)> check_hookscript;
};

// Parameter checks that need no config: every value valid, items known,
// no key both set and deleted. Throws ParameterError listing every problem.
void validate_change_request(const ConfigChangeRequest& request, const ChangeContext& context);

// Queues and applies the request on `config`. Throws UserError (or
// ParameterError) without a partial result mattering: the caller writes the
// config only when this returns. Returns warnings for the user.
std::vector<std::string> apply_change_request(ContainerConfig& config, const ConfigChangeRequest& request,
                                              const ChangeContext& context);

// Applies every pending change (what `pct start` does first).
std::vector<std::string> apply_all_pending(ContainerConfig& config, const ChangeContext& context);

// Host uid and gid of the container's root (its id map's image of 0), the
// owner new volumes get.
std::pair<uint64_t, uint64_t> container_root_ids(const ContainerConfig& config);

// Records a volume as unusedN at the lowest free index (config.md §6.6);
// returns that key, or the key that already lists the volume.
std::string add_unused_volume(ConfigSection& section, const std::string& volume);

// A random locally administered unicast MAC with Proxmox's prefix BC:24:11.
std::string generate_mac_address(Random& random);

}  // namespace pct
