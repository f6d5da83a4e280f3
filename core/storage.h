#pragma once
// Port: one configured storage (config.md §11). The Linux side implements
// `dir` (raw ext4 images and plain directories) and `btrfs` (subvolumes);
// the fake records every call and can be told to fail.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/storage_config.h"

namespace pct {

enum class VolumeFormat { Raw, Subvol };

struct AllocateRequest {
    int vmid = 0;
    uint64_t size_kib = 0;   // 0: a directory volume (subvol) without size limit
    uint64_t root_uid = 0;   // owner of the new file system's root directory
    uint64_t root_gid = 0;
};

struct StoredVolume {
    std::string volid;       // "<storage>:<volname>"
    int owner = 0;           // the vmid in the volume's name
    VolumeFormat format = VolumeFormat::Raw;
    uint64_t size_bytes = 0; // 0 for unsized directories
};

enum class StorageFeature { Snapshot, Rollback, Template, LinkedClone, Resize };

class Storage {
public:
    virtual ~Storage() = default;
    virtual const StorageDefinition& definition() const = 0;

    // Makes the storage usable (mount and directory checks); idempotent.
    // StorageRegistry::get activates on first use; snapshot operations
    // activate again at the points where Proxmox does (config.md §12).
    virtual void activate() = 0;

    // Allocates (and formats) a new volume named after the lowest free disk
    // index; returns its volume id. Throws UserError and leaves nothing behind.
    virtual std::string allocate(const AllocateRequest& request) = 0;
    virtual void free(const std::string& volid) = 0;
    // Host path of the volume: the raw image file or the directory.
    virtual std::string path(const std::string& volid) const = 0;
    virtual VolumeFormat format(const std::string& volid) const = 0;
    virtual uint64_t size_bytes(const std::string& volid) const = 0;
    virtual std::vector<StoredVolume> list(std::optional<int> owner) const = 0;
    // Grows a raw image (the file system is grown by the caller).
    virtual void resize(const std::string& volid, uint64_t new_size_bytes) = 0;
    // Hands a volume to another container: renamed to the lowest free
    // `<kind>-<target>-disk-<n>` of that owner. Returns the new volume id.
    virtual std::string rename(const std::string& volid, int target_vmid) = 0;

    virtual bool supports(StorageFeature feature, const std::string& volid) const = 0;
    virtual void snapshot(const std::string& volid, const std::string& name) = 0;
    virtual void rollback(const std::string& volid, const std::string& name) = 0;
    // Throws UserError when rollback(volid, name) could not succeed, before
    // anything has changed (Proxmox's volume_rollback_is_possible).
    virtual void check_rollback(const std::string& volid, const std::string& name) const = 0;
    virtual void delete_snapshot(const std::string& volid, const std::string& name) = 0;
    // Host path of snapshot `name` of the volume, readable like path()
    // (btrfs: inside the read-only subvolume `<subvolume>@<name>`). Throws
    // UserError on storages without snapshots.
    virtual std::string snapshot_path(const std::string& volid, const std::string& name) const = 0;

    // `pct template` (config.md §11.3, §11.6): turns the volume into a
    // read-only base volume and returns its new volume id (dir: a raw
    // `vm-…` file renamed `base-…`, mode 0444 and immutable; btrfs: the
    // subvolume renamed likewise and set read-only; `subvol-…` names stay).
    // What could not be protected is appended to `warnings`, as Proxmox only
    // warns about it. Throws UserError when nothing changed.
    virtual std::string create_base(const std::string& volid, std::vector<std::string>& warnings) = 0;
    // A linked clone of the volume (of its snapshot `snapshot` when not
    // empty) for container `vmid`: a storage-level copy-on-write copy under
    // the lowest free `vm-<vmid>-disk-<n>` (or `subvol-…`) name. Returns its
    // volume id. Only where supports(LinkedClone, volid).
    virtual std::string clone_linked(const std::string& volid, int vmid, const std::string& snapshot) = 0;

    // Directory of vztmpl archives (<path>/template/cache).
    virtual std::string template_directory() const = 0;
};

// Finds the Storage for a storage id; throws UserError when unknown or unsupported.
class StorageRegistry {
public:
    virtual ~StorageRegistry() = default;
    virtual Storage& get(const std::string& storage_id) = 0;
};

}  // namespace pct
