#pragma once
// Reading and changing network links over rtnetlink (the equivalents of
// `ip link show/set/del`), in the namespace of the socket given.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/network_netlink.h"

namespace pct {

struct LinkInfo {
    int index = 0;
    std::string name;
    unsigned hardware_type = 0;   // ARPHRD_*
    unsigned flags = 0;           // IFF_*
    unsigned mtu = 0;
    int master = 0;               // ifindex of the bridge it is a port of; 0: none
    std::string kind;             // "bridge", "veth", "vlan", ...; empty for a physical NIC
    bool vlan_filtering = false;  // bridges only
    // IFLA_BR_* attributes Proxmox copies to a `<bridge>v<tag>` bridge (type, raw payload).
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> bridge_settings;
    uint64_t received_bytes = 0;
    uint64_t transmitted_bytes = 0;
};

using MacAddress = std::array<uint8_t, 6>;

std::optional<LinkInfo> find_link(NetlinkSocket& socket, const std::string& name);
// The same through a socket of the calling thread's network namespace.
std::optional<LinkInfo> find_link(const std::string& name);
std::vector<LinkInfo> list_links(NetlinkSocket& socket);
// The link's description or UserError "<what>" when it is gone.
LinkInfo require_link(NetlinkSocket& socket, const std::string& name);

// Throws UserError unless the name is usable for a network interface
// (shorter than IFNAMSIZ, not empty, no blanks or '/').
void check_interface_name(const std::string& name);
// "aa:bb:cc:dd:ee:ff" -> bytes; UserError when malformed.
MacAddress parse_mac_address(const std::string& text);

void set_link_mtu(NetlinkSocket& socket, const LinkInfo& link, unsigned mtu);
void set_link_up(NetlinkSocket& socket, const LinkInfo& link, bool up);
void set_link_master(NetlinkSocket& socket, const LinkInfo& port, const LinkInfo& bridge);
void delete_link(NetlinkSocket& socket, const LinkInfo& link);

// Writes /proc/sys/net/ipv6/conf/<name>/disable_ipv6 of the calling
// thread's namespace; nothing to do when the host has no IPv6.
void disable_ipv6(const std::string& name);

}  // namespace pct
