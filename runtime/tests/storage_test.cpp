// dir and btrfs storages and the loop mounter on real file systems. Runs as
// root; btrfs tests use a btrfs in a loop-mounted image file. Every test
// cleans up after itself, and the fixture checks that no mount and no loop
// device of the test's temp directory survive it.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "runtime/btrfs_storage.h"
#include "runtime/dir_storage.h"
#include "runtime/loop_volume_mounter.h"
#include "runtime/storage_registry.h"
#include "runtime/volume_mounts.h"

namespace pct {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kBtrfsSubvolumeRootInode = 256;  // every btrfs subvolume's root directory has this inode

using Names = std::vector<std::string>;

std::string user_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

// Test setup only: host tools with the system directories on PATH.
void run(const std::string& command) {
    const std::string full = "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH " + command + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << command;
}

// Test setup only: the first line a host tool prints.
std::string first_line_of(const std::string& command) {
    FILE* output = ::popen(("PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH " + command + " 2>/dev/null").c_str(), "r");
    if (!output) return "";
    char line[4096] = {};
    const bool got = std::fgets(line, sizeof(line), output) != nullptr;
    ::pclose(output);
    std::string text = got ? line : "";
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::trunc);
    out << content;
    out.close();
    ASSERT_TRUE(out) << "writing " << path;
}

// errno of creating a file, 0 on success.
int create_file_error(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
}

struct stat stat_of(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info;
}

Names entries_of(const std::string& directory) {
    Names names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error))
        names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

// Mount points below `prefix` (the test's own directory is never one).
Names mounts_under(const std::string& prefix) {
    Names found = mounts_below(prefix);
    std::sort(found.begin(), found.end());
    return found;
}

// Loop devices whose backing file lies below `prefix`.
Names loop_devices_under(const std::string& prefix) {
    Names found;
    for (const auto& entry : std::filesystem::directory_iterator("/sys/block")) {
        const std::string name = entry.path().filename();
        if (!name.starts_with("loop")) continue;
        std::ifstream backing(entry.path() / "loop/backing_file");
        std::string file;
        if (std::getline(backing, file) && file.starts_with(prefix + "/")) found.push_back("/dev/" + name + " " + file);
    }
    return found;
}

// A loop device goes when its last user closes it; udev may hold it a moment.
Names loop_devices_remaining_under(const std::string& prefix) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (loop_devices_under(prefix).empty()) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return loop_devices_under(prefix);
}

// A fresh directory that goes away with everything in it. Should a test have
// left a mount behind (the fixture reports that), it is detached first so
// that removing the directory cannot reach into another file system.
class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/pct-storage-test.XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~TempDir() {
        Names mounts = mounts_under(path_);
        std::sort(mounts.rbegin(), mounts.rend());  // deepest first
        for (const std::string& mount : mounts) ::umount2(mount.c_str(), MNT_DETACH);
        std::error_code error;
        std::filesystem::remove_all(path_, error);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Unmounts through the mounter when the scope ends, unless done already.
class MountGuard {
public:
    MountGuard(LoopVolumeMounter& mounter, const MountRequest& request) : mounter_(mounter), target_(request.target) {
        std::filesystem::create_directories(target_);
        mounter_.mount(request);
        mounted_ = true;
    }
    ~MountGuard() {
        if (!mounted_) return;
        try {
            mounter_.unmount(target_);
        } catch (const UserError&) {
            ::umount2(target_.c_str(), MNT_DETACH);
        }
    }
    MountGuard(const MountGuard&) = delete;
    MountGuard& operator=(const MountGuard&) = delete;
    void unmount() {
        mounted_ = false;
        mounter_.unmount(target_);
    }

private:
    LoopVolumeMounter& mounter_;
    std::string target_;
    bool mounted_ = false;
};

// A btrfs in a sparse image file, mounted by mount(8) with `-o loop`, which
// attaches its loop device with autoclear.
class LoopBtrfs {
public:
    LoopBtrfs(const std::string& directory, uint64_t size_mib)
        : image_(directory + "/btrfs.img"), mount_point_(directory + "/btrfs") {
        std::filesystem::create_directories(mount_point_);
        run("truncate -s " + std::to_string(size_mib) + "M " + image_);
        run("mkfs.btrfs -q -f " + image_);
        run("mount -o loop " + image_ + " " + mount_point_);
    }
    ~LoopBtrfs() { ::umount2(mount_point_.c_str(), 0); }
    LoopBtrfs(const LoopBtrfs&) = delete;
    LoopBtrfs& operator=(const LoopBtrfs&) = delete;
    const std::string& mount_point() const { return mount_point_; }

private:
    std::string image_;
    std::string mount_point_;
};

StorageDefinition definition(const std::string& type, const std::string& id, const std::string& path,
                             std::vector<std::pair<std::string, std::string>> extra = {}) {
    StorageDefinition result{.type = type, .id = id, .properties = {{"path", path}}};
    for (auto& property : extra) result.properties.push_back(std::move(property));
    return result;
}

AllocateRequest request(int vmid, uint64_t size_bytes) {
    return {.vmid = vmid, .size_kib = size_bytes / 1024, .root_uid = 100000, .root_gid = 100000};
}

class StorageTest : public ::testing::Test {
protected:
    void TearDown() override {
        EXPECT_EQ(mounts_under(tmp_.path()), Names{}) << "a test left a mount behind";
        EXPECT_EQ(loop_devices_remaining_under(tmp_.path()), Names{}) << "a test left a loop device behind";
    }
    std::string at(const std::string& relative) const { return tmp_.path() + "/" + relative; }

