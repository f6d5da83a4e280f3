#include "core/volume_move.h"

#include "core/config_changes.h"
#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/lock_property.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

constexpr const char* kDigestMismatch = "detected modified configuration - file changed by other user? Try again.";

bool is_unused_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return base == "unused" && index >= 0 && index <= 255;
}

bool is_volume_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (base == "mp" && index >= 0 && index <= 255) || is_unused_key(key);
}

bool referenced_by_snapshots(const ContainerConfig& config, const std::string& volid) {
    for (const auto& [name, snapshot] : config.snapshots)
        for (const auto& [key, value] : snapshot.values)
            if (is_volume_key(key) && volume_of_mount_value(value) == volid) return true;
    return false;
}

// The value `key` gets when its volume becomes `volid`: other mount options kept.
std::string with_volume(const std::string& key, const std::string& value, const std::string& volid,
                        std::optional<uint64_t> size_bytes = std::nullopt) {
    if (is_unused_key(key)) return volid;
    const PropertyFormat& format = volume_key_format(key);
    PropertyMap map = parse_property_string(value, format);
    map["volume"] = volid;
    if (size_bytes && *size_bytes) map["size"] = format_disk_size(*size_bytes);
    return print_property_string(map, format);
}

std::string storage_volume_of(const ConfigSection& config, const std::string& key) {
    const std::string* value = config.get(key);
    if (!value) throw UserError("no such volume '" + key + "'");
    const std::string volid = volume_of_mount_value(*value);
    if (classify_mount_point(volid) != MountPointType::volume)
        throw UserError("cannot move '" + key + "': '" + volid + "' is not a storage volume");
    return volid;
}

std::vector<std::string> move_to_storage(ConfigStore& store, StorageRegistry& storages, const VolumeMoveRequest& request,
                                         const IsRunning& is_running, const CopyVolume& copy) {
    std::string volid;
    std::pair<uint64_t, uint64_t> root_ids;
    {
        auto held = store.lock(request.vmid);
        LoadedConfig loaded = load_config(store, request.vmid);
        check_lock(loaded.config);
        if (is_running(request.vmid)) throw UserError("cannot move volumes of a running container");
        if (is_unused_key(request.key))
            throw UserError("cannot move unused volume '" + request.key + "' to another storage; reassign it to another container instead");
        volid = storage_volume_of(loaded.config.main, request.key);
        if (parse_volume_id(volid).storage == *request.storage)
            throw UserError("volume '" + volid + "' is already on storage '" + *request.storage + "'");
        if (request.delete_source && referenced_by_snapshots(loaded.config, volid))
            throw UserError("you can't move a volume with snapshots and delete the source");
        if (!request.digest.empty() && request.digest != loaded.digest) throw UserError(kDigestMismatch);
        storages.get(*request.storage);  // unknown or unusable target: before anything is locked
        root_ids = container_root_ids(loaded.config);
        loaded.config.main.values["lock"] = "disk";
        store.replace(request.vmid, write_config(loaded.config));
    }

    std::string new_volid;
    Storage& source = storages.get(parse_volume_id(volid).storage);
    Storage& target = storages.get(*request.storage);
    uint64_t size_bytes = 0;
    try {
        size_bytes = source.format(volid) == VolumeFormat::Subvol ? 0 : source.size_bytes(volid);
        new_volid = target.allocate({.vmid = request.vmid,
                                     .size_kib = (size_bytes + 1023) / 1024,
                                     .root_uid = root_ids.first,
                                     .root_gid = root_ids.second});
        copy(volid, new_volid);
    } catch (...) {
        if (!new_volid.empty()) {
            try {
                target.free(new_volid);
            } catch (const UserError&) {
                // The copy's error is the one to report.
            }
        }
        try {
            remove_lock_property(store, request.vmid, "disk");
        } catch (const UserError&) {
            // The copy's error is the one to report.
        }
        throw;
    }

    std::vector<std::string> warnings;
    auto held = store.lock(request.vmid);
    LoadedConfig loaded = load_config(store, request.vmid);
    ConfigSection& main = loaded.config.main;
    main.values[request.key] = with_volume(request.key, *main.get(request.key), new_volid, size_bytes);
    bool freed = false;
    if (request.delete_source) {
        try {
            source.free(volid);
            freed = true;
        } catch (const UserError& e) {
            warnings.push_back("failed to free " + volid + ": " + e.what() + " - kept as unused volume");
        }
    }
    if (!freed) add_unused_volume(main, volid);
    main.values.erase("lock");
    store.replace(request.vmid, write_config(loaded.config));
    return warnings;
}

