#pragma once
// Gentoo netifrc /etc/conf.d/net (guest-setup.md §5.6).
#include <string>
#include <vector>

#include "core/guest/guest_network.h"

namespace pct::guest {

struct GentooNetConfig {
    std::string data;                           // managed-section data
    std::vector<std::string> active_interfaces;  // get an /etc/init.d/net.<name> link
};

GentooNetConfig render_gentoo_net(const std::vector<GuestInterface>& interfaces);

}  // namespace pct::guest