    TempDir tmp_;
    LoopVolumeMounter mounter_;
};

// ---- dir ------------------------------------------------------------------------------

TEST_F(StorageTest, DirRawVolumeIsASparseExt4ImageOwnedByTheContainerRoot) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 64 * kMiB));
    EXPECT_EQ(volid, "test:100/vm-100-disk-0.raw");
    const std::string image = storage.path(volid);
    EXPECT_EQ(image, at("store/images/100/vm-100-disk-0.raw"));
    const struct stat info = stat_of(image);
    EXPECT_EQ(static_cast<uint64_t>(info.st_size), 64 * kMiB);
    EXPECT_LT(static_cast<uint64_t>(info.st_blocks) * 512, 64 * kMiB) << "not sparse";
    EXPECT_EQ(info.st_mode & 07777, 0640u);
    EXPECT_EQ(storage.format(volid), VolumeFormat::Raw);
    EXPECT_EQ(storage.size_bytes(volid), 64 * kMiB);

    {
        MountGuard mounted(mounter_, {.source = image, .target = at("mnt")});
        const struct stat root = stat_of(at("mnt"));
        EXPECT_EQ(root.st_uid, 100000u);  // mkfs.ext4 -E root_owner
        EXPECT_EQ(root.st_gid, 100000u);
        write_file(at("mnt/hello"), "hello from ext4");
        mounted.unmount();
    }
    {
        MountGuard mounted(mounter_,
                           {.source = image, .target = at("mnt"), .read_only = true, .options = "noatime,nodev"});
        EXPECT_EQ(read_file(at("mnt/hello")), "hello from ext4");
        EXPECT_EQ(create_file_error(at("mnt/other")), EROFS);
    }
}

TEST_F(StorageTest, DirSizeZeroVolumeIsADirectoryOwnedByTheContainerRoot) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 0));
    EXPECT_EQ(volid, "test:100/subvol-100-disk-0.subvol");
    const std::string directory = storage.path(volid);
    const struct stat info = stat_of(directory);
    EXPECT_TRUE(S_ISDIR(info.st_mode));
    EXPECT_EQ(info.st_mode & 07777, 0755u);
    EXPECT_EQ(info.st_uid, 100000u);
    EXPECT_EQ(info.st_gid, 100000u);
    EXPECT_EQ(storage.format(volid), VolumeFormat::Subvol);
    EXPECT_EQ(storage.size_bytes(volid), 0u);

    {
        MountGuard mounted(
            mounter_,
            {.source = directory, .format = VolumeFormat::Subvol, .target = at("mnt"), .options = "nosuid,nodev"});
        write_file(at("mnt/through-the-bind-mount"), "x");
        mounted.unmount();
    }
    EXPECT_EQ(read_file(directory + "/through-the-bind-mount"), "x");
    {
        MountGuard mounted(
            mounter_, {.source = directory, .format = VolumeFormat::Subvol, .target = at("mnt"), .read_only = true});
        EXPECT_EQ(create_file_error(at("mnt/denied")), EROFS);
    }
    EXPECT_EQ(user_error_of([&] {
                  mounter_.mount(
                      {.source = directory, .format = VolumeFormat::Subvol, .target = at("mnt"), .options = "discard"});
              }),
              "mount option 'discard' cannot be used for a directory volume (bind mount)");
}

TEST_F(StorageTest, DirIndexesReuseTheLowestFreeOne) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    EXPECT_EQ(storage.allocate(request(100, 0)), "test:100/subvol-100-disk-0.subvol");
    EXPECT_EQ(storage.allocate(request(100, 4 * kMiB)), "test:100/vm-100-disk-1.raw");
    EXPECT_EQ(storage.allocate(request(100, 0)), "test:100/subvol-100-disk-2.subvol");
    EXPECT_EQ(storage.allocate(request(101, 0)), "test:101/subvol-101-disk-0.subvol");
    storage.free("test:100/vm-100-disk-1.raw");
    EXPECT_EQ(storage.allocate(request(100, 8 * kMiB)), "test:100/vm-100-disk-1.raw");

    const auto volumes = storage.list(100);
    ASSERT_EQ(volumes.size(), 3u);
    EXPECT_EQ(volumes[0].volid, "test:100/subvol-100-disk-0.subvol");
    EXPECT_EQ(volumes[0].format, VolumeFormat::Subvol);
    EXPECT_EQ(volumes[1].volid, "test:100/subvol-100-disk-2.subvol");
    EXPECT_EQ(volumes[2].volid, "test:100/vm-100-disk-1.raw");
    EXPECT_EQ(volumes[2].format, VolumeFormat::Raw);
    EXPECT_EQ(volumes[2].size_bytes, 8 * kMiB);
    EXPECT_EQ(volumes[2].owner, 100);
    EXPECT_EQ(storage.list(std::nullopt).size(), 4u);
    EXPECT_TRUE(storage.list(102).empty());

    for (const auto& volume : storage.list(std::nullopt)) storage.free(volume.volid);
    EXPECT_EQ(entries_of(at("store/images/100")), Names{});
    EXPECT_EQ(entries_of(at("store/images/101")), Names{});
}

