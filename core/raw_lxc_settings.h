#pragma once
// The raw `lxc.*` lines of a container config (config.md §2.3), sorted into
// what a start uses. LXC applies them after Proxmox's generated keys, so each
// one overrides the generated setting; keys pct's runtime cannot honour are
// reported as warnings instead of being dropped silently.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/idmap.h"

namespace pct {

using RawEntries = std::vector<std::pair<std::string, std::string>>;

struct RawLxcSettings {
    std::vector<IdMapEntry> idmap;
    std::optional<std::string> apparmor_profile;
    bool apparmor_allow_nesting = false;
    std::vector<std::string> apparmor_raw;
    std::optional<std::string> arch;
    std::optional<std::string> uts_name;
    std::optional<std::string> signal_halt, signal_reboot, signal_stop;
    std::optional<std::string> init_cmd, init_cwd, init_uid, init_gid, init_groups;
    std::optional<std::string> pty_max, tty_max, tty_dir, console_path;
    std::vector<std::string> mount_entries;  // fstab syntax, config order
    std::vector<std::string> mount_auto;     // each lxc.mount.auto value, config order
    RawEntries capability_lines;             // lxc.cap.drop / lxc.cap.keep, config order
    std::optional<std::string> seccomp_profile;
    std::optional<std::string> seccomp_notify_proxy, seccomp_notify_cookie;
    std::vector<std::string> environment;    // lxc.environment NAME=value
    RawEntries sysctls;                      // key without "lxc.sysctl."
    RawEntries cgroup2;                      // key without "lxc.cgroup2." (devices.* included)
    RawEntries cgroup1;                      // key without "lxc.cgroup."
    RawEntries prlimits;                     // key without "lxc.prlimit."
    std::vector<std::string> warnings;
};

// Malformed values (an lxc.idmap that does not parse) are added to `problems`
// as "<key>: <message>".
RawLxcSettings collect_raw_lxc_settings(const RawEntries& entries, std::vector<std::string>& problems);

// Whether the config has any lxc.idmap line (the LXC 2 name lxc.id_map counts too).
bool has_raw_idmap(const RawEntries& entries);

}  // namespace pct
