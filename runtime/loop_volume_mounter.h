#pragma once
// VolumeMounter on Linux: a raw image is attached to a loop device and its
// ext4 mounted; a directory volume is bind-mounted; a block device is
// mounted with the file system found on it. Loop devices are attached with
// LO_FLAGS_AUTOCLEAR, so unmounting (or a failed mount) releases them.
#include <string>

#include "core/volume_mounter.h"

namespace pct {

class LoopVolumeMounter : public VolumeMounter {
public:
    // The target is resolved like mount(8) does (symlinks followed), so a
    // caller mounting inside a container root passes a path it resolved
    // safely, e.g. /proc/self/fd/<n> of a directory opened with openat2.
    // `options` are comma-separated: nodev, nosuid, noexec, noatime, ... are
    // applied to the mount; other options (discard, acl, quota options) go to
    // the file system and are refused for directory volumes.
    void mount(const MountRequest& request) override;
    // umount2 without following a symlink at `target`; the loop device
    // behind it detaches itself (AUTOCLEAR), so this works from any process.
    void unmount(const std::string& target) override;
};

}  // namespace pct