TEST_F(StorageTest, DirRenameHandsVolumesToAnotherOwnerAtItsLowestFreeIndex) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string raw = storage.allocate(request(100, 4 * kMiB));
    const std::string subvol = storage.allocate(request(100, 0));
    write_file(storage.path(subvol) + "/kept", "data");
    storage.allocate(request(200, 0));  // 200 already has disk-0
    EXPECT_EQ(storage.rename(raw, 200), "test:200/vm-200-disk-1.raw");
    EXPECT_EQ(storage.rename(subvol, 200), "test:200/subvol-200-disk-2.subvol");
    EXPECT_EQ(read_file(at("store/images/200/subvol-200-disk-2.subvol/kept")), "data");
    EXPECT_EQ(storage.size_bytes("test:200/vm-200-disk-1.raw"), 4 * kMiB);
    EXPECT_TRUE(storage.list(100).empty());
    EXPECT_EQ(user_error_of([&] { storage.rename(raw, 300); }), "volume '" + raw + "' does not exist");
    for (const auto& volume : storage.list(std::nullopt)) storage.free(volume.volid);
}

TEST_F(StorageTest, DirFreeRemovesOnlyImagesAndNeverFollowsSymlinks) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    std::filesystem::create_directories(at("outside"));
    write_file(at("outside/precious"), "keep me");

    const std::string volid = storage.allocate(request(100, 0));
    const std::string directory = storage.path(volid);
    std::filesystem::create_directories(directory + "/etc/deep/er");
    write_file(directory + "/etc/deep/er/file", "guest data");
    // What a guest could plant to make the host delete its files.
    std::filesystem::create_directory_symlink(at("outside"), directory + "/escape");
    std::filesystem::create_symlink(at("outside/precious"), directory + "/etc/precious");

    storage.free(volid);
    EXPECT_FALSE(std::filesystem::exists(directory));
    EXPECT_EQ(read_file(at("outside/precious")), "keep me");

    EXPECT_EQ(user_error_of([&] { storage.free(volid); }), "volume '" + volid + "' does not exist");
    EXPECT_EQ(user_error_of([&] { storage.free("test:vztmpl/debian-12.tar.zst"); }),
              "volume 'test:vztmpl/debian-12.tar.zst' is not a disk image");
    EXPECT_EQ(user_error_of([&] { storage.free("other:100/vm-100-disk-0.raw"); }),
              "volume 'other:100/vm-100-disk-0.raw' is not on storage 'test'");
    EXPECT_EQ(storage.path("test:vztmpl/debian-12.tar.zst"), at("store/template/cache/debian-12.tar.zst"));
}

TEST_F(StorageTest, DirFreeRefusesToReachIntoAMountedVolume) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 0));
    const std::string directory = storage.path(volid);
    std::filesystem::create_directories(at("elsewhere"));
    write_file(at("elsewhere/file"), "not the volume's");
    std::filesystem::create_directories(directory + "/mnt");
    MountGuard mounted(mounter_,
                       {.source = at("elsewhere"), .format = VolumeFormat::Subvol, .target = directory + "/mnt"});

    EXPECT_EQ(user_error_of([&] { storage.free(volid); }),
              "unable to remove '" + directory + "/mnt': something is mounted there");
    EXPECT_EQ(read_file(at("elsewhere/file")), "not the volume's");
    mounted.unmount();
    storage.free(volid);
}

