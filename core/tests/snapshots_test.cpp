// core/snapshots.h beyond Proxmox's scenarios (snapshot_conformance_test.cpp):
// real-looking configs through the strict loader, FakeStorage with btrfs and
// dir storages and the RecordingLauncher.
#include "core/snapshots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_config_store.h"
#include "fakes/recording_launcher.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SnapshotsTest : public ::testing::Test {
protected:
    SnapshotsTest() {
        FakeStorage& fast = storages_.add("fast", "btrfs");
        storages_.add("local", "dir");
        rootfs_ = fast.add_volume("100/subvol-100-disk-0.subvol");
        data_ = fast.add_volume("100/vm-100-disk-1.raw", 1 << 30);
        store_.configs[100] = base_config();
    }

    std::string base_config() const {
        return "#my container\narch: amd64\nhostname: ct100\nmemory: 512\nmp0: " + data_ +
               ",mp=/data,size=1G\nostype: debian\nrootfs: " + rootfs_ + "\n";
    }

    FakeStorage& fast() { return storages_.storage("fast"); }


    MemoryConfigStore store_;
    FakeStorageRegistry storages_;
    RecordingLauncher launcher_;
    FixedClock clock_{1714557600};
    std::vector<std::string> warnings_;
    SnapshotContext ctx_{.store = store_,
                         .storages = storages_,
                         .launcher = launcher_,
                         .clock = clock_,
                         .warn = [this](const std::string& text) { warnings_.push_back(text); }};
    std::string rootfs_;
    std::string data_;
};

TEST_F(SnapshotsTest, CreateOfAStoppedContainerSnapshotsEveryVolumeInOrder) {
    create_snapshot(ctx_, 100, "first", "before upgrade");
    EXPECT_THAT(storages_.calls(), ElementsAre("snapshot " + rootfs_ + " first", "snapshot " + data_ + " first"));
    EXPECT_TRUE(launcher_.calls.empty());
    EXPECT_EQ(store_.configs[100], "#my container\narch: amd64\nhostname: ct100\nmemory: 512\nmp0: " + data_ +
                                       ",mp=/data,size=1G\nostype: debian\nparent: first\nrootfs: " + rootfs_ +
                                       "\n\n[first]\n#before upgrade\narch: amd64\nhostname: ct100\nmemory: 512\nmp0: " +
                                       data_ + ",mp=/data,size=1G\nostype: debian\nrootfs: " + rootfs_ +
                                       "\nsnaptime: 1714557600\n");
}

TEST_F(SnapshotsTest, CreateFreezesSyncsAndThawsARunningContainer) {
    launcher_.running.insert(100);
    create_snapshot(ctx_, 100, "live", "");
    EXPECT_THAT(launcher_.calls, ElementsAre("freeze 100", "sync 100", "thaw 100"));
    EXPECT_TRUE(launcher_.frozen_ids.empty());
    EXPECT_EQ(fast().snapshots(rootfs_), std::vector<std::string>{"live"});
}

TEST_F(SnapshotsTest, CreateLeavesASuspendedContainerFrozen) {
    launcher_.running.insert(100);
    launcher_.frozen_ids.insert(100);
    create_snapshot(ctx_, 100, "live", "");
    EXPECT_THAT(launcher_.calls, ElementsAre("sync 100"));
    EXPECT_TRUE(launcher_.frozen(100));
}

TEST_F(SnapshotsTest, CreateCleansUpAfterAFailedVolumeSnapshot) {
    launcher_.running.insert(100);
    fast().fail_on_nth("snapshot", 2, "unable to snapshot volume: No space left on device");
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }),
              "unable to snapshot volume: No space left on device");
    EXPECT_THAT(storages_.calls(),
                ElementsAre("snapshot " + rootfs_ + " first", "snapshot " + data_ + " first (failed)",
                            "delete_snapshot " + rootfs_ + " first"));
    EXPECT_THAT(launcher_.calls, ElementsAre("freeze 100", "sync 100", "thaw 100"));
    EXPECT_THAT(warnings_, ElementsAre("snapshot create failed: starting cleanup"));
    EXPECT_EQ(store_.configs[100], base_config());
    EXPECT_TRUE(fast().snapshots(rootfs_).empty());
}

TEST_F(SnapshotsTest, DirStorageAndBindMountsHaveNoSnapshots) {
    FakeStorage& local = storages_.storage("local");
    const std::string raw = local.add_volume("100/vm-100-disk-2.raw", 1 << 30);
    store_.configs[100] = "rootfs: " + raw + ",size=1G\n";
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }), "snapshot feature is not available");
    EXPECT_EQ(store_.configs[100], "rootfs: " + raw + ",size=1G\n");

    store_.configs[100] = "mp0: /srv/shared,mp=/shared\nrootfs: " + rootfs_ + "\n";
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }), "snapshot feature is not available");
    EXPECT_EQ(store_.configs[100], "mp0: /srv/shared,mp=/shared\nrootfs: " + rootfs_ + "\n");
    EXPECT_TRUE(storages_.calls().empty());
}

