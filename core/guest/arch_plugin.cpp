#include "core/guest/arch_plugin.h"

namespace pct::guest {

void ArchPlugin::template_fixup() {
    setup_securetty();
    remove_lxc_name_from_etc_hosts();
}

void ArchPlugin::setup_init() {
    setup_systemd_preset({{"systemd-networkd.service", true}});
    setup_container_getty_service();
}

}  // namespace pct::guest
