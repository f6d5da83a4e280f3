#include "core/snapshots.h"

#include <exception>
#include <optional>
#include <set>
#include <vector>

#include "core/config_changes.h"
#include "core/config_loader.h"
#include "core/disk_usage.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/value_formats.h"
#include "core/volume_id.h"

namespace pct {

namespace {

// A rootfs/mpN entry of a section, in Proxmox's foreach_volume order.
struct SnapshotVolume {
    std::string key;
    std::string volume;
    bool storage_volume = false;  // not a bind or device mount point
    bool backup = false;          // included in backups (rootfs always)
};

std::vector<SnapshotVolume> volumes_of(const ConfigSection& section) {
    std::vector<SnapshotVolume> volumes;
    for (const auto& entry : container_mount_points(section)) {
        bool backup = entry.key == "rootfs";
        if (!backup) {
            const PropertyMap mount = parse_property_string(*section.get(entry.key), volume_key_format(entry.key));
            auto flag = mount.find("backup");
            backup = flag != mount.end() && flag->second == "1";
        }
        volumes.push_back({.key = entry.key,
                           .volume = entry.volume,
                           .storage_volume = classify_mount_point(entry.volume) == MountPointType::volume,
                           .backup = backup});
    }
    return volumes;
}

bool is_template(const ContainerConfig& config) {
    const std::string* value = config.main.get("template");
    return value && *value == "1";
}

bool is_running(SnapshotContext& ctx, int vmid) { return ctx.launcher.running_init(vmid).has_value(); }

Storage& storage_of(SnapshotContext& ctx, const std::string& volume) {
    return ctx.storages.get(parse_volume_id(volume).storage);
}

// Proxmox's __snapshot_activate_storages: each storage of the section's
// volumes once, in name order.
void activate_storages(SnapshotContext& ctx, const ConfigSection& section) {
    std::set<std::string> storage_ids;
    for (const auto& volume : volumes_of(section))
        if (volume.storage_volume) storage_ids.insert(parse_volume_id(volume.volume).storage);
    for (const auto& id : storage_ids) ctx.storages.get(id).activate();
}

// Keys a snapshot section does not take over from the main section, and
// that a rollback does not take over from the snapshot.
bool is_bookkeeping_key(const std::string& key) {
    static const std::set<std::string> keys = {"snapshots", "snapstate", "snaptime", "vmstate",
                                               "lock",      "digest",    "description"};
    if (keys.contains(key)) return true;
    auto [base, index] = split_indexed_key(key);
    return base == "unused" && index >= 0;
}

// The settings of `from` without bookkeeping: values, raw lxc entries, env.
ConfigSection copy_settings(const ConfigSection& from) {
    ConfigSection copy;
    for (const auto& [key, value] : from.values)
        if (!is_bookkeeping_key(key)) copy.values[key] = value;
    copy.lxc = from.lxc;
    return copy;
}

// One read-modify-write under the config lock.
template <class Change>
void update_config(SnapshotContext& ctx, int vmid, Change&& change) {
    auto held = ctx.store.lock(vmid);
    ContainerConfig config = ctx.read(ctx.store, vmid);
    change(config);
    ctx.store.replace(vmid, write_config(config));
}

ConfigSection& snapshot_section(ContainerConfig& config, const std::string& name) {
    auto found = config.snapshots.find(name);
    if (found == config.snapshots.end()) throw UserError("snapshot '" + name + "' does not exist");
    return found->second;
}

// has_feature('snapshot'): every mount point (only those in backups for the
// internal `vzdump` snapshot) is a storage volume that supports snapshots.
bool snapshot_feature_available(SnapshotContext& ctx, const ConfigSection& main, bool backup_only) {
    for (const auto& volume : volumes_of(main)) {
        if (backup_only && !volume.backup) continue;
        if (!volume.storage_volume) return false;
        if (!storage_of(ctx, volume.volume).supports(StorageFeature::Snapshot, volume.volume)) return false;
    }
    return true;
}

// Proxmox's snapshot_delete. `taken` is set for the cleanup of a failed
// create: then the `snapshot` lock is kept instead of taking
// `snapshot-delete`, the storages are not activated again and only the
// volume snapshots in `taken` (keys) are deleted.
void delete_snapshot_steps(SnapshotContext& ctx, int vmid, const std::string& name, bool force,
                           const std::set<std::string>* taken) {
    {
        ContainerConfig config = ctx.read(ctx.store, vmid);
        const ConfigSection& snapshot = snapshot_section(config, name);
        if (!taken) activate_storages(ctx, snapshot);
    }
    if (!taken) {
        update_config(ctx, vmid, [](ContainerConfig& config) {
            check_lock(config);
            config.main.values["lock"] = "snapshot-delete";
        });
    }
    const std::string expected_lock = taken ? "snapshot" : "snapshot-delete";
    auto ensure_lock = [&](const ContainerConfig& config) {
        const std::string* lock = config.main.get("lock");
        if (!lock || *lock != expected_lock)
            throw UserError("encountered invalid lock, expected '" + expected_lock + "'");
    };

    ConfigSection snapshot;
    update_config(ctx, vmid, [&](ContainerConfig& config) {
        ensure_lock(config);
        if (is_template(config)) throw UserError("you can't delete a snapshot if vm is a template");
        ConfigSection& section = snapshot_section(config, name);
        section.values["snapstate"] = "delete";
        snapshot = section;
    });
    // Only Proxmox's test data has RAM state in a container snapshot.
    if (snapshot.has("vmstate")) throw UserError("implement me - saving vmstate");

    std::vector<std::string> deleted;
    for (const auto& volume : volumes_of(snapshot)) {
        if (name == "vzdump" && !volume.backup) continue;
        if (!taken || taken->contains(volume.key)) {
            try {
                // Bind and device mount points have no snapshot to delete.
                if (volume.storage_volume) {
                    storage_of(ctx, volume.volume).delete_snapshot(volume.volume, name);
                    deleted.push_back(volume.volume);
                }
            } catch (const std::exception& e) {
                if (!force) throw;
                ctx.warn(e.what());
            }
        }
        // Without force every step is recorded at once, so that a failure
        // later on leaves a section that says what is left to delete.
        if (!force) {
            update_config(ctx, vmid, [&](ContainerConfig& config) {
                ensure_lock(config);
                ConfigSection& section = snapshot_section(config, name);
                section.values.erase(volume.key);
                if (volume.storage_volume) add_unused_volume(section, volume.volume);
            });
        }
    }

    update_config(ctx, vmid, [&](ContainerConfig& config) {
        ensure_lock(config);
        std::optional<std::string> parent;
        if (const std::string* value = snapshot_section(config, name).get("parent")) parent = *value;
        auto relink = [&](ConfigSection& section) {
            const std::string* value = section.get("parent");
            if (!value || *value != name) return;
            if (parent) section.values["parent"] = *parent;
            else section.values.erase("parent");
        };
        relink(config.main);
        for (auto& [other, section] : config.snapshots)
            if (other != name) relink(section);
        config.snapshots.erase(name);
        config.main.values.erase("lock");
        // Volumes the main section still uses are dropped by the writer.
        for (const auto& volume : deleted) add_unused_volume(config.main, volume);
    });
}

void check_rollback_possible(SnapshotContext& ctx, const SnapshotVolume& volume, const std::string& name) {
    if (!volume.storage_volume) throw UserError("snapshot rollback file/device '" + volume.volume + "' is not possible");
    storage_of(ctx, volume.volume).check_rollback(volume.volume, name);
}

}  // namespace

ContainerConfig read_config_strictly(const ConfigStore& store, int vmid) { return load_config(store, vmid).config; }

void validate_snapshot_name(const std::string& name) {
    if (name.size() > 40) throw ParameterError({"snapname: value may only be 40 characters long"});
    if (!is_config_id(name)) throw ParameterError({"snapname: invalid format - invalid configuration ID '" + name + "'"});
}

void refuse_reserved_snapshot_name(const std::string& name) {
    if (name == "current" || name == "vzdump")
        throw UserError("unable to use snapshot name '" + name + "' (reserved name)");
}

void prepare_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, bool save_vmstate,
                      const std::string& comment) {
    update_config(ctx, vmid, [&](ContainerConfig& config) {
        if (is_template(config)) throw UserError("you can't take a snapshot if it's a template");
        check_lock(config);
        config.main.values["lock"] = "snapshot";
        if (config.snapshots.contains(name)) throw UserError("snapshot name '" + name + "' already used");
        if (!snapshot_feature_available(ctx, config.main, name == "vzdump"))
            throw UserError("snapshot feature is not available");
        for (auto& [other, section] : config.snapshots) {
            const std::string* parent = section.get("parent");
            if (!parent || *parent != name) continue;
            ctx.warn("deleting parent '" + name + "' reference from '" + other + "' to avoid bogus snapshot cycle.");
            section.values.erase("parent");
        }
        if (save_vmstate && is_running(ctx, vmid)) throw UserError("implement me - snapshot_save_vmstate");
        ConfigSection snapshot = copy_settings(config.main);
        snapshot.values["snapstate"] = "prepare";
        snapshot.values["snaptime"] = std::to_string(ctx.clock.now_unix_seconds());
        snapshot.description = comment;
        config.snapshots[name] = std::move(snapshot);
    });
}

