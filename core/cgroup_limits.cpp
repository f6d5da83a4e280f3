#include "core/cgroup_limits.h"

#include <algorithm>
#include <cmath>

namespace pct {

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

bool has_controller(const StartHostFacts& facts, unsigned version, const std::string& controller) {
    if (version == 2)
        return std::find(facts.cgroup2_controllers.begin(), facts.cgroup2_controllers.end(), controller) !=
               facts.cgroup2_controllers.end();
    for (const auto& hierarchy : facts.cgroup_v1_hierarchies)
        if (std::find(hierarchy.controllers.begin(), hierarchy.controllers.end(), controller) != hierarchy.controllers.end())
            return true;
    return false;
}

std::optional<uint64_t> integer_option(const ConfigSection& config, const char* key) {
    const std::string* value = config.get(key);
    if (!value) return std::nullopt;
    return std::stoull(*value);
}

bool has_raw_key(const RawEntries& raw, const std::string& key) {
    return std::any_of(raw.begin(), raw.end(), [&key](const auto& entry) { return entry.first == key; });
}

bool is_device_key(const std::string& key) { return key == "devices.allow" || key == "devices.deny"; }

}  // namespace

uint64_t memory_high_bytes(uint64_t memory_mib) {
    // Large containers keep 128 MiB of headroom; small ones about 0.8 %.
    if (memory_mib >= 16384) return (memory_mib - 128) * kMiB;
    return memory_mib * 1024 * 1016;
}

uint64_t cpu_quota_us(double cpulimit) { return static_cast<uint64_t>(std::trunc(100000 * cpulimit)); }

void plan_cgroup_limits(CgroupPlan& plan, const ConfigSection& config, const StartHostFacts& facts,
                        const RawEntries& raw_cgroup2, const RawEntries& raw_cgroup1, std::vector<std::string>& warnings) {
    const unsigned v = plan.version;
    const uint64_t memory = integer_option(config, "memory").value_or(512);
    const uint64_t swap = integer_option(config, "swap").value_or(0);

    if (has_controller(facts, v, "memory")) {
        plan.memory_max_bytes = memory * kMiB;
        if (v == 2) {
            plan.memory_high_bytes = memory_high_bytes(memory);
            plan.swap_max_bytes = swap * kMiB;
        } else if (facts.cgroup_v1_swap_accounting) {
            plan.swap_max_bytes = (memory + swap) * kMiB;  // memory.memsw.limit_in_bytes counts both
        } else {
            warnings.push_back("swap accounting is off on this host (swapaccount=0): 'swap' is not limited");
        }
    } else {
        warnings.push_back("the memory cgroup controller is not available: 'memory' and 'swap' are not limited");
    }

    if (has_controller(facts, v, "cpu")) {
        if (const std::string* cpulimit = config.get("cpulimit"); cpulimit && std::stod(*cpulimit) > 0)
            plan.cpu_quota_us = cpu_quota_us(std::stod(*cpulimit));
        std::optional<uint64_t> units = integer_option(config, "cpuunits");
        if (v == 2) {
            // cpu.weight accepts 1..10000; unset keeps the kernel default (100).
            if (units) plan.cpu_weight = std::clamp<uint64_t>(*units, 1, 10000);
        } else {
            // cpu.shares: default 1024, at least 2, the kernel caps it at 262144.
            plan.cpu_shares = std::clamp<uint64_t>(units.value_or(1024), 2, 262144);
        }
    } else if (config.has("cpulimit") || config.has("cpuunits")) {
        warnings.push_back("the cpu cgroup controller is not available: 'cpulimit' and 'cpuunits' are not applied");
    }

    // A raw cpuset wins over `cores` (§7.3); so does an impossible request.
    const bool raw_cpuset = v == 2 ? has_raw_key(raw_cgroup2, "cpuset.cpus") : has_raw_key(raw_cgroup1, "cpuset.cpus");
    if (std::optional<uint64_t> cores = integer_option(config, "cores"); cores && !raw_cpuset) {
        if (!has_controller(facts, v, "cpuset"))
            warnings.push_back("the cpuset cgroup controller is not available: 'cores' is not applied");
        else if (*cores < facts.cpu_count)
            plan.cores = static_cast<unsigned>(*cores);
    }

    for (const auto& [key, value] : raw_cgroup2)
        if (!is_device_key(key)) plan.raw.emplace_back(key, value);
    for (const auto& [key, value] : raw_cgroup1) {
        if (v == 2)
            warnings.push_back("lxc.cgroup." + key + " is a cgroup v1 setting and this host uses cgroup v2; ignored");
        else if (!is_device_key(key))
            plan.raw_v1.emplace_back(key, value);
    }
}

}  // namespace pct
