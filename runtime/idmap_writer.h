#pragma once
// uid_map / gid_map of a child in a new user namespace (runtime.md §4.4).
#include <sys/types.h>

#include <vector>

#include "core/idmap.h"

namespace pct {

// Writes /proc/<pid>/uid_map and gid_map, one write each (the kernel
// accepts a map only once, in a single write). Throws UserError.
void write_id_maps(pid_t pid, const std::vector<IdMapEntry>& map);

}  // namespace pct
