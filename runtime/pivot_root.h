#pragma once
// Making the container root the process's "/" (runtime.md §5.6).

namespace pct {

// fchdir to the root, pivot_root(".", "."), detach the old root (made a
// slave first so the detach never propagates to the host), chdir("/"), and
// make the new tree shared (a fresh peer group the guest's own services can
// use). Throws UserError.
void pivot_into(int root_fd);

}  // namespace pct
