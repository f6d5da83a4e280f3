// core/container_clone.h: the checks, locks, config copy rules and the
// volume loop of `pct clone` against FakeStorage, a memory config store and
// a fake guest rootfs; every failure leaves no new config, no new volume and
// no lock behind.
#include "core/container_clone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "core/config_loader.h"
#include "core/error.h"
#include "core/volume_id.h"
#include "fakes/fake_guest_rootfs.h"
#include "fakes/fake_storage.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_config_store.h"
#include "fakes/seeded_random.h"

namespace pct {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Lines = std::vector<std::string>;

constexpr uint64_t kGiB = uint64_t{1} << 30;

class CloneTest : public ::testing::Test {
protected:
    CloneTest() {
        FakeStorage& local = storages_.add("local");
        FakeStorage& tank = storages_.add("tank", "btrfs");
        storages_.add("other");

        // 100: a normal CT on dir storage.
        rootfs_ = local.add_volume("100/vm-100-disk-0.raw", 2 * kGiB);
        data_ = local.add_volume("100/vm-100-disk-1.raw", kGiB);
        spare_ = local.add_volume("100/vm-100-disk-2.raw", kGiB);
        local.set_content(rootfs_, "rootfs of 100");
        store_.configs[100] = "#source CT\narch: amd64\ncores: 2\nhostname: src\nmemory: 512\n"
                              "mp0: " + data_ + ",mp=/data,backup=1,size=1G\n"
                              "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth\n"
                              "net1: name=eth1,bridge=vmbr1,hwaddr=BC:24:11:00:00:02,type=veth\n"
                              "ostype: debian\nrootfs: " + rootfs_ + ",size=2G\n"
                              "unprivileged: 1\nunused0: " + spare_ + "\nlxc.cgroup2.cpuset.cpus: 1\n";

        // 300: a CT on btrfs with a snapshot taken before a change.
        snap_rootfs_ = tank.add_volume("300/subvol-300-disk-0.subvol");
        tank.set_content(snap_rootfs_, "old state");
        tank.snapshot(snap_rootfs_, "before");
        tank.set_content(snap_rootfs_, "new state");
        tank.clear_calls();
        store_.configs[300] = "arch: amd64\nhostname: now\nmemory: 1024\nostype: debian\nparent: before\nrootfs: " +
                              snap_rootfs_ + "\n\n[before]\n#snapshot comment\narch: amd64\nhostname: then\n"
                              "memory: 256\nostype: debian\nrootfs: " + snap_rootfs_ + "\nsnaptime: 1700000000\n";

        // 400: a template on btrfs (base volumes).
        base_rootfs_ = tank.add_volume("400/base-400-disk-0.raw", kGiB);
        base_data_ = tank.add_volume("400/subvol-400-disk-1.subvol");
        tank.set_content(base_rootfs_, "template rootfs");
        store_.configs[400] = "arch: amd64\nhostname: tmpl\nmp0: " + base_data_ + ",mp=/srv\nostype: debian\nrootfs: " +
                              base_rootfs_ + ",size=1G\ntemplate: 1\n";

        rootfs_fs().add_file("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        rootfs_fs().add_file("/etc/debian_version", "12.5\n");
        rootfs_fs().add_file("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        rootfs_fs().add_file("/lib/systemd/systemd", "", 0755);
    }

    MemoryGuestFs& rootfs_fs() { return guest_.fs; }
    FakeStorage& local() { return storages_.storage("local"); }
    FakeStorage& tank() { return storages_.storage("tank"); }

    CloneEnvironment environment() {
        return CloneEnvironment{
            .store = store_,
            .storages = storages_,
            .rootfs = guest_,
            .clock = clock_,
            .random = random_,
            .is_running = [this](int vmid) { return running_.contains(vmid); },
            .copy =
                [this](const std::string& source, const std::string& snapshot, const std::string& target) {
                    copies_.push_back(source + (snapshot.empty() ? "" : "@" + snapshot) + " -> " + target);
                    if (copies_.size() == fail_copy_number_) throw UserError("rsync exited with status 11");
                    FakeStorage& from = storages_.storage(parse_volume_id(source).storage);
                    storages_.storage(parse_volume_id(target).storage).set_content(target, from.content(source));
                },
            .with_mounted =
                [this](int vmid, const ContainerConfig& config, const std::function<void(const std::string&)>& work) {
                    mounts_.push_back("mount " + std::to_string(vmid) + " " + *config.main.get("rootfs"));
                    if (mount_fails_) throw UserError("unable to mount the rootfs");
                    // Proxmox runs the post-clone hook under the new config's lock.
                    EXPECT_THROW(store_.lock(vmid), UserError);
                    try {
                        work("/var/lib/lxc/" + std::to_string(vmid) + "/rootfs");
                    } catch (...) {
                        mounts_.push_back("unmount " + std::to_string(vmid));
                        throw;
                    }
                    mounts_.push_back("unmount " + std::to_string(vmid));
                },
            .node_name = "node1",
            .print = [this](const std::string& line) { printed_.push_back(line); },
            .warn = [this](const std::string& line) { warnings_.push_back(line); },
        };
    }

    void clone(const CloneRequest& request) {
        CloneEnvironment env = environment();
        clone_container(env, request);
    }

    std::string error_of(const CloneRequest& request) {
        try {
            clone(request);
        } catch (const UserError& e) {
            return e.what();
        }
        return "<no error>";
    }

    ContainerConfig config_of(int vmid) { return load_config(store_, vmid).config; }
    std::string value_of(int vmid, const std::string& key) {
        const ContainerConfig config = config_of(vmid);
        const std::string* value = config.main.get(key);
        return value ? *value : "<none>";
    }

    // Nothing of a failed clone is left: no new config, no volume of the new
    // id, the source config as it was.
    void expect_nothing_left(int newid, int vmid, const std::string& source_before) {
        EXPECT_FALSE(store_.configs.contains(newid));
        for (const char* id : {"local", "tank", "other"})
            for (const auto& volume : storages_.storage(id).list(newid)) ADD_FAILURE() << "left: " << volume.volid;
        EXPECT_EQ(store_.configs[vmid], source_before);
        EXPECT_NO_THROW(store_.lock(newid)) << "config lock still held";
    }

    MemoryConfigStore store_;
    FakeStorageRegistry storages_;
    FakeGuestRootfs guest_;
    FixedClock clock_{1714557600};
    SeededRandom random_{42};
    std::set<int> running_;
    std::vector<std::string> copies_, mounts_, printed_, warnings_;
    size_t fail_copy_number_ = 0;
    bool mount_fails_ = false;
    std::string rootfs_, data_, spare_, snap_rootfs_, base_rootfs_, base_data_;
};

// ---- full clone --------------------------------------------------------------------

TEST_F(CloneTest, FullCloneCopiesEveryVolumeAndTheSettings) {
    clone({.vmid = 100, .newid = 200});
    EXPECT_EQ(copies_, (Lines{rootfs_ + " -> local:200/vm-200-disk-0.raw", data_ + " -> local:200/vm-200-disk-1.raw"}));
    EXPECT_EQ(local().content("local:200/vm-200-disk-0.raw"), "rootfs of 100");
    EXPECT_EQ(local().size_bytes("local:200/vm-200-disk-0.raw"), 2 * kGiB);
    EXPECT_EQ(local().size_bytes("local:200/vm-200-disk-1.raw"), kGiB);
    // An unprivileged CT's new volumes belong to its mapped root.
    EXPECT_EQ(local().allocate_requests().back().root_uid, 100000u);
    EXPECT_EQ(printed_, (Lines{"create full clone of mountpoint rootfs (" + rootfs_ + ")",
                               "create full clone of mountpoint mp0 (" + data_ + ")"}));

    const ContainerConfig config = config_of(200);
    EXPECT_EQ(config.main.description, "source CT\n");  // as the loader reads "#source CT"
    EXPECT_EQ(value_of(200, "rootfs"), "local:200/vm-200-disk-0.raw,size=2G");
    EXPECT_EQ(value_of(200, "mp0"), "local:200/vm-200-disk-1.raw,mp=/data,backup=1,size=1G");
    EXPECT_EQ(value_of(200, "hostname"), "src");
    EXPECT_EQ(value_of(200, "cores"), "2");
    EXPECT_EQ(config.main.lxc, (std::vector<std::pair<std::string, std::string>>{{"lxc.cgroup2.cpuset.cpus", "1"}}));
    EXPECT_EQ(value_of(200, "unused0"), "<none>");  // unused volumes stay with the source
    EXPECT_EQ(value_of(200, "lock"), "<none>");
    EXPECT_EQ(value_of(100, "lock"), "<none>");
    EXPECT_TRUE(local().has_volume(spare_));
}

TEST_F(CloneTest, EveryNetworkInterfaceGetsANewMac) {
    clone({.vmid = 100, .newid = 200});
    const std::string net0 = value_of(200, "net0");
    const std::string net1 = value_of(200, "net1");
    EXPECT_THAT(net0, HasSubstr("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:"));
    EXPECT_THAT(net0, HasSubstr("ip=dhcp"));
    EXPECT_THAT(net0, Not(HasSubstr("BC:24:11:00:00:01")));
    EXPECT_THAT(net1, Not(HasSubstr("BC:24:11:00:00:02")));
    EXPECT_NE(net0.substr(net0.find("hwaddr=")), net1.substr(net1.find("hwaddr=")));
}

TEST_F(CloneTest, HostnameAndDescriptionReplaceTheSourcesOnes) {
    clone({.vmid = 100, .newid = 200, .hostname = "copy", .description = "a copy"});
    EXPECT_EQ(value_of(200, "hostname"), "copy");
    EXPECT_EQ(config_of(200).main.description, "a copy\n");
}

TEST_F(CloneTest, PostCloneSetupResetsTheMachineIdOnTheMountedClone) {
    clone({.vmid = 100, .newid = 200});
    EXPECT_EQ(mounts_, (Lines{"mount 200 local:200/vm-200-disk-0.raw,size=2G", "unmount 200"}));
    EXPECT_EQ(guest_.opened, (Lines{"/var/lib/lxc/200/rootfs 100000:100000"}));
    EXPECT_EQ(rootfs_fs().file_content("/etc/machine-id"), "\n");
}

TEST_F(CloneTest, FullCloneToAnotherStorage) {
    clone({.vmid = 100, .newid = 200, .storage = "tank"});
    EXPECT_EQ(copies_, (Lines{rootfs_ + " -> tank:200/vm-200-disk-0.raw", data_ + " -> tank:200/vm-200-disk-1.raw"}));
    EXPECT_EQ(value_of(200, "rootfs"), "tank:200/vm-200-disk-0.raw,size=2G");
    EXPECT_TRUE(local().list(200).empty());
}

TEST_F(CloneTest, FullCloneOfARunningContainerFromASnapshotTakesTheSnapshotsState) {
    running_.insert(300);
    clone({.vmid = 300, .newid = 301, .snapname = "before"});
    EXPECT_EQ(copies_, (Lines{snap_rootfs_ + "@before -> tank:301/subvol-301-disk-0.subvol"}));
    const ContainerConfig config = config_of(301);
    // The snapshot's settings, without the snapshot keys.
    EXPECT_EQ(value_of(301, "hostname"), "then");
    EXPECT_EQ(value_of(301, "memory"), "256");
    EXPECT_EQ(value_of(301, "snaptime"), "<none>");
    EXPECT_EQ(value_of(301, "parent"), "<none>");
    EXPECT_EQ(config.main.description, "snapshot comment\n");
    EXPECT_TRUE(config.snapshots.empty());
    EXPECT_EQ(value_of(300, "lock"), "<none>");
}

TEST_F(CloneTest, FullCloneOfATemplateCopiesItsBaseVolumes) {
    clone({.vmid = 400, .newid = 401, .full = true});
    EXPECT_EQ(copies_, (Lines{base_rootfs_ + " -> tank:401/vm-401-disk-0.raw",
                              base_data_ + " -> tank:401/subvol-401-disk-1.subvol"}));
    EXPECT_EQ(value_of(401, "template"), "<none>");
    EXPECT_EQ(value_of(400, "template"), "1");
}

// ---- linked clone ------------------------------------------------------------------

TEST_F(CloneTest, ATemplateIsClonedLinkedByDefault) {
    clone({.vmid = 400, .newid = 401});
    EXPECT_TRUE(copies_.empty());
    EXPECT_EQ(tank().calls(), (Lines{"clone_linked " + base_rootfs_ + " 401", "clone_linked " + base_data_ + " 401"}));
    EXPECT_EQ(printed_, (Lines{"create linked clone of mount point rootfs (" + base_rootfs_ + ")",
                               "create linked clone of mount point mp0 (" + base_data_ + ")"}));
    EXPECT_EQ(value_of(401, "rootfs"), "tank:401/vm-401-disk-0.raw,size=1G");
    EXPECT_EQ(value_of(401, "mp0"), "tank:401/subvol-401-disk-1.subvol,mp=/srv");
    EXPECT_EQ(tank().content("tank:401/vm-401-disk-0.raw"), "template rootfs");
    EXPECT_EQ(value_of(401, "template"), "<none>");
    EXPECT_EQ(value_of(401, "lock"), "<none>");
    EXPECT_EQ(value_of(400, "lock"), "<none>");
    EXPECT_EQ(mounts_.size(), 2u);
}

TEST_F(CloneTest, LinkedCloneOfASnapshotClonesThatSnapshot) {
    clone({.vmid = 300, .newid = 301, .full = false, .snapname = "before"});
    EXPECT_EQ(tank().calls(), (Lines{"clone_linked " + snap_rootfs_ + " 301 before"}));
    EXPECT_EQ(tank().content("tank:301/subvol-301-disk-0.subvol"), "old state");
}

// ---- refused before anything changes ------------------------------------------------

TEST_F(CloneTest, RefusedBeforeAnyLock) {
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200, .pool = "pool1"}),
              "option 'pool' is not available yet in this version of pct");
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200, .target = "node2"}), "no such cluster node 'node2'");
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200, .storage = "nope"}), "storage 'nope' does not exist");
    EXPECT_EQ(error_of({.vmid = 101, .newid = 200}), "Configuration file '/etc/pve/lxc/101.conf' does not exist");
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_FALSE(store_.configs.contains(200));
    EXPECT_TRUE(store_.writes.empty());
}

