#pragma once
// Gentoo (guest-setup.md §6.10): OpenRC with agetty in inittab, netifrc.
#include "core/guest/guest_plugin.h"

namespace pct::guest {

class GentooPlugin : public GuestPlugin {
public:
    // Checks /etc/gentoo-release.
    GentooPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "gentoo"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;
    void set_hostname() override;

protected:
    // Gentoo does not support the /dev/lxc/ subdirectory.
    std::string tty_dir() const override { return ""; }
};

}  // namespace pct::guest
