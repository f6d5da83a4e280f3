#pragma once
// The `hookscript` option (config.md §5, cli.md §3.4, runtime.md §2/§12.3):
// a snippets volume run as `<script> <vmid> <phase>` at pre-start (a
// failure aborts the start), post-start, pre-stop and post-stop (failures
// only warn).
#include <functional>
#include <string>

#include "core/config_file.h"
#include "core/storage.h"

namespace pct {

enum class HookPhase { PreStart, PostStart, PreStop, PostStop };

const char* hook_phase_name(HookPhase phase);  // "pre-start", ...

// Runs the script file at `path` with arguments vmid and phase; throws
// UserError (`script '<volid>' does not exist`, `... is not executable`,
// or how it failed).
using HookScriptRunner =
    std::function<void(const std::string& volid, const std::string& path, int vmid, const std::string& phase)>;

struct HookScripts {
    StorageRegistry* storages = nullptr;  // resolves the snippets volume
    HookScriptRunner run;                 // empty: hookscripts are not run
};

// Host path of a hookscript volume. Throws UserError `'<v>' is not in the
// snippets directory` or the storage's error.
std::string hookscript_path(StorageRegistry& storages, const std::string& volid);

// Runs the config's hookscript for `phase`; nothing without one. Throws
// UserError `hookscript error for <vmid> on <phase>: <why>`.
void run_hookscript(const HookScripts& hooks, const ConfigSection& config, int vmid, HookPhase phase);

}  // namespace pct