TEST_F(SnapshotsTest, CreateRefusesTemplatesLocksAndUsedNames) {
    store_.configs[100] = "rootfs: " + rootfs_ + "\ntemplate: 1\n";
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }),
              "you can't take a snapshot if it's a template");
    store_.configs[100] = "lock: mounted\nrootfs: " + rootfs_ + "\n";
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }), "CT is locked (mounted)");
    store_.configs[100] = "rootfs: " + rootfs_ + "\n\n[first]\nrootfs: " + rootfs_ + "\nsnaptime: 1\n";
    EXPECT_EQ(user_error_of([&] { create_snapshot(ctx_, 100, "first", ""); }), "snapshot name 'first' already used");
    EXPECT_EQ(store_.configs[100], "rootfs: " + rootfs_ + "\n\n[first]\nrootfs: " + rootfs_ + "\nsnaptime: 1\n");
}

TEST_F(SnapshotsTest, SnapshotNames) {
    EXPECT_NO_THROW(validate_snapshot_name("before-upgrade_2"));
    EXPECT_NO_THROW(validate_snapshot_name("Ab"));
    EXPECT_EQ(user_error_of([] { validate_snapshot_name("a"); }),
              "400 Parameter verification failed.\nsnapname: invalid format - invalid configuration ID 'a'");
    EXPECT_EQ(user_error_of([] { validate_snapshot_name("2nd"); }),
              "400 Parameter verification failed.\nsnapname: invalid format - invalid configuration ID '2nd'");
    EXPECT_EQ(user_error_of([] { validate_snapshot_name("with space"); }),
              "400 Parameter verification failed.\nsnapname: invalid format - invalid configuration ID 'with space'");
    EXPECT_EQ(user_error_of([] { validate_snapshot_name(std::string(41, 'a')); }),
              "400 Parameter verification failed.\nsnapname: value may only be 40 characters long");
    EXPECT_NO_THROW(validate_snapshot_name(std::string(40, 'a')));
    EXPECT_EQ(user_error_of([] { refuse_reserved_snapshot_name("current"); }),
              "unable to use snapshot name 'current' (reserved name)");
    EXPECT_EQ(user_error_of([] { refuse_reserved_snapshot_name("vzdump"); }),
              "unable to use snapshot name 'vzdump' (reserved name)");
    EXPECT_NO_THROW(refuse_reserved_snapshot_name("currently"));
}

TEST_F(SnapshotsTest, PrepareDropsParentReferencesToTheNewName) {
    store_.configs[100] = "rootfs: " + rootfs_ + "\n\n[old]\nparent: again\nrootfs: " + rootfs_ + "\nsnaptime: 1\n";
    prepare_snapshot(ctx_, 100, "again", false, "");
    EXPECT_THAT(warnings_, ElementsAre("deleting parent 'again' reference from 'old' to avoid bogus snapshot cycle."));
    EXPECT_EQ(store_.configs[100], "lock: snapshot\nrootfs: " + rootfs_ + "\n\n[again]\nrootfs: " + rootfs_ +
                                       "\nsnapstate: prepare\nsnaptime: 1714557600\n\n[old]\nrootfs: " + rootfs_ +
                                       "\nsnaptime: 1\n");
}

TEST_F(SnapshotsTest, PrepareCopiesRawKeysButNotPendingUnusedOrLock) {
    store_.configs[100] = "rootfs: " + rootfs_ + "\nunused0: fast:100/vm-100-disk-5.raw\nlxc.init.cmd: /sbin/init\n\n" +
                          "[pve:pending]\nmemory: 1024\n";
    prepare_snapshot(ctx_, 100, "first", false, "two\nlines");
    EXPECT_EQ(store_.configs[100], "lock: snapshot\nrootfs: " + rootfs_ +
                                       "\nunused0: fast:100/vm-100-disk-5.raw\nlxc.init.cmd: /sbin/init\n\n"
                                       "[pve:pending]\nmemory: 1024\n\n[first]\n#two\n#lines\nrootfs: " +
                                       rootfs_ + "\nsnapstate: prepare\nsnaptime: 1714557600\nlxc.init.cmd: /sbin/init\n");
}

