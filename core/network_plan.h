#pragma once
// netN -> the veth pairs a start creates (runtime.md §15).
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/start_host_facts.h"
#include "core/start_plan.h"

namespace pct {

// Interfaces in lexically sorted key order (net0, net1, net10, net2, ...),
// as Proxmox writes them. Problems (spec messages, prefixed with the key
// where the spec does) go to `problems`.
std::vector<NetworkInterfacePlan> plan_network(const ConfigSection& config, int vmid, const StartHostFacts& facts,
                                               std::vector<std::string>& problems);

}  // namespace pct
