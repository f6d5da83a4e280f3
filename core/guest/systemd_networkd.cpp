#include "core/guest/systemd_networkd.h"

#include "core/guest/ip_address.h"

namespace pct::guest {

std::string render_networkd_file(const GuestInterface& interface) {
    std::string data = "[Match]\nName = " + interface.name + "\n\n[Network]\nDescription = Interface " +
                       interface.name + " autoconfigured by PVE\n";
    std::string routes;
    bool dhcp4 = false;
    bool dhcp6 = false;
    bool accept_router_advertisements = false;

    bool static_v4 = false;
    if (interface.ip) {
        if (*interface.ip == "dhcp") {
            dhcp4 = true;
        } else if (*interface.ip != "manual") {
            static_v4 = true;
            data += "Address = " + *interface.ip + "\n";
        }
    }
    if (interface.gw) {
        data += "Gateway = " + *interface.gw + "\n";
        if (static_v4 && !is_ip_in_cidr(*interface.gw, *interface.ip, IpFamily::V4))
            routes += "\n[Route]\nDestination = " + *interface.gw + "/32\nScope = link\n";
    }

    bool static_v6 = false;
    if (interface.ip6) {
        if (*interface.ip6 == "dhcp") {
            dhcp6 = true;
            accept_router_advertisements = true;
        } else if (*interface.ip6 == "auto") {
            accept_router_advertisements = true;
        } else if (*interface.ip6 != "manual") {
            static_v6 = true;
            data += "Address = " + *interface.ip6 + "\n";
        }
    }
    if (interface.gw6) {
        // A fixed IPv6 gateway replaces the one router advertisements would bring.
        accept_router_advertisements = false;
        data += "Gateway = " + *interface.gw6 + "\n";
        if (static_v6 && !is_ip_in_cidr(*interface.gw6, *interface.ip6, IpFamily::V6) &&
            !is_ip_in_cidr(*interface.gw6, "fe80::/10", IpFamily::V6))
            routes += "\n[Route]\nDestination = " + *interface.gw6 + "/128\nScope = link\n";
    }

    const char* dhcp = dhcp4 && dhcp6 ? "yes" : dhcp4 ? "ipv4" : dhcp6 ? "ipv6" : "no";
    data += std::string("DHCP = ") + dhcp + "\n";
    data += std::string("IPv6AcceptRA = ") + (accept_router_advertisements ? "true" : "false") + "\n";
    return data + routes;
}

}  // namespace pct::guest
