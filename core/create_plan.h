#pragma once
// `pct create` as a plan (cli.md §3.1): what will be allocated, mounted,
// unpacked and written. Computing it touches nothing; --dry-run prints it.
#include <cstdint>
#include <map>
#include <optional>
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
};

// Validates everything that can be checked without touching the host.
// Throws UserError / ParameterError.
CreatePlan plan_create(const CreateRequest& request, const StorageConfig& storage, const HostFacts& facts, Random& random);

// The value written for a mount point key once its volume is known.
std::string mount_value(const PlannedMount& mount);

std::string format_create_plan_text(const CreatePlan& plan);

}  // namespace pct
