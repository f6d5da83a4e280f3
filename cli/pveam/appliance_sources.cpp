#include "cli/pveam/appliance_sources.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pct::pveam {

namespace {

// Proxmox's own index; never reachable in tests, which set PVEAM_INDEX_URL.
constexpr const char* kDefaultIndexUrl = "http://download.proxmox.com/images/aplinfo-pve-8.dat.gz";

}  // namespace

std::string apl_info_dir(const HostPaths& paths) { return paths.root() + "var/lib/pve-manager/apl-info"; }

std::string pveam_log_file(const HostPaths& paths) { return paths.root() + "var/log/pveam.log"; }

std::string host_of_url(const std::string& url) {
    size_t start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
    if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    if (authority.starts_with("[")) return authority.substr(0, authority.find(']') + 1);
    return authority.substr(0, authority.find(':'));
}

std::vector<IndexSource> index_sources(const HostPaths& paths) {
    const char* configured = std::getenv("PVEAM_INDEX_URL");
    std::istringstream urls(configured && *configured ? configured : kDefaultIndexUrl);
    std::vector<IndexSource> sources;
    std::string url;
    while (urls >> url) sources.push_back({url, apl_info_dir(paths) + "/" + host_of_url(url)});
    return sources;
}

std::vector<ApplianceRecord> load_stored_records(const HostPaths& paths, std::vector<std::string>& warnings) {
    std::vector<ApplianceRecord> records;
    for (const auto& source : index_sources(paths)) {
        std::ifstream file(source.stored_file, std::ios::binary);
        if (!file) {
            warnings.push_back("unable to open file '" + source.stored_file + "' - run 'pveam update' first");
            continue;
        }
        std::ostringstream text;
        text << file.rdbuf();
        ApplianceIndex index = parse_appliance_index(text.str(), source.url);
        for (auto& problem : index.problems) warnings.push_back(source.stored_file + ": " + problem);
        for (auto& record : index.records) records.push_back(std::move(record));
    }
    return records;
}

}  // namespace pct::pveam
