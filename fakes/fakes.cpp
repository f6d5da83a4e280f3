// Most fakes are header-only; this file keeps the library non-empty.
#include "fakes/fixed_clock.h"
#include "fakes/seeded_random.h"
