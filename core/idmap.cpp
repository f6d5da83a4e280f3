#include "core/idmap.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "core/error.h"

namespace pct {

namespace {

// Perl's \s (the reference parser is a Perl regex).
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of digits at `pos`; nullopt when there is none or it overflows.
std::optional<uint64_t> read_number(std::string_view text, size_t& pos) {
    const size_t begin = pos;
    uint64_t value = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
        ++pos;
    }
    if (pos == begin) return std::nullopt;
    return value;
}

// Rejects ranges whose end does not fit, so that start + count never wraps.
bool range_fits(uint64_t start, uint64_t count) {
    return start <= std::numeric_limits<uint64_t>::max() - count;
}

std::optional<IdMapEntry> try_parse_idmap_entry(std::string_view text) {
    if (text.empty() || (text[0] != 'u' && text[0] != 'g')) return std::nullopt;
    IdMapEntry entry;
    entry.type = text[0];
    size_t pos = 1;
    uint64_t* fields[] = {&entry.container_start, &entry.host_start, &entry.count};
    for (uint64_t* field : fields) {
        const size_t spaces_begin = pos;
        while (pos < text.size() && is_space(text[pos])) ++pos;
        if (pos == spaces_begin) return std::nullopt;
        auto number = read_number(text, pos);
        if (!number) return std::nullopt;
        *field = *number;
    }
    while (pos < text.size() && is_space(text[pos])) ++pos;
    if (pos != text.size()) return std::nullopt;
    if (!range_fits(entry.container_start, entry.count) || !range_fits(entry.host_start, entry.count))
        return std::nullopt;
    return entry;
}

// `T:CT:DISK:COUNT` with COUNT >= 1.
std::optional<IdMapEntry> try_parse_mount_idmap_entry(std::string_view text) {
    if (text.size() < 2 || (text[0] != 'u' && text[0] != 'g') || text[1] != ':') return std::nullopt;
    IdMapEntry entry;
    entry.type = text[0];
    size_t pos = 2;
    uint64_t* fields[] = {&entry.container_start, &entry.host_start, &entry.count};
    for (size_t i = 0; i < 3; ++i) {
        if (i > 0) {
            if (pos >= text.size() || text[pos] != ':') return std::nullopt;
            ++pos;
        }
        auto number = read_number(text, pos);
        if (!number) return std::nullopt;
        *fields[i] = *number;
    }
    if (pos != text.size() || entry.count == 0) return std::nullopt;
    if (!range_fits(entry.container_start, entry.count) || !range_fits(entry.host_start, entry.count))
        return std::nullopt;
    return entry;
}

std::optional<std::string> find_conflict_on_side(std::vector<IdMapEntry> entries, char type, bool container_side) {
    auto start = [container_side](const IdMapEntry& e) { return container_side ? e.container_start : e.host_start; };
    std::stable_sort(entries.begin(), entries.end(),
                     [&](const IdMapEntry& a, const IdMapEntry& b) { return start(a) < start(b); });
    for (size_t i = 1; i < entries.size(); ++i) {
        const IdMapEntry& prev = entries[i - 1];
        const IdMapEntry& cur = entries[i];
        if (start(prev) + prev.count > start(cur)) {
            return "invalid map entry '" + cur.to_string() + "': " + (container_side ? "container " : "host ") +
                   (type == 'u' ? "uid " : "gid ") + std::to_string(start(cur)) + " is also mapped by entry '" +
                   prev.to_string() + "'";
        }
    }
    return std::nullopt;
}

}  // namespace

std::string IdMapEntry::to_string() const {
    return std::string(1, type) + ' ' + std::to_string(container_start) + ' ' + std::to_string(host_start) + ' ' +
           std::to_string(count);
}

IdMapEntry parse_idmap_entry(std::string_view value) {
    auto entry = try_parse_idmap_entry(value);
    if (!entry) throw UserError("failed to parse idmap: " + std::string(value));
    return *entry;
}

std::vector<IdMapEntry> default_unprivileged_idmap() {
    return {{'u', 0, 100000, 65536}, {'g', 0, 100000, 65536}};
}

