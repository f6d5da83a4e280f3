#pragma once
// The per-container AppArmor profile (runtime.md §10) as text.
//
// Name: `pct-<vmid>` rather than LXC's `lxc-<vmid>_</var/lib/lxc>`. pct does
// not live in /var/lib/lxc, a plain name needs no quoting in logs and
// aa-status, and a host that also runs LXC never has one tool's profile
// replaced by the other's.
//
// The text is self-contained (no #include of tunables or abstractions, no
// variables but the built-in @{profile_name}) so that it compiles wherever
// apparmor_parser 3.0 or later is installed. Rules that only AppArmor 4
// understands (`userns,`, `mqueue,`) are emitted only when the host says its
// kernel and parser support them.
#include <string>
#include <vector>

namespace pct {

struct AppArmorProfileInputs {
    std::string name;
    bool unprivileged = false;
    bool nesting = false;             // features: nesting=1 or lxc.apparmor.allow_nesting = 1
    bool cgroup_namespaces = true;    // allow cgroupfs mounts below /sys/fs/cgroup
    bool stacking = false;            // the host can stack: the container gets its own policy namespace
    bool userns_rules = false;
    bool mqueue_rules = false;
    std::vector<std::string> mount_fstypes;  // features: fuse=1 -> "fuse", mount=nfs;cifs
    std::vector<std::string> raw_rules;      // lxc.apparmor.raw, appended last
};

std::string apparmor_profile_name(int vmid);

// The AppArmor policy namespace a stacking-capable container may load its
// own profiles into (same as the profile name).
std::string apparmor_namespace_name(int vmid);

std::string generate_apparmor_profile(const AppArmorProfileInputs& inputs);

}  // namespace pct
