#pragma once
// The message of the UserError `action` throws; "" when it throws none.
#include <functional>
#include <string>

#include "core/error.h"

namespace pct {

inline std::string user_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace pct
