// The small building blocks: PRNG, addresses, os-release, ELF, crypt, lines.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/guest/drand48.h"
#include "core/guest/elf_architecture.h"
#include "core/guest/guest_setup.h"
#include "core/guest/ip_address.h"
#include "core/guest/os_release.h"
#include "core/guest/sha512_crypt.h"
#include "core/guest/text_lines.h"

namespace pct::guest {
namespace {

TEST(GuestDrand48, SeedZeroGivesTheReferenceMinutes) {
    Drand48 random(0);
    std::vector<int> minutes;
    for (int i = 0; i < 6; ++i) minutes.push_back(static_cast<int>(std::floor(random.next() * 59)));
    EXPECT_EQ(minutes, (std::vector<int>{10, 44, 5, 51, 34, 46}));
}

TEST(GuestDrand48, OnlyTheLow32BitsOfTheSeedCount) {
    Drand48 a(7);
    Drand48 b((uint64_t{1} << 32) | 7);
    EXPECT_EQ(a.next(), b.next());
}

TEST(GuestIpAddress, ParsesIpv4CidrWithDottedNetmask) {
    auto cidr = parse_ipv4_cidr("10.0.0.100/32");
    ASSERT_TRUE(cidr);
    EXPECT_EQ(cidr->address, "10.0.0.100");
    EXPECT_EQ(cidr->netmask, "255.255.255.255");
    EXPECT_EQ(parse_ipv4_cidr("1.2.3.4/20")->netmask, "255.255.240.0");
    EXPECT_FALSE(parse_ipv4_cidr("1.2.3.4/7"));
    EXPECT_FALSE(parse_ipv4_cidr("1.2.3.4"));
    EXPECT_FALSE(parse_ipv4_cidr("1.2.3.256/24"));
}

TEST(GuestIpAddress, ParsesIpv6Cidr) {
    auto cidr = parse_ipv6_cidr("fc00::1/64");
    ASSERT_TRUE(cidr);
    EXPECT_EQ(cidr->address, "fc00::1");
    EXPECT_EQ(cidr->prefix_length, "64");
    EXPECT_TRUE(parse_ipv6_cidr("::ffff:1.2.3.4/96"));
    EXPECT_FALSE(parse_ipv6_cidr("fc00::1::2/64"));
    EXPECT_FALSE(parse_ipv6_cidr("fc00:1/64"));
    EXPECT_FALSE(parse_ipv6_cidr("fc00::1"));
}

TEST(GuestIpAddress, GatewayInsideSubnet) {
    EXPECT_TRUE(is_ip_in_cidr("1.2.3.1", "1.2.3.4/24", IpFamily::V4));
    EXPECT_FALSE(is_ip_in_cidr("11.0.0.1", "10.0.0.100/32", IpFamily::V4));
    EXPECT_TRUE(is_ip_in_cidr("10.0.0.100", "10.0.0.100/32", IpFamily::V4));
    EXPECT_TRUE(is_ip_in_cidr("2001:1::ffff", "2001:1::/64", IpFamily::V6));
    EXPECT_FALSE(is_ip_in_cidr("fc00:1::ff", "fc00::1/64", IpFamily::V6));
    EXPECT_TRUE(is_ip_in_cidr("fe80::1", "fe80::/10", IpFamily::V6));
    EXPECT_FALSE(is_ip_in_cidr("fc00::ff", "fc00::1/64", IpFamily::V4));  // wrong family never matches
}

TEST(GuestOsRelease, QuotingRules) {
    auto release = parse_os_release(
        "ID=opensuse-leap\n"
        "NAME=\"Open \\\"SUSE\\\"\\tLeap\"\n"
        "  VERSION_ID='15.5'\n"
        "HOME_URL=\"https://unterminated\n"
        "# ID_LIKE=comment\n"
        "not a line\n");
    EXPECT_EQ(release["ID"], "opensuse");
    EXPECT_EQ(release["NAME"], "Open \"SUSE\"\tLeap");
    EXPECT_EQ(release["VERSION_ID"], "15.5");
    EXPECT_EQ(release["HOME_URL"], "");
    EXPECT_FALSE(release.count("ID_LIKE"));
    EXPECT_EQ(version_id_number(release), 15.5);
}

TEST(GuestElfArchitecture, MachineFromHeader) {
    std::string header(20, '\0');
    header.replace(0, 4, "\x7f" "ELF");
    header[4] = 2;
    header[18] = 0x3e;
    EXPECT_EQ(elf_architecture(header, "/bin/sh"), "amd64");
    header[18] = static_cast<char>(0xb7);
    EXPECT_EQ(elf_architecture(header, "/bin/sh"), "arm64");
    header[18] = static_cast<char>(0xf3);
    EXPECT_EQ(elf_architecture(header, "/bin/sh"), "riscv64");
    header[18] = 0x2a;
    EXPECT_THROW(elf_architecture(header, "/bin/sh"), UserError);
    EXPECT_THROW(elf_architecture("#!/bin/bash\n", "/bin/sh"), UserError);
}

TEST(GuestSha512Crypt, MatchesGlibcCrypt) {
    EXPECT_EQ(sha512_crypt("Hello world!", "saltstring"),
              "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
    EXPECT_TRUE(sha512_crypt("x", "toolongsaltstring1234").starts_with("$6$toolongsaltstrin$"));
}

TEST(GuestCryptHash, RecognisedShapes) {
    EXPECT_TRUE(looks_like_crypt_hash("$5$SALT$PASS"));
    EXPECT_TRUE(looks_like_crypt_hash("$2y$abc$def"));
    EXPECT_FALSE(looks_like_crypt_hash("$7$abc$def"));
    EXPECT_FALSE(looks_like_crypt_hash("secret"));
    EXPECT_FALSE(looks_like_crypt_hash("$6$salt$"));
}

TEST(GuestTextLines, SplitDropsTrailingEmptyLines) {
    EXPECT_EQ(split_lines("\na\n\nb\n\n\n"), (std::vector<std::string>{"", "a", "", "b"}));
    EXPECT_TRUE(split_lines("").empty());
    EXPECT_EQ(join_lines({}), "\n");
}

}  // namespace
}  // namespace pct::guest
