#pragma once
// `pct create` as a plan (cli.md §3.1): what will be allocated, mounted,
// unpacked and written. Computing it touches nothing; --dry-run prints it.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/guest/guest_setup.h"
#include "core/host_facts.h"
#include "core/idmap.h"
#include "core/property_string.h"
#include "core/random.h"
#include "core/storage_config.h"

namespace pct {

struct CreateRequest {
    int vmid = 0;
    std::string ostemplate;                      // vztmpl volume id or absolute path
    std::map<std::string, std::string> options;  // config options as given
    std::string storage = "local";               // --storage
    std::optional<guest::RootPassword> root_password;
    std::string ssh_public_keys;
    bool ignore_unpack_errors = false;
};

enum class MountSource { NewVolume, StorageVolume, BindDirectory, Device };

struct PlannedMount {
    std::string key;          // "rootfs", "mp0", ...
    std::string mount_path;   // inside the container: "/" or the mp path
    MountSource source = MountSource::NewVolume;
    std::string volume;       // volume id or host path; filled after allocation for NewVolume
    std::string storage;      // NewVolume: where to allocate
    uint64_t size_kib = 0;    // NewVolume: 0 = directory volume
    PropertyMap options;      // the value's other sub-keys (mp, ro, backup, ...)
};

// What makes a CreatePlan a restore (cli.md §3.2).
struct RestoreSettings {
    bool force = false;   // may overwrite an existing, stopped, unprotected CT
    bool unique = false;  // new MACs for the backed-up netN
    std::optional<ContainerConfig> backup;     // ./etc/vzdump/pct.conf; nullopt: the archive had none
    std::set<std::string> given_keys;          // options given on the command line
    std::map<std::string, std::string> late_mounts;  // bind/device mpN of the backup, added after extraction
    bool was_template = false;                 // convert back to a template at the end
};

struct CreatePlan {
    int vmid = 0;
    std::string template_storage;  // empty when the template is an absolute path
    std::string template_file;     // file name in the storage's template dir, or the path
    ContainerConfig config;        // every option except rootfs/mpN, validated
    std::vector<PlannedMount> mounts;  // rootfs first, then parents before children
    bool unprivileged = true;
    std::vector<IdMapEntry> idmap;
    uint64_t root_uid = 0;
    uint64_t root_gid = 0;
    std::optional<guest::RootPassword> root_password;
    std::string ssh_public_keys;
    bool ignore_unpack_errors = false;
    std::vector<std::string> warnings;
    std::optional<RestoreSettings> restore;  // set by plan_restore
};

// Validates everything that can be checked without touching the host.
// Throws UserError / ParameterError.
CreatePlan plan_create(const CreateRequest& request, const StorageConfig& storage, const HostFacts& facts, Random& random);

// The value written for a mount point key once its volume is known.
std::string mount_value(const PlannedMount& mount);

std::string format_create_plan_text(const CreatePlan& plan);

}  // namespace pct
