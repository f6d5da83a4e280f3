#pragma once
// Live counters of a running container (runtime.md §16) for `pct status`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "runtime/host_paths.h"

namespace pct {

struct ContainerStats {
    int pid = 0;
    uint64_t uptime = 0;       // seconds since init started
    uint64_t mem = 0;          // bytes, page cache excluded
    uint64_t swap = 0;
    uint64_t cpu_time_us = 0;
    uint64_t diskread = 0;
    uint64_t diskwrite = 0;
    uint64_t netin = 0;
    uint64_t netout = 0;
    uint64_t disk = 0;         // bytes used on the root file system
    uint64_t maxdisk = 0;      // its size
    std::map<std::string, double> pressure;  // pressurecpusome, ... (cgroup v2 only)
};

// nullopt when the container is not running.
std::optional<ContainerStats> read_container_stats(const HostPaths& paths, int vmid);

}  // namespace pct
