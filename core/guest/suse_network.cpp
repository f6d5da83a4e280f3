#include "core/guest/suse_network.h"

#include <vector>

#include "core/guest/ip_address.h"

namespace pct::guest {

std::optional<SuseInterfaceFiles> render_suse_interface(const GuestInterface& interface) {
    const std::string& name = interface.name;
    bool configured = false;
    bool dhcp4 = false;
    bool dhcp6 = false;
    std::vector<std::string> addresses;
    SuseInterfaceFiles files;

    if (interface.ip && !interface.ip->empty() && *interface.ip != "manual") {
        configured = true;
        if (*interface.ip == "dhcp") {
            dhcp4 = true;
        } else {
            addresses.push_back(*interface.ip);
            if (interface.gw) {
                if (!is_ip_in_cidr(*interface.gw, *interface.ip, IpFamily::V4))
                    files.routes += *interface.gw + " 0.0.0.0 255.255.255.255 " + name + "\n";
                files.routes += "default " + *interface.gw + " 0.0.0.0 " + name + "\n";
            }
        }
    }
    if (interface.ip6 && !interface.ip6->empty() && *interface.ip6 != "manual") {
        configured = true;
        if (*interface.ip6 == "dhcp") {
            dhcp6 = true;
        } else if (*interface.ip6 != "auto") {
            addresses.push_back(*interface.ip6);
            if (interface.gw6) {
                if (!is_ip_in_cidr(*interface.gw6, *interface.ip6, IpFamily::V6) &&
                    !is_ip_in_cidr(*interface.gw6, "fe80::/10", IpFamily::V6))
                    files.routes += *interface.gw6 + "/128 - - " + name + "\n";
                files.routes += "default " + *interface.gw6 + " - " + name + "\n";
            }
        }
    }

    if (addresses.empty() && configured && !dhcp4 && !dhcp6) return std::nullopt;

    const char* bootproto = dhcp4 && dhcp6 ? "dhcp" : dhcp4 ? "dhcp4" : dhcp6 ? "dhcp6" : "static";
    files.ifcfg = std::string("STARTMODE=") + (configured ? "onboot" : "manual") + "\nBOOTPROTO=" + bootproto + "\n";
    if (addresses.size() == 1) {
        files.ifcfg += "IPADDR=" + addresses.front() + "\n";
    } else {
        for (size_t i = 0; i < addresses.size(); ++i)
            files.ifcfg += "IPADDR_" + std::to_string(i + 1) + "=" + addresses[i] + "\n";
    }
    return files;
}

}  // namespace pct::guest
