#pragma once
// Facts about the host that core decisions depend on, handed in as values
// (core/ never looks at the host itself).
#include <functional>
#include <optional>
#include <string>

namespace pct {

struct HostFacts {
    int cgroup_version = 2;
    std::function<std::optional<int>(const std::string& bridge)> bridge_mtu;  // nullopt: unknown bridge
    std::function<bool(const std::string& path)> is_device_node;
};

}  // namespace pct
