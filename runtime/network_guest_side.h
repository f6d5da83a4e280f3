#pragma once
// What LXC does inside the container's network namespace for a
// `host-managed=1` interface (runtime.md §15.3): static addresses, the
// interface and lo up, default routes. Other interfaces stay down and the
// guest's own network stack configures them.
#include "core/start_plan.h"
#include "runtime/network_link_control.h"

namespace pct {

// `container` is a socket opened in the container's network namespace.
void configure_host_managed_interface(NetlinkSocket& container, const LinkInfo& interface,
                                      const NetworkInterfacePlan& plan);

}  // namespace pct
