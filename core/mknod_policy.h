#pragma once
// Which device nodes an unprivileged container with `features: mknod=1` may
// create through the seccomp user-notification proxy (runtime.md §9): the
// harmless character devices every container has, and overlayfs whiteouts
// (0:0). Everything else, every block device included, stays EPERM.
// Header-only and dependency-free: the static pct-monitor uses it.
#include <sys/stat.h>

namespace pct {

constexpr bool mknod_allowed(unsigned mode, unsigned major, unsigned minor) {
    if ((mode & S_IFMT) != S_IFCHR) return false;
    if (major == 0) return minor == 0;                                          // whiteout
    if (major == 1) return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;  // null zero full random urandom
    if (major == 5) return minor <= 2;                                          // tty console ptmx
    return false;
}

}  // namespace pct
