#pragma once
// Guest setup entry point: detects the distribution and runs one operation
// sequence of guest-setup.md §3 inside the container root.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config_file.h"
#include "core/guest/guest_plugin.h"
#include "core/guest_fs.h"
#include "core/random.h"

namespace pct::guest {

enum class GuestSetupOperation {
    PostCreate,     // fresh create from a template
    PreStart,       // every start
    PostClone,      // clone target: machine-id only
    RestoreFixup,   // restore: the plugin's template fixup only
    NetworkUpdate,  // network options changed on a running container
};

struct RootPassword {
    std::string value;
    bool is_crypt_hash = false;  // written as given; otherwise hashed (SHA-512 crypt)
};

struct GuestSetupInputs {
    GuestSetupOperation operation = GuestSetupOperation::PostCreate;
    std::optional<RootPassword> root_password;  // none: the hash field becomes "*"
    std::string ssh_public_keys;                // authorized_keys lines; empty: none
    std::optional<uint64_t> crontab_seed;       // none: seeded from Random
    std::optional<std::string> fixed_uuid;      // every generated UUID; none: random
    std::string host_resolv_conf;               // text of the host's /etc/resolv.conf
    std::optional<HostTimezone> host_timezone;  // needed for `timezone: host`
};

// SSH host keys the runtime must generate (ssh-keygen -t <type> -N ''
// -C <comment>) and store as /etc/ssh/ssh_host_<type>_key (0600) and .pub (0644).
struct SshHostKeyPlan {
    std::vector<std::string> key_types;
    std::string comment;
};

struct GuestSetupReport {
    std::string os_type;                         // to store as conf.ostype
    std::optional<std::string> detected_arch;    // to store as conf.arch when it was unset
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
    std::optional<SshHostKeyPlan> ssh_host_keys;  // post-create with /etc/ssh only
    // Whether the guest's init runs on a pure cgroup-v2 host (systemd >= 232
    // or no systemd); checked for post-create, post-clone and pre-start.
    std::optional<bool> cgroup_v2_compatible;
};

// Throws UserError (GuestFsError for file failures) with a one-line message.
GuestSetupReport run_guest_setup(GuestFs& fs, const ConfigSection& config, const GuestSetupInputs& inputs,
                                 const Clock& clock, Random& random);

// crypt(3) hash shapes used verbatim as root password: $1$, $2[axy]$, $5$, $6$.
bool looks_like_crypt_hash(const std::string& password);

}  // namespace pct::guest
