#include "core/backup_plan.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

const char* suffix_of(BackupCompression compress) {
    switch (compress) {
        case BackupCompression::None: return "";
        case BackupCompression::Gzip: return ".gz";
        case BackupCompression::Lzo: return ".lzo";
        case BackupCompression::Zstd: return ".zst";
    }
    return "";
}

// Shell-style glob as tar uses it for excludes: wildcards match '/' too.
bool glob_match(std::string_view pattern, std::string_view text) {
    size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
            continue;
        }
        if (p < pattern.size()) {
            bool matched = false;
            size_t next = p + 1;
            if (pattern[p] == '?') {
                matched = true;
            } else if (pattern[p] == '[') {
                size_t close = pattern.find(']', p + 2);
                if (close != std::string_view::npos) {
                    bool negate = pattern[p + 1] == '!' || pattern[p + 1] == '^';
                    bool in = false;
                    for (size_t i = p + 1 + (negate ? 1 : 0); i < close; ++i) {
                        if (i + 2 < close && pattern[i + 1] == '-') {
                            in |= text[t] >= pattern[i] && text[t] <= pattern[i + 2];
                            i += 2;
                        } else {
                            in |= text[t] == pattern[i];
                        }
                    }
                    matched = in != negate;
                    next = close + 1;
                } else {
                    matched = text[t] == '[';
                }
            } else {
                matched = pattern[p] == text[t];
            }
            if (matched) {
                p = next;
                ++t;
                continue;
            }
        }
        if (star == std::string_view::npos) return false;
        p = star + 1;
        t = ++mark;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace

std::string backup_config_text(const ContainerConfig& config) {
    ContainerConfig stored;
    stored.main = config.main;
    stored.main.values.erase("lock");
    stored.main.values.erase("parent");
    return write_config(stored);
}

std::string backup_file_name(int vmid, const std::tm& t, BackupCompression compress) {
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d_%02d_%02d-%02d_%02d_%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                  t.tm_min, t.tm_sec);
    return "vzdump-lxc-" + std::to_string(vmid) + "-" + stamp + ".tar" + suffix_of(compress);
}

bool backup_path_excluded(std::string_view path, const std::vector<std::string>& patterns) {
    if (path.starts_with("./")) path.remove_prefix(2);
    else if (path == ".") return false;
    for (const auto& pattern : patterns) {
        if (pattern.empty()) continue;
        if (pattern[0] == '/') {
            if (glob_match(std::string_view(pattern).substr(1), path)) return true;
            continue;
        }
        // Unanchored: any run of trailing components.
        size_t start = 0;
        while (true) {
            if (glob_match(pattern, path.substr(start))) return true;
            size_t slash = path.find('/', start);
            if (slash == std::string_view::npos) break;
            start = slash + 1;
        }
    }
    return false;
}

std::vector<std::string> backups_to_prune(const std::vector<std::string>& file_names, int vmid, int keep_last) {
    const std::string prefix = "vzdump-lxc-" + std::to_string(vmid) + "-";
    std::vector<std::string> ours;
    for (const auto& name : file_names) {
        if (!name.starts_with(prefix) || name.size() < prefix.size() + 19) continue;
        std::string_view rest = std::string_view(name).substr(prefix.size() + 19);
        if (rest != ".tar" && rest != ".tar.gz" && rest != ".tar.lzo" && rest != ".tar.zst") continue;
        ours.push_back(name);
    }
    // The time stamp sorts lexicographically.
    std::sort(ours.begin(), ours.end(), [&](const std::string& a, const std::string& b) {
        return a.substr(prefix.size(), 19) > b.substr(prefix.size(), 19);
    });
    if (static_cast<int>(ours.size()) <= keep_last) return {};
    return {ours.begin() + keep_last, ours.end()};
}

BackupPlan plan_backup(int vmid, const ContainerConfig& config, const BackupOptions& options, const StorageConfig& storage,
                       bool running, const std::tm& start_local_time) {
    BackupPlan plan{.vmid = vmid, .mode = running ? options.mode : BackupMode::Stop, .running = running};
    if (options.storage && options.dumpdir) throw UserError("unable to use option 'storage' and 'dumpdir' together");
    if (options.dumpdir) {
        plan.dump_dir = *options.dumpdir;
    } else {
        plan.storage = options.storage.value_or("local");
        const StorageDefinition* definition = storage.find(plan.storage);
        if (!definition) throw UserError("storage '" + plan.storage + "' does not exist");
        if (!definition->content().count("backup"))
            throw UserError("storage '" + plan.storage + "' does not support backups");
        plan.dump_dir = definition->path() + "/dump";
    }

    const std::string* unprivileged = config.main.get("unprivileged");
    plan.unprivileged = unprivileged && *unprivileged == "1";
    plan.idmap = effective_idmap({}, plan.unprivileged);
    plan.mount_config.main = config.main;
    // rootfs first, then mp0, mp1, ... (the map's order would put mp10 before mp2).
    std::vector<std::pair<int, std::string>> keys;
    for (const auto& [key, value] : config.main.values) {
        auto [base, index] = split_indexed_key(key);
        if (key == "rootfs") keys.emplace_back(-1, key);
        else if (base == "mp" && index >= 0) keys.emplace_back(index, key);
    }
    std::sort(keys.begin(), keys.end());
    for (const auto& [index, key] : keys) {
        const std::string& value = config.main.values.at(key);
        bool is_mp = index >= 0;
        PropertyMap map = parse_property_string(value, key == "rootfs" ? rootfs_format() : mount_point_format());
        std::string volume = map.count("volume") ? map.at("volume") : "";
        std::string path = key == "rootfs" ? "/" : (map.count("mp") ? map.at("mp") : "");
        if (is_mp) {
            MountPointType type = classify_mount_point(volume);
            const char* reason = nullptr;
            if (type != MountPointType::volume) reason = "not a volume";
            else if (!map.count("backup") || map.at("backup") != "1") reason = "disabled";
            if (reason) {
                plan.log.push_back("excluding " + std::string(to_string(type)) + " mount point " + key + " ('" + path +
                                   "') from backup (" + reason + ")");
                plan.excludes.push_back(path + "/?*");
                plan.mount_config.main.values.erase(key);
                continue;
            }
            plan.log.push_back("including mount point " + key + " ('" + path + "') in backup");
        }
        plan.included_keys.push_back(key);
        plan.included_paths.push_back(path);
    }
    if (plan.unprivileged) plan.excludes.push_back("lost+found");
    if (options.stdexcludes)
        for (const char* pattern : {"/tmp/?*", "/var/tmp/?*", "/var/run/?*.pid"}) plan.excludes.push_back(pattern);
    for (const auto& pattern : options.exclude_paths) {
        if (pattern.ends_with("/")) plan.log.push_back("WARN: ignoring exclude pattern '" + pattern + "': a trailing '/' never matches");
        plan.excludes.push_back(pattern);
    }
    plan.backup_config = backup_config_text(config);
    plan.file_name = backup_file_name(vmid, start_local_time, options.compress);
    std::string base = backup_file_name(vmid, start_local_time, BackupCompression::None);
    plan.temp_name = options.compress == BackupCompression::None ? base.substr(0, base.size() - 4) + ".dat" : base + ".dat";
    plan.log_name = base.substr(0, base.size() - 4) + ".log";
    return plan;
}

}  // namespace pct
