#pragma once
#include <random>

#include "core/random.h"

namespace pct {

class SeededRandom : public Random {
public:
    explicit SeededRandom(uint64_t seed) : engine_(seed) {}
    uint64_t next_u64() override { return engine_(); }

private:
    std::mt19937_64 engine_;
};

}  // namespace pct
