#include "core/restore_plan.h"

#include "core/config_changes.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_mount_key(std::string_view key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (base == "mp" && index >= 0);
}

// Keys never taken over from the backup (cli.md §3.2).
bool is_kept_from_merge(std::string_view key) {
    auto [base, index] = split_indexed_key(key);
    if (index >= 0 && (base == "mp" || base == "unused")) return true;
    for (const char* excluded : {"digest", "rootfs", "snapshots", "unprivileged", "parent", "template"})
        if (key == excluded) return true;
    return false;
}

std::string with_new_mac(const std::string& value, Random& random) {
    std::string out;
    bool replaced = false;
    size_t start = 0;
    while (start <= value.size()) {
        size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        std::string part = value.substr(start, end - start);
        if (part.starts_with("hwaddr=")) {
            part = "hwaddr=" + generate_mac_address(random);
            replaced = true;
        }
        if (!part.empty()) out += (out.empty() ? "" : ",") + part;
        start = end + 1;
    }
    if (!replaced) out += (out.empty() ? "" : ",") + std::string("hwaddr=") + generate_mac_address(random);
    return out;
}

// Simple mode: the backup's mount points become the request's mount options.
// Returns the exact sizes (KiB) of the re-created volumes by key.
std::map<std::string, uint64_t> recover_mount_points(const ContainerConfig& backup, const std::string& storage,
                                                     std::map<std::string, std::string>& options,
                                                     RestoreSettings& restore, std::vector<std::string>& warnings) {
    std::map<std::string, uint64_t> sizes;
    if (!backup.main.has("rootfs"))
        throw UserError("rootfs configuration could not be recovered, please check and specify manually!");
    for (const auto& [key, value] : backup.main.values) {
        if (!is_mount_key(key)) continue;
        const PropertyFormat& format = key == "rootfs" ? rootfs_format() : mount_point_format();
        PropertyMap map = parse_property_string(value, format);
        std::string volume = map.count("volume") ? map.at("volume") : "";
        MountPointType type = classify_mount_point(volume);
        if (type != MountPointType::volume) {
            if (key == "rootfs")
                throw UserError("restoring rootfs to " + std::string(to_string(type)) +
                                " mount is only possible by specifying -rootfs manually!");
            restore.late_mounts[key] = value;
            auto backup_flag = map.find("backup");
            if (backup_flag != map.end() && backup_flag->second == "1")
                warnings.push_back("Mount point " + key + " ('" + (map.count("mp") ? map.at("mp") : "") +
                                   "') has 'backup=1' set, but is a " + std::string(to_string(type)) +
                                   " mount point.\nIts files were extracted into the directory of the mount point "
                                   "inside the container,\nwhich is hidden once the " + std::string(to_string(type)) +
                                   " mount is in place again.\nMove them manually if they are needed.");
            continue;
        }
        auto size = map.find("size");
        if (size == map.end()) throw UserError("unable to detect disk size - please specify " + key + " (size)");
        uint64_t bytes = parse_disk_size(size->second);
        map.erase("size");
        // A placeholder size that says "image" or "directory"; the exact size follows.
        map["volume"] = storage + ":" + (bytes ? "1" : "0");
        options[key] = print_property_string(map, format);
        sizes[key] = bytes / 1024;
    }
    return sizes;
}

}  // namespace

std::string resolve_backup_archive(const std::string& archive, const StorageConfig& storage) {
    if (archive.empty()) throw ParameterError({"ostemplate: value must not be empty"});
    if (archive == "-") throw UserError("restoring from stdin ('-') is not available in this version of pct");
    if (archive[0] == '/') return archive;
    VolumeId volume = parse_volume_id(archive);
    DirVolname name = parse_dir_volname(volume.volname);
    if (name.kind != VolumeKind::backup)
        throw UserError("volume '" + archive + "' is not a backup archive (content type 'backup')");
    const StorageDefinition* definition = storage.find(volume.storage);
    if (!definition) throw UserError("storage '" + volume.storage + "' does not exist");
    return definition->path() + "/dump/" + name.file_name;
}

CreatePlan plan_restore(const RestoreRequest& request, const std::optional<std::string>& backup_config,
                        const StorageConfig& storage, const HostFacts& facts, Random& random) {
    RestoreSettings restore{.force = request.force, .unique = request.unique};
    std::map<std::string, std::string> options = request.options;
    for (const auto& [key, value] : options) restore.given_keys.insert(key);
    bool simple_mode = true;
    for (const auto& [key, value] : options)
        if (is_mount_key(key)) simple_mode = false;

    if (backup_config) {
        restore.backup = parse_config(*backup_config, request.vmid).config;
    } else if (simple_mode || !options.count("unprivileged")) {
        throw UserError("ERROR: archive contains no configuration file");
    }

    std::vector<std::string> warnings;
    std::map<std::string, uint64_t> sizes;
    if (simple_mode) sizes = recover_mount_points(*restore.backup, request.storage, options, restore, warnings);
    if (!options.count("unprivileged")) {
        const std::string* backed_up = restore.backup->main.get("unprivileged");
        options["unprivileged"] = backed_up && *backed_up == "1" ? "1" : "0";
    }
    if (restore.backup) {
        const std::string* template_flag = restore.backup->main.get("template");
        restore.was_template = template_flag && *template_flag == "1";
    }

    CreatePlan plan = plan_create({.vmid = request.vmid,
                                   .ostemplate = resolve_backup_archive(request.archive, storage),
                                   .options = options,
                                   .storage = request.storage,
                                   .ignore_unpack_errors = request.ignore_unpack_errors},
                                  storage, facts, random);
    for (auto& mount : plan.mounts)
        if (auto size = sizes.find(mount.key); size != sizes.end()) mount.size_kib = size->second;
    plan.warnings.insert(plan.warnings.begin(), warnings.begin(), warnings.end());
    plan.restore = std::move(restore);
    return plan;
}

ContainerConfig merge_restored_config(const ContainerConfig& given, const RestoreSettings& restore, Random& random) {
    ContainerConfig config = given;
    if (!restore.backup) return config;
    const ConfigSection& backup = restore.backup->main;
    for (const auto& [key, value] : backup.values) {
        if (restore.given_keys.count(key) || is_kept_from_merge(key)) continue;
        auto [base, index] = split_indexed_key(key);
        config.main.values[key] = restore.unique && base == "net" && index >= 0 ? with_new_mac(value, random) : value;
    }
    if (!restore.given_keys.count("description") && config.main.description.empty())
        config.main.description = backup.description;
    for (const auto& entry : backup.lxc) config.main.lxc.push_back(entry);
    for (const auto& [key, value] : restore.late_mounts) config.main.values[key] = value;
    return config;
}

}  // namespace pct
