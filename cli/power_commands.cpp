// pct start / stop / shutdown / reboot / suspend / resume (cli.md §3.4) on
// top of core/container_lifecycle.h and runtime/launcher.h.
#include "cli/power_commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_loader.h"
#include "core/container_lifecycle.h"
#include "core/error.h"
#include "core/guest/guest_setup.h"
#include "core/start_plan_builder.h"
#include "core/volume_id.h"
#include "runtime/hookscript_runner.h"
#include "runtime/launcher.h"
#include "runtime/linux_guest_fs.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/network_links.h"
#include "runtime/post_stop.h"
#include "runtime/post_stop_config.h"
#include "runtime/start_host_probe.h"
#include "runtime/storage_registry.h"
#include "runtime/system_clock.h"

namespace pct::cli {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::optional<guest::HostTimezone> host_timezone(const ConfigSection& config) {
    const std::string* zone = config.get("timezone");
    if (!zone || *zone != "host") return std::nullopt;
    std::error_code error;
    auto localtime = std::filesystem::canonical("/etc/localtime", error);
    if (error) throw UserError("unable to resolve the host's /etc/localtime: " + error.message());
    std::string name = read_file("/etc/timezone");
    name = name.substr(0, name.find('\n'));
    const std::string zoneinfo = "/usr/share/zoneinfo/";
    if (name.empty()) name = localtime.string().starts_with(zoneinfo) ? localtime.string().substr(zoneinfo.size()) : "UTC";
    return guest::HostTimezone{localtime.string(), name};
}

PostStopHooks post_stop_hooks() {
    return {.delete_network = delete_container_interfaces, .finish_config = finish_stopped_config};
}

LinuxLauncher& launcher() {
    static LoopVolumeMounter mounter;
    static LinuxLauncher instance({.paths = context().paths,
                                   .post_stop_binary = executable_directory() + "/pct-post-stop",
                                   .monitor_binary = executable_directory() + "/pct-monitor",
                                   .mounter = &mounter,
                                   .create_network = create_container_interfaces,
                                   .post_stop = post_stop_hooks()});
    return instance;
}

LifecycleContext lifecycle() {
    CliContext& ctx = context();
    return LifecycleContext{ctx.store, launcher(), ctx.facts(), ctx.random, &ctx.storage(),
                            {.storages = &ctx.storages(), .run = run_hookscript_program}};
}

// Plans the start and runs the pre-start guest setup on the mounted root.
struct StartPreparation {
    int vmid;
    ContainerConfig config;  // as started (pending changes applied)
    StartPlan plan;

    StartPlan build(const ContainerConfig& loaded) {
        config = loaded;
        plan = build_start_plan(config, vmid, probe_start_host_facts(), context().volume_resolver());
        // The runtime gives its own one-line notice about a missing AppArmor.
        std::erase_if(plan.warnings, [](const std::string& w) { return w.rfind("AppArmor is not enabled on this host", 0) == 0; });
        return plan;
    }

