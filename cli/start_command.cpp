// pct start. At this stage only --dry-run: validate the config, the id maps
// and the rootfs, and print what was checked.
#include <sys/stat.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/start_checks.h"
#include "runtime/container_state.h"

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
    if (!args.flag("dry-run")) throw UserError("starting containers is not available yet in this version of pct (try --dry-run)");

    OutputFormat format = output_format(args);
    if (format != OutputFormat::Text) {
        nlohmann::json idmap = nlohmann::json::array();
        for (const auto& entry : checks.idmap) idmap.push_back(entry.to_string());
        print_json({{"vmid", vmid},
                    {"unprivileged", checks.unprivileged},
                    {"rootfs", {{"volume", checks.rootfs_volume}, {"kind", checks.rootfs_kind}}},
                    {"idmap", idmap},
                    {"checked", checks.checked}},
                   format);
        return 0;
    }
    std::printf("dry run: CT %d would start; nothing was changed\n", vmid);
    for (const auto& line : checks.checked) std::printf("  %s\n", line.c_str());
    std::printf("  rootfs: %s (%s)\n", checks.rootfs_volume.c_str(), checks.rootfs_kind.c_str());
    std::printf("  privileges: %s\n", checks.unprivileged ? "unprivileged" : "privileged");
    for (const auto& entry : checks.idmap) std::printf("  lxc.idmap: %s\n", entry.to_string().c_str());
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
