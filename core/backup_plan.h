#pragma once
// `vzdump` for one container (cli.md §6) as a plan: which volumes go into
// the archive, what is excluded, the archive's name and the config stored
// in it. Computing it touches nothing.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_file.h"
#include "core/idmap.h"
#include "core/storage_config.h"

namespace pct {

enum class BackupMode { Snapshot, Suspend, Stop };
enum class BackupCompression { None, Gzip, Lzo, Zstd };

struct BackupOptions {
    BackupMode mode = BackupMode::Snapshot;
    BackupCompression compress = BackupCompression::None;
    std::optional<std::string> storage;  // --storage (default local when no --dumpdir)
    std::optional<std::string> dumpdir;  // --dumpdir
    std::vector<std::string> exclude_paths;
    bool stdexcludes = true;
    std::optional<int> keep_last;  // --prune-backups keep-last=N (with --remove 1)
    int stopwait_minutes = 10;
};

struct BackupPlan {
    int vmid = 0;
    BackupMode mode = BackupMode::Stop;  // a stopped CT is always handled like stop
    bool running = false;
    bool unprivileged = false;
    std::vector<IdMapEntry> idmap;
    // The config with only the included volumes as mount points: what is
    // mounted for the archive (rootfs, storage-backed mpN with backup=1).
    ContainerConfig mount_config;
    std::vector<std::string> included_keys;   // rootfs, mp0, ... in config order
    std::vector<std::string> included_paths;  // their paths inside the CT ("/", "/data")
    std::vector<std::string> log;             // lines for the task log
    std::vector<std::string> excludes;        // tar-style patterns
    std::string backup_config;                // ./etc/vzdump/pct.conf
    std::string dump_dir;                     // target directory
    std::string storage;                      // empty with --dumpdir
    std::string file_name;                    // vzdump-lxc-<id>-<time>.tar[.gz|.lzo|.zst]
    std::string temp_name;                    // the same with its last suffix replaced by .dat
    std::string log_name;                     // vzdump-lxc-<id>-<time>.log
};

// Throws UserError for a bad target (`--storage` and `--dumpdir` together,
// unknown storage, storage without content `backup`).
BackupPlan plan_backup(int vmid, const ContainerConfig& config, const BackupOptions& options, const StorageConfig& storage,
                       bool running, const std::tm& start_local_time);

// The config as stored in the archive: lock, snapshots, parent and the
// pending section removed, rendered by the normal writer.
std::string backup_config_text(const ContainerConfig& config);

std::string backup_file_name(int vmid, const std::tm& local_time, BackupCompression compress);

// Whether `path` ("./etc/x", relative to the CT root) is excluded by a
// tar-style pattern: a leading "/" anchors it to the CT root, otherwise it
// matches any trailing run of components; `*`, `?` and `[...]` match `/` too.
bool backup_path_excluded(std::string_view path, const std::vector<std::string>& patterns);

// The archives of `vmid` among `file_names` (vzdump-lxc-<id>-….tar*) that
// keep-last=N removes: all but the N newest, by the time in the name.
std::vector<std::string> backups_to_prune(const std::vector<std::string>& file_names, int vmid, int keep_last);

}  // namespace pct
