#pragma once
// Reads the host facts that core decisions need (core/host_facts.h).
#include "core/host_facts.h"

namespace pct {

HostFacts probe_host_facts();

}  // namespace pct
