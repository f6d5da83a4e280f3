// Debian, Devuan and Ubuntu (guest-setup.md §6.1-§6.3).
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

TEST(GuestDebian, VersionChecks) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"3.1\n", "Container Debian version '3' is too old"},
        {"lenny\n", "unable to parse version info 'lenny'"},
    };
    for (const auto& [version, message] : cases) {
        GuestSetupHarness guest;
        guest.fs.add_file("/etc/debian_version", version);
        EXPECT_EQ(error_of(guest, "hostname: ct1\n"), message);
    }
    GuestSetupHarness newer;
    newer.fs.add_file("/etc/debian_version", "duke/sid\n");
    auto report = newer.run("hostname: ct1\n");
    EXPECT_TRUE(report.warnings.back().starts_with("The container's Debian version '15' is newer than the tested"));
}

TEST(GuestDebian, SystemdGuestsGetGettyUnitsAndPresets) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "12.4\n");
    guest.fs.add_symlink("/sbin/init", "/lib/systemd/systemd");
    guest.fs.add_file("/lib/systemd/systemd", "", 0755);
    guest.fs.add_file("/lib/systemd/system/container-getty@.service", "ExecStart=-/sbin/agetty pts/%I\nTTYPath=/dev/pts/%I\n");
    guest.fs.add_directory("/etc/systemd/system/getty.target.wants");
    guest.fs.add_symlink("/etc/systemd/system/getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service");
    guest.fs.add_symlink("/etc/systemd/system/getty.target", "/dev/null");
    guest.run("hostname: ct1\ntty: 3\n");

    EXPECT_EQ(guest.file("/lib/systemd/system/container-getty@.service"),
              "ExecStart=-/sbin/agetty tty%I\nTTYPath=/dev/tty%I\n");
    EXPECT_FALSE(guest.has("/etc/systemd/system/getty.target.wants/getty@tty1.service"));
    EXPECT_FALSE(guest.has("/etc/systemd/system/getty.target"));
    for (int i = 1; i <= 6; ++i) {
        std::string link = "/etc/systemd/system/getty.target.wants/container-getty@" + std::to_string(i) + ".service";
        if (i <= 3) {
            EXPECT_EQ(guest.fs.entry(link)->data, "/lib/systemd/system/container-getty@.service");
        } else {
            EXPECT_FALSE(guest.has(link));
        }
    }
    EXPECT_EQ(guest.file("/etc/systemd/system-preset/00-pve.preset"),
              "# Added by PVE at create-time for first-boot configuration.\n"
              "enable container-getty@.service\ndisable getty@.service\ndisable sys-kernel-config.mount\n"
              "disable sys-kernel-debug.mount\ndisable systemd-networkd.service\n");
}

TEST(GuestDebian, SnakeoilKeyIsReplacedByAFirstBootUnit) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "12.4\n");
    guest.fs.add_symlink("/sbin/init", "/lib/systemd/systemd");
    guest.fs.add_file("/etc/ssl/private/ssl-cert-snakeoil.key", "KEY");
    guest.run("hostname: ct1\n");
    EXPECT_FALSE(guest.has("/etc/ssl/private/ssl-cert-snakeoil.key"));
    EXPECT_NE(guest.file("/etc/systemd/system/proxmox-regenerate-snakeoil.service")
                  .find("ExecStart=make-ssl-cert -f generate-default-snakeoil\n"),
              std::string::npos);
    EXPECT_EQ(guest.fs.entry("/etc/systemd/system/first-boot-complete.target.wants/proxmox-regenerate-snakeoil.service")->data,
              "/etc/systemd/system/proxmox-regenerate-snakeoil.service");

    GuestSetupHarness sysv;
    sysv.fs.add_file("/etc/debian_version", "9.1\n");
    sysv.fs.add_file("/etc/ssl/private/ssl-cert-snakeoil.key", "KEY");
    auto report = sysv.run("hostname: ct1\n");
    EXPECT_FALSE(sysv.has("/etc/ssl/private/ssl-cert-snakeoil.key"));
    EXPECT_EQ(report.warnings.back(), "Run `make-ssl-cert generate-default-snakeoil -f` to regenerate it!");
}

TEST(GuestDebian, Debian10UsesCidrAddresses) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "10.13\n");
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.2/24,gw=10.0.0.1,ip6=dhcp\n");
    EXPECT_EQ(guest.file("/etc/network/interfaces"),
              "auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n"
              "auto eth0\niface eth0 inet static\n\taddress 10.0.0.2/24\n\tgateway 10.0.0.1\n\n"
              "iface eth0 inet6 dhcp\n\n");
}

