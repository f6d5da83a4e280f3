#include "runtime/network_guest_side.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstring>

#include "core/error.h"

namespace pct {

namespace {

struct IpAddress {
    int family = AF_INET;
    std::array<uint8_t, 16> bytes{};
    unsigned prefix_length = 0;

    size_t size() const { return family == AF_INET ? 4 : 16; }
    std::string text() const {
        char buffer[INET6_ADDRSTRLEN];
        inet_ntop(family, bytes.data(), buffer, sizeof buffer);
        return buffer;
    }
};

// The plan carries Proxmox's ip/ip6/gw/gw6 values; only static ones reach
// the runtime (DHCP runs from the host after start).
bool is_static(const std::string& value) {
    return !value.empty() && value != "dhcp" && value != "manual" && value != "auto";
}

IpAddress parse_address(const std::string& text, int family, bool with_prefix) {
    IpAddress address;
    address.family = family;
    std::string host = text;
    const unsigned max_prefix = family == AF_INET ? 32 : 128;
    address.prefix_length = max_prefix;
    if (with_prefix) {
        const size_t slash = text.find('/');
        bool valid = slash != std::string::npos && slash + 1 < text.size();
        unsigned prefix = 0;
        for (size_t i = slash + 1; valid && i < text.size(); ++i) {
            valid = text[i] >= '0' && text[i] <= '9' && prefix <= max_prefix;
            prefix = prefix * 10 + static_cast<unsigned>(text[i] - '0');
        }
        if (!valid || prefix > max_prefix) throw UserError("invalid address '" + text + "'");
        host = text.substr(0, slash);
        address.prefix_length = prefix;
    }
    if (inet_pton(family, host.c_str(), address.bytes.data()) != 1)
        throw UserError("invalid address '" + text + "'");
    return address;
}

void add_address(NetlinkSocket& socket, const LinkInfo& interface, const IpAddress& address) {
    NetlinkRequest request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    auto& header = request.add_header<ifaddrmsg>();
    header.ifa_family = static_cast<uint8_t>(address.family);
    header.ifa_prefixlen = static_cast<uint8_t>(address.prefix_length);
    header.ifa_scope = RT_SCOPE_UNIVERSE;
    header.ifa_index = static_cast<unsigned>(interface.index);
    request.add_bytes(IFA_LOCAL, address.bytes.data(), address.size());
    request.add_bytes(IFA_ADDRESS, address.bytes.data(), address.size());
    if (address.family == AF_INET && address.prefix_length < 31) {
        // LXC sets the broadcast address derived from the prefix.
        uint32_t host_order;
        std::memcpy(&host_order, address.bytes.data(), 4);
        const uint32_t host_bits = address.prefix_length == 0 ? ~0U : (~0U >> address.prefix_length);
        const uint32_t broadcast = htonl(ntohl(host_order) | host_bits);
        request.add_bytes(IFA_BROADCAST, &broadcast, sizeof broadcast);
    }
    socket.run(request, "cannot add address " + address.text() + "/" + std::to_string(address.prefix_length) +
                            " to '" + interface.name + "'");
}

NetlinkAnswer add_route(NetlinkSocket& socket, const LinkInfo& interface, const IpAddress* destination,
                        const IpAddress* gateway) {
    NetlinkRequest request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    auto& header = request.add_header<rtmsg>();
    const IpAddress& any = destination ? *destination : *gateway;
    header.rtm_family = static_cast<uint8_t>(any.family);
    header.rtm_dst_len = destination ? static_cast<uint8_t>(destination->prefix_length) : 0;
    header.rtm_table = RT_TABLE_MAIN;
    header.rtm_protocol = RTPROT_BOOT;
    header.rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    header.rtm_type = RTN_UNICAST;
    if (destination) request.add_bytes(RTA_DST, destination->bytes.data(), destination->size());
    if (gateway) request.add_bytes(RTA_GATEWAY, gateway->bytes.data(), gateway->size());
    request.add_u32(RTA_OIF, static_cast<uint32_t>(interface.index));
    return socket.send(request);
}

void add_default_route(NetlinkSocket& socket, const LinkInfo& interface, const IpAddress& gateway) {
    NetlinkAnswer answer = add_route(socket, interface, nullptr, &gateway);
    if (!answer) {
        // As LXC: a gateway outside the interface's subnets is reached through a host route to it.
        if (add_route(socket, interface, &gateway, nullptr)) answer = add_route(socket, interface, nullptr, &gateway);
    }
    if (!answer)
        throw UserError(describe_netlink_failure(
            "cannot add the default route via " + gateway.text() + " on '" + interface.name + "'", answer));
}

}  // namespace

void configure_host_managed_interface(NetlinkSocket& container, const LinkInfo& interface,
                                      const NetworkInterfacePlan& plan) {
    if (plan.ipv6 == "auto")
        throw UserError(plan.key + ": SLAAC is not supported for host-managed network configuration");
    if (is_static(plan.ipv4)) add_address(container, interface, parse_address(plan.ipv4, AF_INET, true));
    if (is_static(plan.ipv6)) add_address(container, interface, parse_address(plan.ipv6, AF_INET6, true));
    set_link_up(container, interface, true);
    set_link_up(container, require_link(container, "lo"), true);
    // Routes last: the kernel only accepts a gateway it can reach over an interface that is up.
    if (is_static(plan.gateway4)) add_default_route(container, interface, parse_address(plan.gateway4, AF_INET, false));
    if (is_static(plan.gateway6))
        add_default_route(container, interface, parse_address(plan.gateway6, AF_INET6, false));
}

}  // namespace pct
