#include "core/container_destroy.h"

#include <optional>
#include <set>

#include "core/config_loader.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_volume_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (index >= 0 && (base == "mp" || base == "unused"));
}

// Storage volumes of main and pending sections, each once; bind and device
// mount points are never touched. Snapshot volumes go with their volume.
std::set<std::string> referenced_storage_volumes(const ContainerConfig& config) {
    std::set<std::string> volumes;
    for (const ConfigSection* section : {&config.main, &config.pending}) {
        for (const auto& [key, value] : section->values) {
            if (!is_volume_key(key)) continue;
            std::string volume = volume_of_mount_value(value);
            if (!volume.empty() && volume[0] != '/') volumes.insert(volume);
        }
    }
    return volumes;
}

std::optional<int> owner_of(const std::string& volume) {
    try {
        return parse_dir_volname(parse_volume_id(volume).volname).owner_vmid;
    } catch (const UserError&) {
        return std::nullopt;
    }
}

}  // namespace

std::vector<std::string> destroy_container(ConfigStore& store, StorageRegistry& storages, int vmid, bool running,
                                           const DestroyOptions& options) {
    std::vector<std::string> warnings;
    auto lock = store.lock(vmid);
    ContainerConfig config = load_config(store, vmid).config;
    std::string id = std::to_string(vmid);
    if (const std::string* protection = config.main.get("protection"); protection && *protection == "1")
        throw UserError("can't remove CT " + id + " - protection mode enabled");
    check_lock(config);
    if (running) {
        if (!options.force) throw UserError("unable to destroy CT " + id + " - container is running");
        throw UserError("unable to destroy CT " + id + " - container is running (stop it first)");
    }

    std::set<std::string> freed;
    for (const auto& volume : referenced_storage_volumes(config)) {
        if (owner_of(volume) != vmid) {
            warnings.push_back("ignore deletion of '" + volume + "', CT " + id + " isn't the owner!");
            continue;
        }
        storages.get(parse_volume_id(volume).storage).free(volume);
        freed.insert(volume);
    }
    if (options.destroy_unreferenced_disks) {
        for (const auto& storage_id : options.all_storage_ids) {
            Storage& storage = storages.get(storage_id);
            for (const auto& volume : storage.list(vmid))
                if (!freed.count(volume.volid)) storage.free(volume.volid);
        }
    }
    // Proxmox keeps "lock: destroyed" until the very end so that a crash
    // half-way leaves a config nobody can start.
    store.replace(vmid, "lock: destroyed\n");
    store.remove(vmid);
    return warnings;
}

}  // namespace pct
