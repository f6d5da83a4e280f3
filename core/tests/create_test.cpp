#include <gtest/gtest.h>

#include "core/create_executor.h"
#include "core/create_plan.h"
#include "core/error.h"
#include "fakes/fake_guest_rootfs.h"
#include "fakes/fake_storage.h"
#include "fakes/fake_template_unpacker.h"
#include "fakes/fake_volume_mounter.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_config_store.h"
#include "fakes/seeded_random.h"

namespace pct {
namespace {

const char* kStorageCfg =
    "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,images,vztmpl\n\n"
    "dir: isos\n\tpath /srv/iso\n\tcontent iso\n\n"
    "btrfs: fast\n\tpath /mnt/fast\n\tcontent rootdir\n";

class CreateTest : public ::testing::Test {
protected:
    CreateTest() : storage_config_(parse_storage_config(kStorageCfg)), storages_(storage_config_) {
        // What a Debian template unpacks to.
        unpacker_.on_unpack([this](const UnpackRequest&) {
            rootfs_.fs.add_file("/etc/debian_version", "12.5\n");
            rootfs_.fs.add_file("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
            rootfs_.fs.add_file("/etc/hostname", "template\n");
            rootfs_.fs.add_file("/etc/hosts", "127.0.0.1 localhost\n");
        });
    }

    CreatePlan plan(std::map<std::string, std::string> options, std::string ostemplate = "local:vztmpl/debian-12.tar.zst") {
        return plan_create({.vmid = 100, .ostemplate = std::move(ostemplate), .options = std::move(options)}, storage_config_,
                           facts_, random_);
    }

    CreateReport create(const CreatePlan& plan) {
        CreateEnvironment environment{.store = store_,
                                      .storages = storages_,
                                      .mounter = mounter_,
                                      .unpacker = unpacker_,
                                      .rootfs = rootfs_,
                                      .clock = clock_,
                                      .random = random_,
                                      .rootdir = "/var/lib/lxc/100/rootfs",
                                      .host_resolv_conf = "nameserver 192.0.2.53\n",
                                      .node_name = "node1"};
        return execute_create(plan, environment);
    }

    std::string create_error(const CreatePlan& plan) {
        try {
            create(plan);
        } catch (const UserError& e) {
            return e.what();
        }
        return "";
    }

    // Nothing of a failed create may remain.
    void expect_nothing_left() {
        EXPECT_FALSE(store_.read(100).has_value());
        EXPECT_TRUE(mounter_.mounted().empty());
        for (const char* id : {"local", "fast"}) EXPECT_TRUE(storages_.storage(id).volume_ids().empty()) << id;
    }

    StorageConfig storage_config_;
    FakeStorageRegistry storages_;
    HostFacts facts_;
    SeededRandom random_{7};
    FixedClock clock_{1700000000};
    MemoryConfigStore store_;
    FakeVolumeMounter mounter_;
    FakeTemplateUnpacker unpacker_;
    FakeGuestRootfs rootfs_;
};

TEST_F(CreateTest, PlanAllocatesDefaultRootfsAndIsUnprivileged) {
    CreatePlan p = plan({{"hostname", "web"}});
    ASSERT_EQ(p.mounts.size(), 1u);
    EXPECT_EQ(p.mounts[0].key, "rootfs");
    EXPECT_EQ(p.mounts[0].source, MountSource::NewVolume);
    EXPECT_EQ(p.mounts[0].storage, "local");
    EXPECT_EQ(p.mounts[0].size_kib, 4u * 1024 * 1024);
    EXPECT_TRUE(p.unprivileged);
    EXPECT_EQ(p.root_uid, 100000u);
    EXPECT_EQ(p.root_gid, 100000u);
    EXPECT_EQ(*p.config.main.get("unprivileged"), "1");
    EXPECT_EQ(p.template_storage, "local");
    EXPECT_EQ(p.template_file, "debian-12.tar.zst");
}

TEST_F(CreateTest, PlanBareSizesUseStorageAndParentsMountBeforeChildren) {
    CreatePlan p = plan({{"rootfs", "0.5"}, {"mp0", "fast:0,mp=/srv/data/db"}, {"mp1", "local:1,mp=/srv/data"},
                         {"unused0", "local:100/vm-100-disk-9.raw"}, {"unprivileged", "0"}});
    ASSERT_EQ(p.mounts.size(), 3u);
    EXPECT_EQ(p.mounts[0].mount_path, "/");
    EXPECT_EQ(p.mounts[0].size_kib, 512u * 1024);
    EXPECT_EQ(p.mounts[1].key, "mp1");
    EXPECT_EQ(p.mounts[2].key, "mp0");
    EXPECT_EQ(p.mounts[2].size_kib, 0u);
    EXPECT_FALSE(p.unprivileged);
    EXPECT_EQ(p.root_uid, 0u);
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_EQ(p.warnings[0], "ignoring 'unused0', cannot create/restore with unused volume");
}

TEST_F(CreateTest, PlanRefusesMountPointsWithoutRootfs) {
    try {
        plan({{"mp0", "local:1,mp=/data"}});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "mount points configured, but 'rootfs' not set - aborting");
    }
}

TEST_F(CreateTest, PlanReportsEveryBadOptionAtOnce) {
    try {
        plan({{"memory", "5"}, {"hostname", "bad name"}, {"rootfs", "isos:4"}, {"net0", "name=eth0,brigde=vmbr0"}});
        FAIL();
    } catch (const ParameterError& e) {
        std::string all;
        for (const auto& problem : e.problems()) all += problem + "\n";
        EXPECT_NE(all.find("memory: value must have a minimum value of 16"), std::string::npos) << all;
        EXPECT_NE(all.find("hostname: value 'bad name'"), std::string::npos) << all;
        EXPECT_NE(all.find("net0: unknown key 'brigde'"), std::string::npos) << all;
        EXPECT_NE(all.find("rootfs: storage 'isos' does not allow content type 'rootdir' (Container)"), std::string::npos) << all;
    }
}

TEST_F(CreateTest, PlanChecksTheTemplateVolume) {
    EXPECT_THROW(plan({}, "local:iso/debian.iso"), UserError);
    EXPECT_THROW(plan({}, "nosuch:vztmpl/debian-12.tar.zst"), UserError);
    EXPECT_EQ(plan({}, "/srv/templates/x.tar.gz").template_file, "/srv/templates/x.tar.gz");
}

TEST_F(CreateTest, CreatesAllocatesMountsUnpacksSetsUpAndWritesConfig) {
    CreateReport report = create(plan({{"rootfs", "local:8"}, {"mp0", "fast:0,mp=/srv"}, {"net0", "name=eth0,bridge=vmbr0,ip=dhcp"}}));

    EXPECT_EQ(storages_.calls(), (std::vector<std::string>{"allocate 100 8388608", "allocate 100 0"}));
    const auto& requests = storages_.storage("local").allocate_requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].root_uid, 100000u);
    ASSERT_EQ(unpacker_.requests().size(), 1u);
    EXPECT_EQ(unpacker_.requests()[0].archive, "/var/lib/vz/template/cache/debian-12.tar.zst");
    EXPECT_EQ(unpacker_.requests()[0].target, "/var/lib/lxc/100/rootfs");
    EXPECT_EQ(unpacker_.requests()[0].idmap, default_unprivileged_idmap());
    EXPECT_TRUE(mounter_.mounted().empty());
    EXPECT_EQ(mounter_.calls().size(), 4u);  // two mounts, two unmounts
    EXPECT_EQ(mounter_.calls()[1].substr(0, 6), "mount ");
    EXPECT_NE(mounter_.calls()[1].find("/var/lib/lxc/100/rootfs/srv"), std::string::npos);
    EXPECT_EQ(mounter_.calls()[2], "unmount /var/lib/lxc/100/rootfs/srv");

