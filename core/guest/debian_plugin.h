#pragma once
// Debian (guest-setup.md §6.1); base of Devuan and Ubuntu.
#include <optional>

#include "core/guest/guest_plugin.h"

namespace pct::guest {

class DebianPlugin : public GuestPlugin {
public:
    // Reads and checks /etc/debian_version; throws UserError.
    DebianPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "debian"; }
    void snakeoil_fixup() override;
    void setup_init() override;
    void setup_network() override;

protected:
    // For derived distributions; `debian_version` is the Debian release they
    // correspond to, if any.
    DebianPlugin(GuestFiles& files, const PluginContext& context, std::optional<int> debian_version);

    // Debian does not support the /dev/lxc/ subdirectory.
    std::string tty_dir() const override { return ""; }
    virtual AddressStyle address_style() const;
    void setup_inittab();

    std::optional<int> debian_version_;
};

}  // namespace pct::guest
