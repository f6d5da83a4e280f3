#pragma once
// RHEL network-scripts: ifcfg-<name> and route/route6-<name>
// (guest-setup.md §5.3).
#include <optional>
#include <string>

#include "core/guest/dns_settings.h"
#include "core/guest/guest_network.h"

namespace pct::guest {

struct RedhatInterfaceFiles {
    std::optional<std::string> ifcfg;  // nullopt: nothing to configure
    std::string routes;                // managed-section data of route-<name>
    std::string routes6;               // managed-section data of route6-<name>
};

RedhatInterfaceFiles render_redhat_interface(const GuestInterface& interface, const DnsSettings& dns,
                                             const std::string& uuid);

}  // namespace pct::guest
