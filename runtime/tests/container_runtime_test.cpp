// Kernel concerns of the launcher, each tested on its own (root only).
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "core/device_policy.h"
#include "core/error.h"
#include "runtime/cgroups.h"
#include "runtime/monitor.h"
#include "runtime/seccomp_loader.h"
#include "runtime/volume_mounts.h"

namespace pct {
namespace {

bool is_root() { return ::geteuid() == 0; }

std::string temp_dir() {
    char tmpl[] = "/tmp/pct-runtime-test.XXXXXX";
    return ::mkdtemp(tmpl);
}

// Runs `body` in a child; returns its exit status.
template <typename F>
int in_child(F body) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

SeccompPolicy common_policy() {
    SeccompPolicy policy;
    policy.architectures = {"x86_64", "x86", "x32"};
    for (const char* call : {"kexec_load", "open_by_handle_at", "init_module", "finit_module", "delete_module"})
        policy.rules.push_back({.syscall = call, .action = SeccompAction::Errno, .errno_value = 1});
    policy.rules.push_back({.syscall = "ioctl", .action = SeccompAction::Errno, .errno_value = 1,
                            .conditions = {{.index = 1, .op = "masked_eq", .value = 0x9400, .mask = 0xff00}}});
    policy.rules.push_back({.syscall = "keyctl", .action = SeccompAction::Errno, .errno_value = 38});
    return policy;
}

TEST(SeccompTest, FilterDeniesPlannedCallsAndMaskedIoctls) {
    std::vector<std::string> warnings;
    std::string bpf = build_seccomp_bpf(common_policy(), warnings);
    ASSERT_FALSE(bpf.empty());
    int status = in_child([&] {
        load_seccomp_bpf(bpf);
        if (::syscall(SYS_kexec_load, 0, 0, nullptr, 0) != -1 || errno != EPERM) return 1;
        if (::syscall(SYS_keyctl, 0, 0, 0) != -1 || errno != ENOSYS) return 2;
        // btrfs ioctl type byte 0x94 -> EPERM; another ioctl passes the filter (ENOTTY).
        if (::syscall(SYS_ioctl, 0, 0x94010000UL | 0x9401, 0) != -1 || errno != EPERM) return 3;
        if (::syscall(SYS_ioctl, -1, 0x5401, 0) != -1 || errno != EBADF) return 4;
        return 0;
    });
    EXPECT_EQ(status, 0);
}

TEST(SeccompTest, CompiledOnceThenLoadedFromCache) {
    std::string dir = temp_dir();
    std::vector<std::string> warnings;
    auto t0 = std::chrono::steady_clock::now();
    CompiledSeccomp first = compile_seccomp(common_policy(), dir, warnings);
    auto t1 = std::chrono::steady_clock::now();
    CompiledSeccomp second = compile_seccomp(common_policy(), dir, warnings);
    auto t2 = std::chrono::steady_clock::now();
    EXPECT_FALSE(first.from_cache);
    EXPECT_TRUE(second.from_cache);
    EXPECT_EQ(first.bpf, second.bpf);
    std::printf("seccomp: compile %lld us, cached %lld us\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(t2 - t1).count()));
    std::system(("rm -rf " + dir).c_str());
}

TEST(SeccompTest, ParsesLxcProfiles) {
    SeccompPolicy policy = parse_lxc_seccomp_profile(
        "2\ndenylist\nreject_force_umount\n[all]\nkexec_load errno 1\nioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]\n",
        {"x86_64"});
    ASSERT_EQ(policy.rules.size(), 3u);
    EXPECT_EQ(policy.rules[0].syscall, "umount2");
    EXPECT_EQ(policy.rules[2].conditions[0].mask, 0xff00u);
    EXPECT_EQ(policy.rules[2].conditions[0].value, 0x9400u);
}

TEST(CgroupTest, CpuListsAndChoice) {
    EXPECT_EQ(parse_cpu_list("0-3,6"), (std::vector<unsigned>{0, 1, 2, 3, 6}));
    EXPECT_EQ(format_cpu_list({6, 0, 1, 2, 3}), "0-3,6");
    EXPECT_EQ(choose_cpus({0, 1, 2, 3}, {2, 0, 1, 0}, 2), (std::vector<unsigned>{1, 3}));
}

TEST(CgroupTest, DeviceProgramEnforcesRulesOnCgroup2) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    std::string unified;
    for (const auto& mount : find_cgroup_mounts())
        if (mount.unified) unified = mount.path;
    if (unified.empty()) GTEST_SKIP() << "no cgroup2 mount";
    std::string dir = unified + "/pct-device-test-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    // Allow-list: mknod anything, read/write /dev/null, read-only /dev/zero.
    std::vector<DeviceRule> rules = {{.allow = false, .type = 'a'},
                                     {.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
                                     {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
                                     {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "r"}};
    attach_device_filter(dir, rules);
    int status = in_child([&] {
        write_cgroup_file(dir, "cgroup.procs", "0");
        if (::open("/dev/null", O_RDWR) < 0) return 1;
        if (::open("/dev/zero", O_RDONLY) < 0) return 2;
        if (::open("/dev/zero", O_WRONLY) >= 0 || errno != EPERM) return 3;
        if (::open("/dev/full", O_RDONLY) >= 0 || errno != EPERM) return 4;
        return 0;
    });
    EXPECT_EQ(status, 0);
    remove_cgroup_tree(dir);
}

TEST(CgroupTest, FullPrivilegedDeviceProgramLoads) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    std::string unified;
    for (const auto& mount : find_cgroup_mounts())
        if (mount.unified) unified = mount.path;
    if (unified.empty()) GTEST_SKIP() << "no cgroup2 mount";
    std::string dir = unified + "/pct-device-full-test-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    // The whole default allow-list of a privileged container plus raw rules:
    // its verifier log is longer than a small log buffer, which made the
    // load fail with ENOSPC when the log was requested up front.
    std::vector<DeviceRule> rules = device_cgroup_rules(
        {.raw_allow_deny = {"allow c 10:200 rwm", "allow c 10:228 rwm", "allow c 10:232 rwm", "allow b 7:* rwm",
                            "deny c 5:1 rwm", "allow c 4:* rw"}});
    EXPECT_NO_THROW(attach_device_filter(dir, rules));
    int status = in_child([&] {
        write_cgroup_file(dir, "cgroup.procs", "0");
        if (::open("/dev/null", O_RDWR) < 0) return 1;
        if (::open("/dev/console", O_RDONLY) >= 0 || errno != EPERM) return 2;
        return 0;
    });
    EXPECT_EQ(status, 0);
    remove_cgroup_tree(dir);
}

TEST(CgroupTest, FreezerOnCgroup2) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    std::string unified;
    for (const auto& mount : find_cgroup_mounts())
        if (mount.unified) unified = mount.path;
    if (unified.empty()) GTEST_SKIP() << "no cgroup2 mount";
    std::string dir = unified + "/pct-freeze-test-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    pid_t child = ::fork();
    if (child == 0) {
        for (;;) ::pause();
    }
    write_cgroup_file(dir, "cgroup.procs", std::to_string(child));
    set_cgroup_frozen({dir}, true);
    EXPECT_TRUE(cgroup_frozen({dir}));
    set_cgroup_frozen({dir}, false);
    EXPECT_FALSE(cgroup_frozen({dir}));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    remove_cgroup_tree(dir);
}

class LauncherMountTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root";
        base_ = temp_dir();
        ::mkdir((base_ + "/a").c_str(), 0755);
        ::mkdir((base_ + "/a/b").c_str(), 0755);
        ::mkdir((base_ + "/secret").c_str(), 0755);
        ::mkdir((base_ + "/root").c_str(), 0755);
        ::mkdir((base_ + "/root/mnt").c_str(), 0755);
    }
    void TearDown() override {
        if (base_.empty()) return;
        ::umount2((base_ + "/root/mnt").c_str(), MNT_DETACH);
        std::system(("rm -rf " + base_).c_str());
    }
    std::string base_;
};

