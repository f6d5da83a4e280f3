#pragma once
// Scalar formats shared by options and property strings (config.md §4).
// Each check returns an error message, or nullopt when the value is fine.
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

// std::regex matching recurses per repetition, so a long enough value would
// overflow the stack; every whole-value pattern match goes through this,
// which refuses inputs longer than kMaxPatternInput instead.
constexpr size_t kMaxPatternInput = 4096;
bool matches_whole(std::string_view text, const std::regex& pattern);

bool is_ipv4(std::string_view text);
bool is_ipv6(std::string_view text);
bool is_mac_address(std::string_view text);
bool is_unicast_mac(std::string_view text);
bool is_dns_name(std::string_view text);
bool is_config_id(std::string_view text);  // snapshot names, parent
bool is_tag(std::string_view text);

// "addr/prefix" with prefix in [min_prefix, max_prefix].
bool is_ipv4_cidr(std::string_view text);
bool is_ipv6_cidr(std::string_view text);

// Items of a "-list" format: separated by ',', ';', whitespace or NUL.
std::vector<std::string> split_list(std::string_view text);

std::optional<std::string> check_ip_list(std::string_view text);
std::optional<std::string> check_dns_name_list(std::string_view text);
std::optional<std::string> check_startup(std::string_view text);
std::optional<std::string> check_tags(std::string_view text);

// pct set normalisations (config.md §5).
std::string normalize_space_list(std::string_view text);  // nameserver, searchdomain
std::string normalize_tags(std::string_view text);

}  // namespace pct
