#include "cli/guest_setup_command.h"

#include "core/error.h"

namespace pct::cli {

int run_guest_setup(const std::vector<std::string>&) { throw UserError("guest-setup is not implemented yet"); }

}  // namespace pct::cli
