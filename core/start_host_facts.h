#pragma once
// Everything about the host that a start plan depends on, as plain values
// (core/ never looks at the host). runtime/start_host_probe.h fills it from
// /sys, /proc and uname; tests fill it by hand.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pct {

struct KernelVersion {
    int major = 0;
    int minor = 0;
    int patch = 0;
    bool at_least(int want_major, int want_minor) const {
        return major > want_major || (major == want_major && minor >= want_minor);
    }
    std::string to_string() const {
        return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    }
};

enum class CgroupLayout {
    Unified,  // cgroup v2 only
    Hybrid,   // v1 controllers, plus an (almost empty) v2 tree at /sys/fs/cgroup/unified
    Legacy,   // v1 only
};

// One mounted v1 hierarchy, e.g. {"cpu,cpuacct", {"cpu", "cpuacct"}} or
// {"systemd", {"name=systemd"}}.
struct CgroupV1Hierarchy {
    std::string directory;                 // below /sys/fs/cgroup
    std::vector<std::string> controllers;  // the mount's controller options
};

struct DeviceNodeInfo {
    char type = 'c';  // 'c', 'b', or '-' when the path exists but is no device node
    uint32_t major = 0;
    uint32_t minor = 0;
};

struct AppArmorHostSupport {
    bool enabled = false;       // /sys/module/apparmor/parameters/enabled = Y
    bool stacking = false;      // domain/stack and domain version >= 1.2
    bool userns_rules = false;  // kernel mediates user namespaces and the parser knows `userns,` (AppArmor 4)
    bool mqueue_rules = false;  // kernel mediates POSIX mqueues and the parser knows `mqueue,` (AppArmor 4)
};

struct StartHostFacts {
    CgroupLayout cgroup_layout = CgroupLayout::Unified;
    std::vector<CgroupV1Hierarchy> cgroup_v1_hierarchies;  // Hybrid/Legacy
    // Controllers the unified hierarchy offers to containers (cgroup.controllers).
    std::vector<std::string> cgroup2_controllers = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids"};
    bool cgroup_v1_swap_accounting = true;  // memory.memsw.* exists (v1 only)
    bool cgroup_namespaces = true;          // /proc/self/ns/cgroup

    unsigned cpu_count = 1;                 // CPUs this process may run on
    KernelVersion kernel{6, 1, 0};
    std::string machine = "x86_64";         // uname -m
    AppArmorHostSupport apparmor;
    bool fuse_connections = false;          // /sys/fs/fuse/connections exists
    bool iptables_firewall = false;         // the iptables-based firewall (needs fwbr bridges) is in use

    // nullopt: no such interface.
    std::function<std::optional<unsigned>(const std::string& bridge)> bridge_mtu;
    // nullopt: unknown; false: a Linux bridge without vlan_filtering.
    std::function<std::optional<bool>(const std::string& bridge)> bridge_vlan_aware;
    // nullopt: the path does not exist.
    std::function<std::optional<DeviceNodeInfo>(const std::string& path)> device_node;
};

}  // namespace pct
