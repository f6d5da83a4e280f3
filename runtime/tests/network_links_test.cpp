// Container interfaces on a real kernel, inside private network namespaces:
// a "host" one holding the bridges (the test thread works from there) and a
// "container" one receiving the peer ends. Checked with iproute2.
#include "runtime/network_links.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "core/error.h"
#include "runtime/tests/network_test_namespaces.h"

namespace pct {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::EnteredNamespace;
using testing::ScratchNamespace;
using testing::run_in;

constexpr int kVmid = 100;

std::string user_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& error) {
        return error.what();
    }
    return "(no error)";
}

bool has_flag(const json& link, const std::string& flag) {
    for (const auto& each : link.at("flags"))
        if (each == flag) return true;
    return false;
}

class NetworkLinksTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (creates network namespaces)";
        host_.emplace();
        container_.emplace();
        in_host_.emplace(*host_);
    }
    void TearDown() override {
        in_host_.reset();
        container_.reset();
        host_.reset();
    }

    CommandResult host(const std::string& command) { return run_in(*host_, command); }
    CommandResult container(const std::string& command) { return run_in(*container_, command); }
    void host_ok(const std::string& command) {
        CommandResult result = host(command);
        ASSERT_EQ(result.exit_code, 0) << command << ": " << result.output;
    }

    // `ip -j -d link show dev <name>`; null when there is no such link.
    static json link(const ScratchNamespace& where, const std::string& name) {
        CommandResult result = run_in(where, "ip -j -d link show dev " + name);
        if (result.exit_code != 0) return nullptr;
        return json::parse(result.output).at(0);
    }
    json host_link(const std::string& name) { return link(*host_, name); }
    json container_link(const std::string& name) { return link(*container_, name); }

    // Nothing of the interface may be left after a failed create.
    void expect_no_interface_left(const std::string& host_name = "veth100i0", const std::string& guest = "eth0") {
        EXPECT_TRUE(host_link(host_name).is_null()) << host_name << " left behind";
        EXPECT_TRUE(container_link(guest).is_null()) << guest << " left behind in the container";
    }

    bool kernel_has_vlan_filtering() {
        bool supported = host("ip link add pctprobe type bridge vlan_filtering 1").exit_code == 0;
        host("ip link del pctprobe");
        return supported;
    }

    // What `rate` needs besides HTB: the `basic` classifier and the police action.
    bool kernel_has_ingress_policer() {
        bool supported = host("ip link add pctprobe type veth peer name pctprobe1 && "
                              "tc qdisc add dev pctprobe handle ffff: ingress && "
                              "tc filter add dev pctprobe parent ffff: prio 50 basic police rate 1mbit burst 1m "
                              "mtu 64kb drop")
                             .exit_code == 0;
        host("ip link del pctprobe");
        return supported;
    }

    static NetworkInterfacePlan plan(const std::string& bridge) {
        NetworkInterfacePlan net;
        net.key = "net0";
        net.host_name = "veth100i0";
        net.guest_name = "eth0";
        net.hwaddr = "BC:24:11:2A:3B:4C";
        net.bridge = bridge;
        return net;
    }

    void create(const NetworkInterfacePlan& net) { create_container_interface(net, container_->fd()); }

    std::optional<ScratchNamespace> host_;
    std::optional<ScratchNamespace> container_;
    std::optional<EnteredNamespace> in_host_;
};

TEST_F(NetworkLinksTest, CreatesThePairWithNamesMacsAndTheBridgeMtu) {
    host_ok("ip link add br0 mtu 1450 type bridge && ip link set br0 up");
    create(plan("br0"));

    json host_end = host_link("veth100i0");
    ASSERT_FALSE(host_end.is_null());
    EXPECT_EQ(host_end.at("address").get<std::string>().substr(0, 3), "fe:");
    EXPECT_EQ(host_end.at("mtu"), 1450);
    EXPECT_EQ(host_end.value("master", ""), "br0");
    EXPECT_TRUE(has_flag(host_end, "UP"));
    EXPECT_EQ(host("cat /proc/sys/net/ipv6/conf/veth100i0/disable_ipv6").output, "1\n");

    json guest_end = container_link("eth0");
    ASSERT_FALSE(guest_end.is_null());
    EXPECT_EQ(guest_end.at("address"), "bc:24:11:2a:3b:4c");
    EXPECT_EQ(guest_end.at("mtu"), 1450);
    EXPECT_FALSE(has_flag(guest_end, "UP")) << "the guest brings it up itself";
    EXPECT_EQ(guest_end.at("linkinfo").at("info_kind"), "veth");
}

