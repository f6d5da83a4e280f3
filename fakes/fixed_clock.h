#pragma once
#include "core/clock.h"

namespace pct {

class FixedClock : public Clock {
public:
    explicit FixedClock(int64_t now) : now_(now) {}
    int64_t now_unix_seconds() const override { return now_; }
    void set(int64_t now) { now_ = now; }

private:
    int64_t now_;
};

}  // namespace pct
