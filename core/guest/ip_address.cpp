#include "core/guest/ip_address.h"

#include <charconv>
#include <vector>

namespace pct::guest {

namespace {

std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

std::optional<std::array<uint8_t, 4>> parse_ipv4_bytes(std::string_view text) {
    std::array<uint8_t, 4> bytes{};
    for (int i = 0; i < 4; ++i) {
        size_t dot = i < 3 ? text.find('.') : text.size();
        if (dot == std::string_view::npos) return std::nullopt;
        auto octet = parse_decimal(text.substr(0, dot), 255);
        if (!octet) return std::nullopt;
        bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(*octet);
        text.remove_prefix(i < 3 ? dot + 1 : dot);
    }
    return bytes;
}

std::optional<std::vector<uint16_t>> parse_hex_groups(std::string_view text, std::optional<std::array<uint8_t, 4>>& tail_v4) {
    std::vector<uint16_t> groups;
    if (text.empty()) return groups;
    while (true) {
        size_t colon = text.find(':');
        std::string_view group = text.substr(0, colon);
        if (colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
            tail_v4 = parse_ipv4_bytes(group);
            if (!tail_v4) return std::nullopt;
            return groups;
        }
        if (group.empty() || group.size() > 4) return std::nullopt;
        unsigned value = 0;
        auto [end, error] = std::from_chars(group.data(), group.data() + group.size(), value, 16);
        if (error != std::errc() || end != group.data() + group.size()) return std::nullopt;
        groups.push_back(static_cast<uint16_t>(value));
        if (colon == std::string_view::npos) return groups;
        text.remove_prefix(colon + 1);
    }
}

std::optional<std::array<uint8_t, 16>> parse_ipv6_bytes(std::string_view text) {
    size_t gap = text.find("::");
    std::optional<std::array<uint8_t, 4>> head_v4, tail_v4;
    std::optional<std::vector<uint16_t>> head, tail;
    if (gap == std::string_view::npos) {
        head = parse_hex_groups(text, tail_v4);
        tail = std::vector<uint16_t>{};
    } else {
        if (text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
        head = parse_hex_groups(text.substr(0, gap), head_v4);
        tail = parse_hex_groups(text.substr(gap + 2), tail_v4);
        if (head_v4) return std::nullopt;
    }
    if (!head || !tail) return std::nullopt;
    size_t words = head->size() + tail->size() + (tail_v4 ? 2 : 0);
    if (gap == std::string_view::npos ? words != 8 : words > 7) return std::nullopt;

    std::array<uint8_t, 16> bytes{};
    size_t position = 0;
    for (uint16_t group : *head) {
        bytes[position++] = static_cast<uint8_t>(group >> 8);
        bytes[position++] = static_cast<uint8_t>(group);
    }
    position = 16 - (tail->size() * 2 + (tail_v4 ? 4 : 0));
    for (uint16_t group : *tail) {
        bytes[position++] = static_cast<uint8_t>(group >> 8);
        bytes[position++] = static_cast<uint8_t>(group);
    }
    if (tail_v4) {
        for (uint8_t byte : *tail_v4) bytes[position++] = byte;
    }
    return bytes;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text, IpFamily family) {
    IpAddress address{family, {}};
    if (family == IpFamily::V4) {
        auto bytes = parse_ipv4_bytes(text);
        if (!bytes) return std::nullopt;
        std::copy(bytes->begin(), bytes->end(), address.bytes.begin());
    } else {
        auto bytes = parse_ipv6_bytes(text);
        if (!bytes) return std::nullopt;
        address.bytes = *bytes;
    }
    return address;
}

std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view text) {
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto prefix = parse_decimal(text.substr(slash + 1), 32);
    if (!prefix || *prefix < 8 || !parse_ipv4_bytes(text.substr(0, slash))) return std::nullopt;
    uint32_t mask = *prefix == 0 ? 0 : ~uint32_t{0} << (32 - *prefix);
    std::string netmask = std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 0xFF) + "." +
                          std::to_string((mask >> 8) & 0xFF) + "." + std::to_string(mask & 0xFF);
    return Ipv4Cidr{std::string(text.substr(0, slash)), netmask};
}

std::optional<Ipv6Cidr> parse_ipv6_cidr(std::string_view text) {
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    if (!parse_ipv6_bytes(text.substr(0, slash))) return std::nullopt;
    return Ipv6Cidr{std::string(text.substr(0, slash)), std::string(prefix)};
}

bool is_ip_in_cidr(std::string_view ip, std::string_view cidr, IpFamily family) {
    size_t slash = cidr.find('/');
    if (slash == std::string_view::npos) return false;
    unsigned max_prefix = family == IpFamily::V4 ? 32 : 128;
    auto prefix = parse_decimal(cidr.substr(slash + 1), max_prefix);
    auto network = parse_ip_address(cidr.substr(0, slash), family);
    auto address = parse_ip_address(ip, family);
    if (!prefix || !network || !address) return false;
    for (unsigned bit = 0; bit < *prefix; ++bit) {
        uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
        if ((network->bytes[bit / 8] & mask) != (address->bytes[bit / 8] & mask)) return false;
    }
    return true;
}

}  // namespace pct::guest