TEST_F(CloneTest, TheLocalNodeAsTargetIsThisNode) {
    clone({.vmid = 100, .newid = 200, .target = "node1"});
    clone({.vmid = 100, .newid = 201, .target = "localhost"});
    EXPECT_TRUE(store_.configs.contains(200));
    EXPECT_TRUE(store_.configs.contains(201));
}

TEST_F(CloneTest, ALockedSourceIsRefused) {
    store_.configs[100] = "lock: backup\n" + store_.configs[100];
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "CT is locked (backup)");
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_FALSE(store_.configs.contains(200));
}

TEST_F(CloneTest, AnExistingNewIdIsRefusedAndTheSourceUnlocked) {
    store_.configs[200] = "hostname: taken\n";
    const std::string before = store_.configs[100];
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "CT 200 already exists on node 'node1'");
    EXPECT_EQ(store_.configs[100], before);
    EXPECT_EQ(store_.configs[200], "hostname: taken\n");
    EXPECT_EQ(error_of({.vmid = 100, .newid = 100}), "CT 100 already exists on node 'node1'");
    EXPECT_EQ(store_.configs[100], before);
}

struct RefusedCase {
    const char* name;
    CloneRequest request;
    std::string message;
    std::function<void()> setup;
};

TEST_F(CloneTest, RefusedInThePlanUndoesBothLocks) {
    const std::vector<RefusedCase> cases = {
        {"storage for a linked clone", {.vmid = 400, .newid = 401, .storage = "tank"},
         "parameter 'storage' not allowed for linked clones", nullptr},
        {"storage with full=0", {.vmid = 100, .newid = 200, .full = false, .storage = "local"},
         "parameter 'storage' not allowed for linked clones", nullptr},
        {"missing snapshot", {.vmid = 300, .newid = 301, .snapname = "nope"}, "snapshot 'nope' does not exist",
         nullptr},
        {"bind mount point",
         {.vmid = 100, .newid = 200},
         "unable to clone mountpoint 'mp1' (type bind)",
         [this] { store_.configs[100] += "mp1: /srv/shared,mp=/shared\n"; }},
        {"device mount point",
         {.vmid = 100, .newid = 200},
         "unable to clone mountpoint 'mp1' (type device)",
         [this] { store_.configs[100] += "mp1: /dev/sdb1,mp=/disk\n"; }},
        {"running without snapshot",
         {.vmid = 100, .newid = 200},
         "Full clone of a running container is only possible from a snapshot",
         [this] { running_.insert(100); }},
        {"linked clone on dir", {.vmid = 100, .newid = 200, .full = false},
         "Linked clone feature for '" + data_ + "' is not available", nullptr},
        {"linked clone of a dir template",
         {.vmid = 100, .newid = 200},
         "Linked clone feature for '" + data_ + "' is not available",
         [this] { store_.configs[100] += "template: 1\n"; }},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.name);
        const std::string saved = store_.configs[100];
        const std::set<int> saved_running = running_;
        if (test.setup) test.setup();
        const int vmid = test.request.vmid;
        store_.configs[vmid] = write_config(config_of(vmid));  // canonical, as the lock's removal writes it
        const std::string before = store_.configs[vmid];
        store_.writes.clear();
        EXPECT_EQ(error_of(test.request), test.message);
        expect_nothing_left(test.request.newid, vmid, before);
        EXPECT_TRUE(copies_.empty());
        EXPECT_TRUE(warnings_.empty()) << warnings_.front();
        // lock: disk on the source, lock: create for the new id, both undone.
        ASSERT_GE(store_.writes.size(), 3u);
        EXPECT_THAT(store_.writes[0], HasSubstr("lock: disk"));
        EXPECT_EQ(store_.writes[1], "lock: create\n");
        store_.configs[100] = saved;
        running_ = saved_running;
    }
    EXPECT_TRUE(local().calls().empty());
    EXPECT_TRUE(tank().calls().empty());
}