TEST_F(StorageTest, DirResizeGrowsRawImagesOnly) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string raw = storage.allocate(request(100, 4 * kMiB));
    const std::string subvol = storage.allocate(request(100, 0));
    storage.resize(raw, 8 * kMiB);
    EXPECT_EQ(storage.size_bytes(raw), 8 * kMiB);
    storage.resize(raw, 8 * kMiB);  // nothing to do
    EXPECT_EQ(user_error_of([&] { storage.resize(raw, 4 * kMiB); }), "unable to shrink disk size");
    EXPECT_EQ(storage.size_bytes(raw), 8 * kMiB);
    EXPECT_EQ(user_error_of([&] { storage.resize(subvol, 8 * kMiB); }), "can't resize this image format");

    EXPECT_TRUE(storage.supports(StorageFeature::Resize, raw));
    EXPECT_FALSE(storage.supports(StorageFeature::Resize, subvol));
    EXPECT_TRUE(storage.supports(StorageFeature::Template, raw));
    EXPECT_FALSE(storage.supports(StorageFeature::Snapshot, raw));
    EXPECT_FALSE(storage.supports(StorageFeature::Rollback, subvol));
    EXPECT_FALSE(storage.supports(StorageFeature::LinkedClone, raw));
    EXPECT_EQ(user_error_of([&] { storage.snapshot(raw, "s1"); }), "can't snapshot this image format");
    EXPECT_EQ(user_error_of([&] { storage.rollback(subvol, "s1"); }), "can't rollback snapshot this image format");
    EXPECT_EQ(user_error_of([&] { storage.check_rollback(raw, "s1"); }), "can't rollback snapshot this image format");
    EXPECT_EQ(user_error_of([&] { storage.delete_snapshot(raw, "s1"); }),
              "can't delete snapshot for this image format");
    storage.free(raw);
    storage.free(subvol);
}

TEST_F(StorageTest, DirActivationCreatesTheLayout) {
    LinuxStorageRegistry registry(parse_storage_config("dir: test\n\tpath " + at("store") +
                                                       "\n\tcontent rootdir,images,vztmpl,backup,snippets,iso\n\n"
                                                       "dir: bare\n\tpath " +
                                                       at("bare") +
                                                       "\n\tcreate-subdirs 0\n\n"
                                                       "dir: fixed\n\tpath " +
                                                       at("missing") +
                                                       "\n\tcreate-base-path 0\n\n"
                                                       "dir: mounted\n\tpath " +
                                                       at("store") + "\n\tis_mountpoint yes\n"));
    Storage& storage = registry.get("test");
    EXPECT_EQ(&registry.get("test"), &storage);
    for (const char* subdirectory : {"images", "template/cache", "template/iso", "dump", "snippets"})
        EXPECT_TRUE(std::filesystem::is_directory(at("store/") + subdirectory)) << subdirectory;
    EXPECT_EQ(storage.template_directory(), at("store/template/cache"));

    registry.get("bare");
    EXPECT_EQ(entries_of(at("bare")), Names{});
    EXPECT_EQ(user_error_of([&] { registry.get("fixed"); }),
              "unable to activate storage 'fixed' - directory '" + at("missing") + "' does not exist");
    EXPECT_EQ(user_error_of([&] { registry.get("mounted"); }),
              "unable to activate storage 'mounted' - directory is expected to be a mount point but is not mounted: '" +
                  at("store") + "'");
}

TEST_F(StorageTest, DirAllocationOnAFullDiskFailsAndLeavesNothingBehind) {
    // A small ext4 as the storage. A sparse 64 MiB image fits on an empty
    // 8 MiB file system (mkfs.ext4 writes only a few MiB of metadata), so the
    // file system is filled first: then mkfs.ext4 itself hits ENOSPC, which is
    // what a full storage does in real life.
    run("truncate -s 8M " + at("small.img"));
    run("mkfs.ext4 -q " + at("small.img"));
    MountGuard small(mounter_, {.source = at("small.img"), .target = at("small")});
    DirStorage storage(definition("dir", "test", at("small/store")));
    storage.activate();
    std::filesystem::create_directories(at("small/store/images/100"));
    {
        std::ofstream filler(at("small/filler"), std::ios::binary);
        const std::string chunk(kMiB, 'x');
        while (filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size()))) {
        }
    }
    const std::string error = user_error_of([&] { storage.allocate(request(100, 64 * kMiB)); });
    EXPECT_TRUE(error.starts_with("unable to format '" + at("small/store/images/100/vm-100-disk-0.raw") +
                                  "' with ext4: mkfs.ext4 exited with status"))
        << error;
    EXPECT_EQ(entries_of(at("small/store/images/100")), Names{});

    // preallocation=falloc reserves the space up front and fails before mkfs.
    std::filesystem::remove(at("small/filler"));
    DirStorage preallocating(definition("dir", "test", at("small/store"), {{"preallocation", "falloc"}}));
    EXPECT_EQ(
        user_error_of([&] { preallocating.allocate(request(100, 64 * kMiB)); }),
        "unable to preallocate '" + at("small/store/images/100/vm-100-disk-0.raw") + "': No space left on device");
    EXPECT_EQ(entries_of(at("small/store/images/100")), Names{});
    small.unmount();
}

TEST_F(StorageTest, DirRefusesWhatItCannotAllocate) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    EXPECT_EQ(user_error_of([&] { storage.allocate(request(100, 4 * kMiB), VolumeFormat::Subvol); }),
              "storage does not support subvol quotas");
    DirStorage iso_only(definition("dir", "iso", at("iso"), {{"content", "iso"}}));
    EXPECT_EQ(user_error_of([&] { iso_only.allocate(request(100, 0)); }),
              "content type 'rootdir' is not available or configured on storage 'iso'");
    EXPECT_EQ(entries_of(at("store/images")), Names{});
}

