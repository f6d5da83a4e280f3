#pragma once
// Device nodes in the container's /dev and the device cgroup rules
// (runtime.md §6.4, §7.4, §12.1-12.2).
#include <optional>
#include <string>
#include <vector>

#include "core/start_host_facts.h"
#include "core/start_plan.h"

namespace pct {

// null, zero, full, random, urandom, tty. Unprivileged containers cannot
// mknod, so they get the host's nodes bind-mounted instead.
std::vector<DeviceNodePlan> standard_device_nodes(bool unprivileged);

// A `devN` value: validates the path, looks the node up on the host and maps
// the owner through the id map. Throws UserError with the spec's messages.
DeviceNodePlan passthrough_device(const std::string& value, const std::vector<IdMapEntry>& idmap,
                                  const StartHostFacts& facts);

struct DeviceRuleInputs {
    bool unprivileged = false;
    bool legacy_devices_cgroup = false;  // the devices controller is a v1 one
    bool v1_ostype_allows = false;       // ostype snippet's v1-only allows (debian, devuan, ubuntu, gentoo)
    bool console = true;
    std::vector<DeviceNodePlan> passthrough;  // devN in index order
    std::vector<std::string> raw_allow_deny;  // "allow <rule>" / "deny <rule>" from lxc.cgroup2.devices.* (and v1 keys on v1)
};

// Rules in order: the mode rule (`deny a` = allow-list for privileged,
// `allow a` = deny-list for unprivileged), the allow-list, passthrough
// devices, the console deny, raw rules. Throws UserError for a malformed raw rule.
std::vector<DeviceRule> device_cgroup_rules(const DeviceRuleInputs& inputs);

// `c 1:3 rwm`, `a`, `b *:* m`. Throws UserError("invalid device rule '<text>'").
DeviceRule parse_device_rule(bool allow, const std::string& text);
std::string to_string(const DeviceRule& rule);

}  // namespace pct
