#include "runtime/launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "runtime/apparmor.h"
#include "runtime/capabilities.h"
#include "runtime/cgroups.h"
#include "runtime/console.h"
#include "runtime/device_nodes.h"
#include "runtime/idmap_writer.h"
#include "runtime/kernel_api.h"
#include "runtime/monitor.h"
#include "runtime/namespaces.h"
#include "runtime/passthrough_devices.h"
#include "runtime/pivot_root.h"
#include "runtime/run_state.h"
#include "runtime/seccomp_loader.h"
#include "runtime/special_mounts.h"
#include "runtime/volume_mounts.h"

extern char** environ;

namespace pct {

namespace {

constexpr int kStepTimeoutMs = 30000;

// When LinuxLauncher::start began; the forked start process and init keep
// the value, so every --debug line says when its step began.
std::chrono::steady_clock::time_point launch_begin = std::chrono::steady_clock::now();

std::string timed(const std::string& text) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - launch_begin).count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[%4lld.%02lld ms] ", static_cast<long long>(us / 1000), static_cast<long long>(us % 1000 / 10));
    return stamp + text;
}

// What the container's init needs besides the plan, prepared on the host.
struct InitConfinement {
    std::vector<int> capabilities_dropped;
    std::string apparmor_label;
    std::string seccomp_bpf;
    bool seccomp_listener = false;  // notify rules: the monitor answers them
};

// Lines for the waiting `pct start`: "D step", "W warning", "E error", "R pid".
class StatusPipe {
public:
    explicit StatusPipe(int fd, bool debug) : fd_(fd), debug_(debug) {}
    void send(char kind, std::string text) const {
        for (char& c : text)
            if (c == '\n') c = ' ';
        std::string line = std::string(1, kind) + " " + text + "\n";
        (void)!::write(fd_, line.data(), line.size());
    }
    void step(const std::string& text) const {
        if (debug_) send('D', timed(text));
    }
    bool debug() const { return debug_; }

private:
    int fd_;
    bool debug_;
};

void expect(int channel, const char* what) {
    std::string message = receive_message(channel, kStepTimeoutMs);
    if (message == what) return;
    if (message.rfind("E ", 0) == 0) throw UserError(message.substr(2));
    throw UserError(std::string("container init: unexpected message '") + message + "' (expected " + what + ")");
}

int resource_number(const std::string& name) {
    static const std::pair<const char*, int> table[] = {
        {"as", RLIMIT_AS},         {"core", RLIMIT_CORE},           {"cpu", RLIMIT_CPU},
        {"data", RLIMIT_DATA},     {"fsize", RLIMIT_FSIZE},         {"locks", RLIMIT_LOCKS},
        {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
        {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},         {"rss", RLIMIT_RSS},
        {"rtprio", RLIMIT_RTPRIO}, {"rttime", RLIMIT_RTTIME},       {"sigpending", RLIMIT_SIGPENDING},
        {"stack", RLIMIT_STACK}};
    for (const auto& [key, value] : table)
        if (name == key) return value;
    return -1;
}

rlim_t limit_value(const std::string& text) { return text == "unlimited" ? RLIM_INFINITY : std::stoull(text); }

void apply_sysctls_and_limits(const StartPlan& plan) {
    for (const auto& [key, value] : plan.sysctls) {
        std::string path = "/proc/sys/" + key;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd || ::write(fd.get(), value.data(), value.size()) < 0)
            throw UserError("lxc.sysctl." + key + ": cannot set: " + errno_text());
    }
    for (const auto& [name, value] : plan.prlimits) {
        size_t colon = value.find(':');
        struct rlimit limit {};
        limit.rlim_cur = limit_value(value.substr(0, colon));
        limit.rlim_max = colon == std::string::npos ? limit.rlim_cur : limit_value(value.substr(colon + 1));
        if (::setrlimit(resource_number(name), &limit) != 0)
            throw UserError("lxc.prlimit." + name + ": " + errno_text());
    }
}

