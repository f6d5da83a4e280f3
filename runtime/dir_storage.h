#pragma once
// Storage of type `dir` (config.md §11.2, §11.3): images live under
// <path>/images/<vmid>/ as sparse raw files holding ext4 (size > 0) or as
// plain directories (size 0, format subvol). BtrfsStorage builds on this
// class and only changes how a volume is laid out on disk.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/storage.h"

namespace pct {

class DirStorage : public Storage {
public:
    explicit DirStorage(StorageDefinition definition);

    // Makes the storage usable: checks `is_mountpoint`, creates the base
    // path (`create-base-path`, default yes) and the content subdirectories
    // (`create-subdirs`, default yes). Throws UserError.
    void activate() override;

    // Allocates a volume of an explicit format: Raw needs a size, Subvol
    // refuses one (this storage has no quotas). allocate(request) picks the
    // format from the size, as container volumes do (config.md §6.3).
    virtual std::string allocate(const AllocateRequest& request, VolumeFormat format);

    const StorageDefinition& definition() const override { return definition_; }
    std::string allocate(const AllocateRequest& request) override;
    void free(const std::string& volid) override;
    std::string path(const std::string& volid) const override;
    VolumeFormat format(const std::string& volid) const override;
    uint64_t size_bytes(const std::string& volid) const override;
    std::vector<StoredVolume> list(std::optional<int> owner) const override;
    void resize(const std::string& volid, uint64_t new_size_bytes) override;
    std::string rename(const std::string& volid, int target_vmid) override;
    bool supports(StorageFeature feature, const std::string& volid) const override;
    void snapshot(const std::string& volid, const std::string& name) override;
    void rollback(const std::string& volid, const std::string& name) override;
    void check_rollback(const std::string& volid, const std::string& name) const override;
    void delete_snapshot(const std::string& volid, const std::string& name) override;
    std::string snapshot_path(const std::string& volid, const std::string& name) const override;
    // Raw: `vm-…` renamed `base-…` (never over an existing file), mode 0444,
    // immutable. Subvol: the name stays, the directory is made immutable but
    // keeps its mode (a full clone copies the root directory's mode).
    std::string create_base(const std::string& volid, std::vector<std::string>& warnings) override;
    // Refused: linked clones need qcow2, which containers do not use.
    std::string clone_linked(const std::string& volid, int vmid, const std::string& snapshot) override;
    std::string template_directory() const override;

protected:
    // An image volume of this storage, from its volume id.
    struct Image {
        std::string volid;
        int vmid = 0;           // the <vmid> directory it lives in
        std::string file_name;  // "vm-100-disk-0.raw", "subvol-100-disk-0.subvol"
        VolumeFormat format = VolumeFormat::Raw;
    };
    // Throws UserError unless volid names a raw or subvol image on this storage.
    Image parse_image(const std::string& volid) const;

    // <path>/images/<vmid> (or the `content-dirs` override of `images`).
    std::string image_directory(int vmid) const;
    // The directory (or btrfs subvolume) entry in image_directory() that holds
    // the volume; the same as the volume's path() for dir storage.
    virtual std::string entry_name(const Image& image) const { return image.file_name; }
    virtual std::string volume_path(const Image& image) const;
    // The volume name ("vm-100-disk-0.raw") an entry of image_directory()
    // stands for, or nullopt when the entry is not a volume.
    virtual std::optional<std::string> volume_name_of_entry(const std::string& entry) const;

    // Create the on-disk object for a new volume; return false when the name
    // is taken (another allocation won the race) so the caller picks again.
    // Throw UserError and leave nothing behind on any other failure.
    virtual bool create_raw_volume(const std::string& image_dir, const std::string& file_name, uint64_t size_bytes,
                                   const AllocateRequest& request);
    virtual bool create_subvol_volume(const std::string& image_dir, const std::string& file_name,
                                      const AllocateRequest& request);
    virtual void remove_volume(const Image& image);

    // Creates `file` (which must not exist) with `size_bytes` following the
    // storage's `preallocation`, and formats it as ext4 whose root directory
    // belongs to the request's root uid/gid. Returns false when `file`
    // already exists; on any failure the file is removed again.
    bool create_ext4_image(const std::string& file, uint64_t size_bytes, const AllocateRequest& request) const;
    // Hook for the still empty image file (btrfs sets `nocow` here).
    virtual void prepare_new_image_file(int /*fd*/, const std::string& /*file*/) const {}

    // The volume id `image` gets as a base volume: `vm-` becomes `base-`
    // (other names stay). Throws UserError for a volume that is a base already.
    Image base_image_of(const Image& image) const;

    // Names in a directory (without . and ..); empty when it does not exist.
    static std::vector<std::string> directory_entries(const std::string& directory);

private:
    std::string subdirectory(const std::string& content_type) const;

    StorageDefinition definition_;
};

}  // namespace pct
