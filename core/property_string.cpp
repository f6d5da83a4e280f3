#include "core/property_string.h"

#include <algorithm>
#include <charconv>
#include <cctype>

#include "core/error.h"

namespace pct {

const SubKeySpec* PropertyFormat::find(std::string_view key) const {
    for (const auto& spec : keys)
        if (spec.name == key) return &spec;
    return nullptr;
}

static bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

std::optional<std::string> normalize_boolean(std::string_view value) {
    std::string lower;
    for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "1" || lower == "on" || lower == "yes" || lower == "true") return "1";
    if (lower == "0" || lower == "off" || lower == "no" || lower == "false") return "0";
    return std::nullopt;
}

bool is_unsigned_integer(std::string_view value) {
    return !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_unsigned_number(std::string_view value) {
    auto dot = value.find('.');
    if (dot == std::string_view::npos) return is_unsigned_integer(value);
    return is_unsigned_integer(value.substr(0, dot)) && is_unsigned_integer(value.substr(dot + 1));
}

PropertyMap parse_property_string(std::string_view text, const PropertyFormat& format) {
    PropertyMap map;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (is_blank(part)) continue;

        std::string key;
        std::string value;
        auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            if (format.default_key.empty())
                throw UserError("value without key, but schema does not define a default key");
            key = format.default_key;
            value = std::string(part);
        } else {
            key = std::string(part.substr(0, eq));
            value = std::string(part.substr(eq + 1));
            if (key.empty() || value.empty()) throw UserError("missing key in comma-separated list property");
        }
        const SubKeySpec* spec = format.find(key);
        if (!spec) throw UserError("unknown key '" + key + "'");
        if (map.count(key)) throw UserError("duplicate key in comma-separated list property: " + key);
        if (spec->type == ValueType::Boolean) {
            if (auto normal = normalize_boolean(value)) value = *normal;
        }
        map.emplace(std::move(key), std::move(value));
    }
    return map;
}

static std::optional<std::string> check_value(const SubKeySpec& spec, std::string_view value) {
    switch (spec.type) {
        case ValueType::Boolean:
            if (value != "0" && value != "1") return "type check ('boolean') failed - got '" + std::string(value) + "'";
            break;
        case ValueType::Integer:
        case ValueType::Number: {
            bool ok = spec.type == ValueType::Integer ? is_unsigned_integer(value) : is_unsigned_number(value);
            if (!ok) {
                const char* name = spec.type == ValueType::Integer ? "integer" : "number";
                return "type check ('" + std::string(name) + "') failed - got '" + std::string(value) + "'";
            }
            double number = 0;
            std::from_chars(value.data(), value.data() + value.size(), number);
            if (spec.minimum && number < *spec.minimum)
                return "value must have a minimum value of " + std::to_string(static_cast<long long>(*spec.minimum));
            if (spec.maximum && number > *spec.maximum)
                return "value may only be " + std::to_string(static_cast<long long>(*spec.maximum)) + " or less";
            break;
        }
        case ValueType::String:
            break;
    }
    if (!spec.enum_values.empty() &&
        std::find(spec.enum_values.begin(), spec.enum_values.end(), value) == spec.enum_values.end()) {
        std::string list;
        for (const auto& item : spec.enum_values) list += (list.empty() ? "" : ", ") + item;
        return "value '" + std::string(value) + "' does not have a value in the enumeration '" + list + "'";
    }
    if (spec.check) return spec.check(value);
    return std::nullopt;
}

std::vector<std::string> validate_property_map(const PropertyMap& map, const PropertyFormat& format) {
    std::vector<std::string> problems;
    for (const auto& spec : format.keys) {
        auto it = map.find(spec.name);
        if (it == map.end()) {
            if (!spec.optional) problems.push_back(spec.name + ": property is missing and it is not optional");
            continue;
        }
        if (auto problem = check_value(spec, it->second)) problems.push_back(spec.name + ": " + *problem);
    }
    return problems;
}

PropertyMap parse_and_validate_property_string(std::string_view text, const PropertyFormat& format) {
    PropertyMap map = parse_property_string(text, format);
    auto problems = validate_property_map(map, format);
    if (!problems.empty()) throw UserError(problems.front());
    return map;
}

std::string print_property_string(const PropertyMap& map, const PropertyFormat& format) {
    std::string out;
    auto append = [&](const std::string& key, const std::string& value, bool bare) {
        if (value.find(',') != std::string::npos) throw UserError("illegal value with commas for " + key);
        if (!out.empty()) out += ',';
        if (!bare) out += key + '=';
        out += value;
    };
    if (!format.default_key.empty()) {
        if (auto it = map.find(format.default_key); it != map.end()) append(it->first, it->second, true);
    }
    // PropertyMap is ordered, so each pass is already in ASCII order.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& [key, value] : map) {
            if (key == format.default_key) continue;
            const SubKeySpec* spec = format.find(key);
            if (spec && !spec->printed) continue;
            bool required = spec && !spec->optional;
            if ((pass == 0) == required) append(key, value, false);
        }
    }
    return out;
}

}  // namespace pct
