// pct create (cli.md §3.1): plan, then execute through the Linux ports.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "core/config_loader.h"
#include "core/create_executor.h"
#include "core/create_plan.h"
#include "core/error.h"
#include "core/restore_plan.h"
#include "runtime/archive_unpacker.h"
#include "runtime/container_state.h"
#include "runtime/linux_guest_rootfs.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/storage_registry.h"
#include "runtime/system_clock.h"

namespace pct::cli {

namespace {

const std::set<std::string> kCreateOnlyOptions = {"storage", "password", "ssh-public-keys", "force", "restore",
                                                  "unique", "pool", "ignore-unpack-errors", "bwlimit", "start",
                                                  "ha-managed", "dry-run", "output-format"};

std::string read_text(const std::string& path, const char* what) {
    std::ifstream file(path);
    if (!file) throw UserError(std::string("unable to read ") + what + " '" + path + "'");
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

CreateRequest make_request(const ParsedArgs& args) {
    CreateRequest request{.vmid = parse_vmid(args.positionals[0]), .ostemplate = args.positionals[1]};
    for (const auto& [name, values] : args.options)
        if (!kCreateOnlyOptions.count(name)) request.options[name] = values.back();
    if (auto storage = args.get("storage")) request.storage = *storage;
    if (auto password = args.get("password")) {
        if (password->size() < 5) throw ParameterError({"password: value must be at least 5 characters long"});
        request.root_password = guest::RootPassword{*password, false};
    }
    if (auto keys = args.get("ssh-public-keys")) request.ssh_public_keys = read_text(*keys, "SSH public key file");
    request.ignore_unpack_errors = args.flag("ignore-unpack-errors");
    for (const char* unsupported : {"restore", "unique", "force", "pool", "ha-managed"})
        if (args.flag(unsupported) || (std::string(unsupported) == "pool" && args.has("pool")))
            throw UserError(std::string("option '") + unsupported + "' is not available yet in this version of pct");
    return request;
}

nlohmann::json plan_json(const CreatePlan& plan) {
    nlohmann::json mounts = nlohmann::json::array();
    for (const auto& mount : plan.mounts) {
        static const char* kinds[] = {"new-volume", "storage-volume", "bind", "device"};
        mounts.push_back({{"key", mount.key},
                          {"path", mount.mount_path},
                          {"source", kinds[static_cast<int>(mount.source)]},
                          {"volume", mount.volume},
                          {"storage", mount.storage},
                          {"size_kib", mount.size_kib}});
    }
    nlohmann::json idmap = nlohmann::json::array();
    for (const auto& entry : plan.idmap) idmap.push_back(entry.to_string());
    nlohmann::json config = nlohmann::json::object();
    for (const auto& [key, value] : plan.config.main.values) config[key] = typed_config_value(key, value);
    return {{"vmid", plan.vmid},
            {"template", {{"storage", plan.template_storage}, {"file", plan.template_file}}},
            {"unprivileged", plan.unprivileged},
            {"idmap", idmap},
            {"mounts", mounts},
            {"config", config},
            {"warnings", plan.warnings}};
}

void execute_plan(const CreatePlan& plan) {
    CliContext& ctx = context();
    // The rootfs is assembled under var/lib/lxc/<id>/rootfs, as Proxmox does.
    std::filesystem::path rootdir = ctx.paths.root() + "var/lib/lxc/" + std::to_string(plan.vmid) + "/rootfs";
    std::filesystem::create_directories(rootdir);
    StorageRegistry& storages = ctx.storages();
    LoopVolumeMounter mounter;
    ArchiveUnpacker unpacker;
    LinuxGuestRootfs rootfs;
    SystemClock clock;
    std::string resolv_conf;
    try {
        resolv_conf = read_text("/etc/resolv.conf", "host resolv.conf");
    } catch (const UserError&) {
        // A host without resolv.conf just gives the guest no DNS defaults.
    }
    CreateEnvironment environment{.store = ctx.store,
                                  .storages = storages,
                                  .mounter = mounter,
                                  .unpacker = unpacker,
                                  .rootfs = rootfs,
                                  .clock = clock,
                                  .random = ctx.random,
                                  .rootdir = rootdir.string(),
                                  .host_resolv_conf = resolv_conf,
                                  .node_name = node_name(),
                                  .is_running = [&ctx](int vmid) { return is_container_running(ctx.paths, vmid); },
                                  .store_firewall = [&ctx](int vmid, const std::optional<std::string>& rules) {
                                      std::filesystem::path file =
                                          ctx.paths.root() + "etc/pve/firewall/" + std::to_string(vmid) + ".fw";
                                      std::error_code ignored;
                                      if (!rules) {
                                          std::filesystem::remove(file, ignored);
                                          return;
                                      }
                                      std::filesystem::create_directories(file.parent_path());
                                      std::ofstream out(file, std::ios::trunc);
                                      out << *rules;
                                      if (!out.flush()) throw UserError("unable to write '" + file.string() + "'");
                                  }};
    auto remove_staging = [&] {
        std::error_code ignored;
        std::filesystem::remove(rootdir, ignored);  // only if empty: never deletes guest data
        std::filesystem::remove(rootdir.parent_path(), ignored);
    };
    try {
        CreateReport report = execute_create(plan, environment);
        remove_staging();
        for (const auto& note : report.notes) std::printf("%s\n", note.c_str());
        for (const auto& warning : report.warnings) warn(warning);
    } catch (...) {
        remove_staging();
        throw;
    }
}

int run_create(const ParsedArgs& args) {
    CliContext& ctx = context();
    CreatePlan plan = plan_create(make_request(args), ctx.storage(), ctx.facts(), ctx.random);
    for (const auto& warning : plan.warnings) warn(warning);
    if (args.flag("dry-run")) {
        OutputFormat format = output_format(args);
        if (format == OutputFormat::Text) std::fputs(format_create_plan_text(plan).c_str(), stdout);
        else print_json(plan_json(plan), format);
        return 0;
    }
    if (args.flag("start")) throw UserError("option 'start' is not available yet in this version of pct");
    execute_plan(plan);
    return 0;
}

RestoreRequest make_restore_request(const ParsedArgs& args) {
    RestoreRequest request{.vmid = parse_vmid(args.positionals[0]), .archive = args.positionals[1]};
    for (const auto& [name, values] : args.options)
        if (!kCreateOnlyOptions.count(name)) request.options[name] = values.back();
    if (auto storage = args.get("storage")) request.storage = *storage;
    if (args.has("password") || args.has("ssh-public-keys"))
        throw UserError("options 'password' and 'ssh-public-keys' are not available for restore in this version of pct");
    request.force = args.flag("force");
    request.unique = args.flag("unique");
    request.ignore_unpack_errors = args.flag("ignore-unpack-errors");
    for (const char* unsupported : {"pool", "ha-managed", "start"})
        if (args.flag(unsupported) || (std::string(unsupported) == "pool" && args.has("pool")))
            throw UserError(std::string("option '") + unsupported + "' is not available yet in this version of pct");
    return request;
}

int run_restore(const ParsedArgs& args) {
    CliContext& ctx = context();
    RestoreRequest request = make_restore_request(args);
    std::string archive = resolve_backup_archive(request.archive, ctx.storage());
    if (!std::filesystem::exists(archive)) throw UserError("can't find file '" + archive + "'");
    std::optional<std::string> backup_config = read_archive_member(archive, "./etc/vzdump/pct.conf");
    CreatePlan plan = plan_restore(request, backup_config, ctx.storage(), ctx.facts(), ctx.random);
    for (const auto& warning : plan.warnings) warn(warning);
    if (args.flag("dry-run")) {
        OutputFormat format = output_format(args);
        if (format == OutputFormat::Text) std::fputs(format_create_plan_text(plan).c_str(), stdout);
        else print_json(plan_json(plan), format);
        return 0;
    }
    execute_plan(plan);
    return 0;
}

}  // namespace

namespace {

// create and restore take the same options (restore is create with restore=1).
std::vector<OptionDef> create_options(const std::string& source, const std::string& plan) {
    return {{"storage", OptionKind::Value, "Default storage for the rootfs and sized mount points. Default: local."},
            {"password", OptionKind::Value, "Root password inside the container (at least 5 characters)."},
            {"ssh-public-keys", OptionKind::Value, "File with OpenSSH public keys for root."},
            {"ignore-unpack-errors", OptionKind::Boolean, "Ignore errors while extracting the " + source + "."},
            {"dry-run", OptionKind::Boolean, "Print the " + plan + " plan; change nothing."},
            {"start", OptionKind::Boolean, "Start the container after creating it."},
            {"force", OptionKind::Boolean, "Allow overwriting an existing container (restore only)."},
            {"restore", OptionKind::Boolean, "Mark this as a restore task."},
            {"unique", OptionKind::Boolean, "Assign a unique random MAC address (restore only)."},
            {"pool", OptionKind::Value, "Add the container to this resource pool."},
            {"bwlimit", OptionKind::Value, "I/O bandwidth limit in KiB/s."},
            {"ha-managed", OptionKind::Boolean, "Add the container as an HA resource."}};
}

}  // namespace

std::vector<CommandSpec> create_commands() {
    return {
        {.name = "create",
         .positionals = {"vmid", "ostemplate"},
         .required_positionals = 2,
         .options = create_options("template", "create"),
         .config_options = true,
         .output_format = true,
         .summary = "Create a container from a template.",
         .run = run_create},
        {.name = "restore",
         .positionals = {"vmid", "archive"},
         .required_positionals = 2,
         .options = create_options("archive", "restore"),
         .config_options = true,
         .output_format = true,
         .summary = "Restore a container from a vzdump backup archive.",
         .run = run_restore},
    };
}

}  // namespace pct::cli
