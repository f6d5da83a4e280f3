#pragma once
// The container config file <id>.conf (config.md §2): parser and canonical writer.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pct {

struct ConfigSection {
    std::map<std::string, std::string> values;  // ordinary keys, values as stored
    std::string description;                    // decoded text of the '#' lines
    std::vector<std::pair<std::string, std::string>> lxc;  // raw lxc.* entries in file order

    bool empty() const { return values.empty() && description.empty() && lxc.empty(); }
    const std::string* get(std::string_view key) const;
    bool has(std::string_view key) const { return get(key) != nullptr; }
};

struct ContainerConfig {
    ConfigSection main;
    ConfigSection pending;                          // [pve:pending]; empty when absent
    std::map<std::string, ConfigSection> snapshots;  // by name, ASCII order
};

struct ConfigProblem {
    size_t line = 0;    // 1-based line in the file
    std::string key;    // the key concerned, or empty for unparsable lines
    std::string message;
};

struct ParsedConfig {
    ContainerConfig config;
    std::vector<ConfigProblem> problems;  // the lenient loader's warnings (config.md §2.5)
};

enum class ValueChecks {
    LoadOnly,  // Proxmox's loader: syntax and types only (config.md §2.4)
    Full,      // also ranges, enums and lengths, as `pct set` would check them
};

// Lenient parse: problems are collected, values that fail their check are
// still stored, unparsable lines and rejected lxc.* keys are dropped.
ParsedConfig parse_config(std::string_view text, int vmid, ValueChecks checks = ValueChecks::LoadOnly);

// Canonical writer (config.md §2.6). Throws UserError for a value with a newline.
std::string write_config(const ContainerConfig& config);

// Description encoding of '#' lines (config.md §2.2).
std::string encode_description_line(std::string_view text);
std::string decode_description_line(std::string_view text);

// Volume referenced by a rootfs/mpN/unusedN value (its default key), or empty.
std::string volume_of_mount_value(std::string_view value);

}  // namespace pct
