#include "core/property_string.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/config_file.h"
#include "core/option_schema.h"

namespace pct {
namespace {

std::string error_of(std::string_view text, const PropertyFormat& format) {
    try {
        parse_and_validate_property_string(text, format);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

TEST(PropertyString, DefaultKeyAndExplicitVolumeAreEquivalent) {
    EXPECT_EQ(parse_property_string("local:8,mp=/data", mount_point_format()),
              parse_property_string("volume=local:8,mp=/data", mount_point_format()));
}

TEST(PropertyString, SyntaxErrorsUseProxmoxMessages) {
    EXPECT_EQ(error_of("local:8,size=", rootfs_format()), "missing key in comma-separated list property");
    EXPECT_EQ(error_of("local:8,=x", rootfs_format()), "missing key in comma-separated list property");
    EXPECT_EQ(error_of("local:8,local:9", rootfs_format()), "duplicate key in comma-separated list property: volume");
    EXPECT_EQ(error_of("eth0", network_format()), "value without key, but schema does not define a default key");
    EXPECT_EQ(error_of("name=eth0,brigde=vmbr0", network_format()), "unknown key 'brigde'");
    EXPECT_EQ(error_of("bridge=vmbr0", network_format()), "name: property is missing and it is not optional");
}

TEST(PropertyString, BlankPartsAreIgnoredAndBooleansNormalised) {
    PropertyMap map = parse_property_string("local:8, ,ro=yes,,acl=off", rootfs_format());
    EXPECT_EQ(map.at("ro"), "1");
    EXPECT_EQ(map.at("acl"), "0");
}

TEST(PropertyString, ValidationChecksRangesEnumsAndFormats) {
    EXPECT_EQ(error_of("name=eth0,tag=5000", network_format()), "tag: value may only be 4094 or less");
    EXPECT_EQ(error_of("name=eth0,mtu=10", network_format()), "mtu: value must have a minimum value of 64");
    EXPECT_EQ(error_of("name=eth0,type=macvlan", network_format()),
              "type: value 'macvlan' does not have a value in the enumeration 'veth'");
    EXPECT_EQ(error_of("name=eth0,hwaddr=01:00:00:00:00:01", network_format()),
              "hwaddr: MAC address '01:00:00:00:00:01' is not unicast (first octet must be even)");
    EXPECT_EQ(error_of("name=eth0,ip=10.0.0.1/33", network_format()).substr(0, 31), "ip: invalid IPv4 configuration ");
    EXPECT_EQ(error_of("local:8,mp=/data/../etc", mount_point_format()), "mp: /data/../etc contains illegal character sequences");
    EXPECT_EQ(error_of("local:8,mp=/d,mountoptions=noatime;bogus", mount_point_format()),
              "mountoptions: invalid mount option 'bogus'");
    EXPECT_EQ(error_of("/dev/sda,mode=0999", device_format()), "mode: value '0999' does not match the octal mode format");
    EXPECT_EQ(error_of("nesting=1,keyctl=1,mount=nfs;cifs", features_format()), "");
    EXPECT_EQ(error_of("name=eth0,ip=10.0.0.1/24,gw=10.0.0.254,ip6=fd00::1/64,gw6=fd00::fe,rate=1.5", network_format()), "");
}

TEST(PropertyString, CanonicalPrintOrder) {
    PropertyMap mp = parse_property_string("size=32G,backup=1,mp=/srv/data,local:100/vm-100-disk-1.raw", mount_point_format());
    EXPECT_EQ(print_property_string(mp, mount_point_format()), "local:100/vm-100-disk-1.raw,mp=/srv/data,backup=1,size=32G");
    PropertyMap net = parse_property_string("type=veth,ip=dhcp,bridge=vmbr0,name=eth0,hwaddr=BC:24:11:AA:BB:CC", network_format());
    EXPECT_EQ(print_property_string(net, network_format()), "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=dhcp,type=veth");
}

TEST(PropertyString, PrintingRefusesCommasInValues) {
    EXPECT_THROW(print_property_string({{"name", "a,b"}}, network_format()), UserError);
}

TEST(OptionSchema, IndexedFamiliesHaveTheirRanges) {
    EXPECT_NE(find_option("mp255"), nullptr);
    EXPECT_EQ(find_option("mp256"), nullptr);
    EXPECT_NE(find_option("net31"), nullptr);
    EXPECT_EQ(find_option("net32"), nullptr);
    EXPECT_NE(find_option("dev255"), nullptr);
    EXPECT_NE(find_option("unused0"), nullptr);
    EXPECT_EQ(find_option("mp01"), nullptr);
    EXPECT_EQ(find_option("brigde"), nullptr);
}

TEST(OptionSchema, ValidateOptionNamesTheKey) {
    EXPECT_EQ(validate_option("tty", "9"), std::vector<std::string>{"tty: value may only be 6 or less"});
    EXPECT_EQ(validate_option("ostype", "openeuler"),
              std::vector<std::string>{"ostype: value 'openeuler' does not have a value in the enumeration 'debian, devuan, "
                                       "ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged'"});
    EXPECT_EQ(validate_option("onboot", "maybe"), std::vector<std::string>{"onboot: type check ('boolean') failed - got 'maybe'"});
    EXPECT_EQ(validate_option("startup", "order=1,up=30,down=60"), std::vector<std::string>{});
    EXPECT_EQ(validate_option("startup", "first"), std::vector<std::string>{"startup: invalid startup value 'first'"});
    EXPECT_EQ(validate_option("cpulimit", "1.5"), std::vector<std::string>{});
    EXPECT_EQ(validate_option("env", std::string("A=1\0B_2=x y", 11)), std::vector<std::string>{});
    EXPECT_EQ(validate_option("env", "no-equals"),
              std::vector<std::string>{"env: invalid environment variable 'no-equals' (expected NAME=value)"});
    EXPECT_TRUE(validate_option("hostname", std::string(300, 'a')).size() == 1);
}

TEST(OptionSchema, LoadCheckIsTypeOnly) {
    const OptionSpec& tty = *find_option("tty");
    EXPECT_EQ(check_value_on_load(tty, "9"), "9");
    EXPECT_EQ(check_value_on_load(tty, "007"), "7");
    EXPECT_THROW(check_value_on_load(tty, "-1"), UserError);
    EXPECT_EQ(check_value_on_load(*find_option("ostype"), "redhat"), "redhat");
}

}  // namespace
}  // namespace pct

namespace pct {
namespace {

// std::regex recursion used to overflow the stack on values like these.
TEST(OptionSchema, VeryLongValuesGiveErrorsNotCrashes) {
    std::string trunks;
    for (int i = 0; i < 30000; ++i) trunks += "1;";
    trunks += "1";
    EXPECT_EQ(validate_option("net0", "name=eth0,trunks=" + trunks), std::vector<std::string>{});
    EXPECT_EQ(validate_option("net0", "name=eth0,trunks=" + trunks + ";").size(), 1u);
    std::string zone(100000, 'a');
    EXPECT_EQ(validate_option("timezone", zone).size(), 1u);
    std::string labels;
    for (int i = 0; i < 30000; ++i) labels += "a.";
    EXPECT_EQ(validate_option("searchdomain", labels + "a").size(), 1u);
    std::string idmap = "u:0:1:1";
    for (int i = 1; i < 20000; ++i) idmap += ";u:" + std::to_string(i) + ":" + std::to_string(i + 1) + ":1";
    EXPECT_EQ(validate_option("mp0", "/srv,mp=/srv,idmap=" + idmap), std::vector<std::string>{});
    ParsedConfig parsed = parse_config("net0: name=eth0,trunks=" + trunks + ";x\ntimezone: " + zone + "\n", 100);
    EXPECT_EQ(parsed.problems.size(), 2u);
}

}  // namespace
}  // namespace pct
