#pragma once
// Loading a container config for a command: a missing file or a file with
// problems is an error that names the file, the line and the key.
#include <string>

#include "core/config_file.h"
#include "core/config_store.h"

namespace pct {

struct LoadedConfig {
    ContainerConfig config;
    std::string digest;
};

// Throws UserError: "Configuration file '<path>' does not exist", or one line
// per problem "<path>:<line>: <key>: <message>". Unlike Proxmox's lenient
// loader, out-of-range values and unknown keys are errors here: a command
// never acts on (or rewrites) a config it does not fully understand.
LoadedConfig load_config(const ConfigStore& store, int vmid);

// Same checks on text already read (used by the loader and by tests).
ContainerConfig parse_config_strict(const std::string& text, int vmid, const std::string& path);

// "CT is locked (<lock>)" when a lock property is set (cli.md §1.5 check_lock).
void check_lock(const ContainerConfig& config);

// Reads and validates a VMID argument (cli.md §1.7).
int parse_vmid(const std::string& text);

}  // namespace pct
