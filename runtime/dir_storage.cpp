#include "runtime/dir_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "core/error.h"
#include "core/volume_id.h"
#include "runtime/run_program.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

// Enough for the lowest free index to move past concurrent allocations.
constexpr int kAllocateAttempts = 32;
constexpr mode_t kImageFileMode = 0640;  // the image holds a whole guest file system
constexpr mode_t kDirectoryMode = 0755;

[[noreturn]] void fail(const std::string& what, int error) { throw UserError(what + ": " + std::strerror(error)); }

bool option_enabled(const StorageDefinition& definition, std::string_view key, bool fallback) {
    auto value = definition.get(key);
    if (!value) return fallback;
    return *value == "1" || *value == "yes" || *value == "on" || *value == "true";
}

void create_directories(const std::string& path) {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) throw UserError("unable to create directory '" + path + "': " + error.message());
}

bool is_mount_point(const std::string& path) {
    struct statx info {};
    if (::statx(AT_FDCWD, path.c_str(), 0, STATX_BASIC_STATS, &info) != 0) return false;
    if (info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) return (info.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    // Kernels before 5.8 do not report mount roots; a device change is close enough.
    struct stat self {
    }, parent{};
    return ::stat(path.c_str(), &self) == 0 && ::stat((path + "/..").c_str(), &parent) == 0 &&
           self.st_dev != parent.st_dev;
}

// ---- removing a directory volume ------------------------------------------------------

// Everything below the directory `fd`, working relative to directory fds
// opened with O_NOFOLLOW: a symlink the guest planted (or swaps in while we
// run) is removed, never followed. A mount point below is left alone and
// reported, so a volume still mounted inside cannot lose its data.
void remove_contents(int fd, const std::string& shown_path) {
    std::vector<std::string> names;
    {
        const int listing_fd = ::dup(fd);
        if (listing_fd < 0) fail("unable to remove '" + shown_path + "'", errno);
        DIR* listing = ::fdopendir(listing_fd);
        if (!listing) {
            const int error = errno;
            ::close(listing_fd);
            fail("unable to remove '" + shown_path + "'", error);
        }
        while (const dirent* entry = ::readdir(listing)) {
            const std::string name = entry->d_name;
            if (name != "." && name != "..") names.push_back(name);
        }
        ::closedir(listing);
    }
    for (const std::string& name : names) {
        const std::string shown = shown_path + "/" + name;
        struct statx info {};
        if (::statx(fd, name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &info) != 0)
            fail("unable to remove '" + shown + "'", errno);
        if (!S_ISDIR(info.stx_mode)) {
            if (::unlinkat(fd, name.c_str(), 0) != 0) fail("unable to remove '" + shown + "'", errno);
            continue;
        }
        if (info.stx_attributes & STATX_ATTR_MOUNT_ROOT)
            throw UserError("unable to remove '" + shown + "': something is mounted there");
        UniqueFd child(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (child.get() < 0) fail("unable to remove '" + shown + "'", errno);
        remove_contents(child.get(), shown);
        if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0) fail("unable to remove '" + shown + "'", errno);
    }
}

void remove_tree(const std::string& path) {
    UniqueFd top(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (top.get() < 0) fail("unable to remove '" + path + "'", errno);
    remove_contents(top.get(), path);
    if (::rmdir(path.c_str()) != 0) fail("unable to remove '" + path + "'", errno);
}

// Base images (templates) are immutable; the flag must go before unlink.
void clear_immutable_flag(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) return;  // unlink reports the real problem
    int flags = 0;
    if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) != 0 || !(flags & FS_IMMUTABLE_FL)) return;
    flags &= ~FS_IMMUTABLE_FL;
    ::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags);  // needs CAP_LINUX_IMMUTABLE, which root has
}

// Sets the immutable flag of `path` (a base volume); returns 0 or the errno.
int set_immutable_flag(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) return errno;
    int flags = 0;
    if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) != 0) return errno;
    flags |= FS_IMMUTABLE_FL;
    return ::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags) == 0 ? 0 : errno;  // needs CAP_LINUX_IMMUTABLE
}