    // The guest was set up. As in Proxmox the default name CT<id> is filled in
    // after guest setup (cli.md §3.1 step 7), so the guest says "localhost"
    // until the pre-start setup of the first start writes CT100.
    EXPECT_EQ(rootfs_.fs.read("/etc/hostname"), "localhost\n");
    EXPECT_NE(rootfs_.fs.read("/etc/network/interfaces").find("iface eth0 inet dhcp"), std::string::npos);

    ASSERT_EQ(store_.configs.count(100), 1u);
    ParsedConfig written = parse_config(store_.configs[100], 100);
    const ConfigSection& main = written.config.main;
    EXPECT_EQ(*main.get("rootfs"), "local:100/vm-100-disk-0.raw,size=8G");
    EXPECT_EQ(*main.get("mp0"), "fast:100/subvol-100-disk-0.subvol,mp=/srv,size=0T");
    EXPECT_EQ(*main.get("ostype"), "debian");
    EXPECT_EQ(*main.get("hostname"), "CT100");
    EXPECT_EQ(*main.get("memory"), "512");
    EXPECT_EQ(*main.get("swap"), "512");
    EXPECT_EQ(*main.get("unprivileged"), "1");
    EXPECT_TRUE(main.has("arch"));
    EXPECT_FALSE(main.has("lock"));
    EXPECT_EQ(store_.writes.front(), "lock: create\n");
    EXPECT_EQ(report.config.main.values, main.values);
}

