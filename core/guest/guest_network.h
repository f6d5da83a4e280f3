#pragma once
// The container's network interfaces as the guest writers see them: every
// netN key (N 0..31) that has a `name`, in key order (guest-setup.md §5).
#include <optional>
#include <string>
#include <vector>

#include "core/config_file.h"

namespace pct::guest {

struct GuestInterface {
    std::string name;
    std::optional<std::string> ip;   // IPv4/CIDR, "dhcp" or "manual"
    std::optional<std::string> gw;
    std::optional<std::string> ip6;  // IPv6/CIDR, "auto", "dhcp" or "manual"
    std::optional<std::string> gw6;
};

// Throws UserError when a netN value is not a valid property string.
std::vector<GuestInterface> guest_interfaces(const ConfigSection& config);

// The address /etc/hosts names the container by: net0's static IPv4 without
// prefix, else its static IPv6 without prefix (guest-setup.md §4.3).
std::optional<std::string> primary_address(const ConfigSection& config);

}  // namespace pct::guest