TEST_F(SnapshotsTest, RollbackStopsTheContainerAndRestoresVolumesAndSettings) {
    fast().set_content(rootfs_, "old data");
    create_snapshot(ctx_, 100, "first", "");
    fast().set_content(rootfs_, "new data");
    const std::string extra = fast().add_volume("100/vm-100-disk-3.raw", 1 << 30);
    store_.configs[100] = "#changed description\nmemory: 2048\nmp0: " + data_ + ",mp=/data,size=1G\nmp1: " + extra +
                          ",mp=/extra,size=1G\nparent: first\nrootfs: " + rootfs_ +
                          "\nunused3: fast:100/vm-100-disk-7.raw\n\n[pve:pending]\nswap: 0\n" +
                          store_.configs[100].substr(store_.configs[100].find("\n[first]"));
    launcher_.running.insert(100);
    launcher_.calls.clear();

    rollback_snapshot(ctx_, 100, "first");
    EXPECT_THAT(launcher_.calls, ElementsAre("kill 100"));
    EXPECT_EQ(fast().content(rootfs_), "old data");
    EXPECT_EQ(store_.configs[100], "#changed description\narch: amd64\nhostname: ct100\nmemory: 512\nmp0: " + data_ +
                                       ",mp=/data,size=1G\nostype: debian\nparent: first\nrootfs: " + rootfs_ +
                                       "\nunused0: " + extra + "\nunused3: fast:100/vm-100-disk-7.raw" +
                                       store_.configs[100].substr(store_.configs[100].find("\n\n[first]")));
}

TEST_F(SnapshotsTest, RollbackChecksEveryVolumeBeforeChangingAnything) {
    create_snapshot(ctx_, 100, "first", "");
    const std::string committed = store_.configs[100];
    fast().delete_snapshot(data_, "first");  // the mp0 snapshot is gone
    const size_t journal = storages_.calls().size();
    EXPECT_EQ(user_error_of([&] { rollback_snapshot(ctx_, 100, "first"); }),
              "snapshot 'first' of volume '" + data_ + "' does not exist");
    EXPECT_EQ(storages_.calls().size(), journal);
    EXPECT_EQ(store_.configs[100], committed);
}

TEST_F(SnapshotsTest, RollbackFailureLeavesTheRollbackLock) {
    create_snapshot(ctx_, 100, "first", "");
    fast().fail_on("rollback", "unable to roll back: Input/output error");
    EXPECT_EQ(user_error_of([&] { rollback_snapshot(ctx_, 100, "first"); }), "unable to roll back: Input/output error");
    EXPECT_THAT(store_.configs[100], HasSubstr("lock: rollback\n"));
    EXPECT_EQ(user_error_of([&] { rollback_snapshot(ctx_, 100, "first"); }), "CT is locked (rollback)");
}

TEST_F(SnapshotsTest, DeleteRelinksChildrenAndOffersVolumesNoLongerUsed) {
    create_snapshot(ctx_, 100, "first", "");
    create_snapshot(ctx_, 100, "second", "");
    // mp0 is detached after the snapshots: it only lives on in them.
    std::string text = store_.configs[100];
    text.erase(text.find("mp0: "), text.find('\n', text.find("mp0: ")) + 1 - text.find("mp0: "));
    store_.configs[100] = text;

    delete_snapshot(ctx_, 100, "first", false);
    EXPECT_EQ(fast().snapshots(rootfs_), std::vector<std::string>{"second"});
    const std::string& config = store_.configs[100];
    // Both volumes are offered as unused (unused0, unused1); the writer drops
    // unused0 because the rootfs is still in use, as Proxmox's does.
    EXPECT_THAT(config, HasSubstr("parent: second\nrootfs: " + rootfs_ + "\nunused1: " + data_ + "\n\n[second]\n"));
    EXPECT_EQ(config.find("[first]"), std::string::npos);
    EXPECT_EQ(config.find("parent: first"), std::string::npos);
    EXPECT_EQ(config.find("lock:"), std::string::npos);
}

TEST_F(SnapshotsTest, DeleteFailureKeepsLockAndStateForAForcedRetry) {
    create_snapshot(ctx_, 100, "first", "");
    fast().fail_on("delete_snapshot", "unable to delete snapshot: Device or resource busy");
    EXPECT_EQ(user_error_of([&] { delete_snapshot(ctx_, 100, "first", false); }),
              "unable to delete snapshot: Device or resource busy");
    EXPECT_THAT(store_.configs[100], HasSubstr("lock: snapshot-delete\n"));
    EXPECT_THAT(store_.configs[100], HasSubstr("snapstate: delete\n"));
    EXPECT_EQ(user_error_of([&] { delete_snapshot(ctx_, 100, "first", true); }), "CT is locked (snapshot-delete)");

    // After `pct unlock`, a forced delete removes the section with warnings.
    std::string text = store_.configs[100];
    text.erase(text.find("lock: snapshot-delete\n"), std::string("lock: snapshot-delete\n").size());
    store_.configs[100] = text;
    delete_snapshot(ctx_, 100, "first", true);
    EXPECT_EQ(warnings_.size(), 2u);
    EXPECT_EQ(store_.configs[100], base_config());
}

TEST_F(SnapshotsTest, UnknownSnapshots) {
    EXPECT_EQ(user_error_of([&] { delete_snapshot(ctx_, 100, "nope", false); }), "snapshot 'nope' does not exist");
    EXPECT_EQ(user_error_of([&] { rollback_snapshot(ctx_, 100, "nope"); }), "snapshot 'nope' does not exist");
    EXPECT_EQ(store_.configs[100], base_config());
}

}  // namespace
}  // namespace pct
