#pragma once
// What LXC's per-distribution config snippets add (runtime.md §1.2), as one
// table: pct has no snippet files, the differences live here.
#include <string>
#include <vector>

namespace pct {

struct OstypeProfile {
    bool empty_tty_dir = false;                // privileged: `lxc.tty.dir =` (ttys directly in /dev)
    std::vector<std::string> cap_drops;        // added to the common drops (privileged only)
    bool v1_device_allows = false;             // legacy devices cgroup: rtc, tun, hpet, kvm
    std::string halt_signal;                   // lxc.signal.halt; "" = LXC's default detection
    std::vector<std::string> mount_entries;    // lxc.mount.entry lines (fstab syntax), all containers
    std::vector<std::string> userns_mount_entries;  // additionally for unprivileged containers
};

// The profile of an ostype; unknown or unset types (nixos, unmanaged, ...)
// get the plain common settings.
const OstypeProfile& ostype_profile(const std::string& ostype);

}  // namespace pct
