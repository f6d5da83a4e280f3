#pragma once
// Where pveam's appliance indexes come from and where they are kept:
// $PVEAM_INDEX_URL (one or more index URLs, whitespace separated), each
// stored as $PCT_ROOT/var/lib/pve-manager/apl-info/<host of the URL>, as
// Proxmox names them.
#include <string>
#include <vector>

#include "core/appliance_index.h"
#include "runtime/host_paths.h"

namespace pct::pveam {

struct IndexSource {
    std::string url;          // the index itself, e.g. http://host/images/aplinfo.dat
    std::string stored_file;  // apl-info/<host>
};

std::string apl_info_dir(const HostPaths& paths);
std::string pveam_log_file(const HostPaths& paths);
std::vector<IndexSource> index_sources(const HostPaths& paths);

// "download.proxmox.com" for "http://user@download.proxmox.com:80/images/x".
std::string host_of_url(const std::string& url);

// The records of every stored index (relative locations resolved against
// the source URL); unreadable or missing indexes and skipped records become
// warnings.
std::vector<ApplianceRecord> load_stored_records(const HostPaths& paths, std::vector<std::string>& warnings);

}  // namespace pct::pveam
