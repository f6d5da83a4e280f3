#include "runtime/run_program.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

constexpr size_t kMaxCapturedOutput = 64 * 1024;

[[noreturn]] void fail(const std::string& what, int error) { throw UserError(what + ": " + std::strerror(error)); }

std::string find_program(const std::string& name) {
    if (name.starts_with('/')) return name;  // an explicit path (a hookscript) is the caller's choice
    for (const char* directory : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        std::string candidate = std::string(directory) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw UserError("unable to run '" + name + "': not installed (searched /usr/sbin, /usr/bin, /sbin, /bin)");
}

// Tool output as one line for a UserError.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    std::string collapsed;
    for (char c : text)
        if (!(c == ' ' && (collapsed.empty() || collapsed.back() == ' '))) collapsed += c;
    while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    return collapsed;
}

}  // namespace

void run_host_program(const std::vector<std::string>& arguments, const std::string& failure, ToolOutput shown) {
    const std::string program = find_program(arguments.front());
    std::vector<char*> argv;
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    char path_variable[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char locale_variable[] = "LC_ALL=C";  // stable messages
    char* envp[] = {path_variable, locale_variable, nullptr};

    UniqueFd null_input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_input) fail("unable to open /dev/null", errno);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail("unable to create a pipe", errno);
    UniqueFd output_read(pipe_fds[0]);
    UniqueFd output_write(pipe_fds[1]);

    const pid_t pid = ::fork();
    if (pid < 0) fail("unable to fork for " + arguments.front(), errno);
    if (pid == 0) {
        // Child: only async-signal-safe calls until execve.
        if (::dup2(null_input.get(), 0) < 0) ::_exit(127);
        if (shown == ToolOutput::Captured && (::dup2(output_write.get(), 1) < 0 || ::dup2(output_write.get(), 2) < 0))
            ::_exit(127);
        ::execve(program.c_str(), argv.data(), envp);
        ::_exit(127);
    }
    // Our copy of the write end must go, or the read below never sees EOF.
    output_write.reset();

    std::string output;  // stdout and stderr, interleaved
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(output_read.get(), buffer, sizeof(buffer));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        // Keep draining past the limit so that the tool never blocks on a full pipe.
        if (output.size() < kMaxCapturedOutput) output.append(buffer, static_cast<size_t>(got));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) fail("unable to wait for " + arguments.front(), errno);
    }
    const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (exit_status == 0) return;
    const std::string detail = one_line(output);
    throw UserError(failure + ": " + arguments.front() + " exited with status " + std::to_string(exit_status) +
                    (detail.empty() ? "" : ": " + detail));
}

}  // namespace pct
