#pragma once
// Port: where container configs live. The Linux side keeps them as files
// under $PCT_ROOT/etc/pve/lxc with flock-based locks and atomic replacement.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pct {

struct StoredConfig {
    std::string text;
    std::string digest;  // SHA-1 hex of the raw bytes (config.md §1)
};

// Held while a read-modify-write is in progress; released on destruction.
class ConfigLock {
public:
    virtual ~ConfigLock() = default;
};

class ConfigStore {
public:
    virtual ~ConfigStore() = default;
    virtual std::optional<StoredConfig> read(int vmid) const = 0;
    // Exclusive lock for vmid; throws UserError after the store's timeout.
    virtual std::unique_ptr<ConfigLock> lock(int vmid) = 0;
    // Atomically replaces (or creates) the config; a crash never leaves a truncated file.
    virtual void replace(int vmid, const std::string& text) = 0;
    virtual void remove(int vmid) = 0;
    virtual std::vector<int> list() const = 0;  // ascending
    virtual std::string path_of(int vmid) const = 0;  // for messages
};

}  // namespace pct