// The <vmid> in "vm-<vmid>-disk-0.raw" (the volume's owner).
int owner_in_name(const std::string& name) {
    const size_t dash = name.find('-');
    int owner = 0;
    for (size_t i = dash + 1; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
        if (owner > (INT_MAX - 9) / 10) return 0;
        owner = owner * 10 + (name[i] - '0');
    }
    return owner;
}

// Like a full write of zeros (preallocation=full), one chunk at a time.
void write_zeros(int fd, uint64_t from, uint64_t to, const std::string& file) {
    static const std::vector<char> zeros(1 << 20, 0);
    for (uint64_t at = from; at < to;) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(zeros.size(), to - at));
        const ssize_t written = ::pwrite(fd, zeros.data(), chunk, static_cast<off_t>(at));
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) fail("unable to write '" + file + "'", errno);
        at += static_cast<uint64_t>(written);
    }
}

// Reserves [from, to) of a raw image as `preallocation` asks; off and
// metadata (the default, meaningless for raw) leave the file sparse.
void preallocate(const StorageDefinition& definition, int fd, uint64_t from, uint64_t to, const std::string& file) {
    const std::string mode = definition.get("preallocation").value_or("metadata");
    if (mode == "falloc") {
        if (::fallocate(fd, 0, static_cast<off_t>(from), static_cast<off_t>(to - from)) != 0)
            fail("unable to preallocate '" + file + "'", errno);
    } else if (mode == "full") {
        write_zeros(fd, from, to, file);
    }
}

// Removes a file unless dismissed: nothing of a failed allocation stays.
class RemoveOnFailure {
public:
    explicit RemoveOnFailure(std::string path) : path_(std::move(path)) {}
    ~RemoveOnFailure() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    RemoveOnFailure(const RemoveOnFailure&) = delete;
    RemoveOnFailure& operator=(const RemoveOnFailure&) = delete;
    void dismiss() { path_.clear(); }

private:
    std::string path_;
};

uint64_t checked_size_bytes(uint64_t size_kib) {
    // off_t is signed: the largest file size is INT64_MAX bytes.
    if (size_kib > static_cast<uint64_t>(std::numeric_limits<off_t>::max()) / 1024)
        throw UserError("disk size " + std::to_string(size_kib) + "K is too large");
    return size_kib * 1024;
}

void check_id(uint64_t id, const char* what) {
    // (uid_t)-1 means "leave unchanged" to chown; ids are 32 bits.
    if (id >= std::numeric_limits<uint32_t>::max())
        throw UserError(std::string("invalid root ") + what + " " + std::to_string(id));
}

}  // namespace

// ---- DirStorage --------------------------------------------------------------------

DirStorage::DirStorage(StorageDefinition definition) : definition_(std::move(definition)) {}

std::string DirStorage::subdirectory(const std::string& content_type) const {
    static const std::map<std::string, std::string> defaults = {
        {"images", "images"}, {"rootdir", "images"},    {"vztmpl", "template/cache"}, {"iso", "template/iso"},
        {"backup", "dump"},   {"snippets", "snippets"}, {"import", "import"},
    };
    const std::string base = definition_.path();
    if (base.empty()) throw UserError("storage '" + definition_.id + "' has no path");
    // content-dirs: "vtype=relative/path,..."; the path stays below the storage path.
    if (auto overrides = definition_.get("content-dirs")) {
        std::string_view rest = *overrides;
        while (!rest.empty()) {
            const size_t comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            const size_t equals = item.find('=');
            if (equals == std::string_view::npos || item.substr(0, equals) != content_type) continue;
            std::string relative(item.substr(equals + 1));
            while (relative.starts_with('/')) relative.erase(0, 1);
            if (relative.empty() || relative == ".." || relative.starts_with("../") ||
                relative.find("/../") != std::string::npos || relative.ends_with("/.."))
                throw UserError("storage '" + definition_.id + "': invalid content-dirs entry '" + std::string(item) +
                                "'");
            return base + "/" + relative;
        }
    }
    auto found = defaults.find(content_type);
    return base + "/" + (found != defaults.end() ? found->second : content_type);
}

