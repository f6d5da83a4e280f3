#pragma once
// Which capabilities the container's init keeps (runtime.md §8).
#include <string>
#include <vector>

#include "core/raw_lxc_settings.h"

namespace pct {

struct CapabilityPolicy {
    std::vector<std::string> dropped;  // "CAP_SYS_MODULE", ...; removed from the bounding set
    std::vector<std::string> kept;     // non-empty: keep only these (lxc.cap.keep)
    bool keeps(const std::string& capability) const;
};

// Privileged: the common drops plus the ostype's; unprivileged: none (the
// user namespace confines them). Raw lxc.cap.drop / lxc.cap.keep lines are
// applied in order: a value is a space-separated list (with or without the
// CAP_ prefix, any case), an empty value clears the list, keep `none` drops
// everything. Throws UserError for unknown names or drop and keep together.
CapabilityPolicy capability_policy(const std::string& ostype, bool unprivileged, const RawEntries& raw_lines);

// All capability names the kernel knows (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE).
const std::vector<std::string>& all_capabilities();

}  // namespace pct
