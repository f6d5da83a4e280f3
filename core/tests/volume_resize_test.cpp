#include "core/volume_resize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(ResolveResizeSize, AbsoluteRelativeAndUnits) {
    EXPECT_EQ(resolve_resize_size("8G", kGiB), 8 * kGiB);
    EXPECT_EQ(resolve_resize_size("+512M", kGiB), kGiB + (uint64_t{512} << 20));
    EXPECT_EQ(resolve_resize_size("1.5G", 0), kGiB + kGiB / 2);
    EXPECT_EQ(resolve_resize_size("4096", 0), 4096u);  // no unit: bytes
    for (const char* bad : {"", "+", "G", "1GiB", "-1G", "1.G", "1,5G", "1g", "++1G"})
        EXPECT_THROW(resolve_resize_size(bad, 0), ParameterError) << bad;
}

class VolumeResizeTest : public ::testing::Test {
protected:
    VolumeResizeTest() {
        FakeStorage& local = storages_.add("local");
        rootfs_ = local.add_volume("100/vm-100-disk-0.raw", kGiB);
        foreign_ = local.add_volume("101/vm-101-disk-0.raw", kGiB);
        subvol_ = local.add_volume("100/subvol-100-disk-1.subvol", 0);
        store_.configs[100] = "arch: amd64\nmp0: " + foreign_ + ",mp=/shared,size=1G\nmp1: /srv,mp=/srv\nmp2: " +
                              subvol_ + ",mp=/sub\nrootfs: " + rootfs_ + ",size=1G\n";
    }

    std::vector<std::string> resize(const std::string& disk, const std::string& size, bool running = false) {
        return resize_container_volume(store_, storages_, {.vmid = 100, .disk = disk, .size = size, .running = running},
                                       [this](const std::string& path, const std::string& guest, bool run) {
                                           grown_.push_back(path + " " + guest + (run ? " online" : " offline"));
                                           if (grow_fails_) throw UserError("resize2fs exited with status 1");
                                       });
    }

    std::string error_of(const std::string& disk, const std::string& size) {
        try {
            resize(disk, size);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    }

    FakeStorageRegistry storages_;
    MemoryConfigStore store_;
    std::string rootfs_, foreign_, subvol_;
    std::vector<std::string> grown_;
    bool grow_fails_ = false;
};

TEST_F(VolumeResizeTest, GrowsVolumeRecordsSizeThenGrowsFileSystem) {
    EXPECT_TRUE(resize("rootfs", "+1G", true).empty());
    EXPECT_EQ(storages_.storage("local").size_bytes(rootfs_), 2 * kGiB);
    EXPECT_NE(store_.configs[100].find("rootfs: " + rootfs_ + ",size=2G\n"), std::string::npos) << store_.configs[100];
    EXPECT_EQ(grown_, std::vector<std::string>{"/fake/local/images/100/vm-100-disk-0.raw / online"});
}

TEST_F(VolumeResizeTest, RefusesShrinkSameSizeForeignBindAndMissingDisks) {
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of("rootfs", "512M"), "unable to shrink disk size");
    EXPECT_EQ(error_of("rootfs", "1G"), "disk is already at specified size");
    EXPECT_EQ(error_of("mp0", "+1G"), "can't resize mount point owned by another container (101)");
    EXPECT_EQ(error_of("mp1", "+1G"), "unable to parse volume ID '/srv'");
    EXPECT_EQ(error_of("mp3", "+1G"), "disk 'mp3' does not exist");
    EXPECT_EQ(error_of("mp2", "+1G"), "can't resize this image format");
    EXPECT_THAT(error_of("net0", "+1G"), HasSubstr("disk: value 'net0' is not one of rootfs, mp0 ... mp255"));
    EXPECT_THAT(error_of("rootfs", "1x"), HasSubstr("size: value does not match the regex pattern"));
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_TRUE(grown_.empty());
    EXPECT_EQ(storages_.storage("local").size_bytes(rootfs_), kGiB);
}

TEST_F(VolumeResizeTest, LockedOrChangedConfigIsRefused) {
    store_.configs[100] += "lock: backup\n";
    EXPECT_EQ(error_of("rootfs", "+1G"), "CT is locked (backup)");
    store_.configs[100].erase(store_.configs[100].find("lock: backup\n"));
    EXPECT_THROW(resize_container_volume(store_, storages_, {.vmid = 100, .disk = "rootfs", .size = "+1G", .digest = "0"},
                                         [](auto&&...) {}),
                 UserError);
    EXPECT_EQ(storages_.storage("local").size_bytes(rootfs_), kGiB);
}

TEST_F(VolumeResizeTest, FileSystemFailureOnlyWarnsAndKeepsTheNewSize) {
    grow_fails_ = true;
    auto warnings = resize("rootfs", "2G");
    EXPECT_EQ(warnings, std::vector<std::string>{"Failed to update the container's filesystem: resize2fs exited with status 1"});
    EXPECT_NE(store_.configs[100].find("size=2G"), std::string::npos);
}

TEST_F(VolumeResizeTest, StorageFailureChangesNothing) {
    storages_.storage("local").fail_on("resize", "no space left on device");
    EXPECT_EQ(error_of("rootfs", "+1G"), "no space left on device");
    EXPECT_NE(store_.configs[100].find("size=1G\n"), std::string::npos);
    EXPECT_TRUE(grown_.empty());
}

}  // namespace
}  // namespace pct
