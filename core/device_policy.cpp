#include "core/device_policy.h"

#include <regex>

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"

namespace pct {

namespace {

DeviceRule rule(bool allow, char type, int64_t major, int64_t minor, const char* access) {
    return {.allow = allow, .type = type, .major = major, .minor = minor, .access = access};
}

// Proxmox's check: below /dev/, and no "." or ".." component.
bool is_valid_device_path(const std::string& path) {
    if (path.rfind("/dev/", 0) != 0 || path.size() == 5) return false;
    size_t start = 5;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        std::string component = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (component == "." || component == "..") return false;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return true;
}

}  // namespace

std::vector<DeviceNodePlan> standard_device_nodes(bool unprivileged) {
    struct Node { const char* name; uint32_t major, minor; };
    static const Node nodes[] = {{"full", 1, 7}, {"null", 1, 3}, {"random", 1, 8}, {"tty", 5, 0}, {"urandom", 1, 9}, {"zero", 1, 5}};
    std::vector<DeviceNodePlan> plans;
    for (const Node& node : nodes) {
        std::string path = std::string("/dev/") + node.name;
        plans.push_back({.path = path,
                         .type = 'c',
                         .major = node.major,
                         .minor = node.minor,
                         .mode = 0666,
                         .bind_from_host = unprivileged,
                         .host_path = path});
    }
    return plans;
}

DeviceNodePlan passthrough_device(const std::string& value, const std::vector<IdMapEntry>& idmap,
                                  const StartHostFacts& facts) {
    PropertyMap properties = parse_property_string(value, device_format());
    auto property = [&properties](const char* key) {
        auto it = properties.find(key);
        return it == properties.end() ? std::string() : it->second;
    };
    const std::string path = property("path");
    if (!is_valid_device_path(path)) throw UserError(path + " is not a valid device path");
    std::optional<DeviceNodeInfo> node = facts.device_node ? facts.device_node(path) : std::nullopt;
    if (!node) throw UserError("Device " + path + " does not exist");
    if (node->type != 'c' && node->type != 'b') throw UserError(path + " is not a device");

    DeviceNodePlan plan{.path = path, .type = node->type, .major = node->major, .minor = node->minor, .mode = 0660};
    if (std::string mode = property("mode"); !mode.empty()) plan.mode = static_cast<uint32_t>(std::stoul(mode, nullptr, 8));
    auto id = [&path](const std::string& text) -> uint64_t {
        try {
            return std::stoull(text);
        } catch (const std::exception&) {
            throw UserError(path + ": invalid owner id '" + text + "'");
        }
    };
    if (std::string uid = property("uid"); !uid.empty()) plan.uid = id(uid);
    if (std::string gid = property("gid"); !gid.empty()) plan.gid = id(gid);
    plan.host_uid = map_to_host(idmap, 'u', plan.uid);
    plan.host_gid = map_to_host(idmap, 'g', plan.gid);
    plan.passthrough = true;
    plan.host_path = path;
    plan.deny_write = property("deny-write") == "1";
    return plan;
}

DeviceRule parse_device_rule(bool allow, const std::string& text) {
    static const std::regex all("\\s*a\\s*");
    static const std::regex full("\\s*([abc])\\s+(\\d+|\\*):(\\d+|\\*)\\s+([rwm]{1,3})\\s*");
    std::smatch match;
    if (std::regex_match(text, all)) return rule(allow, 'a', -1, -1, "rwm");
    if (!std::regex_match(text, match, full)) throw UserError("invalid device rule '" + text + "'");
    auto number = [](const std::string& part) -> int64_t { return part == "*" ? -1 : std::stoll(part); };
    try {
        return {.allow = allow,
                .type = match[1].str()[0],
                .major = number(match[2]),
                .minor = number(match[3]),
                .access = match[4]};
    } catch (const std::out_of_range&) {
        throw UserError("invalid device rule '" + text + "'");
    }
}

std::string to_string(const DeviceRule& rule) {
    std::string text = rule.allow ? "allow " : "deny ";
    if (rule.type == 'a') return text + "a";
    auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
    return text + rule.type + " " + number(rule.major) + ":" + number(rule.minor) + " " + rule.access;
}

std::vector<DeviceRule> device_cgroup_rules(const DeviceRuleInputs& inputs) {
    std::vector<DeviceRule> rules;
    if (inputs.unprivileged) {
        // The user namespace already stops node creation; LXC's userns.conf
        // and Proxmox clear the list and allow everything.
        rules.push_back(rule(true, 'a', -1, -1, "rwm"));
    } else {
        rules.push_back(rule(false, 'a', -1, -1, "rwm"));
        rules.push_back(rule(true, 'c', -1, -1, "m"));
        rules.push_back(rule(true, 'b', -1, -1, "m"));
        const struct { int64_t major, minor; } allowed[] = {{1, 3}, {1, 5}, {1, 7}, {5, 0}, {5, 1}, {5, 2},
                                                            {1, 8}, {1, 9}, {136, -1}, {10, 229}};
        for (const auto& device : allowed) rules.push_back(rule(true, 'c', device.major, device.minor, "rwm"));
        if (inputs.legacy_devices_cgroup && inputs.v1_ostype_allows) {
            rules.push_back(rule(true, 'c', 254, 0, "rm"));     // rtc
            rules.push_back(rule(true, 'c', 10, 200, "rwm"));   // tun
            rules.push_back(rule(true, 'c', 10, 228, "rwm"));   // hpet
            rules.push_back(rule(true, 'c', 10, 232, "rwm"));   // kvm
        }
    }
    for (const DeviceNodePlan& device : inputs.passthrough) {
        rules.push_back(rule(true, device.type, device.major, device.minor, "rw"));
        if (device.deny_write) rules.push_back(rule(false, device.type, device.major, device.minor, "w"));
    }
    if (!inputs.console) rules.push_back(rule(false, 'c', 5, 1, "rwm"));
    for (const std::string& line : inputs.raw_allow_deny) {
        const bool allow = line.rfind("allow ", 0) == 0;
        const std::string text = line.substr(allow ? 6 : 5);
        if (text.find_first_not_of(" \t") == std::string::npos) {
            rules.clear();  // an empty value clears the list, as in LXC
            continue;
        }
        rules.push_back(parse_device_rule(allow, text));
    }
    return rules;
}

}  // namespace pct
