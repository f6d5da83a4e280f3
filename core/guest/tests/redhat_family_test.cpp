// CentOS and relatives, Fedora and openEuler (guest-setup.md §6.4-§6.6).
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

GuestSetupHarness centos(const std::string& release_line) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/redhat-release", release_line + "\n");
    return guest;
}

TEST(GuestCentos, VersionChecks) {
    auto old = centos("CentOS release 4.9 (Final)");
    EXPECT_EQ(error_of(old, "hostname: ct1\n"), "unsupported centos version '4.9'");
    auto future = centos("CentOS Stream release 11");
    EXPECT_EQ(error_of(future, "hostname: ct1\n"), "unsupported centos version '11'");
    auto garbage = centos("Red Hat something");
    EXPECT_EQ(error_of(garbage, "hostname: ct1\n"), "unable to parse centos version 'Red Hat something'");
}

TEST(GuestCentos, RockyIsHandledByTheCentosPlugin) {
    auto guest = centos("Rocky Linux release 9.3 (Blue Onyx)");
    guest.fs.add_file("/etc/os-release", "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n");
    auto report = guest.run("hostname: ct1.example.com\n");
    EXPECT_EQ(report.os_type, "centos");
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1.example.com\n");
    EXPECT_EQ(guest.file("/etc/locale.conf"), "LANG=C.utf8");
    EXPECT_EQ(guest.fs.entry("/etc/systemd/system/sys-kernel-debug.mount"), nullptr);  // no parent directory
}

TEST(GuestCentos, MasksStaticUnitsUnlessAFileIsThere) {
    auto guest = centos("AlmaLinux release 8.9 (Midnight Oncilla)");
    guest.fs.add_directory("/etc/systemd/system");
    guest.fs.add_file("/etc/systemd/system/sys-kernel-config.mount", "[Mount]\n");
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.fs.entry("/etc/systemd/system/sys-kernel-debug.mount")->data, "/dev/null");
    EXPECT_EQ(guest.file("/etc/systemd/system/sys-kernel-config.mount"), "[Mount]\n");
}

TEST(GuestCentos, NetworkScriptsForSeveralNicsWithDhcpAndSlaac) {
    auto guest = centos("CentOS Linux release 7.9.2009 (Core)");
    guest.fs.add_file("/etc/sysconfig/network", "NETWORKING=no\nHOSTNAME=old.example\n");
    guest.fs.add_file("/etc/sysconfig/network-scripts/route-eth1", "10.1.0.0/16 via 10.0.0.254\n");
    guest.run("hostname: ct1\nnameserver: 10.0.0.53\n"
              "net0: name=eth0,bridge=vmbr0,ip=dhcp,ip6=auto\n"
              "net1: name=eth1,bridge=vmbr0,ip=10.0.0.5/24,gw=10.1.0.1,ip6=dhcp\n"
              "net2: name=eth2,bridge=vmbr0,ip6=fd00::2/64,gw6=fd00:1::1\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network-scripts/ifcfg-eth0"),
              "DEVICE=eth0\nONBOOT=yes\nUUID=00000000-0000-0000-0000-000000000000\nBOOTPROTO=dhcp\nIPV6INIT=yes\n"
              "IPV6_AUTOCONF=yes\nDNS1=10.0.0.53\nDOMAIN=proxmox.com\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network-scripts/ifcfg-eth1"),
              "DEVICE=eth1\nONBOOT=yes\nUUID=00000000-0000-0000-0000-000000000000\nBOOTPROTO=none\nIPADDR=10.0.0.5\n"
              "NETMASK=255.255.255.0\nGATEWAY=10.1.0.1\nIPV6INIT=yes\nDHCPV6C=yes\nDNS1=10.0.0.53\nDOMAIN=proxmox.com\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network-scripts/route-eth1"),
              "# --- BEGIN PVE ---\n10.1.0.1 dev eth1\ndefault via 10.1.0.1 dev eth1\n# --- END PVE ---\n"
              "10.1.0.0/16 via 10.0.0.254\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network-scripts/route6-eth2"),
              "# --- BEGIN PVE ---\nfd00:1::1 dev eth2\ndefault via fd00:1::1 dev eth2\n# --- END PVE ---\n");
    EXPECT_FALSE(guest.has("/etc/sysconfig/network-scripts/route-eth0"));
    EXPECT_EQ(guest.file("/etc/sysconfig/network"), "NETWORKING=yes\nHOSTNAME=ct1\nNETWORKING_IPV6=yes\n");

    // The gateway moves on-link: our routes go, the user's stay.
    guest.run("hostname: ct1\nnet1: name=eth1,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1\n");
    EXPECT_EQ(guest.file("/etc/sysconfig/network-scripts/route-eth1"),
              "# --- BEGIN PVE ---\n# --- END PVE ---\n\n10.1.0.0/16 via 10.0.0.254\n");
}

