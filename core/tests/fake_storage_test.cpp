// The storage-side fakes behave like the Linux storages they stand in for,
// record what was asked of them, and fail where a test tells them to.
#include "fakes/fake_storage.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "fakes/fake_volume_mounter.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

using Calls = std::vector<std::string>;


AllocateRequest request(int vmid, uint64_t size_kib) {
    return {.vmid = vmid, .size_kib = size_kib, .root_uid = 100000, .root_gid = 100000};
}

// ---- FakeStorage -------------------------------------------------------------------

TEST(FakeStorage, AllocatesLowestFreeIndexAndRecordsCalls) {
    FakeStorage storage("local");
    EXPECT_EQ(storage.allocate(request(100, 4194304)), "local:100/vm-100-disk-0.raw");
    EXPECT_EQ(storage.allocate(request(100, 0)), "local:100/subvol-100-disk-1.subvol");
    EXPECT_EQ(storage.allocate(request(101, 1024)), "local:101/vm-101-disk-0.raw");
    storage.free("local:100/vm-100-disk-0.raw");
    EXPECT_EQ(storage.allocate(request(100, 1024)), "local:100/vm-100-disk-0.raw");

    EXPECT_EQ(storage.calls(), (Calls{"allocate 100 4194304", "allocate 100 0", "allocate 101 1024",
                                      "free local:100/vm-100-disk-0.raw", "allocate 100 1024"}));
    ASSERT_EQ(storage.allocate_requests().size(), 4u);
    EXPECT_EQ(storage.allocate_requests()[0].root_uid, 100000u);
}

TEST(FakeStorage, DescribesVolumesLikeTheLinuxStorages) {
    FakeStorage dir("local");
    const std::string raw = dir.allocate(request(100, 4096));
    const std::string subvol = dir.allocate(request(100, 0));
    EXPECT_EQ(dir.path(raw), "/fake/local/images/100/vm-100-disk-0.raw");
    EXPECT_EQ(dir.path(subvol), "/fake/local/images/100/subvol-100-disk-1.subvol");
    EXPECT_EQ(dir.format(raw), VolumeFormat::Raw);
    EXPECT_EQ(dir.format(subvol), VolumeFormat::Subvol);
    EXPECT_EQ(dir.size_bytes(raw), 4096u * 1024);
    EXPECT_EQ(dir.size_bytes(subvol), 0u);
    EXPECT_EQ(dir.template_directory(), "/fake/local/template/cache");
    EXPECT_EQ(dir.path("local:vztmpl/debian-12.tar.zst"), "/fake/local/template/cache/debian-12.tar.zst");
    EXPECT_EQ(dir.path("local:backup/vzdump-lxc-100-2024_01_01-00_00_00.tar.zst"),
              "/fake/local/dump/vzdump-lxc-100-2024_01_01-00_00_00.tar.zst");

    FakeStorage btrfs("fast", "btrfs");
    EXPECT_EQ(btrfs.path(btrfs.allocate(request(100, 4096))), "/fake/fast/images/100/vm-100-disk-0/disk.raw");
    EXPECT_EQ(btrfs.path(btrfs.allocate(request(100, 0))), "/fake/fast/images/100/subvol-100-disk-1.subvol");
}

TEST(FakeStorage, ListsByOwner) {
    FakeStorage storage("local");
    storage.add_volume("100/vm-100-disk-0.raw", 8 << 20);
    storage.add_volume("101/subvol-101-disk-0.subvol");
    ASSERT_EQ(storage.list(std::nullopt).size(), 2u);
    const auto owned = storage.list(100);
    ASSERT_EQ(owned.size(), 1u);
    EXPECT_EQ(owned[0].volid, "local:100/vm-100-disk-0.raw");
    EXPECT_EQ(owned[0].owner, 100);
    EXPECT_EQ(owned[0].size_bytes, 8u << 20);
    EXPECT_TRUE(storage.calls().empty());  // setup and queries are not recorded
}

TEST(FakeStorage, RefusesWhatTheRealStorageRefuses) {
    FakeStorage storage("local");
    const std::string raw = storage.add_volume("100/vm-100-disk-0.raw", 8 << 20);
    const std::string subvol = storage.add_volume("100/subvol-100-disk-1.subvol");
    EXPECT_EQ(user_error_of([&] { storage.resize(raw, 4 << 20); }), "unable to shrink disk size");
    EXPECT_EQ(user_error_of([&] { storage.resize(subvol, 4 << 20); }), "can't resize this image format");
    EXPECT_EQ(user_error_of([&] { storage.snapshot(raw, "s1"); }), "can't snapshot this image format");
    EXPECT_EQ(user_error_of([&] { storage.free("local:100/vm-100-disk-7.raw"); }),
              "volume 'local:100/vm-100-disk-7.raw' does not exist");
    EXPECT_EQ(user_error_of([&] { storage.free("other:100/vm-100-disk-0.raw"); }),
              "volume 'other:100/vm-100-disk-0.raw' is not on storage 'local'");
    EXPECT_EQ(storage.calls().back(), "free other:100/vm-100-disk-0.raw (failed)");

    FakeStorage no_rootdir(StorageDefinition{.type = "dir", .id = "iso", .properties = {{"content", "iso"}}});
    EXPECT_EQ(user_error_of([&] { no_rootdir.allocate(request(100, 0)); }),
              "content type 'rootdir' is not available or configured on storage 'iso'");
}