std::string DirStorage::image_directory(int vmid) const { return subdirectory("images") + "/" + std::to_string(vmid); }

std::string DirStorage::template_directory() const { return subdirectory("vztmpl"); }

void DirStorage::activate() {
    const std::string base = definition_.path();
    if (base.empty()) throw UserError("storage '" + definition_.id + "' has no path");

    // is_mountpoint: the storage is offline unless something is mounted there.
    if (auto mount_point = definition_.get("is_mountpoint");
        mount_point && *mount_point != "0" && *mount_point != "no") {
        const std::string expected = (*mount_point == "1" || *mount_point == "yes") ? base : *mount_point;
        if (!is_mount_point(expected))
            throw UserError("unable to activate storage '" + definition_.id +
                            "' - directory is expected to be a mount point but is not mounted: '" + expected + "'");
    }

    // `mkdir` is the deprecated spelling of both create-* options.
    const bool legacy_mkdir = option_enabled(definition_, "mkdir", true);
    if (option_enabled(definition_, "create-base-path", legacy_mkdir)) {
        create_directories(base);
    } else if (struct stat info{}; ::stat(base.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        throw UserError("unable to activate storage '" + definition_.id + "' - directory '" + base +
                        "' does not exist");
    }
    if (!option_enabled(definition_, "create-subdirs", legacy_mkdir)) return;
    for (const std::string& content : definition_.content()) create_directories(subdirectory(content));
}

std::vector<std::string> DirStorage::directory_entries(const std::string& directory) {
    std::vector<std::string> names;
    DIR* listing = ::opendir(directory.c_str());
    if (!listing) {
        if (errno == ENOENT) return names;
        fail("unable to list '" + directory + "'", errno);
    }
    while (const dirent* entry = ::readdir(listing)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(listing);
    return names;
}

DirStorage::Image DirStorage::parse_image(const std::string& volid) const {
    const VolumeId id = parse_volume_id(volid);
    if (id.storage != definition_.id)
        throw UserError("volume '" + volid + "' is not on storage '" + definition_.id + "'");
    const DirVolname parsed = parse_dir_volname(id.volname);
    if (parsed.kind != VolumeKind::image) throw UserError("volume '" + volid + "' is not a disk image");
    if (parsed.format != ImageFormat::raw && parsed.format != ImageFormat::subvol)
        throw UserError("unsupported image format '" + std::string(to_string(*parsed.format)) + "' of volume '" +
                        volid + "'");
    return Image{.volid = volid,
                 .vmid = parsed.owner_vmid.value_or(0),
                 .file_name = parsed.file_name,
                 .format = parsed.format == ImageFormat::subvol ? VolumeFormat::Subvol : VolumeFormat::Raw};
}

std::string DirStorage::volume_path(const Image& image) const {
    return image_directory(image.vmid) + "/" + image.file_name;
}

std::optional<std::string> DirStorage::volume_name_of_entry(const std::string& entry) const {
    auto parsed = [&]() -> std::optional<DirVolname> {
        try {
            return parse_dir_volname("0/" + entry);
        } catch (const UserError&) {
            return std::nullopt;
        }
    }();
    if (!parsed || (parsed->format != ImageFormat::raw && parsed->format != ImageFormat::subvol)) return std::nullopt;
    return entry;
}

std::string DirStorage::allocate(const AllocateRequest& request) {
    return allocate(request, request.size_kib == 0 ? VolumeFormat::Subvol : VolumeFormat::Raw);
}

std::string DirStorage::allocate(const AllocateRequest& request, VolumeFormat format) {
    if (!definition_.content().contains("rootdir"))
        throw UserError("content type 'rootdir' is not available or configured on storage '" + definition_.id + "'");
    if (format == VolumeFormat::Subvol && request.size_kib != 0)
        throw UserError("storage does not support subvol quotas");
    if (format == VolumeFormat::Raw && request.size_kib == 0)
        throw UserError("unable to allocate a raw image of size 0");
    if (request.vmid <= 0) throw UserError("invalid vmid " + std::to_string(request.vmid));
    check_id(request.root_uid, "uid");
    check_id(request.root_gid, "gid");
    const uint64_t size_bytes = checked_size_bytes(request.size_kib);

    const std::string directory = image_directory(request.vmid);
    create_directories(directory);
    for (int attempt = 0; attempt < kAllocateAttempts; ++attempt) {
        const int index = lowest_free_disk_index(directory_entries(directory), request.vmid, definition_.id);
        const std::string volname = image_volname(request.vmid, index, format == VolumeFormat::Subvol);
        const std::string file_name = volname.substr(volname.find('/') + 1);
        const bool created = format == VolumeFormat::Subvol
                                 ? create_subvol_volume(directory, file_name, request)
                                 : create_raw_volume(directory, file_name, size_bytes, request);
        if (created) return definition_.id + ":" + volname;
    }
    throw UserError("unable to allocate an image name for VM " + std::to_string(request.vmid) + " in storage '" +
                    definition_.id + "'");
}

bool DirStorage::create_raw_volume(const std::string& image_dir, const std::string& file_name, uint64_t size_bytes,
                                   const AllocateRequest& request) {
    return create_ext4_image(image_dir + "/" + file_name, size_bytes, request);
}

bool DirStorage::create_subvol_volume(const std::string& image_dir, const std::string& file_name,
                                      const AllocateRequest& request) {
    const std::string path = image_dir + "/" + file_name;
    if (::mkdir(path.c_str(), kDirectoryMode) != 0) {
        if (errno == EEXIST) return false;
        fail("unable to create directory '" + path + "'", errno);
    }
    // The container's root (a mapped uid for unprivileged CTs) must own its
    // root directory; chown needs CAP_CHOWN. chmod makes the mode umask-proof.
    if (::lchown(path.c_str(), static_cast<uid_t>(request.root_uid), static_cast<gid_t>(request.root_gid)) != 0 ||
        ::chmod(path.c_str(), kDirectoryMode) != 0) {
        const int error = errno;
        ::rmdir(path.c_str());
        fail("unable to set the owner of '" + path + "'", error);
    }
    return true;
}

bool DirStorage::create_ext4_image(const std::string& file, uint64_t size_bytes, const AllocateRequest& request) const {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kImageFileMode));
    if (fd.get() < 0) {
        if (errno == EEXIST) return false;
        fail("unable to create '" + file + "'", errno);
    }
    RemoveOnFailure cleanup(file);
    prepare_new_image_file(fd.get(), file);
    // Sparse by default: the image only takes the space the guest uses.
    if (::ftruncate(fd.get(), static_cast<off_t>(size_bytes)) != 0) fail("unable to size '" + file + "'", errno);
    preallocate(definition_, fd.get(), 0, size_bytes, file);
    if (fd.close() != 0) fail("unable to write '" + file + "'", errno);

    // -O mmp: refuse to mount the file system twice at once (multiple mount
    // protection); root_owner: the CT's root owns "/" inside the image.
    run_host_program({"mkfs.ext4", "-q", "-O", "mmp", "-E",
                      "root_owner=" + std::to_string(request.root_uid) + ":" + std::to_string(request.root_gid), file},
                     "unable to format '" + file + "' with ext4");
    cleanup.dismiss();
    return true;
}

