#pragma once
// Failure injection, shared by the fakes (FakeStorage, FakeVolumeMounter).
#include <optional>
#include <string>
#include <vector>

namespace pct {

// Decides which calls of a fake fail.
class FailureInjector {
public:
    // Every later call of `operation` throws UserError(message).
    void fail_on(const std::string& operation, const std::string& message);
    // Only the nth (1-based) call of `operation` made after this one fails.
    // Operation "*" counts every recorded (state-changing) call.
    void fail_on_nth(const std::string& operation, int nth, const std::string& message);
    void clear();

    // Counts the call; throws UserError when it is meant to fail.
    void check(const std::string& operation, bool counts_for_any);

private:
    struct Rule {
        std::string operation;
        std::optional<int> calls_to_pass;  // nullopt: fail every call
        std::string message;
        bool spent = false;  // a one-shot rule that already failed a call
    };
    std::vector<Rule> rules_;
};

}  // namespace pct