// The container's first process, from clone3 until exec. Every step is
// done here, inside the new namespaces, in the order of runtime.md §2.
[[noreturn]] void container_init(const StartPlan& plan, const StagedDeviceNodes& staged, int channel,
                                 const InitConfinement& confinement, std::vector<UniqueFd> cgroup_join, bool debug) {
    auto step = [&](const char* text) {
        if (debug) send_message(channel, "D " + timed(std::string("init: ") + text));
    };
    const char* current = "start";
    try {
        // Until exec, a dying monitor takes the half-made container with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        expect(channel, "go");
        current = "joining cgroups";
        step(current);
        join_cgroups(cgroup_join);
        cgroup_join.clear();
        if (plan.namespaces.user) {
            current = "switching to the container's root";
            step(current);
            // The maps are written: become root of the new namespace.
            if (::setresgid(0, 0, 0) != 0 || ::setgroups(0, nullptr) != 0 || ::setresuid(0, 0, 0) != 0)
                throw UserError(errno_text());
            // Created now, the network namespace belongs to the container's user namespace.
            if (plan.namespaces.network && ::unshare(CLONE_NEWNET) != 0) throw UserError("unshare(net): " + errno_text());
        }
        // After joining lxc/<id>/ns: that directory becomes the cgroup root.
        if (plan.namespaces.cgroup && ::unshare(CLONE_NEWCGROUP) != 0) throw UserError("unshare(cgroup): " + errno_text());
        send_message(channel, "netns");
        expect(channel, "go");

        current = "root file system";
        step(current);
        // clone() moved our working directory (the mounted root) into the
        // new mount namespace: this is a handle on the container root
        // without any path lookup through host directories.
        UniqueFd root(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) throw UserError(errno_text());
        // Mount events of ours must never reach the host.
        if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) throw UserError("make / a slave: " + errno_text());
        // A recursive bind of the root onto itself, made here: in a user
        // namespace the copied mounts are locked and pivot_root refuses a
        // locked new root; the copy's top is ours.
        UniqueFd tree(::open_tree(root.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
        if (!tree || ::move_mount(tree.get(), "", root.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
            throw UserError("bind the root onto itself: " + errno_text());
        root = std::move(tree);
        if (::sethostname(plan.hostname.data(), plan.hostname.size()) != 0) throw UserError("sethostname: " + errno_text());
        // A session keyring of its own: no access to the host's keys.
        ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr);

        current = "special mounts";
        step(current);
        apply_special_mounts(root.get(), plan.special_mounts);
        current = "device nodes";
        step(current);
        create_device_nodes(root.get(), plan.devices, staged);
        current = "console and ttys";
        step(current);
        ContainerTerminals terminals = setup_container_terminals(root.get(), plan.console);
        std::vector<int> masters;
        if (terminals.console_master) masters.push_back(terminals.console_master.get());
        for (const auto& master : terminals.tty_masters) masters.push_back(master.get());
        send_message(channel, "T " + terminals.container_ttys, masters);
        terminals.console_master.reset();
        terminals.tty_masters.clear();

        current = "pivot_root";
        step(current);
        pivot_into(root.get());
        root.reset();
        current = "sysctls and limits";
        step(current);
        apply_sysctls_and_limits(plan);
        if (plan.personality == "linux32" && ::personality(PER_LINUX32) < 0) throw UserError("personality: " + errno_text());
        current = "capabilities";
        step(current);
        drop_bounding_capabilities(confinement.capabilities_dropped);
        send_message(channel, "ready");
        expect(channel, "go");

        current = "exec";
        step("AppArmor label, environment, seccomp, exec");
        apparmor_exec_label(confinement.apparmor_label);
        ::clearenv();
        for (const auto& entry : plan.init.env) ::putenv(const_cast<char*>(entry.c_str()));
        std::string ttys = "container_ttys=" + terminals.container_ttys;
        ::putenv(ttys.data());
        int console = terminals.console_slave ? terminals.console_slave.get() : ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (console < 0) throw UserError("cannot open /dev/null: " + errno_text());
        ::setsid();
        for (int fd = 0; fd < 3; ++fd)
            if (::dup2(console, fd) < 0) throw UserError("dup2: " + errno_text());
        if (terminals.console_slave) ::ioctl(0, TIOCSCTTY, 0);
        if (::chdir(plan.init.cwd.c_str()) != 0) throw UserError("chdir " + plan.init.cwd + ": " + errno_text());
        if (!plan.init.groups.empty()) {
            std::vector<gid_t> groups(plan.init.groups.begin(), plan.init.groups.end());
            if (::setgroups(groups.size(), groups.data()) != 0) throw UserError("setgroups: " + errno_text());
        }
        if (plan.init.gid && ::setresgid(plan.init.gid, plan.init.gid, plan.init.gid) != 0) throw UserError("setgid: " + errno_text());
        if (plan.init.uid && ::setresuid(plan.init.uid, plan.init.uid, plan.init.uid) != 0) throw UserError("setuid: " + errno_text());
        // From here on the container outlives its monitor.
        ::prctl(PR_SET_PDEATHSIG, 0);
        // Only stdio reaches init; the channel closes at exec (= success).
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        // Last: after this only the system calls the policy allows work.
        const int listener = load_seccomp_bpf(confinement.seccomp_bpf, confinement.seccomp_listener);
        if (listener >= 0) send_message(channel, "N", {listener});  // for pct-monitor (runtime/syscall_proxy.h)
        std::vector<char*> argv;
        for (const auto& arg : plan.init.argv) argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        if (argv.size() == 1) throw UserError("no init command");
        ::execvp(argv[0], argv.data());
        throw UserError("cannot execute " + plan.init.argv[0] + ": " + errno_text());
    } catch (const UserError& e) {
        try {
            send_message(channel, std::string("E ") + (current == std::string("exec") ? "" : std::string(current) + ": ") + e.what());
        } catch (const UserError&) {
        }
    }
    ::_exit(1);
}

int make_listen_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);  // inherited by pct-monitor: no CLOEXEC
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof address.sun_path) throw UserError("cannot create the monitor socket");
    std::memcpy(address.sun_path, path.data(), path.size());
    ::unlink(path.c_str());
    // Created as 0600: only root may talk to the monitor.
    mode_t old = ::umask(0177);
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::umask(old);
    if (rc != 0 || ::listen(fd, 16) != 0) throw UserError("cannot listen on " + path + ": " + errno_text());
    return fd;
}

