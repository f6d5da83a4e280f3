#include "runtime/monitor_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "runtime/run_state.h"

namespace pct {

UniqueFd connect_monitor(const HostPaths& paths, int vmid) {
    std::string path = paths.run_dir(vmid) + "/monitor.sock";
    UniqueFd conn(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (!conn || path.size() >= sizeof address.sun_path) return UniqueFd();
    std::memcpy(address.sun_path, path.data(), path.size());
    if (::connect(conn.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return UniqueFd();
    return conn;
}

bool hand_listener_to_monitor(int connection, int listener) {
    char text[] = "listener";
    struct iovec io {text, sizeof text - 1};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* header = CMSG_FIRSTHDR(&msg);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &listener, sizeof listener);
    if (::sendmsg(connection, &msg, MSG_NOSIGNAL) < 0) return false;
    struct pollfd poller {connection, POLLIN, 0};
    char reply[8] = {};
    return ::poll(&poller, 1, 5000) > 0 && ::recv(connection, reply, sizeof reply - 1, 0) == 2 && std::strcmp(reply, "ok") == 0;
}

MonitorReply ask_monitor(const HostPaths& paths, int vmid, const std::string& request) {
    MonitorReply reply;
    UniqueFd conn = connect_monitor(paths, vmid);
    if (!conn) return reply;
    if (::send(conn.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) return reply;
    struct pollfd poller {conn.get(), POLLIN, 0};
    if (::poll(&poller, 1, 5000) <= 0) return reply;
    char buffer[64];
    struct iovec io {buffer, sizeof buffer};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return reply;
    reply.text.assign(buffer, static_cast<size_t>(n));
    for (struct cmsghdr* header = CMSG_FIRSTHDR(&msg); header; header = CMSG_NXTHDR(&msg, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
            reply.fd.reset(fd);
        }
    }
    reply.connection = std::move(conn);
    return reply;
}

UniqueFd container_init_pidfd(const HostPaths& paths, int vmid) {
    auto state = read_run_state(paths, vmid);
    if (!state || !process_alive(state->init)) return UniqueFd();
    MonitorReply reply = ask_monitor(paths, vmid, "pidfd");
    if (reply.text == "ok" && reply.fd) return std::move(reply.fd);
    // The monitor is gone (killed): the run state still names init.
    return UniqueFd(open_verified_pidfd(state->init));
}

}  // namespace pct
