// Behaviour shared by every managed distribution (guest-setup.md §2-§4),
// exercised through a Debian guest.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

class GuestCommonSetup : public ::testing::Test {
protected:
    GuestCommonSetup() { guest.fs.add_file("/etc/debian_version", "12.4\n"); }
    GuestSetupHarness guest;
};

TEST_F(GuestCommonSetup, HostnameWithDomainAndSeveralSearchDomains) {
    guest.run("hostname: web.example.org\nsearchdomain: a.example b.example,c.example\nnameserver: 1.1.1.1 9.9.9.9\n"
              "net0: name=eth0,bridge=vmbr0,ip=192.0.2.10/24,gw=192.0.2.1\n");
    EXPECT_EQ(guest.file("/etc/hostname"), "web\n");
    EXPECT_EQ(guest.file("/etc/hosts"),
              "# --- BEGIN PVE ---\n127.0.0.1 localhost.localnet localhost\n::1 localhost.localnet localhost\n"
              "192.0.2.10 web.example.org web\n# --- END PVE ---\n");
    EXPECT_EQ(guest.file("/etc/resolv.conf"),
              "# --- BEGIN PVE ---\nsearch a.example b.example c.example\nnameserver 1.1.1.1\nnameserver 9.9.9.9\n"
              "# --- END PVE ---\n");
}

TEST_F(GuestCommonSetup, ShortHostnameIsQualifiedWithEverySearchDomain) {
    guest.run("hostname: ct1\nsearchdomain: a.example,b.example\n");
    EXPECT_NE(guest.file("/etc/hosts").find("127.0.1.1 ct1.a.example ct1.b.example ct1\n"), std::string::npos);
}

TEST_F(GuestCommonSetup, Ipv6PrimaryAddressWhenNet0HasNoStaticIpv4) {
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp,ip6=fd00::5/64\n");
    EXPECT_NE(guest.file("/etc/hosts").find("fd00::5 ct1.proxmox.com ct1\n"), std::string::npos);
}

TEST_F(GuestCommonSetup, RenameAndRemovedNicUpdateTheSectionsInPlace) {
    guest.fs.add_file("/etc/hosts", "127.0.0.1 localhost\n10.9.9.9 other\n");
    guest.run("hostname: old\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24\nnet1: name=eth1,bridge=vmbr0,ip=dhcp\n");
    guest.run("hostname: new\nnet1: name=eth1,bridge=vmbr0,ip=dhcp\n");
    EXPECT_EQ(guest.file("/etc/hostname"), "new\n");
    EXPECT_EQ(guest.file("/etc/hosts"),
              "127.0.0.1 localhost\n10.9.9.9 other\n# --- BEGIN PVE ---\n::1 localhost.localnet localhost\n"
              "127.0.1.1 new.proxmox.com new\n# --- END PVE ---\n");
}

TEST_F(GuestCommonSetup, IgnoreFilesProtectTargets) {
    guest.fs.add_file("/etc/.pve-ignore.resolv.conf", "");
    guest.fs.add_file("/etc/.pve-ignore.hostname", "");
    guest.fs.add_file("/etc/resolv.conf", "nameserver 127.0.0.53\n");
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/resolv.conf"), "nameserver 127.0.0.53\n");
    EXPECT_FALSE(guest.has("/etc/hostname"));
    EXPECT_TRUE(guest.has("/etc/hosts"));
}

TEST_F(GuestCommonSetup, RootPasswordKeepsModeOwnerAndOtherLines) {
    guest.fs.add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/sh\n");
    guest.fs.add_file("/etc/shadow", "root:*:1:0:99999:7:::\nuser:!:1:0:99999:7:::\n", 0640);
    guest.fs.chown("/etc/shadow", 0, 42);
    guest.inputs.root_password = RootPassword{"$6$abc$def", true};
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/shadow"), "root:$6$abc$def:19675:0:99999:7:::\nuser:!:1:0:99999:7:::\n");
    EXPECT_EQ(guest.file("/etc/passwd"), "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/sh\n");
    EXPECT_EQ(guest.fs.entry("/etc/shadow")->mode, 0640u);
    EXPECT_EQ(guest.fs.entry("/etc/shadow")->gid, 42u);
}

TEST_F(GuestCommonSetup, PlainPasswordIsHashedAndNoPasswordLocksRoot) {
    guest.fs.add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    guest.inputs.root_password = RootPassword{"secret", false};
    guest.run("hostname: ct1\n");
    EXPECT_TRUE(guest.file("/etc/passwd").starts_with("root:$6$"));
    guest.inputs.root_password.reset();
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/passwd"), "root:*:0:0:root:/root:/bin/bash\n");
}

TEST_F(GuestCommonSetup, AuthorizedKeysGoToRootsHome) {
    guest.fs.add_file("/etc/passwd", "root:x:0:0:root:/srv/root:/bin/bash\n");
    guest.fs.add_directory("/srv/root");
    guest.inputs.ssh_public_keys = "ssh-ed25519 AAAA one\nssh-ed25519 BBBB two\n";
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/srv/root/.ssh/authorized_keys"),
              "# --- BEGIN PVE ---\nssh-ed25519 AAAA one\nssh-ed25519 BBBB two\n# --- END PVE ---\n");
    EXPECT_EQ(guest.fs.entry("/srv/root/.ssh")->mode, 0700u);
    EXPECT_EQ(guest.fs.entry("/srv/root/.ssh/authorized_keys")->mode, 0700u);
}

