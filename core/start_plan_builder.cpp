#include "core/start_plan_builder.h"

#include <regex>

#include "core/apparmor_profile.h"
#include "core/capability_policy.h"
#include "core/cgroup_limits.h"
#include "core/console_plan.h"
#include "core/container_features.h"
#include "core/device_policy.h"
#include "core/error.h"
#include "core/init_plan.h"
#include "core/network_plan.h"
#include "core/ostype_profile.h"
#include "core/raw_lxc_settings.h"
#include "core/seccomp_policy.h"
#include "core/special_mounts.h"

namespace pct {

namespace {

// i[3-6]86|x86|armhf|armel|armv7l|linux32 (LXC's 32-bit personalities).
bool is_32bit_arch(const std::string& arch) {
    if (arch.size() == 4 && arch[0] == 'i' && arch[1] >= '3' && arch[1] <= '6' && arch.compare(2, 2, "86") == 0) return true;
    for (const char* name : {"x86", "armhf", "armel", "armv7l", "linux32"})
        if (arch == name) return true;
    return false;
}

// Everything the policies below need besides the config.
struct Context {
    int vmid = 0;
    const ConfigSection& config;
    const StartHostFacts& facts;
    RawLxcSettings raw;
    ContainerFeatures features;
    std::vector<std::string> problems;
};

std::string joined(const std::vector<std::string>& items, const char* separator) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

void plan_identity(StartPlan& plan, Context& ctx) {
    const std::string* option = ctx.config.get("unprivileged");
    const bool unprivileged_option = option && *option == "1";
    // A custom id map alone already makes the container unprivileged.
    plan.unprivileged = unprivileged_option || has_raw_idmap(ctx.config.lxc);
    plan.idmap = effective_idmap(ctx.raw.idmap, plan.unprivileged);
    if (auto conflict = find_idmap_conflict(plan.idmap)) ctx.problems.push_back("lxc.idmap: " + *conflict);
    plan.root_uid = root_host_id(plan.idmap, 'u');
    plan.root_gid = root_host_id(plan.idmap, 'g');

    plan.namespaces.user = !plan.idmap.empty();
    plan.namespaces.cgroup = ctx.facts.cgroup_namespaces;

    const std::string* hostname = ctx.config.get("hostname");
    plan.hostname = ctx.raw.uts_name ? *ctx.raw.uts_name : hostname ? *hostname : "CT" + std::to_string(ctx.vmid);
    const std::string* arch = ctx.config.get("arch");
    plan.arch = ctx.raw.arch ? *ctx.raw.arch : arch ? *arch : "amd64";
    plan.personality = is_32bit_arch(plan.arch) ? "linux32" : "linux";
    const std::string* ostype = ctx.config.get("ostype");
    plan.ostype = ostype ? *ostype : "";
    if (!ostype) plan.warnings.push_back("'ostype' is not set: using the generic settings (as for 'unmanaged')");
}

void plan_devices(StartPlan& plan, Context& ctx) {
    plan.devices = standard_device_nodes(plan.unprivileged);
    DeviceRuleInputs rules{.unprivileged = plan.unprivileged,
                           .legacy_devices_cgroup = plan.cgroup.version == 1,
                           .v1_ostype_allows = ostype_profile(plan.ostype).v1_device_allows,
                           .console = plan.console.console};
    for (int index = 0; index < 256; ++index) {
        const std::string key = "dev" + std::to_string(index);
        const std::string* value = ctx.config.get(key);
        if (!value) continue;
        try {
            DeviceNodePlan device = passthrough_device(*value, plan.idmap, ctx.facts);
            rules.passthrough.push_back(device);
            plan.devices.push_back(device);
        } catch (const UserError& e) {
            ctx.problems.push_back(key + ": " + e.what());
        }
    }
    auto add_raw = [&rules](const RawEntries& entries) {
        for (const auto& [key, value] : entries)
            if (key == "devices.allow" || key == "devices.deny") rules.raw_allow_deny.push_back(key.substr(8) + " " + value);
    };
    add_raw(ctx.raw.cgroup2);
    if (plan.cgroup.version == 1) add_raw(ctx.raw.cgroup1);
    try {
        plan.cgroup.device_rules = device_cgroup_rules(rules);
    } catch (const UserError& e) {
        ctx.problems.push_back(std::string("lxc.cgroup2.devices: ") + e.what());
    }
}

void plan_cgroup(StartPlan& plan, Context& ctx) {
    plan.cgroup.version = ctx.facts.cgroup_layout == CgroupLayout::Unified ? 2 : 1;
    plan.cgroup.limit_path = "lxc/" + std::to_string(ctx.vmid);
    plan.cgroup.payload_path = plan.cgroup.limit_path + "/ns";
    plan_cgroup_limits(plan.cgroup, ctx.config, ctx.facts, ctx.raw.cgroup2, ctx.raw.cgroup1, plan.warnings);
}

void plan_seccomp(StartPlan& plan, Context& ctx) {
    const bool mknod = plan.unprivileged && ctx.features.mknod;
    if (mknod && !ctx.facts.kernel.at_least(5, 3))
        ctx.problems.push_back("'mknod' feature requested, but kernel too old (found " + ctx.facts.kernel.to_string() +
                               ", required >= 5.3)");
    if (ctx.raw.seccomp_profile) {
        std::vector<std::string> overridden;
        if (ctx.features.keyctl) overridden.push_back("keyctl");
        if (ctx.features.mknod) overridden.push_back("mknod");
        if (!overridden.empty())
            plan.warnings.push_back("explicitly configured lxc.seccomp.profile overrides the following settings: " +
                                    joined(overridden, ", "));
        plan.seccomp.architectures = seccomp_architectures(ctx.facts.machine);
        plan.seccomp.raw_profile_file = *ctx.raw.seccomp_profile;  // empty: no filter at all
        return;
    }
    plan.seccomp = seccomp_policy(
        {.unprivileged = plan.unprivileged, .features = ctx.features, .machine = ctx.facts.machine, .vmid = ctx.vmid});
    if (ctx.raw.seccomp_notify_proxy) plan.seccomp.notify_proxy = *ctx.raw.seccomp_notify_proxy;
    if (ctx.raw.seccomp_notify_cookie) plan.seccomp.notify_cookie = *ctx.raw.seccomp_notify_cookie;
}

void plan_apparmor(StartPlan& plan, Context& ctx, bool nesting) {
    const bool host_has_apparmor = ctx.facts.apparmor.enabled;
    if (ctx.raw.apparmor_profile && *ctx.raw.apparmor_profile != "generated") {
        std::vector<std::string> overridden;
        if (ctx.features.fuse) overridden.push_back("features:fuse");
        if (ctx.features.nesting) overridden.push_back("features:nesting");
        if (!ctx.features.mount_types.empty()) overridden.push_back("features:mount");
        if (!overridden.empty())
            plan.warnings.push_back("explicitly configured lxc.apparmor.profile overrides the following settings: " +
                                    joined(overridden, ", "));
        const std::string& name = *ctx.raw.apparmor_profile;
        // "unconfined" and "unchanged" both mean: no transition at exec.
        if (name != "unconfined" && name != "unchanged" && !name.empty()) {
            plan.apparmor_profile_name = name;
            plan.apparmor_active = host_has_apparmor;
        }
        return;
    }
    AppArmorProfileInputs inputs{.name = apparmor_profile_name(ctx.vmid),
                                 .unprivileged = plan.unprivileged,
                                 .nesting = nesting,
                                 .cgroup_namespaces = ctx.facts.cgroup_namespaces,
                                 .stacking = ctx.facts.apparmor.stacking,
                                 .userns_rules = ctx.facts.apparmor.userns_rules,
                                 .mqueue_rules = ctx.facts.apparmor.mqueue_rules,
                                 .raw_rules = ctx.raw.apparmor_raw};
    if (ctx.features.fuse) inputs.mount_fstypes.push_back("fuse");
    for (const auto& type : ctx.features.mount_types) inputs.mount_fstypes.push_back(type);
    plan.apparmor_profile_name = inputs.name;
    plan.apparmor_profile = generate_apparmor_profile(inputs);
    plan.apparmor_active = host_has_apparmor;
    if (inputs.stacking) plan.apparmor_namespace = apparmor_namespace_name(ctx.vmid);
    if (!host_has_apparmor)
        plan.warnings.push_back("AppArmor is not enabled on this host: the container runs without an AppArmor profile");
}

// The patterns are compiled on first use only: compiling a std::regex costs
// more than planning a whole start without these keys.
void plan_limits_and_sysctls(StartPlan& plan, Context& ctx) {
    for (const auto& [key, value] : ctx.raw.sysctls) {
        static const std::regex sysctl_key("[a-z0-9_]+(\\.[a-zA-Z0-9_-]+)+");
        if (!std::regex_match(key, sysctl_key)) ctx.problems.push_back("lxc.sysctl." + key + ": invalid sysctl name");
        else plan.sysctls.emplace_back(key, value);
    }
    for (const auto& [key, value] : ctx.raw.prlimits) {
        static const std::regex resource("as|core|cpu|data|fsize|locks|memlock|msgqueue|nice|nofile|nproc|rss|rtprio|rttime|sigpending|stack");
        static const std::regex limit("(unlimited|\\d+)(:(unlimited|\\d+))?");
        if (!std::regex_match(key, resource)) ctx.problems.push_back("lxc.prlimit." + key + ": unknown resource");
        else if (!std::regex_match(value, limit))
            ctx.problems.push_back("lxc.prlimit." + key + ": invalid limit '" + value + "' (soft[:hard])");
        else plan.prlimits.emplace_back(key, value);
    }
}

}  // namespace

HostMountPlan build_host_mount_plan(const ContainerConfig& config, const VolumeResolver& resolve) {
    std::vector<std::string> problems;
    std::vector<std::string> warnings;  // a start reports them; a host mount has no use for them
    const RawLxcSettings raw = collect_raw_lxc_settings(config.main.lxc, problems);
    const std::string* option = config.main.get("unprivileged");
    const bool unprivileged = (option && *option == "1") || has_raw_idmap(config.main.lxc);
    const std::vector<IdMapEntry> idmap = effective_idmap(raw.idmap, unprivileged);
    if (auto conflict = find_idmap_conflict(idmap)) problems.push_back("lxc.idmap: " + *conflict);
    HostMountPlan plan{.volumes = plan_volume_mounts(config.main, {.unprivileged = unprivileged, .idmap = idmap}, resolve,
                                                     problems, warnings),
                       .root_uid = root_host_id(idmap, 'u'),
                       .root_gid = root_host_id(idmap, 'g')};
    if (!problems.empty()) throw UserError(joined(problems, "\n"));
    return plan;
}

StartPlan build_start_plan(const ContainerConfig& config, int vmid, const StartHostFacts& facts,
                           const VolumeResolver& resolve) {
    StartPlan plan;
    plan.vmid = vmid;
    Context ctx{.vmid = vmid, .config = config.main, .facts = facts};
    ctx.raw = collect_raw_lxc_settings(config.main.lxc, ctx.problems);
    plan.warnings = ctx.raw.warnings;
    try {
        ctx.features = parse_container_features(config.main.get("features"));
    } catch (const UserError& e) {
        ctx.problems.push_back(std::string("features: ") + e.what());
    }
    const bool nesting = ctx.features.nesting || ctx.raw.apparmor_allow_nesting;

    plan_identity(plan, ctx);
    plan.volumes = plan_volume_mounts(config.main, {.unprivileged = plan.unprivileged, .idmap = plan.idmap}, resolve,
                                      ctx.problems, plan.warnings);

    try {
        CapabilityPolicy caps = capability_policy(plan.ostype, plan.unprivileged, ctx.raw.capability_lines);
        plan.capabilities_dropped = caps.dropped;
        plan.capabilities_kept = caps.kept;
    } catch (const UserError& e) {
        ctx.problems.push_back(e.what());
    }
    const CapabilityPolicy caps{plan.capabilities_dropped, plan.capabilities_kept};

    plan.console = plan_console(config.main, ctx.raw, plan.ostype, plan.unprivileged, ctx.problems, plan.warnings);
    plan.init = plan_init(config.main, ctx.raw, plan.ostype, ctx.problems, plan.warnings);
    const std::string* entrypoint = config.main.get("entrypoint");
    try {
        plan.special_mounts = plan_special_mounts({.vmid = vmid,
                                                   .unprivileged = plan.unprivileged,
                                                   .ostype = plan.ostype,
                                                   .features = ctx.features,
                                                   .nesting = nesting,
                                                   .keeps_net_admin = caps.keeps("CAP_NET_ADMIN"),
                                                   .custom_entrypoint = entrypoint && *entrypoint != "/sbin/init",
                                                   .pty_max = plan.console.pty_max,
                                                   .ttys = plan.console.ttys,
                                                   .raw_mount_auto = ctx.raw.mount_auto,
                                                   .raw_mount_entries = ctx.raw.mount_entries},
                                                  facts, plan.warnings);
    } catch (const UserError& e) {
        ctx.problems.push_back(e.what());
    }

    plan_cgroup(plan, ctx);
    plan_devices(plan, ctx);
    plan_seccomp(plan, ctx);
    plan_apparmor(plan, ctx, nesting);
    plan.network = plan_network(config.main, vmid, facts, ctx.problems);
    plan_limits_and_sysctls(plan, ctx);
    if (const std::string* hookscript = config.main.get("hookscript")) plan.hookscript = *hookscript;

    if (!ctx.problems.empty()) throw UserError(joined(ctx.problems, "\n"));
    return plan;
}

}  // namespace pct
