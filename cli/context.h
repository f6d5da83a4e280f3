#pragma once
// What every command needs from the host, created once per process.
#include "core/host_facts.h"
#include "core/storage_config.h"
#include "runtime/file_config_store.h"
#include "runtime/host_paths.h"
#include "runtime/system_random.h"

namespace pct::cli {

struct CliContext {
    HostPaths paths = HostPaths::from_environment();
    FileConfigStore store{paths};
    SystemRandom random;
    const HostFacts& facts();
    const StorageConfig& storage();  // storage.cfg warnings are printed once

private:
    std::optional<HostFacts> facts_;
    std::optional<StorageConfig> storage_;
};

CliContext& context();

// Prints "WARN: <text>" lines on stderr (cli.md §1.6).
void warn(const std::string& text);

}  // namespace pct::cli
