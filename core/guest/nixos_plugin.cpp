#include "core/guest/nixos_plugin.h"

#include <regex>

#include "core/error.h"

namespace pct::guest {

std::string NixosPlugin::architecture_probe_file() {
    auto first_line = files_.read_first_line("/sbin/init");
    if (!first_line) throw UserError("open '/sbin/init' failed: No such file or directory");
    static const std::regex shebang(R"(^#! ?(\S*))");
    std::smatch match;
    if (!std::regex_search(*first_line, match, shebang)) throw UserError("could not find a shell");
    return match[1];
}

}  // namespace pct::guest
