#include "core/container_lifecycle.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "fakes/fake_storage.h"
#include "fakes/memory_config_store.h"
#include "fakes/recording_launcher.h"
#include "fakes/seeded_random.h"
#include "core/tests/user_error_of.h"

namespace pct {
namespace {

class LifecycleTest : public ::testing::Test {
protected:
    StartPlanFactory factory() {
        return [this](const ContainerConfig& config) {
            plans_built_++;
            StartPlan plan;
            plan.vmid = 100;
            if (const std::string* hostname = config.main.get("hostname")) plan.hostname = *hostname;
            plan.warnings.push_back("plan warning");
            return plan;
        };
    }

    MemoryConfigStore store_;
    RecordingLauncher launcher_;
    HostFacts facts_;
    SeededRandom random_{1};
    LifecycleContext ctx_{store_, launcher_, facts_, random_};
    int plans_built_ = 0;
};

TEST_F(LifecycleTest, StartAppliesPendingChangesThenLaunches) {
    store_.configs[100] = "hostname: old\nrootfs: /srv/ct\n\n[pve:pending]\nhostname: new\n";
    StartOutcome outcome = start_container(ctx_, 100, {}, factory());
    EXPECT_EQ(store_.configs[100], "hostname: new\nrootfs: /srv/ct\n");
    ASSERT_EQ(launcher_.started_plans.size(), 1u);
    EXPECT_EQ(launcher_.started_plans[0].hostname, "new");
    EXPECT_EQ(outcome.init_pid, 1100);
    EXPECT_EQ(outcome.warnings, std::vector<std::string>{"plan warning"});
}

TEST_F(LifecycleTest, StartRefusesRunningTemplateAndLocked) {
    store_.configs[100] = "rootfs: /srv/ct\n";
    launcher_.running.insert(100);
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }), "CT 100 already running");
    launcher_.running.clear();
    store_.configs[100] = "rootfs: /srv/ct\ntemplate: 1\n";
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }), "you can't start a CT if it's a template");
    store_.configs[100] = "lock: backup\nrootfs: /srv/ct\n";
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }), "CT is locked (backup)");
    EXPECT_EQ(plans_built_, 0);
    EXPECT_TRUE(launcher_.calls.empty());
}

TEST_F(LifecycleTest, StartIgnoresMountedLockAndSkiplock) {
    store_.configs[100] = "lock: mounted\nrootfs: /srv/ct\n";
    start_container(ctx_, 100, {}, factory());
    launcher_.running.clear();
    store_.configs[100] = "lock: backup\nrootfs: /srv/ct\n";
    start_container(ctx_, 100, {.skiplock = true}, factory());
    EXPECT_EQ(launcher_.calls, (std::vector<std::string>{"start 100", "start 100"}));
}

TEST_F(LifecycleTest, FailedLaunchIsReportedAndConfigStaysApplied) {
    store_.configs[100] = "rootfs: /srv/ct\n";
    launcher_.fail_start = "mp0: symlink encountered at: /srv/x";
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }), "mp0: symlink encountered at: /srv/x");
    EXPECT_TRUE(launcher_.running.empty());
}

TEST_F(LifecycleTest, MissingConfig) {
    EXPECT_EQ(user_error_of([&] { stop_container(ctx_, 100, false); }),
              "Configuration file '/etc/pve/lxc/100.conf' does not exist");
}

TEST_F(LifecycleTest, StopChecksStateAndLock) {
    store_.configs[100] = "lock: backup\nrootfs: /srv/ct\n";
    EXPECT_EQ(user_error_of([&] { stop_container(ctx_, 100, false); }), "CT 100 not running");
    launcher_.running.insert(100);
    EXPECT_EQ(user_error_of([&] { stop_container(ctx_, 100, false); }), "CT is locked (backup)");
    stop_container(ctx_, 100, true);
    store_.configs[100] = "lock: mounted\nrootfs: /srv/ct\n";
    launcher_.running.insert(100);
    stop_container(ctx_, 100, false);
    EXPECT_EQ(launcher_.calls, (std::vector<std::string>{"kill 100", "kill 100"}));
}

TEST_F(LifecycleTest, ShutdownTimeoutFailsOrKills) {
    store_.configs[100] = "rootfs: /srv/ct\n";
    launcher_.running.insert(100);
    launcher_.shutdown_times_out = true;
    EXPECT_EQ(user_error_of([&] { shutdown_container(ctx_, 100, 5, false); }), "container did not stop");
    EXPECT_TRUE(launcher_.running.count(100));
    shutdown_container(ctx_, 100, 5, true);
    EXPECT_EQ(launcher_.calls, (std::vector<std::string>{"shutdown 100 5", "shutdown 100 5", "kill 100"}));
}

