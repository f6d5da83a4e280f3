#include "core/container_clone.h"

#include <vector>

#include "core/config_changes.h"
#include "core/config_loader.h"
#include "core/disk_usage.h"
#include "core/error.h"
#include "core/guest/guest_setup.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_template(const ConfigSection& main) {
    const std::string* value = main.get("template");
    return value && *value == "1";
}

bool is_mount_point_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (base == "mp" && index >= 0);
}

// A volume the task copies or clones.
struct CloneVolume {
    std::string key;     // rootfs, mpN
    std::string volid;   // the source volume
    bool full = false;
};

Storage& storage_of(StorageRegistry& storages, const std::string& volid) {
    return storages.get(parse_volume_id(volid).storage);
}

// Proxmox's lock_and_reload: the new config is changed only while it still
// carries the `create` lock this clone put there.
void update_new_config(ConfigStore& store, int newid, const std::function<void(ContainerConfig&)>& change) {
    auto held = store.lock(newid);
    LoadedConfig loaded = load_config(store, newid);
    const std::string* lock = loaded.config.main.get("lock");
    if (!lock || *lock != "create") throw UserError("Lost 'create' config lock, aborting.");
    change(loaded.config);
    store.replace(newid, write_config(loaded.config));
}

void remove_new_config(CloneEnvironment& env, int newid) {
    try {
        auto held = env.store.lock(newid);
        LoadedConfig loaded = load_config(env.store, newid);
        const std::string* lock = loaded.config.main.get("lock");
        if (!lock || *lock != "create") throw UserError("Lost 'create' config lock, aborting.");
        env.store.remove(newid);
    } catch (const std::exception& e) {
        env.warn(std::string("Failed to remove target CT config - ") + e.what());
    }
}

void remove_source_lock(CloneEnvironment& env, int vmid) {
    try {
        auto held = env.store.lock(vmid);
        LoadedConfig loaded = load_config(env.store, vmid);
        const std::string* lock = loaded.config.main.get("lock");
        if (!lock) throw UserError("no lock found trying to remove 'disk' lock");
        if (*lock != "disk") throw UserError("found lock '" + *lock + "' trying to remove 'disk' lock");
        loaded.config.main.values.erase("lock");
        env.store.replace(vmid, write_config(loaded.config));
    } catch (const std::exception& e) {
        env.warn(std::string("Failed to remove source CT config lock - ") + e.what());
    }
}

// Source checks and `lock: disk`, under the source's config lock.
ContainerConfig lock_source(ConfigStore& store, int vmid) {
    auto held = store.lock(vmid);
    LoadedConfig loaded = load_config(store, vmid);
    check_lock(loaded.config);
    loaded.config.main.values["lock"] = "disk";
    store.replace(vmid, write_config(loaded.config));
    return loaded.config;
}

// Proxmox's create_and_lock_config: a fresh config holding only the lock.
void create_new_config(CloneEnvironment& env, int newid) {
    auto held = env.store.lock(newid);
    if (env.store.read(newid))
        throw UserError("CT " + std::to_string(newid) + " already exists on node '" + env.node_name + "'");
    env.store.replace(newid, "lock: create\n");
}

class Cloner {
public:
    Cloner(CloneEnvironment& env, const CloneRequest& request) : env_(env), request_(request) {}

    void run() {
        check_request();
        const ContainerConfig source = lock_source(env_.store, request_.vmid);
        try {
            create_new_config(env_, request_.newid);
        } catch (...) {
            remove_source_lock(env_, request_.vmid);
            throw;
        }
        try {
            plan(source);
            update_new_config(env_.store, request_.newid, [&](ContainerConfig& config) { config = new_config_; });
        } catch (...) {
            remove_source_lock(env_, request_.vmid);
            remove_new_config(env_, request_.newid);
            throw;
        }
        run_task();
    }

private:
    void check_request() {
        if (request_.pool) throw UserError("option 'pool' is not available yet in this version of pct");
        if (request_.target && *request_.target != env_.node_name && *request_.target != "localhost")
            throw UserError("no such cluster node '" + *request_.target + "'");
        if (request_.storage) env_.storages.get(*request_.storage);  // exists, supported, enabled
    }

    // The checks made before the task, and the new config.
    void plan(const ContainerConfig& source) {
        running_ = env_.is_running(request_.vmid);
        full_ = request_.full.value_or(!is_template(source.main));
        if (request_.storage && !full_) throw UserError("parameter 'storage' not allowed for linked clones");
        const ConfigSection* section = &source.main;
        if (request_.snapname) {
            auto found = source.snapshots.find(*request_.snapname);
            if (found == source.snapshots.end())
                throw UserError("snapshot '" + *request_.snapname + "' does not exist");
            section = &found->second;
        }

        ConfigSection& main = new_config_.main;
        main.description = section->description;
        main.lxc = section->lxc;
        // Keys in ASCII order, as Proxmox checks them.
        for (const auto& [key, value] : section->values) {
            auto [base, index] = split_indexed_key(key);
            if (base == "unused" && index >= 0) continue;
            if (key == "parent" || key == "snaptime" || key == "snapstate" || key == "template" || key == "lock")
                continue;
            if (is_mount_point_key(key)) {
                check_mount_point(key, value);
            } else if (base == "net" && index >= 0) {
                PropertyMap net = parse_property_string(value, network_format());
                net["hwaddr"] = generate_mac_address(env_.random);  // always a new MAC
                main.values[key] = print_property_string(net, network_format());
                continue;
            }
            main.values[key] = value;
        }
        main.values["lock"] = "create";
        if (request_.hostname && !request_.hostname->empty()) main.values["hostname"] = *request_.hostname;
        if (request_.description && !request_.description->empty()) main.description = *request_.description;
        for (const auto& mount : container_mount_points(main))
            volumes_.push_back({.key = mount.key, .volid = mount.volume, .full = full_});
    }

