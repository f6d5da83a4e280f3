#pragma once
// Address arithmetic for the network writers: parsing, netmasks, and
// "is the gateway inside this subnet" (guest-setup.md §5).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pct::guest {

enum class IpFamily { V4, V6 };

// 4 or 16 significant bytes (IPv4 uses the first four).
struct IpAddress {
    IpFamily family = IpFamily::V4;
    std::array<uint8_t, 16> bytes{};
};

std::optional<IpAddress> parse_ip_address(std::string_view text, IpFamily family);

struct Ipv4Cidr {
    std::string address;
    std::string netmask;  // dotted form of the prefix
};
// "a.b.c.d/N" with N in 8..32.
std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text);

struct Ipv6Cidr {
    std::string address;
    std::string prefix_length;
};
// "<ipv6>/N" (N as written, digits only).
std::optional<Ipv6Cidr> parse_ipv6_cidr(std::string_view text);

// True when `ip` lies inside `cidr`, both read as `family`; false when
// either does not parse as that family.
bool is_ip_in_cidr(std::string_view ip, std::string_view cidr, IpFamily family);

}  // namespace pct::guest
