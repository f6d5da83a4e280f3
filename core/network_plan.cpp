#include "core/network_plan.h"

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"

namespace pct {

namespace {

constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

std::string option(const PropertyMap& map, const char* key) {
    auto it = map.find(key);
    return it == map.end() ? std::string() : it->second;
}

NetworkInterfacePlan plan_interface(const std::string& key, int index, const std::string& value, int vmid,
                                    const StartHostFacts& facts) {
    const PropertyMap map = parse_property_string(value, network_format());
    NetworkInterfacePlan net{.key = key,
                             .host_name = "veth" + std::to_string(vmid) + "i" + std::to_string(index),
                             .guest_name = option(map, "name"),
                             .hwaddr = option(map, "hwaddr"),
                             .bridge = option(map, "bridge")};
    if (net.host_name.size() > kMaxInterfaceName)
        throw UserError(key + ": host interface name '" + net.host_name + "' is longer than 15 characters");

    if (!option(map, "mtu").empty()) net.mtu = static_cast<unsigned>(std::stoul(option(map, "mtu")));
    if (!net.bridge.empty()) {
        std::optional<unsigned> bridge_mtu = facts.bridge_mtu ? facts.bridge_mtu(net.bridge) : std::nullopt;
        if (!bridge_mtu) throw UserError("bridge '" + net.bridge + "' does not exist");
        if (net.mtu && *net.mtu > *bridge_mtu)
            throw UserError(key + ": MTU size '" + std::to_string(*net.mtu) + "' is bigger than bridge MTU '" +
                            std::to_string(*bridge_mtu) + "'");
        if (!net.mtu) net.mtu = bridge_mtu;
    }

    if (!option(map, "tag").empty()) net.tag = static_cast<unsigned>(std::stoul(option(map, "tag")));
    if (std::string trunks = option(map, "trunks"); !trunks.empty()) {
        size_t start = 0;
        while (start <= trunks.size()) {
            size_t end = trunks.find(';', start);
            net.trunks.push_back(static_cast<unsigned>(std::stoul(trunks.substr(start, end == std::string::npos ? end : end - start))));
            if (end == std::string::npos) break;
            start = end + 1;
        }
        std::optional<bool> vlan_aware = facts.bridge_vlan_aware && !net.bridge.empty() ? facts.bridge_vlan_aware(net.bridge) : std::nullopt;
        if (vlan_aware && !*vlan_aware) throw UserError("vlan aware feature need to be enabled to use trunks");
    }
    if (!option(map, "rate").empty()) net.rate_mbps = std::stod(option(map, "rate"));
    net.link_down = option(map, "link_down") == "1";
    net.firewall = option(map, "firewall") == "1";
    net.firewall_bridge = net.firewall && facts.iptables_firewall && !net.bridge.empty();
    net.host_managed = option(map, "host-managed") == "1";

    // Addresses are the guest's business (guest setup writes its network
    // config), except for host-managed interfaces.
    if (net.host_managed && !net.link_down) {
        const std::string ip = option(map, "ip"), ip6 = option(map, "ip6");
        if (ip6 == "auto") throw UserError(key + ": SLAAC is not supported for host-managed network configuration");
        if (ip == "dhcp") net.host_dhcp4 = true;
        else if (ip != "manual") net.ipv4 = ip;
        if (ip6 == "dhcp") net.host_dhcp6 = true;
        else if (ip6 != "manual") net.ipv6 = ip6;
        net.gateway4 = option(map, "gw");
        net.gateway6 = option(map, "gw6");
    }
    return net;
}

}  // namespace

std::vector<NetworkInterfacePlan> plan_network(const ConfigSection& config, int vmid, const StartHostFacts& facts,
                                               std::vector<std::string>& problems) {
    std::vector<NetworkInterfacePlan> interfaces;
    // config.values is a std::map: keys come in lexical order already.
    for (const auto& [key, value] : config.values) {
        auto [base, index] = split_indexed_key(key);
        if (base != "net" || index < 0) continue;
        try {
            interfaces.push_back(plan_interface(key, index, value, vmid, facts));
        } catch (const UserError& e) {
            problems.push_back(e.what());
        } catch (const std::exception&) {
            problems.push_back(key + ": invalid value '" + value + "'");
        }
    }
    return interfaces;
}

}  // namespace pct
