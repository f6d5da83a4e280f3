#include "core/storage_config.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/volume_id.h"

namespace pct {

namespace {

struct StorageTypeInfo {
    std::vector<std::string> required_keys;    // ASCII order, written right after comment/disable
    std::vector<std::string> default_content;  // when `content` is absent
};

// Every storage type Proxmox knows. Sections of other types are skipped as
// unknown; these are kept even though only dir and btrfs are usable here.
const std::map<std::string, StorageTypeInfo, std::less<>>& storage_types() {
    static const std::map<std::string, StorageTypeInfo, std::less<>> types = {
        {"btrfs", {{"path"}, {"images", "rootdir"}}},
        {"cephfs", {{"path"}, {"backup"}}},
        {"cifs", {{"path", "server", "share"}, {"images"}}},
        {"dir", {{"path"}, {"images", "rootdir"}}},
        {"esxi", {{"server", "username"}, {"import"}}},
        {"glusterfs", {{"path", "volume"}, {"images"}}},
        {"iscsi", {{"portal", "target"}, {"images"}}},
        {"iscsidirect", {{"portal", "target"}, {"images"}}},
        {"lvm", {{"vgname"}, {"images"}}},
        {"lvmthin", {{"thinpool", "vgname"}, {"images", "rootdir"}}},
        {"nfs", {{"export", "path", "server"}, {"images"}}},
        {"pbs", {{"datastore", "server"}, {"backup"}}},
        {"rbd", {{}, {"images"}}},
        {"zfs", {{"blocksize", "iscsiprovider", "pool", "portal", "target"}, {"images"}}},
        {"zfspool", {{"pool"}, {"images", "rootdir"}}},
    };
    return types;
}

const StorageTypeInfo* find_type(std::string_view type) {
    const auto& types = storage_types();
    auto it = types.find(type);
    return it == types.end() ? nullptr : &it->second;
}

// Boolean keys of Proxmox's storage schema: a bare key means 1, and the
// writer prints them as 1/0.
bool is_boolean_key(std::string_view key) {
    static const std::set<std::string, std::less<>> keys = {
        "create-base-path", "create-subdirs", "disable",      "fuse",     "krbd",
        "mkdir",            "nocow",          "nowritecache", "saferemove", "shared",
        "snapshot-as-volume-chain", "sparse", "tagged_only",
    };
    return keys.contains(key);
}

// Proxmox booleans: 1|0|yes|no|on|off|true|false, any case.
std::optional<bool> parse_boolean(std::string_view value) {
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    if (lower == "1" || lower == "yes" || lower == "on" || lower == "true") return true;
    if (lower == "0" || lower == "no" || lower == "off" || lower == "false") return false;
    return std::nullopt;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool has_space(std::string_view text) { return std::any_of(text.begin(), text.end(), is_space); }

// content lists: items separated by ',', ';', whitespace or NUL.
std::vector<std::string> split_content_list(std::string_view text) {
    std::vector<std::string> items;
    std::string current;
    for (char c : text) {
        if (c == ',' || c == ';' || c == '\0' || is_space(c)) {
            if (!current.empty()) items.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) items.push_back(std::move(current));
    return items;
}

struct SectionHeader {
    std::string type;
    std::string id;
};

// `^(\S+):\s*(\S+)\s*$`; like the reference regex the type takes the last
// colon that still leaves an id behind it.
std::optional<SectionHeader> parse_section_header(std::string_view line) {
    for (size_t colon = line.rfind(':'); colon != std::string_view::npos && colon > 0;
         colon = line.rfind(':', colon - 1)) {
        const std::string_view type = line.substr(0, colon);
        const std::string_view id = trim(line.substr(colon + 1));
        if (has_space(type) || id.empty() || has_space(id)) continue;
        std::string lower_type(type);
        std::transform(lower_type.begin(), lower_type.end(), lower_type.begin(),
                       [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
        return SectionHeader{std::move(lower_type), std::string(id)};
    }
    return std::nullopt;
}

// `^\s+(\S+)(\s+(.*\S))?\s*$`
std::optional<std::pair<std::string, std::optional<std::string>>> parse_property_line(std::string_view line) {
    if (line.empty() || !is_space(line.front())) return std::nullopt;
    line = trim(line);
    if (line.empty()) return std::nullopt;
    size_t key_end = 0;
    while (key_end < line.size() && !is_space(line[key_end])) ++key_end;
    std::string key(line.substr(0, key_end));
    if (key_end == line.size()) return std::pair{std::move(key), std::nullopt};
    return std::pair{std::move(key), std::optional<std::string>(trim(line.substr(key_end)))};
}

}  // namespace

bool StorageDefinition::supported() const { return type == "dir" || type == "btrfs"; }

std::optional<std::string> StorageDefinition::get(std::string_view key) const {
    for (const auto& [k, v] : properties)
        if (k == key) return v;
    return std::nullopt;
}

void StorageDefinition::set(std::string_view key, std::string value) {
    for (auto& [k, v] : properties) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    properties.emplace_back(std::string(key), std::move(value));
}

void StorageDefinition::erase(std::string_view key) {
    std::erase_if(properties, [&](const auto& property) { return property.first == key; });
}

std::string StorageDefinition::path() const { return get("path").value_or(""); }

std::set<std::string> StorageDefinition::content() const {
    std::set<std::string> result;
    if (auto declared = get("content")) {
        for (auto& item : split_content_list(*declared))
            if (item != "none") result.insert(std::move(item));
        return result;
    }
    if (const StorageTypeInfo* info = find_type(type))
        result.insert(info->default_content.begin(), info->default_content.end());
    return result;
}

bool StorageDefinition::disabled() const {
    auto value = get("disable");
    return value && parse_boolean(*value).value_or(false);
}

const StorageDefinition* StorageConfig::find(std::string_view id) const {
    for (const StorageDefinition& storage : storages)
        if (storage.id == id) return &storage;
    return nullptr;
}

StorageConfig parse_storage_config(std::string_view text, std::string_view file_name) {
    StorageConfig config;
    const std::string file(file_name);
    size_t line_number = 0;
    size_t pos = 0;
    auto next_line = [&]() -> std::optional<std::string_view> {
        if (pos >= text.size()) return std::nullopt;
        const size_t end = text.find('\n', pos);
        const std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        ++line_number;
        return line;
    };
    auto where = [&] { return "file " + file + " line " + std::to_string(line_number); };

    StorageDefinition* section = nullptr;  // the section property lines go to
    bool skipping = false;                 // inside a skipped section: its lines are ignored quietly
    while (auto line = next_line()) {
        if (trim(*line).empty()) {  // blank (or whitespace-only) line ends a section
            section = nullptr;
            skipping = false;
            continue;
        }
        if (trim(*line).front() == '#') continue;
        if (skipping) continue;

        if (section) {
            auto property = parse_property_line(*line);
            const std::string in_section = where() + " (section '" + section->id + "') - ";
            if (!property) {
                config.warnings.push_back(in_section + "ignore config line: " + std::string(*line));
                continue;
            }
            auto& [key, value] = *property;
            if (section->get(key)) {
                config.warnings.push_back(in_section + "unable to parse value of '" + key + "': duplicate attribute");
                continue;
            }
            if (is_boolean_key(key)) {
                auto flag = value ? parse_boolean(*value) : std::optional<bool>(true);
                if (!flag) {
                    config.warnings.push_back(in_section + "unable to parse value of '" + key +
                                              "': type check ('boolean') failed - got '" + *value + "'");
                    continue;
                }
                section->properties.emplace_back(key, *flag ? "1" : "0");
            } else if (!value) {
                config.warnings.push_back(in_section + "unable to parse value of '" + key + "': missing value");
            } else {
                section->properties.emplace_back(key, std::move(*value));
            }
            continue;
        }

        auto header = is_space(line->front()) ? std::nullopt : parse_section_header(*line);
        if (!header) {
            config.warnings.push_back(where() + " - ignore config line: " + std::string(*line));
            continue;
        }
        const std::string skip = where() + " (skip section '" + header->id + "'): ";
        if (!is_valid_storage_id(header->id)) {
            config.warnings.push_back(skip + "storage ID '" + header->id + "' contains illegal characters");
            skipping = true;
        } else if (!find_type(header->type)) {
            config.warnings.push_back(skip + "unsupported type '" + header->type + "'");
            skipping = true;
        } else if (config.find(header->id)) {
            config.warnings.push_back(skip + "duplicate storage ID '" + header->id + "'");
            skipping = true;
        } else {
            config.storages.push_back({.type = header->type, .id = header->id, .properties = {}});
            section = &config.storages.back();
        }
    }

    // Proxmox skips a section that lacks a required key; done only for the
    // types this project uses, where the key (path) is essential.
    std::erase_if(config.storages, [&](const StorageDefinition& storage) {
        if (!storage.supported() || storage.get("path")) return false;
        config.warnings.push_back("file " + file + " (skip section '" + storage.id +
                                  "'): missing value for required option 'path'");
        return true;
    });
    return config;
}

StorageConfig with_local_storage(StorageConfig config, std::string default_local_path) {
    auto existing = std::find_if(config.storages.begin(), config.storages.end(),
                                 [](const StorageDefinition& s) { return s.id == "local"; });
    const bool usable =
        existing != config.storages.end() && existing->type == "dir" && existing->path() == default_local_path;
    if (!usable) {
        StorageDefinition local{.type = "dir",
                                .id = "local",
                                .properties = {
                                    {"path", std::move(default_local_path)},
                                    {"content", "backup,images,iso,rootdir,snippets,vztmpl"},
                                    {"prune-backups", "keep-all=1"},
                                }};
        if (existing != config.storages.end()) {
            *existing = std::move(local);
        } else {
            config.storages.insert(config.storages.begin(), std::move(local));
        }
        return config;
    }
    // `local` is never shared and exists on every node.
    existing->erase("shared");
    existing->erase("nodes");
    return config;
}

std::string write_storage_config(const StorageConfig& config) {
    std::string out;
    for (const StorageDefinition& storage : config.storages) {
        out += storage.type + ": " + storage.id + "\n";
        auto write = [&](const std::string& key, const std::string& value) {
            if (value.empty()) return;
            if (key == "content") {
                const std::set<std::string> content = storage.content();
                std::string list;
                for (const auto& item : content) list += (list.empty() ? "" : ",") + item;
                out += "\tcontent " + (list.empty() ? std::string("none") : list) + "\n";
            } else if (is_boolean_key(key)) {
                out += "\t" + key + " " + (parse_boolean(value).value_or(false) ? "1" : "0") + "\n";
            } else {
                out += "\t" + key + " " + value + "\n";
            }
        };

        if (auto comment = storage.get("comment")) write("comment", *comment);
        if (storage.disabled()) out += "\tdisable\n";

        const StorageTypeInfo* info = find_type(storage.type);
        std::vector<std::string> required = info ? info->required_keys : std::vector<std::string>{};
        for (const auto& key : required)
            if (auto value = storage.get(key)) write(key, *value);

        std::vector<std::pair<std::string, std::string>> rest;
        for (const auto& property : storage.properties) {
            const auto& key = property.first;
            if (key == "comment" || key == "disable") continue;
            if (std::find(required.begin(), required.end(), key) != required.end()) continue;
            rest.push_back(property);
        }
        std::stable_sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [key, value] : rest) write(key, value);
        out += "\n";
    }
    return out;
}

const StorageDefinition& require_rootdir_storage(const StorageConfig& config, std::string_view storage) {
    const StorageDefinition* definition = config.find(storage);
    if (!definition) throw UserError("storage '" + std::string(storage) + "' does not exist");
    if (!definition->supported())
        throw UserError("storage '" + std::string(storage) + "' has type '" + definition->type +
                        "', which pct does not support (supported: dir, btrfs)");
    if (!definition->content().contains("rootdir"))
        throw UserError("storage '" + std::string(storage) + "' does not allow content type 'rootdir' (Container)");
    return *definition;
}

}  // namespace pct
