#include "core/volume_rescan.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

class VolumeRescanTest : public ::testing::Test {
protected:
    VolumeRescanTest() {
        FakeStorage& local = storages_.add("local");
        storages_.add("tank", "btrfs");
        rootfs_ = local.add_volume("100/vm-100-disk-0.raw", 2 * kGiB);  // grown behind the config's back
        listed_ = local.add_volume("100/vm-100-disk-1.raw", kGiB);
        stray_ = storages_.storage("tank").add_volume("100/vm-100-disk-2.raw", kGiB);
        other_ = local.add_volume("101/vm-101-disk-0.raw", kGiB);
        orphan_ = local.add_volume("102/vm-102-disk-0.raw", kGiB);
        store_.configs[100] = "rootfs: " + rootfs_ + ",size=1G\nunused0: " + listed_ + "\n";
        store_.configs[101] = "rootfs: " + other_ + ",size=1G\n";
    }

    std::vector<std::string> rescan(RescanOptions options) {
        options.storage_ids = {"local", "tank"};
        std::vector<std::string> lines;
        rescan_volumes(store_, storages_, options, [&](const std::string& line) { lines.push_back(line); });
        return lines;
    }

    FakeStorageRegistry storages_;
    MemoryConfigStore store_;
    std::string rootfs_, listed_, stray_, other_, orphan_;
};

TEST_F(VolumeRescanTest, UpdatesSizesAndAddsUnreferencedOwnedVolumes) {
    auto lines = rescan({});
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "rescan volumes...",
                         "CT 100: updated volume size of '" + rootfs_ + "' in config.",
                         "CT 100: add unreferenced volume '" + stray_ + "' as 'unused1' to config.",
                     }));
    EXPECT_EQ(store_.configs[100], "rootfs: " + rootfs_ + ",size=2G\nunused0: " + listed_ + "\nunused1: " + stray_ + "\n");
    EXPECT_EQ(store_.configs[101], "rootfs: " + other_ + ",size=1G\n");  // unchanged and not rewritten
    EXPECT_EQ(store_.writes.size(), 1u);
    EXPECT_FALSE(store_.read(102).has_value());  // orphans get no config
}

TEST_F(VolumeRescanTest, DryRunReportsButWritesNothing) {
    const std::string before = store_.configs[100];
    auto lines = rescan({.dry_run = true});
    EXPECT_EQ(lines.front(), "NOTE: running in dry-run mode, won't write changes out!");
    EXPECT_EQ(lines.size(), 4u);
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_TRUE(store_.writes.empty());
}

TEST_F(VolumeRescanTest, OnlyTheGivenContainer) {
    store_.configs[101] = "rootfs: " + other_ + ",size=512M\n";
    rescan({.vmid = 101});
    EXPECT_EQ(store_.configs[101], "rootfs: " + other_ + ",size=1G\n");
    EXPECT_NE(store_.configs[100].find("size=1G"), std::string::npos);
}

TEST_F(VolumeRescanTest, LockedContainerAbortsAfterEarlierOnesWereWritten) {
    store_.configs[101] = "lock: backup\nrootfs: " + other_ + ",size=512M\n";
    EXPECT_THROW(
        {
            try {
                rescan({});
            } catch (const UserError& e) {
                EXPECT_STREQ(e.what(), "CT is locked (backup)");
                throw;
            }
        },
        UserError);
    EXPECT_NE(store_.configs[100].find("size=2G"), std::string::npos);
    EXPECT_NE(store_.configs[101].find("size=512M"), std::string::npos);
}

}  // namespace
}  // namespace pct
