#include "core/guest/alpine_plugin.h"

#include <regex>

#include "core/guest/text_lines.h"

namespace pct::guest {

AlpinePlugin::AlpinePlugin(GuestFiles& files, const PluginContext& context)
    : GuestPlugin(files, context), version_(files.read_first_line("/etc/alpine-release")) {}

void AlpinePlugin::template_fixup() {
    // Enable networking and complete the boot and shutdown runlevels.
    for (const char* service : {"networking", "bootmisc", "hostname"})
        files_.symlink(std::string("/etc/init.d/") + service, std::string("/etc/runlevels/boot/") + service);
    for (const char* service : {"killprocs", "savecache"})
        files_.symlink(std::string("/etc/init.d/") + service, std::string("/etc/runlevels/shutdown/") + service);
    setup_securetty();
    remove_lxc_name_from_etc_hosts();
}

void AlpinePlugin::setup_init() {
    const std::string inittab = "/etc/inittab";
    if (!files_.exists(inittab)) return;
    static const std::regex getty_line(R"(^\s*tty\d+:\d*:[^:]*:.*getty)");
    std::vector<std::string> kept;
    for (auto& line : split_lines(files_.read(inittab))) {
        if (!std::regex_search(line, getty_line)) kept.push_back(std::move(line));
    }
    std::string text = join_lines(kept);
    for (int id = 1; id <= tty_count(); ++id) {
        std::string tty = "tty" + std::to_string(id);
        text += tty + "::respawn:/sbin/getty 38400 " + tty + "\n";
    }
    files_.write(inittab, text);
}

void AlpinePlugin::setup_network() {
    // busybox has no DHCPv6 or SLAAC client: such interfaces become manual.
    auto adjusted = interfaces();
    for (auto& interface : adjusted) {
        if (interface.ip6 && (*interface.ip6 == "dhcp" || *interface.ip6 == "auto")) interface.ip6 = "manual";
    }
    write_network_interfaces(adjusted, version_at_least(version_, 3, 13) ? AddressStyle::Cidr : AddressStyle::Classic);
}

}  // namespace pct::guest
