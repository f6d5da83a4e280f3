#include "runtime/start_host_probe.h"

#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "runtime/network_link_control.h"

namespace pct {

namespace {

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool is_directory(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string first_line(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

std::vector<std::string> words(const std::string& text) {
    std::istringstream stream(text);
    std::vector<std::string> out;
    for (std::string word; stream >> word;) out.push_back(word);
    return out;
}

// v1 hierarchies as mounted below /sys/fs/cgroup (mountinfo field 5 is the
// mount point, the super options after " - cgroup cgroup " name the controllers).
std::vector<CgroupV1Hierarchy> v1_hierarchies() {
    static const std::set<std::string> controllers = {"cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer",
                                                      "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc"};
    std::vector<CgroupV1Hierarchy> out;
    std::ifstream mountinfo("/proc/self/mountinfo");
    for (std::string line; std::getline(mountinfo, line);) {
        size_t dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::vector<std::string> before = words(line.substr(0, dash)), after = words(line.substr(dash + 3));
        if (before.size() < 5 || after.size() < 3 || after[0] != "cgroup") continue;
        const std::string prefix = "/sys/fs/cgroup/";
        if (before[4].rfind(prefix, 0) != 0) continue;
        CgroupV1Hierarchy hierarchy{.directory = before[4].substr(prefix.size())};
        std::istringstream options(after[2]);
        for (std::string option; std::getline(options, option, ',');)
            if (controllers.count(option) || option.rfind("name=", 0) == 0) hierarchy.controllers.push_back(option);
        if (!hierarchy.controllers.empty() && hierarchy.directory.find('/') == std::string::npos) out.push_back(hierarchy);
    }
    return out;
}

KernelVersion kernel_version(const std::string& release) {
    KernelVersion version;
    std::sscanf(release.c_str(), "%d.%d.%d", &version.major, &version.minor, &version.patch);
    return version;
}

AppArmorHostSupport apparmor_support() {
    AppArmorHostSupport support;
    support.enabled = first_line("/sys/module/apparmor/parameters/enabled") == "Y";
    if (!support.enabled) return support;
    const std::string features = "/sys/kernel/security/apparmor/features/";
    int major = 0, minor = 0;
    std::sscanf(first_line(features + "domain/version").c_str(), "%d.%d", &major, &minor);
    support.stacking = first_line(features + "domain/stack") == "yes" && (major > 1 || (major == 1 && minor >= 2));
    // AppArmor 4 ships the abi/4.0 file; older parsers reject `userns,` and `mqueue,`.
    const bool parser4 = exists("/etc/apparmor.d/abi/4.0");
    support.userns_rules = parser4 && exists(features + "namespaces/userns_create");
    support.mqueue_rules = parser4 && exists(features + "ipc/posix_mqueue");
    return support;
}

}  // namespace

StartHostFacts probe_start_host_facts() {
    StartHostFacts facts;
    if (exists("/sys/fs/cgroup/cgroup.controllers")) {
        facts.cgroup_layout = CgroupLayout::Unified;
        facts.cgroup2_controllers = words(first_line("/sys/fs/cgroup/cgroup.controllers"));
    } else {
        facts.cgroup_v1_hierarchies = v1_hierarchies();
        facts.cgroup_layout = exists("/sys/fs/cgroup/unified/cgroup.controllers") ? CgroupLayout::Hybrid : CgroupLayout::Legacy;
        facts.cgroup2_controllers = words(first_line("/sys/fs/cgroup/unified/cgroup.controllers"));
        facts.cgroup_v1_swap_accounting = exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
    }
    facts.cgroup_namespaces = exists("/proc/self/ns/cgroup");

    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    facts.cpu_count = ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? static_cast<unsigned>(CPU_COUNT(&cpus))
                                                                     : static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
    struct utsname names {};
    if (::uname(&names) == 0) {
        facts.kernel = kernel_version(names.release);
        facts.machine = names.machine;
    }
    facts.apparmor = apparmor_support();
    facts.fuse_connections = is_directory("/sys/fs/fuse/connections");
    facts.iptables_firewall = exists("/run/proxmox-nftables-firewall-force-disable");

    // Over rtnetlink, like the start that creates the veths: /sys/class/net
    // shows the network namespace of whoever mounted /sys, which is not
    // ours when pct runs in another one.
    facts.bridge_mtu = [](const std::string& bridge) -> std::optional<unsigned> {
        std::optional<LinkInfo> link = find_link(bridge);
        if (!link) return std::nullopt;
        return link->mtu;
    };
    facts.bridge_vlan_aware = [](const std::string& bridge) -> std::optional<bool> {
        std::optional<LinkInfo> link = find_link(bridge);
        if (!link || link->kind != "bridge") return std::nullopt;  // not a Linux bridge (or an OVS one)
        return link->vlan_filtering;
    };
    facts.device_node = [](const std::string& path) -> std::optional<DeviceNodeInfo> {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) return std::nullopt;
        char type = S_ISCHR(info.st_mode) ? 'c' : S_ISBLK(info.st_mode) ? 'b' : '-';
        return DeviceNodeInfo{.type = type, .major = major(info.st_rdev), .minor = minor(info.st_rdev)};
    };
    return facts;
}

}  // namespace pct