TEST_F(StorageTest, DirFailedFormattingLeavesNothingBehind) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    // Too small for any ext4: mkfs.ext4 fails after the file was created.
    const std::string error = user_error_of([&] { storage.allocate(request(100, 1024)); });
    EXPECT_TRUE(error.starts_with("unable to format '" + at("store/images/100/vm-100-disk-0.raw") +
                                  "' with ext4: mkfs.ext4 exited with status 1: mkfs.ext4: "))
        << error;
    EXPECT_EQ(entries_of(at("store/images/100")), Names{});
}

TEST_F(StorageTest, DirBaseVolumeIsARenamedReadOnlyImmutableFile) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string raw = storage.allocate(request(100, 8 * kMiB));
    const std::string subvol = storage.allocate(request(100, 0));
    write_file(storage.path(subvol) + "/state", "kept");
    std::vector<std::string> warnings;

    const std::string base = storage.create_base(raw, warnings);
    EXPECT_EQ(base, "test:100/base-100-disk-0.raw");
    EXPECT_EQ(warnings, Names{});
    EXPECT_FALSE(std::filesystem::exists(at("store/images/100/vm-100-disk-0.raw")));
    EXPECT_EQ(stat_of(storage.path(base)).st_mode & 07777, 0444u);
    EXPECT_EQ(first_line_of("lsattr -d " + storage.path(base)).substr(0, 5), "----i");
    EXPECT_EQ(create_file_error(storage.path(base)), EPERM);  // immutable: not even root may open it for writing
    EXPECT_EQ(storage.size_bytes(base), 8 * kMiB);
    EXPECT_EQ(user_error_of([&] { storage.create_base(base, warnings); }), "create_base not possible with base image");
    // The base index stays taken.
    EXPECT_EQ(storage.allocate(request(100, 8 * kMiB)), "test:100/vm-100-disk-2.raw");

    // A directory volume keeps its name and mode; its top directory is immutable.
    EXPECT_EQ(storage.create_base(subvol, warnings), subvol);
    EXPECT_EQ(stat_of(storage.path(subvol)).st_mode & 07777, 0755u);
    EXPECT_EQ(create_file_error(storage.path(subvol) + "/new"), EPERM);
    EXPECT_EQ(read_file(storage.path(subvol) + "/state"), "kept");

    EXPECT_EQ(user_error_of([&] { storage.clone_linked(base, 200, ""); }),
              "linked clones of '" + base + "' are not supported on storage type 'dir'");
    EXPECT_EQ(user_error_of([&] { storage.snapshot_path(base, "s"); }), "can't snapshot this image format");
    EXPECT_FALSE(storage.supports(StorageFeature::LinkedClone, base));
    EXPECT_TRUE(storage.supports(StorageFeature::Template, raw));

    // Freeing takes the flag away first.
    storage.free(base);
    storage.free(subvol);
    storage.free("test:100/vm-100-disk-2.raw");
    EXPECT_EQ(entries_of(at("store/images/100")), Names{});
}

// ---- btrfs ----------------------------------------------------------------------------

TEST_F(StorageTest, BtrfsVolumesAreSubvolumes) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();

    const std::string subvol = storage.allocate(request(100, 0));
    EXPECT_EQ(subvol, "fast:100/subvol-100-disk-0.subvol");
    const struct stat subvol_info = stat_of(storage.path(subvol));
    EXPECT_EQ(storage.path(subvol), btrfs.mount_point() + "/store/images/100/subvol-100-disk-0.subvol");
    EXPECT_EQ(subvol_info.st_ino, kBtrfsSubvolumeRootInode);
    EXPECT_EQ(subvol_info.st_uid, 100000u);
    EXPECT_EQ(subvol_info.st_gid, 100000u);

    const std::string raw = storage.allocate(request(100, 16 * kMiB));
    EXPECT_EQ(raw, "fast:100/vm-100-disk-1.raw");
    EXPECT_EQ(storage.path(raw), btrfs.mount_point() + "/store/images/100/vm-100-disk-1/disk.raw");
    EXPECT_EQ(stat_of(btrfs.mount_point() + "/store/images/100/vm-100-disk-1").st_ino, kBtrfsSubvolumeRootInode);
    EXPECT_EQ(storage.size_bytes(raw), 16 * kMiB);
    {
        MountGuard mounted(mounter_, {.source = storage.path(raw), .target = at("mnt")});
        EXPECT_EQ(stat_of(at("mnt")).st_uid, 100000u);
        write_file(at("mnt/hello"), "hello");
    }

    const auto volumes = storage.list(100);
    ASSERT_EQ(volumes.size(), 2u);
    EXPECT_EQ(volumes[0].volid, subvol);
    EXPECT_EQ(volumes[0].format, VolumeFormat::Subvol);
    EXPECT_EQ(volumes[1].volid, raw);
    EXPECT_EQ(volumes[1].size_bytes, 16 * kMiB);

    EXPECT_EQ(user_error_of([&] { storage.allocate(request(100, 4 * kMiB), VolumeFormat::Subvol); }),
              "btrfs quotas are currently not supported, use an unsized subvolume or a raw file");
    EXPECT_EQ(user_error_of([&] { storage.resize(subvol, 4 * kMiB); }),
              "btrfs quotas are currently not supported, subvolumes cannot be resized");
    storage.resize(raw, 32 * kMiB);
    EXPECT_EQ(storage.size_bytes(raw), 32 * kMiB);
    EXPECT_TRUE(storage.supports(StorageFeature::Snapshot, raw));
    EXPECT_TRUE(storage.supports(StorageFeature::Rollback, subvol));
    EXPECT_TRUE(storage.supports(StorageFeature::LinkedClone, subvol));
    EXPECT_FALSE(storage.supports(StorageFeature::Resize, subvol));

    storage.free(subvol);
    storage.free(raw);
    EXPECT_EQ(entries_of(btrfs.mount_point() + "/store/images/100"), Names{});
}

