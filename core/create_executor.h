#pragma once
// Carries out a CreatePlan through the ports, undoing everything on failure:
// a failed create leaves no config, no volume and no mount behind.
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
};

struct CreateReport {
    ContainerConfig config;  // as written
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
};

// Throws UserError "unable to create CT <id> - <reason>" after cleaning up.
CreateReport execute_create(const CreatePlan& plan, CreateEnvironment& environment);

}  // namespace pct
