#pragma once
// Scalar formats shared by options and property strings (config.md §4).
// Each check returns an error message, or nullopt when the value is fine.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

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
