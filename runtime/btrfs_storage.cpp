#include "runtime/btrfs_storage.h"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/volume_id.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

constexpr const char* kRawImageName = "disk.raw";
constexpr mode_t kDirectoryMode = 0755;

[[noreturn]] void fail(const std::string& what, int error) { throw UserError(what + ": " + std::strerror(error)); }

UniqueFd open_directory(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail("unable to open '" + path + "'", errno);
    return fd;
}

// The btrfs ioctls take a name inside the directory the ioctl is called on,
// so nothing here resolves a path that the guest could redirect.
template <class Args>
void copy_name(Args& args, const std::string& name) {
    if (name.empty() || name.size() >= sizeof(args.name) || name.find('/') != std::string::npos)
        throw UserError("invalid btrfs subvolume name '" + name + "'");
    std::memcpy(args.name, name.c_str(), name.size() + 1);
}

// Returns 0 or the errno of the failed ioctl. Runs as root so that the
// subvolume can be handed to the container's root user afterwards.
int create_subvolume(int parent_fd, const std::string& name) {
    btrfs_ioctl_vol_args args{};
    copy_name(args, name);
    return ::ioctl(parent_fd, BTRFS_IOC_SUBVOL_CREATE, &args) == 0 ? 0 : errno;
}

// Snapshotting a subvolume owned by someone else (a subvol volume belongs to
// the CT's root) needs CAP_FOWNER: a snapshot can duplicate setuid files.
int snapshot_subvolume(int parent_fd, int source_fd, const std::string& name, bool read_only) {
    btrfs_ioctl_vol_args_v2 args{};
    args.fd = source_fd;
    args.flags = read_only ? BTRFS_SUBVOL_RDONLY : 0;
    copy_name(args, name);
    return ::ioctl(parent_fd, BTRFS_IOC_SNAP_CREATE_V2, &args) == 0 ? 0 : errno;
}

// Deletes a subvolume with everything in it (needs CAP_SYS_ADMIN; read-only
// snapshots included).
int destroy_subvolume(int parent_fd, const std::string& name) {
    btrfs_ioctl_vol_args args{};
    copy_name(args, name);
    return ::ioctl(parent_fd, BTRFS_IOC_SNAP_DESTROY, &args) == 0 ? 0 : errno;
}

// Sets the read-only property of the subvolume `name` below `parent_fd`;
// returns 0 or the errno.
int make_subvolume_read_only(int parent_fd, const std::string& name) {
    UniqueFd subvolume(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (subvolume.get() < 0) return errno;
    uint64_t flags = 0;
    if (::ioctl(subvolume.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags) != 0) return errno;
    flags |= BTRFS_SUBVOL_RDONLY;
    return ::ioctl(subvolume.get(), BTRFS_IOC_SUBVOL_SETFLAGS, &flags) == 0 ? 0 : errno;
}

bool exists_in(int parent_fd, const std::string& name) {
    struct stat info {};
    return ::fstatat(parent_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
}

// Snapshot names share the directory with volumes; keep them to one path
// component that cannot be mistaken for anything else.
void check_snapshot_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 200 ||
        name.find_first_of("/@\n") != std::string::npos || name.find('\0') != std::string::npos)
        throw UserError("invalid snapshot name '" + name + "'");
}

// Deletes a freshly created subvolume unless dismissed.
class DestroyOnFailure {
public:
    DestroyOnFailure(int parent_fd, std::string name) : parent_fd_(parent_fd), name_(std::move(name)) {}
    ~DestroyOnFailure() {
        if (!name_.empty()) destroy_subvolume(parent_fd_, name_);
    }
    DestroyOnFailure(const DestroyOnFailure&) = delete;
    DestroyOnFailure& operator=(const DestroyOnFailure&) = delete;
    void dismiss() { name_.clear(); }

private:
    int parent_fd_;
    std::string name_;
};

}  // namespace

BtrfsStorage::BtrfsStorage(StorageDefinition definition) : DirStorage(std::move(definition)) {}

void BtrfsStorage::activate() {
    DirStorage::activate();
    struct statfs info {};
    const std::string base = definition().path();
    if (::statfs(base.c_str(), &info) != 0) fail("unable to activate storage '" + definition().id + "'", errno);
    if (info.f_type != BTRFS_SUPER_MAGIC)
        throw UserError("unable to activate storage '" + definition().id + "' - '" + base +
                        "' is not on a btrfs file system");
}