int make_abstract_socket(const std::string& name) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (fd < 0 || name.size() + 1 >= sizeof address.sun_path) return -1;
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 4) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Puts `fds` at 3, 4, 5, ... (a -1 keeps its slot empty), nothing else open.
void arrange_descriptors(const std::vector<int>& fds) {
    std::vector<int> high;
    for (int fd : fds) high.push_back(fd < 0 ? -1 : ::fcntl(fd, F_DUPFD, 100));
    for (size_t i = 0; i < high.size(); ++i) {
        int target = 3 + static_cast<int>(i);
        if (high[i] < 0) {
            ::close(target);
            continue;
        }
        ::dup2(high[i], target);  // dup2 clears FD_CLOEXEC
    }
    ::close_range(3 + static_cast<unsigned>(fds.size()), ~0U, 0);
}

// The process that starts the container and then becomes its monitor.
[[noreturn]] void start_process(const LinuxLauncherSettings& settings, const StartPlan& plan, const LaunchOptions& options,
                                const InitConfinement& confinement, int status_fd) {
    StatusPipe status(status_fd, options.debug);
    const HostPaths& paths = settings.paths;
    const std::string run_dir = paths.run_dir(plan.vmid);
    const std::string rootfs = run_dir + "/rootfs";
    ::setsid();  // no controlling terminal, own session: outlives the CLI
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    int log = ::open((run_dir + "/monitor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(log >= 0 ? log : null, 2);
    // Descriptors of the CLI (the config lock among them) must not live on.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    VolumeMountSession volumes(*settings.mounter, rootfs, run_dir + "/staging");
    std::unique_ptr<ContainerCgroup> cgroup;
    ClonedProcess init;
    bool network_created = false;
    const char* current = "private mount namespace";
    try {
        status.step(current);
        // Everything mounted from here on exists only in this process's
        // namespace (and the container's copy): it goes away with them.
        if (::unshare(CLONE_NEWNS) != 0) throw UserError("unshare: " + errno_text());
        if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) throw UserError("make / a slave: " + errno_text());

        current = "mounting volumes";
        status.step(current);
        volumes.mount_all(plan.volumes, static_cast<uid_t>(plan.root_uid), static_cast<gid_t>(plan.root_gid));
        if (options.prepare_rootfs) {
            current = "pre-start setup";
            status.step(current);
            options.prepare_rootfs(rootfs);
        }
        current = "pass-through devices";
        StagedDeviceNodes staged = stage_passthrough_devices(plan.devices);
        if (!staged.empty()) status.step(current);

        current = "cgroups";
        status.step(current);
        cgroup = make_container_cgroup(plan.cgroup);
        cgroup->create();

        current = "creating init";
        status.step(current);
        // clone() carries the working directory into the new mount
        // namespace: init finds its root there (see container_init).
        if (::chdir(rootfs.c_str()) != 0) throw UserError("chdir: " + errno_text());
        SyncChannel channel = make_sync_channel();
        std::vector<UniqueFd> cgroup_join = cgroup->open_join_files();
        init = clone_into_namespaces(clone_namespace_flags(plan.namespaces), cgroup->payload_fd());
        if (init.pid == 0) {
            channel.parent_end.reset();
            container_init(plan, staged, channel.child_end.get(), confinement, std::move(cgroup_join), options.debug);
        }
        channel.child_end.reset();
        staged.clear();  // init has its copies
        cgroup_join.clear();
        const int ch = channel.parent_end.get();
        if (::chdir("/") != 0) throw UserError("chdir: " + errno_text());

        if (plan.namespaces.user) {
            current = "id maps";
            status.step(current);
            write_id_maps(init.pid, plan.idmap);
        }
        // init joins its cgroups itself (join_cgroups), after this go-ahead.
        if (plan.unprivileged) {
            current = "delegating cgroups";
            status.step(current);
            cgroup->delegate(static_cast<uid_t>(plan.root_uid), static_cast<gid_t>(plan.root_gid));
        }
        send_message(ch, "go");
        current = "init";
        // With --debug the child reports its steps before it gets there.
        for (std::string message; (message = receive_message(ch, kStepTimeoutMs)) != "netns";) {
            if (message.rfind("D ", 0) == 0) status.send('D', message.substr(2));
            else if (message.rfind("E ", 0) == 0) throw UserError(message.substr(2));
            else if (message.empty()) throw UserError("container init ended during setup");
            else throw UserError("container init: unexpected message '" + message + "' (expected netns)");
        }
        if (!plan.network.empty()) {
            current = "network";
            status.step(current);
            if (!settings.create_network) throw UserError("networking is not available in this build");
            UniqueFd netns(::open(("/proc/" + std::to_string(init.pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
            if (!netns) throw UserError("cannot open the container's network namespace: " + errno_text());
            network_created = true;
            settings.create_network(plan.network, netns.get());
        }
        send_message(ch, "go");

        current = "init";
        std::vector<UniqueFd> terminals;
        std::string ttys;
        for (;;) {
            std::vector<UniqueFd> fds;
            std::string message = receive_message(ch, kStepTimeoutMs, &fds);
            if (message.rfind("D ", 0) == 0) {
                status.send('D', message.substr(2));
            } else if (message.rfind("T ", 0) == 0) {
                ttys = message.substr(2);
                terminals = std::move(fds);
            } else if (message == "ready") {
                break;
            } else if (message.rfind("E ", 0) == 0) {
                throw UserError(message.substr(2));
            } else {
                throw UserError("container init ended during setup");
            }
        }
        send_message(ch, "go");

        // The run state is written while init execs, and published once it runs.
        current = "monitor";
        status.step("writing state");
        RunState state;
        state.vmid = plan.vmid;
        state.init = {init.pid, process_start_time(init.pid).value_or(0)};
        state.monitor = {::getpid(), process_start_time(::getpid()).value_or(0)};
        state.unprivileged = plan.unprivileged;
        state.root_uid = plan.root_uid;
        state.root_gid = plan.root_gid;
        state.cgroup_version = plan.cgroup.version;
        state.cgroup_limit_dirs = cgroup->limit_dirs();
        state.cgroup_payload_dirs = cgroup->payload_dirs();
        state.capabilities_dropped = confinement.capabilities_dropped;
        state.apparmor_profile = confinement.apparmor_label;
        if (!plan.apparmor_profile.empty()) state.apparmor_loaded = confinement.apparmor_label;
        std::vector<StagedFile> files;
        if (!confinement.seccomp_bpf.empty()) {
            state.seccomp_filter = run_dir + "/seccomp.bpf";
            files.emplace_back(state.seccomp_filter, confinement.seccomp_bpf, 0600);
            state.seccomp_notify = confinement.seccomp_listener;
        }
        state.halt_signal = plan.init.halt_signal;
        state.stop_signal = plan.init.stop_signal;
        state.has_network = !plan.network.empty();
        state.rootfs = rootfs;
        state.mounts = volumes.mounts();
        state.env = plan.init.env;
        state.env.push_back("container_ttys=" + ttys);
        files.emplace_back(run_state_path(paths, plan.vmid), format_run_state(state), 0600);
        files.emplace_back(run_dir + "/init.pid", std::to_string(init.pid) + "\n");
        files.emplace_back(run_dir + "/monitor.pid", std::to_string(::getpid()) + "\n");

        current = "init";
        UniqueFd listener;
        for (;;) {
            std::vector<UniqueFd> fds;
            std::string message = receive_message(ch, kStepTimeoutMs, &fds);
            if (message.empty()) break;  // channel closed by exec: init runs
            if (message == "N" && !fds.empty()) listener = std::move(fds[0]);
            else if (message.rfind("D ", 0) == 0) status.send('D', message.substr(2));
            else if (message.rfind("E ", 0) == 0) throw UserError(message.substr(2));
        }

        current = "monitor";
        status.step("publishing state, handing over to pct-monitor");
        for (const auto& file : files) file.publish();
        int listen_fd = make_listen_socket(run_dir + "/monitor.sock");
        int abstract_fd = make_abstract_socket(paths.root() + "var/lib/lxc/" + std::to_string(plan.vmid) + "/command");
        std::vector<int> layout = {init.pidfd.get(), listen_fd, abstract_fd};
        bool has_console = plan.console.console && !terminals.empty();
        layout.push_back(has_console ? terminals[0].get() : -1);
        int ttys_count = 0;
        for (size_t i = has_console ? 1 : 0; i < terminals.size() && ttys_count < kMonitorMaxTtys; ++i, ++ttys_count)
            layout.push_back(terminals[i].get());
        const std::string listener_slot = listener ? std::to_string(3 + layout.size()) : "-1";
        if (listener) layout.push_back(listener.get());
        status.send('R', std::to_string(init.pid));
        volumes.release();
        layout.push_back(status_fd);  // last, and closed by the exec below
        arrange_descriptors(layout);
        const int status_slot = 3 + static_cast<int>(layout.size()) - 1;
        ::fcntl(status_slot, F_SETFD, FD_CLOEXEC);
        std::string vmid = std::to_string(plan.vmid);
        std::string abstract_flag = abstract_fd >= 0 ? "1" : "0";
        std::string console_flag = has_console ? "1" : "0";
        std::string tty_count = std::to_string(ttys_count);
        const char* argv[] = {"pct-monitor",         vmid.c_str(),          run_dir.c_str(),
                              settings.post_stop_binary.c_str(), abstract_flag.c_str(), console_flag.c_str(),
                              tty_count.c_str(),     listener_slot.c_str(), nullptr};
        ::execv(settings.monitor_binary.c_str(), const_cast<char**>(argv));
        // Without a monitor nobody would clean up after init: stop it now.
        StatusPipe(status_slot, false).send('E', "cannot execute " + settings.monitor_binary + ": " + errno_text());
        sys_pidfd_send_signal(kMonitorPidfd, SIGKILL);
        ::waitpid(init.pid, nullptr, 0);
        if (network_created && settings.post_stop.delete_network) settings.post_stop.delete_network(plan.vmid);
        unmount_all(state.mounts);
        if (cgroup) cgroup->remove();
        ::_exit(1);
    } catch (const UserError& e) {
        // Undo in reverse: init, network, cgroups, mounts.
        if (init.pidfd) {
            sys_pidfd_send_signal(init.pidfd.get(), SIGKILL);
            ::waitpid(init.pid, nullptr, 0);
        }
        if (network_created && settings.post_stop.delete_network) settings.post_stop.delete_network(plan.vmid);
        if (cgroup) cgroup->remove();
        volumes.undo();
        status.step(std::string("failed step: ") + current);
        status.send('E', e.what());
    } catch (const std::exception& e) {
        if (init.pidfd) {
            sys_pidfd_send_signal(init.pidfd.get(), SIGKILL);
            ::waitpid(init.pid, nullptr, 0);
        }
        if (network_created && settings.post_stop.delete_network) settings.post_stop.delete_network(plan.vmid);
        if (cgroup) cgroup->remove();
        volumes.undo();
        status.send('E', std::string(current) + ": " + e.what());
    }
    ::_exit(1);
}

}  // namespace

int signal_number(const std::string& name) {
    if (name.empty()) return -1;
    if (std::isdigit(static_cast<unsigned char>(name[0]))) return std::stoi(name);
    std::string n = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
    if (n.rfind("RTMIN", 0) == 0) return SIGRTMIN + (n.size() > 6 ? std::stoi(n.substr(6)) : 0);
    if (n.rfind("RTMAX", 0) == 0) return SIGRTMAX - (n.size() > 6 ? std::stoi(n.substr(6)) : 0);
    static const std::pair<const char*, int> table[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"TERM", SIGTERM},
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"PWR", SIGPWR},   {"CONT", SIGCONT}, {"STOP", SIGSTOP}};
    for (const auto& [key, value] : table)
        if (n == key) return value;
    return -1;
}

int halt_signal_for(pid_t init_pid, const std::string& configured) {
    int configured_number = signal_number(configured);
    if (configured_number > 0) return configured_number;
    std::ifstream status("/proc/" + std::to_string(init_pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("SigBlk:", 0) != 0) continue;
        unsigned long long blocked = std::stoull(line.substr(7), nullptr, 16);
        int rtmin3 = SIGRTMIN + 3;
        if (blocked & (1ULL << (rtmin3 - 1))) return rtmin3;  // systemd
    }
    return SIGPWR;
}

LinuxLauncher::LinuxLauncher(LinuxLauncherSettings settings) : settings_(std::move(settings)) {}

LaunchResult LinuxLauncher::start(const StartPlan& plan, const LaunchOptions& options) {
    LaunchResult result;
    launch_begin = std::chrono::steady_clock::now();
    auto log = [&](const std::string& text) {
        if (options.debug && options.log) options.log(text);
    };
    const HostPaths& paths = settings_.paths;
    const std::string run_dir = paths.run_dir(plan.vmid);
    log(timed("cleaning stale state"));
    for (auto& warning : clean_stale_state(plan.vmid)) result.warnings.push_back(warning);

    ::mkdir((paths.root() + "run").c_str(), 0755);
    ::mkdir(paths.run_base().c_str(), 0755);
    if (::mkdir(run_dir.c_str(), 0700) != 0) throw UserError("cannot create " + run_dir + ": " + errno_text());
    ::mkdir((run_dir + "/rootfs").c_str(), 0755);

    InitConfinement confinement;
    try {
        log(timed("confinement: capabilities, AppArmor, seccomp"));
        confinement.capabilities_dropped = capabilities_to_drop(plan.capabilities_dropped, plan.capabilities_kept);
        confinement.apparmor_label = prepare_apparmor(plan, run_dir, result.warnings);
        auto begin = std::chrono::steady_clock::now();
        CompiledSeccomp seccomp = compile_seccomp(plan.seccomp, paths.run_base() + "/.seccomp-cache", result.warnings);
        confinement.seccomp_bpf = seccomp.bpf;
        confinement.seccomp_listener = seccomp.needs_listener;
        log(timed("seccomp filter: ") + std::to_string(seccomp.bpf.size() / 8) + " instructions, " +
            (seccomp.from_cache ? "from cache" : "compiled") + " in " +
            std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begin).count()) +
            " us");
    } catch (const UserError&) {
        remove_tree_same_fs(run_dir);
        throw;
    }

    int status[2];
    if (::pipe2(status, O_CLOEXEC) != 0) throw UserError("cannot create pipe: " + errno_text());
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child < 0) throw UserError("cannot fork: " + errno_text());
    if (child == 0) {
        ::close(status[0]);
        start_process(settings_, plan, options, confinement, status[1]);
    }
    ::close(status[1]);
    UniqueFd reader(status[0]);
    std::string buffer, error;
    bool ready = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.start_timeout_ms);
    for (;;) {
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        struct pollfd poller {reader.get(), POLLIN, 0};
        if (left <= 0 || ::poll(&poller, 1, left) == 0) {
            error = "timed out";
            ::kill(child, SIGKILL);
            break;
        }
        char chunk[4096];
        ssize_t n = ::read(reader.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        size_t newline;
        while ((newline = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, newline);
            buffer.erase(0, newline + 1);
            if (line.size() < 2) continue;
            std::string text = line.substr(2);
            switch (line[0]) {
                case 'D': log(text); break;
                case 'W': result.warnings.push_back(text); break;
                case 'E': error = text; break;
                case 'R':
                    ready = true;
                    result.init_pid = std::stoi(text);
                    log(timed("init runs as pid " + text));
                    break;
            }
        }
    }
    if (!error.empty() || !ready) {
        ::waitpid(child, nullptr, 0);
        remove_tree_same_fs(run_dir);
        if (error.empty()) error = "startup for container '" + std::to_string(plan.vmid) + "' failed";
        throw UserError(error);
    }
    return result;
}

