#include "cli/pveam/template_storage.h"

#include <algorithm>
#include <filesystem>

#include "core/appliance_index.h"
#include "core/error.h"
#include "runtime/storage_config_file.h"

namespace pct::pveam {

StorageDefinition find_enabled_storage(const HostPaths& paths, const std::string& storage_id) {
    StorageConfig config = load_storage_config(paths);
    const StorageDefinition* storage = config.find(storage_id);
    if (!storage) throw UserError("storage '" + storage_id + "' does not exist");
    if (storage->disabled()) throw UserError("storage '" + storage_id + "' is disabled");
    return *storage;
}

bool allows_templates(const StorageDefinition& storage) { return storage.content().count("vztmpl") > 0; }

std::string template_cache_dir(const StorageDefinition& storage) {
    std::string path = storage.path();
    if (path.empty()) throw UserError("storage '" + storage.id + "' has no path for templates");
    // content-dirs: "vztmpl=relative/dir,iso=..." overrides template/cache.
    if (auto dirs = storage.get("content-dirs")) {
        std::string list = *dirs;
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find_first_of(",;", start);
            std::string item = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
            if (item.starts_with("vztmpl=")) {
                std::string relative = item.substr(7);
                while (relative.starts_with("/")) relative.erase(0, 1);
                return path + "/" + relative;
            }
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return path + "/template/cache";
}

std::vector<StoredTemplate> list_templates(const StorageDefinition& storage) {
    namespace fs = std::filesystem;
    std::vector<StoredTemplate> templates;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(template_cache_dir(storage), error)) {
        std::string name = entry.path().filename();
        if (name.starts_with(".") || !has_template_extension(name) || !entry.is_regular_file(error)) continue;
        templates.push_back({storage.id + ":vztmpl/" + name, entry.path(), entry.file_size(error)});
    }
    std::sort(templates.begin(), templates.end(),
              [](const StoredTemplate& a, const StoredTemplate& b) { return a.volid < b.volid; });
    return templates;
}

}  // namespace pct::pveam
