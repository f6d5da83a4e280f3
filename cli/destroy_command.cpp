// pct destroy (cli.md §3.3).
#include <filesystem>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_loader.h"
#include "core/container_destroy.h"
#include "runtime/container_state.h"
#include "runtime/storage_registry.h"

namespace pct::cli {

namespace {

int run_destroy(const ParsedArgs& args) {
    CliContext& ctx = context();
    int vmid = parse_vmid(args.positionals[0]);
    DestroyOptions options{.force = args.flag("force"), .destroy_unreferenced_disks = args.flag("destroy-unreferenced-disks")};
    for (const auto& storage : ctx.storage().storages)
        if (storage.supported() && !storage.disabled()) options.all_storage_ids.push_back(storage.id);
    StorageRegistry& storages = ctx.storages();
    for (const auto& warning :
         destroy_container(ctx.store, storages, vmid, is_container_running(ctx.paths, vmid), options))
        warn(warning);
    // The CT's firewall rules (a restore may have brought them) go too.
    std::error_code ignored;
    std::filesystem::remove(ctx.paths.root() + "etc/pve/firewall/" + std::to_string(vmid) + ".fw", ignored);
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
         .summary = "Destroy the container and free all its volumes.",
         .run = run_destroy},
    };
}

}  // namespace pct::cli