std::vector<std::string> reassign(ConfigStore& store, StorageRegistry& storages, const VolumeMoveRequest& request,
                                  const IsRunning& is_running) {
    const int target_vmid = *request.target_vmid;
    const std::string target_key = request.target_key.empty() ? request.key : request.target_key;
    if (target_vmid == request.vmid)
        throw UserError("Moving a volume to the same container is not possible. Did you mean to move the volume to a "
                        "different storage?");
    if (request.key == "rootfs" || target_key == "rootfs") throw UserError("Cannot move to/from 'rootfs'");
    if (!is_volume_key(target_key))
        throw ParameterError({"target-volume: value '" + target_key + "' is not one of mp0 ... mp255, unused0 ... unused255"});
    if (is_unused_key(request.key) && !is_unused_key(target_key))
        throw UserError("cannot move unused volume '" + request.key + "' to used key '" + target_key + "'");

    // Both configs locked, lower id first so that two crossing moves cannot deadlock.
    auto first = store.lock(std::min(request.vmid, target_vmid));
    auto second = store.lock(std::max(request.vmid, target_vmid));
    LoadedConfig source = load_config(store, request.vmid);
    LoadedConfig target = load_config(store, target_vmid);
    check_lock(source.config);
    check_lock(target.config);
    for (const auto* loaded : {&source, &target})
        if (const std::string* is_template = loaded->config.main.get("template"); is_template && *is_template == "1")
            throw UserError("can't move volumes to or from a template");
    if (!request.digest.empty() && request.digest != source.digest) throw UserError(kDigestMismatch);
    if (!request.target_digest.empty() && request.target_digest != target.digest) throw UserError(kDigestMismatch);
    const std::string volid = storage_volume_of(source.config.main, request.key);
    if (target.config.main.has(target_key) || target.config.pending.has(target_key))
        throw UserError("Target volume key '" + target_key + "' is already in use for container '" +
                        std::to_string(target_vmid) + "'");
    if (referenced_by_snapshots(source.config, volid))
        throw UserError("volume '" + volid + "' is referenced by snapshots of CT " + std::to_string(request.vmid));
    if (!is_unused_key(request.key) && is_running(request.vmid))
        throw UserError("cannot move volumes of a running container");

    Storage& storage = storages.get(parse_volume_id(volid).storage);
    const std::string new_volid = storage.rename(volid, target_vmid);
    const std::string value = with_volume(target_key, *source.config.main.get(request.key), new_volid);

    std::vector<std::string> warnings;
    // A running target sees a new mount point only after its next start.
    if (!is_unused_key(target_key) && is_running(target_vmid)) {
        target.config.pending.values[target_key] = value;
        warnings.push_back("CT " + std::to_string(target_vmid) + " is running: '" + target_key +
                           "' is pending until its next start");
    } else {
        target.config.main.values[target_key] = value;
    }
    // Target first: a crash in between leaves the volume referenced twice, never lost.
    store.replace(target_vmid, write_config(target.config));
    source.config.main.values.erase(request.key);
    store.replace(request.vmid, write_config(source.config));
    return warnings;
}

}  // namespace

std::vector<std::string> move_volume(ConfigStore& store, StorageRegistry& storages, const VolumeMoveRequest& request,
                                     const IsRunning& is_running, const CopyVolume& copy) {
    if (request.storage && request.target_vmid) throw UserError("either set storage or target-vmid, but not both");
    if (!request.storage && !request.target_vmid)
        throw UserError("both 'storage' and 'target-vmid' missing, either needs to be set");
    if (!is_volume_key(request.key))
        throw ParameterError({"volume: value '" + request.key + "' is not one of rootfs, mp0 ... mp255, unused0 ... unused255"});
    if (request.storage) return move_to_storage(store, storages, request, is_running, copy);
    return reassign(store, storages, request, is_running);
}

}  // namespace pct
