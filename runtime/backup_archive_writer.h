#pragma once
// The vzdump tar stream (cli.md §6 step 4), written with libarchive:
// ./etc/vzdump/pct.conf, ./etc/vzdump/pct.fw, then the CT's file tree.
#include <functional>
#include <string>
#include <vector>

#include "core/backup_plan.h"
#include "core/idmap.h"

namespace pct {

struct BackupArchiveRequest {
    std::string output;          // file to create (the .dat name)
    BackupCompression compress = BackupCompression::None;
    std::string config_text;     // ./etc/vzdump/pct.conf
    std::string firewall_text;   // ./etc/vzdump/pct.fw (may be empty)
    std::string root;            // host directory with the CT's volumes mounted
    std::vector<std::string> sources;  // "/" and the included mount point paths
    std::vector<std::string> excludes; // backup_path_excluded patterns
    // Host ids are stored as the container sees them (unmapped ones as
    // 65534); empty: owners kept.
    std::vector<IdMapEntry> idmap;
};

struct BackupArchiveResult {
    uint64_t entries = 0;
    uint64_t bytes = 0;
};

// Numeric owners, modes, times, xattrs and ACLs as libarchive reads them;
// never crosses into another file system below a source; hard links kept.
// Throws UserError (the output file is removed then).
BackupArchiveResult write_backup_archive(const BackupArchiveRequest& request);

// Whether libarchive can write this compression (lzo needs liblzo2).
bool backup_compression_available(BackupCompression compress);

}  // namespace pct
