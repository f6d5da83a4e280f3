#include "runtime/console.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/volume_mounts.h"

namespace pct {

namespace {

void bind_slave(int root_fd, const PtyPair& pty, const std::string& target) {
    GuestPath source = open_guest_path(root_fd, "/dev/pts/" + std::to_string(pty.number), CreateMissing::Nothing);
    GuestPath dest = open_guest_path(root_fd, target, CreateMissing::DirectoriesAndFile);
    bind_mount_fds(source.target.get(), dest.target.get(), 0, false, "bind of the pty onto " + target);
}

}  // namespace

PtyPair open_guest_pty(int root_fd) {
    GuestPath ptmx = open_guest_path(root_fd, "/dev/pts/ptmx", CreateMissing::Nothing);
    // Checked on the O_PATH handle, before any open: a container that put
    // something else there (a FUSE file that never answers, a FIFO) gets refused.
    struct stat info {};
    struct statfs filesystem {};
    if (::fstat(ptmx.target.get(), &info) != 0 || !S_ISCHR(info.st_mode) || ::fstatfs(ptmx.target.get(), &filesystem) != 0 ||
        filesystem.f_type != DEVPTS_SUPER_MAGIC)
        throw UserError("/dev/pts/ptmx is not the ptmx of a devpts instance");
    // An O_PATH handle cannot be read; re-open it through its magic link,
    // which names exactly the file we resolved safely.
    std::string path = "/proc/self/fd/" + std::to_string(ptmx.target.get());
    PtyPair pty;
    pty.master.reset(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.master) throw UserError("cannot open the container's /dev/pts/ptmx: " + errno_text());
    int unlock = 0;
    if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0 || ::ioctl(pty.master.get(), TIOCGPTN, &pty.number) != 0)
        throw UserError("cannot unlock pty: " + errno_text());
    // TIOCGPTPEER opens the slave without a path lookup.
    pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.slave) throw UserError("cannot open pty slave: " + errno_text());
    return pty;
}

ContainerTerminals setup_container_terminals(int root_fd, const ConsolePlan& plan) {
    ContainerTerminals terminals;
    const bool in_dir = !plan.tty_dir.empty();
    if (plan.console) {
        PtyPair pty = open_guest_pty(root_fd);
        if (::fchmod(pty.slave.get(), 0620) != 0) throw UserError("cannot chmod the console: " + errno_text());
        if (in_dir) bind_slave(root_fd, pty, "/dev/" + plan.tty_dir + "/console");
        bind_slave(root_fd, pty, "/dev/console");
        terminals.console_master = std::move(pty.master);
        terminals.console_slave = std::move(pty.slave);
    }
    for (unsigned n = 1; n <= plan.ttys; ++n) {
        PtyPair pty = open_guest_pty(root_fd);
        std::string name = "tty" + std::to_string(n);
        if (in_dir) {
            bind_slave(root_fd, pty, "/dev/" + plan.tty_dir + "/" + name);
            GuestPath dev = open_guest_path(root_fd, "/dev", CreateMissing::Nothing);
            std::string link = plan.tty_dir + "/" + name;
            if (::symlinkat(link.c_str(), dev.target.get(), name.c_str()) != 0 && errno != EEXIST)
                throw UserError("cannot create /dev/" + name + ": " + errno_text());
        } else {
            bind_slave(root_fd, pty, "/dev/" + name);
        }
        terminals.container_ttys += (terminals.container_ttys.empty() ? "pts/" : " pts/") + std::to_string(pty.number);
        terminals.tty_masters.push_back(std::move(pty.master));
    }
    return terminals;
}

void relay_terminal(int master, char escape_char, const std::string& banner) {
    struct termios saved {};
    bool raw = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (raw) {
        struct termios mode = saved;
        ::cfmakeraw(&mode);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &mode);
        struct winsize size {};
        if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0) ::ioctl(master, TIOCSWINSZ, &size);
    }
    if (!banner.empty()) std::fprintf(stderr, "%s\r\n", banner.c_str());
    bool escape_pending = false;
    char buffer[4096];
    for (;;) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {master, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents & POLLIN) {
            ssize_t n = ::read(master, buffer, sizeof buffer);
            if (n <= 0) break;
            if (::write(STDOUT_FILENO, buffer, static_cast<size_t>(n)) < 0) break;
        } else if (fds[1].revents & (POLLHUP | POLLERR)) {
            break;
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n <= 0) break;
            std::string out;
            bool quit = false;
            for (ssize_t i = 0; i < n && !quit; ++i) {
                char c = buffer[i];
                if (escape_pending) {
                    escape_pending = false;
                    if (c == 'q') quit = true;
                    else if (c == escape_char) out += c;
                    else out += std::string{escape_char, c};
                } else if (c == escape_char) {
                    escape_pending = true;
                } else {
                    out += c;
                }
            }
            if (!out.empty() && ::write(master, out.data(), out.size()) < 0) break;
            if (quit) break;
        }
    }
    if (raw) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

}  // namespace pct
