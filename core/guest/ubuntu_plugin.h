#pragma once
// Ubuntu (guest-setup.md §6.3): Debian with lsb-release versions, upstart
// before 15.04 and systemd-networkd from 17.10 on.
#include "core/guest/debian_plugin.h"

namespace pct::guest {

class UbuntuPlugin : public DebianPlugin {
public:
    // Reads /etc/lsb-release; throws UserError for ancient or unreadable versions.
    UbuntuPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "ubuntu"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;

protected:
    AddressStyle address_style() const override { return AddressStyle::Classic; }

private:
    struct Version {
        int major = 0;
        int minor = 0;
        auto operator<=>(const Version&) const = default;
    };
    static Version parse_version(GuestFiles& files, SetupLog& log);

    Version version_;
};

}  // namespace pct::guest
