#include "fakes/memory_config_store.h"

#include "core/error.h"

namespace pct {

namespace {

class MemoryLock : public ConfigLock {
public:
    MemoryLock(std::set<int>& held, int vmid) : held_(held), vmid_(vmid) {}
    ~MemoryLock() override { held_.erase(vmid_); }

private:
    std::set<int>& held_;
    int vmid_;
};

}  // namespace

std::optional<StoredConfig> MemoryConfigStore::read(int vmid) const {
    auto it = configs.find(vmid);
    if (it == configs.end()) return std::nullopt;
    return StoredConfig{it->second, "digest-" + std::to_string(it->second.size())};
}

std::unique_ptr<ConfigLock> MemoryConfigStore::lock(int vmid) {
    if (!held_.insert(vmid).second) throw UserError("can't lock file '" + path_of(vmid) + ".lock' - got timeout");
    return std::make_unique<MemoryLock>(held_, vmid);
}

void MemoryConfigStore::replace(int vmid, const std::string& text) {
    if (fail_writes) throw UserError("unable to write '" + path_of(vmid) + "': Read-only file system");
    writes.push_back(text);
    configs[vmid] = text;
}

void MemoryConfigStore::remove(int vmid) { configs.erase(vmid); }

std::vector<int> MemoryConfigStore::list() const {
    std::vector<int> ids;
    for (const auto& [vmid, text] : configs) ids.push_back(vmid);
    return ids;
}

}  // namespace pct
