#include "runtime/network_bridge_port.h"

#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <iostream>

#include "core/error.h"

namespace pct {

namespace {

constexpr uint16_t kLowestVlan = 1;
constexpr uint16_t kHighestVlan = 4094;

// `bridge vlan add|del dev <port> vid <first>[-<last>] [pvid untagged]`:
// an AF_BRIDGE link message carrying the VLAN range in IFLA_AF_SPEC.
void change_port_vlans(NetlinkSocket& socket, const LinkInfo& port, uint16_t message_type, uint16_t first,
                       uint16_t last, uint16_t flags, const std::string& what) {
    NetlinkRequest request(message_type, 0);
    auto& header = request.add_header<ifinfomsg>();
    header.ifi_family = AF_BRIDGE;
    header.ifi_index = port.index;
    nlattr* spec = request.begin_nested(IFLA_AF_SPEC);
    if (first == last) {
        bridge_vlan_info vlan{.flags = flags, .vid = first};
        request.add_bytes(IFLA_BRIDGE_VLAN_INFO, &vlan, sizeof vlan);
    } else {
        bridge_vlan_info begin{.flags = static_cast<uint16_t>(flags | BRIDGE_VLAN_INFO_RANGE_BEGIN), .vid = first};
        bridge_vlan_info end{.flags = static_cast<uint16_t>(flags | BRIDGE_VLAN_INFO_RANGE_END), .vid = last};
        request.add_bytes(IFLA_BRIDGE_VLAN_INFO, &begin, sizeof begin);
        request.add_bytes(IFLA_BRIDGE_VLAN_INFO, &end, sizeof end);
    }
    request.end_nested(spec);
    socket.run(request, what);
}

void configure_port_vlans(NetlinkSocket& socket, const LinkInfo& port, std::optional<unsigned> tag,
                          const std::vector<unsigned>& trunks) {
    change_port_vlans(socket, port, RTM_DELLINK, kLowestVlan, kHighestVlan, 0,
                      "failed to remove default vlan tags of " + port.name);
    if (!trunks.empty()) {
        for (unsigned trunk : trunks) {
            const auto vid = static_cast<uint16_t>(trunk);
            change_port_vlans(socket, port, RTM_SETLINK, vid, vid, 0,
                              "unable to add vlan " + std::to_string(trunk) + " to interface " + port.name);
        }
    } else if (!tag) {
        change_port_vlans(socket, port, RTM_SETLINK, 2, kHighestVlan, 0,
                          "unable to add default vlan tags to interface " + port.name);
    }
    const auto untagged = static_cast<uint16_t>(tag.value_or(1));
    change_port_vlans(socket, port, RTM_SETLINK, untagged, untagged,
                      BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED,
                      "unable to add vlan " + std::to_string(untagged) + " to interface " + port.name);
}

// Proxmox's bridge_add_interface without the VLAN part.
void add_bridge_port(NetlinkSocket& socket, const LinkInfo& bridge, const LinkInfo& port) {
    try {
        set_link_mtu(socket, port, bridge.mtu);
    } catch (const UserError&) {
        // Proxmox ignores this too: the kernel then clamps the bridge instead.
    }
    // A link-local address is useless on a bridge port.
    disable_ipv6(port.name);
    set_link_master(socket, port, bridge);
}

void copy_bridge_settings(NetlinkSocket& socket, const LinkInfo& from, const LinkInfo& to) {
    if (from.bridge_settings.empty()) return;
    NetlinkRequest request(RTM_NEWLINK, 0);
    auto& header = request.add_header<ifinfomsg>();
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = to.index;
    nlattr* info = request.begin_nested(IFLA_LINKINFO);
    request.add_string(IFLA_INFO_KIND, "bridge");
    nlattr* data = request.begin_nested(IFLA_INFO_DATA);
    for (const auto& [type, value] : from.bridge_settings) request.add_bytes(type, value.data(), value.size());
    request.end_nested(data);
    request.end_nested(info);
    // Like Proxmox: a setting that cannot be copied is worth a warning, not a failed start.
    if (NetlinkAnswer answer = socket.send(request); !answer)
        std::cerr << "warning: " << describe_netlink_failure("cannot copy the settings of bridge '" + from.name +
                                                             "' to '" + to.name + "'", answer)
                  << "\n";
}

// Creates a link unless one of that name exists (a concurrent start may win
// the race: EEXIST is fine). Returns the link and whether this call made it.
std::pair<LinkInfo, bool> create_link_if_missing(NetlinkSocket& socket, NetlinkRequest& create,
                                                 const std::string& name, const std::string& what) {
    if (std::optional<LinkInfo> existing = find_link(socket, name)) return {*existing, false};
    NetlinkAnswer answer = socket.send(create);
    if (!answer && answer.error != EEXIST) throw UserError(describe_netlink_failure(what, answer));
    return {require_link(socket, name), answer.error == 0};
}

std::pair<LinkInfo, bool> create_vlan_bridge(NetlinkSocket& socket, const std::string& name, unsigned mtu) {
    NetlinkRequest request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    request.add_string(IFLA_IFNAME, name);
    request.add_u32(IFLA_MTU, mtu);
    nlattr* info = request.begin_nested(IFLA_LINKINFO);
    request.add_string(IFLA_INFO_KIND, "bridge");
    request.end_nested(info);
    return create_link_if_missing(socket, request, name, "failed to create interface '" + name + "'");
}

std::pair<LinkInfo, bool> create_vlan_device(NetlinkSocket& socket, const LinkInfo& parent, unsigned tag,
                                             const std::string& name) {
    const std::string what = "can't add vlan tag " + std::to_string(tag) + " to interface " + parent.name;
    try {
        check_interface_name(name);
    } catch (const UserError& error) {
        throw UserError(what + " - " + error.what());
    }
    NetlinkRequest request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    request.add_string(IFLA_IFNAME, name);
    request.add_u32(IFLA_LINK, static_cast<uint32_t>(parent.index));
    nlattr* info = request.begin_nested(IFLA_LINKINFO);
    request.add_string(IFLA_INFO_KIND, "vlan");
    nlattr* data = request.begin_nested(IFLA_INFO_DATA);
    request.add_u16(IFLA_VLAN_ID, static_cast<uint16_t>(tag));
    request.end_nested(data);
    request.end_nested(info);
    return create_link_if_missing(socket, request, name, what);
}

// Physical = Ethernet without a link kind (Proxmox's ip_link_is_physical).
std::vector<LinkInfo> physical_ports_of(const std::vector<LinkInfo>& links, const LinkInfo& bridge) {
    std::vector<LinkInfo> ports;
    for (const LinkInfo& link : links)
        if (link.master == bridge.index && link.hardware_type == ARPHRD_ETHER && link.kind.empty())
            ports.push_back(link);
    return ports;
}

std::string name_of_index(const std::vector<LinkInfo>& links, int index) {
    for (const LinkInfo& link : links)
        if (link.index == index) return link.name;
    return std::to_string(index);
}

// `<bridge>v<tag>` with a `<port>.<tag>` VLAN device of every physical port
// of `bridge` (Proxmox's activate_bridge_vlan). What this call creates is
// removed again if it fails; an existing VLAN bridge is reused and left in
// place at stop, as Proxmox does.
LinkInfo activate_vlan_bridge(NetlinkSocket& socket, const LinkInfo& bridge, unsigned tag) {
    const std::string name = bridge.name + "v" + std::to_string(tag);
    check_interface_name(name);
    const std::vector<LinkInfo> links = list_links(socket);
    const std::vector<LinkInfo> physical_ports = physical_ports_of(links, bridge);
    if (physical_ports.empty()) throw UserError("no physical interface on bridge '" + bridge.name + "'");

    std::vector<LinkInfo> created;
    try {
        auto [vlan_bridge, bridge_is_new] = create_vlan_bridge(socket, name, bridge.mtu);
        if (bridge_is_new) {
            created.push_back(vlan_bridge);
        } else {
            try {
                set_link_mtu(socket, vlan_bridge, bridge.mtu);
            } catch (const UserError&) {
                // As in Proxmox: an MTU the bridge refuses does not stop the start.
            }
            vlan_bridge.mtu = bridge.mtu;
        }
        copy_bridge_settings(socket, bridge, vlan_bridge);

        for (const LinkInfo& port : physical_ports) {
            const std::string device_name = port.name + "." + std::to_string(tag);
            auto [device, device_is_new] = create_vlan_device(socket, port, tag, device_name);
            if (device_is_new) {
                created.push_back(device);
                disable_ipv6(device_name);
            }
            set_link_up(socket, device, true);
            if (device.master == vlan_bridge.index) continue;
            if (device.master != 0)
                throw UserError("interface " + device_name + " already exist in bridge " +
                                name_of_index(list_links(socket), device.master));
            add_bridge_port(socket, vlan_bridge, device);
        }
        disable_ipv6(name);  // before it goes up, so it never gets a link-local address
        set_link_up(socket, vlan_bridge, true);
        return vlan_bridge;
    } catch (...) {
        for (auto link = created.rbegin(); link != created.rend(); ++link) {
            try {
                delete_link(socket, *link);
            } catch (const UserError&) {
                // Keep the first error; it says what went wrong.
            }
        }
        throw;
    }
}

}  // namespace

LinkInfo require_linux_bridge(NetlinkSocket& socket, const std::string& name) {
    std::optional<LinkInfo> bridge = find_link(socket, name);
    if (!bridge) throw UserError("bridge '" + name + "' does not exist");
    if (bridge->kind == "openvswitch")
        throw UserError("bridge '" + name + "' is an Open vSwitch bridge, which pct does not support");
    if (bridge->kind != "bridge") throw UserError("bridge '" + name + "' is neither a linux nor an OVS bridge!");
    return *bridge;
}

void attach_to_bridge(NetlinkSocket& socket, const LinkInfo& port, const LinkInfo& bridge,
                      std::optional<unsigned> tag, const std::vector<unsigned>& trunks) {
    if (bridge.vlan_filtering) {
        add_bridge_port(socket, bridge, port);
        configure_port_vlans(socket, port, tag, trunks);
        return;
    }
    if (!trunks.empty()) throw UserError("vlan aware feature need to be enabled to use trunks");
    // Without VLAN filtering the tag is applied by the `<bridge>v<tag>` bridge's VLAN devices.
    const LinkInfo target = tag ? activate_vlan_bridge(socket, bridge, *tag) : bridge;
    add_bridge_port(socket, target, port);
    if (target.vlan_filtering) configure_port_vlans(socket, port, std::nullopt, {});
}

}  // namespace pct
