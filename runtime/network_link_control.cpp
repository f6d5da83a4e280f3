#include "runtime/network_link_control.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace pct {

namespace {

// The bridge settings Proxmox's copy_bridge_config() carries over.
bool is_copied_bridge_setting(uint16_t type) {
    switch (type) {
        case IFLA_BR_AGEING_TIME:
        case IFLA_BR_STP_STATE:
        case IFLA_BR_PRIORITY:
        case IFLA_BR_FORWARD_DELAY:
        case IFLA_BR_HELLO_TIME:
        case IFLA_BR_MAX_AGE:
        case IFLA_BR_MCAST_SNOOPING:
        case IFLA_BR_MCAST_QUERIER:
            return true;
        default:
            return false;
    }
}

void read_bridge_data(const nlattr& data, LinkInfo& link) {
    for_each_nested(data, [&](const nlattr& attribute) {
        const uint16_t type = mnl_attr_get_type(&attribute);
        if (type == IFLA_BR_VLAN_FILTERING && mnl_attr_get_payload_len(&attribute) >= 1)
            link.vlan_filtering = mnl_attr_get_u8(&attribute) != 0;
        if (is_copied_bridge_setting(type)) {
            const auto* payload = static_cast<const uint8_t*>(mnl_attr_get_payload(&attribute));
            link.bridge_settings.emplace_back(
                type, std::vector<uint8_t>(payload, payload + mnl_attr_get_payload_len(&attribute)));
        }
    });
}

void read_link_info(const nlattr& info, LinkInfo& link) {
    const nlattr* data = nullptr;
    for_each_nested(info, [&](const nlattr& attribute) {
        const uint16_t type = mnl_attr_get_type(&attribute);
        if (type == IFLA_INFO_KIND && mnl_attr_validate(&attribute, MNL_TYPE_NUL_STRING) >= 0)
            link.kind = mnl_attr_get_str(&attribute);
        if (type == IFLA_INFO_DATA) data = &attribute;
    });
    if (data && link.kind == "bridge") read_bridge_data(*data, link);
}

LinkInfo parse_link(const nlmsghdr& message) {
    const auto* header = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(&message));
    LinkInfo link;
    link.index = header->ifi_index;
    link.hardware_type = header->ifi_type;
    link.flags = header->ifi_flags;
    for_each_attribute(message, sizeof(ifinfomsg), [&](const nlattr& attribute) {
        switch (mnl_attr_get_type(&attribute)) {
            case IFLA_IFNAME:
                if (mnl_attr_validate(&attribute, MNL_TYPE_NUL_STRING) >= 0) link.name = mnl_attr_get_str(&attribute);
                break;
            case IFLA_MTU:
                link.mtu = mnl_attr_get_u32(&attribute);
                break;
            case IFLA_MASTER:
                link.master = static_cast<int>(mnl_attr_get_u32(&attribute));
                break;
            case IFLA_LINKINFO:
                read_link_info(attribute, link);
                break;
            case IFLA_STATS64:
                if (mnl_attr_get_payload_len(&attribute) >= sizeof(rtnl_link_stats64)) {
                    rtnl_link_stats64 stats;
                    std::memcpy(&stats, mnl_attr_get_payload(&attribute), sizeof stats);
                    link.received_bytes = stats.rx_bytes;
                    link.transmitted_bytes = stats.tx_bytes;
                }
                break;
            default:
                break;
        }
    });
    return link;
}

// An RTM_SETLINK for one existing link; the caller adds what changes.
struct LinkChange {
    NetlinkRequest request{RTM_SETLINK, 0};
    ifinfomsg& header;
    explicit LinkChange(const LinkInfo& link) : header(request.add_header<ifinfomsg>()) {
        header.ifi_family = AF_UNSPEC;
        header.ifi_index = link.index;
    }
};

}  // namespace

