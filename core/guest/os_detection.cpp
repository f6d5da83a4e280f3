#include "core/guest/os_detection.h"

#include <algorithm>
#include <array>
#include <map>
#include <regex>

#include "core/error.h"

namespace pct::guest {

namespace {

constexpr std::array<const char*, 12> kOsTypes = {"alpine", "archlinux", "centos", "debian",    "devuan", "fedora",
                                                  "gentoo", "nixos",     "openeuler", "opensuse", "ubuntu", "unmanaged"};

// Related distributions that a plugin handles as well.
const std::map<std::string, std::string>& aliases() {
    static const std::map<std::string, std::string> map = {
        {"opensuse-leap", "opensuse"},       {"opensuse-tumbleweed", "opensuse"}, {"opensuse-slowroll", "opensuse"},
        {"sles", "opensuse"},                {"rocky", "centos"},                 {"almalinux", "centos"},
        {"arch", "archlinux"},               {"openEuler", "openeuler"},
    };
    return map;
}

// Marker files, in the order they are tried after os-release.
struct Marker {
    const char* path;
    const char* os_type;
};
constexpr std::array<Marker, 12> kMarkers = {{
    {"/etc/debian_version", "debian"},
    {"/etc/devuan_version", "devuan"},
    {"/etc/SuSE-brand", "opensuse"},
    {"/etc/SuSE-release", "opensuse"},
    {"/etc/fedora-release", "fedora"},
    {"/etc/centos-release", "centos"},
    {"/etc/redhat-release", "centos"},
    {"/etc/arch-release", "archlinux"},
    {"/etc/alpine-release", "alpine"},
    {"/etc/gentoo-release", "gentoo"},
    {"/nix/store", "nixos"},  // a directory
    {"/etc/openEuler-release", "openeuler"},
}};

std::string checked_files() {
    std::string list = "/etc/os-release, /usr/lib/os-release, /etc/lsb-release";
    for (const auto& marker : kMarkers) list += std::string(", ") + marker.path;
    return list;
}

std::optional<std::string> detect_from_files(const GuestFiles& files) {
    if (files.exists("/etc/lsb-release")) {
        static const std::regex ubuntu(R"((^|\n)DISTRIB_ID=Ubuntu(\n|$))", std::regex::icase);
        if (std::regex_search(files.read("/etc/lsb-release"), ubuntu)) return "ubuntu";
    }
    for (const auto& marker : kMarkers) {
        bool found = std::string_view(marker.path) == "/nix/store" ? files.is_directory(marker.path)
                                                                   : files.exists(marker.path);
        if (found) return marker.os_type;
    }
    return std::nullopt;
}

bool is_os_type(const std::string& name) {
    return std::find(kOsTypes.begin(), kOsTypes.end(), name) != kOsTypes.end();
}

}  // namespace

OsRelease read_os_release(const GuestFiles& files) {
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
        if (files.exists(path)) return parse_os_release(files.read(path));
    }
    return {};
}

OsDetection detect_os_type(const GuestFiles& files, const OsRelease& os_release,
                           const std::optional<std::string>& configured_type) {
    OsDetection detection;
    if (configured_type == "unmanaged") {
        detection.os_type = "unmanaged";
        return detection;
    }

    auto id = os_release.find("ID");
    if (id != os_release.end() && !id->second.empty()) {
        if (is_os_type(id->second)) {
            detection.os_type = id->second;
        } else if (auto alias = aliases().find(id->second); alias != aliases().end()) {
            detection.os_type = alias->second;
        } else {
            detection.warnings.push_back("unknown ID '" + id->second +
                                         "' in /etc/os-release file, trying fallback detection");
        }
    }
    if (detection.os_type.empty()) {
        if (auto detected = detect_from_files(files)) {
            detection.os_type = *detected;
        } else if (files.exists("/etc/os-release")) {
            throw UserError("unable to detect OS distribution (checked " + checked_files() + ")");
        } else {
            detection.warnings.push_back("/etc/os-release file not found and autodetection failed, falling back to "
                                         "'unmanaged' (checked " + checked_files() + ")");
            detection.os_type = "unmanaged";
        }
    }

    if (configured_type && !configured_type->empty() && *configured_type != detection.os_type) {
        if (!files.exists_at_all("/etc"))
            detection.warnings.push_back("WARNING: /etc not present in CT, is the rootfs mounted?");
        detection.warnings.push_back("got unexpected ostype (" + detection.os_type + " != " + *configured_type + ")");
    }
    return detection;
}

}  // namespace pct::guest
