#pragma once
#include "core/config_store.h"
#include "runtime/host_paths.h"

namespace pct {

// Configs as files: <root>/etc/pve/lxc/<id>.conf, locks as flock on
// <root>/run/lock/pct/pve-config-<id>.lock.
class FileConfigStore : public ConfigStore {
public:
    // lock_timeout_ms defaults to $PCT_LOCK_TIMEOUT (seconds) or 10 s.
    explicit FileConfigStore(HostPaths paths, int lock_timeout_ms = -1);

    std::optional<StoredConfig> read(int vmid) const override;
    std::unique_ptr<ConfigLock> lock(int vmid) override;
    void replace(int vmid, const std::string& text) override;
    void remove(int vmid) override;
    std::vector<int> list() const override;
    std::string path_of(int vmid) const override { return paths_.config_file(vmid); }

private:
    HostPaths paths_;
    int lock_timeout_ms_;
};

}  // namespace pct
