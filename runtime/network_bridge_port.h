#pragma once
// Plugging a container's host-side veth into a Linux bridge, the way
// Proxmox's tap_plug does it (runtime.md §15.1).
#include <optional>
#include <string>
#include <vector>

#include "runtime/network_link_control.h"

namespace pct {

// The bridge's description; UserError `bridge '<b>' does not exist` or,
// for Open vSwitch and other non-bridges, a line saying pct cannot use it.
LinkInfo require_linux_bridge(NetlinkSocket& socket, const std::string& name);

// Enslaves `port` to `bridge` with the bridge's MTU and IPv6 off; VLAN-aware
// bridges get the port's VLANs from tag/trunks; on a bridge without VLAN
// filtering a tag sends the port to `<bridge>v<tag>` (created if missing).
void attach_to_bridge(NetlinkSocket& socket, const LinkInfo& port, const LinkInfo& bridge,
                      std::optional<unsigned> tag, const std::vector<unsigned>& trunks);

}  // namespace pct