void DirStorage::remove_volume(const Image& image) {
    const std::string path = volume_path(image);
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) throw UserError("volume '" + image.volid + "' does not exist");
        fail("unable to free volume '" + image.volid + "'", errno);
    }
    if (image.format == VolumeFormat::Subvol) {
        if (!S_ISDIR(info.st_mode))
            throw UserError("unable to free volume '" + image.volid + "': '" + path + "' is not a directory");
        clear_immutable_flag(path);  // a template's directory
        remove_tree(path);
        return;
    }
    if (image.file_name.starts_with("base-")) clear_immutable_flag(path);
    if (::unlink(path.c_str()) != 0) fail("unable to free volume '" + image.volid + "'", errno);
}

void DirStorage::free(const std::string& volid) { remove_volume(parse_image(volid)); }

std::string DirStorage::path(const std::string& volid) const {
    const VolumeId id = parse_volume_id(volid);
    if (id.storage != definition_.id)
        throw UserError("volume '" + volid + "' is not on storage '" + definition_.id + "'");
    const DirVolname parsed = parse_dir_volname(id.volname);
    if (parsed.kind == VolumeKind::image) return volume_path(parse_image(volid));
    if (parsed.file_name == "." || parsed.file_name == "..")
        throw UserError("unable to parse directory volume name '" + id.volname + "'");
    return subdirectory(std::string(content_type_of(parsed.kind))) + "/" + parsed.file_name;
}

