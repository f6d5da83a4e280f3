// openSUSE/SLES, Alpine, Arch Linux, Gentoo and NixOS (guest-setup.md §6.7-§6.11).
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

GuestSetupHarness suse(const std::string& os_release) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/os-release", os_release);
    return guest;
}

TEST(GuestSuse, ReleaseChecks) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ID=opensuse\nVERSION_ID=\"13.1\"\n", "<no error>"},
        {"ID=opensuse\nVERSION_ID=\"14.1\"\n", "unsupported suse release '14.1'"},
        {"ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\n", "<no error>"},
        {"ID=\"opensuse-leap\"\nVERSION_ID=\"16.0\"\n", "<no error>"},
        {"ID=\"sles\"\nVERSION_ID=\"12.5\"\n", "<no error>"},
        {"ID=opensuse\nVERSION_ID=\"12.5\"\n", "unsupported suse release '12.5'"},
        {"ID=\"opensuse-slowroll\"\nVERSION_ID=\"20240101\"\n", "<no error>"},
        {"ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20161301\"\n", "unsupported suse tumbleweed release '20161301'"},
        {"ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"rolling\"\n", "unrecognized suse release"},
    };
    for (const auto& [os_release, message] : cases) {
        auto guest = suse(os_release);
        EXPECT_EQ(error_of(guest, "hostname: ct1\n"), message) << os_release;
    }
}

TEST(GuestSuse, TemplateFixupAndRoutesForSeveralNics) {
    auto guest = suse("ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\n");
    guest.fs.add_file("/usr/lib/systemd/systemd-networkd", "", 0755);
    guest.run("hostname: ct1\n"
              "net0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.9.0.1,ip6=fd00::5/64,gw6=fd00:1::1\n"
              "net1: name=eth1,bridge=vmbr0,ip6=auto\n"
              "net2: name=eth2,bridge=vmbr0,ip=dhcp,ip6=dhcp\n");
    EXPECT_EQ(guest.file("/etc/locale.conf"), "LANG=C.utf8");
    EXPECT_EQ(guest.fs.entry("/etc/localtime")->data, "/usr/share/zoneinfo/UTC");
    EXPECT_EQ(guest.file("/etc/sysconfig/network/ifcfg-eth0"),
              "STARTMODE=onboot\nBOOTPROTO=static\nIPADDR_1=10.0.0.5/24\nIPADDR_2=fd00::5/64\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network/ifroute-eth0"),
              "# --- BEGIN PVE ---\n10.9.0.1 0.0.0.0 255.255.255.255 eth0\ndefault 10.9.0.1 0.0.0.0 eth0\n"
              "fd00:1::1/128 - - eth0\ndefault fd00:1::1 - eth0\n# --- END PVE ---\n");
    EXPECT_FALSE(guest.has("/etc/sysconfig/network/ifcfg-eth1"));  // SLAAC only: left to the guest
    EXPECT_EQ(guest.file("/etc/sysconfig/network/ifcfg-eth2"), "STARTMODE=onboot\nBOOTPROTO=dhcp\n");
    EXPECT_TRUE(guest.has("/etc/systemd/network/eth1.network"));  // networkd as well
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1\n");
}

TEST(GuestAlpine, InittabAndIpv6DhcpBecomesManual) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/alpine-release", "3.19.1\n");
    guest.fs.add_file("/etc/inittab", "::sysinit:/sbin/openrc sysinit\ntty1::respawn:/sbin/getty 38400 tty1\n"
                                      "tty5::respawn:/sbin/getty 38400 tty5\n");
    guest.fs.add_directory("/etc/runlevels/boot");
    guest.fs.add_file("/etc/securetty", "console\n");
    guest.run("hostname: ct1\ntty: 1\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.5/24,ip6=dhcp\n");
    EXPECT_EQ(guest.file("/etc/inittab"), "::sysinit:/sbin/openrc sysinit\ntty1::respawn:/sbin/getty 38400 tty1\n");
    EXPECT_EQ(guest.fs.entry("/etc/runlevels/boot/networking")->data, "/etc/init.d/networking");
    EXPECT_FALSE(guest.has("/etc/runlevels/shutdown"));
    EXPECT_EQ(guest.file("/etc/securetty"), "console\ntty1\ntty2\ntty3\ntty4\n");
    EXPECT_EQ(guest.file("/etc/network/interfaces"),
              "auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n"
              "auto eth0\niface eth0 inet static\n\taddress 10.0.0.5/24\n\niface eth0 inet6 manual\n\n");
}

