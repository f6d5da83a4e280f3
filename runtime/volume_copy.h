#pragma once
// The copy behind `pct move-volume` to another storage and full clones: both
// volumes are mounted on directories of our own and the files copied with
// rsync, as Proxmox does (owners, ACLs, xattrs, hard links and holes kept).
#include <cstdint>
#include <string>

#include "core/storage.h"
#include "core/volume_mounter.h"
#include "runtime/host_paths.h"

namespace pct {

// Copies the file system of volume `source` (of its snapshot `snapshot` when
// not empty) onto volume `target` (empty, freshly allocated), at most
// `bwlimit_kib` KiB/s when not 0. Everything mounted for it is gone
// afterwards, also on failure. Throws UserError.
void copy_volume_contents(const HostPaths& paths, StorageRegistry& storages, VolumeMounter& mounter,
                          const std::string& source, const std::string& target, uint64_t bwlimit_kib = 0,
                          const std::string& snapshot = "");

}  // namespace pct
