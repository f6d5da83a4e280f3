#include "core/seccomp_policy.h"

#include <gtest/gtest.h>

namespace pct {
namespace {

std::vector<std::string> lines(const SeccompPolicy& policy) {
    std::vector<std::string> out;
    for (const auto& rule : policy.rules) out.push_back(to_lxc_seccomp_line(rule));
    return out;
}

const std::vector<std::string> common = {
    "umount2 errno 13 [1,0x1,SCMP_CMP_MASKED_EQ,0x1]",
    "kexec_load errno 1",
    "open_by_handle_at errno 1",
    "init_module errno 1",
    "finit_module errno 1",
    "delete_module errno 1",
};

std::vector<std::string> with_common(std::vector<std::string> extra) {
    std::vector<std::string> all = common;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
}

TEST(Seccomp, PrivilegedGetsTheCommonDenylistOnly) {
    SeccompPolicy policy = seccomp_policy({.unprivileged = false});
    EXPECT_EQ(policy.default_action, SeccompAction::Allow);
    EXPECT_EQ(lines(policy), common);
    // keyctl and mknod are unprivileged-only settings.
    EXPECT_EQ(lines(seccomp_policy({.unprivileged = false, .features = {.keyctl = true, .mknod = true}})), common);
}

TEST(Seccomp, UnprivilegedRulesSortedBySyscall) {
    EXPECT_EQ(lines(seccomp_policy({.unprivileged = true})), with_common({
                                                                 "ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]",
                                                                 "keyctl errno 38",
                                                                 "socket errno 97 [0,38,SCMP_CMP_EQ]",
                                                             }));
}

TEST(Seccomp, KeyctlFeatureDropsTheKeyctlRule) {
    EXPECT_EQ(lines(seccomp_policy({.unprivileged = true, .features = {.keyctl = true}})),
              with_common({"ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]", "socket errno 97 [0,38,SCMP_CMP_EQ]"}));
}

TEST(Seccomp, MknodFeatureNotifiesForDeviceNodes) {
    SeccompPolicy policy = seccomp_policy({.unprivileged = true, .features = {.mknod = true}, .vmid = 123});
    EXPECT_EQ(lines(policy), with_common({
                                 "ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]",
                                 "keyctl errno 38",
                                 "mknod notify [1,0x2000,SCMP_CMP_MASKED_EQ,0xf000]",
                                 "mknod notify [1,0x6000,SCMP_CMP_MASKED_EQ,0xf000]",
                                 "mknodat notify [2,0x2000,SCMP_CMP_MASKED_EQ,0xf000]",
                                 "mknodat notify [2,0x6000,SCMP_CMP_MASKED_EQ,0xf000]",
                                 "socket errno 97 [0,38,SCMP_CMP_EQ]",
                             }));
    EXPECT_EQ(policy.notify_cookie, "123");
    EXPECT_EQ(policy.notify_proxy, "unix:/run/pve-lxc-syscalld/socket");
}

TEST(Seccomp, ConditionsAreData) {
    SeccompPolicy policy = seccomp_policy({.unprivileged = true});
    const SeccompRule& ioctl = policy.rules[6];
    ASSERT_EQ(ioctl.syscall, "ioctl");
    EXPECT_EQ(ioctl.action, SeccompAction::Errno);
    EXPECT_EQ(ioctl.errno_value, 1);
    ASSERT_EQ(ioctl.conditions.size(), 1u);
    EXPECT_EQ(ioctl.conditions[0].index, 1u);
    EXPECT_EQ(ioctl.conditions[0].op, "masked_eq");
    EXPECT_EQ(ioctl.conditions[0].value, 0x9400u);
    EXPECT_EQ(ioctl.conditions[0].mask, 0xff00u);
}

TEST(Seccomp, ArchitecturesIncludeCompatModes) {
    EXPECT_EQ(seccomp_architectures("x86_64"), (std::vector<std::string>{"x86_64", "x86", "x32"}));
    EXPECT_EQ(seccomp_architectures("aarch64"), (std::vector<std::string>{"aarch64", "arm"}));
    EXPECT_EQ(seccomp_architectures("riscv64"), (std::vector<std::string>{"riscv64"}));
    EXPECT_EQ(seccomp_policy({.machine = "aarch64"}).architectures, (std::vector<std::string>{"aarch64", "arm"}));
}

}  // namespace
}  // namespace pct
