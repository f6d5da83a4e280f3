#include "core/config_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "core/error.h"
#include "core/option_schema.h"

namespace pct {

const std::string* ConfigSection::get(std::string_view key) const {
    auto it = values.find(std::string(key));
    return it == values.end() ? nullptr : &it->second;
}

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_section_name(std::string_view name) {
    if (name.size() < 2 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin() + 1, name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

// config.md §2.3: which raw lxc.* keys are kept, renamed or rejected.
enum class LxcKeyVerdict { Accept, Deprecated, Rejected, Unknown };

struct LxcKeyCheck {
    LxcKeyVerdict verdict;
    std::string message;
};

LxcKeyCheck check_lxc_key(std::string_view key, int vmid) {
    static const std::set<std::string, std::less<>> exact = {
        "lxc.apparmor.profile", "lxc.apparmor.allow_incomplete", "lxc.apparmor.allow_nesting", "lxc.apparmor.raw",
        "lxc.selinux.context", "lxc.include", "lxc.arch", "lxc.uts.name", "lxc.signal.halt", "lxc.signal.reboot",
        "lxc.signal.stop", "lxc.init.cmd", "lxc.init.cwd", "lxc.init.uid", "lxc.init.gid", "lxc.init.groups",
        "lxc.pty.max", "lxc.console.logfile", "lxc.console.path", "lxc.tty.max", "lxc.devtty.dir", "lxc.hook.autodev",
        "lxc.autodev", "lxc.kmsg", "lxc.mount.fstab", "lxc.mount.entry", "lxc.mount.auto", "lxc.rootfs.mount",
        "lxc.cap.drop", "lxc.cap.keep", "lxc.seccomp.profile", "lxc.seccomp.notify.proxy", "lxc.seccomp.notify.cookie",
        "lxc.idmap", "lxc.hook.pre-start", "lxc.hook.pre-mount", "lxc.hook.mount", "lxc.hook.start", "lxc.hook.stop",
        "lxc.hook.post-stop", "lxc.hook.clone", "lxc.hook.destroy", "lxc.hook.version", "lxc.log.level", "lxc.log.file",
        "lxc.start.auto", "lxc.start.delay", "lxc.start.order", "lxc.group", "lxc.environment",
        "lxc.environment.runtime", "lxc.environment.hooks", "lxc.sysctl.fs.mqueue", "lxc.sysctl.kernel.msgmax",
        "lxc.sysctl.kernel.msgmnb", "lxc.sysctl.kernel.msgmni", "lxc.sysctl.kernel.sem", "lxc.sysctl.kernel.shmall",
        "lxc.sysctl.kernel.shmmax", "lxc.sysctl.kernel.shmmni", "lxc.sysctl.kernel.shm_rmid_forced"};
    static const std::map<std::string, std::string, std::less<>> renamed = {
        {"lxc.aa_profile", "lxc.apparmor.profile"}, {"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete"},
        {"lxc.console", "lxc.console.path"}, {"lxc.devttydir", "lxc.devtty.dir"}, {"lxc.haltsignal", "lxc.signal.halt"},
        {"lxc.rebootsignal", "lxc.signal.reboot"}, {"lxc.stopsignal", "lxc.signal.stop"}, {"lxc.id_map", "lxc.idmap"},
        {"lxc.init_cmd", "lxc.init.cmd"}, {"lxc.loglevel", "lxc.log.level"}, {"lxc.logfile", "lxc.log.file"},
        {"lxc.mount", "lxc.mount.fstab"}, {"lxc.network.type", "lxc.net.0.type"}, {"lxc.network.flags", "lxc.net.0.flags"},
        {"lxc.network.link", "lxc.net.0.link"}, {"lxc.network.mtu", "lxc.net.0.mtu"}, {"lxc.network.name", "lxc.net.0.name"},
        {"lxc.network.hwaddr", "lxc.net.0.hwaddr"}, {"lxc.network.ipv4", "lxc.net.0.ipv4.address"},
        {"lxc.network.ipv4.gateway", "lxc.net.0.ipv4.gateway"}, {"lxc.network.ipv6", "lxc.net.0.ipv6.address"},
        {"lxc.network.ipv6.gateway", "lxc.net.0.ipv6.gateway"}, {"lxc.network.script.up", "lxc.net.0.script.up"},
        {"lxc.network.script.down", "lxc.net.0.script.down"}, {"lxc.pts", "lxc.pty.max"},
        {"lxc.se_context", "lxc.selinux.context"}, {"lxc.seccomp", "lxc.seccomp.profile"}, {"lxc.tty", "lxc.tty.max"},
        {"lxc.utsname", "lxc.uts.name"}};
    std::string prefix = "vm " + std::to_string(vmid) + " - ";
    auto starts = [&](std::string_view p) { return key.substr(0, p.size()) == p; };

    if (exact.count(key) || starts("lxc.cgroup2.") || starts("lxc.prlimit.") || starts("lxc.net."))
        return {LxcKeyVerdict::Accept, ""};
    if (starts("lxc.cgroup."))
        return {LxcKeyVerdict::Deprecated,
                prefix + "lxc.cgroup keys are no longer supported and will be a hard error in the future (" + std::string(key) + ")"};
    if (starts("lxc.limit."))
        return {LxcKeyVerdict::Deprecated, prefix + std::string(key) + " is deprecated and was renamed to lxc.prlimit." +
                                               std::string(key.substr(10))};
    if (auto it = renamed.find(key); it != renamed.end())
        return {LxcKeyVerdict::Deprecated, prefix + std::string(key) + " is deprecated and was renamed to " + it->second};
    if (key == "lxc.rootfs.path") return {LxcKeyVerdict::Rejected, prefix + "lxc.rootfs.path is auto generated from rootfs"};
    if (key == "lxc.rootfs.options")
        return {LxcKeyVerdict::Rejected, prefix + "lxc.rootfs.options is not supported, please use mount point options in the rootfs key"};
    return {LxcKeyVerdict::Unknown, ""};
}

// Matches ^(lxc\.[a-z0-9_.-]+)(:|\s*=)\s*(.*?)\s*$ without std::regex (hot path).
bool split_lxc_line(std::string_view line, std::string& key, std::string& value) {
    if (line.substr(0, 4) != "lxc.") return false;
    size_t pos = 4;
    while (pos < line.size()) {
        unsigned char c = line[pos];
        if (std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '-') ++pos;
        else break;
    }
    if (pos == 4) return false;
    key = std::string(line.substr(0, pos));
    size_t sep = pos;
    if (sep < line.size() && line[sep] == ':') {
        ++sep;
    } else {
        while (sep < line.size() && std::isspace(static_cast<unsigned char>(line[sep]))) ++sep;
        if (sep >= line.size() || line[sep] != '=') return false;
        ++sep;
    }
    value = std::string(trim(line.substr(sep)));
    return true;
}

// Matches ^([a-z][a-z_]*\d*):\s*(.+?)\s*$.
bool split_key_line(std::string_view line, std::string& key, std::string& value) {
    size_t pos = 0;
    if (line.empty() || !std::islower(static_cast<unsigned char>(line[0]))) return false;
    while (pos < line.size() && (std::islower(static_cast<unsigned char>(line[pos])) || line[pos] == '_')) ++pos;
    while (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos]))) ++pos;
    if (pos >= line.size() || line[pos] != ':') return false;
    std::string_view rest = trim(line.substr(pos + 1));
    if (rest.empty()) return false;
    key = std::string(line.substr(0, pos));
    value = std::string(rest);
    return true;
}

