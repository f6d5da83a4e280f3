#pragma once
// Running a process inside a running container (exec, enter, console
// shell, push, pull): setns into all of init's namespaces through its
// pidfd, the payload cgroup, and the same capability bounding set,
// AppArmor label and seccomp filter as init (lxc-attach semantics).
#include <functional>
#include <string>
#include <vector>

#include "runtime/host_paths.h"

namespace pct {

struct AttachRequest {
    std::vector<std::string> argv;  // empty: an interactive login shell
    bool keep_env = true;           // false: init's environment only
    bool use_pty = false;           // a new pty (from the container's devpts) relayed to our terminal
};

// Returns the command's exit status (128 + signal when killed). Throws
// UserError `container '<id>' not running!` and the like.
int attach_run(const HostPaths& paths, int vmid, const AttachRequest& request);

// Runs `work` in a child that joined the container's mount namespace (and
// for unprivileged containers its user namespace, as root there): file
// paths then resolve inside the container, symlinks included. Descriptors
// opened before stay usable. Returns work's result (or 255 on failure).
int run_in_container_fs(const HostPaths& paths, int vmid, const std::function<int()>& work);

}  // namespace pct
