#pragma once
// The power commands' rules (cli.md §3.4): state and lock checks with
// Proxmox's messages, pending changes applied at start, then the Launcher.
#include <functional>
#include <string>
#include <vector>

#include "core/config_changes.h"
#include "core/config_store.h"
#include "core/hookscript.h"
#include "core/launcher.h"
#include "core/start_plan.h"

namespace pct {

struct LifecycleContext {
    ConfigStore& store;
    Launcher& launcher;
    const HostFacts& facts;
    Random& random;
    const StorageConfig* storage = nullptr;
    HookScripts hooks;  // the config's hookscript phases
};

// Builds the plan from a config whose pending changes are applied.
using StartPlanFactory = std::function<StartPlan(const ContainerConfig& config)>;

struct StartRequest {
    bool skiplock = false;
    LaunchOptions launch;
};

struct StartOutcome {
    int init_pid = 0;
    std::vector<std::string> warnings;  // pending-change, plan and launch warnings, in that order
};

// Under the config lock: `CT <id> already running`, `you can't start a CT if
// it's a template`, check_lock (not for lock `mounted` or skiplock), the
// pending changes applied and written, the plan built, the `pre-start`
// hookscript phase (its failure aborts), the launcher started, `post-start`.
StartOutcome start_container(LifecycleContext& ctx, int vmid, const StartRequest& request,
                             const StartPlanFactory& make_plan);

// `CT <id> not running`; check_lock unless lock `mounted` or skiplock; the
// `pre-stop` hookscript phase. Returns warnings.
std::vector<std::string> stop_container(LifecycleContext& ctx, int vmid, bool skiplock);

// `CT <id> not running`; check_lock (no exception for `mounted`). Without
// force_stop a timeout fails with `container did not stop`; with it the
// container is killed after the timeout. `pre-stop` runs first. Returns warnings.
std::vector<std::string> shutdown_container(LifecycleContext& ctx, int vmid, int timeout_seconds, bool force_stop);

// `VM <id> not running` (sic); shutdown with kill after the timeout, then start.
StartOutcome reboot_container(LifecycleContext& ctx, int vmid, int timeout_seconds,
                              const StartPlanFactory& make_plan, const LaunchOptions& launch);

// Freeze instead of Proxmox's CRIU checkpoint: suspend needs a running,
// unlocked CT (`CT <id> not running`); resume a running, frozen one
// (`CT <id> not running`, `CT <id> is not suspended`).
void suspend_container(LifecycleContext& ctx, int vmid);
void resume_container(LifecycleContext& ctx, int vmid);

}  // namespace pct
