#pragma once
// /etc/network/interfaces generator shared by Debian, Devuan, Ubuntu before
// 17.10 and Alpine (guest-setup.md §5.1): rewrites the stanzas of managed
// interfaces in place and keeps everything else.
#include <optional>
#include <string>
#include <vector>

#include "core/guest/guest_network.h"

namespace pct::guest {

enum class AddressStyle {
    Classic,  // "address A" + "netmask M"
    Cidr,     // "address A/N"
};

// The new file content, or nullopt when no interface has ip, gw, ip6 or gw6
// set (the file is then left alone). Throws UserError for a malformed
// static address.
std::optional<std::string> render_debian_interfaces(const std::optional<std::string>& existing,
                                                    const std::vector<GuestInterface>& interfaces,
                                                    AddressStyle style);

}  // namespace pct::guest
