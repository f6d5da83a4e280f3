#include "runtime/container_stats.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "runtime/cgroups.h"
#include "runtime/network_links.h"
#include "runtime/run_state.h"

namespace pct {

namespace {

uint64_t number_in(const std::string& path) {
    std::ifstream file(path);
    uint64_t value = 0;
    file >> value;
    return value;
}

// "key value" lines (memory.stat, cpu.stat).
uint64_t keyed_value(const std::string& path, const std::string& key) {
    std::ifstream file(path);
    std::string name;
    uint64_t value;
    while (file >> name >> value)
        if (name == key) return value;
    return 0;
}

double avg10(const std::string& path, const std::string& kind) {
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line)) {
        if (line.rfind(kind, 0) != 0) continue;
        size_t at = line.find("avg10=");
        if (at != std::string::npos) return std::stod(line.substr(at + 6));
    }
    return 0;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

std::optional<ContainerStats> read_container_stats(const HostPaths& paths, int vmid) {
    auto state = read_run_state(paths, vmid);
    if (!state || !process_alive(state->init)) return std::nullopt;
    ContainerStats stats;
    stats.pid = state->init.pid;
    double host_uptime = 0;
    std::ifstream("/proc/uptime") >> host_uptime;
    double started = static_cast<double>(state->init.start_time) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    stats.uptime = host_uptime > started ? static_cast<uint64_t>(host_uptime - started) : 0;

    for (const auto& dir : state->cgroup_limit_dirs) {
        if (exists(dir + "/memory.current")) {  // v2
            uint64_t current = number_in(dir + "/memory.current");
            uint64_t file = keyed_value(dir + "/memory.stat", "file");
            stats.mem = current > file ? current - file : 0;
            stats.swap = number_in(dir + "/memory.swap.current");
            stats.cpu_time_us = keyed_value(dir + "/cpu.stat", "usage_usec");
            std::ifstream io(dir + "/io.stat");
            std::string word;
            while (io >> word) {
                if (word.rfind("rbytes=", 0) == 0) stats.diskread += std::stoull(word.substr(7));
                if (word.rfind("wbytes=", 0) == 0) stats.diskwrite += std::stoull(word.substr(7));
            }
            for (const char* resource : {"cpu", "memory", "io"})
                for (const char* kind : {"some", "full"})
                    stats.pressure[std::string("pressure") + resource + kind] = avg10(dir + "/" + resource + ".pressure", kind);
        } else if (exists(dir + "/memory.usage_in_bytes")) {  // v1 memory
            uint64_t usage = number_in(dir + "/memory.usage_in_bytes");
            uint64_t cache = keyed_value(dir + "/memory.stat", "total_cache");
            stats.mem = usage > cache ? usage - cache : 0;
            if (exists(dir + "/memory.memsw.usage_in_bytes")) {
                uint64_t both = number_in(dir + "/memory.memsw.usage_in_bytes");
                stats.swap = both > usage ? both - usage : 0;
            }
        } else if (exists(dir + "/cpuacct.usage")) {
            stats.cpu_time_us = number_in(dir + "/cpuacct.usage") / 1000;
        } else if (exists(dir + "/blkio.throttle.io_service_bytes_recursive")) {
            std::ifstream io(dir + "/blkio.throttle.io_service_bytes_recursive");
            std::string device, op;
            uint64_t value;
            while (io >> device) {
                if (device == "Total") {
                    io >> value;
                    continue;
                }
                if (!(io >> op >> value)) break;
                if (op == "Read") stats.diskread += value;
                if (op == "Write") stats.diskwrite += value;
            }
        }
    }
    NetworkCounters net = container_network_counters(vmid);
    stats.netin = net.netin;
    stats.netout = net.netout;
    struct statvfs fs {};
    if (::statvfs(("/proc/" + std::to_string(stats.pid) + "/root/").c_str(), &fs) == 0) {
        stats.maxdisk = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
        stats.disk = static_cast<uint64_t>(fs.f_blocks - fs.f_bfree) * fs.f_frsize;
    }
    return stats;
}

}  // namespace pct
