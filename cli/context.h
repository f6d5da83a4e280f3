#pragma once
// What every command needs from the host, created once per process.
#include "core/host_facts.h"
#include "core/storage_config.h"
#include "core/volume_mount_plan.h"
#include "runtime/file_config_store.h"
#include "runtime/host_paths.h"
#include "runtime/storage_registry.h"
#include "runtime/system_random.h"

namespace pct::cli {

struct CliContext {
    HostPaths paths = HostPaths::from_environment();
    FileConfigStore store{paths};
    SystemRandom random;
    const HostFacts& facts();
    const StorageConfig& storage();  // storage.cfg warnings are printed once
    StorageRegistry& storages();     // opened on first use
    // Storage volume id -> host path and format, through storages().
    VolumeResolver volume_resolver();

private:
    std::optional<HostFacts> facts_;
    std::optional<StorageConfig> storage_;
    std::optional<LinuxStorageRegistry> storages_;
};

CliContext& context();

// Prints "WARN: <text>" lines on stderr (cli.md §1.6).
void warn(const std::string& text);

// This node's name: the host name up to the first dot.
std::string node_name();

}  // namespace pct::cli
