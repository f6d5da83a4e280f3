#include "core/snapshot_tree.h"

#include <algorithm>
#include <map>

#include "core/property_string.h"

namespace pct {

namespace {

std::string padded(const std::string& text, size_t width) {
    return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

class TreePrinter {
public:
    TreePrinter(const std::vector<SnapshotListEntry>& entries, const SnapshotTimeFormatter& format_time)
        : entries_(entries), format_time_(format_time) {
        std::map<std::string, size_t> by_name;
        for (size_t i = 0; i < entries_.size(); ++i) by_name[entries_[i].name] = i;
        children_.resize(entries_.size());
        for (size_t i = 0; i < entries_.size(); ++i) {
            const auto& parent = entries_[i].parent;
            auto found = parent ? by_name.find(*parent) : by_name.end();
            if (found != by_name.end() && found->second != i) children_[found->second].push_back(i);
            else roots_.push_back(i);
        }
    }

    std::string print() {
        for (size_t root : sorted(roots_)) print_entry("`->", root, 0);
        return out_;
    }

private:
    std::vector<size_t> sorted(std::vector<size_t> indexes) const {
        std::sort(indexes.begin(), indexes.end(), [&](size_t a, size_t b) {
            const auto& left = entries_[a];
            const auto& right = entries_[b];
            if (left.snaptime.has_value() != right.snaptime.has_value()) return left.snaptime.has_value();
            if (left.snaptime && *left.snaptime != *right.snaptime) return *left.snaptime < *right.snaptime;
            return left.name < right.name;
        });
        return indexes;
    }

    void print_entry(const std::string& prefix, size_t index, size_t depth) {
        // A parent cycle cannot be reached from a root; the depth limit only
        // guards against a malformed list.
        if (depth > entries_.size()) return;
        const SnapshotListEntry& entry = entries_[index];
        std::string description = entry.description.substr(0, entry.description.find('\n'));
        // Perl's `||`: an empty description and "0" both read as none.
        if (entry.description.empty() || entry.description == "0") description = "no-description";
        const size_t width = prefix.size() < 30 ? 30 - prefix.size() : 0;
        const std::string time = entry.snaptime ? format_time_(*entry.snaptime) : "";
        out_ += prefix + " " + padded(entry.name, width) + " " + padded(time, 23) + " " + description + "\n";
        for (size_t child : sorted(children_[index])) print_entry(" " + prefix, child, depth + 1);
    }

    const std::vector<SnapshotListEntry>& entries_;
    const SnapshotTimeFormatter& format_time_;
    std::vector<std::vector<size_t>> children_;
    std::vector<size_t> roots_;
    std::string out_;
};

}  // namespace

std::vector<SnapshotListEntry> list_snapshots(const ContainerConfig& config) {
    std::vector<SnapshotListEntry> entries;
    for (const auto& [name, section] : config.snapshots) {
        SnapshotListEntry entry{.name = name, .snaptime = 0, .description = section.description};
        if (const std::string* parent = section.get("parent")) entry.parent = *parent;
        if (const std::string* time = section.get("snaptime"); time && is_unsigned_integer(*time) && time->size() < 19)
            entry.snaptime = std::stoll(*time);
        entries.push_back(std::move(entry));
    }
    SnapshotListEntry current{.name = "current", .description = "You are here!"};
    if (const std::string* parent = config.main.get("parent")) current.parent = *parent;
    entries.push_back(std::move(current));
    return entries;
}

std::string format_snapshot_tree(const std::vector<SnapshotListEntry>& entries,
                                 const SnapshotTimeFormatter& format_time) {
    return TreePrinter(entries, format_time).print();
}

}  // namespace pct
