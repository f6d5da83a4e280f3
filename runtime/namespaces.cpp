#include "runtime/namespaces.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstring>

#include "core/error.h"
#include "runtime/kernel_api.h"

namespace pct {

SyncChannel make_sync_channel() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        throw UserError("cannot create socket pair: " + errno_text());
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void send_message(int fd, const std::string& text, const std::vector<int>& fds) {
    struct iovec io {const_cast<char*>(text.data()), text.size()};
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    std::vector<char> control(CMSG_SPACE(sizeof(int) * (fds.empty() ? 1 : fds.size())));
    if (!fds.empty()) {
        msg.msg_control = control.data();
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        struct cmsghdr* header = CMSG_FIRSTHDR(&msg);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
    }
    while (::sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) throw UserError("lost contact with the container's init: " + errno_text());
    }
}

std::string receive_message(int fd, int timeout_ms, std::vector<UniqueFd>* fds) {
    struct pollfd poller {fd, POLLIN, 0};
    int ready;
    while ((ready = ::poll(&poller, 1, timeout_ms)) < 0 && errno == EINTR) {}
    if (ready == 0) throw UserError("timed out waiting for the container's init");
    char buffer[8192];
    struct iovec io {buffer, sizeof buffer};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    while ((n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    if (n < 0) throw UserError("lost contact with the container's init: " + errno_text());
    for (struct cmsghdr* header = CMSG_FIRSTHDR(&msg); header; header = CMSG_NXTHDR(&msg, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int received;
            std::memcpy(&received, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
            if (fds) fds->emplace_back(received);
            else ::close(received);
        }
    }
    return std::string(buffer, static_cast<size_t>(n));
}

unsigned long clone_namespace_flags(const NamespacePlan& plan) {
    unsigned long flags = 0;
    if (plan.mount) flags |= CLONE_NEWNS;
    if (plan.pid) flags |= CLONE_NEWPID;
    if (plan.uts) flags |= CLONE_NEWUTS;
    if (plan.ipc) flags |= CLONE_NEWIPC;
    if (plan.user) flags |= CLONE_NEWUSER;
    else if (plan.network) flags |= CLONE_NEWNET;
    return flags;
}

ClonedProcess clone_into_namespaces(unsigned long flags, int cgroup_fd) {
    int pidfd = -1;
    struct clone_args args {};
    args.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) args.cgroup = static_cast<uint64_t>(cgroup_fd);
    long pid = sys_clone3(&args);
    if (pid < 0) throw UserError("cannot create the container's init: " + errno_text());
    ClonedProcess process;
    process.pid = static_cast<pid_t>(pid);
    if (pid > 0) process.pidfd.reset(pidfd);
    return process;
}

}  // namespace pct
