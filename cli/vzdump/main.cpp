// vzdump for containers (cli.md §6): modes stop and snapshot; suspend is
// refused. Built from pct's command sources (it stops, starts and snapshots
// containers exactly as pct does) plus this file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/power_commands.h"
#include "core/backup_plan.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/lock_property.h"
#include "core/snapshots.h"
#include "core/start_plan_builder.h"
#include "core/property_string.h"
#include "core/value_formats.h"
#include "runtime/backup_archive_writer.h"
#include "runtime/container_state.h"
#include "runtime/host_mounts.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/system_clock.h"

namespace pct::cli {
namespace {

constexpr int kErrorExit = 255;
constexpr const char* kSnapshot = "vzdump";

const char* kUsage =
    "USAGE: vzdump <vmid>[,<vmid>...] [--mode snapshot|suspend|stop] [--compress 0|1|gzip|lzo|zstd]\n"
    "       [--storage <id> | --dumpdir <dir>] [--exclude-path <glob>]... [--stdexcludes <bool>]\n"
    "       [--remove <bool>] [--prune-backups keep-last=<N>] [--stopwait <minutes>]\n";

struct Arguments {
    std::vector<int> vmids;
    BackupOptions options;
    bool remove = true;
};

bool parse_bool(const std::string& name, const std::string& value) {
    std::string v;
    for (char c : value) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "1" || v == "yes" || v == "on" || v == "true") return true;
    if (v == "0" || v == "no" || v == "off" || v == "false") return false;
    throw ParameterError({name + ": unable to parse boolean option"});
}

Arguments parse_arguments(const std::vector<std::string>& args) {
    Arguments out;
    std::vector<std::string> positionals;
    static const std::vector<std::string> booleans = {"stdexcludes", "remove"};
    static const std::vector<std::string> valued = {"mode", "compress", "storage", "dumpdir", "exclude-path",
                                                    "prune-backups", "stopwait"};
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (!arg.starts_with("-") || arg == "-") {
            positionals.push_back(arg);
            continue;
        }
        arg.erase(0, arg.starts_with("--") ? 2 : 1);
        std::optional<std::string> value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        bool is_bool = std::find(booleans.begin(), booleans.end(), arg) != booleans.end();
        bool is_valued = std::find(valued.begin(), valued.end(), arg) != valued.end();
        if (!is_bool && !is_valued) {
            if (arg == "all" || arg == "pool" || arg == "stdout" || arg == "tmpdir" || arg == "zstd" || arg == "pigz" ||
                arg == "bwlimit" || arg == "lockwait" || arg == "protected" || arg == "notes-template" ||
                arg == "exclude" || arg == "script" || arg == "ionice")
                throw UserError("option '" + arg + "' is not available in this version of vzdump");
            throw ParameterError({"Unknown option: " + arg});
        }
        if (!value) {
            if (is_bool && (i + 1 >= args.size() || args[i + 1].starts_with("-"))) value = "1";
            else if (i + 1 < args.size()) value = args[++i];
            else throw ParameterError({arg + ": missing value"});
        }
        if (arg == "stdexcludes") out.options.stdexcludes = parse_bool(arg, *value);
        else if (arg == "remove") out.remove = parse_bool(arg, *value);
        else if (arg == "mode") {
            if (*value == "stop") out.options.mode = BackupMode::Stop;
            else if (*value == "snapshot") out.options.mode = BackupMode::Snapshot;
            else if (*value == "suspend") out.options.mode = BackupMode::Suspend;
            else throw ParameterError({"mode: value '" + *value + "' does not have a value in the enumeration 'snapshot, suspend, stop'"});
        } else if (arg == "compress") {
            if (*value == "0") out.options.compress = BackupCompression::None;
            else if (*value == "gzip") out.options.compress = BackupCompression::Gzip;
            else if (*value == "1" || *value == "lzo") out.options.compress = BackupCompression::Lzo;
            else if (*value == "zstd") out.options.compress = BackupCompression::Zstd;
            else throw ParameterError({"compress: value '" + *value + "' does not have a value in the enumeration '0, 1, gzip, lzo, zstd'"});
        } else if (arg == "storage") out.options.storage = *value;
        else if (arg == "dumpdir") out.options.dumpdir = *value;
        else if (arg == "exclude-path") out.options.exclude_paths.push_back(*value);
        else if (arg == "stopwait") out.options.stopwait_minutes = std::stoi(*value);
        else if (arg == "prune-backups") {
            for (const auto& item : split_list(*value)) {
                if (item == "keep-all=1") out.options.keep_last.reset();
                else if (item.starts_with("keep-last=") && is_unsigned_number(item.substr(10)))
                    out.options.keep_last = std::stoi(item.substr(10));
                else throw UserError("prune-backups: only keep-last=N and keep-all=1 are available in this version of vzdump");
            }
        }
    }
    if (positionals.size() != 1) throw ParameterError({positionals.empty() ? "vmid: property is missing" : "too many arguments"});
    for (const auto& id : split_list(positionals[0])) out.vmids.push_back(parse_vmid(id));
    return out;
}

