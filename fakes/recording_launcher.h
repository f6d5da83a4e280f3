#pragma once
// Launcher that records every call and keeps a set of "running" ids; it can
// be told to fail a start or to let a shutdown time out.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/launcher.h"

namespace pct {

class RecordingLauncher : public Launcher {
public:
    LaunchResult start(const StartPlan& plan, const LaunchOptions& options) override;
    std::optional<int> running_init(int vmid) override;
    void kill(int vmid) override;
    bool shutdown(int vmid, int timeout_seconds) override;
    void freeze(int vmid) override;
    void thaw(int vmid) override;
    bool frozen(int vmid) override;
    void sync_filesystems(int vmid) override;

    std::vector<std::string> calls;       // "start 100", "kill 100", "shutdown 100 60", "sync 100", ...
    std::vector<StartPlan> started_plans;
    std::set<int> running;
    std::set<int> frozen_ids;
    std::string fail_start;               // non-empty: start throws UserError(fail_start)
    bool shutdown_times_out = false;
};

}  // namespace pct
