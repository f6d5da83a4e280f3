#pragma once
// The container option schema (config.md §5–9) as one table.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/property_string.h"

namespace pct {

struct OptionSpec {
    std::string name;          // "memory", or "mp" for the indexed family mp0..mp255
    int index_count = 0;       // >0: an indexed family name0..name<count-1>
    ValueType type = ValueType::String;
    const PropertyFormat* property_format = nullptr;  // property-string options
    ValueCheck check;          // format check for plain strings (list formats, dns names, ...)
    std::vector<std::string> enum_values;
    std::optional<double> minimum;
    std::optional<double> maximum;
    std::optional<size_t> max_length;
    std::string default_value;  // as documented; empty when none
    std::string description;
    bool settable = true;       // internal keys (parent, snaptime, ...) are not CLI options
};

// The whole schema, in documentation order.
const std::vector<OptionSpec>& option_schema();

// Finds the spec for a concrete key ("mp12" -> the mp family); nullptr when unknown.
const OptionSpec* find_option(std::string_view key);

// "mp12" -> {"mp", 12}; keys without a trailing number -> {key, -1}.
std::pair<std::string_view, int> split_indexed_key(std::string_view key);

// Load-time check (config.md §2.4): syntax and type only, no ranges or enums.
// Returns the normalised value (booleans 1/0, integers without leading zeros)
// or throws UserError describing the problem.
std::string check_value_on_load(const OptionSpec& spec, std::string_view value);

// Full check as `pct set`/`create` applies it: also enums, ranges, lengths
// and property-string sub-keys. Returns every problem, each naming the key.
std::vector<std::string> validate_option(std::string_view key, std::string_view value);

// Property-string formats (also used outside the schema).
const PropertyFormat& rootfs_format();
const PropertyFormat& mount_point_format();
const PropertyFormat& unused_format();
const PropertyFormat& network_format();
const PropertyFormat& features_format();
const PropertyFormat& device_format();
// rootfs_format() for "rootfs", mount_point_format() for mpN.
const PropertyFormat& volume_key_format(std::string_view key);

}  // namespace pct
