#pragma once
// What the container's PID 1 is and how it is told to stop (runtime.md §13,
// §14): argv, environment, ids, signals.
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/raw_lxc_settings.h"
#include "core/start_plan.h"

namespace pct {

// `/sbin/init`, or the entrypoint (or lxc.init.cmd) split on blanks with
// '...' and "..." grouping as LXC does. Problems go to `problems`.
InitPlan plan_init(const ConfigSection& config, const RawLxcSettings& raw, const std::string& ostype,
                   std::vector<std::string>& problems, std::vector<std::string>& warnings);

// Splits a command line on blanks; quotes group words and are removed.
// Throws UserError for an unterminated quote.
std::vector<std::string> split_command_line(const std::string& text);

}  // namespace pct