std::string timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

class TaskLog {
public:
    void open(const std::string& path) { file_.open(path, std::ios::trunc); }
    void info(const std::string& line) { emit("INFO: " + line); }
    void error(const std::string& line) { emit("ERROR: " + line); }

private:
    void emit(const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        if (file_) file_ << timestamp() << " " << line << "\n" << std::flush;
    }
    std::ofstream file_;
};

std::string read_file_or_empty(const std::string& path) {
    std::ifstream file(path);
    std::ostringstream text;
    if (file) text << file.rdbuf();
    return text.str();
}

void run_power_command(const std::string& name, int vmid) {
    for (const auto& spec : power_commands())
        if (spec.name == name) {
            spec.run(parse_command_line(spec, {std::to_string(vmid), "--skiplock", "1"}));
            return;
        }
    throw UserError("internal error: no command " + name);
}

class ContainerBackup {
public:
    ContainerBackup(int vmid, const Arguments& args) : vmid_(vmid), args_(args) {}

    void run() {
        CliContext& ctx = context();
        std::time_t start = std::time(nullptr);
        std::tm local{};
        localtime_r(&start, &local);
        ContainerConfig config = load_config(ctx.store, vmid_).config;
        bool running = is_container_running(ctx.paths, vmid_);
        plan_ = plan_backup(vmid_, config, args_.options, ctx.storage(), running, local);
        if (!backup_compression_available(args_.options.compress))
            throw UserError("compression not available in this build (libarchive lacks it): use gzip or zstd");
        std::filesystem::create_directories(plan_.dump_dir);
        log_.open(plan_.dump_dir + "/" + plan_.log_name);
        log_.info("Starting Backup of VM " + std::to_string(vmid_) + " (lxc)");
        log_.info("CT Name: " + (config.main.has("hostname") ? *config.main.get("hostname") : "CT" + std::to_string(vmid_)));
        for (const auto& line : plan_.log) log_.info(line);
        if (plan_.mode == BackupMode::Suspend)
            throw UserError("mode 'suspend' is not available in this version of vzdump (use snapshot or stop)");
        if (plan_.mode == BackupMode::Snapshot) check_snapshot_support();
        set_lock_property(ctx.store, vmid_, "backup");
        try {
            archive_container();
        } catch (...) {
            cleanup();
            throw;
        }
        cleanup();
        if (args_.remove && args_.options.keep_last) prune();
        log_.info("Finished Backup of VM " + std::to_string(vmid_) + " (" +
                  std::to_string(std::time(nullptr) - start) + "s)");
    }

    TaskLog& log() { return log_; }

private:
    void check_snapshot_support() {
        CliContext& ctx = context();
        for (const auto& key : plan_.included_keys) {
            std::string volume = volume_of_mount_value(*plan_.mount_config.main.get(key));
            Storage& storage = ctx.storages().get(volume.substr(0, volume.find(':')));
            if (!storage.supports(StorageFeature::Snapshot, volume)) {
                log_.info("mode failure - some volumes do not support snapshots");
                throw UserError("mode failure - some volumes do not support snapshots; the fallback, suspend mode, is "
                                "not available in this version of vzdump (use --mode stop)");
            }
        }
    }

    SnapshotContext snapshot_context() {
        CliContext& ctx = context();
        return SnapshotContext{.store = ctx.store,
                               .storages = ctx.storages(),
                               .launcher = container_launcher(),
                               .clock = clock_,
                               .warn = [this](const std::string& text) { log_.info("WARN: " + text); }};
    }