std::optional<LinkInfo> find_link(NetlinkSocket& socket, const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ) return std::nullopt;
    NetlinkRequest request(RTM_GETLINK, 0);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    request.add_string(IFLA_IFNAME, name);
    std::optional<LinkInfo> found;
    NetlinkAnswer answer = socket.send(request, [&](const nlmsghdr& reply) {
        if (reply.nlmsg_type == RTM_NEWLINK) found = parse_link(reply);
    });
    if (answer.error == ENODEV) return std::nullopt;
    if (!answer) throw UserError(describe_netlink_failure("cannot look up interface '" + name + "'", answer));
    return found;
}

std::optional<LinkInfo> find_link(const std::string& name) {
    NetlinkSocket socket;
    return find_link(socket, name);
}

std::vector<LinkInfo> list_links(NetlinkSocket& socket) {
    NetlinkRequest request(RTM_GETLINK, NLM_F_DUMP);
    request.add_header<ifinfomsg>().ifi_family = AF_UNSPEC;
    std::vector<LinkInfo> links;
    NetlinkAnswer answer = socket.send(request, [&](const nlmsghdr& reply) {
        if (reply.nlmsg_type == RTM_NEWLINK) links.push_back(parse_link(reply));
    });
    if (!answer) throw UserError(describe_netlink_failure("cannot list network interfaces", answer));
    return links;
}

LinkInfo require_link(NetlinkSocket& socket, const std::string& name) {
    std::optional<LinkInfo> link = find_link(socket, name);
    if (!link) throw UserError("interface '" + name + "' does not exist");
    return *link;
}

void check_interface_name(const std::string& name) {
    // Same rules as Proxmox's check_iface_name (iproute2 rejects isspace() and '/').
    if (name.size() >= IFNAMSIZ) throw UserError("the interface name " + name + " is too long");
    bool invalid = name.empty();
    for (char c : name) invalid = invalid || std::isspace(static_cast<unsigned char>(c)) || c == '/';
    if (invalid) throw UserError("the interface name " + name + " is empty or contains invalid characters");
}

MacAddress parse_mac_address(const std::string& text) {
    MacAddress mac{};
    unsigned bytes[6];
    char trailing;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &bytes[0], &bytes[1], &bytes[2], &bytes[3],
                    &bytes[4], &bytes[5], &trailing) != 6 ||
        text.size() != 17)
        throw UserError("invalid MAC address '" + text + "'");
    for (size_t i = 0; i < mac.size(); ++i) mac[i] = static_cast<uint8_t>(bytes[i]);
    return mac;
}

void set_link_mtu(NetlinkSocket& socket, const LinkInfo& link, unsigned mtu) {
    LinkChange change(link);
    change.request.add_u32(IFLA_MTU, mtu);
    socket.run(change.request, "cannot set MTU " + std::to_string(mtu) + " on '" + link.name + "'");
}

void set_link_up(NetlinkSocket& socket, const LinkInfo& link, bool up) {
    LinkChange change(link);
    change.header.ifi_change = IFF_UP;
    change.header.ifi_flags = up ? IFF_UP : 0;
    socket.run(change.request, std::string("cannot set interface '") + link.name + "' " + (up ? "up" : "down"));
}

void set_link_master(NetlinkSocket& socket, const LinkInfo& port, const LinkInfo& bridge) {
    LinkChange change(port);
    change.request.add_u32(IFLA_MASTER, static_cast<uint32_t>(bridge.index));
    socket.run(change.request, "can't enslave '" + port.name + "' to '" + bridge.name + "'");
}

void delete_link(NetlinkSocket& socket, const LinkInfo& link) {
    NetlinkRequest request(RTM_DELLINK, 0);
    auto& header = request.add_header<ifinfomsg>();
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = link.index;
    NetlinkAnswer answer = socket.send(request);
    if (!answer && answer.error != ENODEV)
        throw UserError(describe_netlink_failure("failed to delete interface '" + link.name + "'", answer));
}

void disable_ipv6(const std::string& name) {
    // /proc/sys/net follows the network namespace of the calling thread.
    const std::string path = "/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6";
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;  // IPv6 is off on this host
        throw UserError("failed to open " + path + " for writing: " + std::strerror(errno));
    }
    bool written = write(fd, "1\n", 2) == 2;
    close(fd);
    if (!written) throw UserError("failed to disable link-local ipv6 for " + name);
}

}  // namespace pct
