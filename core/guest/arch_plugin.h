#pragma once
// Arch Linux (guest-setup.md §6.9): systemd-networkd, no version check.
#include "core/guest/guest_plugin.h"

namespace pct::guest {

class ArchPlugin : public GuestPlugin {
public:
    using GuestPlugin::GuestPlugin;

    std::string os_type() const override { return "archlinux"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override { setup_systemd_networkd(); }
};

}  // namespace pct::guest