TEST(FakeStorage, FeatureTableFollowsTheStorageType) {
    FakeStorage dir("local");
    const std::string dir_raw = dir.add_volume("100/vm-100-disk-0.raw", 1 << 20);
    const std::string dir_subvol = dir.add_volume("100/subvol-100-disk-1.subvol");
    EXPECT_FALSE(dir.supports(StorageFeature::Snapshot, dir_raw));
    EXPECT_FALSE(dir.supports(StorageFeature::Rollback, dir_raw));
    EXPECT_TRUE(dir.supports(StorageFeature::Template, dir_raw));
    EXPECT_TRUE(dir.supports(StorageFeature::Resize, dir_raw));
    EXPECT_FALSE(dir.supports(StorageFeature::Resize, dir_subvol));

    FakeStorage btrfs("fast", "btrfs");
    const std::string btrfs_subvol = btrfs.add_volume("100/subvol-100-disk-0.subvol");
    EXPECT_TRUE(btrfs.supports(StorageFeature::Snapshot, btrfs_subvol));
    EXPECT_TRUE(btrfs.supports(StorageFeature::LinkedClone, btrfs_subvol));
    EXPECT_FALSE(btrfs.supports(StorageFeature::Resize, btrfs_subvol));

    dir.set_supported(StorageFeature::Snapshot, true);
    EXPECT_TRUE(dir.supports(StorageFeature::Snapshot, dir_subvol));
    dir.set_supported(dir_subvol, StorageFeature::Snapshot, false);
    EXPECT_FALSE(dir.supports(StorageFeature::Snapshot, dir_subvol));
    EXPECT_TRUE(dir.supports(StorageFeature::Snapshot, dir_raw));
}

TEST(FakeStorage, SnapshotsKeepContentAndRollbackRestoresIt) {
    FakeStorage storage("fast", "btrfs");
    const std::string volid = storage.add_volume("100/subvol-100-disk-0.subvol");
    storage.set_content(volid, "one");
    storage.snapshot(volid, "s1");
    storage.set_content(volid, "two");
    storage.check_rollback(volid, "s1");
    EXPECT_EQ(user_error_of([&] { storage.check_rollback(volid, "s2"); }),
              "snapshot 's2' of volume 'fast:100/subvol-100-disk-0.subvol' does not exist");
    storage.rollback(volid, "s1");
    EXPECT_EQ(storage.content(volid), "one");
    EXPECT_EQ(storage.snapshots(volid), (Calls{"s1"}));
    EXPECT_EQ(user_error_of([&] { storage.snapshot(volid, "s1"); }),
              "snapshot 's1' of volume 'fast:100/subvol-100-disk-0.subvol' already exists");
    storage.delete_snapshot(volid, "s1");
    EXPECT_TRUE(storage.snapshots(volid).empty());
    EXPECT_EQ(user_error_of([&] { storage.rollback(volid, "s1"); }),
              "snapshot 's1' of volume 'fast:100/subvol-100-disk-0.subvol' does not exist");

    const std::string prefix = "fast:100/subvol-100-disk-0.subvol ";
    EXPECT_EQ(storage.calls(),
              (Calls{"snapshot " + prefix + "s1", "rollback " + prefix + "s1", "snapshot " + prefix + "s1 (failed)",
                     "delete_snapshot " + prefix + "s1", "rollback " + prefix + "s1 (failed)"}));
}

