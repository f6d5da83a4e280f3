#pragma once
// The file systems a start sets up inside the container after the volumes
// and before pivot_root (runtime.md §6): /dev, proc, sys, LXC mount entries,
// cgroupfs, devpts, the boot id. One SpecialMountPlan per step, in order.
//
// `what` is a file system type to mount ("tmpfs", "proc", "sysfs",
// "cgroup", "cgroup2", "devpts", "mqueue", ...) or an operation:
//   bind     bind `source` onto `target` (flag "rec": recursive; "ro",
//            "nosuid", ...: applied by a remount of the bind afterwards)
//   move     move the mount at `source` to `target`
//   umount   detach the mount at `target`
//   remount  change the flags of the mount at `target`
//   symlink  create `target` as a symlink to `source` (only if missing)
//   boot-id  write a random UUID to `source` (mode 0444), then bind it
//            read-only onto `target`
#include <string>
#include <vector>

#include "core/container_features.h"
#include "core/start_host_facts.h"
#include "core/start_plan.h"

namespace pct {

// lxc.mount.auto state: "" = not mounted.
struct MountAuto {
    std::string proc = "mixed";   // mixed | rw
    std::string sys = "mixed";    // mixed | ro | rw
    std::string cgroup = "mixed"; // mixed | ro | rw
};

// Applies one lxc.mount.auto value the way LXC does: each token replaces its
// group's mode, an empty value clears everything. Unknown tokens are warned about.
void apply_mount_auto(MountAuto& state, const std::string& value, std::vector<std::string>& warnings);

// One lxc.mount.entry line (fstab syntax: source target type options [dump pass]).
// Targets are inside the container (relative or absolute). Throws UserError.
SpecialMountPlan parse_lxc_mount_entry(const std::string& line, int vmid);

struct SpecialMountInputs {
    int vmid = 0;
    bool unprivileged = false;
    std::string ostype;
    ContainerFeatures features;
    bool nesting = false;            // features.nesting or lxc.apparmor.allow_nesting
    bool keeps_net_admin = true;     // /proc/sys/net stays writable
    bool custom_entrypoint = false;  // entrypoint other than /sbin/init: /dev/shm tmpfs
    unsigned pty_max = 1024;
    unsigned ttys = 2;
    std::vector<std::string> raw_mount_auto;
    std::vector<std::string> raw_mount_entries;
};

// Throws UserError for a malformed raw mount entry.
std::vector<SpecialMountPlan> plan_special_mounts(const SpecialMountInputs& inputs, const StartHostFacts& facts,
                                                  std::vector<std::string>& warnings);

}  // namespace pct
