#pragma once
// The `rate` limit of a container interface: an HTB root qdisc for what the
// host sends to the container and an ingress policer for what it sends out
// (Proxmox's tap_rate_limit, runtime.md §15.1), over rtnetlink.
#include <cstdint>
#include <optional>

#include "runtime/network_link_control.h"

namespace pct {

// Proxmox's conversion: MB/s -> whole bytes per second.
uint64_t rate_limit_bytes_per_second(double rate_mb_per_second);

// Removes any shaping from the link, then, with a non-zero rate, installs
// `htb default 1` + class 1:1 (rate, burst 1 MiB) and an ingress `basic`
// filter (prio 50) policing at the same rate (burst 1 MiB, mtu 64kb, drop).
void apply_rate_limit(NetlinkSocket& socket, const LinkInfo& link, std::optional<double> rate_mb_per_second);

}  // namespace pct
