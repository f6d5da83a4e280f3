#pragma once
// `pct clone` (cli.md §3.20): a new container from an existing one (or from
// one of its snapshots), its volumes copied in full or cloned linked
// (storage-level copy-on-write), then the guest's post-clone setup.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/config_file.h"
#include "core/config_store.h"
#include "core/guest_rootfs.h"
#include "core/random.h"
#include "core/storage.h"

namespace pct {

struct CloneRequest {
    int vmid = 0;
    int newid = 0;
    std::optional<bool> full;         // default: linked for templates, full otherwise
    std::optional<std::string> storage;   // full clones: target storage (default: the source's)
    std::optional<std::string> snapname;  // clone this snapshot's state
    std::optional<std::string> hostname;
    std::optional<std::string> description;
    std::optional<std::string> pool;    // pools do not exist in pct: refused
    std::optional<std::string> target;  // node: only this one
};

// Copies the file system of volume `source` (of its snapshot `snapshot`
// when not empty) onto the freshly allocated, empty volume `target`.
using CloneCopy = std::function<void(const std::string& source, const std::string& snapshot, const std::string& target)>;

// Mounts the volumes of `config` (container `vmid`) on a host directory,
// runs `work` with that directory, and unmounts again, also when `work`
// throws. Throws UserError.
using WithMountedVolumes = std::function<void(int vmid, const ContainerConfig& config,
                                              const std::function<void(const std::string& rootdir)>& work)>;

struct CloneEnvironment {
    ConfigStore& store;
    StorageRegistry& storages;
    GuestRootfs& rootfs;  // the post-clone setup's file access
    const Clock& clock;
    Random& random;
    std::function<bool(int vmid)> is_running;
    CloneCopy copy;
    WithMountedVolumes with_mounted;
    std::string node_name;
    // Task output ("create full clone of mountpoint rootfs (<volid>)") and warnings.
    std::function<void(const std::string&)> print = [](const std::string&) {};
    std::function<void(const std::string&)> warn = [](const std::string&) {};
};

// Before the task, errors are thrown as they are and leave nothing changed:
// `option 'pool' is not available yet in this version of pct`, `no such
// cluster node '<node>'`, an unknown or disabled storage, the source's
// check_lock; then `lock: disk` is set on the source and `<newid>.conf` is
// created with `lock: create` (`CT <newid> already exists on node '<node>'`);
// `parameter 'storage' not allowed for linked clones`, `snapshot '<s>' does
// not exist`, `unable to clone mountpoint '<key>' (type <bind|device>)`,
// `Full clone of a running container is only possible from a snapshot`,
// `Linked clone feature for '<volid>' is not available` undo both locks.
// The new config copies the source's (or the snapshot's) settings except
// unusedN, parent, snaptime, snapstate and template; every netN gets a new
// MAC. The task then copies or clones each volume (rootfs, mp0, ...),
// recording it in the new config at once, mounts the new container and runs
// the post-clone guest setup (machine-id), and removes both locks. A failure
// in the task frees the new volumes, removes the new config and the source's
// lock, and throws `clone failed: <error>`.
void clone_container(CloneEnvironment& env, const CloneRequest& request);

}  // namespace pct
