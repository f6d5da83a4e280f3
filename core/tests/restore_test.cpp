#include <gtest/gtest.h>

#include "core/create_executor.h"
#include "core/error.h"
#include "core/restore_plan.h"
#include "fakes/fake_guest_rootfs.h"
#include "fakes/fake_storage.h"
#include "fakes/fake_template_unpacker.h"
#include "fakes/fake_volume_mounter.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_config_store.h"
#include "fakes/seeded_random.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

const char* kStorageCfg =
    "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,images,vztmpl,backup\n\n"
    "btrfs: fast\n\tpath /mnt/fast\n\tcontent rootdir\n";

const char* kBackupConfig =
    "arch: amd64\n"
    "hostname: web\n"
    "memory: 1024\n"
    "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp\n"
    "ostype: debian\n"
    "rootfs: local:100/vm-100-disk-0.raw,size=8G\n"
    "mp0: local:100/vm-100-disk-1.raw,mp=/srv/data,backup=1,size=512M\n"
    "mp1: /host/shared,mp=/shared\n"
    "unprivileged: 1\n"
    "unused0: local:100/vm-100-disk-7.raw\n"
    "lxc.apparmor.profile: unconfined\n";

const char* kArchive = "/var/lib/vz/dump/vzdump-lxc-100-2024_05_01-10_00_00.tar.zst";

