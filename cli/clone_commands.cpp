// pct clone and pct template (cli.md §3.20, §3.21) on top of
// core/container_clone.h and core/container_template.h.
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_loader.h"
#include "core/container_clone.h"
#include "core/container_template.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/snapshots.h"
#include "core/start_plan_builder.h"
#include "core/volume_id.h"
#include "runtime/container_state.h"
#include "runtime/host_mounts.h"
#include "runtime/linux_guest_rootfs.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/system_clock.h"
#include "runtime/volume_copy.h"

namespace pct::cli {

namespace {

// `number`, minimum 0 (KiB/s); a fraction is rounded up, 0 means no limit.
uint64_t parse_bwlimit(const std::string& text) {
    const bool negative = text.starts_with("-");
    const std::string digits = negative ? text.substr(1) : text;
    const size_t dot = digits.find('.');
    const std::string whole = digits.substr(0, dot);
    const std::string fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
    const bool is_number = !whole.empty() && whole.size() <= 15 &&
                           whole.find_first_not_of("0123456789") == std::string::npos &&
                           (dot == std::string::npos ||
                            (!fraction.empty() && fraction.find_first_not_of("0123456789") == std::string::npos));
    if (!is_number) throw ParameterError({"bwlimit: type check ('number') failed - got '" + text + "'"});
    const double value = std::stod(digits);
    if (negative && value != 0) throw ParameterError({"bwlimit: value must have a minimum value of 0"});
    return static_cast<uint64_t>(std::ceil(value));
}

CloneRequest make_clone_request(const ParsedArgs& args) {
    CloneRequest request{.vmid = parse_vmid(args.positionals[0]), .newid = parse_vmid(args.positionals[1])};
    std::vector<std::string> problems;
    if (args.has("full")) request.full = args.flag("full");
    request.storage = args.get("storage");
    if (request.storage && !is_valid_storage_id(*request.storage))
        problems.push_back("storage: invalid format - storage ID '" + *request.storage + "' contains illegal characters");
    request.snapname = args.get("snapname");
    if (request.snapname) validate_snapshot_name(*request.snapname);
    request.hostname = args.get("hostname");
    if (request.hostname)
        for (auto& problem : validate_option("hostname", *request.hostname)) problems.push_back(std::move(problem));
    request.description = args.get("description");
    request.pool = args.get("pool");
    request.target = args.get("target");
    if (!problems.empty()) throw ParameterError(problems);
    return request;
}

int run_clone(const ParsedArgs& args) {
    CliContext& ctx = context();
    const CloneRequest request = make_clone_request(args);
    const uint64_t bwlimit = args.has("bwlimit") ? parse_bwlimit(*args.get("bwlimit")) : 0;
    LoopVolumeMounter mounter;
    LinuxGuestRootfs rootfs;
    SystemClock clock;
    CloneEnvironment env{
        .store = ctx.store,
        .storages = ctx.storages(),
        .rootfs = rootfs,
        .clock = clock,
        .random = ctx.random,
        .is_running = [&](int vmid) { return is_container_running(ctx.paths, vmid); },
        .copy =
            [&](const std::string& source, const std::string& snapshot, const std::string& target) {
                copy_volume_contents(ctx.paths, ctx.storages(), mounter, source, target, bwlimit, snapshot);
            },
        // Mounted as `pct mount` does (a start's volume mounts and
        // symlink-safe walks), without the start's other checks.
        .with_mounted =
            [&](int vmid, const ContainerConfig& config, const std::function<void(const std::string&)>& work) {
                const HostMountPlan plan = build_host_mount_plan(config, ctx.volume_resolver());
                mount_on_host(ctx.paths, vmid, plan.volumes, static_cast<uid_t>(plan.root_uid),
                              static_cast<gid_t>(plan.root_gid), mounter);
                try {
                    work(host_mount_rootfs(ctx.paths, vmid));
                } catch (...) {
                    unmount_from_host(ctx.paths, vmid);
                    throw;
                }
                unmount_from_host(ctx.paths, vmid);
            },
        .node_name = node_name(),
        .print =
            [](const std::string& line) {
                std::printf("%s\n", line.c_str());
                std::fflush(stdout);
            },
        .warn = [](const std::string& text) { warn(text); },
    };
    clone_container(env, request);
    return 0;
}

int run_template(const ParsedArgs& args) {
    CliContext& ctx = context();
    const int vmid = parse_vmid(args.positionals[0]);
    for (const auto& warning : convert_to_template(ctx.store, ctx.storages(), vmid,
                                                   [&](int id) { return is_container_running(ctx.paths, id); }))
        warn(warning);
    return 0;
}

}  // namespace

std::vector<CommandSpec> clone_commands() {
    return {
        {.name = "clone",
         .positionals = {"vmid", "newid"},
         .required_positionals = 2,
         .options = {{"full", OptionKind::Boolean,
                      "Create a full copy of all disks. This is always done when you clone a normal CT. For CT "
                      "templates, we try to create a linked clone by default."},
                     {"storage", OptionKind::Value, "Target storage for full clone."},
                     {"snapname", OptionKind::Value, "The name of the snapshot."},
                     {"hostname", OptionKind::Value, "Set a hostname for the new CT."},
                     {"description", OptionKind::Value, "Description for the new CT."},
                     {"pool", OptionKind::Value, "Add the new CT to the specified pool (not available in pct)."},
                     {"target", OptionKind::Value, "Target node. Only this node."},
                     {"bwlimit", OptionKind::Value, "Override I/O bandwidth limit (in KiB/s)."}},
         .summary = "Create a container clone/copy.",
         .run = run_clone},
        {.name = "template",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Create a Template.",
         .run = run_template},
    };
}

}  // namespace pct::cli
