#include "core/guest/fedora_plugin.h"

#include "core/error.h"

namespace pct::guest {

namespace {

double fedora_release(const OsRelease& os_release) {
    auto version = version_id_number(os_release);
    if (!version || *version < 22) {
        auto it = os_release.find("VERSION_ID");
        throw UserError("unsupported Fedora release '" + (it == os_release.end() ? "" : it->second) + "'");
    }
    return *version;
}

}  // namespace

FedoraPlugin::FedoraPlugin(GuestFiles& files, const PluginContext& context)
    : CentosPlugin(files, context, fedora_release(context.os_release)) {}

void FedoraPlugin::template_fixup() {
    setup_securetty();
    files_.unlink("/etc/systemd/system/getty@.service");
    remove_lxc_name_from_etc_hosts();
}

void FedoraPlugin::setup_init() {
    setup_container_getty_service();
    // From 37 on the preset disables systemd-networkd in favour of NetworkManager.
    if (version_ >= 37) setup_systemd_preset({{"systemd-networkd.service", true}});
}

void FedoraPlugin::setup_network() {
    // Releases 25 to 27 use networkd, but templates that still ship
    // /etc/sysconfig/network get the legacy configuration as well.
    bool legacy = version_ <= 24 || (version_ <= 27 && files_.exists("/etc/sysconfig/network"));
    if (legacy) setup_redhat_network();
    if (version_ >= 25) setup_systemd_networkd();
}

}  // namespace pct::guest
