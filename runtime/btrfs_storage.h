#pragma once
// Storage of type `btrfs` (config.md §11.3, §11.6): every volume is a btrfs
// subvolume under <path>/images/<vmid>/ — `vm-<id>-disk-<N>/` holding the
// ext4 image `disk.raw`, or `subvol-<id>-disk-<N>.subvol` used as a
// directory — and snapshots are read-only subvolumes `<subvolume>@<name>`.
// Subvolumes are created, snapshotted and deleted with the btrfs ioctls.
#include <string>
#include <vector>

#include "runtime/dir_storage.h"

namespace pct {

class BtrfsStorage : public DirStorage {
public:
    explicit BtrfsStorage(StorageDefinition definition);

    // DirStorage's activation, and the path must be on a btrfs file system.
    void activate() override;

    using DirStorage::allocate;
    // A sized subvolume is refused: it would need btrfs quotas.
    std::string allocate(const AllocateRequest& request, VolumeFormat format) override;
    void resize(const std::string& volid, uint64_t new_size_bytes) override;
    std::string rename(const std::string& volid, int target_vmid) override;
    bool supports(StorageFeature feature, const std::string& volid) const override;
    void snapshot(const std::string& volid, const std::string& name) override;
    // Replaces the volume by a writable copy of snapshot `name` in one
    // rename(RENAME_EXCHANGE), then deletes the previous state.
    void rollback(const std::string& volid, const std::string& name) override;
    // The snapshot subvolume must exist.
    void check_rollback(const std::string& volid, const std::string& name) const override;
    void delete_snapshot(const std::string& volid, const std::string& name) override;
    // `<subvolume>@<name>` (raw: its disk.raw).
    std::string snapshot_path(const std::string& volid, const std::string& name) const override;
    // The subvolume renamed `vm-…` -> `base-…` (subvol names stay) and set
    // read-only. A volume with snapshots is refused (they would be orphaned).
    std::string create_base(const std::string& volid, std::vector<std::string>& warnings) override;
    // A writable snapshot of the volume's subvolume (or of its snapshot
    // `snapshot`) under the lowest free name of `vmid`; the source is never
    // written, a base volume stays read-only.
    std::string clone_linked(const std::string& volid, int vmid, const std::string& snapshot) override;

    // Names of the volume's snapshots, sorted.
    std::vector<std::string> snapshots(const std::string& volid) const;

protected:
    std::string entry_name(const Image& image) const override;
    std::string volume_path(const Image& image) const override;
    std::optional<std::string> volume_name_of_entry(const std::string& entry) const override;
    bool create_raw_volume(const std::string& image_dir, const std::string& file_name, uint64_t size_bytes,
                           const AllocateRequest& request) override;
    bool create_subvol_volume(const std::string& image_dir, const std::string& file_name,
                              const AllocateRequest& request) override;
    // Deletes the volume's snapshots, then the volume.
    void remove_volume(const Image& image) override;
    // `nocow`: no copy-on-write for the image file (must be set while empty).
    void prepare_new_image_file(int fd, const std::string& file) const override;
};

}  // namespace pct
