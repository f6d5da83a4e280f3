#pragma once
// Each command group contributes its specs; main.cpp dispatches.
#include <vector>

#include "cli/command_line.h"

namespace pct::cli {

std::vector<CommandSpec> config_commands();     // config, pending, set, unlock
std::vector<CommandSpec> inventory_commands();  // list, status, cpusets
std::vector<CommandSpec> destroy_commands();    // destroy
std::vector<CommandSpec> start_commands();      // start (--dry-run)
std::vector<CommandSpec> create_commands();     // create
std::vector<CommandSpec> power_commands();      // stop, shutdown, reboot, suspend, resume
std::vector<CommandSpec> attach_commands();     // enter, exec, console, push, pull
std::vector<CommandSpec> volume_commands();     // mount, unmount, df, fsck, fstrim, resize, move-volume, rescan
std::vector<CommandSpec> snapshot_commands();   // snapshot, delsnapshot, rollback, listsnapshot
std::vector<CommandSpec> clone_commands();      // clone, template

}  // namespace pct::cli
