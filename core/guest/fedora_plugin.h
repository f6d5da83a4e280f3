#pragma once
// Fedora (guest-setup.md §6.5): CentOS hostname handling, systemd-networkd
// from release 25 on.
#include "core/guest/centos_plugin.h"

namespace pct::guest {

class FedoraPlugin : public CentosPlugin {
public:
    // The release is os-release VERSION_ID, at least 22.
    FedoraPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "fedora"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;
};

}  // namespace pct::guest
