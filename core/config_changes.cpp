#include "core/config_changes.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/idmap.h"
#include "core/option_schema.h"
#include "core/value_formats.h"
#include "core/volume_id.h"

namespace pct {

namespace {

// Keys applied to the main section at once even while the CT runs (§7.4).
const std::set<std::string> kHotKeys = {"description", "onboot", "startup", "protection", "hostname",
                                        "hookscript", "cores", "tags", "lock"};

bool is_family(std::string_view key, std::string_view family) {
    auto [base, index] = split_indexed_key(key);
    return index >= 0 && base == family;
}

bool is_mount_key(std::string_view key) { return key == "rootfs" || is_family(key, "mp"); }

bool is_storage_volume(const std::string& volume) { return !volume.empty() && volume[0] != '/'; }

std::vector<std::string> delete_list(const ConfigSection& pending) {
    const std::string* value = pending.get("delete");
    return value ? split_list(*value) : std::vector<std::string>{};
}

void set_delete_list(ConfigSection& pending, std::vector<std::string> keys) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (keys.empty()) {
        pending.values.erase("delete");
        return;
    }
    std::string joined;
    for (const auto& key : keys) joined += (joined.empty() ? "" : ",") + key;
    pending.values["delete"] = joined;
}

void remove_from_delete_list(ConfigSection& pending, const std::string& key) {
    auto keys = delete_list(pending);
    keys.erase(std::remove_if(keys.begin(), keys.end(), [&](const std::string& item) {
                   return item == key || item == "!" + key;
               }),
               keys.end());
    set_delete_list(pending, keys);
}

bool is_queued_for_delete(const ConfigSection& pending, const std::string& key) {
    for (const auto& item : delete_list(pending))
        if (item == key || item == "!" + key) return true;
    return false;
}

bool protected_config(const ContainerConfig& config) {
    const std::string* value = config.main.get("protection");
    return value && *value == "1";
}

// Values are stored the way `pct set` normalises them (§5, §7.2).
std::string normalize_for_set(const std::string& key, const std::string& value, const ChangeContext& context) {
    const OptionSpec* spec = find_option(key);
    if (spec->type == ValueType::Boolean) return *normalize_boolean(value);
    if (spec->type == ValueType::Integer) {
        std::string number = check_value_on_load(*spec, value);
        if (key == "cpuunits") {
            long units = std::stol(number);
            if (context.facts.cgroup_version == 2 && units > 10000) return "10000";
            if (context.facts.cgroup_version == 1 && units < 2) return "2";
        }
        return number;
    }
    if (key == "nameserver" || key == "searchdomain") return normalize_space_list(value);
    if (key == "tags") return normalize_tags(value);
    return value;
}

// Checks that need the config or the host (§7.2 "set").
void check_set(const ContainerConfig& config, const std::string& key, const std::string& value,
               const ChangeContext& context) {
    if (key == "unprivileged" && !context.creating)
        throw UserError("unable to modify read-only option: 'unprivileged'");
    if (is_mount_key(key) && protected_config(config))
        throw UserError("can't update CT " + std::to_string(context.vmid) + " drive '" + key + "' - protection mode enabled");
    if (is_mount_key(key)) {
        PropertyMap mount = parse_property_string(value, key == "rootfs" ? rootfs_format() : mount_point_format());
        if (classify_mount_point(mount["volume"]) == MountPointType::volume && context.storage)
            require_rootdir_storage(*context.storage, parse_volume_id(mount["volume"]).storage);
        if (mount.count("idmap")) parse_mount_idmap(mount["idmap"]);
    }
    if (is_family(key, "net")) {
        PropertyMap net = parse_property_string(value, network_format());
        if (net.count("mtu") && net.count("bridge") && context.facts.bridge_mtu) {
            if (auto bridge_mtu = context.facts.bridge_mtu(net["bridge"]); bridge_mtu && std::stoi(net["mtu"]) > *bridge_mtu)
                throw UserError(key + ": MTU size '" + net["mtu"] + "' is bigger than bridge MTU '" +
                                std::to_string(*bridge_mtu) + "'");
        }
        if (net["host-managed"] == "1" && net["ip6"] == "auto" && net["link_down"] != "1")
            throw UserError(key + ": SLAAC is not supported for host-managed network configuration.");
    }
    if (is_family(key, "dev")) {
        PropertyMap device = parse_property_string(value, device_format());
        if (context.facts.is_device_node && !context.facts.is_device_node(device["path"]))
            throw UserError(key + ": path '" + device["path"] + "' is not a device node");
    }
}

void check_delete(const ContainerConfig& config, const std::string& key, const ChangeContext& context) {
    if (key == "memory" || key == "rootfs" || key == "ostype") throw UserError("unable to delete required option '" + key + "'");
    if (key == "unprivileged") throw UserError("unable to delete read-only option: 'unprivileged'");
    if ((is_family(key, "mp") || is_family(key, "unused")) && protected_config(config))
        throw UserError("can't remove CT " + std::to_string(context.vmid) + " drive '" + key + "' - protection mode enabled");
}

const std::string* active_value(const ConfigSection& section, const std::string& key) {
    if (key == "description") return section.description.empty() ? nullptr : &section.description;
    return section.get(key);
}

void cleanup_pending(ContainerConfig& config) {
    for (auto it = config.pending.values.begin(); it != config.pending.values.end();) {
        const std::string* active = it->first == "delete" ? nullptr : config.main.get(it->first);
        if (active && *active == it->second) it = config.pending.values.erase(it);
        else ++it;
    }
    auto keys = delete_list(config.pending);
    keys.erase(std::remove_if(keys.begin(), keys.end(), [&](const std::string& item) {
                   std::string key = item[0] == '!' ? item.substr(1) : item;
                   return !active_value(config.main, key);
               }),
               keys.end());
    set_delete_list(config.pending, keys);
}

std::string canonical_mount_value(const std::string& key, const std::string& value) {
    const PropertyFormat& format = key == "rootfs" ? rootfs_format() : mount_point_format();
    return print_property_string(parse_property_string(value, format), format);
}

std::string canonical_network_value(const std::string& value, Random& random) {
    PropertyMap net = parse_property_string(value, network_format());
    net["type"] = "veth";
    if (!net.count("hwaddr")) net["hwaddr"] = generate_mac_address(random);
    return print_property_string(net, network_format());
}

bool is_referenced_elsewhere(const ContainerConfig& config, const std::string& unused_key, const std::string& volume) {
    auto uses = [&](const ConfigSection& section, bool skip_key) {
        for (const auto& [key, value] : section.values) {
            if (skip_key && key == unused_key) continue;
            if ((is_mount_key(key) || is_family(key, "unused")) && volume_of_mount_value(value) == volume) return true;
        }
        return false;
    };
    if (uses(config.main, true) || uses(config.pending, false)) return true;
    for (const auto& [name, snapshot] : config.snapshots)
        if (uses(snapshot, false)) return true;
    return false;
}

// Deleting unusedN destroys the volume when the CT owns it and nothing else
// refers to it (config.md §6.6, §7.3).
std::string free_unused_volume(const ContainerConfig& config, const std::string& key, const std::string& volume,
                               const ChangeContext& context) {
    std::string id = std::to_string(context.vmid);
    std::optional<int> owner;
    try {
        owner = parse_dir_volname(parse_volume_id(volume).volname).owner_vmid;
    } catch (const UserError&) {
    }
    if (owner != context.vmid) return "ignore deletion of '" + volume + "', CT " + id + " isn't the owner!";
    if (is_referenced_elsewhere(config, key, volume)) return "";
    if (!context.storages)
        return "volume '" + volume + "' of CT " + id + " was removed from the config but not freed (no storage access)";
    context.storages->get(parse_volume_id(volume).storage).free(volume);
    return "";
}

// The container's root on the host, owner of new file systems (runtime.md §4.2).
struct AllocatedVolume {
    Storage* storage;
    std::string volid;
};

// §7.3 for one key; returns a warning or empty.
std::string apply_deletion(ContainerConfig& config, const std::string& key, const ChangeContext& context) {
    std::string warning;
    if (key == "description") {
        config.main.description.clear();
        return warning;
    }
    const std::string* current = config.main.get(key);
    if (current && is_family(key, "mp")) {
        std::string volume = volume_of_mount_value(*current);
        if (is_storage_volume(volume)) add_unused_volume(config.main, volume);
    } else if (current && is_family(key, "unused")) {
        warning = free_unused_volume(config, key, volume_of_mount_value(*current), context);
    }
    config.main.values.erase(key);
    return warning;
}

void apply_value(ContainerConfig& config, const std::string& key, const std::string& value, const ChangeContext& context,
                 std::vector<AllocatedVolume>& allocated) {
    if (is_mount_key(key)) {
        std::string volume = volume_of_mount_value(value);
        std::string canonical;
        if (auto request = parse_new_disk_request(volume)) {
            if (!context.storages) throw UserError("allocating new volumes ('" + volume + "') needs storage access");
            Storage& storage = context.storages->get(request->storage);
            auto [uid, gid] = container_root_ids(config);
            std::string volid =
                storage.allocate({.vmid = context.vmid, .size_kib = request->size_kib, .root_uid = uid, .root_gid = gid});
            allocated.push_back({&storage, volid});
            const PropertyFormat& format = key == "rootfs" ? rootfs_format() : mount_point_format();
            PropertyMap map = parse_property_string(value, format);
            map["volume"] = volid;
            map["size"] = format_disk_size(request->size_kib * 1024);
            canonical = print_property_string(map, format);
            volume = volid;
        } else {
            canonical = canonical_mount_value(key, value);
        }
        if (const std::string* old = config.main.get(key)) {
            std::string old_volume = volume_of_mount_value(*old);
            if (is_storage_volume(old_volume) && old_volume != volume) add_unused_volume(config.main, old_volume);
        }
        config.main.values[key] = canonical;
    } else if (is_family(key, "net")) {
        config.main.values[key] = canonical_network_value(value, context.random);
    } else {
        config.main.values[key] = value;
    }
}

// Applies pending entries whose key passes `selected`; collects failures.
std::vector<std::string> apply_pending(ContainerConfig& config, const ChangeContext& context,
                                       const std::function<bool(const std::string&)>& selected) {
    std::vector<std::string> warnings;
    std::vector<std::string> errors;
    std::vector<std::string> remaining_deletes;
    for (const auto& item : delete_list(config.pending)) {
        std::string key = item[0] == '!' ? item.substr(1) : item;
        if (!selected(key)) {
            remaining_deletes.push_back(item);
            continue;
        }
        try {
            if (auto warning = apply_deletion(config, key, context); !warning.empty()) warnings.push_back(warning);
        } catch (const UserError& e) {
            errors.push_back("unable to apply pending change " + key + " : " + e.what());
        }
    }
    set_delete_list(config.pending, remaining_deletes);
    cleanup_pending(config);

    std::vector<std::string> applied;
    std::vector<AllocatedVolume> allocated;
    for (const auto& [key, value] : config.pending.values) {
        if (key == "delete" || !selected(key)) continue;
        try {
            apply_value(config, key, value, context, allocated);
            applied.push_back(key);
        } catch (const UserError& e) {
            errors.push_back("unable to apply pending change " + key + " : " + e.what());
        }
    }
    for (const auto& key : applied) config.pending.values.erase(key);
    if (!config.pending.description.empty() && selected("description")) {
        config.main.description = std::move(config.pending.description);
        config.pending.description.clear();
    }
    if (!errors.empty()) {
        // Nothing is written after a failure, so new volumes must not stay behind.
        for (const auto& volume : allocated) {
            try {
                volume.storage->free(volume.volid);
            } catch (const UserError&) {
            }
        }
        throw ParameterError(errors);
    }
    return warnings;
}

}  // namespace

