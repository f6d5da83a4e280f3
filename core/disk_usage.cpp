#include "core/disk_usage.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/option_schema.h"

namespace pct {

std::vector<MountPointEntry> container_mount_points(const ConfigSection& config) {
    std::vector<std::pair<int, MountPointEntry>> indexed;
    for (const auto& [key, value] : config.values) {
        auto [base, index] = split_indexed_key(key);
        if (key != "rootfs" && !(base == "mp" && index >= 0)) continue;
        PropertyMap mount = parse_property_string(value, volume_key_format(key));
        indexed.push_back({key == "rootfs" ? -1 : index,
                           {.key = key, .volume = mount["volume"], .path = key == "rootfs" ? "/" : mount["mp"]}});
    }
    std::sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<MountPointEntry> entries;
    for (auto& [index, entry] : indexed) entries.push_back(std::move(entry));
    return entries;
}

std::string format_usage_size(uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes);
    static constexpr std::array<char, 4> units{'K', 'M', 'G', 'T'};
    double value = static_cast<double>(bytes) / 1024;
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < units.size()) {
        value /= 1024;
        ++unit;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.1f%c", value, units[unit]);
    return text;
}

std::string format_disk_usage_table(const std::vector<DiskUsageRow>& rows) {
    std::vector<std::array<std::string, 7>> cells{{"MP", "Volume", "Size", "Used", "Avail", "Use%", "Path"}};
    for (const auto& row : rows) {
        char percent[32];
        const double share = row.total_bytes ? static_cast<double>(row.used_bytes) / static_cast<double>(row.total_bytes) : 0;
        std::snprintf(percent, sizeof percent, "%.1f", share * 100);
        cells.push_back({row.mount.key, row.mount.volume, format_usage_size(row.total_bytes),
                         format_usage_size(row.used_bytes), format_usage_size(row.available_bytes), percent,
                         row.mount.path});
    }
    std::array<size_t, 6> width{};
    for (const auto& line : cells)
        for (size_t column = 0; column < width.size(); ++column) width[column] = std::max(width[column], line[column].size());
    std::string text;
    for (const auto& line : cells) {
        for (size_t column = 0; column < width.size(); ++column) {
            const std::string padding(width[column] - line[column].size(), ' ');
            text += column < 2 ? line[column] + padding : padding + line[column];
            text += ' ';
        }
        text += line[6] + "\n";
    }
    return text;
}

}  // namespace pct
