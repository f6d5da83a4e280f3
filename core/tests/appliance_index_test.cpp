#include "core/appliance_index.h"

#include <gtest/gtest.h>

#include <string>

namespace pct {
namespace {

const std::string kSha512(128, 'a');
constexpr const char* kSource = "http://mirror.example/images/aplinfo.dat";

std::string debian_record() {
    return "Package: debian-12-standard\n"
           "Version: 12.7-1\n"
           "Type: lxc\n"
           "OS: debian-12\n"
           "Section: system\n"
           "Maintainer: Proxmox Support Team <support@proxmox.com>\n"
           "Architecture: amd64\n"
           "Location: system/debian-12-standard_12.7-1_amd64.tar.zst\n"
           "Infopage: https://pve.proxmox.com/wiki/Linux_Container#pct_supported_distributions\n"
           "Description: Debian 12 Bookworm (standard)\n"
           " A small Debian Bookworm system including all standard packages.\n"
           " Second line.\n"
           "sha512sum: " + std::string(128, 'A') + "\n";
}

TEST(ApplianceIndexParse, ReadsAllFieldsOfARecord) {
    auto index = parse_appliance_index(debian_record(), kSource);
    ASSERT_TRUE(index.problems.empty()) << index.problems.front();
    ASSERT_EQ(index.records.size(), 1u);
    const auto& record = index.records[0];
    EXPECT_EQ(record.package, "debian-12-standard");
    EXPECT_EQ(record.version, "12.7-1");
    EXPECT_EQ(record.type, "lxc");
    EXPECT_EQ(record.os, "debian-12");
    EXPECT_EQ(record.section, "system");
    EXPECT_EQ(record.architecture, "amd64");
    EXPECT_EQ(record.maintainer, "Proxmox Support Team <support@proxmox.com>");
    EXPECT_EQ(record.headline, "Debian 12 Bookworm (standard)");
    EXPECT_EQ(record.description, "A small Debian Bookworm system including all standard packages. Second line.");
    EXPECT_EQ(record.sha512sum, kSha512);  // lower-cased
    EXPECT_EQ(record.template_name, "debian-12-standard_12.7-1_amd64.tar.zst");
    EXPECT_EQ(record.url, "http://mirror.example/images/system/debian-12-standard_12.7-1_amd64.tar.zst");
}

TEST(ApplianceIndexParse, SeparatesParagraphsByBlankLinesAndToleratesCrlf) {
    std::string text = "Package: a\r\nVersion: 1.0-1\r\nType: lxc\r\nOS: alpine\r\nLocation: a.tar.xz\r\n\r\n"
                       "   \n\n\nPackage: b\nVersion: 2\nType: openvz\nOS: centos\nLocation: http://other/b.tar.gz\n";
    auto index = parse_appliance_index(text, kSource);
    ASSERT_TRUE(index.problems.empty()) << index.problems.front();
    ASSERT_EQ(index.records.size(), 2u);
    EXPECT_EQ(index.records[0].url, "http://mirror.example/images/a.tar.xz");
    EXPECT_EQ(index.records[0].section, "unknown");
    EXPECT_EQ(index.records[1].url, "http://other/b.tar.gz");
    EXPECT_EQ(index.records[1].type, "openvz");
}

TEST(ApplianceIndexParse, KeysAreCaseInsensitive) {
    auto index = parse_appliance_index("PACKAGE: a\nversion: 1\ntype: lxc\nos: x\nlocation: a.tar\nMD5SUM: "
                                       "0123456789ABCDEF0123456789abcdef\n",
                                       kSource);
    ASSERT_EQ(index.records.size(), 1u);
    EXPECT_EQ(index.records[0].md5sum, "0123456789abcdef0123456789abcdef");
}

TEST(ApplianceIndexParse, BuildsTheNameWhenLocationHasNoTemplateSuffix) {
    auto no_location = parse_appliance_index(
        "Package: debian-standard\nVersion: 9.0-1\nType: lxc\nOS: debian\nSection: system\nArchitecture: amd64\n",
        kSource);
    ASSERT_EQ(no_location.records.size(), 1u);
    // "debian-debian-standard" is written once.
    EXPECT_EQ(no_location.records[0].template_name, "debian-standard_9.0-1_amd64.tar.gz");
    EXPECT_EQ(no_location.records[0].url, "http://mirror.example/images/system/debian-standard_9.0-1_amd64.tar.gz");

    auto odd_location = parse_appliance_index(
        "Package: web\nVersion: 1.0\nType: lxc\nOS: ubuntu\nLocation: /get?id=5\n", kSource);
    ASSERT_EQ(odd_location.records.size(), 1u);
    EXPECT_EQ(odd_location.records[0].template_name, "ubuntu-web_1.0_i386.tar.gz");
    EXPECT_EQ(odd_location.records[0].url, "http://mirror.example/get?id=5");
}

TEST(ApplianceIndexParse, ReportsBadRecordsAndKeepsTheGoodOnes) {
    std::string text = "Package: noversion\nType: lxc\nOS: x\n\n"
                       "Package: badversion\nVersion: v1\nType: lxc\nOS: x\n\n"
                       "Package: badtype\nVersion: 1\nType: qemu\nOS: x\n\n"
                       "garbage line\n\n"
                       " starts with a continuation\n\n"
                       "Package: badsum\nVersion: 1\nType: lxc\nOS: x\nsha512sum: 1234\n\n"
                       "Package: pve-web-news\nDescription: news\n\n"
                       "Package: a/b\nVersion: 1\nType: lxc\nOS: x\n\n"
                       "Package: good\nVersion: 1\nType: lxc\nOS: x\n";
    auto index = parse_appliance_index(text, kSource);
    ASSERT_EQ(index.records.size(), 1u);
    EXPECT_EQ(index.records[0].package, "good");
    ASSERT_EQ(index.problems.size(), 7u);
    EXPECT_EQ(index.problems[0], "found incomplete appliance record 'noversion' - missing Version");
    EXPECT_EQ(index.problems[1], "unable to parse appliance record: version = 'v1'");
    EXPECT_EQ(index.problems[2], "unable to parse appliance record: unknown type 'qemu'");
    EXPECT_EQ(index.problems[3], "unable to parse appliance record: garbage line");
    EXPECT_EQ(index.problems[4], "unable to parse appliance record: starts with a continuation");
    EXPECT_EQ(index.problems[5], "appliance record 'badsum' has a malformed sha512sum");
    EXPECT_EQ(index.problems[6], "appliance record 'a/b' has an unusable template name");
}

TEST(ApplianceIndexParse, EmptyTextHasNoRecords) {
    auto index = parse_appliance_index("", kSource);
    EXPECT_TRUE(index.records.empty());
    EXPECT_TRUE(index.problems.empty());
    EXPECT_TRUE(parse_appliance_index("\n\n \n", kSource).records.empty());
}

TEST(ApplianceIndexTemplateExtension, AcceptsTheTemplateSuffixes) {
    for (std::string_view good : {"a.tar", "a.tar.gz", "a.tar.xz", "a.tar.zst", "a.tar.bz2"})
        EXPECT_TRUE(has_template_extension(good)) << good;
    for (std::string_view bad : {"", ".tar", "a.tgz", "a.tar.lzo", "a.zip", "a.tar.gz.part"})
        EXPECT_FALSE(has_template_extension(bad)) << bad;
}

TEST(ApplianceIndexResolveUrl, FollowsTheIndexLocation) {
    EXPECT_EQ(resolve_url("http://h:8080/a/b/index.dat", "c/t.tar"), "http://h:8080/a/b/c/t.tar");
    EXPECT_EQ(resolve_url("http://h:8080/a/b/index.dat", "/t.tar"), "http://h:8080/t.tar");
    EXPECT_EQ(resolve_url("http://h:8080/a/b/index.dat?x=/y", "t.tar"), "http://h:8080/a/b/t.tar");
    EXPECT_EQ(resolve_url("http://h:8080", "t.tar"), "http://h:8080/t.tar");
    EXPECT_EQ(resolve_url("https://h/dir/", "t.tar"), "https://h/dir/t.tar");
    EXPECT_EQ(resolve_url("https://h/dir/x", "//cdn/t.tar"), "https://cdn/t.tar");
    EXPECT_EQ(resolve_url("https://h/dir/x", "ftp://f/t.tar"), "ftp://f/t.tar");
}

TEST(ApplianceIndexAvailable, SortsBySectionThenNameAndFilters) {
    std::string text = "Package: z\nVersion: 1\nType: lxc\nOS: os\nSection: system\nLocation: z.tar.gz\n\n"
                       "Package: m\nVersion: 1\nType: lxc\nOS: os\nSection: mail\nLocation: m.tar.gz\n\n"
                       "Package: a\nVersion: 1\nType: lxc\nOS: os\nSection: system\nLocation: a.tar.gz\n"
                       "Architecture: arm64\n\n"
                       "Package: a2\nVersion: 2\nType: lxc\nOS: os\nSection: system\nLocation: a.tar.gz\n";
    auto records = parse_appliance_index(text, kSource).records;
    auto all = available_templates(records);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].template_name, "m.tar.gz");
    EXPECT_EQ(all[1].template_name, "a.tar.gz");
    EXPECT_EQ(all[1].package, "a2");  // the later record with the same name wins
    EXPECT_EQ(all[2].template_name, "z.tar.gz");

    auto system = available_templates(records, "system");
    ASSERT_EQ(system.size(), 2u);
    EXPECT_TRUE(available_templates(records, "turnkeylinux").empty());
}

TEST(ApplianceIndexAvailable, FormatsOneLinePerTemplate) {
    ApplianceRecord record;
    record.section = "system";
    record.template_name = "debian-12-standard_12.7-1_amd64.tar.zst";
    record.architecture = "amd64";
    EXPECT_EQ(format_available_line(record),
              "system          debian-12-standard_12.7-1_amd64.tar.zst                      amd64");
    record.architecture.clear();
    EXPECT_TRUE(format_available_line(record).ends_with(" unknown"));
}

}  // namespace
}  // namespace pct
