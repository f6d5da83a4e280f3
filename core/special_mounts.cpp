#include "core/special_mounts.h"

#include <set>
#include <sstream>

#include "core/error.h"
#include "core/ostype_profile.h"

namespace pct {

namespace {

using Flags = std::vector<std::string>;
const Flags kNoSuidDevExec = {"nosuid", "nodev", "noexec"};

SpecialMountPlan fs(const std::string& type, const std::string& target, Flags flags = {}, std::string data = "") {
    return {.what = type, .source = type, .target = target, .flags = std::move(flags), .data = std::move(data)};
}

SpecialMountPlan bind(const std::string& source, const std::string& target, Flags flags = {}, bool optional = false) {
    flags.insert(flags.begin(), "bind");
    return {.what = "bind", .source = source, .target = target, .flags = std::move(flags), .optional = optional};
}

SpecialMountPlan operation(const std::string& what, const std::string& source, const std::string& target,
                           Flags flags = {}, bool optional = false) {
    return {.what = what, .source = source, .target = target, .flags = std::move(flags), .optional = optional};
}

void proc_mounts(const std::string& mode, bool keeps_net_admin, std::vector<SpecialMountPlan>& out) {
    out.push_back(fs("proc", "/proc", kNoSuidDevExec));
    if (mode != "mixed") return;
    // /proc/sys read-only, but the container's own network sysctls writable:
    // park /proc/sys/net on /proc/tty while /proc/sys is made read-only.
    if (keeps_net_admin) out.push_back(bind("/proc/sys/net", "/proc/tty", {}, true));
    out.push_back(bind("/proc/sys", "/proc/sys", {"ro"}, true));
    if (keeps_net_admin) out.push_back(operation("move", "/proc/tty", "/proc/sys/net", {}, true));
    out.push_back(bind("/proc/sysrq-trigger", "/proc/sysrq-trigger", {"ro"}, true));
}

void sys_mounts(const std::string& mode, std::vector<SpecialMountPlan>& out) {
    if (mode == "rw") {
        out.push_back(fs("sysfs", "/sys"));
    } else if (mode == "ro") {
        out.push_back(fs("sysfs", "/sys", {"ro"}));
    } else {
        // Read-only /sys, writable network device attributes: reach them
        // through a temporary writable instance parked on /proc/sys.
        out.push_back(fs("sysfs", "/proc/sys", kNoSuidDevExec));
        out.push_back(fs("sysfs", "/sys", {"ro", "nosuid", "nodev", "noexec"}));
        out.push_back(bind("/proc/sys/devices/virtual/net", "/sys/devices/virtual/net", {}, true));
        out.push_back(operation("umount", "", "/proc/sys"));
    }
}

// What the container sees at /sys/fs/cgroup. On a unified host: one cgroup2
// mount, which the cgroup namespace roots at lxc/<id>/ns. On a hybrid or
// legacy host the container gets the same layout as the host, as LXC gives
// it: a tmpfs with one mount per v1 hierarchy (each rooted at the
// container's own cgroup by the namespace), the v2 tree at unified/, and the
// tmpfs made read-only. systemd inside then finds the layout it expects.
void cgroup_mounts(const std::string& mode, const StartHostFacts& facts, std::vector<SpecialMountPlan>& out,
                   std::vector<std::string>& warnings) {
    if (mode.empty()) return;
    if (!facts.cgroup_namespaces) {
        warnings.push_back("the kernel has no cgroup namespaces: /sys/fs/cgroup is not mounted in the container");
        return;
    }
    Flags flags = kNoSuidDevExec;
    if (mode == "ro") flags.insert(flags.begin(), "ro");
    if (facts.cgroup_layout == CgroupLayout::Unified) {
        out.push_back(fs("cgroup2", "/sys/fs/cgroup", flags));
        return;
    }
    out.push_back(fs("tmpfs", "/sys/fs/cgroup", kNoSuidDevExec, "mode=0755,size=10240k"));
    for (const auto& hierarchy : facts.cgroup_v1_hierarchies) {
        std::string controllers;
        for (const auto& controller : hierarchy.controllers) controllers += (controllers.empty() ? "" : ",") + controller;
        SpecialMountPlan mount = fs("cgroup", "/sys/fs/cgroup/" + hierarchy.directory, flags, controllers);
        mount.create = "dir";
        out.push_back(mount);
        // Co-mounted controllers ("cpu,cpuacct") are also reachable by name.
        if (hierarchy.controllers.size() > 1)
            for (const auto& controller : hierarchy.controllers)
                if (controller.rfind("name=", 0) != 0 && controller != hierarchy.directory)
                    out.push_back(operation("symlink", hierarchy.directory, "/sys/fs/cgroup/" + controller, {}, true));
    }
    if (facts.cgroup_layout == CgroupLayout::Hybrid) {
        SpecialMountPlan unified = fs("cgroup2", "/sys/fs/cgroup/unified", flags);
        unified.create = "dir";
        out.push_back(unified);
    }
    out.push_back(operation("remount", "", "/sys/fs/cgroup", {"ro", "nosuid", "nodev", "noexec"}));
}

void dev_pts_and_links(unsigned pty_max, unsigned ttys, std::vector<SpecialMountPlan>& out) {
    SpecialMountPlan devpts = fs("devpts", "/dev/pts", {"nosuid", "noexec"},
                                 "newinstance,ptmxmode=0666,mode=0620,gid=5,max=" + std::to_string(pty_max + ttys));
    devpts.create = "dir";
    out.push_back(devpts);
    SpecialMountPlan ptmx = bind("/dev/pts/ptmx", "/dev/ptmx");
    ptmx.create = "file";
    out.push_back(ptmx);
    out.push_back(operation("symlink", "/proc/self/fd", "/dev/fd", {}, true));
    out.push_back(operation("symlink", "/proc/self/fd/0", "/dev/stdin", {}, true));
    out.push_back(operation("symlink", "/proc/self/fd/1", "/dev/stdout", {}, true));
    out.push_back(operation("symlink", "/proc/self/fd/2", "/dev/stderr", {}, true));
}

std::string unescape_fstab(const std::string& field) {
    // fstab encodes blanks and backslashes as three octal digits (\040).
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
            out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

}  // namespace

void apply_mount_auto(MountAuto& state, const std::string& value, std::vector<std::string>& warnings) {
    std::istringstream tokens(value);
    std::string token;
    bool any = false;
    while (tokens >> token) {
        any = true;
        std::string group = token.substr(0, token.find(':'));
        std::string mode = token.find(':') == std::string::npos ? "" : token.substr(token.find(':') + 1);
        if (group == "cgroup" && mode.size() >= 6 && mode.substr(mode.size() - 6) == ":force") mode.resize(mode.size() - 6);
        if (group == "cgroup" && mode == "force") mode = "";
        if (group == "proc" && (mode == "" || mode == "mixed" || mode == "rw")) {
            state.proc = mode.empty() ? "mixed" : mode;
        } else if (group == "sys" && (mode == "" || mode == "mixed" || mode == "ro" || mode == "rw")) {
            state.sys = mode.empty() ? "mixed" : mode;
        } else if (group == "cgroup" && (mode == "" || mode == "mixed" || mode == "ro" || mode == "rw")) {
            state.cgroup = mode.empty() ? "mixed" : mode;
        } else {
            warnings.push_back("lxc.mount.auto: '" + token + "' is not supported by pct's runtime; ignored");
        }
    }
    if (!any) state = MountAuto{.proc = "", .sys = "", .cgroup = ""};
}

SpecialMountPlan parse_lxc_mount_entry(const std::string& line, int vmid) {
    std::istringstream fields(line);
    std::string source, target, type, options;
    if (!(fields >> source >> target >> type)) throw UserError("lxc.mount.entry: cannot parse '" + line + "'");
    fields >> options;
    source = unescape_fstab(source);
    target = unescape_fstab(target);

    // Targets are inside the container; LXC also accepts them spelled with
    // its own rootfs path in front.
    const std::string lxc_rootfs = "/var/lib/lxc/" + std::to_string(vmid) + "/rootfs";
    if (target.rfind(lxc_rootfs, 0) == 0) target = target.substr(lxc_rootfs.size());
    if (target.empty() || target[0] != '/') target = "/" + target;
    if (target.find("/../") != std::string::npos || (target.size() >= 3 && target.substr(target.size() - 3) == "/.."))
        throw UserError("lxc.mount.entry: target '" + target + "' leaves the container");

    static const std::set<std::string> flag_names = {"ro", "nosuid", "nodev", "noexec", "relatime", "noatime",
                                                     "strictatime", "nodiratime", "sync", "dirsync", "lazytime"};
    static const std::set<std::string> ignored_names = {"rw", "suid", "dev", "exec", "defaults", "auto", "noauto"};
    SpecialMountPlan mount{.what = type, .source = source, .target = target};
    std::string data;
    bool bind_mount = false;
    std::istringstream items(options);
    std::string item;
    while (std::getline(items, item, ',')) {
        if (item.empty() || ignored_names.count(item)) continue;
        if (item == "bind" || item == "rbind") {
            bind_mount = true;
            if (item == "rbind") mount.flags.push_back("rec");
        } else if (item == "optional") {
            mount.optional = true;
        } else if (item == "create=dir" || item == "create=file") {
            mount.create = item.substr(7);
        } else if (flag_names.count(item)) {
            mount.flags.push_back(item);
        } else if (item.rfind("idmap=", 0) == 0) {
            throw UserError("lxc.mount.entry: 'idmap=' is not supported by pct's runtime (use an mpN with idmap=)");
        } else {
            data += (data.empty() ? "" : ",") + item;
        }
    }
    if (bind_mount) {
        mount.what = "bind";
        mount.flags.insert(mount.flags.begin(), "bind");
        mount.host_source = true;
        if (source.empty() || source[0] != '/')
            throw UserError("lxc.mount.entry: bind source '" + source + "' must be an absolute host path");
    }
    mount.data = data;
    return mount;
}

std::vector<SpecialMountPlan> plan_special_mounts(const SpecialMountInputs& in, const StartHostFacts& facts,
                                                  std::vector<std::string>& warnings) {
    // lxc.mount.auto: common.conf, userns.conf (sys:rw), Proxmox (sys:mixed
    // unless force_rw_sys), then the raw lines.
    MountAuto automount;
    if (in.unprivileged) automount.sys = in.features.force_rw_sys ? "rw" : "mixed";
    for (const auto& value : in.raw_mount_auto) apply_mount_auto(automount, value, warnings);

    std::vector<SpecialMountPlan> out;
    out.push_back(fs("tmpfs", "/dev", {}, "mode=0755,size=500000"));
    if (!automount.proc.empty()) proc_mounts(automount.proc, in.keeps_net_admin, out);
    if (!automount.sys.empty()) sys_mounts(automount.sys, out);

    // Mount entries in the order LXC reads them: common.conf, the ostype
    // snippet, the userns snippets, Proxmox's generated ones, raw lines.
    std::vector<std::string> entries;
    if (facts.fuse_connections) entries.push_back("/sys/fs/fuse/connections sys/fs/fuse/connections none bind,optional 0 0");
    const OstypeProfile& profile = ostype_profile(in.ostype);
    entries.insert(entries.end(), profile.mount_entries.begin(), profile.mount_entries.end());
    if (in.unprivileged)
        entries.insert(entries.end(), profile.userns_mount_entries.begin(), profile.userns_mount_entries.end());
    if (in.features.fuse) entries.push_back("/dev/fuse dev/fuse none bind,create=file 0 0");
    if (in.custom_entrypoint) entries.push_back("shm dev/shm tmpfs rw,nosuid,nodev,create=dir 0 0");
    entries.insert(entries.end(), in.raw_mount_entries.begin(), in.raw_mount_entries.end());
    for (const auto& entry : entries) out.push_back(parse_lxc_mount_entry(entry, in.vmid));

    if (in.nesting) {
        // Pristine proc and sysfs instances for nested container runtimes.
        for (const auto& [type, target] : {std::pair{"proc", "/dev/.lxc/proc"}, std::pair{"sysfs", "/dev/.lxc/sys"}}) {
            SpecialMountPlan helper = fs(type, target, kNoSuidDevExec);
            helper.create = "dir";
            helper.optional = true;
            out.push_back(helper);
        }
    }
    cgroup_mounts(automount.cgroup, facts, out, warnings);
    dev_pts_and_links(in.pty_max, in.ttys, out);
    out.push_back(operation("boot-id", "/dev/.lxc-boot-id", "/proc/sys/kernel/random/boot_id", kNoSuidDevExec));
    out.back().flags.insert(out.back().flags.begin(), "ro");
    return out;
}

}  // namespace pct
