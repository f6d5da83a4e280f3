#pragma once
// Carries out a CreatePlan through the ports, undoing everything on failure:
// a failed create leaves no config, no volume and no mount behind.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config_store.h"
#include "core/create_plan.h"
#include "core/guest_rootfs.h"
#include "core/random.h"
#include "core/storage.h"
#include "core/template_unpacker.h"
#include "core/volume_mounter.h"

namespace pct {

struct CreateEnvironment {
    ConfigStore& store;
    StorageRegistry& storages;
    VolumeMounter& mounter;
    TemplateUnpacker& unpacker;
    GuestRootfs& rootfs;
    const Clock& clock;
    Random& random;
    std::string rootdir;           // empty host directory the rootfs is mounted on
    std::string host_resolv_conf;  // text of the host's resolv.conf (DNS defaults)
    std::string node_name;
    // Restore only: whether a CT runs (an existing one may not be
    // overwritten then), and where the backup's firewall rules go
    // (nullopt: remove them again).
    std::function<bool(int vmid)> is_running;
    std::function<void(int vmid, const std::optional<std::string>& rules)> store_firewall;
};

struct CreateReport {
    ContainerConfig config;  // as written
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
};

// Throws UserError "unable to create CT <id> - <reason>" (restore: "unable
// to restore CT <id> - <reason>") after cleaning up. A restore --force over
// an existing CT frees its volumes once the new ones are allocated; failing
// before that, only the `create` lock is removed again.
CreateReport execute_create(const CreatePlan& plan, CreateEnvironment& environment);

}  // namespace pct
