#pragma once
// Each command group contributes its specs; main.cpp dispatches.
#include <vector>

#include "cli/command_line.h"

namespace pct::cli {

std::vector<CommandSpec> config_commands();     // config, pending, set, unlock
std::vector<CommandSpec> inventory_commands();  // list, status
std::vector<CommandSpec> destroy_commands();    // destroy
std::vector<CommandSpec> start_commands();      // start (--dry-run)

}  // namespace pct::cli