class ConfigParser {
public:
    ConfigParser(int vmid, ValueChecks checks) : vmid_(vmid), checks_(checks) {}

    ParsedConfig parse(std::string_view text) {
        size_t start = 0;
        size_t line_number = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
            ++line_number;
            parse_line(line, line_number);
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
        finish_section();
        return std::move(result_);
    }

private:
    void problem(size_t line, std::string key, std::string message) {
        result_.problems.push_back({line, std::move(key), std::move(message)});
    }

    void finish_section() {
        if (!description_.empty()) section_->description = std::move(description_);
        description_.clear();
        if (!env_.empty()) section_->values["env"] = std::move(env_);
        env_.clear();
    }

    void start_section(ConfigSection* section, bool pending) {
        finish_section();
        section_ = section;
        in_pending_ = pending;
    }

    void parse_line(std::string_view line, size_t number) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) return;

        if (line[0] == '[') {
            std::string_view header = trim(line);
            if (header.back() == ']') {
                std::string_view name = header.substr(1, header.size() - 2);
                if (iequals(name, "pve:pending")) return start_section(&result_.config.pending, true);
                if (is_section_name(name)) return start_section(&result_.config.snapshots[std::string(name)], false);
            }
        }
        if (line[0] == '#') {
            description_ += decode_description_line(line.substr(1));
            description_ += '\n';
            return;
        }
        std::string key;
        std::string value;
        if (line.substr(0, 12) == "description:") {
            description_ += decode_description_line(trim(line.substr(12)));
            return;
        }
        if (split_lxc_line(line, key, value)) return parse_lxc_entry(std::move(key), std::move(value), line, number);
        if (line.substr(0, 10) == "snapstate:") {
            std::string_view state = trim(line.substr(10));
            if (state == "prepare" || state == "delete") {
                section_->values["snapstate"] = std::string(state);
                return;
            }
        }
        if (line.substr(0, 7) == "delete:") {
            if (!in_pending_) return problem(number, "delete", "property 'delete' is only allowed in [pve:pending]");
            std::string_view list = trim(line.substr(7));
            if (!list.empty()) section_->values["delete"] = std::string(list);
            return;
        }
        if (!split_key_line(line, key, value))
            return problem(number, "", "vm " + std::to_string(vmid_) + " - unable to parse config: " + std::string(line));

        const OptionSpec* spec = find_option(key);
        if (!spec) {
            problem(number, key, "unknown setting '" + key + "'");
        } else {
            try {
                value = check_value_on_load(*spec, value);
                if (checks_ == ValueChecks::Full) {
                    // validate_option prefixes "<key>: "; the problem names the key already.
                    for (const auto& message : validate_option(key, value)) problem(number, key, message.substr(key.size() + 2));
                }
            } catch (const UserError& e) {
                problem(number, key, e.what());
            }
        }
        section_->values[key] = std::move(value);
    }

    void parse_lxc_entry(std::string key, std::string value, std::string_view line, size_t number) {
        LxcKeyCheck check = check_lxc_key(key, vmid_);
        switch (check.verdict) {
            case LxcKeyVerdict::Accept:
                break;
            case LxcKeyVerdict::Deprecated:
                problem(number, key, check.message);
                break;
            case LxcKeyVerdict::Rejected:
                return problem(number, key, check.message);
            case LxcKeyVerdict::Unknown:
                return problem(number, key, "vm " + std::to_string(vmid_) + " - unable to parse config: " + std::string(line));
        }
        if (key == "lxc.environment.runtime") {
            if (!env_.empty()) env_ += '\0';
            env_ += value;
            return;
        }
        section_->lxc.emplace_back(std::move(key), std::move(value));
    }

    int vmid_;
    ValueChecks checks_;
    ParsedConfig result_;
    ConfigSection* section_ = &result_.config.main;
    bool in_pending_ = false;
    std::string description_;
    std::string env_;
};