TEST(GuestDevuan, CodenamesAndClassicAddresses) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/devuan_version", "Daedalus\n");
    auto report = guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.2/24\n");
    EXPECT_EQ(report.os_type, "devuan");
    EXPECT_NE(guest.file("/etc/network/interfaces").find("\taddress 10.0.0.2\n\tnetmask 255.255.255.0\n"),
              std::string::npos);

    GuestSetupHarness unknown;
    unknown.fs.add_file("/etc/devuan_version", "freia\n");
    EXPECT_EQ(error_of(unknown, "hostname: ct1\n"), "unsupported Devuan version 'freia'");
}

GuestSetupHarness ubuntu(const std::string& release) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=" + release + "\n");
    guest.fs.add_file("/etc/debian_version", "bookworm/sid\n");
    return guest;
}

TEST(GuestUbuntu, VersionChecks) {
    auto ancient = ubuntu("13.04");
    EXPECT_EQ(error_of(ancient, "hostname: ct1\n"), "unsupported ancient Ubuntu version '13.04'");
    auto odd = ubuntu("24.05");
    auto report = odd.run("hostname: ct1\n");
    EXPECT_EQ(report.os_type, "ubuntu");
    EXPECT_TRUE(report.warnings.back().starts_with("The container's Ubuntu version '24.05' is not in the list"));

    GuestSetupHarness other;
    other.fs.add_file("/etc/os-release", "ID=ubuntu\n");
    other.fs.add_file("/etc/lsb-release", "DISTRIB_ID=Mint\n");
    EXPECT_EQ(error_of(other, "hostname: ct1\n"), "got unknown DISTRIB_ID");
}

TEST(GuestUbuntu, NetworkdFromArtfulWithNetplanRemoved) {
    auto guest = ubuntu("20.04");
    guest.fs.add_file("/etc/netplan/10-lxc.yaml", "network: {}\n");
    guest.fs.add_directory("/etc/systemd/system");
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp,ip6=auto\n");
    EXPECT_FALSE(guest.has("/etc/netplan/10-lxc.yaml"));
    EXPECT_EQ(guest.fs.entry("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service")->data,
              "/lib/systemd/system/systemd-networkd.service");
    EXPECT_EQ(guest.file("/etc/systemd/network/eth0.network"),
              "[Match]\nName = eth0\n\n[Network]\nDescription = Interface eth0 autoconfigured by PVE\n"
              "DHCP = ipv4\nIPv6AcceptRA = true\n");
    EXPECT_FALSE(guest.has("/etc/network/interfaces"));
    EXPECT_FALSE(guest.has("/etc/systemd/system-preset/00-pve.preset"));
}

TEST(GuestUbuntu, LunarAndLaterUsePresetsInsteadOfLinks) {
    auto guest = ubuntu("24.04");
    guest.fs.add_directory("/etc/systemd/system");
    guest.run("hostname: ct1\n");
    EXPECT_FALSE(guest.has("/etc/systemd/system/multi-user.target.wants"));
    EXPECT_NE(guest.file("/etc/systemd/system-preset/00-pve.preset").find("enable systemd-networkd.service\n"),
              std::string::npos);
}

TEST(GuestUbuntu, UpstartTtyJobsFor1404) {
    auto guest = ubuntu("14.04");
    guest.fs.add_directory("/etc/init");
    guest.fs.add_file("/etc/init/tty5.conf", "old\n");
    guest.run("hostname: ct1\ntty: 3\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.2/24\n");
    EXPECT_NE(guest.file("/etc/init/tty3.conf").find("exec /sbin/getty -8 38400 tty3\n"), std::string::npos);
    EXPECT_FALSE(guest.has("/etc/init/tty4.conf"));
    EXPECT_FALSE(guest.has("/etc/init/tty5.conf"));
    EXPECT_NE(guest.file("/etc/network/interfaces").find("\tnetmask 255.255.255.0\n"), std::string::npos);
}

TEST(GuestUbuntu, XenialSecurettyAndPreciseUdev) {
    auto xenial = ubuntu("16.04");
    xenial.fs.add_file("/etc/securetty", "console");
    xenial.run("hostname: ct1\n");
    EXPECT_EQ(xenial.file("/etc/securetty"), "console\npts/0\n");

    auto precise = ubuntu("12.04");
    precise.fs.add_directory("/etc/init");
    precise.fs.add_file("/etc/udev/udev.conf", "udev_log=\"err\"\nx=\"err\"\n");
    precise.run("hostname: ct1\n");
    EXPECT_EQ(precise.file("/etc/udev/udev.conf"), "udev_log=0\nx=\"err\"\n");
}

}  // namespace
}  // namespace pct::guest::testing