TEST_F(LifecycleTest, ShutdownHasNoMountedException) {
    store_.configs[100] = "lock: mounted\nrootfs: /srv/ct\n";
    launcher_.running.insert(100);
    EXPECT_EQ(user_error_of([&] { shutdown_container(ctx_, 100, 60, false); }), "CT is locked (mounted)");
}

TEST_F(LifecycleTest, RebootIgnoresLockAndRestarts) {
    store_.configs[100] = "lock: backup\nrootfs: /srv/ct\n";
    EXPECT_EQ(user_error_of([&] { reboot_container(ctx_, 100, 10, factory(), {}); }), "VM 100 not running");
    launcher_.running.insert(100);
    reboot_container(ctx_, 100, 10, factory(), {});
    EXPECT_EQ(launcher_.calls, (std::vector<std::string>{"shutdown 100 10", "start 100"}));
}

TEST_F(LifecycleTest, SuspendAndResumeFreezeAndThaw) {
    store_.configs[100] = "rootfs: /srv/ct\n";
    EXPECT_EQ(user_error_of([&] { suspend_container(ctx_, 100); }), "CT 100 not running");
    launcher_.running.insert(100);
    EXPECT_EQ(user_error_of([&] { resume_container(ctx_, 100); }), "CT 100 is not suspended");
    suspend_container(ctx_, 100);
    resume_container(ctx_, 100);
    EXPECT_EQ(launcher_.calls, (std::vector<std::string>{"freeze 100", "thaw 100"}));
}

}  // namespace
}  // namespace pct

namespace pct {
namespace {

// Hookscript phases, recorded in the same journal as the launcher's calls.
class HookscriptLifecycleTest : public LifecycleTest {
protected:
    HookscriptLifecycleTest() {
        storages_.add("local");
        ctx_.hooks = {.storages = &storages_,
                      .run = [this](const std::string& volid, const std::string& path, int vmid, const std::string& phase) {
                          journal_.push_back(phase + " " + std::to_string(vmid) + " " + path + " (" + volid + ")");
                          if (phase == failing_) throw UserError("exited with status 1");
                      }};
        store_.configs[100] = "hookscript: local:snippets/hook.sh\nrootfs: /srv/ct\n";
    }
    std::vector<std::string> phases() const {
        std::vector<std::string> names;
        for (const auto& line : journal_) names.push_back(line.substr(0, line.find(' ')));
        return names;
    }

    FakeStorageRegistry storages_;
    std::vector<std::string> journal_;
    std::string failing_;
};

TEST_F(HookscriptLifecycleTest, StartRunsPreAndPostStartAroundTheLaunch) {
    start_container(ctx_, 100, {}, factory());
    EXPECT_EQ(journal_, (std::vector<std::string>{
                            "pre-start 100 /fake/local/snippets/hook.sh (local:snippets/hook.sh)",
                            "post-start 100 /fake/local/snippets/hook.sh (local:snippets/hook.sh)",
                        }));
    EXPECT_EQ(launcher_.calls, std::vector<std::string>{"start 100"});
}

TEST_F(HookscriptLifecycleTest, FailingPreStartAbortsTheStart) {
    failing_ = "pre-start";
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }),
              "hookscript error for 100 on pre-start: exited with status 1");
    EXPECT_TRUE(launcher_.calls.empty());
}

TEST_F(HookscriptLifecycleTest, OtherPhasesOnlyWarn) {
    failing_ = "post-start";
    auto outcome = start_container(ctx_, 100, {}, factory());
    EXPECT_EQ(outcome.warnings.back(), "hookscript error for 100 on post-start: exited with status 1");
    failing_ = "pre-stop";
    auto warnings = stop_container(ctx_, 100, false);
    EXPECT_EQ(warnings, std::vector<std::string>{"hookscript error for 100 on pre-stop: exited with status 1"});
    EXPECT_EQ(launcher_.calls.back(), "kill 100");
    start_container(ctx_, 100, {}, factory());
    shutdown_container(ctx_, 100, 5, false);
    EXPECT_EQ(phases(), (std::vector<std::string>{"pre-start", "post-start", "pre-stop", "pre-start", "post-start", "pre-stop"}));
}

TEST_F(HookscriptLifecycleTest, OnlySnippetsVolumesAreRun) {
    store_.configs[100] = "hookscript: local:vztmpl/hook.tar.gz\nrootfs: /srv/ct\n";
    EXPECT_EQ(user_error_of([&] { start_container(ctx_, 100, {}, factory()); }),
              "hookscript error for 100 on pre-start: 'local:vztmpl/hook.tar.gz' is not in the snippets directory");
    EXPECT_TRUE(journal_.empty());
}

}  // namespace
}  // namespace pct
