#include "core/volume_rescan.h"

#include <map>
#include <set>

#include "core/config_changes.h"
#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

// Updates `size=` of rootfs/mpN volumes found on the storages; returns whether anything changed.
bool update_sizes(int vmid, ConfigSection& config, const std::map<std::string, StoredVolume>& owned,
                  const std::function<void(const std::string&)>& report) {
    bool changed = false;
    for (auto& [key, value] : config.values) {
        auto [base, index] = split_indexed_key(key);
        if (key != "rootfs" && !(base == "mp" && index >= 0)) continue;
        const PropertyFormat& format = volume_key_format(key);
        PropertyMap mount = parse_property_string(value, format);
        auto found = owned.find(mount["volume"]);
        if (found == owned.end()) continue;
        const uint64_t real = found->second.size_bytes;
        auto recorded = mount.find("size");
        const uint64_t listed = recorded == mount.end() ? 0 : parse_disk_size(recorded->second);
        if (real == listed) continue;
        if (real == 0) mount.erase("size");
        else mount["size"] = format_disk_size(real);
        value = print_property_string(mount, format);
        report("CT " + std::to_string(vmid) + ": updated volume size of '" + found->first + "' in config.");
        changed = true;
    }
    return changed;
}

// Adds owned volumes that neither rootfs/mpN use nor unusedN lists.
bool add_unreferenced(int vmid, ConfigSection& config, const std::map<std::string, StoredVolume>& owned,
                      const std::function<void(const std::string&)>& report) {
    std::set<std::string> known;
    for (const auto& [key, value] : config.values) {
        auto [base, index] = split_indexed_key(key);
        if (key == "rootfs" || (index >= 0 && (base == "mp" || base == "unused"))) known.insert(volume_of_mount_value(value));
    }
    bool changed = false;
    for (const auto& [volid, volume] : owned) {
        if (known.contains(volid)) continue;
        const std::string key = add_unused_volume(config, volid);
        report("CT " + std::to_string(vmid) + ": add unreferenced volume '" + volid + "' as '" + key + "' to config.");
        changed = true;
    }
    return changed;
}

}  // namespace

void rescan_volumes(ConfigStore& store, StorageRegistry& storages, const RescanOptions& options,
                    const std::function<void(const std::string&)>& report) {
    if (options.dry_run) report("NOTE: running in dry-run mode, won't write changes out!");
    report("rescan volumes...");
    std::map<int, std::map<std::string, StoredVolume>> by_owner;
    for (const auto& storage_id : options.storage_ids)
        for (auto& volume : storages.get(storage_id).list(options.vmid)) by_owner[volume.owner][volume.volid] = volume;

    for (const auto& [vmid, owned] : by_owner) {
        auto lock = store.lock(vmid);
        if (!store.read(vmid)) continue;  // an orphaned volume is not rescan's business
        LoadedConfig loaded = load_config(store, vmid);
        check_lock(loaded.config);
        const bool sizes = update_sizes(vmid, loaded.config.main, owned, report);
        const bool unused = add_unreferenced(vmid, loaded.config.main, owned, report);
        if ((sizes || unused) && !options.dry_run) store.replace(vmid, write_config(loaded.config));
    }
}

}  // namespace pct
