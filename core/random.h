#pragma once
// Randomness as a port (MAC addresses, UUIDs, crontab minutes), seeded in tests.
#include <cstdint>

namespace pct {

class Random {
public:
    virtual ~Random() = default;
    virtual uint64_t next_u64() = 0;
};

}  // namespace pct
