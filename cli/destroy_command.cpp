// pct destroy (cli.md §3.3). Until the storage layer lands only the config is
// removed; volumes are reported, never silently dropped.
#include <set>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/volume_id.h"
#include "runtime/container_state.h"

namespace pct::cli {

namespace {

bool is_volume_key(const std::string& key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (index >= 0 && (base == "mp" || base == "unused"));
}

std::set<std::string> referenced_storage_volumes(const ContainerConfig& config) {
    std::set<std::string> volumes;
    for (const ConfigSection* section : {&config.main, &config.pending}) {
        for (const auto& [key, value] : section->values) {
            if (!is_volume_key(key)) continue;
            std::string volume = volume_of_mount_value(value);
            if (!volume.empty() && volume[0] != '/') volumes.insert(volume);  // bind/device paths are never touched
        }
    }
    return volumes;
}

std::optional<int> owner_of(const std::string& volume) {
    try {
        return parse_dir_volname(parse_volume_id(volume).volname).owner_vmid;
    } catch (const UserError&) {
        return std::nullopt;  // not an image volume of a dir-style storage
    }
}

void check_destroyable(const ContainerConfig& config, int vmid, bool running, bool force) {
    if (const std::string* protection = config.main.get("protection"); protection && *protection == "1")
        throw UserError("can't remove CT " + std::to_string(vmid) + " - protection mode enabled");
    check_lock(config);
    if (running && !force) throw UserError("unable to destroy CT " + std::to_string(vmid) + " - container is running");
    if (running) throw UserError("unable to destroy CT " + std::to_string(vmid) + " - stopping a running container is not available yet");
}

int run_destroy(const ParsedArgs& args) {
    CliContext& ctx = context();
    int vmid = parse_vmid(args.positionals[0]);
    bool force = args.flag("force");
    auto lock = ctx.store.lock(vmid);
    LoadedConfig loaded = load_config(ctx.store, vmid);
    check_destroyable(loaded.config, vmid, is_container_running(ctx.paths, vmid), force);

    for (const auto& volume : referenced_storage_volumes(loaded.config)) {
        if (owner_of(volume) != vmid) warn("ignore deletion of '" + volume + "', CT " + std::to_string(vmid) + " isn't the owner!");
        else warn("volume '" + volume + "' was not freed: storage management is not available yet");
    }
    // Proxmox keeps "lock: destroyed" until the very end so that a crash
    // half-way leaves a config nobody can start.
    ctx.store.replace(vmid, "lock: destroyed\n");
    ctx.store.remove(vmid);
    return 0;
}

}  // namespace

std::vector<CommandSpec> destroy_commands() {
    return {
        {.name = "destroy",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"force", OptionKind::Boolean, "Destroy even if running (the container is stopped first)."},
                     {"purge", OptionKind::Boolean, "Also remove the container from backup and replication jobs."},
                     {"destroy-unreferenced-disks", OptionKind::Boolean,
                      "Also free volumes owned by the container that its config does not reference."}},
         .summary = "Destroy the container (also delete all its volumes).",
         .run = run_destroy},
    };
}

}  // namespace pct::cli
