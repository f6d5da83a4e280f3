#pragma once
// Proxmox property strings: "default,key=value,key=value" (config.md §3).
// There is no quoting or escaping: values cannot contain commas.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

enum class ValueType { String, Boolean, Integer, Number };

// Returns an error message when the value is not acceptable.
using ValueCheck = std::function<std::optional<std::string>(std::string_view)>;

struct SubKeySpec {
    std::string name;
    ValueType type = ValueType::String;
    bool optional = true;
    std::vector<std::string> enum_values;  // empty: any value
    std::optional<double> minimum;
    std::optional<double> maximum;
    ValueCheck check;       // format check for strings
    bool printed = true;    // internal helper keys are never printed
};

struct PropertyFormat {
    std::string default_key;  // empty: bare values are an error
    std::vector<SubKeySpec> keys;

    const SubKeySpec* find(std::string_view key) const;
};

using PropertyMap = std::map<std::string, std::string, std::less<>>;

// Splits and syntax-checks a property string; booleans come back as "1"/"0".
// Throws UserError with the spec's message on the first syntax error.
PropertyMap parse_property_string(std::string_view text, const PropertyFormat& format);

// Checks a parsed map against the format: required keys, types, ranges,
// enums and format checks. Returns every problem, each "<subkey>: <what>"
// (or a bare message for missing keys); empty when valid.
std::vector<std::string> validate_property_map(const PropertyMap& map, const PropertyFormat& format);

// Parse and validate; throws UserError naming the first problem.
PropertyMap parse_and_validate_property_string(std::string_view text, const PropertyFormat& format);

// Canonical form (config.md §3): default key bare first, then required keys,
// then the rest, each group in ASCII order; unprinted keys are skipped.
std::string print_property_string(const PropertyMap& map, const PropertyFormat& format);

// Shared by the config loader and property strings.
std::optional<std::string> normalize_boolean(std::string_view value);
bool is_unsigned_integer(std::string_view value);
bool is_unsigned_number(std::string_view value);

}  // namespace pct
