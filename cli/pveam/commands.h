#pragma once
// One function per pveam command (cli.md §5); each returns the exit status.
#include "cli/pveam/command_line.h"
#include "runtime/host_paths.h"

namespace pct::pveam {

int run_update(const Arguments& args, const HostPaths& paths);
int run_available(const Arguments& args, const HostPaths& paths);
int run_download(const Arguments& args, const HostPaths& paths);
int run_list(const Arguments& args, const HostPaths& paths);
int run_remove(const Arguments& args, const HostPaths& paths);
int run_build(const Arguments& args, const HostPaths& paths);

}  // namespace pct::pveam