std::pair<uint64_t, uint64_t> container_root_ids(const ContainerConfig& config) {
    std::vector<IdMapEntry> custom;
    for (const auto& [key, value] : config.main.lxc)
        if (key == "lxc.idmap") custom.push_back(parse_idmap_entry(value));
    const std::string* unprivileged = config.main.get("unprivileged");
    auto map = effective_idmap(custom, unprivileged && *unprivileged == "1");
    return {root_host_id(map, 'u'), root_host_id(map, 'g')};
}

std::string generate_mac_address(Random& random) {
    static const char* hex = "0123456789ABCDEF";
    uint64_t bits = random.next_u64();
    std::string mac = "BC:24:11";
    for (int i = 0; i < 3; ++i) {
        unsigned byte = (bits >> (8 * i)) & 0xff;
        mac += ':';
        mac += hex[byte >> 4];
        mac += hex[byte & 15];
    }
    return mac;
}

std::string add_unused_volume(ConfigSection& section, const std::string& volume) {
    int free_index = -1;
    for (int i = 0; i < 256; ++i) {
        const std::string* existing = section.get("unused" + std::to_string(i));
        if (!existing) {
            if (free_index < 0) free_index = i;
        } else if (volume_of_mount_value(*existing) == volume) {
            return "unused" + std::to_string(i);
        }
    }
    if (free_index < 0) throw UserError("Too many unused volumes - please delete them first.");
    const std::string key = "unused" + std::to_string(free_index);
    section.values[key] = volume;
    return key;
}

