#include "core/hookscript.h"

#include "core/error.h"
#include "core/volume_id.h"

namespace pct {

const char* hook_phase_name(HookPhase phase) {
    switch (phase) {
        case HookPhase::PreStart: return "pre-start";
        case HookPhase::PostStart: return "post-start";
        case HookPhase::PreStop: return "pre-stop";
        case HookPhase::PostStop: return "post-stop";
    }
    return "";
}

std::string hookscript_path(StorageRegistry& storages, const std::string& volid) {
    const VolumeId id = parse_volume_id(volid);
    if (parse_dir_volname(id.volname).kind != VolumeKind::snippets)
        throw UserError("'" + volid + "' is not in the snippets directory");
    return storages.get(id.storage).path(volid);
}

void run_hookscript(const HookScripts& hooks, const ConfigSection& config, int vmid, HookPhase phase) {
    const std::string* volid = config.get("hookscript");
    if (!volid || !hooks.run) return;
    const std::string name = hook_phase_name(phase);
    try {
        if (!hooks.storages) throw UserError("no storage access to find '" + *volid + "'");
        hooks.run(*volid, hookscript_path(*hooks.storages, *volid), vmid, name);
    } catch (const UserError& e) {
        throw UserError("hookscript error for " + std::to_string(vmid) + " on " + name + ": " + e.what());
    }
}

}  // namespace pct
