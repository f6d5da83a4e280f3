#include "core/volume_move.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"

namespace pct {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kGiB = uint64_t{1} << 30;

class VolumeMoveTest : public ::testing::Test {
protected:
    VolumeMoveTest() {
        FakeStorage& local = storages_.add("local");
        storages_.add("tank", "btrfs");
        rootfs_ = local.add_volume("100/vm-100-disk-0.raw", kGiB);
        data_ = local.add_volume("100/vm-100-disk-1.raw", 2 * kGiB);
        spare_ = local.add_volume("100/vm-100-disk-2.raw", kGiB);
        other_rootfs_ = local.add_volume("200/vm-200-disk-0.raw", kGiB);
        store_.configs[100] = "mp0: " + data_ + ",mp=/data,backup=1,size=2G\nrootfs: " + rootfs_ +
                              ",size=1G\nunprivileged: 1\nunused0: " + spare_ + "\n";
        store_.configs[200] = "rootfs: " + other_rootfs_ + ",size=1G\n";
    }

    std::vector<std::string> move(VolumeMoveRequest request) {
        return move_volume(store_, storages_, request, [this](int vmid) { return running_.contains(vmid); },
                           [this](const std::string& from, const std::string& to) {
                               copies_.push_back(from + " -> " + to);
                               if (copy_fails_) throw UserError("rsync exited with status 23");
                           });
    }

    std::string error_of(VolumeMoveRequest request) {
        try {
            move(request);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    }

    FakeStorageRegistry storages_;
    MemoryConfigStore store_;
    std::string rootfs_, data_, spare_, other_rootfs_;
    std::set<int> running_;
    std::vector<std::string> copies_;
    bool copy_fails_ = false;
};

TEST_F(VolumeMoveTest, ToAnotherStorageCopiesKeepsOptionsAndKeepsTheSourceAsUnused) {
    EXPECT_TRUE(move({.vmid = 100, .key = "mp0", .storage = "tank"}).empty());
    const std::string moved = "tank:100/vm-100-disk-0.raw";
    EXPECT_EQ(copies_, std::vector<std::string>{data_ + " -> " + moved});
    EXPECT_EQ(storages_.storage("tank").size_bytes(moved), 2 * kGiB);
    EXPECT_EQ(storages_.storage("tank").allocate_requests().back().root_uid, 100000u);  // the CT's root owns it
    EXPECT_EQ(store_.configs[100], "mp0: " + moved + ",mp=/data,backup=1,size=2G\nrootfs: " + rootfs_ +
                                       ",size=1G\nunprivileged: 1\nunused0: " + spare_ + "\nunused1: " + data_ + "\n");
}

TEST_F(VolumeMoveTest, DeleteFreesTheSource) {
    move({.vmid = 100, .key = "rootfs", .storage = "tank", .delete_source = true});
    EXPECT_FALSE(storages_.storage("local").has_volume(rootfs_));
    EXPECT_THAT(store_.configs[100], HasSubstr("rootfs: tank:100/vm-100-disk-0.raw,size=1G\n"));
    EXPECT_THAT(store_.configs[100], ::testing::Not(HasSubstr("unused1")));
}

TEST_F(VolumeMoveTest, FailedCopyFreesTheNewVolumeAndUnlocks) {
    copy_fails_ = true;
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "tank"}), "rsync exited with status 23");
    EXPECT_TRUE(storages_.storage("tank").volume_ids().empty());
    EXPECT_EQ(store_.configs[100], before);
}

TEST_F(VolumeMoveTest, RefusalsChangeNothing) {
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "tank", .target_vmid = 200}),
              "either set storage or target-vmid, but not both");
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0"}), "both 'storage' and 'target-vmid' missing, either needs to be set");
    EXPECT_THAT(error_of({.vmid = 100, .key = "net0", .storage = "tank"}), HasSubstr("volume: value 'net0'"));
    EXPECT_THAT(error_of({.vmid = 100, .key = "unused0", .storage = "tank"}), HasSubstr("cannot move unused volume"));
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "local"}), "volume '" + data_ + "' is already on storage 'local'");
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "nowhere"}), "storage 'nowhere' does not exist");
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp3", .storage = "tank"}), "no such volume 'mp3'");
    EXPECT_THAT(error_of({.vmid = 100, .key = "mp0", .storage = "tank", .digest = "0"}), HasSubstr("detected modified configuration"));
    running_.insert(100);
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "tank"}), "cannot move volumes of a running container");
    running_.clear();
    store_.configs[100] = before + "[snap]\nmp0: " + data_ + ",mp=/data\n";
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .storage = "tank", .delete_source = true}),
              "you can't move a volume with snapshots and delete the source");
    store_.configs[100] = before;
    EXPECT_TRUE(copies_.empty());
    EXPECT_TRUE(storages_.storage("tank").volume_ids().empty());
}

TEST_F(VolumeMoveTest, ReassignRenamesToTheNewOwnerAndMovesTheKey) {
    EXPECT_TRUE(move({.vmid = 100, .key = "mp0", .target_vmid = 200, .target_key = "mp3"}).empty());
    const std::string renamed = "local:200/vm-200-disk-1.raw";
    EXPECT_TRUE(storages_.storage("local").has_volume(renamed));
    EXPECT_FALSE(storages_.storage("local").has_volume(data_));
    EXPECT_EQ(store_.configs[200], "mp3: " + renamed + ",mp=/data,backup=1,size=2G\nrootfs: " + other_rootfs_ + ",size=1G\n");
    EXPECT_THAT(store_.configs[100], ::testing::Not(HasSubstr("mp0")));
    EXPECT_TRUE(copies_.empty());
}

TEST_F(VolumeMoveTest, ReassignUnusedFromRunningContainerAndPendingIntoRunningTarget) {
    running_ = {100, 200};
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .target_vmid = 200}), "cannot move volumes of a running container");
    EXPECT_TRUE(move({.vmid = 100, .key = "unused0", .target_vmid = 200}).empty());
    EXPECT_THAT(store_.configs[200], HasSubstr("unused0: local:200/vm-200-disk-1.raw\n"));
    running_ = {200};
    auto warnings = move({.vmid = 100, .key = "mp0", .target_vmid = 200});
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_THAT(store_.configs[200], HasSubstr("[pve:pending]\nmp0: local:200/vm-200-disk-2.raw,mp=/data"));
}

TEST_F(VolumeMoveTest, ReassignRefusals) {
    EXPECT_EQ(error_of({.vmid = 100, .key = "rootfs", .target_vmid = 200}), "Cannot move to/from 'rootfs'");
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .target_vmid = 200, .target_key = "rootfs"}), "Cannot move to/from 'rootfs'");
    EXPECT_THAT(error_of({.vmid = 100, .key = "mp0", .target_vmid = 100}), HasSubstr("same container is not possible"));
    EXPECT_EQ(error_of({.vmid = 100, .key = "unused0", .target_vmid = 200, .target_key = "mp0"}),
              "cannot move unused volume 'unused0' to used key 'mp0'");
    store_.configs[200] += "mp0: /srv,mp=/srv\n";
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .target_vmid = 200}), "Target volume key 'mp0' is already in use for container '200'");
    store_.configs[200] += "lock: backup\n";
    EXPECT_EQ(error_of({.vmid = 100, .key = "mp0", .target_vmid = 200, .target_key = "mp1"}), "CT is locked (backup)");
    EXPECT_TRUE(storages_.storage("local").has_volume(data_));
}

}  // namespace
}  // namespace pct
