#pragma once
// NetworkManager keyfiles for the CentOS family from release 10 on
// (guest-setup.md §5.4).
#include <string>

#include "core/guest/dns_settings.h"
#include "core/guest/guest_network.h"

namespace pct::guest {

// Content of /etc/NetworkManager/system-connections/<name>.nmconnection.
std::string render_nmconnection(const GuestInterface& interface, const DnsSettings& dns, const std::string& uuid);

}  // namespace pct::guest
