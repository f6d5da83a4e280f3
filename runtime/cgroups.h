#pragma once
// The container's cgroups (runtime.md §7): lxc/<id> holds the limits,
// lxc/<id>/ns the processes (and is the root of the cgroup namespace).
// cgroups_v1.cpp handles legacy and hybrid hosts (one directory per v1
// hierarchy, plus the unified tree), cgroups_v2.cpp pure cgroup2 hosts.
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/start_plan.h"
#include "runtime/unique_fd.h"

namespace pct {

struct CgroupMount {
    std::string path;                      // mount point, e.g. /sys/fs/cgroup/memory
    std::vector<std::string> controllers;  // v1 options ("cpu", "name=systemd"); empty for cgroup2
    bool unified = false;
};

// Every cgroup hierarchy mounted in this mount namespace (/proc/self/mountinfo).
std::vector<CgroupMount> find_cgroup_mounts();

class ContainerCgroup {
public:
    virtual ~ContainerCgroup() = default;
    // Creates lxc/<id> (limits, device rules) and lxc/<id>/ns. Throws UserError.
    virtual void create() = 0;
    // Hands lxc/<id>/ns to the container's root (unprivileged containers).
    virtual void delegate(uid_t uid, gid_t gid) = 0;
    // cgroup2 directory fd of lxc/<id>/ns for clone3(CLONE_INTO_CGROUP), or -1.
    virtual int payload_fd() = 0;
    // The `tasks` files of lxc/<id>/ns in every v1 hierarchy (none on pure
    // cgroup2 hosts, where clone3 places init), for join_cgroups() in init.
    virtual std::vector<UniqueFd> open_join_files() = 0;
    virtual std::vector<std::string> limit_dirs() const = 0;
    virtual std::vector<std::string> payload_dirs() const = 0;
    // Removes what create() made (best effort).
    virtual void remove() = 0;
};

// mounts: normally find_cgroup_mounts(); tests hand in their own.
std::unique_ptr<ContainerCgroup> make_cgroup_v1(const CgroupPlan& plan, std::vector<CgroupMount> mounts);
std::unique_ptr<ContainerCgroup> make_cgroup_v2(const CgroupPlan& plan, std::string root);
std::unique_ptr<ContainerCgroup> make_container_cgroup(const CgroupPlan& plan);

// Run by init itself, first thing: moves the calling (single-threaded)
// process into the cgroups whose join files it holds, by writing "0". A task
// moving only itself skips the kernel's global threadgroup lock, whose write
// side waits for an RCU grace period (~10 ms) on every start; writing init's
// pid to cgroup.procs from the monitor would take it. The files are opened by
// the monitor (host root): the kernel checks the opener's credentials.
// Throws UserError.
void join_cgroups(const std::vector<UniqueFd>& files);

// Depth-first rmdir of a cgroup directory; processes still inside are
// killed first. Retries while the kernel reports the group busy.
void remove_cgroup_tree(const std::string& dir);

// The directories lxc/<id> in every mounted hierarchy (for stale cleanup).
std::vector<std::string> container_cgroup_dirs(int vmid);

// Freezer on the limit cgroup: v1 freezer.state, v2 cgroup.freeze; waits
// until the kernel reports the new state. Throws UserError.
void set_cgroup_frozen(const std::vector<std::string>& limit_dirs, bool frozen);
bool cgroup_frozen(const std::vector<std::string>& limit_dirs);

// "0-3,6" <-> {0,1,2,3,6}
std::vector<unsigned> parse_cpu_list(const std::string& text);
std::string format_cpu_list(const std::vector<unsigned>& cpus);

// Picks `count` CPUs out of `available`, preferring those used by the fewest
// sibling containers (`usage[cpu]`), lowest number first on ties.
std::vector<unsigned> choose_cpus(const std::vector<unsigned>& available, const std::vector<unsigned>& usage,
                                  unsigned count);

// A BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (the last matching
// rule decides; the first 'a' rule gives the default), as raw instructions.
std::vector<uint64_t> device_filter_program(const std::vector<DeviceRule>& rules);
// Loads it and attaches it to the cgroup directory. Throws UserError.
void attach_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules);

// Helpers shared by both versions.
std::string read_text_file(const std::string& path);  // "" when unreadable
void write_cgroup_file(const std::string& dir, const std::string& file, const std::string& value);  // throws

}  // namespace pct
