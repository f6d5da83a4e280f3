#pragma once
#include <random>

#include "core/random.h"

namespace pct {

// Kernel randomness for MAC addresses and UUIDs.
class SystemRandom : public Random {
public:
    uint64_t next_u64() override { return (static_cast<uint64_t>(device_()) << 32) | device_(); }

private:
    std::random_device device_;
};

}  // namespace pct
