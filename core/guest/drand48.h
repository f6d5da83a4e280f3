#pragma once
// glibc's srand48/drand48 (and Perl's srand/rand): a 48-bit linear
// congruential generator, so seeded crontab minutes match Proxmox's.
#include <cstdint>

namespace pct::guest {

class Drand48 {
public:
    // srand48(seed): only the low 32 bits of the seed count.
    explicit Drand48(uint64_t seed);

    double next();  // in [0, 1)

private:
    uint64_t state_;
};

}  // namespace pct::guest
