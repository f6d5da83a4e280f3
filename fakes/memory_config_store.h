#pragma once
// In-memory ConfigStore: configs as strings, locks as a set of held ids
// (a second lock on a held id fails like a timeout would).
#include <map>
#include <set>

#include "core/config_store.h"

namespace pct {

class MemoryConfigStore : public ConfigStore {
public:
    std::optional<StoredConfig> read(int vmid) const override;
    std::unique_ptr<ConfigLock> lock(int vmid) override;
    void replace(int vmid, const std::string& text) override;
    void remove(int vmid) override;
    std::vector<int> list() const override;
    std::string path_of(int vmid) const override { return "/etc/pve/lxc/" + std::to_string(vmid) + ".conf"; }

    std::map<int, std::string> configs;
    std::vector<std::string> writes;  // every text passed to replace, in order
    bool fail_writes = false;

private:
    std::set<int> held_;
};

}  // namespace pct
