#include "core/guest/plugin_registry.h"

#include "core/error.h"
#include "core/guest/alpine_plugin.h"
#include "core/guest/arch_plugin.h"
#include "core/guest/centos_plugin.h"
#include "core/guest/debian_plugin.h"
#include "core/guest/devuan_plugin.h"
#include "core/guest/fedora_plugin.h"
#include "core/guest/gentoo_plugin.h"
#include "core/guest/nixos_plugin.h"
#include "core/guest/openeuler_plugin.h"
#include "core/guest/suse_plugin.h"
#include "core/guest/ubuntu_plugin.h"

namespace pct::guest {

std::unique_ptr<GuestPlugin> make_guest_plugin(const std::string& os_type, GuestFiles& files,
                                               const PluginContext& context) {
    if (os_type == "debian") return std::make_unique<DebianPlugin>(files, context);
    if (os_type == "devuan") return std::make_unique<DevuanPlugin>(files, context);
    if (os_type == "ubuntu") return std::make_unique<UbuntuPlugin>(files, context);
    if (os_type == "alpine") return std::make_unique<AlpinePlugin>(files, context);
    if (os_type == "centos") return std::make_unique<CentosPlugin>(files, context);
    if (os_type == "fedora") return std::make_unique<FedoraPlugin>(files, context);
    if (os_type == "openeuler") return std::make_unique<OpenEulerPlugin>(files, context);
    if (os_type == "opensuse") return std::make_unique<SusePlugin>(files, context);
    if (os_type == "archlinux") return std::make_unique<ArchPlugin>(files, context);
    if (os_type == "gentoo") return std::make_unique<GentooPlugin>(files, context);
    if (os_type == "nixos") return std::make_unique<NixosPlugin>(files, context);
    throw UserError("no such OS type '" + os_type + "'");
}

}  // namespace pct::guest
