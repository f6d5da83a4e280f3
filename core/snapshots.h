#pragma once
// Container snapshots (config.md §12, cli.md §3.19): the state machine of
// create (prepare, freeze, volume snapshots, thaw, commit, with cleanup),
// delete and rollback, on the config in a ConfigStore, the volumes through
// the Storage port and the running container through the Launcher port.
// Every step that changes the config re-reads it under the config lock and
// writes it once; the `lock:` property and `snapstate` carry the state
// between steps, exactly as Proxmox leaves them when a step fails.
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/config_file.h"
#include "core/config_store.h"
#include "core/launcher.h"
#include "core/storage.h"

namespace pct {

// How the state machine reads a config (under the lock when it writes).
using SnapshotConfigReader = std::function<ContainerConfig(const ConfigStore& store, int vmid)>;

// The strict loader of every command (core/config_loader.h).
ContainerConfig read_config_strictly(const ConfigStore& store, int vmid);

struct SnapshotContext {
    ConfigStore& store;
    StorageRegistry& storages;
    Launcher& launcher;
    const Clock& clock;
    // Warnings, as they happen (a failed create warns before it throws).
    std::function<void(const std::string&)> warn = [](const std::string&) {};
    SnapshotConfigReader read = read_config_strictly;
};

// `snapname` of snapshot, delsnapshot and rollback: `[a-z][a-z0-9_-]+`
// (case-insensitive), at most 40 characters. Throws ParameterError.
void validate_snapshot_name(const std::string& name);

// `current` and `vzdump` cannot be created by the user:
// `unable to use snapshot name 'current' (reserved name)`.
void refuse_reserved_snapshot_name(const std::string& name);

// Create, step 1 (under the config lock): templates are refused, check_lock,
// `lock: snapshot`, the name must be free and every mount point must support
// snapshots (`snapshot feature is not available`); snapshots whose parent is
// the new name lose it; the new section copies the main settings and gets
// `snapstate: prepare`, `snaptime` and the comment as description. Saving
// RAM state of a running container is not supported (the reference's error).
void prepare_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, bool save_vmstate,
                      const std::string& comment);

// Create, last step (under the config lock): `missing snapshot lock`,
// `snapshot '<n>' does not exist`, `wrong snapshot state`; removes
// `snapstate` and the lock and makes the snapshot the main `parent`.
void commit_snapshot(SnapshotContext& ctx, int vmid, const std::string& name);

// `pct snapshot`: prepare; activate the storages; a running container is
// frozen and synced (unless it is frozen already, i.e. suspended), every
// volume snapshotted (rootfs, mp0, ...), the container thawed again (a
// failed thaw only warns); commit. On a failure the snapshot is deleted
// again (forced, only the volume snapshots taken) and the error rethrown.
void create_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, const std::string& comment);

// `pct delsnapshot`: activate the snapshot's storages, set `lock:
// snapshot-delete`, mark the section `snapstate: delete`, delete each volume
// snapshot (without force every deleted volume is recorded in the section at
// once and a failure stops; with force failures are warnings), then drop the
// section, re-link `parent` references to its parent and remove the lock.
void delete_snapshot(SnapshotContext& ctx, int vmid, const std::string& name, bool force);

// `pct rollback`: the snapshot must exist; activate its storages; check that
// every volume can be rolled back; refuse incomplete snapshots and locked
// configs; hard-stop a running container; write `lock: rollback`; roll back
// every volume (a failure leaves the lock); then the main settings become
// the snapshot's (keeping the main description and unusedN entries, volumes
// no longer used becoming unusedN), `parent: <name>`, pending changes and
// the lock gone.
void rollback_snapshot(SnapshotContext& ctx, int vmid, const std::string& name);

}  // namespace pct