TEST(GuestCentos, UpstartJobsAreRepairedOnCentos6) {
    auto guest = centos("CentOS release 6.10 (Final)");
    guest.fs.add_file("/etc/init/tty.conf", "respawn\nexec /sbin/mingetty $TTY\nexec /sbin/mingetty --nohangup $TTY\n");
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/etc/init/tty.conf"),
              "respawn\nexec /sbin/mingetty --nohangup $TTY\nexec /sbin/mingetty --nohangup $TTY\n");
    EXPECT_TRUE(guest.has("/etc/init/start-ttys.conf"));
    EXPECT_FALSE(guest.has("/etc/systemd/system-preset/00-pve.preset"));
}

TEST(GuestCentos, OldGettyConditionFollowsContainerGettyAvailability) {
    auto guest = centos("CentOS Linux release 7.1.1503 (Core)");
    guest.fs.add_file("/usr/lib/systemd/system/getty@.service", "[Unit]\nConditionPathExists=/dev/tty0\n");
    guest.run("hostname: ct1\n");
    EXPECT_EQ(guest.file("/usr/lib/systemd/system/getty@.service"), "[Unit]\nConditionPathExists=/dev/tty\n");
    guest.fs.add_file("/usr/lib/systemd/system/container-getty@.service", "TTYPath=/dev/pts/%I\n");
    guest.run("hostname: ct1\nunprivileged: 1\n");
    EXPECT_EQ(guest.file("/usr/lib/systemd/system/getty@.service"), "[Unit]\nConditionPathExists=/dev/tty0\n");
    EXPECT_EQ(guest.file("/usr/lib/systemd/system/container-getty@.service"), "TTYPath=/dev/tty%I\n");
}

TEST(GuestCentos, Release10UsesNetworkManagerKeyfiles) {
    auto guest = centos("AlmaLinux release 10.0 (Purple Lion)");
    guest.run("hostname: ct1\nnameserver: 192.0.2.53 2001:db8::53\nsearchdomain: a.example b.example\n"
              "net0: name=eth0,bridge=vmbr0,ip=192.0.2.5/24,gw=192.0.3.1,ip6=2001:db8::5/64,gw6=2001:db8::1\n"
              "net1: name=eth1,bridge=vmbr0,ip6=2001:db8:1::5/64,gw6=2001:db8:2::1\n");
    EXPECT_EQ(guest.file("/etc/NetworkManager/system-connections/eth0.nmconnection"),
              "[connection]\nid=eth0\nuuid=00000000-0000-0000-0000-000000000000\ntype=ethernet\ninterface-name=eth0\n"
              "[ipv4]\nmethod=manual\naddresses=192.0.2.5/24\ngateway=192.0.3.1\nroutes=192.0.3.1\n"
              "dns=192.0.2.53\ndns-search=a.example;b.example\n"
              "[ipv6]\nmethod=manual\naddress=2001:db8::5/64\ngateway=2001:db8::1\n"
              "dns=2001:db8::53\ndns-search=a.example;b.example\n");
    EXPECT_EQ(guest.file("/etc/NetworkManager/system-connections/eth1.nmconnection"),
              "[connection]\nid=eth1\nuuid=00000000-0000-0000-0000-000000000000\ntype=ethernet\ninterface-name=eth1\n"
              "[ipv4]\nmethod=disabled\n[ipv6]\nmethod=manual\naddress=2001:db8:1::5/64\nroutes=2001:db8:2::1\n"
              "dns=2001:db8::53\ndns-search=a.example;b.example\n");
    EXPECT_EQ(guest.fs.entry("/etc/NetworkManager/system-connections/eth0.nmconnection")->mode, 0600u);
}

