#include "fakes/recording_launcher.h"

#include "core/error.h"

namespace pct {

LaunchResult RecordingLauncher::start(const StartPlan& plan, const LaunchOptions&) {
    calls.push_back("start " + std::to_string(plan.vmid));
    if (!fail_start.empty()) throw UserError(fail_start);
    started_plans.push_back(plan);
    running.insert(plan.vmid);
    return {.init_pid = 1000 + plan.vmid};
}

std::optional<int> RecordingLauncher::running_init(int vmid) {
    if (!running.count(vmid)) return std::nullopt;
    return 1000 + vmid;
}

void RecordingLauncher::kill(int vmid) {
    calls.push_back("kill " + std::to_string(vmid));
    running.erase(vmid);
    frozen_ids.erase(vmid);
}

bool RecordingLauncher::shutdown(int vmid, int timeout_seconds) {
    calls.push_back("shutdown " + std::to_string(vmid) + " " + std::to_string(timeout_seconds));
    if (shutdown_times_out) return false;
    running.erase(vmid);
    return true;
}

void RecordingLauncher::freeze(int vmid) {
    calls.push_back("freeze " + std::to_string(vmid));
    frozen_ids.insert(vmid);
}

void RecordingLauncher::thaw(int vmid) {
    calls.push_back("thaw " + std::to_string(vmid));
    frozen_ids.erase(vmid);
}

bool RecordingLauncher::frozen(int vmid) { return frozen_ids.count(vmid) > 0; }

void RecordingLauncher::sync_filesystems(int vmid) { calls.push_back("sync " + std::to_string(vmid)); }

}  // namespace pct
