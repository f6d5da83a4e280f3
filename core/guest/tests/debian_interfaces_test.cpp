#include "core/guest/debian_interfaces.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pct::guest {
namespace {

GuestInterface nic(std::string name, std::optional<std::string> ip, std::optional<std::string> gw = std::nullopt,
                   std::optional<std::string> ip6 = std::nullopt, std::optional<std::string> gw6 = std::nullopt) {
    return GuestInterface{std::move(name), std::move(ip), std::move(gw), std::move(ip6), std::move(gw6)};
}

TEST(GuestDebianInterfaces, SpecExampleFromScratch) {
    auto text = render_debian_interfaces(
        std::nullopt, {nic("eth0", "1.2.3.4/24", "1.2.3.1"), nic("eth1", "10.2.3.4/24"), nic("eth2", "manual")},
        AddressStyle::Classic);
    EXPECT_EQ(*text,
              "auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n"
              "auto eth0\niface eth0 inet static\n\taddress 1.2.3.4\n\tnetmask 255.255.255.0\n\tgateway 1.2.3.1\n\n"
              "auto eth1\niface eth1 inet static\n\taddress 10.2.3.4\n\tnetmask 255.255.255.0\n\n"
              "auto eth2\niface eth2 inet manual\n\n");
}

TEST(GuestDebianInterfaces, UnmanagedInterfacesLeaveTheFileAlone) {
    EXPECT_FALSE(render_debian_interfaces("auto lo\n", {nic("eth0", std::nullopt)}, AddressStyle::Classic));
}

TEST(GuestDebianInterfaces, Ipv6StaticWithOffLinkGatewayAndCidrStyle) {
    auto text = render_debian_interfaces("auto lo\niface lo inet loopback\n",
                                         {nic("eth0", std::nullopt, std::nullopt, "fc00::1/64", "fc00:1::ff")},
                                         AddressStyle::Cidr);
    EXPECT_EQ(*text,
              "auto lo\niface lo inet loopback\n\n"
              "auto eth0\niface eth0 inet6 static\n\taddress fc00::1/64\n"
              "# --- BEGIN PVE ---\n"
              "\tpost-up ip route add fc00:1::ff dev eth0\n"
              "\tpost-up ip route add default via fc00:1::ff dev eth0\n"
              "\tpre-down ip route del default via fc00:1::ff dev eth0\n"
              "\tpre-down ip route del fc00:1::ff dev eth0\n"
              "# --- END PVE ---\n\n");
}

TEST(GuestDebianInterfaces, LinkLocalIpv6GatewayIsOnLink) {
    auto text = render_debian_interfaces(std::nullopt, {nic("eth0", std::nullopt, std::nullopt, "fc02::1/64", "fe80::1")},
                                         AddressStyle::Classic);
    EXPECT_NE(text->find("\taddress fc02::1\n\tnetmask 64\n\tgateway fe80::1\n"), std::string::npos);
}

TEST(GuestDebianInterfaces, DhcpAndSlaacOnOneInterface) {
    auto text = render_debian_interfaces(std::nullopt, {nic("eth0", "dhcp", std::nullopt, "auto")},
                                         AddressStyle::Classic);
    EXPECT_NE(text->find("auto eth0\niface eth0 inet dhcp\n\niface eth0 inet6 auto\n\n"), std::string::npos);
}

TEST(GuestDebianInterfaces, RewritesManagedStanzasAndKeepsTheRest) {
    std::string existing =
        "auto lo\n"
        "iface lo inet loopback\n"
        "\n"
        "source /etc/network/interfaces.d/*\n"
        "auto eth0\n"
        "iface eth0 inet static\n"
        "\taddress 192.168.1.5\n"
        "\tnetmask 255.255.255.0\n"
        "\tgateway 192.168.1.1\n"
        "\tmtu 9000\n"
        "\n"
        "auto eth9\n"
        "iface eth9 inet dhcp\n";
    auto text = render_debian_interfaces(existing, {nic("eth0", "10.0.0.2/8", "10.0.0.1")}, AddressStyle::Classic);
    EXPECT_EQ(*text,
              "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\nauto eth0\n"
              "iface eth0 inet static\n\taddress 10.0.0.2\n\tnetmask 255.0.0.0\n\tgateway 10.0.0.1\n\tmtu 9000\n\n"
              "auto eth9\niface eth9 inet dhcp\n");
}

TEST(GuestDebianInterfaces, SecondRunReplacesTheMarkedRoutesInPlace) {
    std::vector<GuestInterface> nics = {nic("eth0", "10.0.0.100/32", "11.0.0.1")};
    auto first = render_debian_interfaces(std::nullopt, nics, AddressStyle::Classic);
    auto second = render_debian_interfaces(first, nics, AddressStyle::Classic);
    EXPECT_EQ(first, second);

    // The gateway moves on-link: the marked routes go, a gateway line comes.
    auto moved = render_debian_interfaces(first, {nic("eth0", "10.0.0.100/24", "10.0.0.1")}, AddressStyle::Classic);
    EXPECT_EQ(moved->find("post-up"), std::string::npos);
    EXPECT_NE(moved->find("\tgateway 10.0.0.1\n"), std::string::npos);
}

TEST(GuestDebianInterfaces, RemovedInterfaceStanzaIsKeptAsIs) {
    std::string existing =
        "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n\nauto eth1\niface eth1 inet dhcp\n\n";
    auto text = render_debian_interfaces(existing, {nic("eth0", "manual")}, AddressStyle::Classic);
    EXPECT_EQ(*text, "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet manual\n\nauto eth1\niface eth1 inet dhcp\n\n");
}

TEST(GuestDebianInterfaces, LegacyRouteBlockIsReplacedButLookalikesStay) {
    std::string existing =
        "auto eth0\niface eth0 inet static\n\taddress 10.0.0.100\n\tnetmask 255.255.255.255\n"
        "\tpost-up ip route add 11.0.0.1 dev eth0\n"
        "\tpost-up ip route add default via 11.0.0.1 dev eth0\n"
        "\tpre-down ip route del default via 11.0.0.1 dev eth0\n"
        "\tpre-down ip route del 11.0.0.1 dev eth0\n"
        "\tpost-up ip route add 11.0.0.1/8 dev eth0\n";
    auto text = render_debian_interfaces(existing, {nic("eth0", "10.0.0.100/32", "11.0.0.1")}, AddressStyle::Classic);
    EXPECT_EQ(*text,
              "auto lo\niface lo inet loopback\niface lo inet6 loopback\n\n"
              "auto eth0\niface eth0 inet static\n\taddress 10.0.0.100\n\tnetmask 255.255.255.255\n"
              "# --- BEGIN PVE ---\n"
              "\tpost-up ip route add 11.0.0.1 dev eth0\n"
              "\tpost-up ip route add default via 11.0.0.1 dev eth0\n"
              "\tpre-down ip route del default via 11.0.0.1 dev eth0\n"
              "\tpre-down ip route del 11.0.0.1 dev eth0\n"
              "# --- END PVE ---\n"
              "\tpost-up ip route add 11.0.0.1/8 dev eth0\n\n");
}

TEST(GuestDebianInterfaces, MalformedAddressesAreErrors) {
    EXPECT_THROW(render_debian_interfaces(std::nullopt, {nic("eth0", "10.0.0.1")}, AddressStyle::Classic), UserError);
    EXPECT_THROW(render_debian_interfaces(std::nullopt, {nic("eth0", std::nullopt, std::nullopt, "fc00::1")},
                                          AddressStyle::Classic),
                 UserError);
}

}  // namespace
}  // namespace pct::guest