class RestoreTest : public ::testing::Test {
protected:
    RestoreTest() : storage_config_(parse_storage_config(kStorageCfg)), storages_(storage_config_) {
        unpacker_.on_unpack([this](const UnpackRequest&) {
            rootfs_.fs.add_file("/etc/debian_version", "12.5\n");
            rootfs_.fs.add_file("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
            rootfs_.fs.add_file("/etc/vzdump/pct.conf", kBackupConfig);
            rootfs_.fs.add_file("/etc/vzdump/pct.fw", firewall_);
        });
    }

    CreatePlan plan(std::map<std::string, std::string> options, std::optional<std::string> backup = kBackupConfig,
                    bool force = false, bool unique = false, std::string storage = "local") {
        return plan_restore({.vmid = 200,
                             .archive = "local:backup/vzdump-lxc-100-2024_05_01-10_00_00.tar.zst",
                             .options = std::move(options),
                             .storage = std::move(storage),
                             .force = force,
                             .unique = unique},
                            backup, storage_config_, facts_, random_);
    }

    CreateReport restore(const CreatePlan& plan) {
        CreateEnvironment environment{.store = store_,
                                      .storages = storages_,
                                      .mounter = mounter_,
                                      .unpacker = unpacker_,
                                      .rootfs = rootfs_,
                                      .clock = clock_,
                                      .random = random_,
                                      .rootdir = "/var/lib/lxc/200/rootfs",
                                      .node_name = "node1",
                                      .is_running = [this](int) { return running_; },
                                      .store_firewall = [this](int, const std::optional<std::string>& rules) {
                                          firewall_stored_ = rules;
                                      }};
        return execute_create(plan, environment);
    }


    ConfigSection written() { return parse_config(store_.configs.at(200), 200).config.main; }

    StorageConfig storage_config_;
    FakeStorageRegistry storages_;
    HostFacts facts_;
    SeededRandom random_{7};
    FixedClock clock_{1700000000};
    MemoryConfigStore store_;
    FakeVolumeMounter mounter_;
    FakeTemplateUnpacker unpacker_;
    FakeGuestRootfs rootfs_;
    std::string firewall_ = "[OPTIONS]\nenable: 1\n";
    std::optional<std::string> firewall_stored_;
    bool running_ = false;
};

TEST_F(RestoreTest, ArchiveVolumeResolvesToTheDumpDirectory) {
    EXPECT_EQ(resolve_backup_archive("local:backup/vzdump-lxc-100-2024_05_01-10_00_00.tar.zst", storage_config_), kArchive);
    EXPECT_EQ(resolve_backup_archive("/srv/x.tar", storage_config_), "/srv/x.tar");
    EXPECT_THROW(resolve_backup_archive("local:vztmpl/debian.tar.zst", storage_config_), UserError);
    EXPECT_THROW(resolve_backup_archive("-", storage_config_), UserError);
}

TEST_F(RestoreTest, SimpleModeRecreatesVolumesWithTheirSizeOnStorage) {
    CreatePlan p = plan({}, kBackupConfig, false, false, "fast");
    ASSERT_EQ(p.mounts.size(), 2u);
    EXPECT_EQ(p.mounts[0].key, "rootfs");
    EXPECT_EQ(p.mounts[0].storage, "fast");
    EXPECT_EQ(p.mounts[0].size_kib, 8u * 1024 * 1024);
    EXPECT_EQ(p.mounts[1].key, "mp0");
    EXPECT_EQ(p.mounts[1].size_kib, 512u * 1024);
    EXPECT_EQ(p.mounts[1].options.at("backup"), "1");
    EXPECT_EQ(p.mounts[1].mount_path, "/srv/data");
    EXPECT_EQ(p.template_file, kArchive);
    ASSERT_TRUE(p.restore);
    EXPECT_EQ(p.restore->late_mounts.at("mp1"), "/host/shared,mp=/shared");
    EXPECT_TRUE(p.unprivileged);  // taken from the backup
}

TEST_F(RestoreTest, UnprivilegedGivenOverridesTheBackup) {
    EXPECT_FALSE(plan({{"unprivileged", "0"}}).unprivileged);
    EXPECT_FALSE(plan({}, "rootfs: local:100/vm-100-disk-0.raw,size=1G\n").unprivileged);
}

TEST_F(RestoreTest, SimpleModeErrors) {
    EXPECT_EQ(user_error_of([&] { plan({}, std::nullopt); }), "ERROR: archive contains no configuration file");
    EXPECT_EQ(user_error_of([&] { plan({}, "memory: 512\n"); }),
              "rootfs configuration could not be recovered, please check and specify manually!");
    EXPECT_EQ(user_error_of([&] { plan({}, "rootfs: local:100/vm-100-disk-0.raw\n"); }),
              "unable to detect disk size - please specify rootfs (size)");
    EXPECT_EQ(user_error_of([&] { plan({}, "rootfs: /srv/root\n"); }),
              "restoring rootfs to bind mount is only possible by specifying -rootfs manually!");
}

TEST_F(RestoreTest, BackedUpBindMountWithBackupFlagWarns) {
    CreatePlan p = plan({}, "rootfs: local:100/vm-100-disk-0.raw,size=1G\nmp0: /srv/x,mp=/x,backup=1\n");
    ASSERT_FALSE(p.warnings.empty());
    EXPECT_NE(p.warnings[0].find("mp0"), std::string::npos);
}

TEST_F(RestoreTest, AdvancedModeTakesExactlyTheGivenMountPoints) {
    CreatePlan p = plan({{"rootfs", "fast:2"}});
    ASSERT_EQ(p.mounts.size(), 1u);
    EXPECT_EQ(p.mounts[0].storage, "fast");
    EXPECT_EQ(p.mounts[0].size_kib, 2u * 1024 * 1024);
    EXPECT_TRUE(p.restore->late_mounts.empty());
    // Without a config in the archive: fine once unprivileged is given too.
    EXPECT_EQ(user_error_of([&] { plan({{"rootfs", "fast:2"}}, std::nullopt); }), "ERROR: archive contains no configuration file");
    EXPECT_FALSE(plan({{"rootfs", "fast:2"}, {"unprivileged", "1"}}, std::nullopt).restore->backup);
}

TEST_F(RestoreTest, RestoreMergesTheBackupConfigAndCleansTheGuest) {
    CreateReport report = restore(plan({{"memory", "2048"}}));
    ConfigSection main = written();
    EXPECT_EQ(*main.get("rootfs"), "local:200/vm-200-disk-0.raw,size=8G");
    EXPECT_EQ(*main.get("mp0"), "local:200/vm-200-disk-1.raw,mp=/srv/data,backup=1,size=512M");
    EXPECT_EQ(*main.get("mp1"), "/host/shared,mp=/shared");
    EXPECT_EQ(*main.get("memory"), "2048");  // given wins
    EXPECT_EQ(*main.get("hostname"), "web");
    EXPECT_EQ(*main.get("net0"), "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp");
    EXPECT_EQ(*main.get("unprivileged"), "1");
    EXPECT_FALSE(main.has("unused0"));
    EXPECT_FALSE(main.has("lock"));
    ASSERT_EQ(main.lxc.size(), 1u);
    EXPECT_EQ(main.lxc[0].first, "lxc.apparmor.profile");
    EXPECT_FALSE(rootfs_.fs.lstat("/etc/vzdump/pct.conf"));
    EXPECT_FALSE(rootfs_.fs.lstat("/etc/vzdump/pct.fw"));
    EXPECT_EQ(firewall_stored_, firewall_);
    ASSERT_EQ(unpacker_.requests().size(), 1u);
    EXPECT_EQ(unpacker_.requests()[0].archive, kArchive);
    EXPECT_EQ(unpacker_.requests()[0].idmap, default_unprivileged_idmap());
    EXPECT_EQ(report.notes.front(), std::string("restoring '") + kArchive + "' now..");
    EXPECT_TRUE(mounter_.mounted().empty());
}

TEST_F(RestoreTest, UniqueGivesNewMacs) {
    restore(plan({}, kBackupConfig, false, true));
    std::string net0 = *written().get("net0");
    EXPECT_EQ(net0.find("BC:24:11:00:00:01"), std::string::npos) << net0;
    EXPECT_NE(net0.find("hwaddr=BC:24:11:"), std::string::npos) << net0;
    EXPECT_NE(net0.find("bridge=vmbr0"), std::string::npos) << net0;
}

TEST_F(RestoreTest, EmptyFirewallFileIsNotCopied) {
    firewall_ = "";
    restore(plan({}));
    EXPECT_FALSE(firewall_stored_);
    EXPECT_FALSE(rootfs_.fs.lstat("/etc/vzdump/pct.fw"));
}

TEST_F(RestoreTest, ExistingContainerNeedsForceAndIsReplaced) {
    std::string old_rootfs = storages_.storage("local").allocate({.vmid = 200, .size_kib = 1024});
    store_.configs[200] = "rootfs: " + old_rootfs + ",size=1M\nmemory: 256\n";
    EXPECT_EQ(user_error_of([&] { restore(plan({})); }), "CT 200 already exists on node 'node1'");

    running_ = true;
    EXPECT_EQ(user_error_of([&] { restore(plan({}, kBackupConfig, true)); }), "can't overwrite running container");
    running_ = false;

    store_.configs[200] = "rootfs: " + old_rootfs + ",size=1M\nprotection: 1\n";
    EXPECT_EQ(user_error_of([&] { restore(plan({}, kBackupConfig, true)); }), "unable to restore CT 200 - protection mode enabled");
    store_.configs[200] = "rootfs: " + old_rootfs + ",size=1M\nlock: backup\n";
    EXPECT_EQ(user_error_of([&] { restore(plan({}, kBackupConfig, true)); }), "CT is locked (backup)");

    store_.configs[200] = "rootfs: " + old_rootfs + ",size=1M\nmemory: 256\n";
    restore(plan({}, kBackupConfig, true));
    ConfigSection main = written();
    EXPECT_EQ(*main.get("memory"), "1024");
    EXPECT_NE(*main.get("rootfs"), old_rootfs + ",size=1M");
    auto volumes = storages_.storage("local").volume_ids();
    EXPECT_EQ(std::count(volumes.begin(), volumes.end(), old_rootfs), 0);
    EXPECT_EQ(volumes.size(), 2u);
}

TEST_F(RestoreTest, ForceFailingBeforeAllocationKeepsTheOldContainer) {
    std::string old_config = "memory: 256\nrootfs: local:200/vm-200-disk-0.raw,size=1M\n";
    store_.configs[200] = old_config;
    storages_.storage("local").fail_on("allocate", "No space left on device");
    EXPECT_EQ(user_error_of([&] { restore(plan({}, kBackupConfig, true)); }),
              "unable to restore CT 200 - No space left on device");
    EXPECT_EQ(store_.configs.at(200), old_config);
}

TEST_F(RestoreTest, FailureLeavesNothing) {
    unpacker_.fail_with("Truncated tar archive");
    EXPECT_EQ(user_error_of([&] { restore(plan({})); }), "unable to restore CT 200 - Truncated tar archive");
    EXPECT_FALSE(store_.read(200));
    EXPECT_TRUE(mounter_.mounted().empty());
    EXPECT_TRUE(storages_.storage("local").volume_ids().empty());
    EXPECT_FALSE(firewall_stored_);
}

TEST_F(RestoreTest, TemplateBackupIsConvertedBack) {
    std::string config = "hostname: base\nrootfs: local:100/base-100-disk-0.raw,size=1G\nunprivileged: 1\ntemplate: 1\n";
    CreateReport report = restore(plan({}, config));
    ConfigSection main = written();
    EXPECT_EQ(*main.get("template"), "1");
    EXPECT_NE(main.get("rootfs")->find("base-200-disk-"), std::string::npos) << *main.get("rootfs");
    EXPECT_EQ(report.notes.back(), "Convert restored container to template...");
}

}  // namespace
}  // namespace pct
