#pragma once
// /dev/console, the ttys and the pty limit (runtime.md §6.5, §6.6).
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/raw_lxc_settings.h"
#include "core/start_plan.h"

namespace pct {

// Tty dir: `lxc` for privileged containers unless their ostype's snippet
// empties it (debian, devuan, alpine, gentoo, opensuse); empty for
// unprivileged ones. Raw lxc.tty.max / lxc.pty.max / lxc.tty.dir /
// lxc.console.path override.
ConsolePlan plan_console(const ConfigSection& config, const RawLxcSettings& raw, const std::string& ostype,
                         bool unprivileged, std::vector<std::string>& problems, std::vector<std::string>& warnings);

}  // namespace pct
