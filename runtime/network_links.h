#pragma once
// Container network interfaces (runtime.md §15, §16): a veth pair per netN,
// the host end `veth<id>i<N>` plugged into its bridge, the other end inside
// the container's network namespace. Everything goes through rtnetlink in
// the calling thread's network namespace (the "host").
#include <cstdint>
#include <vector>

#include "core/start_plan.h"

namespace pct {

// Creates the pair for one planned interface: both ends with the planned MTU
// (config `mtu`, else the bridge's), the host end with a MAC starting with
// 0xfe, the container end created directly in `container_netns_fd` under its
// planned name and hwaddr; configures it when host-managed (else leaves it
// down); plugs the host end into the bridge (VLANs, `<bridge>v<tag>`, rate
// limit) and brings it up unless link_down. Throws UserError with one line;
// a failure leaves no veth behind.
void create_container_interface(const NetworkInterfacePlan& plan, int container_netns_fd);

// All of them in order; when one fails, the ones already made are deleted.
void create_container_interfaces(const std::vector<NetworkInterfacePlan>& plans, int container_netns_fd);

// Deletes every `veth<vmid>i<N>` still present (the peer goes with it).
// `<bridge>v<tag>` bridges stay, as Proxmox leaves them.
void delete_container_interfaces(int vmid);

struct NetworkCounters {
    uint64_t netin = 0;   // bytes the host sent to the container (host end transmit)
    uint64_t netout = 0;  // bytes the container sent (host end receive)
};

// Sums the counters of every `veth<vmid>i<N>` (runtime.md §16).
NetworkCounters container_network_counters(int vmid);

}  // namespace pct
