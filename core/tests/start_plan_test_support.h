#pragma once
// Shared fixtures for the start plan tests: a config from text, fixed host
// facts and a resolver for `local:` volumes.
#include <string>

#include "core/config_loader.h"
#include "core/error.h"
#include "core/start_host_facts.h"
#include "core/start_plan_builder.h"

namespace pct::testing {

inline ContainerConfig config_from(const std::string& text) { return parse_config_strict(text, 100, "100.conf"); }

inline StartHostFacts fake_host_facts() {
    StartHostFacts facts;
    facts.cpu_count = 8;
    facts.kernel = {6, 8, 12};
    facts.bridge_mtu = [](const std::string& bridge) -> std::optional<unsigned> {
        if (bridge == "vmbr0") return 1500;
        if (bridge == "vmbr1") return 9000;
        return std::nullopt;
    };
    facts.bridge_vlan_aware = [](const std::string& bridge) -> std::optional<bool> { return bridge == "vmbr1"; };
    facts.device_node = [](const std::string& path) -> std::optional<DeviceNodeInfo> {
        if (path == "/dev/ttyUSB0") return DeviceNodeInfo{'c', 188, 0};
        if (path == "/dev/sdb") return DeviceNodeInfo{'b', 8, 16};
        if (path == "/dev/plainfile") return DeviceNodeInfo{'-', 0, 0};
        return std::nullopt;
    };
    return facts;
}

inline StartHostFacts hybrid_host_facts() {
    StartHostFacts facts = fake_host_facts();
    facts.cgroup_layout = CgroupLayout::Hybrid;
    facts.cgroup2_controllers = {"hugetlb"};
    facts.cgroup_v1_hierarchies = {{"cpu,cpuacct", {"cpu", "cpuacct"}}, {"cpuset", {"cpuset"}}, {"memory", {"memory"}},
                                   {"devices", {"devices"}}, {"systemd", {"name=systemd"}}};
    return facts;
}

// local:100/x.raw -> a raw image, local:subvol-... -> a directory.
inline ResolvedVolume fake_resolve(const std::string& volid) {
    const std::string name = volid.substr(volid.find(':') + 1);
    const bool subvol = name.find("subvol-") != std::string::npos;
    return {.path = "/var/lib/vz/images/" + name, .format = subvol ? VolumeFormat::Subvol : VolumeFormat::Raw};
}

inline StartPlan plan_for(const std::string& text, const StartHostFacts& facts = fake_host_facts()) {
    return build_start_plan(config_from(text), 100, facts, fake_resolve);
}

inline std::string plan_error(const std::string& text, const StartHostFacts& facts = fake_host_facts()) {
    try {
        plan_for(text, facts);
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

inline const std::string base_config = "arch: amd64\nostype: debian\nrootfs: local:100/vm-100-disk-0.raw,size=8G\n";
inline const std::string unprivileged_config = base_config + "unprivileged: 1\n";

}  // namespace pct::testing
