#include "core/guest/gentoo_net.h"

#include "core/guest/ip_address.h"

namespace pct::guest {

namespace {

void drop_final_newline(std::string& text) {
    if (!text.empty() && text.back() == '\n') text.pop_back();
}

}  // namespace

GentooNetConfig render_gentoo_net(const std::vector<GuestInterface>& interfaces) {
    GentooNetConfig result;
    std::string variables;
    for (const auto& interface : interfaces) {
        const std::string& name = interface.name;
        bool active = false;
        bool static_v4 = false;
        bool static_v6 = false;
        std::string config;
        std::string routes;

        if (interface.ip) {
            if (*interface.ip == "dhcp") {
                config += "dhcp\n";
                active = true;
            } else if (*interface.ip != "manual") {
                static_v4 = true;
                config += *interface.ip + "\n";
                active = true;
            }
        }
        if (interface.gw) {
            if (static_v4 && !is_ip_in_cidr(*interface.gw, *interface.ip, IpFamily::V4))
                routes += "-host " + *interface.gw + " dev " + name + "\n";
            routes += "default gw " + *interface.gw + "\n";
            active = true;
        }
        // DHCPv6 is not offered: the templates' busybox client lacks it.
        if (interface.ip6 && *interface.ip6 != "dhcp" && *interface.ip6 != "manual") {
            static_v6 = true;
            config += *interface.ip6 + "\n";
            active = true;
        }
        if (interface.gw6) {
            // Upstream tests "on-link" with IPv4 rules, which never match an
            // IPv6 gateway: the host route is always added.
            if (static_v6 && !is_ip_in_cidr(*interface.gw6, *interface.ip6, IpFamily::V4))
                routes += "-6 -host " + *interface.gw6 + " dev " + name + "\n";
            routes += "-6 default gw " + *interface.gw6 + "\n";
            active = true;
        }

        drop_final_newline(config);
        drop_final_newline(routes);
        if (!config.empty()) variables += "config_" + name + "=\"" + config + "\"\n";
        if (!routes.empty()) variables += "routes_" + name + "=\"" + routes + "\"\n";
        if (active) result.active_interfaces.push_back(name);
    }
    result.data = "modules=\"$modules ifconfig\"\n" + variables;
    return result;
}

}  // namespace pct::guest
