#pragma once
// /etc/os-release as guest setup reads it (guest-setup.md §6.0 step 1).
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pct::guest {

using OsRelease = std::map<std::string, std::string>;

// KEY=VALUE lines; 'single' quotes literal, "double" quotes with backslash
// escapes, unquoted values cut after the leading [A-Za-z0-9] run.
OsRelease parse_os_release(std::string_view text);

// VERSION_ID's leading number ("38", "24.03"); nullopt when there is none.
std::optional<double> version_id_number(const OsRelease& os_release);

}  // namespace pct::guest