TEST_F(GuestCommonSetup, MissingRootHomeIsAnError) {
    guest.fs.add_file("/etc/passwd", "root:x:0:0:root:/nowhere:/bin/bash\n");
    guest.inputs.ssh_public_keys = "ssh-ed25519 AAAA one\n";
    try {
        guest.run("hostname: ct1\n");
        FAIL() << "expected an error";
    } catch (const UserError& error) {
        EXPECT_STREQ(error.what(), "home directory '/nowhere' of root does not exist!");
    }
}

TEST_F(GuestCommonSetup, CrontabMinutesOfRootEntriesAcrossFiles) {
    guest.fs.add_file("/etc/crontab", "17 * * * * root run-parts /etc/cron.hourly\n*/5 * * * * root x\n");
    guest.fs.add_file("/etc/cron.d/backup", "30 2 * * * root backup\n 5 1 * * * root indented\n7 1 * * * user y\n");
    guest.fs.add_file("/etc/cron.d/skip.dpkg-old", "30 2 * * * root never\n");
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/crontab"), "10 * * * * root run-parts /etc/cron.hourly\n*/5 * * * * root x\n");
    EXPECT_EQ(guest.file("/etc/cron.d/backup"), "44 2 * * * root backup\n 5 1 * * * root indented\n7 1 * * * user y\n");
    EXPECT_EQ(guest.file("/etc/cron.d/skip.dpkg-old"), "30 2 * * * root never\n");
}

TEST_F(GuestCommonSetup, MachineIdIsRemovedOnCreateAndEmptiedOnClone) {
    guest.fs.add_file("/usr/lib/systemd/systemd", "", 0755);
    guest.fs.add_file("/etc/machine-id", "0123456789abcdef\n");
    guest.fs.add_file("/var/lib/dbus/machine-id", "0123456789abcdef\n");
    guest.inputs.operation = GuestSetupOperation::PostClone;
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/machine-id"), "\n");
    EXPECT_FALSE(guest.has("/var/lib/dbus/machine-id"));
    EXPECT_FALSE(guest.has("/etc/hostname"));  // a clone changes nothing else

    guest.inputs.operation = GuestSetupOperation::PostCreate;
    guest.run("hostname: ct1\n");
    EXPECT_FALSE(guest.has("/etc/machine-id"));
}

TEST_F(GuestCommonSetup, TimezoneLinksLocaltimeAndUpdatesEtcTimezone) {
    guest.fs.add_file("/usr/share/zoneinfo/Europe/Vienna", "TZif");
    guest.fs.add_file("/etc/timezone", "Etc/UTC\n");
    guest.fs.add_symlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
    guest.run("hostname: ct1\ntimezone: Europe/Vienna\n");
    EXPECT_EQ(guest.fs.entry("/etc/localtime")->data, "/usr/share/zoneinfo/Europe/Vienna");
    EXPECT_EQ(guest.file("/etc/timezone"), "Europe/Vienna\n");
    EXPECT_FALSE(guest.has("/localtime.pct.new.tmpfile"));

    auto report = guest.run("hostname: ct1\ntimezone: Mars/Olympus\n");
    EXPECT_EQ(report.warnings.back(), "container does not have /usr/share/zoneinfo/Mars/Olympus, timezone can not be modified");
}

TEST_F(GuestCommonSetup, HostTimezoneUsesTheHostFacts) {
    guest.fs.add_file("/usr/share/zoneinfo/America/Chicago", "TZif");
    guest.fs.add_file("/etc/timezone", "Etc/UTC\n");
    guest.inputs.host_timezone = HostTimezone{"/usr/share/zoneinfo/America/Chicago", "America/Chicago"};
    guest.run("hostname: ct1\ntimezone: host\n");
    EXPECT_EQ(guest.fs.entry("/etc/localtime")->data, "/usr/share/zoneinfo/America/Chicago");
    EXPECT_EQ(guest.file("/etc/timezone"), "America/Chicago\n");
}

