#pragma once
// Devuan (guest-setup.md §6.2): Debian with codename versions and the
// classic interfaces address style.
#include "core/guest/debian_plugin.h"

namespace pct::guest {

class DevuanPlugin : public DebianPlugin {
public:
    // Reads /etc/devuan_version; throws UserError for unknown releases.
    DevuanPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "devuan"; }
    bool always_cgroup_v2_compatible() const override { return true; }

protected:
    AddressStyle address_style() const override { return AddressStyle::Classic; }
};

}  // namespace pct::guest
