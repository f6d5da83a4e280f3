#include "core/container_lifecycle.h"

#include "core/config_loader.h"
#include "core/error.h"

namespace pct {

namespace {

std::string ct(int vmid) { return "CT " + std::to_string(vmid); }

void require_running(LifecycleContext& ctx, int vmid, const std::string& prefix = "CT ") {
    if (!ctx.launcher.running_init(vmid)) throw UserError(prefix + std::to_string(vmid) + " not running");
}

bool lock_is(const ContainerConfig& config, const char* value) {
    const std::string* lock = config.main.get("lock");
    return lock && *lock == value;
}

// Phases other than pre-start only warn (Proxmox's exec_hookscript).
void hook_warning_only(LifecycleContext& ctx, const ContainerConfig& config, int vmid, HookPhase phase,
                       std::vector<std::string>& warnings) {
    try {
        run_hookscript(ctx.hooks, config.main, vmid, phase);
    } catch (const UserError& e) {
        warnings.push_back(e.what());
    }
}

}  // namespace

StartOutcome start_container(LifecycleContext& ctx, int vmid, const StartRequest& request,
                             const StartPlanFactory& make_plan) {
    auto lock = ctx.store.lock(vmid);
    LoadedConfig loaded = load_config(ctx.store, vmid);
    if (ctx.launcher.running_init(vmid)) throw UserError(ct(vmid) + " already running");
    if (const std::string* value = loaded.config.main.get("template"); value && *value == "1")
        throw UserError("you can't start a CT if it's a template");
    if (!request.skiplock && !lock_is(loaded.config, "mounted")) check_lock(loaded.config);

    StartOutcome outcome;
    if (!loaded.config.pending.empty()) {
        ChangeContext change{.vmid = vmid, .running = false, .facts = ctx.facts, .random = ctx.random, .storage = ctx.storage};
        outcome.warnings = apply_all_pending(loaded.config, change);
        ctx.store.replace(vmid, write_config(loaded.config));
    }
    StartPlan plan = make_plan(loaded.config);
    outcome.warnings.insert(outcome.warnings.end(), plan.warnings.begin(), plan.warnings.end());
    run_hookscript(ctx.hooks, loaded.config.main, vmid, HookPhase::PreStart);
    LaunchResult result = ctx.launcher.start(plan, request.launch);
    outcome.init_pid = result.init_pid;
    outcome.warnings.insert(outcome.warnings.end(), result.warnings.begin(), result.warnings.end());
    hook_warning_only(ctx, loaded.config, vmid, HookPhase::PostStart, outcome.warnings);
    return outcome;
}

std::vector<std::string> stop_container(LifecycleContext& ctx, int vmid, bool skiplock) {
    LoadedConfig loaded = load_config(ctx.store, vmid);
    require_running(ctx, vmid);
    if (!skiplock && !lock_is(loaded.config, "mounted")) check_lock(loaded.config);
    std::vector<std::string> warnings;
    hook_warning_only(ctx, loaded.config, vmid, HookPhase::PreStop, warnings);
    ctx.launcher.kill(vmid);
    return warnings;
}

std::vector<std::string> shutdown_container(LifecycleContext& ctx, int vmid, int timeout_seconds, bool force_stop) {
    LoadedConfig loaded = load_config(ctx.store, vmid);
    require_running(ctx, vmid);
    check_lock(loaded.config);
    std::vector<std::string> warnings;
    hook_warning_only(ctx, loaded.config, vmid, HookPhase::PreStop, warnings);
    if (ctx.launcher.shutdown(vmid, timeout_seconds)) return warnings;
    if (!force_stop) throw UserError("container did not stop");
    ctx.launcher.kill(vmid);
    return warnings;
}

StartOutcome reboot_container(LifecycleContext& ctx, int vmid, int timeout_seconds,
                              const StartPlanFactory& make_plan, const LaunchOptions& launch) {
    load_config(ctx.store, vmid);
    require_running(ctx, vmid, "VM ");
    if (!ctx.launcher.shutdown(vmid, timeout_seconds)) ctx.launcher.kill(vmid);
    // The lock property is not checked by reboot (cli.md §3.4).
    return start_container(ctx, vmid, {.skiplock = true, .launch = launch}, make_plan);
}

void suspend_container(LifecycleContext& ctx, int vmid) {
    LoadedConfig loaded = load_config(ctx.store, vmid);
    require_running(ctx, vmid);
    check_lock(loaded.config);
    ctx.launcher.freeze(vmid);
}

void resume_container(LifecycleContext& ctx, int vmid) {
    load_config(ctx.store, vmid);
    require_running(ctx, vmid);
    if (!ctx.launcher.frozen(vmid)) throw UserError(ct(vmid) + " is not suspended");
    ctx.launcher.thaw(vmid);
}

}  // namespace pct
