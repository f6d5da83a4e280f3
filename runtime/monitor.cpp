// Deliberately libc-only (no iostreams, no exceptions, no allocation in the
// loop): this code is the resident part of every running container.
#include "runtime/monitor.h"

#include "runtime/syscall_proxy.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pct {

namespace {

constexpr int kMaxClients = 16;
constexpr int kTerminals = 1 + kMonitorMaxTtys;  // console, tty1..6
constexpr long kConsoleLogLimit = 256 * 1024;
constexpr int kMaxListeners = 16;

struct Terminal {
    int master = -1;
    int owner = -1;  // client connection holding it
};

struct State {
    const MonitorArgs* args;
    Terminal terms[kTerminals];
    int clients[kMaxClients];
    int log_fd = -1;
    long logged = 0;
    int listeners[kMaxListeners];
};

bool add_listener(State& s, int fd) {
    for (int& listener : s.listeners)
        if (listener < 0) {
            listener = fd;
            return true;
        }
    return false;
}

void send_reply(int conn, const char* text, int fd) {
    struct iovec io {const_cast<char*>(text), strlen(text)};
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        struct cmsghdr* header = CMSG_FIRSTHDR(&msg);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &fd, sizeof(int));
    }
    (void)!sendmsg(conn, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

bool peer_is_root(int conn) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    return getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
}

void drop_client(State& s, int index) {
    for (auto& term : s.terms)
        if (term.owner == s.clients[index]) term.owner = -1;
    close(s.clients[index]);
    s.clients[index] = -1;
}

// Returns true when the connection stays open (a terminal is attached to it).
bool handle_request(State& s, int conn) {
    char request[64];
    struct iovec io {request, sizeof request - 1};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg {};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(conn, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n <= 0) return false;
    request[n] = '\0';
    int passed = -1;
    struct cmsghdr* header = CMSG_FIRSTHDR(&msg);
    if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
        memcpy(&passed, CMSG_DATA(header), sizeof passed);
    if (!peer_is_root(conn)) {
        if (passed >= 0) close(passed);
        send_reply(conn, "denied", -1);
        return false;
    }
    if (strncmp(request, "listener", 8) == 0 && passed >= 0) {
        if (add_listener(s, passed)) {
            send_reply(conn, "ok", -1);
        } else {
            close(passed);
            send_reply(conn, "busy", -1);
        }
        return false;
    }
    if (passed >= 0) close(passed);
    if (strncmp(request, "pidfd", 5) == 0) {
        send_reply(conn, "ok", kMonitorPidfd);
        return false;
    }
    int index = -1;
    if (strncmp(request, "console", 7) == 0) index = 0;
    else if (strncmp(request, "tty ", 4) == 0) index = atoi(request + 4);
    if (index < 0 || index >= kTerminals || s.terms[index].master < 0) {
        send_reply(conn, "none", -1);
        return false;
    }
    if (s.terms[index].owner >= 0) {
        send_reply(conn, "busy", -1);
        return false;
    }
    send_reply(conn, "ok", s.terms[index].master);
    s.terms[index].owner = conn;
    return true;
}

void drain(State& s, int master) {
    char buffer[4096];
    ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0 && s.log_fd >= 0 && s.logged < kConsoleLogLimit) {
        s.logged += n;
        (void)!write(s.log_fd, buffer, static_cast<size_t>(n));
    }
}

[[noreturn]] void post_stop(const MonitorArgs& args, const siginfo_t& info) {
    char path[4096];
    snprintf(path, sizeof path, "%s/exit-status", args.run_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char line[64];
        int len = snprintf(line, sizeof line, "%s %d\n", info.si_code == CLD_EXITED ? "exited" : "killed", info.si_status);
        (void)!write(fd, line, static_cast<size_t>(len));
        close(fd);
    }
    char vmid[16];
    snprintf(vmid, sizeof vmid, "%d", args.vmid);
    // The command sockets stay open through the exec: the container is
    // reported as stopping until post-stop has finished and exits.
    char* argv[] = {const_cast<char*>("pct-post-stop"), vmid, nullptr};
    execv(args.post_stop_binary, argv);
    // No post-stop binary any more: at least release the mounts (and with them
    // the loop devices) of this namespace; a later start cleans the rest.
    snprintf(path, sizeof path, "%s/rootfs", args.run_dir);
    umount2(path, MNT_DETACH);
    _exit(1);
}

}  // namespace