TEST(FakeStorage, BaseVolumesAndLinkedClonesLikeTheLinuxStorages) {
    FakeStorage storage("fast", "btrfs");
    const std::string raw = storage.add_volume("100/vm-100-disk-0.raw", 1 << 20);
    const std::string subvol = storage.add_volume("100/subvol-100-disk-1.subvol");
    storage.set_content(raw, "data");
    std::vector<std::string> warnings;
    const std::string base = storage.create_base(raw, warnings);
    EXPECT_EQ(base, "fast:100/base-100-disk-0.raw");
    EXPECT_FALSE(storage.has_volume(raw));
    EXPECT_TRUE(storage.is_read_only(base));
    EXPECT_EQ(storage.create_base(subvol, warnings), subvol);
    EXPECT_EQ(user_error_of([&] { storage.create_base(base, warnings); }), "create_base not possible with base image");

    EXPECT_EQ(storage.clone_linked(base, 200, ""), "fast:200/vm-200-disk-0.raw");
    EXPECT_EQ(storage.content("fast:200/vm-200-disk-0.raw"), "data");
    EXPECT_FALSE(storage.is_read_only("fast:200/vm-200-disk-0.raw"));
    EXPECT_EQ(storage.size_bytes("fast:200/vm-200-disk-0.raw"), 1u << 20);
    storage.snapshot("fast:200/vm-200-disk-0.raw", "s1");
    EXPECT_EQ(storage.snapshot_path("fast:200/vm-200-disk-0.raw", "s1"), "/fake/fast/images/200/vm-200-disk-0@s1/disk.raw");
    EXPECT_EQ(user_error_of([&] { storage.snapshot_path(subvol, "s1"); }),
              "snapshot 's1' of volume '" + subvol + "' does not exist");
    EXPECT_EQ(storage.calls(), (Calls{"create_base " + raw, "create_base " + subvol, "create_base " + base + " (failed)",
                                      "clone_linked " + base + " 200", "snapshot fast:200/vm-200-disk-0.raw s1"}));

    FakeStorage dir("local");
    const std::string dir_raw = dir.add_volume("100/vm-100-disk-0.raw", 1 << 20);
    EXPECT_EQ(user_error_of([&] { dir.clone_linked(dir_raw, 200, ""); }),
              "linked clones are not supported on storage 'local'");
    EXPECT_EQ(user_error_of([&] { dir.snapshot_path(dir_raw, "s1"); }), "can't snapshot this image format");
}

TEST(FakeStorage, FailOnFailsEveryCallOfThatOperationAndChangesNothing) {
    FakeStorage storage("local");
    storage.fail_on("allocate", "disk full");
    EXPECT_EQ(user_error_of([&] { storage.allocate(request(100, 1024)); }), "disk full");
    EXPECT_EQ(user_error_of([&] { storage.allocate(request(100, 0)); }), "disk full");
    EXPECT_TRUE(storage.volume_ids().empty());
    EXPECT_EQ(storage.calls(), (Calls{"allocate 100 1024 (failed)", "allocate 100 0 (failed)"}));

    storage.clear_failures();
    EXPECT_EQ(storage.allocate(request(100, 0)), "local:100/subvol-100-disk-0.subvol");
}

TEST(FakeStorage, FailOnNthFailsOnlyThatCall) {
    FakeStorage storage("fast", "btrfs");
    const std::string disk0 = storage.add_volume("100/subvol-100-disk-0.subvol");
    const std::string disk1 = storage.add_volume("100/subvol-100-disk-1.subvol");
    const std::string disk2 = storage.add_volume("100/subvol-100-disk-2.subvol");
    storage.fail_on_nth("snapshot", 2, "volume snapshot disabled");
    storage.snapshot(disk0, "s");
    EXPECT_EQ(user_error_of([&] { storage.snapshot(disk1, "s"); }), "volume snapshot disabled");
    storage.snapshot(disk2, "s");
    EXPECT_TRUE(storage.snapshots(disk1).empty());
    EXPECT_EQ(storage.snapshots(disk2), (Calls{"s"}));
}

TEST(FakeStorage, FailOnNthOfAnyCallCountsEveryRecordedCall) {
    FakeStorage storage("local");
    storage.fail_on_nth("*", 3, "third call fails");
    const std::string first = storage.allocate(request(100, 0));
    storage.free(first);
    EXPECT_EQ(user_error_of([&] { storage.allocate(request(100, 0)); }), "third call fails");
    EXPECT_EQ(storage.calls().back(), "allocate 100 0 (failed)");
    storage.allocate(request(100, 0));
}

TEST(FakeStorage, QueriesCanFailToo) {
    FakeStorage storage("local");
    const std::string volid = storage.add_volume("100/vm-100-disk-0.raw", 1 << 20);
    storage.fail_on_nth("path", 1, "storage activation failed");
    EXPECT_EQ(user_error_of([&] { storage.path(volid); }), "storage activation failed");
    EXPECT_EQ(storage.path(volid), "/fake/local/images/100/vm-100-disk-0.raw");
    storage.fail_on("activate", "storage activation failed");
    EXPECT_EQ(user_error_of([&] { storage.activate(); }), "storage activation failed");
    EXPECT_EQ(user_error_of([&] { storage.check_rollback(volid, "s1"); }), "can't rollback snapshot this image format");
    EXPECT_TRUE(storage.calls().empty());
}