std::string BtrfsStorage::allocate(const AllocateRequest& request, VolumeFormat format) {
    if (format == VolumeFormat::Subvol && request.size_kib != 0)
        throw UserError("btrfs quotas are currently not supported, use an unsized subvolume or a raw file");
    return DirStorage::allocate(request, format);
}

std::string BtrfsStorage::entry_name(const Image& image) const {
    if (image.format == VolumeFormat::Subvol) return image.file_name;
    return image.file_name.substr(0, image.file_name.size() - std::strlen(".raw"));
}

std::string BtrfsStorage::volume_path(const Image& image) const {
    const std::string subvolume = image_directory(image.vmid) + "/" + entry_name(image);
    return image.format == VolumeFormat::Raw ? subvolume + "/" + kRawImageName : subvolume;
}

std::optional<std::string> BtrfsStorage::volume_name_of_entry(const std::string& entry) const {
    if (entry.find('@') != std::string::npos) return std::nullopt;  // a snapshot
    if (entry.ends_with(".subvol")) return DirStorage::volume_name_of_entry(entry);
    if (entry.find('.') != std::string::npos) return std::nullopt;
    return DirStorage::volume_name_of_entry(entry + ".raw");
}

bool BtrfsStorage::create_raw_volume(const std::string& image_dir, const std::string& file_name, uint64_t size_bytes,
                                     const AllocateRequest& request) {
    const std::string subvolume = file_name.substr(0, file_name.size() - std::strlen(".raw"));
    UniqueFd parent = open_directory(image_dir);
    if (int error = create_subvolume(parent.get(), subvolume)) {
        if (error == EEXIST) return false;
        fail("unable to create btrfs subvolume '" + image_dir + "/" + subvolume + "'", error);
    }
    DestroyOnFailure cleanup(parent.get(), subvolume);
    if (!create_ext4_image(image_dir + "/" + subvolume + "/" + kRawImageName, size_bytes, request))
        throw UserError("unable to create '" + image_dir + "/" + subvolume + "/" + kRawImageName + "': it exists");
    cleanup.dismiss();
    return true;
}

bool BtrfsStorage::create_subvol_volume(const std::string& image_dir, const std::string& file_name,
                                        const AllocateRequest& request) {
    UniqueFd parent = open_directory(image_dir);
    if (int error = create_subvolume(parent.get(), file_name)) {
        if (error == EEXIST) return false;
        fail("unable to create btrfs subvolume '" + image_dir + "/" + file_name + "'", error);
    }
    DestroyOnFailure cleanup(parent.get(), file_name);
    // The container's root (a mapped uid for unprivileged CTs) must own its
    // root directory; chown needs CAP_CHOWN.
    if (::fchownat(parent.get(), file_name.c_str(), static_cast<uid_t>(request.root_uid),
                   static_cast<gid_t>(request.root_gid), AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fchmodat(parent.get(), file_name.c_str(), kDirectoryMode, 0) != 0)
        fail("unable to set the owner of '" + image_dir + "/" + file_name + "'", errno);
    cleanup.dismiss();
    return true;
}

void BtrfsStorage::prepare_new_image_file(int fd, const std::string& file) const {
    auto nocow = definition().get("nocow");
    if (!nocow || *nocow == "0") return;
    int flags = 0;
    if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) fail("unable to read the attributes of '" + file + "'", errno);
    flags |= FS_NOCOW_FL;
    if (::ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) fail("unable to set nocow on '" + file + "'", errno);
}

std::vector<std::string> BtrfsStorage::snapshots(const std::string& volid) const {
    const Image image = parse_image(volid);
    const std::string prefix = entry_name(image) + "@";
    std::vector<std::string> names;
    for (const std::string& entry : directory_entries(image_directory(image.vmid)))
        if (entry.starts_with(prefix)) names.push_back(entry.substr(prefix.size()));
    std::sort(names.begin(), names.end());
    return names;
}

