#include "core/option_schema.h"

#include <cctype>
#include <regex>

#include "core/error.h"
#include "core/idmap.h"
#include "core/value_formats.h"

namespace pct {

namespace {

std::optional<std::string> regex_check(std::string_view value, const std::regex& pattern, const char* what) {
    if (matches_whole(value, pattern)) return std::nullopt;
    if (value.size() > kMaxPatternInput)
        return std::string("value is too long for the ") + what + " format (" + std::to_string(value.size()) + " characters)";
    return "value '" + std::string(value) + "' does not match the " + what + " format";
}

// config.md §6.2: no "/./", "/../", trailing "/." or "/..", leading "../".
std::optional<std::string> check_path_sequences(std::string_view value) {
    auto ends_with = [&](std::string_view suffix) {
        return value.size() >= suffix.size() && value.substr(value.size() - suffix.size()) == suffix;
    };
    if (value.find("/./") != std::string_view::npos || value.find("/../") != std::string_view::npos ||
        ends_with("/.") || ends_with("/..") || value.substr(0, 3) == "../")
        return std::string(value) + " contains illegal character sequences";
    return std::nullopt;
}

std::optional<std::string> check_mount_path(std::string_view value) {
    if (value.empty() || value[0] != '/') return "mount point path '" + std::string(value) + "' must be absolute";
    return check_path_sequences(value);
}

std::optional<std::string> check_disk_size(std::string_view value) {
    static const std::regex size("\\d+(\\.\\d+)?([KMGT](iB)?)?");
    return regex_check(value, size, "disk-size");
}

std::optional<std::string> check_mount_options(std::string_view value) {
    static const std::vector<std::string> allowed = {"discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"};
    size_t start = 0;
    while (start <= value.size()) {
        size_t semi = value.find(';', start);
        std::string option(value.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
        if (std::find(allowed.begin(), allowed.end(), option) == allowed.end())
            return "invalid mount option '" + option + "'";
        if (semi == std::string_view::npos) break;
        start = semi + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_mount_idmap(std::string_view value) {
    try {
        parse_mount_idmap(value);
    } catch (const UserError& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

std::optional<std::string> check_volume(std::string_view value) {
    if (value.empty()) return "volume must not be empty";
    return check_path_sequences(value);
}

std::vector<SubKeySpec> mount_option_keys() {
    return {
        {.name = "acl", .type = ValueType::Boolean},
        {.name = "idmap", .check = check_mount_idmap},
        {.name = "mountoptions", .check = check_mount_options},
        {.name = "quota", .type = ValueType::Boolean},
        {.name = "replicate", .type = ValueType::Boolean},
        {.name = "ro", .type = ValueType::Boolean},
        {.name = "shared", .type = ValueType::Boolean},
        {.name = "size", .check = check_disk_size},
    };
}

std::optional<std::string> check_interface_name(std::string_view value) {
    static const std::regex name("[-_.\\w\\d]+");
    return regex_check(value, name, "interface name");
}

std::optional<std::string> check_ipv4_config(std::string_view value) {
    if (value == "dhcp" || value == "manual" || is_ipv4_cidr(value)) return std::nullopt;
    return "invalid IPv4 configuration '" + std::string(value) + "' (expected dhcp, manual or an address with /8-/32)";
}

std::optional<std::string> check_ipv6_config(std::string_view value) {
    if (value == "auto" || value == "dhcp" || value == "manual" || is_ipv6_cidr(value)) return std::nullopt;
    return "invalid IPv6 configuration '" + std::string(value) + "' (expected auto, dhcp, manual or an address with /8-/128)";
}

std::optional<std::string> check_ipv4(std::string_view value) {
    if (is_ipv4(value)) return std::nullopt;
    return "value '" + std::string(value) + "' is not a valid IPv4 address";
}

std::optional<std::string> check_ipv6(std::string_view value) {
    if (is_ipv6(value)) return std::nullopt;
    return "value '" + std::string(value) + "' is not a valid IPv6 address";
}

std::optional<std::string> check_mac(std::string_view value) {
    if (!is_mac_address(value)) return "value '" + std::string(value) + "' is not a valid MAC address";
    if (!is_unicast_mac(value)) return "MAC address '" + std::string(value) + "' is not unicast (first octet must be even)";
    return std::nullopt;
}

// "\d+(;\d+)*" by hand: a list of all 4094 VLANs is long enough to overflow
// std::regex's recursion.
std::optional<std::string> check_trunks(std::string_view value) {
    bool digit_seen = false;
    for (char c : value) {
        if (c >= '0' && c <= '9') {
            digit_seen = true;
        } else if (c == ';' && digit_seen) {
            digit_seen = false;
        } else {
            digit_seen = false;
            break;
        }
    }
    if (digit_seen) return std::nullopt;
    return "value does not match the VLAN list format (numbers separated by ';')";
}

std::optional<std::string> check_device_path(std::string_view value) {
    if (value.substr(0, 5) != "/dev/") return "device path '" + std::string(value) + "' must start with /dev/";
    return check_path_sequences(value);
}

std::optional<std::string> check_no_control_chars(std::string_view value) {
    for (unsigned char c : value)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return std::string("value contains control characters");
    return std::nullopt;
}

std::optional<std::string> check_env(std::string_view value) {
    size_t start = 0;
    while (start < value.size()) {
        size_t end = value.find('\0', start);
        std::string_view item = value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        auto eq = item.find('=');
        bool word = eq != std::string_view::npos && eq > 0 &&
                    std::all_of(item.begin(), item.begin() + eq, [](unsigned char c) { return std::isalnum(c) || c == '_'; });
        if (!word)
            return "invalid environment variable '" + std::string(item) + "' (expected NAME=value)";
        if (auto problem = check_no_control_chars(item)) return problem;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_hostname(std::string_view value) {
    if (is_dns_name(value)) return std::nullopt;
    return "value '" + std::string(value) + "' does not look like a valid DNS name";
}

std::optional<std::string> check_config_id(std::string_view value) {
    if (is_config_id(value) && value.size() <= 40) return std::nullopt;
    return "invalid configuration ID '" + std::string(value) + "'";
}

std::optional<std::string> check_timezone(std::string_view value) {
    static const std::regex zone("[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*");
    return regex_check(value, zone, "timezone");
}

std::optional<std::string> check_volume_id(std::string_view value) {
    static const std::regex volume("[a-zA-Z][a-zA-Z0-9_.-]*[a-zA-Z0-9]:.+");
    return regex_check(value, volume, "volume ID");
}

}  // namespace

const PropertyFormat& rootfs_format() {
    static const PropertyFormat format = [] {
        PropertyFormat f{.default_key = "volume", .keys = mount_option_keys()};
        f.keys.insert(f.keys.begin(), {.name = "volume", .optional = false, .check = check_volume});
        return f;
    }();
    return format;
}

const PropertyFormat& volume_key_format(std::string_view key) {
    return key == "rootfs" ? rootfs_format() : mount_point_format();
}

const PropertyFormat& mount_point_format() {
    static const PropertyFormat format = [] {
        PropertyFormat f{.default_key = "volume", .keys = mount_option_keys()};
        f.keys.insert(f.keys.begin(), {.name = "volume", .optional = false, .check = check_volume});
        f.keys.push_back({.name = "mp", .optional = false, .check = check_mount_path});
        f.keys.push_back({.name = "backup", .type = ValueType::Boolean});
        f.keys.push_back({.name = "keepattrs", .type = ValueType::Boolean});
        return f;
    }();
    return format;
}

const PropertyFormat& unused_format() {
    static const PropertyFormat format{.default_key = "volume",
                                       .keys = {{.name = "volume", .optional = false, .check = check_volume}}};
    return format;
}

const PropertyFormat& network_format() {
    static const PropertyFormat format{
        .default_key = "",
        .keys = {
            {.name = "name", .optional = false, .check = check_interface_name},
            {.name = "bridge", .check = check_interface_name},
            {.name = "firewall", .type = ValueType::Boolean},
            {.name = "gw", .check = check_ipv4},
            {.name = "gw6", .check = check_ipv6},
            {.name = "host-managed", .type = ValueType::Boolean},
            {.name = "hwaddr", .check = check_mac},
            {.name = "ip", .check = check_ipv4_config},
            {.name = "ip6", .check = check_ipv6_config},
            {.name = "link_down", .type = ValueType::Boolean},
            {.name = "mtu", .type = ValueType::Integer, .minimum = 64, .maximum = 65535},
            {.name = "rate", .type = ValueType::Number, .minimum = 0},
            {.name = "tag", .type = ValueType::Integer, .minimum = 1, .maximum = 4094},
            {.name = "trunks", .check = check_trunks},
            {.name = "type", .enum_values = {"veth"}},
        }};
    return format;
}

// Patterns inside the checks: compiled when a value is checked, not when
// the schema is built (which every command does).
const PropertyFormat& features_format() {
    static const PropertyFormat format{
        .default_key = "",
        .keys = {
            {.name = "force_rw_sys", .type = ValueType::Boolean},
            {.name = "fuse", .type = ValueType::Boolean},
            {.name = "keyctl", .type = ValueType::Boolean},
            {.name = "mknod", .type = ValueType::Boolean},
            {.name = "mount",
             .check = [](std::string_view v) {
                 static const std::regex mount_types("[a-zA-Z0-9_; ]+");
                 return regex_check(v, mount_types, "fstype list");
             }},
            {.name = "nesting", .type = ValueType::Boolean},
        }};
    return format;
}

const PropertyFormat& device_format() {
    static const PropertyFormat format{
        .default_key = "path",
        .keys = {
            {.name = "path", .optional = false, .check = check_device_path},
            {.name = "deny-write", .type = ValueType::Boolean},
            {.name = "gid", .type = ValueType::Integer, .minimum = 0},
            {.name = "mode",
             .check = [](std::string_view v) {
                 static const std::regex mode("0[0-7]{3}");
                 return regex_check(v, mode, "octal mode");
             }},
            {.name = "uid", .type = ValueType::Integer, .minimum = 0},
        }};
    return format;
}

const std::vector<OptionSpec>& option_schema() {
    using T = ValueType;
    static const std::vector<OptionSpec> schema = {
        {.name = "arch", .enum_values = {"amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"}, .default_value = "amd64",
         .description = "OS architecture type."},
        {.name = "cmode", .enum_values = {"shell", "console", "tty"}, .default_value = "tty",
         .description = "Console mode: tty attaches to a tty, console to /dev/console, shell runs a shell."},
        {.name = "console", .type = T::Boolean, .default_value = "1", .description = "Attach a console device (/dev/console) to the container."},
        {.name = "cores", .type = T::Integer, .minimum = 1, .maximum = 8192,
         .description = "The number of cores assigned to the container (default: all host CPUs)."},
        {.name = "cpulimit", .type = T::Number, .minimum = 0, .maximum = 8192, .default_value = "0",
         .description = "Limit of CPU usage in CPUs; 0 means no limit."},
        {.name = "cpuunits", .type = T::Integer, .minimum = 0, .maximum = 500000,
         .description = "CPU weight relative to other containers (default 100 on cgroup v2, 1024 on v1)."},
        {.name = "debug", .type = T::Boolean, .default_value = "0", .description = "Start with a very verbose log."},
        {.name = "description", .max_length = 8192, .description = "Description, shown as comment lines in the config."},
        {.name = "dev", .index_count = 256, .property_format = &device_format(), .description = "Device to pass through to the container."},
        {.name = "entrypoint", .check = check_no_control_chars, .default_value = "/sbin/init",
         .description = "Command to run as init, optionally with arguments."},
        {.name = "env", .check = check_env, .description = "NUL-separated NAME=value environment for the init process."},
        {.name = "features", .property_format = &features_format(), .description = "Advanced features (nesting, keyctl, fuse, mount, mknod, force_rw_sys)."},
        {.name = "hookscript", .check = check_volume_id, .description = "Script run at lifecycle phases (a snippets volume)."},
        {.name = "hostname", .check = check_hostname, .max_length = 255, .description = "Host name of the container."},
        {.name = "lock", .enum_values = {"backup", "create", "destroyed", "disk", "fstrim", "migrate", "mounted", "rollback",
                                         "snapshot", "snapshot-delete"},
         .description = "Lock the container for an operation that outlives one command."},
        {.name = "memory", .type = T::Integer, .minimum = 16, .default_value = "512", .description = "Amount of RAM in MiB."},
        {.name = "mp", .index_count = 256, .property_format = &mount_point_format(),
         .description = "Mount point: a storage volume, a host directory (bind) or a device."},
        {.name = "nameserver", .check = check_ip_list, .description = "DNS server IP addresses."},
        {.name = "net", .index_count = 32, .property_format = &network_format(), .description = "Network interface."},
        {.name = "onboot", .type = T::Boolean, .default_value = "0", .description = "Start the container when the host boots."},
        {.name = "ostype",
         .enum_values = {"debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos",
                         "unmanaged"},
         .description = "OS type; unmanaged skips all setup inside the container."},
        {.name = "parent", .check = check_config_id, .description = "Parent snapshot (internal).", .settable = false},
        {.name = "protection", .type = T::Boolean, .default_value = "0",
         .description = "Protect the container from removal and its disks from changes."},
        {.name = "rootfs", .property_format = &rootfs_format(), .description = "Root volume of the container."},
        {.name = "searchdomain", .check = check_dns_name_list, .description = "DNS search domains."},
        {.name = "snaptime", .type = T::Integer, .description = "Snapshot creation time (internal).", .settable = false},
        {.name = "startup", .check = check_startup, .description = "Startup and shutdown order: [order=]N[,up=N][,down=N]."},
        {.name = "swap", .type = T::Integer, .minimum = 0, .default_value = "512", .description = "Amount of swap in MiB."},
        {.name = "tags", .check = check_tags, .description = "Tags of the container (meta information only)."},
        {.name = "template", .type = T::Boolean, .default_value = "0", .description = "Mark the container as a template."},
        {.name = "timezone", .check = check_timezone, .description = "Time zone: host, UTC or a zone name."},
        {.name = "tty", .type = T::Integer, .minimum = 0, .maximum = 6, .default_value = "2", .description = "Number of ttys."},
        {.name = "unprivileged", .type = T::Boolean, .default_value = "0",
         .description = "Run in a user namespace with mapped ids (read-only after creation)."},
        {.name = "unused", .index_count = 256, .property_format = &unused_format(),
         .description = "Volume owned by the container but not mounted."},
    };
    return schema;
}

std::pair<std::string_view, int> split_indexed_key(std::string_view key) {
    size_t digits = key.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(key[digits - 1]))) --digits;
    if (digits == key.size() || digits == 0) return {key, -1};
    std::string_view number = key.substr(digits);
    if (number.size() > 1 && number[0] == '0') return {key, -1};  // "mp01" is not "mp1"
    if (number.size() > 4) return {key.substr(0, digits), 100000};
    return {key.substr(0, digits), std::stoi(std::string(number))};
}

const OptionSpec* find_option(std::string_view key) {
    auto [base, index] = split_indexed_key(key);
    for (const auto& spec : option_schema()) {
        if (spec.index_count > 0) {
            if (index >= 0 && index < spec.index_count && spec.name == base) return &spec;
        } else if (spec.name == key) {
            return &spec;
        }
    }
    return nullptr;
}

std::string check_value_on_load(const OptionSpec& spec, std::string_view value) {
    if (value.find_first_of("\r\n") != std::string_view::npos) throw UserError("value contains a newline");
    switch (spec.type) {
        case ValueType::Boolean:
            if (auto normal = normalize_boolean(value)) return *normal;
            throw UserError("type check ('boolean') failed - got '" + std::string(value) + "'");
        case ValueType::Integer: {
            if (!is_unsigned_integer(value)) throw UserError("type check ('integer') failed - got '" + std::string(value) + "'");
            size_t first = value.find_first_not_of('0');
            return first == std::string_view::npos ? "0" : std::string(value.substr(first));
        }
        case ValueType::Number:
            if (!is_unsigned_number(value)) throw UserError("type check ('number') failed - got '" + std::string(value) + "'");
            return std::string(value);
        case ValueType::String:
            if (spec.property_format) {
                PropertyMap map = parse_property_string(value, *spec.property_format);
                if (auto problems = validate_property_map(map, *spec.property_format); !problems.empty())
                    throw UserError(problems.front());
            } else if (spec.check) {
                if (auto problem = spec.check(value)) throw UserError(*problem);
            }
            return std::string(value);
    }
    return std::string(value);
}

std::vector<std::string> validate_option(std::string_view key, std::string_view value) {
    const OptionSpec* spec = find_option(key);
    std::string prefix = std::string(key) + ": ";
    if (!spec) return {prefix + "unknown option"};
    if (spec->property_format) {
        std::vector<std::string> problems;
        try {
            PropertyMap map = parse_property_string(value, *spec->property_format);
            for (auto& problem : validate_property_map(map, *spec->property_format)) problems.push_back(prefix + problem);
        } catch (const UserError& e) {
            problems.push_back(prefix + e.what());
        }
        return problems;
    }
    SubKeySpec scalar{.name = spec->name,
                      .type = spec->type,
                      .enum_values = spec->enum_values,
                      .minimum = spec->minimum,
                      .maximum = spec->maximum,
                      .check = spec->check};
    if (spec->type == ValueType::Boolean) {
        if (!normalize_boolean(value)) return {prefix + "type check ('boolean') failed - got '" + std::string(value) + "'"};
        return {};
    }
    if (spec->max_length && value.size() > *spec->max_length)
        return {prefix + "value may only be " + std::to_string(*spec->max_length) + " characters long"};
    if (value.find_first_of("\r\n") != std::string_view::npos && spec->name != "description")
        return {prefix + "value contains a newline"};
    auto problems = validate_property_map({{spec->name, std::string(value)}}, PropertyFormat{.keys = {scalar}});
    for (auto& problem : problems) problem = std::string(key) + problem.substr(spec->name.size());
    return problems;
}

}  // namespace pct
