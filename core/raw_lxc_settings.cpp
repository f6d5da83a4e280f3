#include "core/raw_lxc_settings.h"

#include <map>

#include "core/error.h"

namespace pct {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// LXC 2.x names that Proxmox still accepts (with a deprecation warning at
// load time); LXC 3 and later no longer know them, pct maps them.
std::string current_name(const std::string& key) {
    static const std::map<std::string, std::string> renamed = {
        {"lxc.aa_profile", "lxc.apparmor.profile"},
        {"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete"},
        {"lxc.console", "lxc.console.path"},
        {"lxc.devttydir", "lxc.tty.dir"},
        {"lxc.devtty.dir", "lxc.tty.dir"},
        {"lxc.haltsignal", "lxc.signal.halt"},
        {"lxc.rebootsignal", "lxc.signal.reboot"},
        {"lxc.stopsignal", "lxc.signal.stop"},
        {"lxc.id_map", "lxc.idmap"},
        {"lxc.init_cmd", "lxc.init.cmd"},
        {"lxc.loglevel", "lxc.log.level"},
        {"lxc.logfile", "lxc.log.file"},
        {"lxc.mount", "lxc.mount.fstab"},
        {"lxc.pts", "lxc.pty.max"},
        {"lxc.se_context", "lxc.selinux.context"},
        {"lxc.seccomp", "lxc.seccomp.profile"},
        {"lxc.tty", "lxc.tty.max"},
        {"lxc.utsname", "lxc.uts.name"},
    };
    auto it = renamed.find(key);
    if (it != renamed.end()) return it->second;
    if (starts_with(key, "lxc.limit.")) return "lxc.prlimit." + key.substr(10);
    return key;
}

// Keys that only matter to LXC's own tooling (logging, autostart, grouping).
bool irrelevant_for_start(const std::string& key) {
    return starts_with(key, "lxc.log.") || starts_with(key, "lxc.start.") || key == "lxc.group" ||
           key == "lxc.apparmor.allow_incomplete" || key == "lxc.hook.version";
}

std::string ignored(const std::string& key, const std::string& why) {
    return key + " is not supported by pct's runtime (" + why + "); ignored";
}

}  // namespace

bool has_raw_idmap(const RawEntries& entries) {
    for (const auto& [key, value] : entries)
        if (current_name(key) == "lxc.idmap") return true;
    return false;
}

RawLxcSettings collect_raw_lxc_settings(const RawEntries& entries, std::vector<std::string>& problems) {
    RawLxcSettings raw;
    const std::map<std::string, std::optional<std::string> RawLxcSettings::*> single = {
        {"lxc.apparmor.profile", &RawLxcSettings::apparmor_profile},
        {"lxc.arch", &RawLxcSettings::arch},
        {"lxc.uts.name", &RawLxcSettings::uts_name},
        {"lxc.signal.halt", &RawLxcSettings::signal_halt},
        {"lxc.signal.reboot", &RawLxcSettings::signal_reboot},
        {"lxc.signal.stop", &RawLxcSettings::signal_stop},
        {"lxc.init.cmd", &RawLxcSettings::init_cmd},
        {"lxc.init.cwd", &RawLxcSettings::init_cwd},
        {"lxc.init.uid", &RawLxcSettings::init_uid},
        {"lxc.init.gid", &RawLxcSettings::init_gid},
        {"lxc.init.groups", &RawLxcSettings::init_groups},
        {"lxc.pty.max", &RawLxcSettings::pty_max},
        {"lxc.tty.max", &RawLxcSettings::tty_max},
        {"lxc.tty.dir", &RawLxcSettings::tty_dir},
        {"lxc.console.path", &RawLxcSettings::console_path},
        {"lxc.seccomp.profile", &RawLxcSettings::seccomp_profile},
        {"lxc.seccomp.notify.proxy", &RawLxcSettings::seccomp_notify_proxy},
        {"lxc.seccomp.notify.cookie", &RawLxcSettings::seccomp_notify_cookie},
    };

    for (const auto& [given_key, value] : entries) {
        const std::string key = current_name(given_key);
        if (auto it = single.find(key); it != single.end()) {
            raw.*(it->second) = value;
        } else if (key == "lxc.idmap") {
            try {
                raw.idmap.push_back(parse_idmap_entry(value));
            } catch (const UserError& e) {
                problems.push_back("lxc.idmap: " + std::string(e.what()));
            }
        } else if (key == "lxc.apparmor.allow_nesting") {
            raw.apparmor_allow_nesting = value == "1";
        } else if (key == "lxc.apparmor.raw") {
            raw.apparmor_raw.push_back(value);
        } else if (key == "lxc.mount.entry") {
            raw.mount_entries.push_back(value);
        } else if (key == "lxc.mount.auto") {
            raw.mount_auto.push_back(value);
        } else if (key == "lxc.cap.drop" || key == "lxc.cap.keep") {
            raw.capability_lines.emplace_back(key, value);
        } else if (key == "lxc.environment") {
            raw.environment.push_back(value);
        } else if (starts_with(key, "lxc.sysctl.")) {
            raw.sysctls.emplace_back(key.substr(11), value);
        } else if (starts_with(key, "lxc.cgroup2.")) {
            raw.cgroup2.emplace_back(key.substr(12), value);
        } else if (starts_with(key, "lxc.cgroup.")) {
            raw.cgroup1.emplace_back(key.substr(11), value);
        } else if (starts_with(key, "lxc.prlimit.")) {
            raw.prlimits.emplace_back(key.substr(12), value);
        } else if (irrelevant_for_start(key)) {
            continue;
        } else if (starts_with(key, "lxc.hook.")) {
            raw.warnings.push_back(ignored(given_key, "LXC hooks are not run; use a hookscript"));
        } else if (starts_with(key, "lxc.net.") || starts_with(key, "lxc.network.")) {
            raw.warnings.push_back(ignored(given_key, "configure interfaces with netN"));
        } else if (key == "lxc.autodev" && value == "1") {
            continue;  // the runtime always populates /dev
        } else {
            raw.warnings.push_back(ignored(given_key, "no equivalent"));
        }
    }
    return raw;
}

}  // namespace pct
