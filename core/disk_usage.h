#pragma once
// `pct df` (cli.md §3.18): one row per rootfs/mount point, as a table.
#include <cstdint>
#include <string>
#include <vector>

#include "core/config_file.h"

namespace pct {

struct MountPointEntry {
    std::string key;     // rootfs, mp0, ...
    std::string volume;  // volume id, bind source or device
    std::string path;    // inside the container ("/" for rootfs)
};

// rootfs, then mp0..mp255 by index (Proxmox's foreach_volume order).
std::vector<MountPointEntry> container_mount_points(const ConfigSection& config);

struct DiskUsageRow {
    MountPointEntry mount;
    uint64_t total_bytes = 0;
    uint64_t used_bytes = 0;
    uint64_t available_bytes = 0;
};

// Bytes below 1024 as is, else divided by 1024 until below it (at most to
// T), with one decimal and the unit: 1536 -> "1.5K".
std::string format_usage_size(uint64_t bytes);

// Header `MP Volume Size Used Avail Use% Path`; MP and Volume left-aligned,
// the numbers right-aligned, each as wide as its longest cell, single
// spaces between, Path last and unpadded.
std::string format_disk_usage_table(const std::vector<DiskUsageRow>& rows);

}  // namespace pct