TEST(GuestCentos, RandomUuidWithoutOverride) {
    auto guest = centos("CentOS Linux release 7.9.2009 (Core)");
    guest.inputs.fixed_uuid.reset();
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    std::string ifcfg = guest.file("/etc/sysconfig/network-scripts/ifcfg-eth0");
    size_t at = ifcfg.find("UUID=");
    ASSERT_NE(at, std::string::npos);
    std::string uuid = ifcfg.substr(at + 5, 36);
    EXPECT_NE(uuid, kFixedUuid);
    EXPECT_EQ(uuid[14], '4');
    EXPECT_EQ(uuid[8], '-');
}

GuestSetupHarness fedora(const std::string& version) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/os-release", "ID=fedora\nVERSION_ID=" + version + "\n");
    guest.fs.add_file("/etc/redhat-release", "Fedora release " + version + "\n");
    return guest;
}

TEST(GuestFedora, NetworkdAndPresetsOnRecentReleases) {
    auto guest = fedora("39");
    guest.fs.add_file("/etc/systemd/system/getty@.service", "masked\n");
    guest.fs.add_file("/etc/securetty", "console\n");
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=10.0.0.5/32,gw=10.0.0.1,ip6=auto,gw6=fe80::1\n");
    EXPECT_FALSE(guest.has("/etc/systemd/system/getty@.service"));
    EXPECT_EQ(guest.file("/etc/securetty"), "console\nlxc/console\nlxc/tty1\nlxc/tty2\nlxc/tty3\nlxc/tty4\n");
    EXPECT_EQ(guest.file("/etc/systemd/network/eth0.network"),
              "[Match]\nName = eth0\n\n[Network]\nDescription = Interface eth0 autoconfigured by PVE\n"
              "Address = 10.0.0.5/32\nGateway = 10.0.0.1\nGateway = fe80::1\nDHCP = no\nIPv6AcceptRA = false\n\n"
              "[Route]\nDestination = 10.0.0.1/32\nScope = link\n");
    EXPECT_FALSE(guest.has("/etc/sysconfig/network-scripts"));
    EXPECT_NE(guest.file("/etc/systemd/system-preset/00-pve.preset").find("enable systemd-networkd.service\n"),
              std::string::npos);
    EXPECT_FALSE(guest.has("/etc/locale.conf"));
}

TEST(GuestFedora, TransitionReleasesWithSysconfigGetBoth) {
    auto guest = fedora("26");
    guest.fs.add_file("/etc/sysconfig/network", "");
    guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    EXPECT_TRUE(guest.has("/etc/systemd/network/eth0.network"));
    // Fedora's release number is >= 10, so the legacy path writes keyfiles.
    EXPECT_TRUE(guest.has("/etc/NetworkManager/system-connections/eth0.nmconnection"));
}

TEST(GuestFedora, OldReleasesAreRejected) {
    auto guest = fedora("21");
    EXPECT_EQ(error_of(guest, "hostname: ct1\n"), "unsupported Fedora release '21'");
}

TEST(GuestOpenEuler, MasksMqueueAndUsesCentosNetwork) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/os-release", "ID=\"openEuler\"\nVERSION_ID=\"24.03\"\n");
    guest.fs.add_file("/etc/redhat-release", "openEuler release 24.03 (LTS)\n");
    guest.fs.add_directory("/etc/systemd/system");
    auto report = guest.run("hostname: ct1\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    EXPECT_EQ(report.os_type, "openeuler");
    EXPECT_EQ(guest.fs.entry("/etc/systemd/system/dev-mqueue.mount")->data, "/dev/null");
    EXPECT_TRUE(guest.has("/etc/NetworkManager/system-connections/eth0.nmconnection"));
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1\n");

    GuestSetupHarness old;
    old.fs.add_file("/etc/os-release", "ID=openeuler\nVERSION_ID=\"22.03\"\n");
    EXPECT_EQ(error_of(old, "hostname: ct1\n"), "unsupported openEuler release '22.03'");
}

}  // namespace
}  // namespace pct::guest::testing