    void prepare_rootfs(const std::string& rootfs) {
        guest::GuestSetupInputs inputs{.operation = guest::GuestSetupOperation::PreStart,
                                       .host_resolv_conf = read_file("/etc/resolv.conf"),
                                       .host_timezone = host_timezone(config.main)};
        std::optional<GuestFileOwner> owner;
        if (plan.unprivileged) owner = GuestFileOwner{plan.root_uid, plan.root_gid};
        LinuxGuestFs fs(rootfs, owner);
        SystemClock clock;
        guest::run_guest_setup(fs, config.main, inputs, clock, context().random);
    }
};

LaunchOptions launch_options(StartPreparation& preparation, bool debug) {
    LaunchOptions options;
    options.debug = debug;
    options.log = [](const std::string& line) { std::fprintf(stderr, "DEBUG: %s\n", line.c_str()); };
    options.prepare_rootfs = [&preparation](const std::string& rootfs) { preparation.prepare_rootfs(rootfs); };
    return options;
}

bool config_debug(int vmid) {
    auto stored = context().store.read(vmid);
    if (!stored) return false;
    ContainerConfig config = parse_config(stored->text, vmid).config;
    const std::string* value = config.main.get("debug");
    return value && *value == "1";
}

// --timeout of shutdown and reboot: integer seconds, default 60.
int timeout_seconds(const ParsedArgs& args) {
    auto value = args.get("timeout");
    if (!value) return 60;
    if (value->empty() || value->size() > 9 || value->find_first_not_of("0123456789") != std::string::npos)
        throw ParameterError({"timeout: type check ('integer') failed - got '" + *value + "'"});
    return std::stoi(*value);
}

int run_stop(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    LifecycleContext ctx = lifecycle();
    // There are no shutdown tasks to abort: shutdown runs in the foreground.
    for (const auto& warning : stop_container(ctx, vmid, args.flag("skiplock"))) warn(warning);
    return 0;
}

int run_shutdown(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    int timeout = timeout_seconds(args);
    LifecycleContext ctx = lifecycle();
    for (const auto& warning : shutdown_container(ctx, vmid, timeout, args.flag("forceStop"))) warn(warning);
    return 0;
}

int run_reboot(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    int timeout = timeout_seconds(args);
    StartPreparation preparation{.vmid = vmid};
    LifecycleContext ctx = lifecycle();
    auto outcome = reboot_container(ctx, vmid, timeout, [&](const ContainerConfig& c) { return preparation.build(c); },
                                    launch_options(preparation, false));
    for (const auto& warning : outcome.warnings) warn(warning);
    return 0;
}

int run_suspend(const ParsedArgs& args) {
    LifecycleContext ctx = lifecycle();
    suspend_container(ctx, parse_vmid(args.positionals[0]));
    return 0;
}

int run_resume(const ParsedArgs& args) {
    LifecycleContext ctx = lifecycle();
    resume_container(ctx, parse_vmid(args.positionals[0]));
    return 0;
}

}  // namespace

int run_start_container(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    bool debug = args.has("debug") ? args.flag("debug") : config_debug(vmid);
    StartPreparation preparation{.vmid = vmid};
    LifecycleContext ctx = lifecycle();
    StartRequest request{.skiplock = args.flag("skiplock"), .launch = launch_options(preparation, debug)};
    StartOutcome outcome;
    try {
        outcome = start_container(ctx, vmid, request, [&](const ContainerConfig& c) { return preparation.build(c); });
    } catch (const UserError& e) {
        for (const auto& warning : preparation.plan.warnings) warn(warning);
        throw;
    }
    for (const auto& warning : outcome.warnings) warn(warning);
    return 0;
}

Launcher& container_launcher() { return launcher(); }

int run_post_stop_command(const std::vector<std::string>& args) {
    if (args.size() != 1) throw UserError("usage: pct __post-stop <vmid> (run by the monitor of a container an older pct started)");
    return finish_stopped_container(context().paths, parse_vmid(args[0]), post_stop_hooks(), executable_directory() + "/pct");
}

std::vector<CommandSpec> power_commands() {
    return {
        {.name = "stop",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"skiplock", OptionKind::Boolean, "Ignore the lock property."},
                     {"overrule-shutdown", OptionKind::Boolean, "Abort running shutdown tasks first (none run in the background in pct)."}},
         .summary = "Stop the container immediately: all its processes are killed.",
         .run = run_stop},
        {.name = "shutdown",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"timeout", OptionKind::Value, "Wait at most this many seconds (default 60)."},
                     {"forceStop", OptionKind::Boolean, "Kill the container after the timeout."}},
         .summary = "Shut down the container cleanly (halt signal to its init).",
         .run = run_shutdown},
        {.name = "reboot",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"timeout", OptionKind::Value, "Wait at most this many seconds for the shutdown (default 60), then kill."}},
         .summary = "Reboot the container: shutdown, then start with the current config.",
         .run = run_reboot},
        {.name = "suspend",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Suspend the container: freezes all its processes (cgroup freezer; pct does not checkpoint with CRIU).",
         .run = run_suspend},
        {.name = "resume",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Resume a suspended (frozen) container.",
         .run = run_resume},
    };
}

}  // namespace pct::cli
