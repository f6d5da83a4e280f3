// pct start. At this stage only --dry-run: validate the config, the id maps
// and the rootfs, build the full start plan and print it.
#include <sys/stat.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "cli/power_commands.h"
#include "cli/start_plan_json.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/start_checks.h"
#include "core/start_plan_builder.h"
#include "core/volume_id.h"
#include "runtime/container_state.h"
#include "runtime/start_host_probe.h"
#include "runtime/storage_registry.h"

namespace pct::cli {

namespace {

bool is_directory(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

int run_start(const ParsedArgs& args) {
    CliContext& ctx = context();
    int vmid = parse_vmid(args.positionals[0]);
    LoadedConfig loaded = load_config(ctx.store, vmid);
    if (is_container_running(ctx.paths, vmid)) throw UserError("CT " + std::to_string(vmid) + " already running");
    StartChecks checks = check_start(loaded.config, {.skiplock = args.flag("skiplock")});
    if (checks.rootfs_kind == "bind" && !is_directory(checks.rootfs_volume))
        throw UserError("rootfs: bind mount source '" + checks.rootfs_volume + "' is not a directory");
    if (!args.flag("dry-run")) return run_start_container(args);

    StartPlan plan = build_start_plan(loaded.config, vmid, probe_start_host_facts(), ctx.volume_resolver());

    for (const auto& warning : plan.warnings) warn(warning);
    OutputFormat format = output_format(args);
    if (format != OutputFormat::Text) {
        print_json(start_plan_to_json(plan), format);
        return 0;
    }
    std::string text = format_start_plan_text(plan);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

}  // namespace

std::vector<CommandSpec> start_commands() {
    return {
        {.name = "start",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"skiplock", OptionKind::Boolean, "Ignore the lock property."},
                     {"debug", OptionKind::Boolean, "Print a step-by-step log."},
                     {"dry-run", OptionKind::Boolean, "Validate and print the plan; change nothing."}},
         .output_format = true,
         .summary = "Start the container.",
         .run = run_start},
    };
}

}  // namespace pct::cli