void validate_change_request(const ConfigChangeRequest& request, const ChangeContext& context) {
    if (request.empty()) throw UserError("no options specified");
    std::vector<std::string> problems;
    for (const auto& [key, value] : request.set) {
        const OptionSpec* spec = find_option(key);
        if (!spec || (!spec->settable && !context.creating)) {
            problems.push_back(key + ": property is not defined in schema and the schema does not allow additional properties");
            continue;
        }
        for (auto& problem : validate_option(key, value)) problems.push_back(std::move(problem));
        if (key == "hookscript" && context.check_hookscript) try {
                context.check_hookscript(value);
            } catch (const UserError& e) {
                problems.push_back("hookscript: " + std::string(e.what()));
            }
    }
    auto check_known = [&](const std::vector<std::string>& keys, const char* parameter) {
        for (const auto& key : keys) {
            const OptionSpec* spec = find_option(key);
            if (!spec || !spec->settable) problems.push_back(std::string(parameter) + ": unknown option '" + key + "'");
        }
    };
    check_known(request.delete_keys, "delete");
    check_known(request.revert_keys, "revert");
    auto contains = [](const std::vector<std::string>& keys, const std::string& key) {
        return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    for (const auto& [key, value] : request.set) {
        if (contains(request.delete_keys, key))
            problems.push_back("delete: you can't use '-" + key + "' and -delete " + key + "' at the same time");
        if (contains(request.revert_keys, key))
            problems.push_back("revert: you can't use '-" + key + "' and '-revert " + key + "' at the same time");
    }
    for (const auto& key : request.delete_keys)
        if (contains(request.revert_keys, key))
            problems.push_back("revert: you can't use '-delete " + key + "' and '-revert " + key + "' at the same time");
    if (!problems.empty()) throw ParameterError(problems);
}

std::vector<std::string> apply_change_request(ContainerConfig& config, const ConfigChangeRequest& request,
                                              const ChangeContext& context) {
    std::vector<std::string> warnings;
    // §7.2: reverts, deletes, sets, cleanup.
    for (const auto& key : request.revert_keys) {
        if (key == "description") config.pending.description.clear();
        config.pending.values.erase(key);
        remove_from_delete_list(config.pending, key);
    }
    for (const auto& key : request.delete_keys) {
        if (!active_value(config.main, key) && !active_value(config.pending, key)) {
            warnings.push_back("cannot delete '" + key + "' - not set in current configuration!");
            continue;
        }
        check_delete(config, key, context);
        if (key == "description") config.pending.description.clear();
        config.pending.values.erase(key);
        auto keys = delete_list(config.pending);
        keys.push_back(key);
        set_delete_list(config.pending, keys);
    }
    for (const auto& [key, raw_value] : request.set) {
        check_set(config, key, raw_value, context);
        std::string value = normalize_for_set(key, raw_value, context);
        if (key == "description") config.pending.description = value;
        else config.pending.values[key] = value;
        remove_from_delete_list(config.pending, key);
    }
    cleanup_pending(config);
    if (config.pending.description == config.main.description) config.pending.description.clear();

    std::set<std::string> touched(request.delete_keys.begin(), request.delete_keys.end());
    for (const auto& [key, value] : request.set) touched.insert(key);
    auto selected = [&](const std::string& key) {
        if (!touched.count(key)) return false;
        if (!context.running) return true;
        return kHotKeys.count(key) > 0 || (is_family(key, "unused") && is_queued_for_delete(config.pending, key));
    };
    for (auto& warning : apply_pending(config, context, selected)) warnings.push_back(std::move(warning));
    return warnings;
}

std::vector<std::string> apply_all_pending(ContainerConfig& config, const ChangeContext& context) {
    return apply_pending(config, context, [](const std::string&) { return true; });
}

}  // namespace pct
