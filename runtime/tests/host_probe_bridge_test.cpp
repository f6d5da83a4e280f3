// The bridge facts the plans check (MTU, VLAN awareness) come from the
// network namespace pct runs in, the one the veths are created in; here a
// private namespace whose bridges the host's /sys/class/net does not show.
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "runtime/host_probe.h"
#include "runtime/start_host_probe.h"
#include "runtime/tests/network_test_namespaces.h"

namespace pct {
namespace {

using testing::EnteredNamespace;
using testing::ScratchNamespace;
using testing::run_in;

class HostProbeBridgeTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (creates network namespaces)";
        namespace_.emplace();
        for (const char* command :
             {"ip link add pcttestbr0 type bridge", "ip link set pcttestbr0 mtu 1400", "ip link add pcttestveth type veth peer name pcttestpeer"}) {
            testing::CommandResult result = run_in(*namespace_, command);
            ASSERT_EQ(result.exit_code, 0) << command << ": " << result.output;
        }
        entered_.emplace(*namespace_);
    }
    void TearDown() override {
        entered_.reset();
        namespace_.reset();
    }

    std::optional<ScratchNamespace> namespace_;
    std::optional<EnteredNamespace> entered_;
};

TEST_F(HostProbeBridgeTest, StartFactsSeeTheBridgesOfTheCallersNamespace) {
    StartHostFacts facts = probe_start_host_facts();
    EXPECT_EQ(facts.bridge_mtu("pcttestbr0"), std::optional<unsigned>(1400));
    EXPECT_EQ(facts.bridge_vlan_aware("pcttestbr0"), std::optional<bool>(false));
}

TEST_F(HostProbeBridgeTest, StartFactsSeeVlanAwareBridges) {
    if (run_in(*namespace_, "ip link add pcttestbr1 type bridge vlan_filtering 1").exit_code != 0)
        GTEST_SKIP() << "kernel without bridge VLAN filtering";
    StartHostFacts facts = probe_start_host_facts();
    EXPECT_EQ(facts.bridge_mtu("pcttestbr1"), std::optional<unsigned>(1500));
    EXPECT_EQ(facts.bridge_vlan_aware("pcttestbr1"), std::optional<bool>(true));
}

TEST_F(HostProbeBridgeTest, StartFactsForLinksThatAreNoLinuxBridge) {
    StartHostFacts facts = probe_start_host_facts();
    EXPECT_EQ(facts.bridge_mtu("pcttestveth"), std::optional<unsigned>(1500));
    EXPECT_EQ(facts.bridge_vlan_aware("pcttestveth"), std::nullopt);
    EXPECT_EQ(facts.bridge_mtu("pcttestmissing"), std::nullopt);
    EXPECT_EQ(facts.bridge_vlan_aware("pcttestmissing"), std::nullopt);
    EXPECT_EQ(facts.bridge_mtu("../../x"), std::nullopt);
    EXPECT_EQ(facts.bridge_mtu(""), std::nullopt);
}

TEST_F(HostProbeBridgeTest, ConfigChangeFactsSeeTheBridgesOfTheCallersNamespace) {
    HostFacts facts = probe_host_facts();
    EXPECT_EQ(facts.bridge_mtu("pcttestbr0"), std::optional<int>(1400));
    EXPECT_EQ(facts.bridge_mtu("pcttestmissing"), std::nullopt);
}

}  // namespace
}  // namespace pct
