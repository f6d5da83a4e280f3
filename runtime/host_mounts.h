#pragma once
// A stopped container's volumes mounted on the host (cli.md §3.15): `pct
// mount` leaves them for maintenance, df and fstrim mount them for the
// command's duration. The mounts are made exactly as for a start (same
// plan, same symlink-safe walks) but in the host's mount namespace, under
// var/lib/lxc/<id>/rootfs; raw mount point volumes are staged under
// var/lib/lxc/<id>/staging.
#include <string>
#include <vector>

#include "core/start_plan.h"
#include "core/volume_mounter.h"
#include "runtime/host_paths.h"

namespace pct {

std::string host_mount_rootfs(const HostPaths& paths, int vmid);

// Mounts `volumes` (rootfs first). On failure everything mounted so far is
// unmounted again and the directories are removed; throws UserError.
void mount_on_host(const HostPaths& paths, int vmid, const std::vector<VolumeMountPlan>& volumes, uid_t root_uid,
                   gid_t root_gid, VolumeMounter& mounter);

// Unmounts everything below var/lib/lxc/<id> (deepest first, releasing loop
// devices) and removes the directories. Nothing mounted is not an error.
void unmount_from_host(const HostPaths& paths, int vmid);

}  // namespace pct