// ---- failures in the task -----------------------------------------------------------

TEST_F(CloneTest, AFailedAllocationFreesTheNewVolumesAndRemovesTheNewConfig) {
    const std::string before = store_.configs[100];
    local().fail_on_nth("allocate", 2, "out of space");
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "clone failed: out of space");
    expect_nothing_left(200, 100, before);
    EXPECT_EQ(local().calls(), (Lines{"allocate 200 2097152", "allocate 200 1048576 (failed)",
                                      "free local:200/vm-200-disk-0.raw"}));
    EXPECT_TRUE(warnings_.empty());
}

TEST_F(CloneTest, AFailedCopyFreesTheVolumeItWasCopyingTo) {
    const std::string before = store_.configs[100];
    fail_copy_number_ = 2;
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "clone failed: rsync exited with status 11");
    expect_nothing_left(200, 100, before);
    EXPECT_EQ(local().calls(), (Lines{"allocate 200 2097152", "allocate 200 1048576", "free local:200/vm-200-disk-1.raw",
                                      "free local:200/vm-200-disk-0.raw"}));
    EXPECT_TRUE(mounts_.empty());
}

TEST_F(CloneTest, AFailedLinkedCloneFreesTheClonesMadeSoFar) {
    const std::string before = store_.configs[400];
    tank().fail_on_nth("clone_linked", 2, "unable to create a linked clone");
    EXPECT_EQ(error_of({.vmid = 400, .newid = 401}), "clone failed: unable to create a linked clone");
    expect_nothing_left(401, 400, before);
    EXPECT_EQ(tank().calls(), (Lines{"clone_linked " + base_rootfs_ + " 401", "clone_linked " + base_data_ + " 401 (failed)",
                                     "free tank:401/vm-401-disk-0.raw"}));
}