void commit_snapshot(SnapshotContext& ctx, int vmid, const std::string& name) {
    update_config(ctx, vmid, [&](ContainerConfig& config) {
        const std::string* lock = config.main.get("lock");
        if (!lock || *lock != "snapshot") throw UserError("missing snapshot lock");
        ConfigSection& snapshot = snapshot_section(config, name);
        const std::string* state = snapshot.get("snapstate");
        if (!state || *state != "prepare") throw UserError("wrong snapshot state");
        snapshot.values.erase("snapstate");
        config.main.values.erase("lock");
        config.main.values["parent"] = name;
    });
}

void create_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, const std::string& comment) {
    prepare_snapshot(ctx, vmid, name, false, comment);

    const bool running = is_running(ctx, vmid);
    bool thaw = false;  // a suspended (frozen) container stays frozen
    std::set<std::string> taken;
    std::optional<std::string> error;
    try {
        ContainerConfig config = ctx.read(ctx.store, vmid);
        activate_storages(ctx, config.main);
        if (running) {
            thaw = !ctx.launcher.frozen(vmid);
            if (thaw) ctx.launcher.freeze(vmid);
            ctx.launcher.sync_filesystems(vmid);
        }
        for (const auto& volume : volumes_of(snapshot_section(config, name))) {
            if (name == "vzdump" && !volume.backup) continue;
            if (!volume.storage_volume)
                throw UserError("snapshot file/device '" + volume.volume + "' is not possible");
            storage_of(ctx, volume.volume).snapshot(volume.volume, name);
            taken.insert(volume.key);
        }
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (thaw) {
        try {
            ctx.launcher.thaw(vmid);
        } catch (const std::exception& e) {
            ctx.warn(e.what());
        }
    }
    if (error) {
        ctx.warn("snapshot create failed: starting cleanup");
        try {
            delete_snapshot_steps(ctx, vmid, name, true, &taken);
        } catch (const std::exception& e) {
            ctx.warn(e.what());
        }
        throw UserError(*error);
    }
    commit_snapshot(ctx, vmid, name);
}

void delete_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, bool force) {
    delete_snapshot_steps(ctx, vmid, name, force, nullptr);
}

