#pragma once
// `pct listsnapshot` (cli.md §3.19): the snapshots of a config and the
// pseudo entry `current`, drawn as a tree along their `parent` links.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config_file.h"

namespace pct {

struct SnapshotListEntry {
    std::string name;
    std::optional<std::string> parent;
    std::optional<int64_t> snaptime;  // none only for `current`
    std::string description;
};

// Every snapshot (a missing or unreadable snaptime counts as 0, as in the
// API), then `current` with description `You are here!` whose parent is
// the main section's.
std::vector<SnapshotListEntry> list_snapshots(const ContainerConfig& config);

// Unix time -> "YYYY-MM-DD HH:MM:SS" in the host's local time (the caller's
// concern: core knows no time zone).
using SnapshotTimeFormatter = std::function<std::string(int64_t)>;

// One line per entry, depth first: roots are entries without an existing
// parent; siblings by snaptime, entries without one (`current`) last, then
// by name. Each line is "%s %-Ns %-23s %s\n" of prefix, name, time and the
// description's first line (`no-description` when empty), N = 30 - length
// of the prefix (at least 0); the prefix is "`->" with one more leading
// space per level.
std::string format_snapshot_tree(const std::vector<SnapshotListEntry>& entries,
                                 const SnapshotTimeFormatter& format_time);

}  // namespace pct
