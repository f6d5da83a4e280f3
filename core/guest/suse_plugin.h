#pragma once
// openSUSE Leap, Tumbleweed, Slowroll and SLES (guest-setup.md §6.7).
#include "core/guest/guest_plugin.h"

namespace pct::guest {

class SusePlugin : public GuestPlugin {
public:
    // Checks os-release VERSION_ID (X.Y or a YYYYMMDD snapshot).
    SusePlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "opensuse"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;
};

}  // namespace pct::guest
