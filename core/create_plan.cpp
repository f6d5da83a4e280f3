#include "core/create_plan.h"

#include <algorithm>

#include "core/config_changes.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/value_formats.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_mount_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (base == "mp" && index >= 0);
}

PlannedMount plan_mount(const std::string& key, std::string value, const std::string& default_storage,
                        const StorageConfig& storage) {
    // A bare number is a size on --storage (cli.md §3.1 step 2).
    if (is_unsigned_number(value.substr(0, value.find(',')))) value = default_storage + ":" + value;
    const PropertyFormat& format = key == "rootfs" ? rootfs_format() : mount_point_format();
    PropertyMap options = parse_and_validate_property_string(value, format);
    PlannedMount mount{.key = key, .mount_path = key == "rootfs" ? "/" : options.at("mp")};
    std::string volume = options.at("volume");
    options.erase("volume");
    options.erase("size");  // maintained by the tools
    mount.options = std::move(options);

    if (auto request = parse_new_disk_request(volume)) {
        require_rootdir_storage(storage, request->storage);
        mount.source = MountSource::NewVolume;
        mount.storage = request->storage;
        mount.size_kib = request->size_kib;
        return mount;
    }
    switch (classify_mount_point(volume)) {
        case MountPointType::bind:
            mount.source = MountSource::BindDirectory;
            break;
        case MountPointType::device:
            mount.source = MountSource::Device;
            break;
        case MountPointType::volume:
            mount.source = MountSource::StorageVolume;
            require_rootdir_storage(storage, parse_volume_id(volume).storage);
            break;
    }
    mount.volume = volume;
    return mount;
}

std::string describe(const PlannedMount& mount) {
    switch (mount.source) {
        case MountSource::NewVolume:
            return mount.size_kib ? "new " + format_disk_size(mount.size_kib * 1024) + " raw ext4 image on storage '" +
                                        mount.storage + "'"
                                  : "new directory volume on storage '" + mount.storage + "'";
        case MountSource::StorageVolume:
            return "existing volume " + mount.volume;
        case MountSource::BindDirectory:
            return "bind mount of host directory " + mount.volume;
        case MountSource::Device:
            return "block device " + mount.volume;
    }
    return "";
}

}  // namespace

std::string mount_value(const PlannedMount& mount) {
    PropertyMap map = mount.options;
    map["volume"] = mount.volume;
    if (mount.source == MountSource::NewVolume) map["size"] = format_disk_size(mount.size_kib * 1024);
    const PropertyFormat& format = mount.key == "rootfs" ? rootfs_format() : mount_point_format();
    return print_property_string(map, format);
}

CreatePlan plan_create(const CreateRequest& request, const StorageConfig& storage, const HostFacts& facts, Random& random) {
    CreatePlan plan{.vmid = request.vmid,
                    .root_password = request.root_password,
                    .ssh_public_keys = request.ssh_public_keys,
                    .ignore_unpack_errors = request.ignore_unpack_errors};

    // The template: a vztmpl volume id or an absolute path.
    if (request.ostemplate.empty() || request.ostemplate.size() > 255)
        throw ParameterError({"ostemplate: value must be 1 to 255 characters long"});
    if (request.ostemplate[0] == '/') {
        plan.template_file = request.ostemplate;
    } else {
        VolumeId volume = parse_volume_id(request.ostemplate);
        DirVolname name = parse_dir_volname(volume.volname);
        if (name.kind != VolumeKind::vztmpl)
            throw UserError("volume '" + request.ostemplate + "' is not a container template (content type 'vztmpl')");
        const StorageDefinition* definition = storage.find(volume.storage);
        if (!definition) throw UserError("storage '" + volume.storage + "' does not exist");
        plan.template_storage = volume.storage;
        plan.template_file = name.file_name;
    }

    // Mount points are planned here; every other option goes through the same
    // validation as `pct set` on a stopped container (step 4).
    ConfigChangeRequest options;
    std::map<std::string, std::string> mount_options;
    for (const auto& [key, value] : request.options) {
        auto [base, index] = split_indexed_key(key);
        if (base == "unused" && index >= 0) {
            plan.warnings.push_back("ignoring '" + key + "', cannot create/restore with unused volume");
        } else if (is_mount_key(key)) {
            mount_options[key] = value;
        } else {
            options.set[key] = value;
        }
    }
    if (!mount_options.empty() && !mount_options.count("rootfs"))
        throw UserError("mount points configured, but 'rootfs' not set - aborting");
    if (!mount_options.count("rootfs")) {
        require_rootdir_storage(storage, request.storage);
        mount_options["rootfs"] = request.storage + ":4";
    }
    if (!options.set.count("unprivileged")) options.set["unprivileged"] = "1";

    std::vector<std::string> problems;
    ChangeContext change{.vmid = request.vmid, .creating = true, .facts = facts, .random = random, .storage = &storage};
    try {
        validate_change_request(options, change);
    } catch (const ParameterError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    for (const auto& [key, value] : mount_options) {
        try {
            plan.mounts.push_back(plan_mount(key, value, request.storage, storage));
        } catch (const UserError& e) {
            problems.push_back(key + ": " + e.what());
        }
    }
    if (!problems.empty()) throw ParameterError(problems);
    for (auto& warning : apply_change_request(plan.config, options, change)) plan.warnings.push_back(std::move(warning));

    // Parents before children, whatever their index: "/" sorts first.
    std::stable_sort(plan.mounts.begin(), plan.mounts.end(),
                     [](const PlannedMount& a, const PlannedMount& b) { return a.mount_path < b.mount_path; });

    const std::string* unprivileged = plan.config.main.get("unprivileged");
    plan.unprivileged = unprivileged && *unprivileged == "1";
    plan.idmap = effective_idmap({}, plan.unprivileged);
    plan.root_uid = root_host_id(plan.idmap, 'u');
    plan.root_gid = root_host_id(plan.idmap, 'g');
    return plan;
}

std::string format_create_plan_text(const CreatePlan& plan) {
    std::string out = "dry run: create CT " + std::to_string(plan.vmid) + "; nothing was changed\n";
    out += "  template: " + (plan.template_storage.empty() ? plan.template_file
                                                            : plan.template_storage + ":vztmpl/" + plan.template_file) + "\n";
    out += std::string("  privileges: ") + (plan.unprivileged ? "unprivileged" : "privileged") + "\n";
    for (const auto& entry : plan.idmap) out += "  lxc.idmap: " + entry.to_string() + "\n";
    for (const auto& mount : plan.mounts) out += "  mount " + mount.key + " at " + mount.mount_path + ": " + describe(mount) + "\n";
    out += "  unpack the template" + std::string(plan.unprivileged ? ", shifting owners into the id map" : "") + "\n";
    out += "  guest setup: detect the distribution, then post-create (hostname, network, DNS, password, keys)\n";
    out += "  config:\n";
    std::string config = write_config(plan.config);
    size_t start = 0;
    while (start < config.size()) {
        size_t end = config.find('\n', start);
        out += "    " + config.substr(start, end - start) + "\n";
        start = end + 1;
    }
    for (const auto& warning : plan.warnings) out += "  warning: " + warning + "\n";
    return out;
}

}  // namespace pct
