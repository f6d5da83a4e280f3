#pragma once
// After init has exited (runtime.md §12.3): unmount what the start mounted,
// remove the cgroups, delete the network links, unload the AppArmor profile
// and remove run/pct/<id>/. Run by the monitor (in its mount namespace, via
// pct-post-stop), by `pct stop` when the monitor is gone, and by
// `pct start` for state a crash left behind. Idempotent and best effort.
#include <string>
#include <vector>

#include "runtime/host_paths.h"

namespace pct {

struct PostStopHooks {
    // Deletes veth<id>i<N> (runtime/network_links.h); may be empty.
    void (*delete_network)(int vmid) = nullptr;
    // The config side once everything is cleaned up (runtime/post_stop_config.h);
    // returns warnings; may be empty.
    std::vector<std::string> (*finish_config)(const HostPaths& paths, int vmid, bool guest_reboot) = nullptr;
};

// Returns what could not be cleaned up (for warnings).
std::vector<std::string> run_post_stop(const HostPaths& paths, int vmid, const PostStopHooks& hooks);

// How the last init ended ("killed 1" = SIGHUP = reboot request), if known.
std::string last_exit_status(const HostPaths& paths, int vmid);

// The monitor's last step once init has exited (the pct-post-stop binary;
// `pct __post-stop` for monitors of an older pct): run_post_stop, problems as
// "WARN:" lines on stderr, and when the guest rebooted (init ended by SIGHUP,
// runtime.md §14) exec `<pct_binary> start <id>`. Returns the exit code.
int finish_stopped_container(const HostPaths& paths, int vmid, const PostStopHooks& hooks, const std::string& pct_binary);

// rm -r that never crosses into another file system (a mount still
// present under the run dir is left alone). Returns false if anything stayed.
bool remove_tree_same_fs(const std::string& path);

}  // namespace pct
