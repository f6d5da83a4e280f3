#pragma once
#include <ctime>

#include "core/clock.h"

namespace pct {

class SystemClock : public Clock {
public:
    int64_t now_unix_seconds() const override { return static_cast<int64_t>(std::time(nullptr)); }
};

}  // namespace pct
