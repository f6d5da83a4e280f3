#include "core/cgroup_limits.h"

#include <gtest/gtest.h>

#include "core/tests/start_plan_test_support.h"

namespace pct {
namespace {

using namespace pct::testing;

constexpr uint64_t MiB = 1024 * 1024;

CgroupPlan limits(const std::string& options, unsigned version = 2, const RawEntries& raw2 = {},
                  const RawEntries& raw1 = {}, std::vector<std::string>* warnings = nullptr) {
    CgroupPlan plan;
    plan.version = version;
    std::vector<std::string> sink;
    StartHostFacts facts = version == 2 ? fake_host_facts() : hybrid_host_facts();
    plan_cgroup_limits(plan, config_from(base_config + options).main, facts, raw2, raw1, warnings ? *warnings : sink);
    return plan;
}

TEST(CgroupLimits, MemoryHighFormula) {
    EXPECT_EQ(memory_high_bytes(512), 512ull * 1024 * 1016);
    EXPECT_EQ(memory_high_bytes(16383), 16383ull * 1024 * 1016);
    EXPECT_EQ(memory_high_bytes(16384), (16384ull - 128) * MiB);
    EXPECT_EQ(memory_high_bytes(65536), (65536ull - 128) * MiB);
}

TEST(CgroupLimits, V2Defaults) {
    CgroupPlan plan = limits("");
    EXPECT_EQ(plan.memory_max_bytes, 512 * MiB);
    EXPECT_EQ(plan.memory_high_bytes, 512ull * 1024 * 1016);
    EXPECT_EQ(plan.swap_max_bytes, 0u);  // swap unset in the config: 0
    EXPECT_FALSE(plan.cpu_quota_us);
    EXPECT_FALSE(plan.cpu_weight);       // kernel default
    EXPECT_FALSE(plan.cpu_shares);
    EXPECT_FALSE(plan.cores);
    EXPECT_EQ(plan.cpu_period_us, 100000u);
}

TEST(CgroupLimits, V2Values) {
    CgroupPlan plan = limits("memory: 2048\nswap: 1024\ncpulimit: 1.5\ncpuunits: 20000\ncores: 2\n");
    EXPECT_EQ(plan.memory_max_bytes, 2048 * MiB);
    EXPECT_EQ(plan.memory_high_bytes, 2048ull * 1024 * 1016);
    EXPECT_EQ(plan.swap_max_bytes, 1024 * MiB);
    EXPECT_EQ(plan.cpu_quota_us, 150000u);
    EXPECT_EQ(plan.cpu_weight, 10000u);
    EXPECT_EQ(plan.cores, 2u);
    EXPECT_EQ(limits("cpuunits: 0\n").cpu_weight, 1u);
    EXPECT_EQ(limits("memory: 32768\n").memory_high_bytes, (32768ull - 128) * MiB);
}

TEST(CgroupLimits, CpuQuotaTruncatesLikePerl) {
    EXPECT_EQ(cpu_quota_us(1.5), 150000u);
    EXPECT_EQ(cpu_quota_us(0.29), 28999u);  // 0.29 * 100000 = 28999.999...
    EXPECT_EQ(cpu_quota_us(8192), 819200000u);
    EXPECT_FALSE(limits("cpulimit: 0\n").cpu_quota_us);
}

TEST(CgroupLimits, V1Values) {
    CgroupPlan plan = limits("memory: 1024\nswap: 512\ncpulimit: 2\n", 1);
    EXPECT_EQ(plan.memory_max_bytes, 1024 * MiB);
    EXPECT_FALSE(plan.memory_high_bytes);
    EXPECT_EQ(plan.swap_max_bytes, 1536 * MiB);  // memsw = memory + swap
    EXPECT_EQ(plan.cpu_quota_us, 200000u);
    EXPECT_EQ(plan.cpu_shares, 1024u);           // default
    EXPECT_FALSE(plan.cpu_weight);
    EXPECT_EQ(limits("cpuunits: 1\n", 1).cpu_shares, 2u);
    EXPECT_EQ(limits("cpuunits: 500000\n", 1).cpu_shares, 262144u);
}

TEST(CgroupLimits, CoresOnlyWhenFewerThanTheHostHas) {
    EXPECT_FALSE(limits("cores: 8\n").cores);
    EXPECT_FALSE(limits("cores: 64\n").cores);
    EXPECT_EQ(limits("cores: 7\n").cores, 7u);
    EXPECT_FALSE(limits("cores: 2\n", 2, {{"cpuset.cpus", "0-1"}}).cores);
    EXPECT_FALSE(limits("cores: 2\n", 1, {}, {{"cpuset.cpus", "0-1"}}).cores);
}

TEST(CgroupLimits, RawEntries) {
    std::vector<std::string> warnings;
    CgroupPlan v2 = limits("", 2, {{"pids.max", "100"}, {"devices.allow", "c 1:1 r"}}, {{"memory.limit_in_bytes", "1"}}, &warnings);
    EXPECT_EQ(v2.raw, (RawEntries{{"pids.max", "100"}}));
    EXPECT_TRUE(v2.raw_v1.empty());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "lxc.cgroup.memory.limit_in_bytes is a cgroup v1 setting and this host uses cgroup v2; ignored");

    CgroupPlan v1 = limits("", 1, {}, {{"memory.limit_in_bytes", "1"}, {"devices.deny", "a"}});
    EXPECT_EQ(v1.raw_v1, (RawEntries{{"memory.limit_in_bytes", "1"}}));
}

TEST(CgroupLimits, MissingControllersAreWarnedAbout) {
    CgroupPlan plan;
    StartHostFacts facts = fake_host_facts();
    facts.cgroup2_controllers = {"pids"};
    std::vector<std::string> warnings;
    plan_cgroup_limits(plan, config_from(base_config + "cpulimit: 1\n").main, facts, {}, {}, warnings);
    EXPECT_FALSE(plan.memory_max_bytes);
    EXPECT_FALSE(plan.cpu_quota_us);
    EXPECT_EQ(warnings.size(), 2u);
}

}  // namespace
}  // namespace pct
