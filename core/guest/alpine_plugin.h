#pragma once
// Alpine Linux (guest-setup.md §6.8): OpenRC, busybox getty in inittab and
// the Debian interfaces format.
#include <optional>

#include "core/guest/guest_plugin.h"

namespace pct::guest {

class AlpinePlugin : public GuestPlugin {
public:
    AlpinePlugin(GuestFiles& files, const PluginContext& context);

    std::string os_type() const override { return "alpine"; }
    bool always_cgroup_v2_compatible() const override { return true; }
    void template_fixup() override;
    void setup_init() override;
    void setup_network() override;

protected:
    // Alpine does not support the /dev/lxc/ subdirectory.
    std::string tty_dir() const override { return ""; }

private:
    std::optional<std::string> version_;  // first line of /etc/alpine-release
};

}  // namespace pct::guest
