#pragma once
// Capability bounding set of the container (runtime.md §8), with libcap.
#include <string>
#include <vector>

namespace pct {

// Capability numbers to drop from the bounding set: the planned drops, or
// with a keep list every capability not kept. Throws UserError for an
// unknown name.
std::vector<int> capabilities_to_drop(const std::vector<std::string>& dropped, const std::vector<std::string>& kept);

// Drops them from the bounding set (and clears the ambient set). The
// effective set is untouched until exec, where the kernel intersects it
// with the bounding set. Throws UserError.
void drop_bounding_capabilities(const std::vector<int>& capabilities);

}  // namespace pct