std::vector<IdMapEntry> effective_idmap(const std::vector<IdMapEntry>& custom, bool unprivileged) {
    if (!custom.empty()) return custom;
    if (unprivileged) return default_unprivileged_idmap();
    return {};
}

std::optional<std::string> find_idmap_conflict(const std::vector<IdMapEntry>& entries) {
    for (char type : {'u', 'g'}) {
        std::vector<IdMapEntry> of_type;
        std::copy_if(entries.begin(), entries.end(), std::back_inserter(of_type),
                     [type](const IdMapEntry& e) { return e.type == type; });
        for (bool container_side : {true, false}) {
            if (auto conflict = find_conflict_on_side(of_type, type, container_side)) return conflict;
        }
    }
    return std::nullopt;
}

uint64_t map_to_host(const std::vector<IdMapEntry>& map, char type, uint64_t id) {
    for (const IdMapEntry& e : map) {
        if (e.type == type && e.container_start <= id && id - e.container_start < e.count)
            return e.host_start + (id - e.container_start);
    }
    return id;
}

uint64_t root_host_id(const std::vector<IdMapEntry>& map, char type) {
    for (const IdMapEntry& e : map) {
        if (e.type == type && e.container_start == 0) return e.host_start;
    }
    return 0;
}

MountIdMap parse_mount_idmap(std::string_view value) {
    if (value == "passthrough") return {.passthrough = true, .entries = {}};

    // Like Perl's split(/;/), trailing empty fields are dropped.
    while (!value.empty() && value.back() == ';') value.remove_suffix(1);

    MountIdMap result;
    size_t begin = 0;
    while (true) {
        const size_t end = value.find(';', begin);
        const std::string_view item = value.substr(begin, end == std::string_view::npos ? end : end - begin);
        auto entry = try_parse_mount_idmap_entry(item);
        if (!entry) throw UserError("failed to parse mount point idmap: " + std::string(item));
        result.entries.push_back(*entry);
        if (end == std::string_view::npos) break;
        begin = end + 1;
    }
    if (auto conflict = find_idmap_conflict(result.entries)) throw UserError(*conflict);
    return result;
}

std::vector<IdMapEntry> resolve_mount_idmap(const MountIdMap& mount_map,
                                            const std::vector<IdMapEntry>& container_map) {
    if (mount_map.passthrough) return container_map;

    // Sorted by container id so that each chunk is one forward walk; the
    // entries do not overlap (parse_mount_idmap validated them).
    std::vector<IdMapEntry> by_container = mount_map.entries;
    std::stable_sort(by_container.begin(), by_container.end(),
                     [](const IdMapEntry& a, const IdMapEntry& b) { return a.container_start < b.container_start; });

    std::vector<IdMapEntry> result;
    auto add = [&result](char type, uint64_t disk, uint64_t host, uint64_t count) {
        if (count > 0) result.push_back({type, disk, host, count});
    };
    for (const IdMapEntry& chunk : container_map) {
        const uint64_t chunk_end = chunk.container_start + chunk.count;
        auto host_of = [&chunk](uint64_t container_id) { return chunk.host_start + (container_id - chunk.container_start); };
        uint64_t pos = chunk.container_start;
        for (const IdMapEntry& mp : by_container) {
            if (mp.type != chunk.type) continue;
            const uint64_t begin = std::max(mp.container_start, pos);
            const uint64_t end = std::min(mp.container_start + mp.count, chunk_end);
            if (begin >= end) continue;
            add(chunk.type, host_of(pos), host_of(pos), begin - pos);  // uncovered: identity on host ids
            add(chunk.type, mp.host_start + (begin - mp.container_start), host_of(begin), end - begin);
            pos = end;
        }
        add(chunk.type, host_of(pos), host_of(pos), chunk_end - pos);
    }
    return result;
}

std::string privileged_mount_idmap_warning(std::string_view mount_point_key) {
    return "'" + std::string(mount_point_key) + "' - ignoring 'idmap' option unsupported by privileged container";
}

}  // namespace pct
