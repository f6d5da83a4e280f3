#include "runtime/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "runtime/kernel_api.h"

namespace pct {

namespace {

int capability_number(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name.rfind("cap_", 0) != 0) name = "cap_" + name;
    cap_value_t value;
    if (cap_from_name(name.c_str(), &value) != 0) throw UserError("unknown capability '" + name + "'");
    return value;
}

}  // namespace

std::vector<int> capabilities_to_drop(const std::vector<std::string>& dropped, const std::vector<std::string>& kept) {
    std::vector<int> result;
    if (!kept.empty()) {
        std::vector<int> keep;
        for (const auto& name : kept) keep.push_back(capability_number(name));
        for (int cap = 0; cap <= static_cast<int>(cap_max_bits()) - 1; ++cap)
            if (std::find(keep.begin(), keep.end(), cap) == keep.end()) result.push_back(cap);
        return result;
    }
    for (const auto& name : dropped) result.push_back(capability_number(name));
    return result;
}

void drop_bounding_capabilities(const std::vector<int>& capabilities) {
    for (int cap : capabilities)
        if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0 && errno != EINVAL)
            throw UserError("cannot drop capability " + std::to_string(cap) + ": " + errno_text());
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

}  // namespace pct