TEST_F(GuestCommonSetup, PreStartWritesFastbootButNoCreateOnlyFiles) {
    guest.fs.add_file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    guest.fs.add_directory("/root");
    guest.fs.add_file("/etc/crontab", "17 * * * * root x\n");
    guest.inputs.operation = GuestSetupOperation::PreStart;
    guest.inputs.ssh_public_keys = "ssh-ed25519 AAAA\n";
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/fastboot"), "");
    EXPECT_EQ(guest.file("/etc/crontab"), "17 * * * * root x\n");
    EXPECT_EQ(guest.file("/etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    EXPECT_FALSE(guest.has("/root/.ssh"));
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1\n");
}

TEST_F(GuestCommonSetup, SshHostKeysArePlannedOnlyWithEtcSsh) {
    EXPECT_FALSE(guest.run("hostname: ct1.example.com\n").ssh_host_keys);
    guest.fs.add_directory("/etc/ssh");
    auto report = guest.run("hostname: ct1.example.com\n");
    ASSERT_TRUE(report.ssh_host_keys);
    EXPECT_EQ(report.ssh_host_keys->key_types, (std::vector<std::string>{"rsa", "ecdsa", "ed25519"}));
    EXPECT_EQ(report.ssh_host_keys->comment, "root@ct1");
}

TEST_F(GuestCommonSetup, ArchitectureFromBinShUnlessConfigured) {
    std::string header(64, '\0');
    header.replace(0, 4, "\x7f" "ELF");
    header[18] = static_cast<char>(0xb7);
    guest.fs.add_file("/usr/bin/dash", header, 0755);
    guest.fs.add_symlink("/bin/sh", "../usr/bin/dash");
    EXPECT_EQ(guest.run("hostname: ct1\n").detected_arch, "arm64");
    EXPECT_FALSE(guest.run("hostname: ct1\narch: amd64\n").detected_arch);
    guest.fs.remove("/usr/bin/dash");
    auto report = guest.run("hostname: ct1\n");
    EXPECT_EQ(report.detected_arch, "amd64");
    EXPECT_TRUE(report.warnings.front().starts_with("Architecture detection failed: "));
}

TEST_F(GuestCommonSetup, UnprivilegedContainersGetFilesOwnedByTheMappedRoot) {
    GuestSetupHarness unprivileged(MemoryGuestFs::Owner{100000, 100000});
    unprivileged.fs.add_file("/etc/debian_version", "12.4\n");
    unprivileged.fs.add_directory("/root");
    unprivileged.inputs.ssh_public_keys = "ssh-ed25519 AAAA\n";
    unprivileged.run("hostname: ct1\nunprivileged: 1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    for (const char* path : {"/etc/hostname", "/etc/hosts", "/etc/network", "/etc/network/interfaces", "/root/.ssh"}) {
        EXPECT_EQ(unprivileged.fs.entry(path)->uid, 100000u) << path;
        EXPECT_EQ(unprivileged.fs.entry(path)->gid, 100000u) << path;
    }
}

TEST_F(GuestCommonSetup, ReadOnlyEtcIsAClearErrorAndChangesNothing) {
    guest.fs.add_directory("/root");
    guest.inputs.ssh_public_keys = "ssh-ed25519 AAAA\n";
    guest.fs.make_read_only("/etc");
    auto before = guest.fs.entries();
    try {
        guest.run("hostname: ct1\n");
        FAIL() << "expected an error";
    } catch (const UserError& error) {
        EXPECT_STREQ(error.what(), "/etc in the container is not writable (read-only file system?)");
    }
    EXPECT_EQ(guest.fs.entries(), before);
}

TEST_F(GuestCommonSetup, ReadOnlyFileFailsWithItsName) {
    guest.fs.add_file("/etc/crontab", "1 * * * * root x\n");
    guest.fs.make_read_only("/etc/crontab");
    try {
        guest.run("hostname: ct1\n");
        FAIL() << "expected an error";
    } catch (const GuestFsError& error) {
        EXPECT_STREQ(error.what(), "unable to modify '/etc/crontab': Read-only file system");
    }
}

}  // namespace
}  // namespace pct::guest::testing

namespace pct::guest::testing {
namespace {

TEST(GuestInitSystem, NestingWarningAndCgroupV2CompatibilityFromSystemdVersion) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "12.4\n");
    guest.fs.add_symlink("/sbin/init", "../lib/systemd/systemd");
    guest.fs.add_symlink("/lib", "usr/lib");
    std::string binary = std::string("\x7f" "ELF") + std::string(2, '\0') + "libsystemd-shared-252.so" + '\0';
    guest.fs.add_file("/usr/lib/systemd/systemd", binary, 0755);
    auto report = guest.run("hostname: ct1\n");
    EXPECT_EQ(report.warnings.back(), "Systemd 252 detected. You may need to enable nesting.");
    EXPECT_EQ(report.cgroup_v2_compatible, true);

    report = guest.run("hostname: ct1\nfeatures: nesting=1\n");
    for (const auto& warning : report.warnings) EXPECT_EQ(warning.find("Systemd 252"), std::string::npos);

    guest.fs.add_file("/usr/lib/systemd/systemd", std::string("libsystemd-shared-219.so"), 0755);
    guest.inputs.operation = GuestSetupOperation::PreStart;
    EXPECT_EQ(guest.run("hostname: ct1\n").cgroup_v2_compatible, false);
}

TEST(GuestInitSystem, InitLinkLoopIsAnError) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "12.4\n");
    guest.fs.add_symlink("/sbin/init", "/sbin/init2");
    guest.fs.add_symlink("/sbin/init2", "/sbin/init");
    EXPECT_THROW(guest.run("hostname: ct1\n"), UserError);
}

}  // namespace
}  // namespace pct::guest::testing
