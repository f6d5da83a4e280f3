#pragma once
// Which plugin handles a container (guest-setup.md §6.0).
#include <optional>
#include <string>
#include <vector>

#include "core/guest/guest_files.h"
#include "core/guest/os_release.h"

namespace pct::guest {

// The os-release of the guest: /etc/os-release, else /usr/lib/os-release.
OsRelease read_os_release(const GuestFiles& files);

struct OsDetection {
    std::string os_type;
    std::vector<std::string> warnings;
};

// Detects the type from os-release ID (plugin name or alias) and the
// distributions' marker files. A configured `unmanaged` skips detection; a
// configured type that differs from the detected one only warns. Throws
// UserError when os-release exists but nothing identifies the OS.
OsDetection detect_os_type(const GuestFiles& files, const OsRelease& os_release,
                           const std::optional<std::string>& configured_type);

}  // namespace pct::guest