TEST_F(LauncherMountTest, SourceSymlinkIsRefused) {
    ASSERT_EQ(::symlink("a/b", (base_ + "/sym").c_str()), 0);
    try {
        open_host_directory_nofollow(base_ + "/sym");
        FAIL() << "symlink followed";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), "symlink encountered at: " + base_ + "/sym");
    }
    EXPECT_TRUE(open_host_directory_nofollow(base_ + "/a/b"));
}

TEST_F(LauncherMountTest, GuestTargetSymlinkIsRefused) {
    ASSERT_EQ(::symlink((base_ + "/secret").c_str(), (base_ + "/root/mnt/abs").c_str()), 0);
    UniqueFd root(::open((base_ + "/root").c_str(), O_PATH | O_DIRECTORY));
    EXPECT_THROW(open_guest_path(root.get(), "/mnt/abs/x", CreateMissing::Directories), UserError);
    struct stat info {};
    EXPECT_NE(::stat((base_ + "/secret/x").c_str(), &info), 0);
}

TEST_F(LauncherMountTest, ReadOnlyBindVerified) {
    UniqueFd source = open_host_directory_nofollow(base_ + "/a/b");
    UniqueFd root(::open((base_ + "/root").c_str(), O_PATH | O_DIRECTORY));
    GuestPath target = open_guest_path(root.get(), "/mnt", CreateMissing::Directories);
    bind_mount_fds(source.get(), target.target.get(), mount_attributes({}, true), false, "test");
    EXPECT_NO_THROW(verify_bind_mount(target.parent.get(), target.name, source.get(), true, base_ + "/a/b"));
}