    void archive_container() {
        CliContext& ctx = context();
        mount_paths_.emplace(ctx.paths.root() + "mnt/vzsnap0/");
        LoopVolumeMounter mounter;
        VolumeResolver resolve = ctx.volume_resolver();
        if (plan_.mode == BackupMode::Stop && plan_.running) {
            log_.info("stopping virtual guest");
            run_power_command("stop", vmid_);
            stopped_ = true;
        }
        if (plan_.mode == BackupMode::Snapshot) {
            ContainerConfig current = load_config(ctx.store, vmid_).config;
            SnapshotContext snapshots = snapshot_context();
            remove_lock_property(ctx.store, vmid_, "backup");
            try {
                if (current.snapshots.count(kSnapshot)) {
                    log_.info("found old vzdump snapshot (force removal)");
                    delete_snapshot(snapshots, vmid_, kSnapshot, true);
                }
                log_.info("create storage snapshot '" + std::string(kSnapshot) + "'");
                create_snapshot(snapshots, vmid_, kSnapshot, "vzdump backup snapshot");
                snapshot_taken_ = true;
            } catch (...) {
                set_lock_property(ctx.store, vmid_, "backup");
                throw;
            }
            set_lock_property(ctx.store, vmid_, "backup");
            resolve = [&ctx](const std::string& volid) {
                Storage& storage = ctx.storages().get(volid.substr(0, volid.find(':')));
                return ResolvedVolume{.path = storage.snapshot_path(volid, kSnapshot), .format = storage.format(volid)};
            };
            for (const auto& key : plan_.included_keys) {
                std::string& value = plan_.mount_config.main.values[key];
                if (value.find(",ro=") == std::string::npos) value += ",ro=1";
            }
        }
        HostMountPlan mounts = build_host_mount_plan(plan_.mount_config, resolve);
        mount_on_host(*mount_paths_, vmid_, mounts.volumes, static_cast<uid_t>(mounts.root_uid),
                      static_cast<gid_t>(mounts.root_gid), mounter);
        mounted_ = true;
        std::string temp = plan_.dump_dir + "/" + plan_.temp_name;
        std::string final_name = plan_.dump_dir + "/" + plan_.file_name;
        log_.info("creating vzdump archive '" + final_name + "'");
        BackupArchiveResult result = write_backup_archive(
            {.output = temp,
             .compress = args_.options.compress,
             .config_text = plan_.backup_config,
             .firewall_text = read_file_or_empty(ctx.paths.root() + "etc/pve/firewall/" + std::to_string(vmid_) + ".fw"),
             .root = host_mount_rootfs(*mount_paths_, vmid_),
             .sources = plan_.included_paths,
             .excludes = plan_.excludes,
             .idmap = plan_.unprivileged ? plan_.idmap : std::vector<IdMapEntry>{}});
        std::filesystem::rename(temp, final_name);
        log_.info("Total bytes written: " + std::to_string(result.bytes));
        log_.info("archive file size: " + std::to_string(std::filesystem::file_size(final_name)));
    }

    // Always: unmount, drop the snapshot, remove the lock, restart.
    void cleanup() {
        CliContext& ctx = context();
        if (mount_paths_) {
            try {
                unmount_from_host(*mount_paths_, vmid_);
            } catch (const std::exception& e) {
                log_.error(e.what());
            }
            std::error_code ignored;
            std::filesystem::remove(ctx.paths.root() + "mnt/vzsnap0/var/lib/lxc", ignored);
        }
        try {
            remove_lock_property(ctx.store, vmid_, "backup");
        } catch (const std::exception& e) {
            log_.error(e.what());
        }
        if (snapshot_taken_) {
            try {
                log_.info("cleanup temporary 'vzdump' snapshot");
                SnapshotContext snapshots = snapshot_context();
                delete_snapshot(snapshots, vmid_, kSnapshot, false);
            } catch (const std::exception& e) {
                log_.error(std::string("deleting the vzdump snapshot failed: ") + e.what());
            }
        }
        if (stopped_) {
            log_.info("restarting vm");
            try {
                run_start_container(ParsedArgs{.positionals = {std::to_string(vmid_)}, .options = {{"skiplock", {"1"}}}});
            } catch (const std::exception& e) {
                log_.error(std::string("restart failed: ") + e.what());
            }
        }
    }

    void prune() {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(plan_.dump_dir))
            names.push_back(entry.path().filename().string());
        log_.info("prune older backups with retention: keep-last=" + std::to_string(*args_.options.keep_last));
        for (const auto& name : backups_to_prune(names, vmid_, *args_.options.keep_last)) {
            std::string path = plan_.dump_dir + "/" + name;
            log_.info("removing backup '" + path + "'");
            std::filesystem::remove(path);
            std::string base = name.substr(0, name.find(".tar"));
            std::error_code ignored;
            std::filesystem::remove(plan_.dump_dir + "/" + base + ".log", ignored);
        }
    }

    int vmid_;
    const Arguments& args_;
    BackupPlan plan_;
    TaskLog log_;
    SystemClock clock_;
    std::optional<HostPaths> mount_paths_;
    bool mounted_ = false;
    bool stopped_ = false;
    bool snapshot_taken_ = false;
};

int run(const std::vector<std::string>& args) {
    Arguments parsed = parse_arguments(args);
    int failed = 0;
    for (int vmid : parsed.vmids) {
        ContainerBackup backup(vmid, parsed);
        try {
            backup.run();
        } catch (const std::exception& e) {
            std::string message = e.what();
            for (auto& c : message)
                if (c == '\n') c = ' ';
            backup.log().error("Backup of VM " + std::to_string(vmid) + " failed - " + message);
            ++failed;
        }
    }
    if (failed) {
        std::fprintf(stderr, "job errors\n");
        return kErrorExit;
    }
    return 0;
}

}  // namespace
}  // namespace pct::cli

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "help" || args[0] == "--help")) {
        std::fputs(pct::cli::kUsage, stdout);
        return 0;
    }
    try {
        return pct::cli::run(args);
    } catch (const pct::ParameterError& e) {
        std::fprintf(stderr, "400 Parameter verification failed.\n");
        for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.c_str());
        std::fputs(pct::cli::kUsage, stderr);
        return pct::cli::kErrorExit;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return pct::cli::kErrorExit;
    }
}
