#pragma once
// systemd-networkd `.network` files (guest-setup.md §5.2).
#include <string>

#include "core/guest/guest_network.h"

namespace pct::guest {

// Content of /etc/systemd/network/<name>.network.
std::string render_networkd_file(const GuestInterface& interface);

}  // namespace pct::guest