TEST_F(LauncherMountTest, WritableMountFailsReadOnlyCheck) {
    UniqueFd source = open_host_directory_nofollow(base_ + "/a/b");
    ASSERT_EQ(::mount((base_ + "/a/b").c_str(), (base_ + "/root/mnt").c_str(), nullptr, MS_BIND, nullptr), 0);
    UniqueFd root(::open((base_ + "/root").c_str(), O_PATH | O_DIRECTORY));
    try {
        verify_bind_mount(root.get(), "mnt", source.get(), true, base_ + "/a/b");
        FAIL() << "writable mount accepted";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), "failed to mark bind mount read only");
    }
}

TEST_F(LauncherMountTest, SourceSwappedAfterHandleIsDetected) {
    // The handle is taken, then a/b is replaced by a symlink to a secret
    // directory and the mount is made by path (the race of §5.5).
    UniqueFd source = open_host_directory_nofollow(base_ + "/a/b");
    ASSERT_EQ(::rename((base_ + "/a/b").c_str(), (base_ + "/a/b.orig").c_str()), 0);
    ASSERT_EQ(::symlink((base_ + "/secret").c_str(), (base_ + "/a/b").c_str()), 0);
    ASSERT_EQ(::mount((base_ + "/a/b").c_str(), (base_ + "/root/mnt").c_str(), nullptr, MS_BIND, nullptr), 0);
    // Even with the original put back right after mounting.
    ::unlink((base_ + "/a/b").c_str());
    ::rename((base_ + "/a/b.orig").c_str(), (base_ + "/a/b").c_str());
    UniqueFd root(::open((base_ + "/root").c_str(), O_PATH | O_DIRECTORY));
    try {
        verify_bind_mount(root.get(), "mnt", source.get(), false, base_ + "/a/b");
        FAIL() << "swap not detected";
    } catch (const UserError& e) {
        EXPECT_EQ(std::string(e.what()), "detected mount path change at: " + base_ + "/a/b");
    }
}

TEST(MonitorTest, ArgumentsAreChecked) {
    const char* good[] = {"pct-monitor", "100", "/run/pct/100", "/usr/bin/pct", "1", "1", "2", "10", nullptr};
    MonitorArgs args;
    ASSERT_TRUE(parse_monitor_args(8, const_cast<char**>(good), args));
    EXPECT_EQ(args.vmid, 100);
    EXPECT_TRUE(args.has_abstract);
    EXPECT_EQ(args.ttys, 2);
    EXPECT_EQ(args.listener, 10);
    const char* bad[] = {"pct-monitor", "100", "/run", "/pct", "1", "1", "9", "-1", nullptr};
    EXPECT_FALSE(parse_monitor_args(8, const_cast<char**>(bad), args));
    EXPECT_FALSE(parse_monitor_args(7, const_cast<char**>(good), args));
}

}  // namespace
}  // namespace pct
