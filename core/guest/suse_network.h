#pragma once
// SUSE /etc/sysconfig/network/ifcfg-<name> and ifroute-<name>
// (guest-setup.md §5.5).
#include <optional>
#include <string>

#include "core/guest/guest_network.h"

namespace pct::guest {

struct SuseInterfaceFiles {
    std::string ifcfg;
    std::string routes;  // managed-section data of ifroute-<name>
};

// nullopt: the interface is configured but has neither address nor DHCP, and
// is left alone.
std::optional<SuseInterfaceFiles> render_suse_interface(const GuestInterface& interface);

}  // namespace pct::guest
