// pct mount, unmount, df, fsck, fstrim, resize, move-volume, rescan
// (cli.md §3.10, §3.15-3.18, §3.22, §3.24).
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <functional>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_loader.h"
#include "core/disk_usage.h"
#include "core/error.h"
#include "core/lock_property.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/start_plan_builder.h"
#include "core/volume_id.h"
#include "core/volume_move.h"
#include "core/volume_rescan.h"
#include "core/volume_resize.h"
#include "runtime/container_state.h"
#include "runtime/filesystem_tools.h"
#include "runtime/host_mounts.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/unique_fd.h"
#include "runtime/volume_copy.h"
#include "runtime/volume_mounts.h"

namespace pct::cli {

namespace {

void refuse_running(int vmid, const std::string& what) {
    if (is_container_running(context().paths, vmid))
        throw UserError("cannot " + what + " CT " + std::to_string(vmid) + " while it is running");
}

// Mounts the stopped container's volumes on the host as a start would.
void mount_volumes_on_host(int vmid) {
    CliContext& ctx = context();
    ContainerConfig config = load_config(ctx.store, vmid).config;
    HostMountPlan plan = build_host_mount_plan(config, ctx.volume_resolver());
    LoopVolumeMounter mounter;
    mount_on_host(ctx.paths, vmid, plan.volumes, static_cast<uid_t>(plan.root_uid), static_cast<gid_t>(plan.root_gid),
                  mounter);
}

// set_lock `lock`, mount everything, run `work` on the mounted root, then
// unmount and remove the lock whatever happened.
void with_volumes_mounted(int vmid, const std::string& lock, const std::function<void(const std::string&)>& work) {
    CliContext& ctx = context();
    set_lock_property(ctx.store, vmid, lock);
    try {
        mount_volumes_on_host(vmid);
        work(host_mount_rootfs(ctx.paths, vmid));
    } catch (...) {
        unmount_from_host(ctx.paths, vmid);
        remove_lock_property(ctx.store, vmid, lock);
        throw;
    }
    unmount_from_host(ctx.paths, vmid);
    remove_lock_property(ctx.store, vmid, lock);
}

// A directory inside the container's root, opened readable without
// following guest symlinks.
UniqueFd open_inside(const std::string& root, const std::string& path) {
    UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) throw UserError("cannot open " + root);
    return open_guest_directory(root_fd.get(), path);
}

int run_mount(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    load_config(ctx.store, vmid);
    // A second mount of a running container's ext4 would corrupt it.
    refuse_running(vmid, "mount");
    set_lock_property(ctx.store, vmid, "mounted");
    try {
        mount_volumes_on_host(vmid);
    } catch (...) {
        remove_lock_property(ctx.store, vmid, "mounted");
        throw;
    }
    std::printf("mounted CT %d in '%s'\n", vmid, host_mount_rootfs(ctx.paths, vmid).c_str());
    return 0;
}

int run_unmount(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    load_config(ctx.store, vmid);
    unmount_from_host(ctx.paths, vmid);
    remove_lock_property(ctx.store, vmid, "mounted");
    return 0;
}

int run_df(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    const ContainerConfig config = load_config(ctx.store, vmid).config;
    const auto entries = container_mount_points(config.main);
    std::vector<DiskUsageRow> rows;
    auto measure = [&](const std::string& root) {
        for (const auto& entry : entries) {
            UniqueFd directory = open_inside(root, entry.path);
            FilesystemUsage usage = filesystem_usage(directory.get(), entry.key);
            rows.push_back({.mount = entry,
                            .total_bytes = usage.total_bytes,
                            .used_bytes = usage.used_bytes,
                            .available_bytes = usage.available_bytes});
        }
    };
    if (auto pid = running_init_pid(ctx.paths, vmid)) {
        measure("/proc/" + std::to_string(*pid) + "/root");
    } else {
        with_volumes_mounted(vmid, "mounted", measure);
    }
    const std::string table = format_disk_usage_table(rows);
    std::fwrite(table.data(), 1, table.size(), stdout);
    return 0;
}

int run_fsck(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    const std::string key = args.get("device").value_or("rootfs");
    auto lock = ctx.store.lock(vmid);
    const ContainerConfig config = load_config(ctx.store, vmid).config;
    const std::string* value = config.main.get(key);
    auto [base, index] = split_indexed_key(key);
    if (!value || (key != "rootfs" && !(base == "mp" && index >= 0)))
        throw UserError("cannot run command on non-existing mount point " + key);
    if (is_container_running(ctx.paths, vmid)) throw UserError("cannot run fsck when container is running");
    const std::string volume = volume_of_mount_value(*value);
    std::string path = volume;
    if (classify_mount_point(volume) == MountPointType::volume) {
        Storage& storage = ctx.storages().get(parse_volume_id(volume).storage);
        if (storage.format(volume) != VolumeFormat::Raw)
            throw UserError("unable to run fsck for '" + volume + "' (format == subvol)");
        path = storage.path(volume);
    } else {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0 || !S_ISBLK(info.st_mode))
            throw UserError("path '" + path + "' does not point to a block device");
    }
    check_filesystem(path, args.flag("force"));
    return 0;
}

int run_fstrim(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    const ContainerConfig config = load_config(ctx.store, vmid).config;
    const bool rootfs_only = args.flag("ignore-mountpoints");
    with_volumes_mounted(vmid, "fstrim", [&](const std::string& root) {
        for (const auto& entry : container_mount_points(config.main)) {
            if (rootfs_only && entry.key != "rootfs") continue;
            if (classify_mount_point(entry.volume) == MountPointType::bind) continue;
            const PropertyMap mount = parse_property_string(*config.main.get(entry.key), volume_key_format(entry.key));
            if (auto ro = mount.find("ro"); ro != mount.end() && ro->second == "1") continue;
            try {
                trim_filesystem(root + (entry.path == "/" ? "" : entry.path));
            } catch (const UserError& e) {
                warn(e.what());  // Proxmox goes on with the next one
            }
        }
    });
    return 0;
}