void BtrfsStorage::remove_volume(const Image& image) {
    const std::string directory = image_directory(image.vmid);
    const std::string entry = entry_name(image);
    UniqueFd parent = open_directory(directory);
    if (!exists_in(parent.get(), entry)) throw UserError("volume '" + image.volid + "' does not exist");
    // Snapshots are subvolumes of their own; without the volume they would
    // be orphans, so they go first.
    for (const std::string& name : snapshots(image.volid)) {
        if (int error = destroy_subvolume(parent.get(), entry + "@" + name))
            fail("unable to delete snapshot '" + name + "' of volume '" + image.volid + "'", error);
    }
    if (int error = destroy_subvolume(parent.get(), entry)) fail("unable to free volume '" + image.volid + "'", error);
}

void BtrfsStorage::resize(const std::string& volid, uint64_t new_size_bytes) {
    if (parse_image(volid).format == VolumeFormat::Subvol)
        throw UserError("btrfs quotas are currently not supported, subvolumes cannot be resized");
    DirStorage::resize(volid, new_size_bytes);
}

std::string BtrfsStorage::rename(const std::string& volid, int target_vmid) {
    // Snapshots are named after the volume; renaming would orphan them.
    if (!snapshots(volid).empty()) throw UserError("unable to rename volume '" + volid + "' - it has snapshots");
    return DirStorage::rename(volid, target_vmid);
}

bool BtrfsStorage::supports(StorageFeature feature, const std::string& volid) const {
    try {
        const Image image = parse_image(volid);
        return feature != StorageFeature::Resize || image.format == VolumeFormat::Raw;
    } catch (const UserError&) {
        return false;
    }
}

