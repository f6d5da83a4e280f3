// pct list, pct status and pct cpusets (cli.md §3.5, §3.6, §3.25, §4).
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "core/config_loader.h"
#include "core/config_summary.h"
#include "core/cpuset_table.h"
#include "core/error.h"
#include "runtime/cgroups.h"
#include "runtime/container_state.h"
#include "runtime/container_stats.h"
#include "runtime/run_state.h"

namespace pct::cli {

namespace {

struct ContainerStatus {
    int vmid;
    bool running;
    ConfigSummary summary;
    std::optional<ContainerStats> stats = std::nullopt;  // status only: live counters
};

nlohmann::json status_json(const ContainerStatus& status) {
    const ConfigSummary& s = status.summary;
    double cpus = s.cores ? *s.cores : s.cpulimit && *s.cpulimit > 0 ? *s.cpulimit : std::thread::hardware_concurrency();
    nlohmann::json json = {
        {"vmid", status.vmid},
        {"status", status.running ? "running" : "stopped"},
        {"name", display_name(s, status.vmid)},
        {"type", "lxc"},
        {"maxmem", s.memory_mib.value_or(512) * 1024 * 1024},
        {"maxswap", s.swap_mib.value_or(0) * 1024 * 1024},
        {"maxdisk", s.rootfs_size_bytes.value_or(4ull << 30)},
        {"cpus", cpus == static_cast<double>(static_cast<long>(cpus)) ? nlohmann::json(static_cast<long>(cpus)) : nlohmann::json(cpus)},
        {"cpu", 0},
        {"disk", 0},
        {"mem", 0},
        {"swap", 0},
        {"uptime", 0},
        {"netin", 0},
        {"netout", 0},
        {"diskread", 0},
        {"diskwrite", 0},
    };
    if (status.stats) {
        const ContainerStats& live = *status.stats;
        json["pid"] = live.pid;
        json["uptime"] = live.uptime;
        json["mem"] = live.mem;
        json["swap"] = live.swap;
        json["diskread"] = live.diskread;
        json["diskwrite"] = live.diskwrite;
        json["netin"] = live.netin;
        json["netout"] = live.netout;
        json["disk"] = live.disk;
        if (live.maxdisk) json["maxdisk"] = live.maxdisk;
        for (const auto& [key, value] : live.pressure) json[key] = value;
    }
    if (!s.lock.empty()) json["lock"] = s.lock;
    if (!s.tags.empty()) json["tags"] = s.tags;
    if (s.is_template) json["template"] = 1;
    return json;
}

ContainerStatus read_status(int vmid) {
    CliContext& ctx = context();
    auto stored = ctx.store.read(vmid);
    if (!stored) throw UserError("Configuration file '" + ctx.store.path_of(vmid) + "' does not exist");
    auto stats = read_container_stats(ctx.paths, vmid);
    return {vmid, stats.has_value(), summarize_config(stored->text), stats};
}

int run_list(const ParsedArgs& args) {
    CliContext& ctx = context();
    std::vector<ContainerStatus> statuses;
    for (int vmid : ctx.store.list()) {
        auto stored = ctx.store.read(vmid);
        if (!stored) continue;  // removed while listing
        statuses.push_back({vmid, is_container_running(ctx.paths, vmid), summarize_config(stored->text)});
    }
    OutputFormat format = output_format(args);
    if (format != OutputFormat::Text) {
        nlohmann::json json = nlohmann::json::array();
        for (const auto& status : statuses) json.push_back(status_json(status));
        print_json(json, format);
        return 0;
    }
    if (statuses.empty()) return 0;
    std::string out;
    out.reserve(statuses.size() * 56 + 64);
    char line[512];
    std::snprintf(line, sizeof line, "%-10s %-10s %-12s %-20s\n", "VMID", "Status", "Lock", "Name");
    out += line;
    for (const auto& status : statuses) {
        std::snprintf(line, sizeof line, "%-10d %-10s %-12s %-20s\n", status.vmid, status.running ? "running" : "stopped",
                      status.summary.lock.c_str(), display_name(status.summary, status.vmid).c_str());
        out += line;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

int run_status(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    ContainerStatus status = read_status(vmid);
    OutputFormat format = output_format(args);
    nlohmann::json json = status_json(status);
    if (format != OutputFormat::Text) {
        print_json(json, format);
        return 0;
    }
    if (!args.flag("verbose")) {
        std::printf("status: %s\n", status.running ? "running" : "stopped");
        return 0;
    }
    json.erase("cpu");
    for (const auto& [key, value] : json.items())  // nlohmann objects iterate in key order
        std::printf("%s: %s\n", key.c_str(), value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
    return 0;
}


// The CPUs in a running container's cpuset (v1 cpuset hierarchy or v2).
std::vector<unsigned> container_cpus(int vmid) {
    auto state = read_run_state(context().paths, vmid);
    if (!state) return {};
    for (const auto& dir : state->cgroup_limit_dirs)
        for (const char* file : {"/cpuset.cpus", "/cpuset.cpus.effective"})
            if (std::string text = read_text_file(dir + file); !text.empty() && text != "\n") return parse_cpu_list(text);
    return {};
}

int run_cpusets(const ParsedArgs&) {
    CliContext& ctx = context();
    std::vector<std::pair<int, std::vector<unsigned>>> rows;
    for (int vmid : ctx.store.list())
        if (is_container_running(ctx.paths, vmid)) rows.emplace_back(vmid, container_cpus(vmid));
    const std::string text = format_cpusets(rows);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

}  // namespace

std::vector<CommandSpec> inventory_commands() {
    return {
        {.name = "cpusets", .summary = "Print the list of assigned CPU sets.", .run = run_cpusets},
        {.name = "list", .output_format = true, .summary = "List all containers.", .run = run_list},
        {.name = "status",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"verbose", OptionKind::Boolean, "Show every status field."}},
         .output_format = true,
         .summary = "Show the container's status.",
         .run = run_status},
    };
}

}  // namespace pct::cli
