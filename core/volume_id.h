#pragma once
// Volume ids and the values that name volumes (config.md §4, §6.2, §6.4,
// §11.3, §11.4): `storage:volname`, directory-style volume names, new-disk
// requests (`local:8`), mount point kinds and disk sizes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

// `[a-z][a-z0-9_.-]*[a-z0-9]`, case-insensitive, at least two characters.
bool is_valid_storage_id(std::string_view id);

struct VolumeId {
    std::string storage;
    std::string volname;

    std::string to_string() const;  // "storage:volname"
    bool operator==(const VolumeId&) const = default;
};

// Splits at the first ':'; the storage part must be a valid storage id and
// the volume name must not be empty.
// Throws UserError("unable to parse volume ID '<value>'").
VolumeId parse_volume_id(std::string_view volume_id);

enum class VolumeKind { image, vztmpl, backup, iso, snippets, import };
enum class ImageFormat { raw, qcow2, vmdk, subvol };

// The storage content type a kind belongs to ("images", "vztmpl", ...).
std::string_view content_type_of(VolumeKind kind);
std::string_view to_string(ImageFormat format);

struct DirVolname {
    VolumeKind kind = VolumeKind::image;
    // Last path component: "vm-100-disk-0.raw", "debian-12.tar.zst".
    std::string file_name;
    // Images: the <vmid> directory the image lives in. Backups: the id in a
    // `vzdump-<lxc|qemu|openvz>-<vmid>-...` name, when it has that form.
    std::optional<int> owner_vmid;
    // Linked clones (`<basevmid>/<basename>/<vmid>/<name>`): the base image.
    std::optional<int> base_vmid;
    std::string base_name;
    bool is_base = false;               // the image itself is a template base (`base-...`)
    std::optional<ImageFormat> format;  // images only
};

// Directory-style volume names (dir and btrfs storages, config.md §11.4).
// Throws UserError("unable to parse directory volume name '<volname>'").
DirVolname parse_dir_volname(std::string_view volname);

// `<id>/vm-<id>-disk-<n>.raw` or `<id>/subvol-<id>-disk-<n>.subvol`.
std::string image_volname(int vmid, int n, bool subvol);

// The lowest N >= 0 not used by any `(vm|base|subvol|basevol)-<vmid>-disk-<N>`
// among `existing_names` (volume names, file names or paths). Throws
// UserError("unable to allocate an image name for VM <vmid> in storage '<storage>'")
// when all 1024 indexes are taken.
int lowest_free_disk_index(const std::vector<std::string>& existing_names, int vmid,
                           std::string_view storage = {});

// A mount point volume of the form `STORAGE:GiB` (config.md §6.2).
struct NewDiskRequest {
    std::string storage;
    uint64_t size_kib = 0;  // int(GiB * 1024) * 1024, computed exactly in decimal
    bool operator==(const NewDiskRequest&) const = default;
};

// nullopt when `volume` is not `^([^:\s]+):(\d+(\.\d+)?)$`.
// Throws UserError when the size does not fit 64 bits.
std::optional<NewDiskRequest> parse_new_disk_request(std::string_view volume);

enum class MountPointType { volume, bind, device };

// `/dev/...` -> device, any other absolute path -> bind, else volume.
MountPointType classify_mount_point(std::string_view volume);
std::string_view to_string(MountPointType type);

// `/./` or `/../` anywhere, a trailing `/.` or `/..`, or a leading `../`.
bool has_illegal_path_sequences(std::string_view path);
// Throws UserError("<path> contains illegal character sequences").
void check_mount_path_sequences(std::string_view path);

// disk-size (config.md §4): `^\d+(\.\d+)?([KMGT](iB)?)?$`, no unit = bytes,
// K/M/G/T = 1024^1..4, truncated to whole bytes (exact decimal arithmetic).
// Throws UserError("value does not look like a valid disk size: <text>"),
// or "disk size '<text>' is too large" past 2^64-1 bytes.
uint64_t parse_disk_size(std::string_view text);

// The largest unit that divides exactly: 8589934592 -> "8G",
// 1572864 -> "1536K", 1000 -> "1000". Like Proxmox, 0 prints as "0T".
std::string format_disk_size(uint64_t bytes);

}  // namespace pct
