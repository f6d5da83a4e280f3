#include "core/container_template.h"

#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/disk_usage.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_template(const ContainerConfig& config) {
    const std::string* value = config.main.get("template");
    return value && *value == "1";
}

bool has_template_feature(StorageRegistry& storages, const std::string& volume) {
    // Bind and device mount points are no storage volumes: Proxmox's
    // volume_has_feature answers no for a path.
    if (classify_mount_point(volume) != MountPointType::volume) return false;
    return storages.get(parse_volume_id(volume).storage).supports(StorageFeature::Template, volume);
}

}  // namespace

std::vector<std::string> convert_to_template(ConfigStore& store, StorageRegistry& storages, int vmid,
                                             const std::function<bool(int vmid)>& is_running) {
    auto held = store.lock(vmid);
    LoadedConfig loaded = load_config(store, vmid);
    ContainerConfig& config = loaded.config;
    check_lock(config);
    if (!config.snapshots.empty()) throw UserError("unable to create template, because CT contains snapshots");
    if (is_template(config)) throw UserError("you can't convert a template to a template");
    if (is_running(vmid)) throw UserError("you can't convert a CT to template if the CT is running");

    const auto mounts = container_mount_points(config.main);
    for (const auto& mount : mounts)
        if (!has_template_feature(storages, mount.volume))
            throw UserError("Template feature is not available for '" + mount.volume + "'");

    std::vector<std::string> warnings;
    for (const auto& mount : mounts) {
        Storage& storage = storages.get(parse_volume_id(mount.volume).storage);
        storage.activate();
        const std::string base = storage.create_base(mount.volume, warnings);
        const PropertyFormat& format = volume_key_format(mount.key);
        PropertyMap value = parse_property_string(*config.main.get(mount.key), format);
        value["volume"] = base;
        config.main.values[mount.key] = print_property_string(value, format);
        // The volume was renamed: the config names the new id at once.
        store.replace(vmid, write_config(config));
    }
    // insert_or_assign: gcc 12 warns (-Wrestrict, falsely) about `= "1"` here.
    config.main.values.insert_or_assign("template", std::string("1"));
    store.replace(vmid, write_config(config));
    return warnings;
}

}  // namespace pct
