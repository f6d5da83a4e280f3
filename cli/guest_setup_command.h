#pragma once
#include <string>
#include <vector>

namespace pct::cli {

// `pct guest-setup --rootfs DIR --conf FILE ...` (conformance/README.md).
// args: everything after "guest-setup". Returns the exit status.
int run_guest_setup(const std::vector<std::string>& args);

}  // namespace pct::cli