TEST(GuestArch, NetworkdPresetsAndGettys) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/os-release", "ID=arch\n");
    guest.fs.add_file("/usr/lib/systemd/system/container-getty@.service", "TTYPath=/dev/pts/%I\n");
    guest.fs.add_directory("/etc/systemd/system/getty.target.wants");
    auto report = guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    EXPECT_EQ(report.os_type, "archlinux");
    EXPECT_EQ(guest.file("/usr/lib/systemd/system/container-getty@.service"), "TTYPath=/dev/lxc/tty%I\n");
    EXPECT_TRUE(guest.has("/etc/systemd/system/getty.target.wants/container-getty@2.service"));
    EXPECT_NE(guest.file("/etc/systemd/system-preset/00-pve.preset").find("enable systemd-networkd.service\n"),
              std::string::npos);
    EXPECT_TRUE(guest.has("/etc/systemd/network/eth0.network"));
}

TEST(GuestGentoo, NetifrcHostnameAndInittab) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/gentoo-release", "Gentoo Base System release 2.14\n");
    guest.fs.add_file("/etc/inittab", "id:3:initdefault:\nc1:12345:respawn:/sbin/agetty 38400 tty1 linux\n");
    guest.fs.add_file("/etc/conf.d/net", "# default\n");
    guest.fs.add_file("/etc/conf.d/hostname", "hostname=\"localhost\"\n");
    guest.fs.add_directory("/etc/init.d");
    guest.run("hostname: box.example.com\n"
              "net0: name=eth0,bridge=vmbr0,ip=1.2.3.4/24,gw=4.3.2.1,ip6=fc00::1/64,gw6=fc00::ff\n"
              "net1: name=eth1,bridge=vmbr0,ip=dhcp\n"
              "net2: name=eth2,bridge=vmbr0,ip=manual\n");
    EXPECT_EQ(guest.file("/etc/conf.d/net"),
              "# --- BEGIN PVE ---\nmodules=\"$modules ifconfig\"\n"
              "config_eth0=\"1.2.3.4/24\nfc00::1/64\"\n"
              "routes_eth0=\"-host 4.3.2.1 dev eth0\ndefault gw 4.3.2.1\n-6 -host fc00::ff dev eth0\n-6 default gw fc00::ff\"\n"
              "config_eth1=\"dhcp\"\n# --- END PVE ---\n");
    EXPECT_EQ(guest.fs.entry("/etc/init.d/net.eth0")->data, "net.lo");
    EXPECT_TRUE(guest.has("/etc/init.d/net.eth1"));
    EXPECT_FALSE(guest.has("/etc/init.d/net.eth2"));
    EXPECT_EQ(guest.file("/etc/conf.d/hostname"), "hostname=\"box\"\n");
    EXPECT_EQ(guest.file("/etc/inittab"),
              "id:3:initdefault:\n1::respawn:/sbin/agetty 38400 tty1\n2::respawn:/sbin/agetty 38400 tty2\n");

    GuestSetupHarness unknown;
    unknown.fs.add_file("/etc/gentoo-release", "Funtoo Linux\n");
    EXPECT_EQ(error_of(unknown, "hostname: ct1\n"), "unrecognized gentoo version: Funtoo Linux");
}

TEST(GuestNixos, OnlyNetworkHostnameAndDns) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/os-release", "ID=nixos\n");
    std::string shell(64, '\0');
    shell.replace(0, 4, "\x7f" "ELF");
    shell[18] = 0x3e;
    guest.fs.add_file("/nix/store/abc-bash/bin/bash", shell, 0755);
    guest.fs.add_file("/sbin/init", "#! /nix/store/abc-bash/bin/bash\nexec systemd\n", 0755);
    guest.fs.add_file("/etc/inittab", "untouched\n");
    auto report = guest.run("hostname: ct1\ntimezone: Europe/Vienna\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    EXPECT_EQ(report.detected_arch, "amd64");
    EXPECT_EQ(report.notes.front(), "Detected container architecture: amd64");
    EXPECT_TRUE(report.warnings.empty());
    EXPECT_EQ(guest.file("/etc/inittab"), "untouched\n");
    EXPECT_TRUE(guest.has("/etc/systemd/network/eth0.network"));
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1\n");
    EXPECT_TRUE(guest.has("/etc/resolv.conf"));
}

}  // namespace
}  // namespace pct::guest::testing
