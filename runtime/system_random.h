#pragma once
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/random.h"

namespace pct {

// Kernel randomness for MAC addresses and UUIDs. getrandom() rather than a
// std::random_device member: that one probes the CPU with cpuid when it is
// constructed (by every pct command), and cpuid traps to the hypervisor in a VM.
class SystemRandom : public Random {
public:
    uint64_t next_u64() override {
        uint64_t value = 0;
        while (::getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value))
            if (errno != EINTR) throw UserError(std::string("cannot get random bytes: ") + std::strerror(errno));
        return value;
    }
};

}  // namespace pct