TEST_F(CloneTest, AFailedPostCloneMountUndoesEverything) {
    const std::string before = store_.configs[100];
    mount_fails_ = true;
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "clone failed: unable to mount the rootfs");
    expect_nothing_left(200, 100, before);
}

TEST_F(CloneTest, AFailedPostCloneSetupUndoesEverythingAfterUnmounting) {
    const std::string before = store_.configs[100];
    rootfs_fs().make_read_only("/etc");
    EXPECT_THAT(error_of({.vmid = 100, .newid = 200}), HasSubstr("clone failed: "));
    EXPECT_EQ(mounts_.back(), "unmount 200");
    expect_nothing_left(200, 100, before);
}

TEST_F(CloneTest, AFailedFreeIsAWarningAndTheRestIsStillUndone) {
    const std::string before = store_.configs[100];
    fail_copy_number_ = 2;
    local().fail_on("free", "device busy");
    EXPECT_EQ(error_of({.vmid = 100, .newid = 200}), "clone failed: rsync exited with status 11");
    EXPECT_EQ(warnings_, (Lines{"device busy", "device busy"}));
    EXPECT_FALSE(store_.configs.contains(200));
    EXPECT_EQ(store_.configs[100], before);
}

TEST_F(CloneTest, AStateChangeBeforeTheTaskIsAFailure) {
    const std::string before = store_.configs[100];
    int calls = 0;
    CloneEnvironment env = environment();
    env.is_running = [&](int) { return ++calls > 1; };  // started between the checks and the task
    try {
        clone_container(env, {.vmid = 100, .newid = 200});
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "clone failed: unexpected state change");
    }
    expect_nothing_left(200, 100, before);
}