VolumeFormat DirStorage::format(const std::string& volid) const { return parse_image(volid).format; }

uint64_t DirStorage::size_bytes(const std::string& volid) const {
    const Image image = parse_image(volid);
    const std::string path = volume_path(image);
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) throw UserError("volume '" + volid + "' does not exist");
        fail("unable to stat '" + path + "'", errno);
    }
    return image.format == VolumeFormat::Subvol ? 0 : static_cast<uint64_t>(info.st_size);
}

std::vector<StoredVolume> DirStorage::list(std::optional<int> owner) const {
    std::vector<int> vmids;
    if (owner) {
        vmids.push_back(*owner);
    } else {
        for (const std::string& entry : directory_entries(subdirectory("images"))) {
            if (entry.empty() || entry.size() > 9 || entry.find_first_not_of("0123456789") != std::string::npos)
                continue;
            vmids.push_back(std::stoi(entry));
        }
    }
    std::vector<StoredVolume> volumes;
    for (int vmid : vmids) {
        for (const std::string& entry : directory_entries(image_directory(vmid))) {
            const auto name = volume_name_of_entry(entry);
            if (!name) continue;
            const int name_owner = owner_in_name(*name);
            if (owner && name_owner != *owner) continue;
            StoredVolume volume{.volid = definition_.id + ":" + std::to_string(vmid) + "/" + *name,
                                .owner = name_owner};
            const Image image = parse_image(volume.volid);
            volume.format = image.format;
            struct stat info {};
            if (image.format == VolumeFormat::Raw && ::stat(volume_path(image).c_str(), &info) == 0)
                volume.size_bytes = static_cast<uint64_t>(info.st_size);
            volumes.push_back(std::move(volume));
        }
    }
    std::sort(volumes.begin(), volumes.end(),
              [](const StoredVolume& a, const StoredVolume& b) { return a.volid < b.volid; });
    return volumes;
}

void DirStorage::resize(const std::string& volid, uint64_t new_size_bytes) {
    const Image image = parse_image(volid);
    if (image.format != VolumeFormat::Raw) throw UserError("can't resize this image format");
    if (new_size_bytes > static_cast<uint64_t>(std::numeric_limits<off_t>::max()))
        throw UserError("disk size " + std::to_string(new_size_bytes) + " is too large");
    const std::string path = volume_path(image);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) throw UserError("volume '" + volid + "' does not exist");
        fail("unable to open '" + path + "'", errno);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) fail("unable to stat '" + path + "'", errno);
    const auto old_size = static_cast<uint64_t>(info.st_size);
    if (new_size_bytes < old_size) throw UserError("unable to shrink disk size");
    if (new_size_bytes == old_size) return;
    if (::ftruncate(fd.get(), static_cast<off_t>(new_size_bytes)) != 0) fail("unable to resize '" + path + "'", errno);
    try {
        preallocate(definition_, fd.get(), old_size, new_size_bytes, path);
    } catch (...) {
        (void)!::ftruncate(fd.get(), static_cast<off_t>(old_size));  // give the space back; the error says why
        throw;
    }
}