TEST_F(StorageTest, BtrfsRollbackBringsBackTheSnapshotOfADirectoryVolume) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 0));
    const std::string directory = storage.path(volid);

    write_file(directory + "/state", "one");
    storage.snapshot(volid, "first");
    const std::string snapshot = directory + "@first";
    EXPECT_EQ(stat_of(snapshot).st_ino, kBtrfsSubvolumeRootInode);
    EXPECT_EQ(create_file_error(snapshot + "/new"), EROFS);  // snapshots are read-only
    EXPECT_EQ(user_error_of([&] { storage.snapshot(volid, "first"); }),
              "snapshot 'first' of volume '" + volid + "' already exists");

    write_file(directory + "/state", "two");
    write_file(directory + "/later", "gone after rollback");
    storage.check_rollback(volid, "first");
    EXPECT_EQ(user_error_of([&] { storage.check_rollback(volid, "nope"); }),
              "snapshot 'nope' of volume '" + volid + "' does not exist");
    storage.rollback(volid, "first");
    EXPECT_EQ(read_file(directory + "/state"), "one");
    EXPECT_FALSE(std::filesystem::exists(directory + "/later"));
    EXPECT_EQ(stat_of(directory).st_uid, 100000u);
    EXPECT_EQ(create_file_error(directory + "/writable-again"), 0);
    EXPECT_EQ(storage.snapshots(volid), Names{"first"});
    // Only the volume and its snapshot: the previous state is gone.
    EXPECT_EQ(entries_of(btrfs.mount_point() + "/store/images/100"),
              (Names{"subvol-100-disk-0.subvol", "subvol-100-disk-0.subvol@first"}));

    EXPECT_EQ(user_error_of([&] { storage.rollback(volid, "nope"); }),
              "snapshot 'nope' of volume '" + volid + "' does not exist");
    EXPECT_EQ(user_error_of([&] { storage.snapshot(volid, "a/b"); }), "invalid snapshot name 'a/b'");
    storage.delete_snapshot(volid, "first");
    EXPECT_EQ(storage.snapshots(volid), Names{});
    EXPECT_EQ(user_error_of([&] { storage.delete_snapshot(volid, "first"); }),
              "snapshot 'first' of volume '" + volid + "' does not exist");
    storage.free(volid);
}

TEST_F(StorageTest, BtrfsRollbackBringsBackTheSnapshotOfARawVolume) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 16 * kMiB));
    const MountRequest mount{.source = storage.path(volid), .target = at("mnt")};

    {
        MountGuard mounted(mounter_, mount);
        write_file(at("mnt/state"), "one");
    }
    storage.snapshot(volid, "first");
    {
        MountGuard mounted(mounter_, mount);
        write_file(at("mnt/state"), "two");
    }
    storage.rollback(volid, "first");
    {
        MountGuard mounted(mounter_, mount);
        EXPECT_EQ(read_file(at("mnt/state")), "one");
    }
    storage.free(volid);
}

TEST_F(StorageTest, BtrfsFreeDeletesTheSnapshotsToo) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string subvol = storage.allocate(request(100, 0));
    const std::string raw = storage.allocate(request(100, 8 * kMiB));
    for (const char* name : {"a", "b"}) {
        storage.snapshot(subvol, name);
        storage.snapshot(raw, name);
    }
    EXPECT_EQ(storage.snapshots(raw), (Names{"a", "b"}));
    EXPECT_EQ(storage.list(100).size(), 2u);  // snapshots are not volumes
    storage.free(subvol);
    storage.free(raw);
    EXPECT_EQ(entries_of(btrfs.mount_point() + "/store/images/100"), Names{});
}

TEST_F(StorageTest, BtrfsRenameMovesSubvolumesButNotOnesWithSnapshots) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string raw = storage.allocate(request(100, 8 * kMiB));
    const std::string snapped = storage.allocate(request(100, 0));
    storage.snapshot(snapped, "a");
    const std::string renamed = storage.rename(raw, 200);
    EXPECT_EQ(renamed, "fast:200/vm-200-disk-0.raw");
    EXPECT_EQ(stat_of(btrfs.mount_point() + "/store/images/200/vm-200-disk-0").st_ino, kBtrfsSubvolumeRootInode);
    EXPECT_EQ(storage.size_bytes(renamed), 8 * kMiB);
    EXPECT_EQ(user_error_of([&] { storage.rename(snapped, 200); }),
              "unable to rename volume '" + snapped + "' - it has snapshots");
    storage.free(renamed);
    storage.free(snapped);
}

