#pragma once
// Reads the host facts a start plan needs (core/start_host_facts.h) from
// /sys, /proc and uname. Read-only; nothing on the host is changed.
#include "core/start_host_facts.h"

namespace pct {

StartHostFacts probe_start_host_facts();

}  // namespace pct
