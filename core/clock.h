#pragma once
// Time as a port, so that snapshot times and "days since epoch" are testable.
#include <cstdint>

namespace pct {

class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t now_unix_seconds() const = 0;
};

}  // namespace pct
