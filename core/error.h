#pragma once
// The one exception type for user-facing errors. The CLI prints what() on one
// line and exits non-zero; nothing else should reach the user as a crash.
#include <stdexcept>
#include <string>

namespace pct {

class UserError : public std::runtime_error {
public:
    explicit UserError(const std::string& message, int exit_code = 255)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

}  // namespace pct

#include <vector>

namespace pct {

// Invalid command parameters; printed as Proxmox does:
// "400 Parameter verification failed." then one "<param>: <message>" line each.
class ParameterError : public UserError {
public:
    explicit ParameterError(std::vector<std::string> problems)
        : UserError(format(problems)), problems_(std::move(problems)) {}
    const std::vector<std::string>& problems() const { return problems_; }

private:
    static std::string format(const std::vector<std::string>& problems) {
        std::string message = "400 Parameter verification failed.";
        for (const auto& problem : problems) message += "\n" + problem;
        return message;
    }
    std::vector<std::string> problems_;
};

}  // namespace pct
