#include "core/capability_policy.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pct {
namespace {

const std::vector<std::string> common = {"CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_SYS_TIME", "CAP_SYS_MODULE",
                                         "CAP_SYS_RAWIO"};

std::vector<std::string> plus(std::vector<std::string> extra) {
    std::vector<std::string> all = common;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
}

TEST(Capabilities, PrivilegedDropsPerOstype) {
    EXPECT_EQ(capability_policy("debian", false, {}).dropped, common);
    EXPECT_EQ(capability_policy("ubuntu", false, {}).dropped, common);
    EXPECT_EQ(capability_policy("", false, {}).dropped, common);
    EXPECT_EQ(capability_policy("centos", false, {}).dropped, plus({"CAP_SYS_NICE", "CAP_SYS_PACCT"}));
    EXPECT_EQ(capability_policy("opensuse", false, {}).dropped, plus({"CAP_SYS_NICE", "CAP_SYS_PACCT"}));
    EXPECT_EQ(capability_policy("fedora", false, {}).dropped, plus({"CAP_SETFCAP", "CAP_SYS_NICE", "CAP_SYS_PACCT"}));
    EXPECT_EQ(capability_policy("archlinux", false, {}).dropped, plus({"CAP_SETFCAP", "CAP_SYS_NICE", "CAP_SYS_PACCT"}));
    EXPECT_EQ(capability_policy("alpine", false, {}).dropped,
              plus({"CAP_AUDIT_WRITE", "CAP_IPC_OWNER", "CAP_MKNOD", "CAP_SYS_NICE", "CAP_SYS_PACCT", "CAP_SYS_RESOURCE",
                    "CAP_SYS_TTY_CONFIG", "CAP_SYSLOG", "CAP_WAKE_ALARM"}));
}

TEST(Capabilities, UnprivilegedDropsNothing) {
    for (const char* ostype : {"debian", "alpine", "fedora"}) {
        CapabilityPolicy policy = capability_policy(ostype, true, {});
        EXPECT_TRUE(policy.dropped.empty()) << ostype;
        EXPECT_TRUE(policy.kept.empty()) << ostype;
        EXPECT_TRUE(policy.keeps("CAP_SYS_ADMIN"));
    }
}

TEST(Capabilities, RawDropLinesAddAndClear) {
    EXPECT_EQ(capability_policy("debian", false, {{"lxc.cap.drop", "sys_admin CAP_NET_RAW"}}).dropped,
              plus({"CAP_SYS_ADMIN", "CAP_NET_RAW"}));
    EXPECT_TRUE(capability_policy("debian", false, {{"lxc.cap.drop", ""}}).dropped.empty());
    EXPECT_EQ(capability_policy("debian", false, {{"lxc.cap.drop", ""}, {"lxc.cap.drop", "sys_time"}}).dropped,
              (std::vector<std::string>{"CAP_SYS_TIME"}));
    EXPECT_EQ(capability_policy("debian", true, {{"lxc.cap.drop", "net_admin"}}).dropped,
              (std::vector<std::string>{"CAP_NET_ADMIN"}));
    EXPECT_FALSE(capability_policy("debian", true, {{"lxc.cap.drop", "net_admin"}}).keeps("CAP_NET_ADMIN"));
}

TEST(Capabilities, RawKeepIsAnAllowList) {
    CapabilityPolicy policy = capability_policy("debian", false, {{"lxc.cap.keep", "chown sys_admin"}});
    EXPECT_TRUE(policy.dropped.empty());
    EXPECT_EQ(policy.kept, (std::vector<std::string>{"CAP_CHOWN", "CAP_SYS_ADMIN"}));
    EXPECT_TRUE(policy.keeps("CAP_CHOWN"));
    EXPECT_FALSE(policy.keeps("CAP_NET_ADMIN"));

    CapabilityPolicy none = capability_policy("debian", false, {{"lxc.cap.keep", "none"}});
    EXPECT_TRUE(none.kept.empty());
    EXPECT_EQ(none.dropped, all_capabilities());
}

TEST(Capabilities, Errors) {
    EXPECT_THROW(capability_policy("debian", false, {{"lxc.cap.drop", "sys_magic"}}), UserError);
    EXPECT_THROW(capability_policy("debian", false, {{"lxc.cap.drop", "net_raw"}, {"lxc.cap.keep", "chown"}}), UserError);
    // Clearing the drop list first makes a keep list acceptable.
    EXPECT_NO_THROW(capability_policy("debian", false, {{"lxc.cap.drop", "net_raw"}, {"lxc.cap.drop", ""}, {"lxc.cap.keep", "chown"}}));
}

}  // namespace
}  // namespace pct
