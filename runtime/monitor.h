#pragma once
// The per-container monitor (design.md "The running container"). It is
// exec'ed as the tiny `pct-monitor` binary right after the start, so it
// only uses libc: it holds init's pidfd, the console and tty pty masters
// and the command sockets, hands those descriptors to `pct` clients that
// ask (SCM_RIGHTS), drains the terminals while nobody is attached, and
// when init exits it reaps it, records how it ended and execs
// `pct-post-stop <id>` in its own mount namespace (keeping the command
// sockets open, so the container counts as running until cleanup ends).
//
// Socket protocol (one request per connection, unix socket
// run/pct/<id>/monitor.sock, root only): "pidfd" -> "ok" + init's pidfd;
// "console" / "tty <n>" -> "ok" + the pty master, the terminal then belongs
// to this connection until it closes ("busy" meanwhile, "none" if there is
// no such terminal); "listener" + a seccomp notification descriptor (from
// `pct enter/exec` of a container with notify rules) -> "ok", and the
// monitor answers that filter's notifications too.

namespace pct {

// The fixed descriptor layout the launcher sets up before exec.
constexpr int kMonitorPidfd = 3;
constexpr int kMonitorListen = 4;
constexpr int kMonitorAbstract = 5;
constexpr int kMonitorConsole = 6;
constexpr int kMonitorFirstTty = 7;
constexpr int kMonitorMaxTtys = 6;

struct MonitorArgs {
    int vmid = 0;
    const char* run_dir = nullptr;
    const char* post_stop_binary = nullptr;
    bool has_abstract = false;
    bool has_console = false;
    int ttys = 0;
    int listener = -1;  // seccomp user-notification descriptor of init's filter, -1: none
};

// argv: <vmid> <run_dir> <post_stop_binary> <abstract 0|1> <console 0|1> <ttys>
// <listener descriptor or -1>.
// Returns false on malformed arguments.
bool parse_monitor_args(int argc, char** argv, MonitorArgs& args);

// Runs until init exits, then execs post-stop; returns only on failure.
int run_monitor(const MonitorArgs& args);

}  // namespace pct