TEST_F(CloneTest, ALostCreateLockAbortsTheTask) {
    // Someone unlocked the new CT while the volumes were being copied.
    CloneEnvironment env = environment();
    env.copy = [&](const std::string&, const std::string&, const std::string&) {
        store_.configs[200] = "hostname: other\n";
    };
    try {
        clone_container(env, {.vmid = 100, .newid = 200});
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "clone failed: Lost 'create' config lock, aborting.");
    }
    // Not ours any more: the config stays, our volume goes.
    EXPECT_EQ(store_.configs[200], "hostname: other\n");
    EXPECT_EQ(warnings_, (Lines{"Failed to remove target CT config - Lost 'create' config lock, aborting."}));
    EXPECT_TRUE(local().list(200).empty());
    EXPECT_EQ(value_of(100, "lock"), "<none>");
}

TEST_F(CloneTest, AFailedConfigWriteInTheTaskUndoesTheVolumes) {
    CloneEnvironment env = environment();
    env.copy = [&](const std::string&, const std::string&, const std::string&) { store_.fail_writes = true; };
    try {
        clone_container(env, {.vmid = 100, .newid = 200});
        ADD_FAILURE() << "no error";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "clone failed: unable to write '/etc/pve/lxc/200.conf': Read-only file system");
    }
    EXPECT_TRUE(local().list(200).empty());
    // Neither lock could be written away: both are reported.
    EXPECT_EQ(warnings_, (Lines{"Failed to remove source CT config lock - unable to write '/etc/pve/lxc/100.conf': "
                                "Read-only file system"}));
}

}  // namespace
}  // namespace pct
