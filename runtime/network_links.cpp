#include "runtime/network_links.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/error.h"
#include "runtime/network_bridge_port.h"
#include "runtime/network_guest_side.h"
#include "runtime/network_link_control.h"
#include "runtime/network_netlink.h"
#include "runtime/network_traffic_shaping.h"

namespace pct {

namespace {

// LXC gives the host end a random MAC whose first byte is 0xfe: the highest
// possible value, so a bridge (which takes its ports' lowest MAC) never adopts it.
MacAddress random_host_end_mac() {
    MacAddress mac{};
    mac[0] = 0xfe;
    if (getrandom(mac.data() + 1, mac.size() - 1, 0) != static_cast<ssize_t>(mac.size() - 1))
        throw UserError(std::string("cannot get random bytes for a MAC address: ") + std::strerror(errno));
    return mac;
}

// One RTM_NEWLINK makes both ends; the peer is born inside the container's
// namespace with its final name, so it never collides with a host name.
void create_veth_pair(NetlinkSocket& host, const NetworkInterfacePlan& plan, unsigned mtu, int container_netns_fd) {
    NetlinkRequest request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    request.add_string(IFLA_IFNAME, plan.host_name);
    if (mtu) request.add_u32(IFLA_MTU, mtu);
    const MacAddress host_mac = random_host_end_mac();
    request.add_bytes(IFLA_ADDRESS, host_mac.data(), host_mac.size());
    nlattr* info = request.begin_nested(IFLA_LINKINFO);
    request.add_string(IFLA_INFO_KIND, "veth");
    nlattr* data = request.begin_nested(IFLA_INFO_DATA);
    nlattr* peer = request.begin_nested(VETH_INFO_PEER);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    request.add_string(IFLA_IFNAME, plan.guest_name);
    if (mtu) request.add_u32(IFLA_MTU, mtu);
    if (!plan.hwaddr.empty()) {
        const MacAddress guest_mac = parse_mac_address(plan.hwaddr);
        request.add_bytes(IFLA_ADDRESS, guest_mac.data(), guest_mac.size());
    }
    request.add_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(container_netns_fd));
    request.end_nested(peer);
    request.end_nested(data);
    request.end_nested(info);

    NetlinkAnswer answer = host.send(request);
    if (answer.error == EEXIST) {
        if (find_link(host, plan.host_name)) throw UserError("interface '" + plan.host_name + "' already exists");
        throw UserError("interface '" + plan.guest_name + "' already exists in the container");
    }
    if (!answer)
        throw UserError(describe_netlink_failure("can't create interface " + plan.host_name + " (" + plan.key + ")",
                                                 answer));
}

// lxcnetaddbr and Proxmox's tap_plug: bridge MTU on the port, then either
// down and detached (link_down) or attached, rate-limited and up.
void plug_host_end(NetlinkSocket& host, const LinkInfo& host_end, const std::optional<LinkInfo>& bridge,
                   const NetworkInterfacePlan& plan) {
    if (!bridge) {
        // No bridge configured: a plain veth the admin routes on the host.
        if (!plan.link_down) set_link_up(host, host_end, true);
        return;
    }
    set_link_mtu(host, host_end, bridge->mtu);
    if (plan.link_down) {
        // Not attached either, so a network reload on the host cannot bring it back to life.
        set_link_up(host, host_end, false);
        return;
    }
    // firewall=1: Proxmox builds fwbr/fwln/fwpr devices only for its iptables
    // firewall (runtime.md §15.2); pct has no such firewall, so the port is
    // attached directly, as Proxmox does under its nftables firewall.
    attach_to_bridge(host, host_end, *bridge, plan.tag, plan.trunks);
    apply_rate_limit(host, host_end, plan.rate_mbps);
    set_link_up(host, host_end, true);
}

void delete_if_present(NetlinkSocket& host, const std::string& name) {
    if (std::optional<LinkInfo> link = find_link(host, name)) delete_link(host, *link);
}

// `veth<vmid>i<digits>`
bool is_container_host_end(const std::string& name, int vmid) {
    const std::string prefix = "veth" + std::to_string(vmid) + "i";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
    for (size_t i = prefix.size(); i < name.size(); ++i)
        if (name[i] < '0' || name[i] > '9') return false;
    return true;
}

}  // namespace

void create_container_interface(const NetworkInterfacePlan& plan, int container_netns_fd) {
    check_interface_name(plan.host_name);
    check_interface_name(plan.guest_name);
    NetlinkSocket host;

    std::optional<LinkInfo> bridge;
    unsigned mtu = plan.mtu.value_or(0);
    if (!plan.bridge.empty()) {
        bridge = require_linux_bridge(host, plan.bridge);
        if (plan.mtu && *plan.mtu > bridge->mtu)
            throw UserError(plan.key + ": MTU size '" + std::to_string(*plan.mtu) + "' is bigger than bridge MTU '" +
                            std::to_string(bridge->mtu) + "'");
        if (!plan.mtu) mtu = bridge->mtu;
    }
    NetlinkSocket container = NetlinkSocket::in_namespace(container_netns_fd);

    create_veth_pair(host, plan, mtu, container_netns_fd);
    try {
        plug_host_end(host, require_link(host, plan.host_name), bridge, plan);
        if (plan.host_managed && !plan.link_down)
            configure_host_managed_interface(container, require_link(container, plan.guest_name), plan);
    } catch (...) {
        try {
            delete_if_present(host, plan.host_name);  // takes the container end with it
        } catch (const UserError&) {
            // The original error is the one worth reporting.
        }
        throw;
    }
}

void create_container_interfaces(const std::vector<NetworkInterfacePlan>& plans, int container_netns_fd) {
    size_t created = 0;
    try {
        for (const NetworkInterfacePlan& plan : plans) {
            create_container_interface(plan, container_netns_fd);
            ++created;
        }
    } catch (...) {
        try {
            NetlinkSocket host;
            for (size_t i = 0; i < created; ++i) delete_if_present(host, plans[i].host_name);
        } catch (const UserError&) {
            // Keep the error that stopped the start.
        }
        throw;
    }
}

void delete_container_interfaces(int vmid) {
    NetlinkSocket host;
    for (const LinkInfo& link : list_links(host))
        if (is_container_host_end(link.name, vmid)) delete_link(host, link);
}

NetworkCounters container_network_counters(int vmid) {
    NetlinkSocket host;
    NetworkCounters counters;
    for (const LinkInfo& link : list_links(host)) {
        if (!is_container_host_end(link.name, vmid)) continue;
        counters.netin += link.transmitted_bytes;
        counters.netout += link.received_bytes;
    }
    return counters;
}

}  // namespace pct