void rollback_snapshot(SnapshotContext& ctx, int vmid, const std::string& name) {
    auto snapshot_of = [&](ContainerConfig& config) -> const ConfigSection& {
        if (is_template(config)) throw UserError("you can't rollback if vm is a template");
        return snapshot_section(config, name);
    };
    auto refuse_incomplete = [](const ConfigSection& snapshot) {
        if (const std::string* state = snapshot.get("snapstate"))
            throw UserError("unable to rollback to incomplete snapshot (snapstate = " + *state + ")");
    };
    auto refuse_running = [&] {
        if (is_running(ctx, vmid))
            throw UserError("unable to rollback vm " + std::to_string(vmid) + ": vm is running");
    };

    {
        auto held = ctx.store.lock(vmid);
        ContainerConfig config = ctx.read(ctx.store, vmid);
        const ConfigSection& snapshot = snapshot_of(config);
        activate_storages(ctx, snapshot);
        for (const auto& volume : volumes_of(snapshot)) check_rollback_possible(ctx, volume, name);
        refuse_incomplete(snapshot);
        check_lock(config);
    }
    // Stopped without holding the config lock: the container's post-stop
    // step takes it. The checks are repeated under the lock below.
    if (is_running(ctx, vmid)) ctx.launcher.kill(vmid);

    ConfigSection snapshot;
    update_config(ctx, vmid, [&](ContainerConfig& config) {
        snapshot = snapshot_of(config);
        refuse_incomplete(snapshot);
        check_lock(config);
        refuse_running();
        config.main.values["lock"] = "rollback";
    });

    // A failure here leaves `lock: rollback`: the volumes are half rolled back.
    for (const auto& volume : volumes_of(snapshot)) storage_of(ctx, volume.volume).rollback(volume.volume, name);

    update_config(ctx, vmid, [&](ContainerConfig& config) {
        snapshot = snapshot_of(config);
        refuse_incomplete(snapshot);
        refuse_running();
        const std::string* lock = config.main.get("lock");
        if (!lock || *lock != "rollback") throw UserError("got wrong lock");
        config.main.values.erase("lock");

        std::set<std::string> kept;
        for (const auto& volume : volumes_of(snapshot))
            if (volume.storage_volume) kept.insert(volume.volume);
        for (const auto& volume : volumes_of(config.main))
            if (volume.storage_volume && !kept.contains(volume.volume)) add_unused_volume(config.main, volume.volume);

        ConfigSection restored = copy_settings(snapshot);
        restored.description = config.main.description;
        for (const auto& [key, value] : config.main.values) {
            auto [base, index] = split_indexed_key(key);
            if (base == "unused" && index >= 0) restored.values[key] = value;
        }
        restored.values["parent"] = name;
        config.main = std::move(restored);
        config.pending = ConfigSection{};
    });
    // Only Proxmox's test data has RAM state in a container snapshot.
    if (snapshot.has("vmstate")) throw UserError("implement me - save vmstate");
}

}  // namespace pct
