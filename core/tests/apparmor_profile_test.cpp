#include "core/apparmor_profile.h"

#include <gtest/gtest.h>

#include "core/apparmor_path_patterns.h"

namespace pct {
namespace {

bool has(const std::string& profile, const std::string& rule) {
    return profile.find("\n  " + rule + ",\n") != std::string::npos;
}

AppArmorProfileInputs inputs(bool unprivileged, bool nesting) {
    return {.name = apparmor_profile_name(100), .unprivileged = unprivileged, .nesting = nesting};
}

TEST(AppArmor, NameAndHeader) {
    EXPECT_EQ(apparmor_profile_name(100), "pct-100");
    std::string profile = generate_apparmor_profile(inputs(false, false));
    EXPECT_NE(profile.find("profile \"pct-100\" flags=(attach_disconnected,mediate_deleted) {"), std::string::npos);
    EXPECT_EQ(profile.substr(profile.size() - 2), "}\n");
    EXPECT_EQ(profile.find("#include"), std::string::npos);  // self-contained
}

TEST(AppArmor, BaseRules) {
    std::string profile = generate_apparmor_profile(inputs(false, false));
    for (const char* rule : {"capability", "dbus", "file", "network", "umount", "signal (receive)",
                             "signal peer=@{profile_name}", "ptrace (readby)", "ptrace (tracedby)",
                             "ptrace peer=@{profile_name}", "deny mount options=(ro, remount) -> /", "mount fstype=tmpfs",
                             "mount fstype=fuse.*", "mount fstype=proc -> /proc/", "mount fstype=sysfs -> /sys/",
                             "deny /proc/kcore rwklx", "deny /proc/sysrq-trigger rwklx", "deny /sys/kernel/debug/{,**} rwklx",
                             "mount options=(rw,make-rslave) -> **", "mount options=(rw,bind) /dev/[^.]*{,/**}",
                             "mount options=(rw,rbind) /dev?*{,/**}",
                             "mount options=(ro,remount,bind,nodev,nosuid,noexec,strictatime) -> /[^dps]*{,/**}",
                             "mount fstype=cgroup2 -> /sys/fs/cgroup/**"})
        EXPECT_TRUE(has(profile, rule)) << rule;
    // /dev/.lxc may not be bound anywhere.
    EXPECT_FALSE(has(profile, "mount options=(rw,bind) /dev/.lxc{,/**}"));
}

TEST(AppArmor, WithoutNestingProcAndSysAreReadOnly) {
    std::string profile = generate_apparmor_profile(inputs(false, false));
    EXPECT_TRUE(has(profile, "deny mount -> /proc/"));
    EXPECT_TRUE(has(profile, "deny mount -> /sys/"));
    EXPECT_TRUE(has(profile, "deny /proc/sys/[^fkn]*{,/**} wklx"));
    EXPECT_TRUE(has(profile, "deny /proc/sys/kernel/hostname?*{,/**} wklx"));
    EXPECT_TRUE(has(profile, "deny /sys/[^cdf]*{,/**} wklx"));
    EXPECT_TRUE(has(profile, "deny /sys/k*{,/**} rwklx"));  // no stacking
    EXPECT_FALSE(has(profile, "mount"));
}

TEST(AppArmor, PrivilegedAndUnprivilegedDifferences) {
    std::string privileged = generate_apparmor_profile(inputs(false, false));
    std::string unprivileged = generate_apparmor_profile(inputs(true, false));
    EXPECT_TRUE(has(privileged, "deny /proc/sys/fs/binfmt_misc/{,**} wklx"));
    EXPECT_FALSE(has(unprivileged, "deny /proc/sys/fs/binfmt_misc/{,**} wklx"));
    for (const char* rule : {"pivot_root", "mount fstype=binfmt_misc", "mount options=(rw,bind)", "mount options=(ro,remount)"}) {
        EXPECT_TRUE(has(unprivileged, rule)) << rule;
        EXPECT_FALSE(has(privileged, rule)) << rule;
    }
}

TEST(AppArmor, NestingAdditions) {
    std::string profile = generate_apparmor_profile(inputs(true, true));
    for (const char* rule : {"pivot_root", "ptrace", "signal", "deny /dev/.lxc/proc/** rw", "deny /dev/.lxc/sys/** rw",
                             "mount fstype=proc -> /usr/lib/*/lxc/**", "mount", "change_profile -> \"pct-100\""})
        EXPECT_TRUE(has(profile, rule)) << rule;
    EXPECT_FALSE(has(profile, "deny mount -> /proc/"));
    EXPECT_EQ(profile.find("deny /proc/sys/[^fkn]"), std::string::npos);
    EXPECT_FALSE(has(profile, "userns"));  // only where the host's AppArmor knows it
}

TEST(AppArmor, HostDependentRules) {
    AppArmorProfileInputs in = inputs(true, true);
    in.stacking = true;
    in.userns_rules = true;
    in.mqueue_rules = true;
    std::string profile = generate_apparmor_profile(in);
    EXPECT_TRUE(has(profile, "change_profile -> \":pct-100:*\""));
    EXPECT_TRUE(has(profile, "change_profile -> \":pct-100://*\""));
    EXPECT_FALSE(has(profile, "change_profile -> \"pct-100\""));
    EXPECT_TRUE(has(profile, "userns"));
    EXPECT_TRUE(has(profile, "mqueue"));
    in.nesting = false;
    profile = generate_apparmor_profile(in);
    EXPECT_TRUE(has(profile, "deny /sys/kernel/security/apparmor?*{,/**} wklx"));
    EXPECT_FALSE(has(profile, "deny /sys/k*{,/**} rwklx"));
    EXPECT_FALSE(has(profile, "userns"));
    in.cgroup_namespaces = false;
    EXPECT_FALSE(has(generate_apparmor_profile(in), "mount fstype=cgroup2 -> /sys/fs/cgroup/**"));
}

TEST(AppArmor, FeatureMountsAndRawRulesComeLast) {
    AppArmorProfileInputs in = inputs(false, false);
    in.mount_fstypes = {"fuse", "nfs"};
    in.raw_rules = {"deny /srv/secret/** rw,"};
    std::string profile = generate_apparmor_profile(in);
    size_t nfs = profile.find("  mount fstype=nfs,\n");
    size_t raw = profile.find("  deny /srv/secret/** rw,\n");
    ASSERT_NE(nfs, std::string::npos);
    ASSERT_NE(raw, std::string::npos);
    EXPECT_LT(nfs, raw);
    EXPECT_EQ(profile.substr(raw), "  deny /srv/secret/** rw,\n}\n");
}

TEST(AppArmor, PathsOutsideKeptSubtrees) {
    EXPECT_EQ(apparmor_paths_outside("/", {"dev", "proc", "sys"}),
              (std::vector<std::string>{"/[^dps]*{,/**}", "/d[^e]*{,/**}", "/de[^v]*{,/**}", "/dev?*{,/**}",
                                        "/p[^r]*{,/**}", "/pr[^o]*{,/**}", "/pro[^c]*{,/**}", "/proc?*{,/**}",
                                        "/s[^y]*{,/**}", "/sy[^s]*{,/**}", "/sys?*{,/**}"}));
    EXPECT_EQ(apparmor_paths_outside("/x/", {"a/b*"}),
              (std::vector<std::string>{"/x/[^a]*{,/**}", "/x/a?*{,/**}", "/x/a/[^b]*{,/**}", "/x/a/b*/**"}));
    EXPECT_EQ(apparmor_paths_outside("/x/", {}), (std::vector<std::string>{"/x/**"}));
}

}  // namespace
}  // namespace pct