int run_resize(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    const auto init = running_init_pid(ctx.paths, vmid);
    GrowFilesystem grow = [&](const std::string& image, const std::string& guest_path, bool running) {
        if (running) grow_ext4_online(image, *init, guest_path);
        else grow_ext4_offline(image);
    };
    for (const auto& warning : resize_container_volume(ctx.store, ctx.storages(),
                                                       {.vmid = vmid,
                                                        .disk = args.positionals[1],
                                                        .size = args.positionals[2],
                                                        .digest = args.get("digest").value_or(""),
                                                        .running = init.has_value()},
                                                       grow))
        warn(warning);
    return 0;
}

int run_move_volume(const ParsedArgs& args) {
    CliContext& ctx = context();
    const auto& positional = args.positionals;
    auto given = [&](size_t index, const std::string& option) -> std::optional<std::string> {
        if (auto value = args.get(option)) return value;
        if (positional.size() > index && !positional[index].empty()) return positional[index];
        return std::nullopt;
    };
    VolumeMoveRequest request{.vmid = parse_vmid(positional[0]),
                              .key = positional[1],
                              .storage = given(2, "storage"),
                              .target_key = given(4, "target-volume").value_or(""),
                              .delete_source = args.flag("delete"),
                              .digest = args.get("digest").value_or(""),
                              .target_digest = args.get("target-digest").value_or("")};
    if (auto target = given(3, "target-vmid")) request.target_vmid = parse_vmid(*target);
    uint64_t bwlimit = 0;
    if (auto limit = args.get("bwlimit")) {
        if (limit->empty() || limit->size() > 12 || limit->find_first_not_of("0123456789") != std::string::npos)
            throw ParameterError({"bwlimit: type check ('integer') failed - got '" + *limit + "'"});
        bwlimit = std::stoull(*limit);
    }
    LoopVolumeMounter mounter;
    auto warnings = move_volume(
        ctx.store, ctx.storages(), request, [&](int vmid) { return is_container_running(ctx.paths, vmid); },
        [&](const std::string& source, const std::string& target) {
            copy_volume_contents(ctx.paths, ctx.storages(), mounter, source, target, bwlimit);
        });
    for (const auto& warning : warnings) warn(warning);
    return 0;
}

int run_rescan(const ParsedArgs& args) {
    CliContext& ctx = context();
    RescanOptions options{.dry_run = args.flag("dryrun")};
    if (auto vmid = args.get("vmid")) options.vmid = parse_vmid(*vmid);
    for (const auto& storage : ctx.storage().storages)
        if (storage.supported() && !storage.disabled()) options.storage_ids.push_back(storage.id);
    rescan_volumes(ctx.store, ctx.storages(), options, [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    });
    return 0;
}

}  // namespace

std::vector<CommandSpec> volume_commands() {
    return {
        {.name = "mount",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Mount the container's filesystem on the host.",
         .run = run_mount},
        {.name = "unmount",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Unmount the container's filesystem.",
         .run = run_unmount},
        {.name = "df",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Get the container's current disk usage.",
         .run = run_df},
        {.name = "fsck",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"device", OptionKind::Value, "A volume on which to run the filesystem check (rootfs, mp0..mp255)."},
                     {"force", OptionKind::Boolean, "Force checking, even if the filesystem seems clean."}},
         .summary = "Run a filesystem check (fsck) on a container volume.",
         .run = run_fsck},
        {.name = "fstrim",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"ignore-mountpoints", OptionKind::Boolean, "Skip all mount points, only do fstrim on the rootfs."}},
         .summary = "Run fstrim on a chosen CT and its mountpoints, except bind or read-only mountpoints.",
         .run = run_fstrim},
        {.name = "resize",
         .positionals = {"vmid", "disk", "size"},
         .required_positionals = 3,
         .options = {{"digest", OptionKind::Value, "Prevent changes if the config file has a different SHA1 digest."}},
         .summary = "Resize a container mount point.",
         .run = run_resize},
        {.name = "move-volume",
         .positionals = {"vmid", "volume", "storage", "target-vmid", "target-volume"},
         .required_positionals = 2,
         .options = {{"storage", OptionKind::Value, "Target storage."},
                     {"target-vmid", OptionKind::Value, "The (unique) ID of the container to hand the volume to."},
                     {"target-volume", OptionKind::Value, "The key the volume gets in the target container."},
                     {"delete", OptionKind::Boolean, "Delete the original volume after a successful copy."},
                     {"digest", OptionKind::Value, "Prevent changes if the config file has a different SHA1 digest."},
                     {"target-digest", OptionKind::Value, "The same for the target container's config."},
                     {"bwlimit", OptionKind::Value, "Override I/O bandwidth limit (in KiB/s)."}},
         .summary = "Move a rootfs-/mp-volume to a different storage or to a different container.",
         .run = run_move_volume},
        {.name = "rescan",
         .options = {{"vmid", OptionKind::Value, "Only rescan this container's volumes."},
                     {"dryrun", OptionKind::Boolean, "Do not write changes out, only show them."}},
         .summary = "Rescan all storages and update disk sizes and unused disk images.",
         .run = run_rescan},
    };
}

}  // namespace pct::cli