TEST_F(StorageTest, BtrfsBaseVolumesAreReadOnlySubvolumesAndLinkedClonesWritableSnapshots) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string raw = storage.allocate(request(100, 16 * kMiB));
    const std::string subvol = storage.allocate(request(100, 0));
    {
        MountGuard mounted(mounter_, {.source = storage.path(raw), .target = at("mnt")});
        write_file(at("mnt/state"), "base");
    }
    write_file(storage.path(subvol) + "/state", "base");
    std::vector<std::string> warnings;
    const std::string base = storage.create_base(raw, warnings);
    EXPECT_EQ(base, "fast:100/base-100-disk-0.raw");
    EXPECT_EQ(storage.create_base(subvol, warnings), subvol);  // subvol names stay
    EXPECT_EQ(warnings, Names{});
    const std::string images = btrfs.mount_point() + "/store/images/100";
    EXPECT_EQ(entries_of(images), (Names{"base-100-disk-0", "subvol-100-disk-1.subvol"}));
    EXPECT_EQ(first_line_of("btrfs property get -ts " + images + "/base-100-disk-0 ro"), "ro=true");
    EXPECT_EQ(first_line_of("btrfs property get -ts " + storage.path(subvol) + " ro"), "ro=true");
    EXPECT_EQ(create_file_error(storage.path(subvol) + "/new"), EROFS);
    EXPECT_EQ(storage.path(base), images + "/base-100-disk-0/disk.raw");
    EXPECT_EQ(user_error_of([&] { storage.create_base(base, warnings); }), "create_base not possible with base image");

    // Linked clones: writable snapshots named like new volumes of the clone.
    ASSERT_TRUE(storage.supports(StorageFeature::LinkedClone, base));
    const std::string linked_raw = storage.clone_linked(base, 200, "");
    const std::string linked_subvol = storage.clone_linked(subvol, 200, "");
    EXPECT_EQ(linked_raw, "fast:200/vm-200-disk-0.raw");
    EXPECT_EQ(linked_subvol, "fast:200/subvol-200-disk-1.subvol");
    EXPECT_EQ(stat_of(btrfs.mount_point() + "/store/images/200/vm-200-disk-0").st_ino, kBtrfsSubvolumeRootInode);
    write_file(storage.path(linked_subvol) + "/state", "clone");
    {
        MountGuard mounted(mounter_, {.source = storage.path(linked_raw), .target = at("mnt")});
        EXPECT_EQ(read_file(at("mnt/state")), "base");
        write_file(at("mnt/state"), "clone");
    }
    EXPECT_EQ(read_file(storage.path(subvol) + "/state"), "base");
    {
        MountGuard mounted(mounter_, {.source = storage.path(base), .target = at("mnt"), .read_only = true});
        EXPECT_EQ(read_file(at("mnt/state")), "base");
    }
    EXPECT_EQ(storage.list(200).size(), 2u);

    // A clone of a snapshot's state.
    storage.snapshot(linked_subvol, "s1");
    write_file(storage.path(linked_subvol) + "/state", "later");
    EXPECT_EQ(storage.snapshot_path(linked_subvol, "s1"), storage.path(linked_subvol) + "@s1");
    EXPECT_EQ(read_file(storage.snapshot_path(linked_subvol, "s1") + "/state"), "clone");
    EXPECT_EQ(storage.snapshot_path(linked_raw, "s1"), btrfs.mount_point() + "/store/images/200/vm-200-disk-0@s1/disk.raw");
    const std::string from_snapshot = storage.clone_linked(linked_subvol, 300, "s1");
    EXPECT_EQ(read_file(storage.path(from_snapshot) + "/state"), "clone");
    EXPECT_EQ(user_error_of([&] { storage.clone_linked(linked_subvol, 300, "nope"); }),
              "snapshot 'nope' of volume '" + linked_subvol + "' does not exist");

    // A volume with snapshots cannot become a base (its snapshots would be orphans).
    storage.snapshot(linked_raw, "s1");
    EXPECT_EQ(user_error_of([&] { storage.create_base(linked_raw, warnings); }),
              "unable to rename volume '" + linked_raw + "' - it has snapshots");

    for (const std::string& volid : {from_snapshot, linked_raw, linked_subvol, base, subvol}) storage.free(volid);
    EXPECT_EQ(entries_of(images), Names{});
    EXPECT_EQ(entries_of(btrfs.mount_point() + "/store/images/200"), Names{});
}

