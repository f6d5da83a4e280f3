#pragma once
// pct start (without --dry-run), stop, shutdown, reboot, suspend, resume.
#include <vector>

#include "cli/command_line.h"
#include "core/launcher.h"

namespace pct::cli {

// The real start of `pct start <id> [--skiplock] [--debug]`; start_command.cpp
// calls it when --dry-run is not given.
int run_start_container(const ParsedArgs& args);

// The launcher of this process (stop, kill, freeze, thaw of running containers).
Launcher& container_launcher();

// `pct __post-stop <id>`: what monitors started by an older pct exec when
// init has exited (pct-post-stop does the same for current ones).
int run_post_stop_command(const std::vector<std::string>& args);

}  // namespace pct::cli
