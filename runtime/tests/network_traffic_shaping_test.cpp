// The HTB half of `rate` on a veth inside a private network namespace; the
// policer half needs kernel modules some test hosts lack, so its failure is
// accepted here and the full check lives in NetworkLinksTest.
#include "runtime/network_traffic_shaping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "core/error.h"
#include "runtime/tests/network_test_namespaces.h"

namespace pct {
namespace {

using testing::EnteredNamespace;
using testing::ScratchNamespace;
using testing::run_in;

TEST(NetworkTrafficShaping, RateIsMegabytesPerSecondTimesTwoToTheTwenty) {
    EXPECT_EQ(rate_limit_bytes_per_second(1), 1048576u);
    EXPECT_EQ(rate_limit_bytes_per_second(2.5), 2621440u);
    EXPECT_EQ(rate_limit_bytes_per_second(0.1), 104857u);  // truncated like Proxmox's int()
    EXPECT_EQ(rate_limit_bytes_per_second(10000), 10485760000u);  // beyond 32 bits
}

TEST(NetworkTrafficShaping, InstallsHtbAtTheRateAndRemovesItAgain) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (creates a network namespace)";
    ScratchNamespace host;
    EnteredNamespace inside(host);
    ASSERT_EQ(run_in(host, "ip link add shaped type veth peer name peer").exit_code, 0);
    NetlinkSocket socket;
    LinkInfo link = require_link(socket, "shaped");

    for (double rate : {2.5, 10000.0}) {
        try {
            apply_rate_limit(socket, link, rate);
        } catch (const UserError& error) {
            EXPECT_EQ(std::string(error.what()).rfind("cannot add the ingress policer to 'shaped'", 0), 0u)
                << error.what();
        }
        std::string qdiscs = run_in(host, "tc qdisc show dev shaped").output;
        EXPECT_NE(qdiscs.find("qdisc htb 1: root"), std::string::npos) << qdiscs;
        EXPECT_NE(qdiscs.find("qdisc ingress ffff:"), std::string::npos) << qdiscs;
        std::string classes = run_in(host, "tc class show dev shaped").output;
        // What `tc class add ... htb rate <bytes>bps burst 1048576b` shows (tick rounding included).
        const std::string expected = rate == 2.5 ? "rate 20971Kbit ceil 20971Kbit burst 1Mb cburst 1596b"
                                                 : "rate 83886Mbit ceil 83886Mbit burst 1038090b";
        EXPECT_NE(classes.find(expected), std::string::npos) << classes;
    }

    apply_rate_limit(socket, link, std::nullopt);
    std::string qdiscs = run_in(host, "tc qdisc show dev shaped").output;
    EXPECT_EQ(qdiscs.find("htb"), std::string::npos) << qdiscs;
    EXPECT_EQ(qdiscs.find("ingress"), std::string::npos) << qdiscs;
}

}  // namespace
}  // namespace pct
