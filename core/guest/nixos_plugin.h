#pragma once
// NixOS (guest-setup.md §6.11): the system configuration owns init and
// timezone; only network, hostname and DNS are written.
#include "core/guest/guest_plugin.h"

namespace pct::guest {

class NixosPlugin : public GuestPlugin {
public:
    using GuestPlugin::GuestPlugin;

    std::string os_type() const override { return "nixos"; }
    void setup_init() override {}
    void setup_network() override { setup_systemd_networkd(); }
    void set_timezone() override {}
    // /bin/sh only appears at first boot; the shell named by /sbin/init's
    // shebang line exists from the start.
    std::string architecture_probe_file() override;
};

}  // namespace pct::guest
