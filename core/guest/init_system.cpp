#include "core/guest/init_system.h"

#include <regex>

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"

namespace pct::guest {

namespace {

constexpr int kMaxLinkDepth = 10;
constexpr int kLastVersionWithoutNestingNeed = 241;  // Debian 10's systemd
constexpr int kFirstUnifiedCgroupVersion = 232;

// The version in a dynamic dependency "libsystemd-shared-N[.-_suffix].so",
// read from the binary's string table like `objdump -p` lists it.
std::optional<int> shared_library_version(const std::string& binary) {
    static const std::regex library(R"(libsystemd-shared-(\d+)(?:[-_.][a-zA-Z0-9]+)*\.so)");
    std::smatch match;
    if (!std::regex_search(binary, match, library)) return std::nullopt;
    return std::stoi(match[1]);
}

}  // namespace

InitSystem inspect_init_system(const GuestFiles& files) {
    InitSystem init{"/sbin/init", std::nullopt};
    int depth = 0;
    while (std::optional<std::string> target = files.readlink(init.path)) {
        if (depth++ >= kMaxLinkDepth)
            throw UserError("maximal link depth of 10 for resolving '/sbin/init' reached, abort");
        std::string absolute = !target->empty() && target->front() == '/'
                                   ? *target
                                   : init.path.substr(0, init.path.rfind('/') + 1) + *target;
        // Resolve the directories only: the last component is the next link to follow.
        size_t slash = absolute.rfind('/');
        std::string directory = files.canonical_path(absolute.substr(0, slash + 1));
        init.path = (directory == "/" ? "" : directory) + absolute.substr(slash);
    }
    if (init.is_systemd() && files.exists(init.path)) init.systemd_version = shared_library_version(files.read(init.path));
    return init;
}

std::optional<std::string> systemd_nesting_warning(const ConfigSection& config, const InitSystem& init) {
    if (const std::string* features = config.get("features")) {
        auto parsed = parse_property_string(*features, features_format());
        if (auto nesting = parsed.find("nesting"); nesting != parsed.end() && nesting->second == "1") return std::nullopt;
    }
    if (!init.is_systemd() || !init.systemd_version || *init.systemd_version <= kLastVersionWithoutNestingNeed)
        return std::nullopt;
    return "Systemd " + std::to_string(*init.systemd_version) + " detected. You may need to enable nesting.";
}

bool supports_pure_cgroup_v2(const InitSystem& init) {
    if (!init.is_systemd()) return true;
    return init.systemd_version && *init.systemd_version >= kFirstUnifiedCgroupVersion;
}

}  // namespace pct::guest