std::optional<int> LinuxLauncher::running_init(int vmid) {
    auto state = read_run_state(settings_.paths, vmid);
    if (!state || !process_alive(state->init)) return std::nullopt;
    return state->init.pid;
}

bool LinuxLauncher::wait_for_monitor(int vmid, int timeout_ms) {
    auto state = read_run_state(settings_.paths, vmid);
    if (!state) return true;
    UniqueFd monitor(open_verified_pidfd(state->monitor));
    if (!monitor) return true;
    struct pollfd poller {monitor.get(), POLLIN, 0};
    while (::poll(&poller, 1, timeout_ms) < 0 && errno == EINTR) {}
    return poller.revents != 0;
}

std::vector<std::string> LinuxLauncher::clean_stale_state(int vmid) {
    const std::string run_dir = settings_.paths.run_dir(vmid);
    struct stat info {};
    bool has_run_dir = ::stat(run_dir.c_str(), &info) == 0;
    if (!has_run_dir && container_cgroup_dirs(vmid).empty()) return {};
    if (auto state = read_run_state(settings_.paths, vmid); state && process_alive(state->init))
        throw UserError("CT " + std::to_string(vmid) + " already running");
    // A monitor may still be running post-stop: let it finish first.
    wait_for_monitor(vmid, 30000);
    return run_post_stop(settings_.paths, vmid, settings_.post_stop);
}

