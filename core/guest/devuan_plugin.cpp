#include "core/guest/devuan_plugin.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/error.h"

namespace pct::guest {

namespace {

int debian_release_of_devuan(GuestFiles& files) {
    auto version = files.read_first_line("/etc/devuan_version");
    if (!version) throw UserError("unable to read version info");
    std::string codename = *version;
    std::transform(codename.begin(), codename.end(), codename.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::map<std::string, int> releases = {
        {"jessie", 8},           {"ascii", 9},           {"ascii/ceres", 9},
        {"beowulf", 10},         {"beowulf/ceres", 10},  {"chimaera", 11},
        {"chimaera/ceres", 11},  {"daedalus", 12},       {"daedalus/ceres", 12},
        {"excalibur", 13},       {"excalibur/ceres", 13},
    };
    auto it = releases.find(codename);
    if (it == releases.end()) throw UserError("unsupported Devuan version '" + codename + "'");
    return it->second;
}

}  // namespace

DevuanPlugin::DevuanPlugin(GuestFiles& files, const PluginContext& context)
    : DebianPlugin(files, context, debian_release_of_devuan(files)) {}

}  // namespace pct::guest
