#include "core/config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace pct {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::vector<std::filesystem::path> conformance_configs() {
    std::vector<std::filesystem::path> paths;
    std::filesystem::path root = PCT_CONFORMANCE_DIR;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        auto path = entry.path();
        if (!entry.is_regular_file()) continue;
        if (path.filename() == "config" || path.extension() == ".conf") paths.push_back(path);
    }
    return paths;
}

TEST(ConfigFile, EveryConformanceConfigParsesAndRoundTrips) {
    auto paths = conformance_configs();
    ASSERT_GT(paths.size(), 80u);
    for (const auto& path : paths) {
        std::string text = read_file(path);
        ParsedConfig parsed = parse_config(text, 100);
        for (const auto& problem : parsed.problems) {
            // Proxmox's own fixtures only carry keys unknown to the container schema.
            EXPECT_TRUE(problem.message.find("unknown setting 'vmstate'") != std::string::npos ||
                        problem.message.find("ostype") != std::string::npos)
                << path << ":" << problem.line << ": " << problem.message;
        }
        std::string written = write_config(parsed.config);
        EXPECT_EQ(write_config(parse_config(written, 100).config), written) << path;
    }
}

TEST(ConfigFile, SnapshotFixturesAreAlreadyCanonical) {
    std::filesystem::path root = std::filesystem::path(PCT_CONFORMANCE_DIR) / "snapshot";
    int checked = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".conf") continue;
        std::string text = read_file(entry.path());
        EXPECT_EQ(write_config(parse_config(text, 100).config), text) << entry.path();
        ++checked;
    }
    EXPECT_GT(checked, 50);
}

TEST(ConfigFile, SectionsDescriptionsAndRawKeys) {
    const std::string text =
        "# web server%3A prod\n"
        "memory: 1024\n"
        "description: more\n"
        "lxc.apparmor.profile = unconfined\n"
        "lxc.cgroup2.devices.allow=c 1:3 rwm\n"
        "lxc.environment.runtime: A=1\n"
        "lxc.environment.runtime: B=2\n"
        "\n"
        "[pve:pending]\n"
        "delete: swap\n"
        "memory: 2048\n"
        "\n"
        "[before-upgrade]\n"
        "#snap\n"
        "memory: 512\n"
        "snaptime: 1714557600\n";
    ParsedConfig parsed = parse_config(text, 100);
    EXPECT_TRUE(parsed.problems.empty());
    const ContainerConfig& config = parsed.config;
    EXPECT_EQ(config.main.description, " web server: prod\nmore");
    ASSERT_EQ(config.main.lxc.size(), 2u);
    EXPECT_EQ(config.main.lxc[0], (std::pair<std::string, std::string>{"lxc.apparmor.profile", "unconfined"}));
    EXPECT_EQ(config.main.lxc[1].second, "c 1:3 rwm");
    EXPECT_EQ(*config.main.get("env"), std::string("A=1\0B=2", 7));
    EXPECT_EQ(*config.pending.get("delete"), "swap");
    EXPECT_EQ(*config.pending.get("memory"), "2048");
    ASSERT_EQ(config.snapshots.count("before-upgrade"), 1u);
    EXPECT_EQ(config.snapshots.at("before-upgrade").description, "snap\n");

    EXPECT_EQ(write_config(config),
              "# web server%3A prod\n"
              "#more\n"
              "memory: 1024\n"
              "lxc.environment.runtime: A=1\n"
              "lxc.environment.runtime: B=2\n"
              "lxc.apparmor.profile: unconfined\n"
              "lxc.cgroup2.devices.allow: c 1:3 rwm\n"
              "\n"
              "[pve:pending]\n"
              "delete: swap\n"
              "memory: 2048\n"
              "\n"
              "[before-upgrade]\n"
              "#snap\n"
              "memory: 512\n"
              "snaptime: 1714557600\n");
}

TEST(ConfigFile, ValuesAreNormalisedOnLoad) {
    ParsedConfig parsed = parse_config("onboot: yes\nmemory: 0512\ncpulimit: 1.50\nprotection: OFF\n", 100);
    EXPECT_TRUE(parsed.problems.empty());
    EXPECT_EQ(write_config(parsed.config), "cpulimit: 1.50\nmemory: 512\nonboot: 1\nprotection: 0\n");
}

TEST(ConfigFile, KeysAreWrittenInAsciiOrder) {
    ParsedConfig parsed = parse_config("mp2: /a,mp=/a\nmp10: /b,mp=/b\nmp1: /c,mp=/c\narch: amd64\n", 100);
    EXPECT_EQ(write_config(parsed.config), "arch: amd64\nmp1: /c,mp=/c\nmp10: /b,mp=/b\nmp2: /a,mp=/a\n");
}

