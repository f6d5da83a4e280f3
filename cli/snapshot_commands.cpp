// pct snapshot, delsnapshot, rollback, listsnapshot (cli.md §3.19) on top of
// core/snapshots.h and core/snapshot_tree.h.
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/power_commands.h"
#include "core/config_loader.h"
#include "core/snapshot_tree.h"
#include "core/snapshots.h"
#include "runtime/system_clock.h"

namespace pct::cli {

namespace {

SnapshotContext snapshot_context(const SystemClock& clock) {
    CliContext& ctx = context();
    return SnapshotContext{.store = ctx.store,
                           .storages = ctx.storages(),
                           .launcher = container_launcher(),
                           .clock = clock,
                           .warn = [](const std::string& text) { warn(text); }};
}

int run_snapshot(const ParsedArgs& args) {
    const int vmid = parse_vmid(args.positionals[0]);
    const std::string& name = args.positionals[1];
    validate_snapshot_name(name);
    refuse_reserved_snapshot_name(name);
    SystemClock clock;
    SnapshotContext ctx = snapshot_context(clock);
    create_snapshot(ctx, vmid, name, args.get("description").value_or(""));
    return 0;
}

int run_delsnapshot(const ParsedArgs& args) {
    const int vmid = parse_vmid(args.positionals[0]);
    const std::string& name = args.positionals[1];
    validate_snapshot_name(name);
    SystemClock clock;
    SnapshotContext ctx = snapshot_context(clock);
    delete_snapshot(ctx, vmid, name, args.flag("force"));
    return 0;
}

int run_rollback(const ParsedArgs& args) {
    const int vmid = parse_vmid(args.positionals[0]);
    const std::string& name = args.positionals[1];
    validate_snapshot_name(name);
    SystemClock clock;
    SnapshotContext ctx = snapshot_context(clock);
    rollback_snapshot(ctx, vmid, name);
    if (args.flag("start")) return run_start_container(ParsedArgs{.positionals = {args.positionals[0]}});
    return 0;
}

std::string local_time(int64_t seconds) {
    const std::time_t time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    char text[64] = "";
    if (::localtime_r(&time, &parts)) std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
    return text;
}

int run_listsnapshot(const ParsedArgs& args) {
    const int vmid = parse_vmid(args.positionals[0]);
    const ContainerConfig config = load_config(context().store, vmid).config;
    const std::string tree = format_snapshot_tree(list_snapshots(config), local_time);
    std::fwrite(tree.data(), 1, tree.size(), stdout);
    return 0;
}

}  // namespace

std::vector<CommandSpec> snapshot_commands() {
    return {
        {.name = "snapshot",
         .positionals = {"vmid", "snapname"},
         .required_positionals = 2,
         .options = {{"description", OptionKind::Value, "A textual description or comment."}},
         .summary = "Snapshot a container.",
         .run = run_snapshot},
        {.name = "delsnapshot",
         .positionals = {"vmid", "snapname"},
         .required_positionals = 2,
         .options = {{"force", OptionKind::Boolean,
                      "Remove the snapshot from the config even if removing volume snapshots fails."}},
         .summary = "Delete a LXC snapshot.",
         .run = run_delsnapshot},
        {.name = "rollback",
         .positionals = {"vmid", "snapname"},
         .required_positionals = 2,
         .options = {{"start", OptionKind::Boolean, "Whether the container should get started after rolling back successfully."}},
         .summary = "Rollback LXC state to specified snapshot.",
         .run = run_rollback},
        {.name = "listsnapshot",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "List all snapshots.",
         .run = run_listsnapshot},
    };
}

}  // namespace pct::cli
