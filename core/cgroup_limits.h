#pragma once
// Memory and CPU limits of a container's cgroup (runtime.md §7.2, §7.3),
// for the unified hierarchy (v2) or the legacy controllers (v1).
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/raw_lxc_settings.h"
#include "core/start_host_facts.h"
#include "core/start_plan.h"

namespace pct {

// Fills the limit fields and the raw entries of `plan` (its version must be
// set). Raw lxc.cgroup2.* / lxc.cgroup.* entries other than devices.* are
// kept for the runtime to write after the generated limits, so they win;
// v1 keys on a pure v2 host are dropped with a warning.
void plan_cgroup_limits(CgroupPlan& plan, const ConfigSection& config, const StartHostFacts& facts,
                        const RawEntries& raw_cgroup2, const RawEntries& raw_cgroup1, std::vector<std::string>& warnings);

// memory.high for `memory_mib` (Proxmox's reclaim headroom below memory.max).
uint64_t memory_high_bytes(uint64_t memory_mib);

// int(100000 * cpulimit) as Perl computes it: the product truncated.
uint64_t cpu_quota_us(double cpulimit);

}  // namespace pct