TEST_F(NetworkLinksTest, ConfiguredMtuGoesToTheContainerEndWhileThePortKeepsTheBridgeMtu) {
    host_ok("ip link add br0 type bridge && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.mtu = 1400;
    create(net);
    EXPECT_EQ(container_link("eth0").at("mtu"), 1400);
    EXPECT_EQ(host_link("veth100i0").at("mtu"), 1500);  // lxcnetaddbr: `ip link set <if> up mtu <bridge mtu>`
    EXPECT_EQ(host_link("br0").at("mtu"), 1500) << "the bridge must not shrink";
}

TEST_F(NetworkLinksTest, MtuAboveTheBridgeMtuFailsWithoutLeavingAVeth) {
    host_ok("ip link add br0 type bridge");
    NetworkInterfacePlan net = plan("br0");
    net.mtu = 9000;
    EXPECT_EQ(user_error_of([&] { create(net); }), "net0: MTU size '9000' is bigger than bridge MTU '1500'");
    expect_no_interface_left();
}

TEST_F(NetworkLinksTest, MissingBridgeFailsWithoutLeavingAVeth) {
    EXPECT_EQ(user_error_of([&] { create(plan("vmbr7")); }), "bridge 'vmbr7' does not exist");
    expect_no_interface_left();
}

TEST_F(NetworkLinksTest, InterfaceThatIsNoBridgeIsRefused) {
    host_ok("ip link add notabridge type veth peer name other");
    EXPECT_EQ(user_error_of([&] { create(plan("notabridge")); }),
              "bridge 'notabridge' is neither a linux nor an OVS bridge!");
    expect_no_interface_left();
}

TEST_F(NetworkLinksTest, TrunksNeedAVlanAwareBridge) {
    host_ok("ip link add br0 type bridge");
    NetworkInterfacePlan net = plan("br0");
    net.trunks = {10, 20};
    EXPECT_EQ(user_error_of([&] { create(net); }), "vlan aware feature need to be enabled to use trunks");
    expect_no_interface_left();
}

TEST_F(NetworkLinksTest, TagOnAPlainBridgeWithoutPhysicalPortFails) {
    host_ok("ip link add br0 type bridge && ip link add dummyport type veth peer name x && "
            "ip link set dummyport master br0");
    NetworkInterfacePlan net = plan("br0");
    net.tag = 5;
    EXPECT_EQ(user_error_of([&] { create(net); }), "no physical interface on bridge 'br0'");
    expect_no_interface_left();
    EXPECT_TRUE(host_link("br0v5").is_null()) << "no VLAN bridge without VLAN devices";
}

TEST_F(NetworkLinksTest, LinkDownKeepsTheHostEndDownAndDetached) {
    host_ok("ip link add br0 type bridge && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.link_down = true;
    net.host_managed = true;  // ignored with link_down
    net.ipv4 = "10.9.0.2/24";
    create(net);
    json host_end = host_link("veth100i0");
    EXPECT_FALSE(has_flag(host_end, "UP"));
    EXPECT_FALSE(host_end.contains("master"));
    json guest_end = container_link("eth0");
    EXPECT_FALSE(has_flag(guest_end, "UP"));
    EXPECT_EQ(container("ip -4 -o addr show dev eth0").output, "");
}

TEST_F(NetworkLinksTest, FirewallOptionAttachesDirectly) {
    host_ok("ip link add br0 type bridge && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.firewall = true;
    create(net);
    EXPECT_EQ(host_link("veth100i0").value("master", ""), "br0");
    EXPECT_TRUE(host_link("fwbr100i0").is_null());
    EXPECT_TRUE(host_link("fwpr100p0").is_null());
}

TEST_F(NetworkLinksTest, WithoutBridgeTheHostEndIsUpAndUnattached) {
    create(plan(""));
    json host_end = host_link("veth100i0");
    EXPECT_TRUE(has_flag(host_end, "UP"));
    EXPECT_FALSE(host_end.contains("master"));
    EXPECT_FALSE(container_link("eth0").is_null());
}

TEST_F(NetworkLinksTest, TooLongHostNameIsRefused) {
    NetworkInterfacePlan net = plan("");
    net.host_name = "veth999999999i31";
    EXPECT_EQ(user_error_of([&] { create(net); }), "the interface name veth999999999i31 is too long");
    EXPECT_TRUE(container_link("eth0").is_null());
}

TEST_F(NetworkLinksTest, ExistingHostEndIsNotTakenOver) {
    host_ok("ip link add veth100i0 type veth peer name stale");
    EXPECT_EQ(user_error_of([&] { create(plan("")); }), "interface 'veth100i0' already exists");
    EXPECT_FALSE(host_link("stale").is_null()) << "someone else's veth must stay";
    EXPECT_TRUE(container_link("eth0").is_null());
}

TEST_F(NetworkLinksTest, FailingSecondInterfaceRemovesTheFirst) {
    NetworkInterfacePlan first = plan("");
    NetworkInterfacePlan second = plan("");
    second.key = "net1";
    second.host_name = "veth100i1";
    second.hwaddr = "BC:24:11:2A:3B:4D";  // same guest name eth0: the container already has one
    EXPECT_EQ(user_error_of([&] { create_container_interfaces({first, second}, container_->fd()); }),
              "interface 'eth0' already exists in the container");
    expect_no_interface_left("veth100i0");
    expect_no_interface_left("veth100i1");
}

TEST_F(NetworkLinksTest, HostManagedInterfaceGetsAddressesRoutesAndCarriesTraffic) {
    host_ok("ip link add br0 type bridge && ip addr add 10.9.0.1/24 dev br0 && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.host_managed = true;
    net.ipv4 = "10.9.0.2/24";
    net.gateway4 = "10.9.0.1";
    net.ipv6 = "fd00:9::2/64";
    net.gateway6 = "fd00:9::1";
    create(net);

    json guest_end = container_link("eth0");
    EXPECT_TRUE(has_flag(guest_end, "UP"));
    EXPECT_TRUE(has_flag(container_link("lo"), "UP"));
    EXPECT_NE(container("ip -4 -o addr show dev eth0").output.find("inet 10.9.0.2/24 brd 10.9.0.255"),
              std::string::npos);
    EXPECT_NE(container("ip -6 -o addr show dev eth0").output.find("inet6 fd00:9::2/64"), std::string::npos);
    EXPECT_NE(container("ip -4 route show default").output.find("default via 10.9.0.1 dev eth0"), std::string::npos);
    EXPECT_NE(container("ip -6 route show default").output.find("default via fd00:9::1 dev eth0"),
              std::string::npos);

    // A TCP connection from the container to the bridge's address in the host namespace.
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    inet_pton(AF_INET, "10.9.0.1", &address.sin_addr);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(listen(listener, 1), 0);
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    std::string received;
    std::thread client([&] {
        EnteredNamespace inside(*container_);
        int connection = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(connection, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0)
            (void)!write(connection, "hello from the container", 24);
        close(connection);
    });
    pollfd waiting{.fd = listener, .events = POLLIN, .revents = 0};
    if (poll(&waiting, 1, 5000) == 1) {
        int accepted = accept(listener, nullptr, nullptr);
        char buffer[64];
        ssize_t got = read(accepted, buffer, sizeof buffer);
        if (got > 0) received.assign(buffer, static_cast<size_t>(got));
        close(accepted);
    }
    client.join();
    close(listener);
    EXPECT_EQ(received, "hello from the container");

    NetworkCounters counters = container_network_counters(kVmid);
    EXPECT_GT(counters.netout, 24u) << "the container's packets arrive on the host end";
    EXPECT_GT(counters.netin, 0u) << "the host's answers leave through the host end";
    EXPECT_EQ(container_network_counters(kVmid + 1).netin, 0u);
}

TEST_F(NetworkLinksTest, GatewayOutsideTheSubnetIsReachedThroughAHostRoute) {
    host_ok("ip link add br0 type bridge && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.host_managed = true;
    net.ipv4 = "10.9.0.2/24";
    net.gateway4 = "10.8.0.1";
    create(net);
    std::string routes = container("ip -4 route show").output;
    EXPECT_NE(routes.find("default via 10.8.0.1 dev eth0"), std::string::npos) << routes;
    EXPECT_NE(routes.find("10.8.0.1 dev eth0"), std::string::npos) << routes;
}

TEST_F(NetworkLinksTest, SlaacIsRefusedForHostManagedInterfaces) {
    host_ok("ip link add br0 type bridge");
    NetworkInterfacePlan net = plan("br0");
    net.host_managed = true;
    net.ipv6 = "auto";
    EXPECT_EQ(user_error_of([&] { create(net); }),
              "net0: SLAAC is not supported for host-managed network configuration");
    expect_no_interface_left();
}

TEST_F(NetworkLinksTest, DeleteRemovesOnlyThisContainersInterfaces) {
    NetworkInterfacePlan net0 = plan("");
    NetworkInterfacePlan net1 = plan("");
    net1.key = "net1";
    net1.host_name = "veth100i1";
    net1.guest_name = "eth1";
    net1.hwaddr = "BC:24:11:2A:3B:4D";
    NetworkInterfacePlan other = plan("");
    other.host_name = "veth1001i0";
    other.guest_name = "eth9";
    other.hwaddr = "BC:24:11:2A:3B:4E";
    create_container_interfaces({net0, net1, other}, container_->fd());

    delete_container_interfaces(kVmid);
    expect_no_interface_left("veth100i0", "eth0");
    expect_no_interface_left("veth100i1", "eth1");
    EXPECT_FALSE(host_link("veth1001i0").is_null()) << "container 1001 is not container 100";
    delete_container_interfaces(kVmid);  // nothing left: no error
}

TEST_F(NetworkLinksTest, RateLimitShapesBothDirectionsOrFailsCleanly) {
    host_ok("ip link add br0 type bridge && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.rate_mbps = 2.5;  // MB/s: 2.5 * 2^20 bytes/s = 20971520 bit/s
    if (!kernel_has_ingress_policer()) {
        EXPECT_EQ(user_error_of([&] { create(net); }).rfind("cannot add the ingress policer to 'veth100i0': ", 0), 0u);
        expect_no_interface_left();
        GTEST_SKIP() << "kernel without the basic classifier or police action; checked the clean failure only";
    }
    create(net);
    std::string qdiscs = host("tc qdisc show dev veth100i0").output;
    EXPECT_NE(qdiscs.find("qdisc htb 1: root"), std::string::npos) << qdiscs;
    EXPECT_NE(qdiscs.find("default 0x1"), std::string::npos) << qdiscs;
    EXPECT_NE(qdiscs.find("qdisc ingress ffff:"), std::string::npos) << qdiscs;
    std::string classes = host("tc class show dev veth100i0").output;
    EXPECT_NE(classes.find("rate 20971Kbit ceil 20971Kbit burst 1Mb"), std::string::npos) << classes;
    std::string filters = host("tc filter show dev veth100i0 parent ffff:").output;
    EXPECT_NE(filters.find("basic"), std::string::npos) << filters;
    EXPECT_NE(filters.find("pref 50"), std::string::npos) << filters;
    EXPECT_NE(filters.find("rate 20971Kbit burst 1Mb mtu 64Kb action drop"), std::string::npos) << filters;
}

TEST_F(NetworkLinksTest, VlanAwareBridgeGetsTagAsUntaggedPvid) {
    if (!kernel_has_vlan_filtering()) GTEST_SKIP() << "kernel without bridge VLAN filtering";
    host_ok("ip link add br0 type bridge vlan_filtering 1 && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.tag = 5;
    create(net);
    json vlans = json::parse(host("bridge -j -c vlan show dev veth100i0").output).at(0).at("vlans");
    ASSERT_EQ(vlans.size(), 1u) << vlans;
    EXPECT_EQ(vlans[0].at("vlan"), 5);
    EXPECT_EQ(vlans[0].at("flags"), json({"PVID", "Egress Untagged"}));
}

TEST_F(NetworkLinksTest, VlanAwareBridgeGetsTrunksAndTag) {
    if (!kernel_has_vlan_filtering()) GTEST_SKIP() << "kernel without bridge VLAN filtering";
    host_ok("ip link add br0 type bridge vlan_filtering 1 && ip link set br0 up");
    NetworkInterfacePlan net = plan("br0");
    net.tag = 5;
    net.trunks = {10, 20};
    create(net);
    json vlans = json::parse(host("bridge -j -c vlan show dev veth100i0").output).at(0).at("vlans");
    ASSERT_EQ(vlans.size(), 3u) << vlans;
    EXPECT_EQ(vlans[0].at("vlan"), 5);
    EXPECT_EQ(vlans[0].at("flags"), json({"PVID", "Egress Untagged"}));
    EXPECT_EQ(vlans[1].at("vlan"), 10);
    EXPECT_FALSE(vlans[1].contains("flags"));
    EXPECT_EQ(vlans[2].at("vlan"), 20);
}

TEST_F(NetworkLinksTest, VlanAwareBridgeWithoutTagCarriesEveryVlan) {
    if (!kernel_has_vlan_filtering()) GTEST_SKIP() << "kernel without bridge VLAN filtering";
    host_ok("ip link add br0 mtu 1400 type bridge vlan_filtering 1 && ip link set br0 up");
    create(plan("br0"));
    json vlans = json::parse(host("bridge -j -c vlan show dev veth100i0").output).at(0).at("vlans");
    ASSERT_EQ(vlans.size(), 2u) << vlans;
    EXPECT_EQ(vlans[0].at("vlan"), 1);
    EXPECT_EQ(vlans[0].at("flags"), json({"PVID", "Egress Untagged"}));
    EXPECT_EQ(vlans[1].at("vlan"), 2);
    EXPECT_EQ(vlans[1].at("vlanEnd"), 4094);
    EXPECT_EQ(host_link("veth100i0").at("mtu"), 1400);
}

}  // namespace
}  // namespace pct
