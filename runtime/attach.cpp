#include "runtime/attach.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/apparmor.h"
#include "runtime/capabilities.h"
#include "runtime/cgroups.h"
#include "runtime/console.h"
#include "runtime/kernel_api.h"
#include "runtime/monitor_client.h"
#include "runtime/run_state.h"
#include "runtime/seccomp_loader.h"

namespace pct {

namespace {

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    ::_exit(255);
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

// setns through the pidfd switches every namespace at once; a user
// namespace is only joined when the container has its own.
void enter_namespaces(int pidfd, const RunState& state, int flags) {
    if (state.unprivileged) flags |= CLONE_NEWUSER;
    if (::setns(pidfd, flags) != 0) die("cannot enter the container's namespaces: " + errno_text());
    if (state.unprivileged && (::setresgid(0, 0, 0) != 0 || ::setgroups(0, nullptr) != 0 || ::setresuid(0, 0, 0) != 0))
        die("cannot become root in the container: " + errno_text());
}

// As lxc-attach: a pty of the container's own devpts, so that inside
// ttyname() finds it under /dev/pts (tty, tmux, sudo rely on that). A host
// pty only when the container has no usable devpts.
PtyPair open_attach_pty(const RunState& state, int pidfd) {
    try {
        UniqueFd root(::open(("/proc/" + std::to_string(state.init.pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        // Still alive after the open: the pid was not reused, the root is init's.
        if (root && sys_pidfd_send_signal(pidfd, 0) == 0) {
            PtyPair pty = open_guest_pty(root.get());
            // Created by host root, the slave would belong to nobody inside.
            if (state.unprivileged && ::fchown(pty.slave.get(), static_cast<uid_t>(state.root_uid), static_cast<gid_t>(-1)) != 0)
                throw UserError("cannot chown the pty: " + errno_text());
            return pty;
        }
    } catch (const UserError&) {
        // Fall through to a host pty.
    }
    PtyPair pty;
    pty.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.master || ::grantpt(pty.master.get()) != 0 || ::unlockpt(pty.master.get()) != 0)
        throw UserError("cannot allocate a pty: " + errno_text());
    pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.slave) throw UserError("cannot open the pty: " + errno_text());
    return pty;
}

}  // namespace

int attach_run(const HostPaths& paths, int vmid, const AttachRequest& request) {
    auto state = read_run_state(paths, vmid);
    UniqueFd pidfd = container_init_pidfd(paths, vmid);
    if (!state || !pidfd) throw UserError("container '" + std::to_string(vmid) + "' not running!");
    std::string bpf;
    if (!state->seccomp_filter.empty()) {
        bpf = read_text_file(state->seccomp_filter);
        if (bpf.empty()) throw UserError("cannot read the container's seccomp filter " + state->seccomp_filter);
    }
    // The filter's notifications (features: mknod) go to the monitor; the
    // connection is made here, where its socket is still reachable.
    UniqueFd monitor;
    if (state->seccomp_notify) {
        monitor = connect_monitor(paths, vmid);
        if (!monitor) throw UserError("cannot reach the monitor of container '" + std::to_string(vmid) + "'");
    }
    UniqueFd master, slave;
    if (request.use_pty) {
        PtyPair pty = open_attach_pty(*state, pidfd.get());
        master = std::move(pty.master);
        slave = std::move(pty.slave);
        if (::isatty(STDIN_FILENO)) {
            struct winsize size {};
            if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) ::ioctl(master.get(), TIOCSWINSZ, &size);
        }
    }
    std::fflush(nullptr);
    pid_t helper = ::fork();
    if (helper < 0) throw UserError("cannot fork: " + errno_text());
    if (helper == 0) {
        // Into the container's cgroup while we are still host root.
        for (const auto& dir : state->cgroup_payload_dirs) try {
                write_cgroup_file(dir, "cgroup.procs", "0");
            } catch (const UserError& e) {
                die(e.what());
            }
        enter_namespaces(pidfd.get(), *state,
                         CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP);
        // Only children of a setns(CLONE_NEWPID) caller are in the PID namespace.
        pid_t child = ::fork();
        if (child < 0) die("cannot fork: " + errno_text());
        if (child == 0) {
            if (slave) {
                ::setsid();
                if (::ioctl(slave.get(), TIOCSCTTY, 0) != 0) die("cannot set the controlling terminal: " + errno_text());
                for (int fd = 0; fd < 3; ++fd) ::dup2(slave.get(), fd);
            }
            try {
                drop_bounding_capabilities(state->capabilities_dropped);
                apparmor_exec_label(state->apparmor_profile);
            } catch (const UserError& e) {
                die(e.what());
            }
            if (!request.keep_env) {
                ::clearenv();
                ::setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
                for (const auto& entry : state->env) ::putenv(const_cast<char*>(entry.c_str()));
                ::setenv("HOME", "/root", 1);
            } else {
                ::unsetenv("SSL_CERT_FILE");
                ::unsetenv("SSL_CERT_DIR");
            }
            if (::chdir("/root") != 0) (void)!::chdir("/");
            std::vector<std::string> argv = request.argv;
            if (argv.empty()) argv = {::access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh", "-l"};
            std::vector<char*> args;
            for (auto& arg : argv) args.push_back(arg.data());
            args.push_back(nullptr);
            ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
            try {
                UniqueFd listener(load_seccomp_bpf(bpf, state->seccomp_notify));
                if (listener && !hand_listener_to_monitor(monitor.get(), listener.get()))
                    die("the monitor did not take the seccomp listener");
            } catch (const UserError& e) {
                die(e.what());
            }
            ::execvp(args[0], args.data());
            std::fprintf(stderr, "failed to exec %s: %s\n", args[0], std::strerror(errno));
            ::_exit(errno == ENOENT ? 127 : 126);
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        ::_exit(exit_code(status));
    }
    slave.reset();
    if (master) relay_terminal(master.get(), '\0', "");
    int status = 0;
    while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {}
    return exit_code(status);
}

int run_in_container_fs(const HostPaths& paths, int vmid, const std::function<int()>& work) {
    auto state = read_run_state(paths, vmid);
    UniqueFd pidfd = container_init_pidfd(paths, vmid);
    if (!state || !pidfd) throw UserError("container '" + std::to_string(vmid) + "' not running!");
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child < 0) throw UserError("cannot fork: " + errno_text());
    if (child == 0) {
        enter_namespaces(pidfd.get(), *state, CLONE_NEWNS);
        int rc = 255;
        try {
            rc = work();
        } catch (const UserError& e) {
            std::fprintf(stderr, "%s\n", e.what());
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return exit_code(status);
}

}  // namespace pct