std::string DirStorage::rename(const std::string& volid, int target_vmid) {
    const Image image = parse_image(volid);
    if (target_vmid <= 0) throw UserError("invalid vmid " + std::to_string(target_vmid));
    const std::string source_directory = image_directory(image.vmid);
    const std::string directory = image_directory(target_vmid);
    create_directories(directory);
    UniqueFd source_parent(::open(source_directory.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd target_parent(::open(directory.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!source_parent || !target_parent) fail("unable to open the image directories of '" + volid + "'", errno);
    for (int attempt = 0; attempt < kAllocateAttempts; ++attempt) {
        const int index = lowest_free_disk_index(directory_entries(directory), target_vmid, definition_.id);
        const std::string volname = image_volname(target_vmid, index, image.format == VolumeFormat::Subvol);
        const Image renamed{.volid = definition_.id + ":" + volname,
                            .vmid = target_vmid,
                            .file_name = volname.substr(volname.find('/') + 1),
                            .format = image.format};
        // NOREPLACE: a concurrent allocation of that name wins, we pick again.
        if (::renameat2(source_parent.get(), entry_name(image).c_str(), target_parent.get(),
                        entry_name(renamed).c_str(), RENAME_NOREPLACE) == 0)
            return renamed.volid;
        if (errno == ENOENT) throw UserError("volume '" + volid + "' does not exist");
        if (errno != EEXIST) fail("unable to rename '" + volid + "'", errno);
    }
    throw UserError("unable to allocate an image name for VM " + std::to_string(target_vmid) + " in storage '" +
                    definition_.id + "'");
}

bool DirStorage::supports(StorageFeature feature, const std::string& volid) const {
    switch (feature) {
        case StorageFeature::Snapshot:
        case StorageFeature::Rollback:
        case StorageFeature::LinkedClone:
            return false;  // raw files and directories have no snapshots (only qcow2 would)
        case StorageFeature::Template:
            return true;
        case StorageFeature::Resize:
            try {
                return parse_image(volid).format == VolumeFormat::Raw;
            } catch (const UserError&) {
                return false;
            }
    }
    return false;
}

DirStorage::Image DirStorage::base_image_of(const Image& image) const {
    if (image.file_name.starts_with("base-")) throw UserError("create_base not possible with base image");
    if (!image.file_name.starts_with("vm-")) return image;
    Image base = image;
    base.file_name = "base-" + image.file_name.substr(3);
    const std::string volname = parse_volume_id(image.volid).volname;
    base.volid = definition_.id + ":" + volname.substr(0, volname.size() - image.file_name.size()) + base.file_name;
    return base;
}

std::string DirStorage::create_base(const std::string& volid, std::vector<std::string>& warnings) {
    const Image image = parse_image(volid);
    const Image base = base_image_of(image);
    const std::string path = volume_path(image);
    const std::string base_path = volume_path(base);
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) throw UserError("volume '" + volid + "' does not exist");
        fail("unable to stat '" + path + "'", errno);
    }
    if (base.volid != image.volid &&
        ::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, base_path.c_str(), RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST) throw UserError("file '" + base_path + "' already exists");
        fail("rename '" + path + "' to '" + base_path + "' failed", errno);
    }
    // Nobody should write to a base volume again; like Proxmox, failing to
    // protect it is only a warning.
    if (image.format == VolumeFormat::Raw && ::chmod(base_path.c_str(), 0444) != 0)
        warnings.push_back("unable to make '" + base_path + "' read-only: " + std::strerror(errno));
    if (int error = set_immutable_flag(base_path))
        warnings.push_back("unable to set the immutable flag on '" + base_path + "': " + std::strerror(error));
    return base.volid;
}

std::string DirStorage::clone_linked(const std::string& volid, int, const std::string&) {
    parse_image(volid);
    throw UserError("linked clones of '" + volid + "' are not supported on storage type '" + definition_.type + "'");
}

std::string DirStorage::snapshot_path(const std::string& volid, const std::string&) const {
    parse_image(volid);
    throw UserError("can't snapshot this image format");
}

void DirStorage::snapshot(const std::string& volid, const std::string&) {
    parse_image(volid);
    throw UserError("can't snapshot this image format");
}

void DirStorage::rollback(const std::string& volid, const std::string&) {
    parse_image(volid);
    throw UserError("can't rollback snapshot this image format");
}

void DirStorage::check_rollback(const std::string& volid, const std::string&) const {
    parse_image(volid);
    throw UserError("can't rollback snapshot this image format");
}

void DirStorage::delete_snapshot(const std::string& volid, const std::string&) {
    parse_image(volid);
    throw UserError("can't delete snapshot for this image format");
}

}  // namespace pct
