#pragma once
// The container's seccomp filter (runtime.md §9): built with libseccomp
// from the plan's SeccompPolicy for the native and compat architectures,
// exported as BPF once per distinct policy into a cache directory, and
// loaded from that BPF with seccomp(SECCOMP_SET_MODE_FILTER) - which costs
// microseconds, where compiling costs milliseconds.
#include <string>
#include <vector>

#include "core/start_plan.h"

namespace pct {

struct CompiledSeccomp {
    std::string bpf;         // struct sock_filter array; empty: no filter
    std::string cache_file;  // where it is stored
    bool from_cache = false;
    bool needs_listener = false;  // has notify rules (features: mknod)
};

// Throws UserError naming the rule that libseccomp refused. `warnings`
// receives notes such as syscalls unknown on an architecture.
CompiledSeccomp compile_seccomp(const SeccompPolicy& policy, const std::string& cache_dir,
                                std::vector<std::string>& warnings);

// Builds the filter with libseccomp without the cache (for measurements).
std::string build_seccomp_bpf(const SeccompPolicy& policy, std::vector<std::string>& warnings);

// Installs the filter on the calling thread. No no_new_privs: the caller
// has CAP_SYS_ADMIN in its user namespace (as LXC does it). With
// `new_listener` returns the user-notification descriptor (close-on-exec)
// for pct-monitor, else -1. Throws UserError.
int load_seccomp_bpf(const std::string& bpf, bool new_listener = false);

// Reads an LXC seccomp profile (version 2: denylist/allowlist, sections,
// `syscall [errno N|kill|allow|notify] [[i,v,OP,mask]]` lines) into a policy.
SeccompPolicy parse_lxc_seccomp_profile(const std::string& text, const std::vector<std::string>& architectures);

}  // namespace pct
