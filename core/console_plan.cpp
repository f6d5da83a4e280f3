#include "core/console_plan.h"

#include <regex>

#include "core/ostype_profile.h"

namespace pct {

namespace {

std::optional<unsigned> small_number(const std::string& text, unsigned maximum) {
    static const std::regex digits("\\s*\\d{1,6}\\s*");
    if (!std::regex_match(text, digits)) return std::nullopt;
    unsigned value = static_cast<unsigned>(std::stoul(text));
    if (value > maximum) return std::nullopt;
    return value;
}

}  // namespace

ConsolePlan plan_console(const ConfigSection& config, const RawLxcSettings& raw, const std::string& ostype,
                         bool unprivileged, std::vector<std::string>& problems, std::vector<std::string>& warnings) {
    ConsolePlan console;
    const std::string* enabled = config.get("console");
    console.console = !enabled || *enabled != "0";
    if (const std::string* tty = config.get("tty")) console.ttys = static_cast<unsigned>(std::stoul(*tty));
    if (const std::string* cmode = config.get("cmode")) console.mode = *cmode;
    console.tty_dir = unprivileged || ostype_profile(ostype).empty_tty_dir ? "" : "lxc";

    if (raw.tty_max) {
        if (auto ttys = small_number(*raw.tty_max, 64)) console.ttys = *ttys;
        else problems.push_back("lxc.tty.max: invalid value '" + *raw.tty_max + "' (0 to 64)");
    }
    if (raw.pty_max) {
        if (auto ptys = small_number(*raw.pty_max, 65536)) console.pty_max = *ptys;
        else problems.push_back("lxc.pty.max: invalid value '" + *raw.pty_max + "' (0 to 65536)");
    }
    if (raw.tty_dir) {
        if (raw.tty_dir->find('/') != std::string::npos || *raw.tty_dir == "." || *raw.tty_dir == "..")
            problems.push_back("lxc.tty.dir: '" + *raw.tty_dir + "' must be a plain directory name");
        else
            console.tty_dir = *raw.tty_dir;
    }
    if (raw.console_path) {
        if (*raw.console_path == "none") console.console = false;
        else if (!raw.console_path->empty())
            warnings.push_back("lxc.console.path: only 'none' is supported by pct's runtime; '" + *raw.console_path + "' ignored");
    }
    return console;
}

}  // namespace pct