bool parse_monitor_args(int argc, char** argv, MonitorArgs& args) {
    if (argc != 8) return false;
    args.vmid = atoi(argv[1]);
    args.run_dir = argv[2];
    args.post_stop_binary = argv[3];
    args.has_abstract = argv[4][0] == '1';
    args.has_console = argv[5][0] == '1';
    args.ttys = atoi(argv[6]);
    args.listener = atoi(argv[7]);
    return args.vmid > 0 && args.ttys >= 0 && args.ttys <= kMonitorMaxTtys;
}

int run_monitor(const MonitorArgs& args) {
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    State s {};
    s.args = &args;
    for (int& client : s.clients) client = -1;
    for (int& listener : s.listeners) listener = -1;
    if (args.listener >= 0) s.listeners[0] = args.listener;
    if (args.has_console) s.terms[0].master = kMonitorConsole;
    for (int i = 0; i < args.ttys; ++i) s.terms[1 + i].master = kMonitorFirstTty + i;
    // Holding a slave of every terminal keeps its master from reporting a
    // hang-up (and poll from spinning) while no process in the container has it open.
    for (auto& term : s.terms)
        if (term.master >= 0) (void)ioctl(term.master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    char path[4096];
    snprintf(path, sizeof path, "%s/console.log", args.run_dir);
    s.log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

    for (;;) {
        struct pollfd fds[3 + kTerminals + kMaxClients + kMaxListeners];
        int kinds[3 + kTerminals + kMaxClients + kMaxListeners];  // -1 pidfd, -2 listen, -3 abstract, 0.. terminal, 100+ client, 200+ listener
        int count = 0;
        auto add = [&](int fd, int kind) {
            fds[count] = {fd, POLLIN, 0};
            kinds[count++] = kind;
        };
        add(kMonitorPidfd, -1);
        add(kMonitorListen, -2);
        if (args.has_abstract) add(kMonitorAbstract, -3);
        for (int i = 0; i < kTerminals; ++i)
            if (s.terms[i].master >= 0 && s.terms[i].owner < 0) add(s.terms[i].master, i);
        for (int i = 0; i < kMaxClients; ++i)
            if (s.clients[i] >= 0) add(s.clients[i], 100 + i);
        for (int i = 0; i < kMaxListeners; ++i)
            if (s.listeners[i] >= 0) add(s.listeners[i], 200 + i);

        if (poll(fds, static_cast<nfds_t>(count), -1) < 0) continue;
        for (int i = 0; i < count; ++i) {
            if (!fds[i].revents) continue;
            int kind = kinds[i];
            if (kind == -1) {
                siginfo_t info {};
                // P_PIDFD = 3 (glibc 2.36 has no name for it in every header set).
                if (waitid(static_cast<idtype_t>(3), static_cast<id_t>(kMonitorPidfd), &info, WEXITED) == 0) {
                    if (s.log_fd >= 0) close(s.log_fd);
                    for (auto& term : s.terms)
                        if (term.master >= 0) close(term.master);
                    for (int& client : s.clients)
                        if (client >= 0) close(client);
                    close(kMonitorPidfd);
                    post_stop(args, info);
                }
            } else if (kind == -2 || kind == -3) {
                int conn = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (conn < 0) continue;
                if (kind == -3) {
                    close(conn);  // the abstract socket only says "running"
                    continue;
                }
                // Wait briefly for the request line; clients send it at once.
                struct pollfd one {conn, POLLIN, 0};
                if (poll(&one, 1, 1000) <= 0 || !handle_request(s, conn)) {
                    close(conn);
                    continue;
                }
                bool stored = false;
                for (int& client : s.clients)
                    if (client < 0) {
                        client = conn;
                        stored = true;
                        break;
                    }
                if (!stored) {
                    for (auto& term : s.terms)
                        if (term.owner == conn) term.owner = -1;
                    close(conn);
                }
            } else if (kind >= 200) {
                // POLLHUP: no process uses that filter any more.
                int& listener = s.listeners[kind - 200];
                if ((fds[i].revents & POLLIN) ? !answer_syscall_notification(listener) : true) {
                    close(listener);
                    listener = -1;
                }
            } else if (kind >= 100) {
                // Attached client: anything but EOF is ignored.
                char buffer[64];
                if (recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) drop_client(s, kind - 100);
            } else {
                drain(s, fds[i].fd);
            }
        }
    }
}

}  // namespace pct