void LinuxLauncher::kill(int vmid) {
    auto state = read_run_state(settings_.paths, vmid);
    if (state) {
        UniqueFd init(open_verified_pidfd(state->init));
        if (init) {
            int sig = signal_number(state->stop_signal);
            sys_pidfd_send_signal(init.get(), sig > 0 ? sig : SIGKILL);
            struct pollfd poller {init.get(), POLLIN, 0};
            if (::poll(&poller, 1, 10000) == 0 && sig != SIGKILL) {
                sys_pidfd_send_signal(init.get(), SIGKILL);
                ::poll(&poller, 1, 10000);
            }
        }
    }
    wait_for_monitor(vmid, 30000);
    clean_stale_state(vmid);
}

bool LinuxLauncher::shutdown(int vmid, int timeout_seconds) {
    auto state = read_run_state(settings_.paths, vmid);
    if (!state) return true;
    UniqueFd init(open_verified_pidfd(state->init));
    if (init) {
        sys_pidfd_send_signal(init.get(), halt_signal_for(state->init.pid, state->halt_signal));
        struct pollfd poller {init.get(), POLLIN, 0};
        int rc;
        while ((rc = ::poll(&poller, 1, timeout_seconds * 1000)) < 0 && errno == EINTR) {}
        if (rc == 0) return false;
    }
    wait_for_monitor(vmid, 30000);
    clean_stale_state(vmid);
    return true;
}

void LinuxLauncher::freeze(int vmid) {
    auto state = read_run_state(settings_.paths, vmid);
    if (!state) throw UserError("CT " + std::to_string(vmid) + " not running");
    set_cgroup_frozen(state->cgroup_limit_dirs, true);
}

void LinuxLauncher::thaw(int vmid) {
    auto state = read_run_state(settings_.paths, vmid);
    if (!state) throw UserError("CT " + std::to_string(vmid) + " not running");
    set_cgroup_frozen(state->cgroup_limit_dirs, false);
}

bool LinuxLauncher::frozen(int vmid) {
    auto state = read_run_state(settings_.paths, vmid);
    return state && cgroup_frozen(state->cgroup_limit_dirs);
}

void LinuxLauncher::sync_filesystems(int) {
    // sync(2) is not limited to the caller's mount namespace: it writes back
    // every file system of the host, the container's volumes included. So
    // no setns into the container (Proxmox does one; it makes no difference).
    ::sync();
}

}  // namespace pct
