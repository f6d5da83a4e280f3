#include "fakes/failure_injector.h"

#include <stdexcept>

#include "core/error.h"

namespace pct {

void FailureInjector::fail_on(const std::string& operation, const std::string& message) {
    rules_.push_back({operation, std::nullopt, message});
}

void FailureInjector::fail_on_nth(const std::string& operation, int nth, const std::string& message) {
    if (nth < 1) throw std::invalid_argument("fail_on_nth: nth counts from 1");
    rules_.push_back({operation, nth - 1, message});
}

void FailureInjector::clear() { rules_.clear(); }

void FailureInjector::check(const std::string& operation, bool counts_for_any) {
    const std::string* failure = nullptr;
    for (Rule& rule : rules_) {
        if (rule.spent) continue;
        if (rule.operation != operation && !(counts_for_any && rule.operation == "*")) continue;
        bool fails = true;
        if (rule.calls_to_pass) {
            fails = (*rule.calls_to_pass)-- == 0;
            rule.spent = fails;
        }
        if (fails && !failure) failure = &rule.message;
    }
    if (failure) throw UserError(*failure);
}

}  // namespace pct
