#pragma once
// CentOS and the RHEL rebuilds (Rocky, AlmaLinux, CentOS Stream), including
// CentOS 6 with upstart (guest-setup.md §6.4); base of Fedora and openEuler.
#include "core/guest/guest_plugin.h"

namespace pct::guest {

class CentosPlugin : public GuestPlugin {
public:
    // Reads /etc/redhat-release; accepts releases 5 to 10.
    CentosPlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "centos"; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;
    // The full name goes to /etc/hostname and /etc/sysconfig/network.
    void set_hostname() override;

protected:
    CentosPlugin(GuestFiles& files, const PluginContext& context, double version);

    // network-scripts before release 10, NetworkManager keyfiles after.
    void setup_redhat_network();

    double version_;

private:
    void setup_upstart_ttys();
    void setup_network_scripts();
    void setup_networkmanager();
};

struct RedhatRelease {
    double number = 0;
    std::string text;  // as written, e.g. "8.3"
};
// The release in a redhat-release text ("CentOS release 8.3 (Final)").
// Throws UserError when there is none.
RedhatRelease parse_redhat_release(const std::string& text);

}  // namespace pct::guest
