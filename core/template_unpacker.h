#pragma once
// Port: unpacking a template (or backup) archive into a mounted rootfs.
#include <string>
#include <vector>

#include "core/idmap.h"

namespace pct {

struct UnpackRequest {
    std::string archive;              // host path of the .tar[.gz|.xz|.zst|.bz2]
    std::string target;               // host directory: the mounted rootfs
    std::vector<IdMapEntry> idmap;    // empty: owners kept; else shifted to host ids
    bool ignore_errors = false;       // --ignore-unpack-errors
};

struct UnpackResult {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    std::vector<std::string> warnings;  // skipped entries when ignore_errors
};

class TemplateUnpacker {
public:
    virtual ~TemplateUnpacker() = default;
    // Throws UserError; the caller cleans the target up on failure.
    virtual UnpackResult unpack(const UnpackRequest& request) = 0;
};

}  // namespace pct
