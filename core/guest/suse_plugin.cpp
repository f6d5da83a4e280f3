#include "core/guest/suse_plugin.h"

#include <regex>

#include "core/error.h"
#include "core/guest/suse_network.h"

namespace pct::guest {

namespace {

void check_suse_release(const OsRelease& os_release) {
    auto field = [&](const char* key) {
        auto it = os_release.find(key);
        return it == os_release.end() ? std::string() : it->second;
    };
    std::string version = field("VERSION_ID");
    std::smatch match;
    static const std::regex release(R"(^(\d+)\.(\d+)$)");
    static const std::regex snapshot(R"(^(\d{4})(\d{2})(\d{2})$)");
    if (std::regex_match(version, match, release)) {
        int major = std::stoi(match[1]);
        int minor = std::stoi(match[2]);
        bool supported = major >= 42 || (major == 13 && minor <= 2) || (field("ID") == "sles" && major == 12) ||
                         major == 15 || major == 16;
        if (!supported) throw UserError("unsupported suse release '" + version + "'");
    } else if (std::regex_match(version, match, snapshot)) {
        if (!(std::stoi(match[1]) >= 2017 && std::stoi(match[2]) <= 12 && std::stoi(match[3]) <= 31))
            throw UserError("unsupported suse tumbleweed release '" + version + "'");
    } else {
        throw UserError("unrecognized suse release");
    }
}

}  // namespace

SusePlugin::SusePlugin(GuestFiles& files, const PluginContext& context) : GuestPlugin(files, context) {
    check_suse_release(context.os_release);
}

void SusePlugin::template_fixup() {
    setup_securetty();
    // systemd-firstboot would otherwise prompt for locale and timezone.
    if (!files_.exists("/etc/locale.conf")) files_.write("/etc/locale.conf", "LANG=C.utf8");
    if (!files_.exists("/etc/localtime")) files_.symlink("/usr/share/zoneinfo/UTC", "/etc/localtime");
    remove_lxc_name_from_etc_hosts();
}

void SusePlugin::setup_init() {
    fixup_old_getty();
    setup_container_getty_service();
}

void SusePlugin::setup_network() {
    const std::string directory = "/etc/sysconfig/network/";
    files_.make_path(directory);
    for (const auto& interface : interfaces()) {
        auto rendered = render_suse_interface(interface);
        if (!rendered) continue;
        files_.write(directory + "ifcfg-" + interface.name, rendered->ifcfg);
        // User routes in ifroute-* stay; ours are in the managed section.
        files_.modify(directory + "ifroute-" + interface.name, rendered->routes,
                      SectionUpdate{SectionPlacement::Prepend, true});
    }
    if (files_.exists("/usr/lib/systemd/systemd-networkd")) setup_systemd_networkd();
}

}  // namespace pct::guest
