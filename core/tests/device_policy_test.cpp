#include "core/device_policy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/tests/start_plan_test_support.h"

namespace pct {
namespace {

using namespace pct::testing;

std::vector<std::string> rule_texts(const DeviceRuleInputs& inputs) {
    std::vector<std::string> out;
    for (const auto& rule : device_cgroup_rules(inputs)) out.push_back(to_string(rule));
    return out;
}

const std::vector<std::string> privileged_rules = {
    "deny a",         "allow c *:* m",   "allow b *:* m",   "allow c 1:3 rwm", "allow c 1:5 rwm",    "allow c 1:7 rwm",
    "allow c 5:0 rwm", "allow c 5:1 rwm", "allow c 5:2 rwm", "allow c 1:8 rwm", "allow c 1:9 rwm",
    "allow c 136:* rwm", "allow c 10:229 rwm"};

TEST(DevicePolicy, PrivilegedAllowList) { EXPECT_EQ(rule_texts({}), privileged_rules); }

TEST(DevicePolicy, UnprivilegedDenyList) {
    EXPECT_EQ(rule_texts({.unprivileged = true}), (std::vector<std::string>{"allow a"}));
    EXPECT_EQ(rule_texts({.unprivileged = true, .console = false}), (std::vector<std::string>{"allow a", "deny c 5:1 rwm"}));
}

TEST(DevicePolicy, LegacyOstypeAllowsOnlyOnV1) {
    std::vector<std::string> v1 = privileged_rules;
    v1.insert(v1.end(), {"allow c 254:0 rm", "allow c 10:200 rwm", "allow c 10:228 rwm", "allow c 10:232 rwm"});
    EXPECT_EQ(rule_texts({.legacy_devices_cgroup = true, .v1_ostype_allows = true}), v1);
    EXPECT_EQ(rule_texts({.legacy_devices_cgroup = false, .v1_ostype_allows = true}), privileged_rules);
    EXPECT_EQ(rule_texts({.legacy_devices_cgroup = true, .v1_ostype_allows = false}), privileged_rules);
}

TEST(DevicePolicy, PassthroughConsoleAndRawRules) {
    DeviceNodePlan serial{.path = "/dev/ttyUSB0", .type = 'c', .major = 188, .minor = 0};
    DeviceNodePlan disk{.path = "/dev/sdb", .type = 'b', .major = 8, .minor = 16, .deny_write = true};
    std::vector<std::string> expected = privileged_rules;
    expected.insert(expected.end(), {"allow c 188:0 rw", "allow b 8:16 rw", "deny b 8:16 w", "deny c 5:1 rwm", "allow c 226:* rwm"});
    EXPECT_EQ(rule_texts({.console = false, .passthrough = {serial, disk}, .raw_allow_deny = {"allow c 226:* rwm"}}), expected);
    // An empty raw value clears everything before it.
    EXPECT_EQ(rule_texts({.raw_allow_deny = {"deny ", "allow c 1:3 r"}}), (std::vector<std::string>{"allow c 1:3 r"}));
}

TEST(DevicePolicy, ParseRules) {
    DeviceRule rule = parse_device_rule(true, "b 8:* rw");
    EXPECT_EQ(rule.type, 'b');
    EXPECT_EQ(rule.major, 8);
    EXPECT_EQ(rule.minor, -1);
    EXPECT_EQ(rule.access, "rw");
    EXPECT_EQ(parse_device_rule(false, "a").type, 'a');
    for (const char* bad : {"", "x 1:1 r", "c 1 r", "c 1:1 rwx", "c 1:1"})
        EXPECT_THROW(parse_device_rule(true, bad), UserError) << bad;
}

TEST(DevicePolicy, StandardNodes) {
    std::vector<DeviceNodePlan> nodes = standard_device_nodes(false);
    ASSERT_EQ(nodes.size(), 6u);
    EXPECT_EQ(nodes[1].path, "/dev/null");
    EXPECT_EQ(nodes[1].major, 1u);
    EXPECT_EQ(nodes[1].minor, 3u);
    EXPECT_EQ(nodes[1].mode, 0666u);
    EXPECT_FALSE(nodes[1].bind_from_host);
    EXPECT_EQ(nodes[3].path, "/dev/tty");
    EXPECT_EQ(nodes[3].major, 5u);
    for (const auto& node : standard_device_nodes(true)) {
        EXPECT_TRUE(node.bind_from_host);
        EXPECT_EQ(node.host_path, node.path);
    }
}

TEST(DevicePolicy, PassthroughDeviceValidation) {
    StartHostFacts facts = fake_host_facts();
    auto error = [&](const std::string& value) {
        try {
            passthrough_device(value, {}, facts);
        } catch (const UserError& e) {
            return std::string(e.what());
        }
        return std::string("<no error>");
    };
    EXPECT_EQ(error("/dev/../etc/shadow"), "/dev/../etc/shadow is not a valid device path");
    EXPECT_EQ(error("/dev/./null"), "/dev/./null is not a valid device path");
    EXPECT_EQ(error("/etc/passwd"), "/etc/passwd is not a valid device path");
    EXPECT_EQ(error("/dev/nothing"), "Device /dev/nothing does not exist");
    EXPECT_EQ(error("/dev/plainfile"), "/dev/plainfile is not a device");

    DeviceNodePlan privileged = passthrough_device("path=/dev/sdb,uid=5,gid=6", {}, facts);
    EXPECT_EQ(privileged.type, 'b');
    EXPECT_EQ(privileged.host_uid, 5u);  // no id map: ids stay as they are
    EXPECT_EQ(privileged.host_gid, 6u);
    DeviceNodePlan mapped = passthrough_device("/dev/ttyUSB0,uid=5", default_unprivileged_idmap(), facts);
    EXPECT_EQ(mapped.host_uid, 100005u);
    EXPECT_EQ(mapped.host_gid, 100000u);
}

}  // namespace
}  // namespace pct
