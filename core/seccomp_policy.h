#pragma once
// The seccomp filter of a container as data (runtime.md §9): LXC's
// common.seccomp denylist for every container, plus Proxmox's rules for
// unprivileged ones. The runtime compiles it with libseccomp.
#include <string>

#include "core/container_features.h"
#include "core/start_plan.h"

namespace pct {

struct SeccompInputs {
    bool unprivileged = false;
    ContainerFeatures features;
    std::string machine = "x86_64";  // host uname -m: decides the compat architectures
    int vmid = 0;                    // mknod notify cookie
};

// Rules in the order LXC installs them: the common ones, then the
// unprivileged ones sorted by syscall name.
SeccompPolicy seccomp_policy(const SeccompInputs& inputs);

// libseccomp architecture names for a host: native first, then what
// LXC's `[all]` section adds (x86_64 -> x86, x32; aarch64 -> arm).
std::vector<std::string> seccomp_architectures(const std::string& machine);

// One rule in LXC's profile syntax, e.g.
// `ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]` (masked values in hex), for text output.
std::string to_lxc_seccomp_line(const SeccompRule& rule);

std::string to_string(SeccompAction action);

}  // namespace pct
