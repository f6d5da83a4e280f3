#include "core/guest/gentoo_plugin.h"

#include <regex>

#include "core/error.h"
#include "core/guest/gentoo_net.h"
#include "core/guest/text_lines.h"

namespace pct::guest {

GentooPlugin::GentooPlugin(GuestFiles& files, const PluginContext& context) : GuestPlugin(files, context) {
    auto release = files.read_first_line("/etc/gentoo-release");
    if (!release) throw UserError("unable to read version info");
    static const std::regex known(R"(^gentoo base system release [^\n]*$)", std::regex::icase);
    if (!std::regex_match(*release, known)) throw UserError("unrecognized gentoo version: " + *release);
}

void GentooPlugin::template_fixup() {
    setup_securetty();
    remove_lxc_name_from_etc_hosts();
}

void GentooPlugin::setup_init() {
    const std::string inittab = "/etc/inittab";
    static const std::regex getty_line(R"(^\s*c?\d+:\d*:[^:]*:.*getty)");
    std::vector<std::string> kept;
    for (auto& line : split_lines(files_.read(inittab))) {
        if (!std::regex_search(line, getty_line)) kept.push_back(std::move(line));
    }
    std::string text = join_lines(kept);
    for (int id = 1; id <= tty_count(); ++id)
        text += std::to_string(id) + "::respawn:/sbin/agetty 38400 tty" + std::to_string(id) + "\n";
    files_.write(inittab, text);
}

void GentooPlugin::setup_network() {
    auto config = render_gentoo_net(interfaces());
    // The template's default file is replaced by the managed section.
    files_.modify("/etc/conf.d/net", config.data, SectionUpdate{SectionPlacement::Replace});
    for (const auto& name : config.active_interfaces) files_.symlink("net.lo", "/etc/init.d/net." + name);
}

void GentooPlugin::set_hostname() {
    update_etc_hosts();
    files_.write("/etc/conf.d/hostname", "hostname=\"" + short_hostname() + "\"\n");
}

}  // namespace pct::guest
