#pragma once
// Creating the container's first process in new namespaces (runtime.md §3)
// and the message channel the monitor and that process synchronise over.
#include <sys/types.h>

#include <string>
#include <vector>

#include "core/start_plan.h"
#include "runtime/unique_fd.h"

namespace pct {

// A SOCK_SEQPACKET pair: one message per send, file descriptors attached
// with SCM_RIGHTS, EOF when the other side exits or execs (CLOEXEC).
struct SyncChannel {
    UniqueFd parent_end;
    UniqueFd child_end;
};
SyncChannel make_sync_channel();

// Throws UserError when the peer is gone.
void send_message(int fd, const std::string& text, const std::vector<int>& fds = {});
// "" at EOF. Throws UserError after timeout_ms without a message.
std::string receive_message(int fd, int timeout_ms, std::vector<UniqueFd>* fds = nullptr);

// Namespace flags for clone3. With a user namespace the network (and
// always the cgroup) namespace is unshared later by the child, so that it
// is owned by the container's user namespace and rooted at its cgroup.
unsigned long clone_namespace_flags(const NamespacePlan& plan);

struct ClonedProcess {
    pid_t pid = 0;       // 0 in the child
    UniqueFd pidfd;      // parent only
};

// clone3(CLONE_PIDFD | namespaces), directly into `cgroup_fd` (cgroup2
// CLONE_INTO_CGROUP) when it is >= 0. Returns twice, like fork. Throws UserError.
ClonedProcess clone_into_namespaces(unsigned long flags, int cgroup_fd);

}  // namespace pct
