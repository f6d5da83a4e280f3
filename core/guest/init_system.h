#pragma once
// What runs as the container's init, for the systemd nesting warning and the
// cgroup-v2 compatibility check (guest-setup.md §4.12).
#include <optional>
#include <string>

#include "core/config_file.h"
#include "core/guest/guest_files.h"

namespace pct::guest {

struct InitSystem {
    std::string path;                     // /sbin/init with its symlinks resolved
    std::optional<int> systemd_version;   // from its libsystemd-shared-N.so dependency
    bool is_systemd() const { return path.ends_with("/systemd"); }
};

// Throws UserError when /sbin/init is a chain of more than 10 links.
InitSystem inspect_init_system(const GuestFiles& files);

// "Systemd N detected. You may need to enable nesting." for systemd newer
// than 241 without `features: nesting=1`.
std::optional<std::string> systemd_nesting_warning(const ConfigSection& config, const InitSystem& init);

// False for systemd before v232 (or of unknown version): it cannot run on a
// pure cgroup-v2 host. Other inits always can.
bool supports_pure_cgroup_v2(const InitSystem& init);

}  // namespace pct::guest
