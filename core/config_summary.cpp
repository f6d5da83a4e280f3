#include "core/config_summary.h"

#include <cctype>
#include <charconv>

#include "core/config_file.h"
#include "core/volume_id.h"

namespace pct {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<uint64_t> size_of_mount_value(std::string_view value) {
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (part.substr(0, 5) == "size=") {
            try {
                return parse_disk_size(part.substr(5));
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return std::nullopt;
}

}  // namespace

ConfigSummary summarize_config(std::string_view text) {
    ConfigSummary summary;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        if (!line.empty() && line[0] == '[') break;  // only the main section counts
        auto colon = line.find(':');
        if (colon == std::string_view::npos || line[0] == '#') continue;
        std::string_view key = line.substr(0, colon);
        std::string_view value = trim(line.substr(colon + 1));
        if (key == "hostname") summary.hostname = std::string(value);
        else if (key == "lock") summary.lock = std::string(value);
        else if (key == "tags") summary.tags = std::string(value);
        else if (key == "template") summary.is_template = value == "1";
        else if (key == "memory") summary.memory_mib = number<uint64_t>(value);
        else if (key == "swap") summary.swap_mib = number<uint64_t>(value);
        else if (key == "cores") summary.cores = number<double>(value);
        else if (key == "cpulimit") summary.cpulimit = number<double>(value);
        else if (key == "rootfs") summary.rootfs_size_bytes = size_of_mount_value(value);
    }
    return summary;
}

std::string display_name(const ConfigSummary& summary, int vmid) {
    std::string name;
    for (char c : summary.hostname)
        if (!std::isspace(static_cast<unsigned char>(c))) name += c;
    return name.empty() ? "CT" + std::to_string(vmid) : name;
}

}  // namespace pct