TEST_F(CreateTest, ExistingContainerIsRefusedBeforeAnythingHappens) {
    store_.configs[100] = "memory: 512\n";
    EXPECT_EQ(create_error(plan({})), "CT 100 already exists on node 'node1'");
    EXPECT_EQ(store_.configs[100], "memory: 512\n");
    EXPECT_TRUE(storages_.calls().empty());
}

TEST_F(CreateTest, AllocationFailureFreesWhatWasAllocated) {
    storages_.storage("fast").fail_on("allocate", "No space left on device");
    EXPECT_EQ(create_error(plan({{"rootfs", "local:8"}, {"mp0", "fast:0,mp=/srv"}})),
              "unable to create CT 100 - No space left on device");
    EXPECT_EQ(storages_.calls().back(), "free local:100/vm-100-disk-0.raw");
    expect_nothing_left();
}

TEST_F(CreateTest, MountFailureUnmountsAndFrees) {
    mounter_.fail_on_nth("mount", 2, "mount failed");
    EXPECT_EQ(create_error(plan({{"rootfs", "local:8"}, {"mp0", "local:1,mp=/srv"}})), "unable to create CT 100 - mount failed");
    expect_nothing_left();
}

TEST_F(CreateTest, BadArchiveOrDiskFullWhileUnpackingLeavesNothing) {
    for (const char* message : {"Unrecognized archive format", "write error: No space left on device"}) {
        unpacker_.fail_with(message);
        EXPECT_EQ(create_error(plan({})), std::string("unable to create CT 100 - ") + message);
        expect_nothing_left();
    }
}

TEST_F(CreateTest, GuestSetupFailureLeavesNothing) {
    unpacker_.on_unpack([this](const UnpackRequest&) { rootfs_.fs.add_file("/etc/os-release", "ID=plan9\n"); });
    EXPECT_NE(create_error(plan({})).find("unable to create CT 100 - unable to detect OS distribution"), std::string::npos);
    expect_nothing_left();
}

TEST_F(CreateTest, ConfigWriteFailureLeavesNoVolume) {
    store_.fail_writes = true;
    EXPECT_NE(create_error(plan({})).find("Read-only file system"), std::string::npos);
    expect_nothing_left();
}

TEST_F(CreateTest, LostAndFoundOfNewVolumesBelongsToTheContainerRoot) {
    rootfs_.fs.add_directory("/lost+found", 0700);
    create(plan({}));
    EXPECT_EQ(rootfs_.fs.lstat("/lost+found")->uid, 100000u);
    EXPECT_EQ(rootfs_.fs.lstat("/lost+found")->gid, 100000u);
}

TEST_F(CreateTest, PrivilegedTemplateKeepsOwners) {
    create(plan({{"unprivileged", "0"}}));
    EXPECT_TRUE(unpacker_.requests()[0].idmap.empty());
    EXPECT_EQ(rootfs_.opened.front(), "/var/lib/lxc/100/rootfs 0:0");
}

}  // namespace
}  // namespace pct
