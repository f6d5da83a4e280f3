#pragma once
// What a running container leaves in run/pct/<id>/: the state file written
// by the start (what post-stop must undo and what attach must repeat) and
// the pid files, plus process identity checks that survive PID reuse.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/host_paths.h"

namespace pct {

// A process as (pid, start time in clock ticks since boot): a recycled PID
// has another start time.
struct ProcessIdentity {
    pid_t pid = 0;
    uint64_t start_time = 0;
};

// Start time (field 22 of /proc/<pid>/stat), nullopt when there is no such process.
std::optional<uint64_t> process_start_time(pid_t pid);
bool process_alive(const ProcessIdentity& process);
// pidfd of the process after re-checking its identity; -1 when it is gone.
int open_verified_pidfd(const ProcessIdentity& process);

struct RunState {
    int vmid = 0;
    ProcessIdentity init;
    ProcessIdentity monitor;
    bool unprivileged = false;
    uint64_t root_uid = 0;
    uint64_t root_gid = 0;
    unsigned cgroup_version = 1;
    std::vector<std::string> cgroup_limit_dirs;    // absolute, one per hierarchy
    std::vector<std::string> cgroup_payload_dirs;  // absolute, one per hierarchy
    std::vector<int> capabilities_dropped;         // from the bounding set, for attach
    std::string apparmor_profile;                  // applied label; empty: none
    std::string apparmor_loaded;                   // profile we loaded and must unload
    std::string seccomp_filter;                    // path of the compiled BPF; empty: none
    bool seccomp_notify = false;                   // the filter has notify rules: attach hands its listener to the monitor
    std::string halt_signal;                       // configured; empty: decided at shutdown
    std::string stop_signal = "SIGKILL";
    bool has_network = false;
    std::string rootfs;                            // mount point in the monitor's namespace
    std::vector<std::string> mounts;               // in mount order, unmounted in reverse
    std::vector<std::string> env;                  // init's environment (for attach with a clean env)
};

std::string run_state_path(const HostPaths& paths, int vmid);
std::string format_run_state(const RunState& state);  // the text of the state file
void write_run_state(const HostPaths& paths, const RunState& state);  // atomic
std::optional<RunState> read_run_state(const HostPaths& paths, int vmid);

// Writes a small text file atomically (temp + rename).
void write_file_atomic(const std::string& path, const std::string& text, mode_t mode = 0644);

// write_file_atomic in two halves: <path>.tmp is written now, renamed into
// place by publish(). The start writes its files while init execs and
// publishes them once init runs: creating files costs far more than
// renaming them. Throws UserError.
class StagedFile {
public:
    StagedFile(std::string path, const std::string& text, mode_t mode = 0644);
    void publish() const;

private:
    std::string path_;
};

}  // namespace pct
