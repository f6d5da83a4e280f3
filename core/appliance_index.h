#pragma once
// The appliance index `pveam` downloads (cli.md §5): Debian-control-like
// paragraphs that describe container templates, where to fetch them and
// their checksums. Parsed the way Proxmox's PVE::APLInfo reads it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

struct ApplianceRecord {
    std::string package;
    std::string version;
    std::string type;          // "lxc" or "openvz"
    std::string os;
    std::string section;       // "unknown" when the record has none
    std::string architecture;  // empty when absent
    std::string maintainer;
    std::string infopage;
    std::string headline;      // first line of Description
    std::string description;   // continuation lines joined by single spaces
    std::string md5sum;        // lower-case hex, may be empty
    std::string sha512sum;     // lower-case hex, may be empty
    std::string template_name; // the file name in the template cache
    std::string url;           // absolute download URL
};

struct ApplianceIndex {
    std::vector<ApplianceRecord> records;  // file order
    // One line per record that was skipped; `pveam update` refuses an index
    // with problems, reading a stored one only warns.
    std::vector<std::string> problems;
};

// `source_url` is the URL the index was fetched from: relative `Location`s
// resolve against it, and records without a Location are fetched from
// `<index dir>/<section>/<template>` as Proxmox does.
ApplianceIndex parse_appliance_index(std::string_view text, std::string_view source_url);

// The suffixes of template archives: .tar, .tar.gz, .tar.xz, .tar.zst, .tar.bz2.
bool has_template_extension(std::string_view file_name);

// `location` as an absolute URL: kept when it has a scheme, else resolved
// against `base_url` (a leading '/' replaces the path, anything else the
// last path segment).
std::string resolve_url(std::string_view base_url, std::string_view location);

// The records `pveam available` prints: sorted by section, then template
// name; only `section` when given. Later records win over earlier ones with
// the same template name, as in Proxmox's hash.
std::vector<ApplianceRecord> available_templates(const std::vector<ApplianceRecord>& records,
                                                 std::optional<std::string_view> section = std::nullopt);

// `%-15s %-60s %s`: section, template name, architecture or `unknown`.
std::string format_available_line(const ApplianceRecord& record);

}  // namespace pct
