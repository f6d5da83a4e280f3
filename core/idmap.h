#pragma once
// User/group id maps of a container (runtime.md §4): `lxc.idmap` entries,
// the default map of unprivileged containers, overlap validation with
// Proxmox's exact messages, and per-mount-point id maps (§4.5).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pct {

struct IdMapEntry {
    char type = 'u';  // 'u' or 'g'
    uint64_t container_start = 0;
    uint64_t host_start = 0;
    uint64_t count = 0;

    // "u 0 100000 65536", the form used in messages and in lxc.idmap values.
    std::string to_string() const;
    bool operator==(const IdMapEntry&) const = default;
};

// One `lxc.idmap` value: `^([ug])\s+(\d+)\s+(\d+)\s+(\d+)\s*$`. Numbers that
// do not fit 64 bits (or whose range end would not) are rejected too.
// Throws UserError("failed to parse idmap: <value>").
IdMapEntry parse_idmap_entry(std::string_view value);

// `u 0 100000 65536` and `g 0 100000 65536`.
std::vector<IdMapEntry> default_unprivileged_idmap();

// The map a container runs with: its own lxc.idmap entries if it has any,
// otherwise the default map when unprivileged, otherwise none (privileged).
std::vector<IdMapEntry> effective_idmap(const std::vector<IdMapEntry>& custom, bool unprivileged);

// The first overlap per runtime.md §4.3 as its exact message, or nullopt when
// the map is valid. O(n log n).
std::optional<std::string> find_idmap_conflict(const std::vector<IdMapEntry>& entries);

// Host id of container id `id` ('u' or 'g'): the first entry of that type
// containing it decides; unmapped ids are returned unchanged.
uint64_t map_to_host(const std::vector<IdMapEntry>& map, char type, uint64_t id);

// Host id of the container's root user/group: the host start of the entry
// whose container start is 0, or 0 when there is none.
uint64_t root_host_id(const std::vector<IdMapEntry>& map, char type);

// A mount point's `idmap=` option (runtime.md §4.5). In `entries`,
// container_start is the container id and host_start the id on the disk.
struct MountIdMap {
    bool passthrough = false;
    std::vector<IdMapEntry> entries;
};

// `passthrough` or `T:CT:DISK:COUNT[;...]` (COUNT >= 1). Throws UserError with
// `failed to parse mount point idmap: <entry>` for a malformed entry, or the
// §4.3 message when entries overlap (the disk side is reported as "host").
MountIdMap parse_mount_idmap(std::string_view value);

// The map for the mount's user namespace: in each result entry
// container_start is the id on disk and host_start the host id (the order of
// a uid_map line). `passthrough` yields the container map itself. Otherwise,
// within each chunk of the container map, ids covered by mount-point entries
// map disk -> host, uncovered ids map host -> host. Container ids of the
// mount-point entries outside the container map are not mapped.
std::vector<IdMapEntry> resolve_mount_idmap(const MountIdMap& mount_map,
                                            const std::vector<IdMapEntry>& container_map);

// Warning for an `idmap=` option on a privileged container, which ignores it.
std::string privileged_mount_idmap_warning(std::string_view mount_point_key);

}  // namespace pct
