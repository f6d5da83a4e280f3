#pragma once
// Private network namespaces for the networking tests. They exist only as
// open file descriptors, so they vanish with the test process even when it
// crashes: nothing ever touches the machine's real interfaces.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>

namespace pct::testing {

class ScratchNamespace {
public:
    ScratchNamespace() {
        // unshare() in a helper thread: only that thread moves, and the new
        // namespace outlives it through the descriptor it opens.
        std::thread([this] {
            if (unshare(CLONE_NEWNET) == 0) fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        }).join();
        if (fd_ < 0) throw std::runtime_error("cannot create a network namespace");
    }
    ~ScratchNamespace() { close(fd_); }
    ScratchNamespace(const ScratchNamespace&) = delete;
    ScratchNamespace& operator=(const ScratchNamespace&) = delete;

    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

// Puts the calling thread into a namespace until destroyed.
class EnteredNamespace {
public:
    explicit EnteredNamespace(const ScratchNamespace& target) {
        previous_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (previous_ < 0 || setns(target.fd(), CLONE_NEWNET) != 0)
            throw std::runtime_error("cannot enter a network namespace");
    }
    ~EnteredNamespace() {
        if (setns(previous_, CLONE_NEWNET) != 0) std::terminate();  // never run on in a test namespace
        close(previous_);
    }
    EnteredNamespace(const EnteredNamespace&) = delete;
    EnteredNamespace& operator=(const EnteredNamespace&) = delete;

private:
    int previous_ = -1;
};

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Runs a shell command in `where`: a child inherits the namespace of the
// thread that starts it.
inline CommandResult run_in(const ScratchNamespace& where, const std::string& command) {
    EnteredNamespace entered(where);
    CommandResult result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> chunk;
    size_t got;
    while ((got = fread(chunk.data(), 1, chunk.size(), pipe)) > 0) result.output.append(chunk.data(), got);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

}  // namespace pct::testing