    void check_mount_point(const std::string& key, const std::string& value) {
        const std::string volid = volume_of_mount_value(value);
        const MountPointType type = classify_mount_point(volid);
        if (type != MountPointType::volume)
            throw UserError("unable to clone mountpoint '" + key + "' (type " + std::string(to_string(type)) + ")");
        if (full_) {
            if (running_ && !request_.snapname)
                throw UserError("Full clone of a running container is only possible from a snapshot");
        } else if (!storage_of(env_.storages, volid).supports(StorageFeature::LinkedClone, volid)) {
            throw UserError("Linked clone feature for '" + volid + "' is not available");
        }
    }

    void run_task() {
        std::vector<std::pair<Storage*, std::string>> new_volumes;
        try {
            if (env_.is_running(request_.vmid) != running_) throw UserError("unexpected state change");
            for (const auto& volume : volumes_) storage_of(env_.storages, volume.volid).activate();
            for (const auto& volume : volumes_) {
                const std::string new_volid = volume.full ? copy_volume(volume, new_volumes) : link_volume(volume, new_volumes);
                set_volume(volume.key, new_volid);
            }
            post_clone();
        } catch (const std::exception& e) {  // a failed step is reported after the undo, whatever it threw
            remove_source_lock(env_, request_.vmid);
            for (auto it = new_volumes.rbegin(); it != new_volumes.rend(); ++it) {
                try {
                    it->first->free(it->second);
                } catch (const std::exception& error) {
                    env_.warn(error.what());
                }
            }
            remove_new_config(env_, request_.newid);
            throw UserError(std::string("clone failed: ") + e.what());
        }
        remove_source_lock(env_, request_.vmid);
        auto held = env_.store.lock(request_.newid);
        LoadedConfig loaded = load_config(env_.store, request_.newid);
        const std::string* lock = loaded.config.main.get("lock");
        if (!lock) throw UserError("no lock found trying to remove 'create' lock");
        if (*lock != "create") throw UserError("found lock '" + *lock + "' trying to remove 'create' lock");
        loaded.config.main.values.erase("lock");
        env_.store.replace(request_.newid, write_config(loaded.config));
    }

    std::string copy_volume(const CloneVolume& volume, std::vector<std::pair<Storage*, std::string>>& new_volumes) {
        env_.print("create full clone of mountpoint " + volume.key + " (" + volume.volid + ")");
        Storage& source = storage_of(env_.storages, volume.volid);
        Storage& target = request_.storage ? env_.storages.get(*request_.storage) : source;
        uint64_t size_bytes = 0;
        if (source.format(volume.volid) == VolumeFormat::Raw) {
            // The size the config records (the snapshot's, for a snapshot),
            // else what the storage reports.
            const PropertyMap mount =
                parse_property_string(*new_config_.main.get(volume.key), volume_key_format(volume.key));
            auto size = mount.find("size");
            size_bytes = size != mount.end() ? parse_disk_size(size->second) : 0;
            if (size_bytes == 0) size_bytes = source.size_bytes(volume.volid);
        }
        const auto [root_uid, root_gid] = container_root_ids(new_config_);
        const std::string new_volid = target.allocate(
            {.vmid = request_.newid, .size_kib = (size_bytes + 1023) / 1024, .root_uid = root_uid, .root_gid = root_gid});
        new_volumes.emplace_back(&target, new_volid);
        env_.copy(volume.volid, request_.snapname.value_or(""), new_volid);
        return new_volid;
    }

    std::string link_volume(const CloneVolume& volume, std::vector<std::pair<Storage*, std::string>>& new_volumes) {
        env_.print("create linked clone of mount point " + volume.key + " (" + volume.volid + ")");
        Storage& storage = storage_of(env_.storages, volume.volid);
        const std::string new_volid = storage.clone_linked(volume.volid, request_.newid, request_.snapname.value_or(""));
        new_volumes.emplace_back(&storage, new_volid);
        return new_volid;
    }

    void set_volume(const std::string& key, const std::string& new_volid) {
        const PropertyFormat& format = volume_key_format(key);
        PropertyMap mount = parse_property_string(*new_config_.main.get(key), format);
        mount["volume"] = new_volid;
        new_config_.main.values[key] = print_property_string(mount, format);
        update_new_config(env_.store, request_.newid,
                          [&](ContainerConfig& config) { config.main.values[key] = new_config_.main.values[key]; });
    }

    // Under the new config's lock, as Proxmox runs its post_clone_hook.
    void post_clone() {
        auto held = env_.store.lock(request_.newid);
        const ContainerConfig config = load_config(env_.store, request_.newid).config;
        // Not a structured binding: clang 14 cannot capture those in a lambda.
        const std::pair<uint64_t, uint64_t> root = container_root_ids(config);
        env_.with_mounted(request_.newid, config, [&](const std::string& rootdir) {
            auto fs = env_.rootfs.open(rootdir, root.first, root.second);
            guest::GuestSetupReport report =
                guest::run_guest_setup(*fs, config.main, {.operation = guest::GuestSetupOperation::PostClone},
                                       env_.clock, env_.random);
            for (const auto& note : report.notes) env_.print(note);
            for (const auto& warning : report.warnings) env_.warn(warning);
        });
    }

    CloneEnvironment& env_;
    const CloneRequest& request_;
    bool running_ = false;
    bool full_ = true;
    ContainerConfig new_config_;
    std::vector<CloneVolume> volumes_;
};

}  // namespace

void clone_container(CloneEnvironment& env, const CloneRequest& request) { Cloner(env, request).run(); }

}  // namespace pct
