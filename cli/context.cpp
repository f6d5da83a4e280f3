#include "cli/context.h"

#include <unistd.h>

#include <cstdio>

#include "core/volume_id.h"
#include "runtime/host_probe.h"
#include "runtime/storage_config_file.h"

namespace pct::cli {

const HostFacts& CliContext::facts() {
    if (!facts_) facts_ = probe_host_facts();
    return *facts_;
}

const StorageConfig& CliContext::storage() {
    if (!storage_) {
        storage_ = load_storage_config(paths);
        for (const auto& warning : storage_->warnings) warn(warning);
    }
    return *storage_;
}

StorageRegistry& CliContext::storages() {
    if (!storages_) storages_.emplace(storage());
    return *storages_;
}

VolumeResolver CliContext::volume_resolver() {
    return [this](const std::string& volid) {
        Storage& found = storages().get(parse_volume_id(volid).storage);
        return ResolvedVolume{.path = found.path(volid), .format = found.format(volid)};
    };
}

CliContext& context() {
    static CliContext instance;
    return instance;
}

void warn(const std::string& text) { std::fprintf(stderr, "WARN: %s\n", text.c_str()); }

std::string node_name() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    std::string node = name;
    return node.substr(0, node.find('.'));
}

}  // namespace pct::cli
