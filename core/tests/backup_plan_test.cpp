#include <gtest/gtest.h>

#include "core/backup_plan.h"
#include "core/error.h"

namespace pct {
namespace {

const char* kStorageCfg =
    "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,images,vztmpl,backup\n\n"
    "btrfs: fast\n\tpath /mnt/fast\n\tcontent rootdir\n";

std::tm start_time() {
    std::tm t{};
    t.tm_year = 124;
    t.tm_mon = 4;
    t.tm_mday = 1;
    t.tm_hour = 10;
    t.tm_min = 2;
    t.tm_sec = 3;
    return t;
}

ContainerConfig config() {
    return parse_config(
               "hostname: web\n"
               "lock: backup\n"
               "parent: before\n"
               "rootfs: local:100/vm-100-disk-0.raw,size=1G\n"
               "mp0: local:100/vm-100-disk-1.raw,mp=/data,backup=1,size=1G\n"
               "mp1: local:100/vm-100-disk-2.raw,mp=/cache,size=1G\n"
               "mp2: /srv/shared,mp=/shared,backup=1\n"
               "unprivileged: 1\n"
               "\n[before]\nhostname: old\nrootfs: local:100/vm-100-disk-0.raw,size=1G\n",
               100)
        .config;
}

BackupPlan plan(BackupOptions options = {}, bool running = false) {
    return plan_backup(100, config(), options, parse_storage_config(kStorageCfg), running, start_time());
}

TEST(BackupPlanTest, IncludesRootfsAndBackupEnabledVolumesOnly) {
    BackupPlan p = plan();
    EXPECT_EQ(p.included_keys, (std::vector<std::string>{"rootfs", "mp0"}));
    EXPECT_EQ(p.included_paths, (std::vector<std::string>{"/", "/data"}));
    EXPECT_FALSE(p.mount_config.main.has("mp1"));
    EXPECT_FALSE(p.mount_config.main.has("mp2"));
    EXPECT_TRUE(p.mount_config.main.has("mp0"));
    EXPECT_NE(std::find(p.log.begin(), p.log.end(), "excluding volume mount point mp1 ('/cache') from backup (disabled)"),
              p.log.end());
    EXPECT_NE(std::find(p.log.begin(), p.log.end(), "excluding bind mount point mp2 ('/shared') from backup (not a volume)"),
              p.log.end());
    EXPECT_TRUE(p.unprivileged);
    EXPECT_EQ(p.mode, BackupMode::Stop);  // stopped: always like stop
}

TEST(BackupPlanTest, StoredConfigLosesLockParentSnapshotsAndPending) {
    std::string text = plan().backup_config;
    EXPECT_EQ(text.find("lock:"), std::string::npos) << text;
    EXPECT_EQ(text.find("parent:"), std::string::npos) << text;
    EXPECT_EQ(text.find("[before]"), std::string::npos) << text;
    EXPECT_NE(text.find("hostname: web"), std::string::npos) << text;
}

TEST(BackupPlanTest, NamesAndTarget) {
    BackupPlan p = plan({.compress = BackupCompression::Zstd});
    EXPECT_EQ(p.dump_dir, "/var/lib/vz/dump");
    EXPECT_EQ(p.storage, "local");
    EXPECT_EQ(p.file_name, "vzdump-lxc-100-2024_05_01-10_02_03.tar.zst");
    EXPECT_EQ(p.temp_name, "vzdump-lxc-100-2024_05_01-10_02_03.tar.dat");
    EXPECT_EQ(p.log_name, "vzdump-lxc-100-2024_05_01-10_02_03.log");
    BackupPlan plain = plan({.dumpdir = "/srv/dump"});
    EXPECT_EQ(plain.dump_dir, "/srv/dump");
    EXPECT_EQ(plain.file_name, "vzdump-lxc-100-2024_05_01-10_02_03.tar");
    EXPECT_EQ(plain.temp_name, "vzdump-lxc-100-2024_05_01-10_02_03.dat");
    EXPECT_EQ(plan({.compress = BackupCompression::Gzip}).file_name, "vzdump-lxc-100-2024_05_01-10_02_03.tar.gz");
    EXPECT_EQ(plan({}, true).mode, BackupMode::Snapshot);
}

TEST(BackupPlanTest, TargetErrors) {
    EXPECT_THROW(plan({.storage = "local", .dumpdir = "/srv"}), UserError);
    EXPECT_THROW(plan({.storage = "nosuch"}), UserError);
    try {
        plan({.storage = "fast"});
        FAIL();
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "storage 'fast' does not support backups");
    }
}

TEST(BackupPlanTest, Excludes) {
    BackupPlan p = plan({.exclude_paths = {"*.log", "/srv/cache"}});
    EXPECT_TRUE(backup_path_excluded("./tmp/x", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./tmp/x/y", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./tmp", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./var/run/sshd.pid", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./var/run/sshd", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./lost+found", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./data/lost+found", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./var/log/syslog.log", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./srv/cache", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./opt/srv/cache", p.excludes));
    EXPECT_TRUE(backup_path_excluded("./shared/file", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./shared", p.excludes));
    EXPECT_FALSE(backup_path_excluded(".", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./etc/hostname", p.excludes));
    EXPECT_FALSE(backup_path_excluded("./tmp/x", plan({.stdexcludes = false}).excludes));
    EXPECT_TRUE(backup_path_excluded("./a/b.c", {"[ab]/?.c"}));
}

TEST(BackupPlanTest, PruneKeepsTheNewest) {
    std::vector<std::string> files = {"vzdump-lxc-100-2024_05_01-10_00_00.tar.zst", "vzdump-lxc-100-2024_05_03-10_00_00.tar",
                                      "vzdump-lxc-100-2024_05_02-10_00_00.tar.gz", "vzdump-lxc-100-2024_05_02-10_00_00.log",
                                      "vzdump-lxc-101-2024_05_01-10_00_00.tar", "vzdump-lxc-100-2024_05_04-10_00_00.tar.dat"};
    EXPECT_EQ(backups_to_prune(files, 100, 1), (std::vector<std::string>{"vzdump-lxc-100-2024_05_02-10_00_00.tar.gz",
                                                                         "vzdump-lxc-100-2024_05_01-10_00_00.tar.zst"}));
    EXPECT_TRUE(backups_to_prune(files, 100, 3).empty());
}

}  // namespace
}  // namespace pct
