#include "core/volume_mount_plan.h"

#include <algorithm>

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

std::string option(const PropertyMap& map, const char* key) {
    auto it = map.find(key);
    return it == map.end() ? std::string() : it->second;
}

// "/a//b/" -> "/a/b": the same directory must compare equal.
std::string normalize_path(const std::string& path) {
    std::string out;
    for (char c : path)
        if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out.empty() ? "/" : out;
}

size_t depth(const std::string& path) {
    return path == "/" ? 0 : static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
}

bool is_block_kind(VolumeSourceKind kind) { return kind == VolumeSourceKind::RawImage || kind == VolumeSourceKind::BlockDevice; }

VolumeMountPlan plan_one(const std::string& key, const std::string& value, const VolumeMountInputs& inputs,
                         const VolumeResolver& resolve, bool& quota_requested, std::vector<std::string>& warnings) {
    const PropertyMap map = parse_property_string(value, key == "rootfs" ? rootfs_format() : mount_point_format());
    quota_requested = option(map, "quota") == "1";
    const std::string volume = option(map, "volume");
    VolumeMountPlan mount{.key = key, .target = key == "rootfs" ? "/" : normalize_path(option(map, "mp"))};
    check_mount_path_sequences(volume);
    if (key != "rootfs") check_mount_path_sequences(mount.target);

    switch (classify_mount_point(volume)) {
        case MountPointType::device:
            mount.kind = VolumeSourceKind::BlockDevice;
            mount.source = volume;
            break;
        case MountPointType::bind:
            // Existence and symlinks are checked by the runtime's walk
            // (runtime.md §5.5), which is the only check that is not racy.
            mount.kind = VolumeSourceKind::BindDirectory;
            mount.source = volume;
            break;
        case MountPointType::volume: {
            if (!resolve) throw UserError("storage volumes cannot be resolved here");
            ResolvedVolume resolved = resolve(volume);
            mount.kind = resolved.format == VolumeFormat::Subvol ? VolumeSourceKind::Directory : VolumeSourceKind::RawImage;
            mount.source = resolved.path;
            break;
        }
    }

    mount.read_only = option(map, "ro") == "1";
    if (std::string options = option(map, "mountoptions"); !options.empty()) {
        size_t start = 0;
        while (start <= options.size()) {
            size_t end = options.find(';', start);
            std::string name = options.substr(start, end == std::string::npos ? std::string::npos : end - start);
            // Read-only mounts only take the restricting options.
            const bool restricting = name == "nodev" || name == "noexec" || name == "nosuid";
            if (!mount.read_only || restricting) {
                if (name == "discard") {
                    if (is_block_kind(mount.kind)) mount.fs_options += (mount.fs_options.empty() ? "" : ",") + name;
                } else {
                    mount.flags.push_back(name);
                }
            }
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    // acl/noacl is a file system option: bind mounts have none. ext4 dropped
    // `noacl`, so raw images (always ext4 here) only ever get `acl`.
    if (std::string acl = option(map, "acl"); !acl.empty() && is_block_kind(mount.kind)) {
        if (acl == "1") mount.fs_options += std::string(mount.fs_options.empty() ? "" : ",") + "acl";
        else if (mount.kind == VolumeSourceKind::BlockDevice) mount.fs_options += std::string(mount.fs_options.empty() ? "" : ",") + "noacl";
    }
    if (quota_requested && !mount.read_only) {
        if (is_block_kind(mount.kind)) {
            mount.fs_options += std::string(mount.fs_options.empty() ? "" : ",") + "usrjquota=aquota.user,grpjquota=aquota.group,jqfmt=vfsv0";
            mount.quota_device = true;
        } else if (mount.kind == VolumeSourceKind::Directory) {
            warnings.push_back(key + ": cannot enable quota control for bind mounted subvolumes");
        } else {
            warnings.push_back(key + ": cannot enable quota control for bind mounts");
        }
    }
    mount.keep_attributes = key != "rootfs" && option(map, "keepattrs") == "1";

    if (std::string idmap = option(map, "idmap"); !idmap.empty()) {
        if (!inputs.unprivileged) warnings.push_back(privileged_mount_idmap_warning(key));
        else mount.idmap = resolve_mount_idmap(parse_mount_idmap(idmap), inputs.idmap);
    }
    return mount;
}

}  // namespace

std::vector<VolumeMountPlan> plan_volume_mounts(const ConfigSection& config, const VolumeMountInputs& inputs,
                                                const VolumeResolver& resolve, std::vector<std::string>& problems,
                                                std::vector<std::string>& warnings) {
    std::vector<VolumeMountPlan> mounts;
    std::vector<std::string> keys = {"rootfs"};
    for (int index = 0; index < 256; ++index)
        if (config.has("mp" + std::to_string(index))) keys.push_back("mp" + std::to_string(index));

    bool quota_error = false;
    for (const std::string& key : keys) {
        const std::string* value = config.get(key);
        if (!value) {
            problems.push_back("missing 'rootfs' configuration");
            continue;
        }
        bool quota = false;
        try {
            mounts.push_back(plan_one(key, *value, inputs, resolve, quota, warnings));
        } catch (const UserError& e) {
            problems.push_back(key + ": " + e.what());
        }
        if (quota && inputs.unprivileged && !quota_error) {
            problems.push_back("Quotas are not supported by unprivileged containers.");
            quota_error = true;
        }
    }

    // Deliberately not Proxmox's index order (runtime.md §5.1): there an mp0
    // at /a/b mounted before an mp1 at /a ends up hidden under mp1. Sorting
    // by depth mounts every parent before its children and keeps index order
    // among mounts at the same depth (two at the same path: the later one
    // still wins, as before). The rootfs has depth 0 and stays first.
    std::stable_sort(mounts.begin(), mounts.end(),
                     [](const VolumeMountPlan& a, const VolumeMountPlan& b) { return depth(a.target) < depth(b.target); });
    return mounts;
}

}  // namespace pct