// ---- FakeStorageRegistry -------------------------------------------------------------

TEST(FakeStorageRegistry, RefusesLikeTheLinuxRegistry) {
    StorageConfig config = parse_storage_config(
        "dir: local\n\tpath /var/lib/vz\n\n"
        "lvm: vg\n\tvgname pve\n\n"
        "dir: off\n\tpath /srv/off\n\tdisable\n");
    FakeStorageRegistry registry(config);
    EXPECT_EQ(registry.get("local").definition().path(), "/var/lib/vz");
    EXPECT_EQ(user_error_of([&] { registry.get("nope"); }), "storage 'nope' does not exist");
    EXPECT_EQ(user_error_of([&] { registry.get("vg"); }),
              "storage 'vg' has type 'lvm', which pct does not support (supported: dir, btrfs)");
    EXPECT_EQ(user_error_of([&] { registry.get("off"); }), "storage 'off' is disabled");
}

TEST(FakeStorageRegistry, KeepsOneRecordAcrossStorages) {
    FakeStorageRegistry registry;
    FakeStorage& local = registry.add("local");
    FakeStorage& fast = registry.add("fast", "btrfs");
    EXPECT_EQ(&registry.get("fast"), &fast);
    const std::string root = registry.get("local").allocate(request(100, 0));
    const std::string data = registry.get("fast").allocate(request(100, 0));
    registry.get("fast").snapshot(data, "s");
    EXPECT_EQ(registry.calls(), (Calls{"allocate 100 0", "allocate 100 0", "snapshot " + data + " s"}));
    EXPECT_EQ(local.calls(), (Calls{"allocate 100 0"}));
    EXPECT_TRUE(local.has_volume(root));
}

// ---- FakeVolumeMounter ---------------------------------------------------------------

TEST(FakeStorage, MounterTracksWhatIsMounted) {
    FakeVolumeMounter mounter;
    mounter.mount({.source = "/img/vm-100-disk-0.raw", .target = "/mnt/root"});
    mounter.mount(
        {.source = "/img/subvol", .format = VolumeFormat::Subvol, .target = "/mnt/root/data", .read_only = true});
    mounter.mount({.source = "/dev/sdb1", .is_device = true, .target = "/mnt/root/dev", .options = "noatime"});
    EXPECT_TRUE(mounter.is_mounted("/mnt/root/data"));
    ASSERT_EQ(mounter.mounted().size(), 3u);

    mounter.unmount("/mnt/root/dev");
    mounter.unmount("/mnt/root/data");
    mounter.unmount("/mnt/root");
    EXPECT_TRUE(mounter.mounted().empty());
    EXPECT_EQ(mounter.calls(),
              (Calls{"mount /img/vm-100-disk-0.raw /mnt/root raw", "mount /img/subvol /mnt/root/data subvol ro",
                     "mount /dev/sdb1 /mnt/root/dev device noatime", "unmount /mnt/root/dev", "unmount /mnt/root/data",
                     "unmount /mnt/root"}));
}

TEST(FakeStorage, MounterUnmountsTheTopMountAndRefusesUnknownTargets) {
    FakeVolumeMounter mounter;
    mounter.mount({.source = "/a", .format = VolumeFormat::Subvol, .target = "/mnt"});
    mounter.mount({.source = "/b", .format = VolumeFormat::Subvol, .target = "/mnt"});
    mounter.unmount("/mnt");
    ASSERT_EQ(mounter.mounted().size(), 1u);
    EXPECT_EQ(mounter.mounted()[0].source, "/a");
    EXPECT_EQ(user_error_of([&] { mounter.unmount("/elsewhere"); }),
              "unable to unmount '/elsewhere': Invalid argument");
    EXPECT_EQ(mounter.calls().back(), "unmount /elsewhere (failed)");
}

TEST(FakeStorage, MounterFailureLeavesNothingMounted) {
    FakeVolumeMounter mounter;
    mounter.fail_on_nth("mount", 2, "mount failed");
    mounter.mount({.source = "/a", .target = "/mnt"});
    EXPECT_EQ(user_error_of([&] { mounter.mount({.source = "/b", .target = "/mnt/b"}); }), "mount failed");
    EXPECT_FALSE(mounter.is_mounted("/mnt/b"));
    mounter.fail_on("unmount", "busy");
    EXPECT_EQ(user_error_of([&] { mounter.unmount("/mnt"); }), "busy");
    EXPECT_TRUE(mounter.is_mounted("/mnt"));  // a failed unmount keeps the mount
}

}  // namespace
}  // namespace pct
