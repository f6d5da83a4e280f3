#include "core/guest/drand48.h"

namespace pct::guest {

namespace {
constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
constexpr uint64_t kIncrement = 0xB;
constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
}  // namespace

Drand48::Drand48(uint64_t seed) : state_(((seed & 0xFFFFFFFFULL) << 16) | 0x330E) {}

double Drand48::next() {
    state_ = (kMultiplier * state_ + kIncrement) & kMask;
    return static_cast<double>(state_) / static_cast<double>(uint64_t{1} << 48);
}

}  // namespace pct::guest
