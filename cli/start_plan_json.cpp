#include "cli/start_plan_json.h"

#include <algorithm>
#include <cstdio>

#include "core/device_policy.h"
#include "core/seccomp_policy.h"

namespace pct::cli {

namespace {

using nlohmann::json;

template <typename T>
json optional_value(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json pairs_to_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
    json out = json::array();
    for (const auto& [key, value] : pairs) out.push_back({{"key", key}, {"value", value}});
    return out;
}

json idmap_to_json(const std::vector<IdMapEntry>& map) {
    json out = json::array();
    for (const auto& entry : map)
        out.push_back({{"type", std::string(1, entry.type)},
                       {"container_start", entry.container_start},
                       {"host_start", entry.host_start},
                       {"count", entry.count}});
    return out;
}

std::string kind_name(VolumeSourceKind kind) {
    switch (kind) {
        case VolumeSourceKind::RawImage: return "raw-image";
        case VolumeSourceKind::Directory: return "directory";
        case VolumeSourceKind::BlockDevice: return "block-device";
        case VolumeSourceKind::BindDirectory: return "bind-directory";
    }
    return "directory";
}

std::string octal(uint32_t mode) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04o", mode);
    return buffer;
}

json volume_to_json(const VolumeMountPlan& v) {
    return {{"key", v.key},
            {"kind", kind_name(v.kind)},
            {"source", v.source},
            {"target", v.target},
            {"read_only", v.read_only},
            {"flags", v.flags},
            {"fs_options", v.fs_options},
            {"keep_attributes", v.keep_attributes},
            {"quota_device", v.quota_device},
            {"idmap", idmap_to_json(v.idmap)}};
}

json special_mount_to_json(const SpecialMountPlan& m) {
    return {{"what", m.what},         {"source", m.source},           {"target", m.target},
            {"flags", m.flags},       {"data", m.data},               {"host_source", m.host_source},
            {"optional", m.optional}, {"create", m.create}};
}

json device_to_json(const DeviceNodePlan& d) {
    return {{"path", d.path},
            {"type", std::string(1, d.type)},
            {"major", d.major},
            {"minor", d.minor},
            {"mode", octal(d.mode)},
            {"uid", d.uid},
            {"gid", d.gid},
            {"bind_from_host", d.bind_from_host},
            {"host_path", d.host_path},
            {"passthrough", d.passthrough},
            {"host_uid", d.host_uid},
            {"host_gid", d.host_gid},
            {"deny_write", d.deny_write}};
}

json device_rule_to_json(const DeviceRule& r) {
    return {{"allow", r.allow},
            {"type", std::string(1, r.type)},
            {"major", r.major < 0 ? json(nullptr) : json(r.major)},
            {"minor", r.minor < 0 ? json(nullptr) : json(r.minor)},
            {"access", r.access}};
}

json cgroup_to_json(const CgroupPlan& c) {
    json rules = json::array();
    for (const auto& rule : c.device_rules) rules.push_back(device_rule_to_json(rule));
    return {{"version", c.version},
            {"limit_path", c.limit_path},
            {"payload_path", c.payload_path},
            {"memory_max_bytes", optional_value(c.memory_max_bytes)},
            {"memory_high_bytes", optional_value(c.memory_high_bytes)},
            {"swap_max_bytes", optional_value(c.swap_max_bytes)},
            {"cpu_quota_us", optional_value(c.cpu_quota_us)},
            {"cpu_period_us", c.cpu_period_us},
            {"cpu_weight", optional_value(c.cpu_weight)},
            {"cpu_shares", optional_value(c.cpu_shares)},
            {"cores", optional_value(c.cores)},
            {"device_rules", rules},
            {"raw", pairs_to_json(c.raw)},
            {"raw_v1", pairs_to_json(c.raw_v1)}};
}

json seccomp_to_json(const SeccompPolicy& s) {
    json rules = json::array();
    for (const auto& rule : s.rules) {
        json conditions = json::array();
        for (const auto& c : rule.conditions)
            conditions.push_back({{"index", c.index}, {"op", c.op}, {"value", c.value}, {"mask", c.mask}});
        rules.push_back({{"syscall", rule.syscall},
                         {"action", to_string(rule.action)},
                         {"errno", rule.action == SeccompAction::Errno ? json(rule.errno_value) : json(nullptr)},
                         {"conditions", conditions}});
    }
    return {{"default_action", to_string(s.default_action)},
            {"architectures", s.architectures},
            {"rules", rules},
            {"notify_proxy", s.notify_proxy},
            {"notify_cookie", s.notify_cookie},
            {"raw_profile_file", s.raw_profile_file}};
}

json network_to_json(const NetworkInterfacePlan& n) {
    return {{"key", n.key},
            {"host_name", n.host_name},
            {"guest_name", n.guest_name},
            {"hwaddr", n.hwaddr},
            {"mtu", optional_value(n.mtu)},
            {"bridge", n.bridge},
            {"tag", optional_value(n.tag)},
            {"trunks", n.trunks},
            {"rate_mbps", optional_value(n.rate_mbps)},
            {"link_down", n.link_down},
            {"firewall", n.firewall},
            {"firewall_bridge", n.firewall_bridge},
            {"host_managed", n.host_managed},
            {"ipv4", n.ipv4},
            {"gateway4", n.gateway4},
            {"ipv6", n.ipv6},
            {"gateway6", n.gateway6},
            {"host_dhcp4", n.host_dhcp4},
            {"host_dhcp6", n.host_dhcp6}};
}

std::string join(const std::vector<std::string>& items, const char* separator = " ") {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::string describe(const SpecialMountPlan& m) {
    std::string line;
    if (m.what == "symlink") line = "symlink " + m.target + " -> " + m.source;
    else if (m.what == "umount") line = "umount " + m.target;
    else if (m.what == "remount") line = "remount " + m.target;
    else if (m.what == "move") line = "move " + m.source + " to " + m.target;
    else if (m.what == "boot-id") line = "boot-id: random UUID in " + m.source + ", bound onto " + m.target;
    else if (m.what == "bind") line = "bind " + std::string(m.host_source ? "host:" : "") + m.source + " on " + m.target;
    else line = m.what + " on " + m.target;
    if (!m.flags.empty()) line += " [" + join(m.flags, ",") + "]";
    if (!m.data.empty()) line += " (" + m.data + ")";
    if (!m.create.empty()) line += " create=" + m.create;
    if (m.optional) line += " optional";
    return line;
}

std::string idmap_text(const std::vector<IdMapEntry>& map) {
    std::vector<std::string> entries;
    for (const auto& entry : map) entries.push_back(entry.to_string());
    return join(entries, ", ");
}

std::string size_text(const std::optional<uint64_t>& bytes) {
    return bytes ? std::to_string(*bytes) : std::string("-");
}

}  // namespace

nlohmann::json start_plan_to_json(const StartPlan& plan) {
    json volumes = json::array(), special = json::array(), devices = json::array(), network = json::array();
    for (const auto& v : plan.volumes) volumes.push_back(volume_to_json(v));
    for (const auto& m : plan.special_mounts) special.push_back(special_mount_to_json(m));
    for (const auto& d : plan.devices) devices.push_back(device_to_json(d));
    for (const auto& n : plan.network) network.push_back(network_to_json(n));
    const NamespacePlan& ns = plan.namespaces;
    return {
        {"version", kStartPlanJsonVersion},
        {"vmid", plan.vmid},
        {"hostname", plan.hostname},
        {"arch", plan.arch},
        {"personality", plan.personality},
        {"ostype", plan.ostype},
        {"unprivileged", plan.unprivileged},
        {"namespaces",
         {{"user", ns.user}, {"mount", ns.mount}, {"pid", ns.pid}, {"uts", ns.uts}, {"ipc", ns.ipc},
          {"network", ns.network}, {"cgroup", ns.cgroup}}},
        {"idmap", idmap_to_json(plan.idmap)},
        {"root_uid", plan.root_uid},
        {"root_gid", plan.root_gid},
        {"volumes", volumes},
        {"special_mounts", special},
        {"devices", devices},
        {"cgroup", cgroup_to_json(plan.cgroup)},
        {"capabilities", {{"dropped", plan.capabilities_dropped}, {"kept", plan.capabilities_kept}}},
        {"seccomp", seccomp_to_json(plan.seccomp)},
        {"apparmor",
         {{"active", plan.apparmor_active},
          {"profile_name", plan.apparmor_profile_name},
          {"profile", plan.apparmor_profile},
          {"namespace", plan.apparmor_namespace}}},
        {"network", network},
        {"console",
         {{"console", plan.console.console},
          {"ttys", plan.console.ttys},
          {"tty_dir", plan.console.tty_dir},
          {"pty_max", plan.console.pty_max},
          {"mode", plan.console.mode}}},
        {"init",
         {{"argv", plan.init.argv},
          {"env", plan.init.env},
          {"cwd", plan.init.cwd},
          {"uid", plan.init.uid},
          {"gid", plan.init.gid},
          {"groups", plan.init.groups},
          {"halt_signal", plan.init.halt_signal},
          {"reboot_signal", plan.init.reboot_signal},
          {"stop_signal", plan.init.stop_signal}}},
        {"sysctls", pairs_to_json(plan.sysctls)},
        {"prlimits", pairs_to_json(plan.prlimits)},
        {"hookscript", plan.hookscript},
        {"warnings", plan.warnings},
    };
}

std::string format_start_plan_text(const StartPlan& plan) {
    std::string out;
    auto line = [&out](const std::string& text) { out += "  " + text + "\n"; };
    auto group = [&out](const std::string& title) { out += title + ":\n"; };

    out += "dry run: CT " + std::to_string(plan.vmid) + " would start; nothing was changed\n";
    group("identity");
    line("hostname " + plan.hostname + ", arch " + plan.arch + " (" + plan.personality + "), ostype " +
         (plan.ostype.empty() ? "-" : plan.ostype));
    line(plan.unprivileged ? "unprivileged, id map " + idmap_text(plan.idmap) + ", root " + std::to_string(plan.root_uid) +
                                 ":" + std::to_string(plan.root_gid)
                           : "privileged (no id map)");
    std::vector<std::string> namespaces;
    const NamespacePlan& ns = plan.namespaces;
    for (const auto& [name, on] : {std::pair{"user", ns.user}, {"mount", ns.mount}, {"pid", ns.pid}, {"uts", ns.uts},
                                   {"ipc", ns.ipc}, {"network", ns.network}, {"cgroup", ns.cgroup}})
        if (on) namespaces.push_back(name);
    line("namespaces: " + join(namespaces));

    group("volumes (in mount order)");
    for (const auto& v : plan.volumes) {
        std::string text = v.key + ": " + kind_name(v.kind) + " " + v.source + " on " + v.target;
        if (v.read_only) text += " read-only";
        if (!v.flags.empty()) text += " [" + join(v.flags, ",") + "]";
        if (!v.fs_options.empty()) text += " (" + v.fs_options + ")";
        if (v.keep_attributes) text += " keepattrs";
        if (!v.idmap.empty()) text += " idmap " + idmap_text(v.idmap);
        line(text);
    }
    group("special mounts (in order)");
    for (const auto& m : plan.special_mounts) line(describe(m));
    group("device nodes");
    for (const auto& d : plan.devices) {
        std::string text = d.path + " " + std::string(1, d.type) + " " + std::to_string(d.major) + ":" +
                           std::to_string(d.minor) + " mode " + octal(d.mode);
        if (d.passthrough)
            text += " owner " + std::to_string(d.uid) + ":" + std::to_string(d.gid) + " (host " + std::to_string(d.host_uid) +
                    ":" + std::to_string(d.host_gid) + "), staged on the host" + (d.deny_write ? ", read-only" : "");
        else if (d.bind_from_host)
            text += ", bind of the host's " + d.host_path;
        line(text);
    }
    group("console");
    line(std::string(plan.console.console ? "/dev/console" : "no /dev/console") + ", " + std::to_string(plan.console.ttys) +
         " ttys" + (plan.console.tty_dir.empty() ? "" : " in /dev/" + plan.console.tty_dir) + ", pty max " +
         std::to_string(plan.console.pty_max) + ", cmode " + plan.console.mode);

    const CgroupPlan& c = plan.cgroup;
    group("cgroup (v" + std::to_string(c.version) + ")");
    line("limits in " + c.limit_path + ", processes in " + c.payload_path);
    line("memory max " + size_text(c.memory_max_bytes) + (c.version == 2 ? ", high " + size_text(c.memory_high_bytes) : "") +
         ", " + (c.version == 2 ? "swap max " : "memory+swap max ") + size_text(c.swap_max_bytes));
    line("cpu quota " + (c.cpu_quota_us ? std::to_string(*c.cpu_quota_us) + "/" + std::to_string(c.cpu_period_us) : "none") +
         (c.version == 2 ? ", weight " + (c.cpu_weight ? std::to_string(*c.cpu_weight) : std::string("default"))
                         : ", shares " + (c.cpu_shares ? std::to_string(*c.cpu_shares) : std::string("default"))) +
         ", cores " + (c.cores ? std::to_string(*c.cores) : std::string("all")));
    for (const auto& rule : c.device_rules) line("devices: " + to_string(rule));
    for (const auto& [key, value] : c.raw) line("raw " + key + " = " + value);
    for (const auto& [key, value] : c.raw_v1) line("raw (v1) " + key + " = " + value);

    group("confinement");
    if (!plan.capabilities_kept.empty()) line("capabilities: keep only " + join(plan.capabilities_kept));
    else if (!plan.capabilities_dropped.empty()) line("capabilities: drop " + join(plan.capabilities_dropped));
    else line("capabilities: all (within the user namespace)");
    if (!plan.seccomp.raw_profile_file.empty()) {
        line("seccomp: profile file " + plan.seccomp.raw_profile_file);
    } else if (plan.seccomp.rules.empty()) {
        line("seccomp: no filter");
    } else {
        line("seccomp (" + join(plan.seccomp.architectures, ",") + "):");
        for (const auto& rule : plan.seccomp.rules) line("  " + to_lxc_seccomp_line(rule));
        if (!plan.seccomp.notify_proxy.empty()) line("  notify listener " + plan.seccomp.notify_proxy + " cookie " + plan.seccomp.notify_cookie);
    }
    std::string apparmor = plan.apparmor_profile_name.empty() ? "unconfined" : plan.apparmor_profile_name;
    if (!plan.apparmor_profile.empty()) apparmor += " (generated, " + std::to_string(std::count(plan.apparmor_profile.begin(), plan.apparmor_profile.end(), '\n')) + " lines)";
    if (!plan.apparmor_active && !plan.apparmor_profile_name.empty()) apparmor += ", not applied: no AppArmor on this host";
    line("apparmor: " + apparmor);

    group("network");
    if (plan.network.empty()) line("no interfaces");
    for (const auto& n : plan.network) {
        std::string text = n.key + ": " + n.host_name + " <-> " + n.guest_name;
        if (!n.bridge.empty()) text += " on " + n.bridge + (n.firewall_bridge ? " via fwbr" + std::to_string(plan.vmid) + "i" + n.key.substr(3) : "");
        if (n.mtu) text += " mtu " + std::to_string(*n.mtu);
        if (!n.hwaddr.empty()) text += " hwaddr " + n.hwaddr;
        if (n.tag) text += " tag " + std::to_string(*n.tag);
        if (!n.trunks.empty()) {
            std::vector<std::string> trunks;
            for (unsigned t : n.trunks) trunks.push_back(std::to_string(t));
            text += " trunks " + join(trunks, ";");
        }
        if (n.rate_mbps) text += " rate " + nlohmann::json(*n.rate_mbps).dump();
        if (n.link_down) text += " link down";
        if (n.host_managed) {
            text += " host-managed";
            if (!n.ipv4.empty()) text += " " + n.ipv4 + (n.gateway4.empty() ? "" : " gw " + n.gateway4);
            if (!n.ipv6.empty()) text += " " + n.ipv6 + (n.gateway6.empty() ? "" : " gw " + n.gateway6);
            if (n.host_dhcp4) text += " dhcp";
            if (n.host_dhcp6) text += " dhcp6";
        }
        line(text);
    }

    group("init");
    line("exec " + join(plan.init.argv) + " as " + std::to_string(plan.init.uid) + ":" + std::to_string(plan.init.gid) +
         " in " + plan.init.cwd);
    line("environment: " + join(plan.init.env) + " (+ container_ttys)");
    line("signals: halt " + (plan.init.halt_signal.empty() ? std::string("SIGRTMIN+3 or SIGPWR (by init)") : plan.init.halt_signal) +
         ", reboot " + plan.init.reboot_signal + ", stop " + plan.init.stop_signal);
    for (const auto& [key, value] : plan.sysctls) line("sysctl " + key + " = " + value);
    for (const auto& [key, value] : plan.prlimits) line("prlimit " + key + " = " + value);
    if (!plan.hookscript.empty()) line("hookscript " + plan.hookscript);
    return out;
}

}  // namespace pct::cli
