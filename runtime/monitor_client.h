#pragma once
// `pct` talking to a container's monitor (runtime/monitor.h protocol).
#include <string>

#include "runtime/host_paths.h"
#include "runtime/unique_fd.h"

namespace pct {

struct MonitorReply {
    std::string text;  // "ok", "busy", "none", "denied"; "" when the monitor is unreachable
    UniqueFd fd;       // the descriptor that came with "ok"
    UniqueFd connection;  // kept open while a terminal is attached
};

MonitorReply ask_monitor(const HostPaths& paths, int vmid, const std::string& request);

// A connection to the monitor's socket; invalid when it is unreachable.
UniqueFd connect_monitor(const HostPaths& paths, int vmid);

// Sends "listener" with a seccomp notification descriptor over a connection
// from connect_monitor(); true when the monitor took it.
bool hand_listener_to_monitor(int connection, int listener);

// init's pidfd: from the monitor, else from the run state with a start-time
// check. Invalid when the container is not running.
UniqueFd container_init_pidfd(const HostPaths& paths, int vmid);

}  // namespace pct
