#pragma once
// Runs a container's hookscript file (core/hookscript.h) as host root,
// with our stdout and stderr.
#include <string>

namespace pct {

// `script '<volid>' does not exist` / `... is not executable` unless `path`
// is an executable regular file.
void check_hookscript_file(const std::string& volid, const std::string& path);

// `<path> <vmid> <phase>`. Throws UserError: `script '<volid>' does not
// exist`, `script '<volid>' is not executable`, or its exit status.
void run_hookscript_program(const std::string& volid, const std::string& path, int vmid, const std::string& phase);

}  // namespace pct