TEST(ConfigFile, ProblemsNameLineAndKeyButKeepValues) {
    const std::string text =
        "memory: lots\n"          // 1: type check
        "vmstate: local:x\n"      // 2: unknown key, kept
        "this is garbage\n"       // 3: unparsable, dropped
        "lxc.rootfs.path: /x\n"   // 4: rejected raw key
        "lxc.bogus: 1\n"          // 5: unknown raw key
        "delete: swap\n"          // 6: only in pending
        "  hostname: indented\n"  // 7: indentation is not allowed
        "tty: 9\n";               // out of range is not a load-time error
    ParsedConfig parsed = parse_config(text, 100);
    ASSERT_EQ(parsed.problems.size(), 7u);
    EXPECT_EQ(parsed.problems[0].line, 1u);
    EXPECT_EQ(parsed.problems[0].key, "memory");
    EXPECT_EQ(parsed.problems[0].message, "type check ('integer') failed - got 'lots'");
    EXPECT_EQ(parsed.problems[1].message, "unknown setting 'vmstate'");
    EXPECT_EQ(parsed.problems[2].line, 3u);
    EXPECT_EQ(parsed.problems[2].message, "vm 100 - unable to parse config: this is garbage");
    EXPECT_EQ(parsed.problems[3].message, "vm 100 - lxc.rootfs.path is auto generated from rootfs");
    EXPECT_EQ(parsed.problems[4].message, "vm 100 - unable to parse config: lxc.bogus: 1");
    EXPECT_EQ(parsed.problems[5].message, "property 'delete' is only allowed in [pve:pending]");
    EXPECT_EQ(parsed.problems[6].line, 7u);
    EXPECT_EQ(write_config(parsed.config), "memory: lots\ntty: 9\nvmstate: local:x\n");
}

TEST(ConfigFile, DeprecatedRawKeysWarnAndAreKept) {
    ParsedConfig parsed = parse_config("lxc.aa_profile: unconfined\n", 101);
    ASSERT_EQ(parsed.problems.size(), 1u);
    EXPECT_EQ(parsed.problems[0].message, "vm 101 - lxc.aa_profile is deprecated and was renamed to lxc.apparmor.profile");
    EXPECT_EQ(parsed.config.main.lxc.size(), 1u);
}

TEST(ConfigFile, PropertyStringErrorsAreReported) {
    ParsedConfig parsed = parse_config("net0: name=eth0,brigde=vmbr0\n", 100);
    ASSERT_EQ(parsed.problems.size(), 1u);
    EXPECT_EQ(parsed.problems[0].key, "net0");
    EXPECT_EQ(parsed.problems[0].message, "unknown key 'brigde'");
}

TEST(ConfigFile, WriterDropsTopLevelSnapstateAndUnusedStillInUse) {
    ParsedConfig parsed = parse_config(
        "rootfs: local:100/vm-100-disk-0.raw,size=8G\n"
        "snapstate: prepare\n"
        "unused0: local:100/vm-100-disk-0.raw\n"
        "unused1: local:100/vm-100-disk-1.raw\n",
        100);
    EXPECT_EQ(write_config(parsed.config),
              "rootfs: local:100/vm-100-disk-0.raw,size=8G\nunused1: local:100/vm-100-disk-1.raw\n");
}

TEST(ConfigFile, WriterRefusesNewlinesInValues) {
    ContainerConfig config;
    config.main.values["hostname"] = "a\nb";
    EXPECT_THROW(write_config(config), UserError);
}

TEST(ConfigFile, DescriptionEncodingEscapesUnsafeBytes) {
    EXPECT_EQ(encode_description_line("a%b:c d\x7f\xc3\xa4"), "a%25b%3Ac d%7F%C3%A4");
    EXPECT_EQ(decode_description_line("a%25b%3Ac d%7F%C3%A4"), "a%b:c d\x7f\xc3\xa4");
    EXPECT_EQ(decode_description_line("100%"), "100%");
}

TEST(ConfigFile, DescriptionKeepsInnerEmptyLinesAndDropsTrailingOnes) {
    ContainerConfig config;
    config.main.description = "a\n\nb\n\n";
    EXPECT_EQ(write_config(config), "#a\n#\n#b\n");
}

TEST(ConfigFile, SectionHeadersAreCaseInsensitiveAndAllowTrailingSpace) {
    ParsedConfig parsed = parse_config("memory: 1\n[PVE:Pending]  \nmemory: 2\n[Snap1]\nmemory: 3\n", 100);
    EXPECT_EQ(*parsed.config.pending.get("memory"), "2");
    EXPECT_EQ(*parsed.config.snapshots.at("Snap1").get("memory"), "3");
}

TEST(ConfigFile, VolumeOfMountValue) {
    EXPECT_EQ(volume_of_mount_value("local:100/vm-100-disk-0.raw,size=8G"), "local:100/vm-100-disk-0.raw");
    EXPECT_EQ(volume_of_mount_value("mp=/data,volume=/srv/x"), "/srv/x");
    EXPECT_EQ(volume_of_mount_value("mp=/data"), "");
}

}  // namespace
}  // namespace pct
