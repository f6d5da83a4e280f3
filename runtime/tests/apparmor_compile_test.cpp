// The generated AppArmor profiles must compile with the real parser. The
// kernel here need not have AppArmor: apparmor_parser checks the profile
// against a features file (-M) and writes the binary policy to stdout (-S)
// instead of loading it (-Q), without touching its cache (-K).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/apparmor_profile.h"
#include "core/config_loader.h"
#include "core/start_plan_builder.h"

extern char** environ;

namespace pct {
namespace {

namespace fs = std::filesystem;

std::string find_program(const std::string& name) {
    for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"})
        if (::access((std::string(dir) + "/" + name).c_str(), X_OK) == 0) return std::string(dir) + "/" + name;
    return "";
}

// The Debian apparmor package ships a features file of a stock kernel; the
// ABI files of the policy have the same format and serve as a fallback.
std::string find_features_file() {
    for (const char* path : {"/usr/share/apparmor-features/features", "/etc/apparmor.d/abi/4.0", "/etc/apparmor.d/abi/3.0"})
        if (fs::is_regular_file(path)) return path;
    return "";
}

class AppArmorCompile : public ::testing::Test {
protected:
    void SetUp() override {
        parser_ = find_program("apparmor_parser");
        if (parser_.empty()) GTEST_SKIP() << "apparmor_parser is not installed (Debian package 'apparmor')";
        features_ = find_features_file();
        ASSERT_FALSE(features_.empty()) << "apparmor_parser is installed but no features file was found";
        char pattern[] = "/tmp/pct-apparmor-test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    // Exit status of the parser and what it printed on stderr.
    std::pair<int, std::string> compile(const std::string& name, const std::string& profile) {
        const std::string profile_path = dir_ + "/" + name;
        const std::string errors_path = dir_ + "/" + name + ".err";
        std::ofstream(profile_path) << profile;

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, errors_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<std::string> args = {parser_, "-Q", "-K", "-S", "-M", features_, profile_path};
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        int rc = ::posix_spawn(&pid, parser_.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) return {-1, "cannot run " + parser_};
        int status = 0;
        ::waitpid(pid, &status, 0);
        std::stringstream errors;
        errors << std::ifstream(errors_path).rdbuf();
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, errors.str()};
    }

    void expect_compiles(const std::string& name, const AppArmorProfileInputs& inputs) {
        auto [status, errors] = compile(name, generate_apparmor_profile(inputs));
        EXPECT_EQ(status, 0) << name << ":\n" << errors;
    }

    std::string parser_, features_, dir_;
};

AppArmorProfileInputs inputs(bool unprivileged, bool nesting) {
    return {.name = apparmor_profile_name(100), .unprivileged = unprivileged, .nesting = nesting};
}

TEST_F(AppArmorCompile, Privileged) { expect_compiles("privileged", inputs(false, false)); }

TEST_F(AppArmorCompile, Unprivileged) { expect_compiles("unprivileged", inputs(true, false)); }

TEST_F(AppArmorCompile, Nesting) {
    expect_compiles("nesting-privileged", inputs(false, true));
    expect_compiles("nesting-unprivileged", inputs(true, true));
}

TEST_F(AppArmorCompile, FuseAndMountFeatures) {
    AppArmorProfileInputs in = inputs(true, false);
    in.mount_fstypes = {"fuse", "nfs", "cifs", "ext4"};
    expect_compiles("fuse-mount", in);
}

TEST_F(AppArmorCompile, StackingAndRawRules) {
    AppArmorProfileInputs in = inputs(true, true);
    in.stacking = true;
    in.raw_rules = {"deny /srv/secret/** rw,", "mount fstype=nfs4,"};
    expect_compiles("stacking-raw", in);
    in.nesting = false;
    in.cgroup_namespaces = false;
    expect_compiles("stacking-no-nesting", in);
}

TEST_F(AppArmorCompile, ProfileFromAStartPlan) {
    ContainerConfig config = parse_config_strict(
        "arch: amd64\nostype: ubuntu\nrootfs: /srv/ct\nunprivileged: 1\nfeatures: nesting=1,fuse=1,mount=nfs\n"
        "lxc.apparmor.raw: deny /srv/** w,\n",
        100, "100.conf");
    StartPlan plan = build_start_plan(config, 100, StartHostFacts{}, {});
    auto [status, errors] = compile("from-plan", plan.apparmor_profile);
    EXPECT_EQ(status, 0) << errors;
}

TEST_F(AppArmorCompile, ParserRejectsABrokenProfile) {
    // Guards the harness itself: a syntax error must fail.
    auto [status, errors] = compile("broken", "profile \"broken\" {\n  not a rule\n}\n");
    EXPECT_NE(status, 0);
}

}  // namespace
}  // namespace pct
