#include "runtime/host_probe.h"

#include <sys/stat.h>
#include <unistd.h>

#include "runtime/network_link_control.h"

namespace pct {

HostFacts probe_host_facts() {
    HostFacts facts;
    // A pure v2 host has cgroup.controllers at the top of /sys/fs/cgroup; the
    // hybrid layout (v1 controllers, v2 under unified/) counts as v1.
    facts.cgroup_version = ::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? 2 : 1;
    // rtnetlink, not /sys/class/net: the links of our own network namespace.
    facts.bridge_mtu = [](const std::string& bridge) -> std::optional<int> {
        std::optional<LinkInfo> link = find_link(bridge);
        if (!link) return std::nullopt;
        return static_cast<int>(link->mtu);
    };
    facts.is_device_node = [](const std::string& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 && (S_ISBLK(info.st_mode) || S_ISCHR(info.st_mode));
    };
    return facts;
}

}  // namespace pct
