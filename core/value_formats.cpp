#include "core/value_formats.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/property_string.h"

namespace pct {

namespace {

bool parse_small_number(std::string_view text, int max, int& out) {
    if (text.empty() || text.size() > 5 || !is_unsigned_integer(text)) return false;
    out = std::stoi(std::string(text));
    return out <= max;
}

bool is_prefixed(std::string_view text, bool (*is_address)(std::string_view), int min_prefix, int max_prefix) {
    auto slash = text.rfind('/');
    if (slash == std::string_view::npos) return false;
    int prefix = 0;
    return is_address(text.substr(0, slash)) && parse_small_number(text.substr(slash + 1), max_prefix, prefix) &&
           prefix >= min_prefix;
}

}  // namespace

bool matches_whole(std::string_view text, const std::regex& pattern) {
    return text.size() <= kMaxPatternInput && std::regex_match(text.begin(), text.end(), pattern);
}

bool is_ipv4(std::string_view text) {
    int parts = 0;
    size_t start = 0;
    while (true) {
        size_t dot = text.find('.', start);
        std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        int value = 0;
        if (part.size() > 3 || !parse_small_number(part, 255, value)) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts == 4;
}

bool is_ipv6(std::string_view text) {
    // RFC 4291 text forms: up to 8 groups, one "::", optional trailing IPv4.
    if (text.size() < 2 || text.size() > 45) return false;
    size_t double_colon = text.find("::");
    if (double_colon != std::string_view::npos && text.find("::", double_colon + 1) != std::string_view::npos)
        return false;
    int groups = 0;
    size_t pos = 0;
    if (double_colon == 0) pos = 2;
    while (pos < text.size()) {
        size_t colon = text.find(':', pos);
        std::string_view group = text.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
        if (colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
            if (!is_ipv4(group)) return false;
            groups += 2;
            break;
        }
        if (group.empty() || group.size() > 4 ||
            !std::all_of(group.begin(), group.end(), [](unsigned char c) { return std::isxdigit(c); }))
            return false;
        ++groups;
        if (colon == std::string_view::npos) break;
        pos = colon + 1;
        if (pos == double_colon + 1) ++pos;  // skip the second ':' of "::"
        else if (pos == text.size()) return false;  // trailing single ':'
    }
    return double_colon == std::string_view::npos ? groups == 8 : groups < 8;
}

bool is_ipv4_cidr(std::string_view text) { return is_prefixed(text, is_ipv4, 8, 32); }
bool is_ipv6_cidr(std::string_view text) { return is_prefixed(text, is_ipv6, 8, 128); }

bool is_mac_address(std::string_view text) {
    if (text.size() != 17) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        bool ok = (i % 3 == 2) ? text[i] == ':' : std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
        if (!ok) return false;
    }
    return true;
}

bool is_unicast_mac(std::string_view text) {
    if (!is_mac_address(text)) return false;
    int first = std::stoi(std::string(text.substr(0, 2)), nullptr, 16);
    return (first & 1) == 0;
}

bool is_dns_name(std::string_view text) {
    static const std::regex label("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*");
    return !text.empty() && matches_whole(text, label);
}

bool is_config_id(std::string_view text) {
    static const std::regex id("[a-zA-Z][a-zA-Z0-9_-]+");
    return matches_whole(text, id);
}

bool is_tag(std::string_view text) {
    static const std::regex tag("[a-zA-Z0-9_][a-zA-Z0-9_+.-]*");
    return matches_whole(text, tag);
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::string current;
    for (char c : text) {
        if (c == ',' || c == ';' || c == '\0' || std::isspace(static_cast<unsigned char>(c))) {
            if (!current.empty()) items.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) items.push_back(std::move(current));
    return items;
}

std::optional<std::string> check_ip_list(std::string_view text) {
    for (const auto& item : split_list(text)) {
        // Link-local IPv6 may carry a zone: fe80::1%eth0.
        std::string_view address = item;
        if (auto percent = address.find('%'); percent != std::string_view::npos) address = address.substr(0, percent);
        if (!is_ipv4(address) && !is_ipv6(address)) return "value '" + item + "' does not look like a valid ip address";
    }
    return std::nullopt;
}

std::optional<std::string> check_dns_name_list(std::string_view text) {
    for (const auto& item : split_list(text))
        if (!is_dns_name(item)) return "value '" + item + "' does not look like a valid DNS name";
    return std::nullopt;
}

std::optional<std::string> check_startup(std::string_view text) {
    static const std::regex item("(order=)?\\d+|up=\\d+|down=\\d+");
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string part(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!matches_whole(part, item)) return "invalid startup value '" + part + "'";
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_tags(std::string_view text) {
    for (const auto& item : split_list(text))
        if (!is_tag(item)) return "invalid tag '" + item + "'";
    return std::nullopt;
}

std::string normalize_space_list(std::string_view text) {
    std::string out;
    for (const auto& item : split_list(text)) out += (out.empty() ? "" : " ") + item;
    return out;
}

std::string normalize_tags(std::string_view text) {
    std::vector<std::string> tags;
    for (auto item : split_list(text)) {
        std::transform(item.begin(), item.end(), item.begin(), [](unsigned char c) { return std::tolower(c); });
        if (std::find(tags.begin(), tags.end(), item) == tags.end()) tags.push_back(item);
    }
    std::sort(tags.begin(), tags.end());
    std::string out;
    for (const auto& tag : tags) out += (out.empty() ? "" : ";") + tag;
    return out;
}

}  // namespace pct