TEST_F(StorageTest, BtrfsFailedFormattingLeavesNoSubvolumeBehind) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store"));
    storage.activate();
    const std::string error = user_error_of([&] { storage.allocate(request(100, 1024)); });
    EXPECT_TRUE(error.starts_with("unable to format '" + btrfs.mount_point() +
                                  "/store/images/100/vm-100-disk-0/disk.raw' with ext4"))
        << error;
    EXPECT_EQ(entries_of(btrfs.mount_point() + "/store/images/100"), Names{});
}

TEST_F(StorageTest, BtrfsNocowImagesAreNotCopyOnWrite) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    BtrfsStorage storage(definition("btrfs", "fast", btrfs.mount_point() + "/store", {{"nocow", "1"}}));
    storage.activate();
    const std::string volid = storage.allocate(request(100, 8 * kMiB));
    const std::string attributes = first_line_of("lsattr " + storage.path(volid));
    EXPECT_NE(attributes.substr(0, attributes.find(' ')).find('C'), std::string::npos) << attributes;
    storage.free(volid);
}

TEST_F(StorageTest, BtrfsNeedsABtrfsFileSystem) {
    BtrfsStorage storage(definition("btrfs", "fast", at("store")));
    EXPECT_EQ(user_error_of([&] { storage.activate(); }),
              "unable to activate storage 'fast' - '" + at("store") + "' is not on a btrfs file system");
}

// ---- registry ---------------------------------------------------------------------------

TEST_F(StorageTest, RegistryCreatesTheStorageOfEachType) {
    LoopBtrfs btrfs(tmp_.path(), 256);
    LinuxStorageRegistry registry(parse_storage_config(
        "dir: local\n\tpath " + at("store") + "\n\n" + "btrfs: fast\n\tpath " + btrfs.mount_point() + "\n\n" +
        "lvm: vg\n\tvgname pve\n\n" + "dir: off\n\tpath " + at("off") + "\n\tdisable\n"));
    EXPECT_NE(dynamic_cast<DirStorage*>(&registry.get("local")), nullptr);
    EXPECT_EQ(dynamic_cast<BtrfsStorage*>(&registry.get("local")), nullptr);
    EXPECT_NE(dynamic_cast<BtrfsStorage*>(&registry.get("fast")), nullptr);
    EXPECT_EQ(user_error_of([&] { registry.get("nope"); }), "storage 'nope' does not exist");
    EXPECT_EQ(user_error_of([&] { registry.get("vg"); }),
              "storage 'vg' has type 'lvm', which pct does not support (supported: dir, btrfs)");
    EXPECT_EQ(user_error_of([&] { registry.get("off"); }), "storage 'off' is disabled");
    EXPECT_FALSE(std::filesystem::exists(at("off")));
}

// ---- loop mounter ----------------------------------------------------------------------

TEST_F(StorageTest, LoopMounterFailuresLeaveNothingMountedOrAttached) {
    std::filesystem::create_directories(at("mnt"));
    run("truncate -s 8M " + at("zeros.img"));
    EXPECT_TRUE(user_error_of([&] {
                    mounter_.mount({.source = at("zeros.img"), .target = at("mnt")});
                }).starts_with("unable to mount '" + at("zeros.img") + "' (ext4 on /dev/loop"));

    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string image = storage.path(storage.allocate(request(100, 8 * kMiB)));
    EXPECT_TRUE(user_error_of([&] {
                    mounter_.mount({.source = image, .target = at("mnt"), .options = "no_such_option"});
                }).find("option 'no_such_option'") != std::string::npos);
    EXPECT_TRUE(user_error_of([&] {
                    mounter_.mount({.source = image, .target = at("missing")});
                }).starts_with("unable to use '" + at("missing") + "' as mount target"));
    EXPECT_EQ(user_error_of([&] { mounter_.mount({.source = image, .is_device = true, .target = at("mnt")}); }),
              "path '" + image + "' does not point to a block device");
    EXPECT_TRUE(
        user_error_of([&] { mounter_.unmount(at("mnt")); }).starts_with("unable to unmount '" + at("mnt") + "'"));
    // The fixture checks that no mount and no loop device remain.
}

TEST_F(StorageTest, LoopMounterMountsABlockDevice) {
    DirStorage storage(definition("dir", "test", at("store")));
    storage.activate();
    const std::string image = storage.path(storage.allocate(request(100, 8 * kMiB)));

    // A block device the test attaches itself, as an administrator would.
    const std::string device = first_line_of("losetup --find --show " + image);
    ASSERT_TRUE(device.starts_with("/dev/loop")) << device;
    struct Detach {
        std::string device;
        ~Detach() { std::system(("PATH=/usr/sbin:/sbin:$PATH losetup -d " + device + " 2>/dev/null").c_str()); }
    } detach{device};

    {
        MountGuard mounted(mounter_, {.source = device, .is_device = true, .target = at("mnt")});
        write_file(at("mnt/on-the-device"), "yes");
    }
    // The mounter leaves a device it did not attach alone.
    EXPECT_FALSE(loop_devices_under(tmp_.path()).empty());
}

}  // namespace
}  // namespace pct
