#pragma once
// Port: making a volume's file system visible at a host directory, and
// taking it away again. Raw images go through a loop device; directories
// are bind-mounted.
#include <string>

#include "core/storage.h"

namespace pct {

struct MountRequest {
    std::string source;           // raw image file, directory, or block device
    VolumeFormat format = VolumeFormat::Raw;
    bool is_device = false;       // source is a block device (mpN: /dev/...)
    std::string target;           // host directory, must exist
    bool read_only = false;
    std::string options;          // extra file system options, comma-separated
};

class VolumeMounter {
public:
    virtual ~VolumeMounter() = default;
    // Throws UserError; on failure nothing stays mounted or attached.
    virtual void mount(const MountRequest& request) = 0;
    // Unmounts target and releases a loop device behind it.
    virtual void unmount(const std::string& target) = 0;
};

}  // namespace pct