void BtrfsStorage::snapshot(const std::string& volid, const std::string& name) {
    check_snapshot_name(name);
    const Image image = parse_image(volid);
    const std::string directory = image_directory(image.vmid);
    const std::string entry = entry_name(image);
    UniqueFd parent = open_directory(directory);
    UniqueFd source(::openat(parent.get(), entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (source.get() < 0) {
        if (errno == ENOENT) throw UserError("volume '" + volid + "' does not exist");
        fail("unable to open '" + directory + "/" + entry + "'", errno);
    }
    if (int error = snapshot_subvolume(parent.get(), source.get(), entry + "@" + name, true)) {
        if (error == EEXIST) throw UserError("snapshot '" + name + "' of volume '" + volid + "' already exists");
        fail("unable to snapshot volume '" + volid + "' as '" + name + "'", error);
    }
}

void BtrfsStorage::rollback(const std::string& volid, const std::string& name) {
    check_snapshot_name(name);
    const Image image = parse_image(volid);
    const std::string directory = image_directory(image.vmid);
    const std::string entry = entry_name(image);
    UniqueFd parent = open_directory(directory);
    if (!exists_in(parent.get(), entry)) throw UserError("volume '" + volid + "' does not exist");
    UniqueFd snapshot(
        ::openat(parent.get(), (entry + "@" + name).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (snapshot.get() < 0) {
        if (errno == ENOENT) throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
        fail("unable to open snapshot '" + name + "' of volume '" + volid + "'", errno);
    }

    // A writable copy of the snapshot under a name no volume or snapshot
    // can have, swapped with the volume in one step: a crash leaves either
    // the old or the rolled-back state in place, never neither.
    const std::string staging = ".pct-rollback-" + entry + "-" + std::to_string(::getpid());
    if (int error = snapshot_subvolume(parent.get(), snapshot.get(), staging, false))
        fail("unable to roll back volume '" + volid + "' to '" + name + "'", error);
    if (::renameat2(parent.get(), staging.c_str(), parent.get(), entry.c_str(), RENAME_EXCHANGE) != 0) {
        const int error = errno;
        destroy_subvolume(parent.get(), staging);
        fail("unable to roll back volume '" + volid + "' to '" + name + "'", error);
    }
    // `staging` now holds the state before the rollback.
    if (int error = destroy_subvolume(parent.get(), staging))
        fail("rolled back volume '" + volid + "' to '" + name + "', but unable to delete the previous state '" +
                 directory + "/" + staging + "'",
             error);
}

void BtrfsStorage::check_rollback(const std::string& volid, const std::string& name) const {
    check_snapshot_name(name);
    const Image image = parse_image(volid);
    UniqueFd parent = open_directory(image_directory(image.vmid));
    const std::string entry = entry_name(image);
    if (!exists_in(parent.get(), entry)) throw UserError("volume '" + volid + "' does not exist");
    // Checked for every volume before the first one is rolled back, so that
    // a missing snapshot cannot leave the container half rolled back.
    if (!exists_in(parent.get(), entry + "@" + name))
        throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
}

void BtrfsStorage::delete_snapshot(const std::string& volid, const std::string& name) {
    check_snapshot_name(name);
    const Image image = parse_image(volid);
    UniqueFd parent = open_directory(image_directory(image.vmid));
    if (int error = destroy_subvolume(parent.get(), entry_name(image) + "@" + name)) {
        if (error == ENOENT) throw UserError("snapshot '" + name + "' of volume '" + volid + "' does not exist");
        fail("unable to delete snapshot '" + name + "' of volume '" + volid + "'", error);
    }
}

}  // namespace pct

namespace pct {

std::string BtrfsStorage::snapshot_path(const std::string& volid, const std::string& name) const {
    check_snapshot_name(name);
    const Image image = parse_image(volid);
    const std::string snapshot = image_directory(image.vmid) + "/" + entry_name(image) + "@" + name;
    return image.format == VolumeFormat::Raw ? snapshot + "/" + kRawImageName : snapshot;
}

std::string BtrfsStorage::create_base(const std::string& volid, std::vector<std::string>& warnings) {
    const Image image = parse_image(volid);
    const Image base = base_image_of(image);
    const std::string directory = image_directory(image.vmid);
    UniqueFd parent = open_directory(directory);
    if (!exists_in(parent.get(), entry_name(image))) throw UserError("volume '" + volid + "' does not exist");
    if (base.volid != image.volid) {
        if (!snapshots(volid).empty()) throw UserError("unable to rename volume '" + volid + "' - it has snapshots");
        if (::renameat2(parent.get(), entry_name(image).c_str(), parent.get(), entry_name(base).c_str(),
                        RENAME_NOREPLACE) != 0) {
            if (errno == EEXIST) throw UserError("file '" + directory + "/" + entry_name(base) + "' already exists");
            fail("rename '" + directory + "/" + entry_name(image) + "' to '" + directory + "/" + entry_name(base) +
                     "' failed",
                 errno);
        }
    }
    if (int error = make_subvolume_read_only(parent.get(), entry_name(base)))
        warnings.push_back("unable to make subvolume '" + directory + "/" + entry_name(base) +
                           "' read-only: " + std::strerror(error));
    return base.volid;
}

std::string BtrfsStorage::clone_linked(const std::string& volid, int vmid, const std::string& snapshot) {
    const Image image = parse_image(volid);
    if (vmid <= 0) throw UserError("invalid vmid " + std::to_string(vmid));
    std::string source_entry = entry_name(image);
    if (!snapshot.empty()) {
        check_snapshot_name(snapshot);
        source_entry += "@" + snapshot;
    }
    UniqueFd source_parent = open_directory(image_directory(image.vmid));
    UniqueFd source(::openat(source_parent.get(), source_entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (source.get() < 0) {
        if (errno == ENOENT)
            throw UserError(snapshot.empty() ? "volume '" + volid + "' does not exist"
                                             : "snapshot '" + snapshot + "' of volume '" + volid + "' does not exist");
        fail("unable to open '" + image_directory(image.vmid) + "/" + source_entry + "'", errno);
    }
    const std::string directory = image_directory(vmid);
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) throw UserError("unable to create directory '" + directory + "': " + error.message());
    UniqueFd parent = open_directory(directory);
    constexpr int kAttempts = 32;  // enough for the lowest free index to move past concurrent allocations
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const int index = lowest_free_disk_index(directory_entries(directory), vmid, definition().id);
        const std::string volname = image_volname(vmid, index, image.format == VolumeFormat::Subvol);
        const Image clone{.volid = definition().id + ":" + volname,
                          .vmid = vmid,
                          .file_name = volname.substr(volname.find('/') + 1),
                          .format = image.format};
        const int result = snapshot_subvolume(parent.get(), source.get(), entry_name(clone), false);
        if (result == 0) return clone.volid;
        if (result != EEXIST) fail("unable to create a linked clone of '" + volid + "'", result);
    }
    throw UserError("unable to allocate an image name for VM " + std::to_string(vmid) + " in storage '" +
                    definition().id + "'");
}

}  // namespace pct
