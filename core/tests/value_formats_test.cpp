#include "core/value_formats.h"

#include <gtest/gtest.h>

namespace pct {
namespace {

TEST(ValueFormats, Ipv4) {
    EXPECT_TRUE(is_ipv4("10.0.0.1"));
    EXPECT_TRUE(is_ipv4("255.255.255.255"));
    EXPECT_FALSE(is_ipv4("256.0.0.1"));
    EXPECT_FALSE(is_ipv4("1.2.3"));
    EXPECT_FALSE(is_ipv4("1.2.3.4.5"));
    EXPECT_FALSE(is_ipv4("1..3.4"));
    EXPECT_FALSE(is_ipv4("1.2.3.4 "));
}

TEST(ValueFormats, Ipv6) {
    for (const char* good : {"::", "::1", "fe80::1", "2001:db8::", "2001:db8:0:0:0:0:0:1", "::ffff:1.2.3.4", "fd00:1::ff"})
        EXPECT_TRUE(is_ipv6(good)) << good;
    for (const char* bad : {"", ":", "1:2:3:4:5:6:7:8:9", "1::2::3", "2001:db8:::1", "12345::", "g::1", "1:2:3:4:5:6:7:"})
        EXPECT_FALSE(is_ipv6(bad)) << bad;
}

TEST(ValueFormats, CidrPrefixRanges) {
    EXPECT_TRUE(is_ipv4_cidr("10.0.0.1/8"));
    EXPECT_FALSE(is_ipv4_cidr("10.0.0.1/7"));
    EXPECT_FALSE(is_ipv4_cidr("10.0.0.1"));
    EXPECT_TRUE(is_ipv6_cidr("fd00::1/128"));
    EXPECT_FALSE(is_ipv6_cidr("fd00::1/129"));
}

TEST(ValueFormats, MacAndNames) {
    EXPECT_TRUE(is_unicast_mac("BC:24:11:aa:bb:cc"));
    EXPECT_FALSE(is_unicast_mac("BD:24:11:aa:bb:cc"));
    EXPECT_FALSE(is_mac_address("BC:24:11:aa:bb"));
    EXPECT_TRUE(is_dns_name("web-1.example.com"));
    EXPECT_FALSE(is_dns_name("-web"));
    EXPECT_FALSE(is_dns_name("a..b"));
    EXPECT_TRUE(is_config_id("before-upgrade"));
    EXPECT_FALSE(is_config_id("1abc"));
}

TEST(ValueFormats, ListsAndTags) {
    EXPECT_EQ(split_list(" a,b;c  d\n"), (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_EQ(normalize_tags("Web,db;web prod"), "db;prod;web");
    EXPECT_EQ(normalize_space_list("1.1.1.1,8.8.8.8"), "1.1.1.1 8.8.8.8");
}

}  // namespace
}  // namespace pct