bool is_mount_key(std::string_view key) {
    auto [base, index] = split_indexed_key(key);
    return key == "rootfs" || (base == "mp" && index >= 0);
}

void write_section(std::string& out, const ConfigSection& section, bool is_main) {
    if (!section.description.empty()) {
        std::string_view text = section.description;
        while (!text.empty() && text.back() == '\n') text.remove_suffix(1);  // trailing empty pieces
        size_t start = 0;
        while (start <= text.size() && !text.empty()) {
            size_t end = text.find('\n', start);
            out += '#';
            out += encode_description_line(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
            out += '\n';
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
    }
    std::set<std::string> used_volumes;
    if (is_main) {
        for (const auto& [key, value] : section.values)
            if (is_mount_key(key)) used_volumes.insert(volume_of_mount_value(value));
    }
    for (const auto& [key, value] : section.values) {
        if (key == "digest" || key == "description" || key == "env" || key == "lxc") continue;
        if (is_main && key == "snapstate") continue;
        if (is_main && split_indexed_key(key).first == "unused" && used_volumes.count(volume_of_mount_value(value))) continue;
        if (value.find_first_of("\r\n") != std::string::npos)
            throw UserError("detected invalid newline inside property '" + key + "'");
        out += key;
        out += ": ";
        out += value;
        out += '\n';
    }
    if (const std::string* env = section.get("env")) {
        std::string_view items = *env;
        size_t start = 0;
        while (start < items.size()) {
            size_t end = items.find('\0', start);
            std::string_view item = items.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
            if (item.find_first_of("\r\n") != std::string_view::npos)
                throw UserError("detected invalid newline inside property 'env'");
            out += "lxc.environment.runtime: ";
            out += item;
            out += '\n';
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
    }
    for (const auto& [key, value] : section.lxc) {
        if (value.find_first_of("\r\n") != std::string::npos)
            throw UserError("detected invalid newline inside property '" + key + "'");
        out += key;
        out += ": ";
        out += value;
        out += '\n';
    }
}

}  // namespace

std::string encode_description_line(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        bool safe = (c >= 0x20 && c <= 0x24) || (c >= 0x26 && c <= 0x39) || (c >= 0x3B && c <= 0x7E);
        if (safe) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string decode_description_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex_value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string volume_of_mount_value(std::string_view value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (part.substr(0, 7) == "volume=") return std::string(part.substr(7));
        if (!part.empty() && part.find('=') == std::string_view::npos) return std::string(part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return "";
}

ParsedConfig parse_config(std::string_view text, int vmid, ValueChecks checks) { return ConfigParser(vmid, checks).parse(text); }

std::string write_config(const ContainerConfig& config) {
    std::string out;
    out.reserve(1024);
    write_section(out, config.main, true);
    if (!config.pending.empty()) {
        out += "\n[pve:pending]\n";
        write_section(out, config.pending, false);
    }
    for (const auto& [name, section] : config.snapshots) {
        out += "\n[" + name + "]\n";
        write_section(out, section, false);
    }
    return out;
}

}  // namespace pct
