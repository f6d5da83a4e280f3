#include "core/guest/redhat_network_scripts.h"

#include "core/error.h"
#include "core/guest/ip_address.h"

namespace pct::guest {

RedhatInterfaceFiles render_redhat_interface(const GuestInterface& interface, const DnsSettings& dns,
                                             const std::string& uuid) {
    RedhatInterfaceFiles files;
    const std::string& name = interface.name;
    std::string data;
    std::string bootproto;

    if (interface.ip && !interface.ip->empty() && *interface.ip != "manual") {
        if (*interface.ip == "dhcp") {
            bootproto = "dhcp";
        } else {
            bootproto = "none";
            auto cidr = parse_ipv4_cidr(*interface.ip);
            if (!cidr) throw UserError("unable to parse ipv4 address/mask");
            data += "IPADDR=" + cidr->address + "\nNETMASK=" + cidr->netmask + "\n";
            if (interface.gw) {
                data += "GATEWAY=" + *interface.gw + "\n";
                if (!is_ip_in_cidr(*interface.gw, *interface.ip, IpFamily::V4))
                    files.routes = *interface.gw + " dev " + name + "\ndefault via " + *interface.gw + " dev " + name + "\n";
            }
        }
    }

    if (interface.ip6 && !interface.ip6->empty() && *interface.ip6 != "manual") {
        if (bootproto.empty()) bootproto = "none";
        data += "IPV6INIT=yes\n";
        if (*interface.ip6 == "auto") {
            data += "IPV6_AUTOCONF=yes\n";
        } else if (*interface.ip6 == "dhcp") {
            data += "DHCPV6C=yes\n";
        } else {
            data += "IPV6ADDR=" + *interface.ip6 + "\nIPV6_AUTOCONF=no\n";
            if (interface.gw6) {
                if (!is_ip_in_cidr(*interface.gw6, *interface.ip6, IpFamily::V6) &&
                    !is_ip_in_cidr(*interface.gw6, "fe80::/10", IpFamily::V6)) {
                    files.routes6 =
                        *interface.gw6 + " dev " + name + "\ndefault via " + *interface.gw6 + " dev " + name + "\n";
                } else {
                    data += "IPV6_DEFAULTGW=" + *interface.gw6 + "\n";
                }
            }
        }
    }

    for (size_t i = 0; i < dns.nameservers.size(); ++i)
        data += "DNS" + std::to_string(i + 1) + "=" + dns.nameservers[i] + "\n";
    if (!dns.search_domains.empty()) {
        data += "DOMAIN=";
        for (size_t i = 0; i < dns.search_domains.size(); ++i) data += (i ? " " : "") + dns.search_domains[i];
        data += "\n";
    }

    if (data.empty() && bootproto.empty()) return files;
    files.ifcfg = "DEVICE=" + name + "\nONBOOT=yes\nUUID=" + uuid + "\nBOOTPROTO=" + bootproto + "\n" + data;
    return files;
}

}  // namespace pct::guest
