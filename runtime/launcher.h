#pragma once
// Launcher on Linux: applies a StartPlan (runtime.md §2) and leaves the
// per-container monitor (runtime/monitor.h) running.
//
// `start` forks the process that becomes the monitor. It takes a private
// mount namespace, mounts the volumes, runs the pre-start guest setup,
// creates the cgroups and clones init into new namespaces; init and the
// monitor then go through a fixed handshake (id maps, cgroup, network,
// mounts, terminals, confinement) before init execs. Any failure undoes
// everything done so far and is reported as one line; `--debug` streams
// each step. On success that process execs the small pct-monitor binary,
// keeping the mount namespace, the pidfd and the terminals.
#include <string>

#include "core/launcher.h"
#include "core/volume_mounter.h"
#include "runtime/host_paths.h"
#include "runtime/post_stop.h"

namespace pct {

struct LinuxLauncherSettings {
    HostPaths paths;
    std::string post_stop_binary;  // pct-post-stop, exec'd by the monitor when init has exited
    std::string monitor_binary;    // pct-monitor
    VolumeMounter* mounter = nullptr;
    // Network call sites (runtime/network_links.h): create the planned
    // interfaces into the init's network namespace before init continues;
    // delete them at post-stop and on a failed start.
    void (*create_network)(const std::vector<NetworkInterfacePlan>& plans, int netns_fd) = nullptr;
    PostStopHooks post_stop;
    int start_timeout_ms = 60000;
};

class LinuxLauncher : public Launcher {
public:
    explicit LinuxLauncher(LinuxLauncherSettings settings);

    LaunchResult start(const StartPlan& plan, const LaunchOptions& options) override;
    std::optional<int> running_init(int vmid) override;
    void kill(int vmid) override;
    bool shutdown(int vmid, int timeout_seconds) override;
    void freeze(int vmid) override;
    void thaw(int vmid) override;
    bool frozen(int vmid) override;
    void sync_filesystems(int vmid) override;

    // Cleans up after a container whose init is gone (stale state after a
    // crash, or a killed monitor): waits for a monitor still cleaning up,
    // then runs post-stop here. Returns warnings.
    std::vector<std::string> clean_stale_state(int vmid);

private:
    // Waits until the monitor (if any) has exited; false on timeout.
    bool wait_for_monitor(int vmid, int timeout_ms);

    LinuxLauncherSettings settings_;
};

// Signal number for "SIGPWR", "SIGRTMIN+3", "9"; -1 if unknown.
int signal_number(const std::string& name);

// The signal that asks this init to halt (runtime.md §14): the configured
// one, else SIGRTMIN+3 when init blocks it (systemd), else SIGPWR.
int halt_signal_for(pid_t init_pid, const std::string& configured);

}  // namespace pct
