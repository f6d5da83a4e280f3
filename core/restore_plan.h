#pragma once
// `pct restore` (cli.md §3.2): `create` with restore semantics. The plan is a
// CreatePlan whose template is the backup archive and whose `restore` part
// says how the backed-up config (archive member ./etc/vzdump/pct.conf) is
// merged in after extraction.
#include <map>
#include <optional>
#include <string>

#include "core/create_plan.h"

namespace pct {

struct RestoreRequest {
    int vmid = 0;
    std::string archive;                         // backup volume id, absolute path or "-"
    std::map<std::string, std::string> options;  // config options as given
    std::string storage = "local";               // --storage
    bool force = false;
    bool unique = false;
    bool ignore_unpack_errors = false;
};

// Host path of the archive: an absolute path as given; a volume id of
// content `backup` inside `<storage path>/dump/`. Throws UserError.
std::string resolve_backup_archive(const std::string& archive, const StorageConfig& storage);

// Simple mode (no --rootfs/--mpN): the backup's rootfs and storage-backed
// mpN are re-created on --storage with their recorded size, bind/device mpN
// are appended to the config at the end. Advanced mode: exactly the given
// mount points. `backup_config` is the text of ./etc/vzdump/pct.conf, or
// nullopt when the archive has none (fatal unless --rootfs/--mpN and
// --unprivileged make it unnecessary). Throws UserError / ParameterError.
CreatePlan plan_restore(const RestoreRequest& request, const std::optional<std::string>& backup_config,
                        const StorageConfig& storage, const HostFacts& facts, Random& random);

// The config after extraction: `given` (the plan's validated options plus
// the allocated mount points) plus every key of the backup config that was
// neither given nor one of `digest rootfs snapshots unprivileged parent
// template mpN unusedN`; raw lxc.* lines and the description are taken
// over too. --unique gives each backed-up netN a new MAC.
ContainerConfig merge_restored_config(const ContainerConfig& given, const RestoreSettings& restore, Random& random);

}  // namespace pct
