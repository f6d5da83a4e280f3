#include "core/guest/networkmanager_keyfile.h"

#include "core/guest/ip_address.h"
#include "core/value_formats.h"

namespace pct::guest {

namespace {

std::string joined(const std::vector<std::string>& items, char separator) {
    std::string text;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) text += separator;
        text += items[i];
    }
    return text;
}

std::string dns_lines(const DnsSettings& dns, bool (*is_family)(std::string_view)) {
    std::vector<std::string> servers;
    for (const auto& server : dns.nameservers) {
        if (is_family(server)) servers.push_back(server);
    }
    if (servers.empty()) return "";
    std::string lines = "dns=" + joined(servers, ';') + "\n";
    if (!dns.search_domains.empty()) lines += "dns-search=" + joined(dns.search_domains, ';') + "\n";
    return lines;
}

bool configured(const std::optional<std::string>& value) {
    return value && !value->empty() && *value != "manual";
}

}  // namespace

std::string render_nmconnection(const GuestInterface& interface, const DnsSettings& dns, const std::string& uuid) {
    std::string data = "[connection]\nid=" + interface.name + "\nuuid=" + uuid + "\ntype=ethernet\ninterface-name=" +
                       interface.name + "\n";

    data += "[ipv4]\n";
    if (configured(interface.ip)) {
        if (*interface.ip == "dhcp") {
            data += "method=auto\n";
        } else {
            data += "method=manual\naddresses=" + *interface.ip + "\n";
            if (interface.gw) {
                data += "gateway=" + *interface.gw + "\n";
                if (!is_ip_in_cidr(*interface.gw, *interface.ip, IpFamily::V4)) data += "routes=" + *interface.gw + "\n";
            }
        }
        data += dns_lines(dns, is_ipv4);
    } else {
        data += "method=disabled\n";
    }

    data += "[ipv6]\n";
    if (configured(interface.ip6)) {
        if (*interface.ip6 == "auto" || *interface.ip6 == "dhcp") {
            data += "method=auto\n";
        } else {
            data += "method=manual\naddress=" + *interface.ip6 + "\n";
            if (interface.gw6) {
                bool off_link = !is_ip_in_cidr(*interface.gw6, *interface.ip6, IpFamily::V6) &&
                                !is_ip_in_cidr(*interface.gw6, "fe80::/10", IpFamily::V6);
                data += (off_link ? "routes=" : "gateway=") + *interface.gw6 + "\n";
            }
        }
        data += dns_lines(dns, is_ipv6);
    } else {
        data += "method=disabled\n";
    }
    return data;
}

}  // namespace pct::guest
