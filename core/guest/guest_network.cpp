#include "core/guest/guest_network.h"

#include "core/option_schema.h"
#include "core/property_string.h"

namespace pct::guest {

namespace {

constexpr int kMaxInterfaces = 32;

std::optional<std::string> value_of(const PropertyMap& map, const char* key) {
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> static_address(const std::optional<std::string>& value,
                                          std::initializer_list<const char*> methods) {
    if (!value || value->empty()) return std::nullopt;
    for (const char* method : methods) {
        if (*value == method) return std::nullopt;
    }
    std::string address = *value;
    size_t slash = address.rfind('/');
    if (slash != std::string::npos && slash + 1 < address.size() &&
        address.find_first_not_of("0123456789", slash + 1) == std::string::npos) {
        address.erase(slash);
    }
    return address;
}

}  // namespace

std::vector<GuestInterface> guest_interfaces(const ConfigSection& config) {
    std::vector<GuestInterface> interfaces;
    for (int index = 0; index < kMaxInterfaces; ++index) {
        const std::string* value = config.get("net" + std::to_string(index));
        if (!value) continue;
        auto properties = parse_property_string(*value, network_format());
        auto name = value_of(properties, "name");
        if (!name || name->empty()) continue;
        interfaces.push_back(GuestInterface{*name, value_of(properties, "ip"), value_of(properties, "gw"),
                                            value_of(properties, "ip6"), value_of(properties, "gw6")});
    }
    return interfaces;
}

std::optional<std::string> primary_address(const ConfigSection& config) {
    const std::string* net0 = config.get("net0");
    if (!net0) return std::nullopt;
    auto properties = parse_property_string(*net0, network_format());
    if (auto ipv4 = static_address(value_of(properties, "ip"), {"dhcp", "manual"})) return ipv4;
    return static_address(value_of(properties, "ip6"), {"auto", "dhcp", "manual"});
}

}  // namespace pct::guest
