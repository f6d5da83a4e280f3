#pragma once
// Port: running containers. The Linux side (runtime/launcher.h) applies a
// StartPlan with namespaces, mounts, cgroups and confinement and leaves a
// per-container monitor behind; fakes/recording_launcher.h records calls.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/start_plan.h"

namespace pct {

struct LaunchOptions {
    bool debug = false;
    // Step-by-step log lines (--debug); may be empty.
    std::function<void(const std::string&)> log;
    // Runs after the volumes are mounted and before init is created, with
    // the host path of the mounted root (the in-guest pre-start setup).
    std::function<void(const std::string& rootfs)> prepare_rootfs;
};

struct LaunchResult {
    int init_pid = 0;
    std::vector<std::string> warnings;
};

class Launcher {
public:
    virtual ~Launcher() = default;

    // Starts the planned container and returns once its init runs. Throws
    // UserError with one line; on failure nothing started stays behind.
    virtual LaunchResult start(const StartPlan& plan, const LaunchOptions& options) = 0;

    // The init PID of a running container, nullopt when it is stopped.
    virtual std::optional<int> running_init(int vmid) = 0;

    // Hard stop: kills init (the PID namespace dies with it) and returns
    // when the post-stop cleanup has finished.
    virtual void kill(int vmid) = 0;

    // Sends the halt signal to init and waits up to timeout_seconds for the
    // container to stop (and the cleanup to finish). False: still running.
    virtual bool shutdown(int vmid, int timeout_seconds) = 0;

    // Freezes / thaws every process of the container (cgroup freezer).
    virtual void freeze(int vmid) = 0;
    virtual void thaw(int vmid) = 0;
    virtual bool frozen(int vmid) = 0;

    // Writes the container's dirty data to its volumes (before a snapshot
    // of the frozen container is taken).
    virtual void sync_filesystems(int vmid) = 0;
};

}  // namespace pct
