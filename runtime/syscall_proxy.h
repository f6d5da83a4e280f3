#pragma once
// The seccomp user-notification side of `features: mknod=1` (runtime.md
// §9, Proxmox's pve-lxc-syscalld): the container's filter sends char/block
// mknod and mknodat here; allowed nodes (core/mknod_policy.h) are created
// on the caller's behalf - in its mount namespace and root, relative to its
// working directory or dirfd, with its fsuid/fsgid, supplementary groups
// and umask, and with CAP_MKNOD as the only capability - everything else
// gets EPERM. Deliberately libc-only: it runs in the static pct-monitor.

namespace pct {

// Receives and answers one notification from `listener`. Returns false
// when the listener is finished (no process uses the filter any more).
bool answer_syscall_notification(int listener);

}  // namespace pct
