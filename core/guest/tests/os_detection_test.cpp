#include <gtest/gtest.h>

#include "core/error.h"
#include "core/guest/os_detection.h"
#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

TEST(GuestOsDetection, OsReleaseIdAndAliases) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ID=debian", "debian"},          {"ID=\"rocky\"", "centos"},  {"ID=\"almalinux\"", "centos"},
        {"ID=arch", "archlinux"},         {"ID=\"sles\"", "opensuse"}, {"ID=\"opensuse-tumbleweed\"", "opensuse"},
        {"ID=\"opensuse-slowroll\"", "opensuse"},
    };
    for (const auto& [line, expected] : cases) {
        MemoryGuestFs fs;
        fs.add_file("/usr/lib/os-release", line + "\n");
        GuestFiles files(fs);
        EXPECT_EQ(detect_os_type(files, read_os_release(files), std::nullopt).os_type, expected) << line;
    }
}

TEST(GuestOsDetection, UnknownIdFallsBackToMarkerFiles) {
    MemoryGuestFs fs;
    fs.add_file("/etc/os-release", "ID=mint\n");
    fs.add_file("/etc/lsb-release", "DISTRIB_ID=ubuntu\nDISTRIB_RELEASE=22.04\n");
    fs.add_file("/etc/debian_version", "bookworm/sid\n");
    GuestFiles files(fs);
    auto detection = detect_os_type(files, read_os_release(files), std::nullopt);
    EXPECT_EQ(detection.os_type, "ubuntu");
    EXPECT_EQ(detection.warnings, (std::vector<std::string>{"unknown ID 'mint' in /etc/os-release file, trying fallback detection"}));
}

TEST(GuestOsDetection, NixStoreDirectoryMeansNixos) {
    MemoryGuestFs fs;
    fs.add_directory("/nix/store");
    GuestFiles files(fs);
    EXPECT_EQ(detect_os_type(files, {}, std::nullopt).os_type, "nixos");
}

TEST(GuestOsDetection, UndetectableOsNamesTheFilesItChecked) {
    MemoryGuestFs fs;
    fs.add_file("/etc/os-release", "NAME=Something\n");
    GuestFiles files(fs);
    try {
        detect_os_type(files, read_os_release(files), std::nullopt);
        FAIL() << "expected an error";
    } catch (const UserError& error) {
        std::string message = error.what();
        EXPECT_TRUE(message.starts_with("unable to detect OS distribution (checked /etc/os-release, "));
        EXPECT_NE(message.find("/etc/debian_version"), std::string::npos);
        EXPECT_NE(message.find("/etc/openEuler-release"), std::string::npos);
    }
}

TEST(GuestOsDetection, NothingAtAllFallsBackToUnmanaged) {
    GuestSetupHarness guest;
    guest.fs.remove("/etc");
    auto report = guest.run("hostname: ct1\nostype: debian\n");
    EXPECT_EQ(report.os_type, "unmanaged");
    ASSERT_EQ(report.warnings.size(), 3u);
    EXPECT_TRUE(report.warnings[0].starts_with("/etc/os-release file not found and autodetection failed, falling back "
                                               "to 'unmanaged' (checked /etc/os-release"));
    EXPECT_EQ(report.warnings[1], "WARNING: /etc not present in CT, is the rootfs mounted?");
    EXPECT_EQ(report.warnings[2], "got unexpected ostype (unmanaged != debian)");
    EXPECT_EQ(guest.fs.entries().size(), 1u);  // still just "/"
}

TEST(GuestOsDetection, MissingEtcOfADetectedGuestIsAClearError) {
    GuestSetupHarness guest;
    guest.fs.remove("/etc");
    guest.fs.add_file("/usr/lib/os-release", "ID=arch\n");
    auto before = guest.fs.entries();
    try {
        guest.run("hostname: ct1\n");
        FAIL() << "expected an error";
    } catch (const UserError& error) {
        EXPECT_STREQ(error.what(), "/etc not present in CT, is the rootfs mounted?");
    }
    EXPECT_EQ(guest.fs.entries(), before);
}

TEST(GuestOsDetection, ConfiguredTypeDifferentFromDetectedWarnsAndUsesDetected) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/alpine-release", "3.19.1\n");
    auto report = guest.run("hostname: ct1\nostype: debian\n");
    EXPECT_EQ(report.os_type, "alpine");
    EXPECT_EQ(report.warnings.front(), "got unexpected ostype (alpine != debian)");
    EXPECT_EQ(guest.file("/etc/hostname"), "ct1\n");
}

TEST(GuestOsDetection, UnmanagedChangesNothing) {
    GuestSetupHarness guest;
    guest.fs.add_file("/etc/debian_version", "12.4\n");
    guest.fs.add_file("/etc/crontab", "17 * * * * root x\n");
    auto before = guest.fs.entries();
    auto report = guest.run("hostname: ct1\nostype: unmanaged\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\n");
    EXPECT_EQ(report.os_type, "unmanaged");
    EXPECT_FALSE(report.detected_arch);
    EXPECT_EQ(guest.fs.entries(), before);
}

}  // namespace
}  // namespace pct::guest::testing
