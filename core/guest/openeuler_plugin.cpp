#include "core/guest/openeuler_plugin.h"

#include "core/error.h"

namespace pct::guest {

namespace {

double openeuler_release(const OsRelease& os_release) {
    auto version = version_id_number(os_release);
    if (!version || *version < 24) {
        auto it = os_release.find("VERSION_ID");
        throw UserError("unsupported openEuler release '" + (it == os_release.end() ? "" : it->second) + "'");
    }
    return *version;
}

}  // namespace

OpenEulerPlugin::OpenEulerPlugin(GuestFiles& files, const PluginContext& context)
    : CentosPlugin(files, context, openeuler_release(context.os_release)) {}

void OpenEulerPlugin::template_fixup() {
    remove_lxc_name_from_etc_hosts();
    mask_static_units({"dev-mqueue.mount"});
}

void OpenEulerPlugin::setup_init() {
    setup_container_getty_service();
    setup_systemd_preset();
}

}  // namespace pct::guest
