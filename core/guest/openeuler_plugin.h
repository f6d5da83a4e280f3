#pragma once
// openEuler (guest-setup.md §6.6): CentOS network and hostname handling.
#include "core/guest/centos_plugin.h"

namespace pct::guest {

class OpenEulerPlugin : public CentosPlugin {
public:
    // The release is os-release VERSION_ID, at least 24.
    OpenEulerPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "openeuler"; }
    void template_fixup() override;
    void setup_init() override;
};

}  // namespace pct::guest
