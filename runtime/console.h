#pragma once
// Console and ttys (runtime.md §6.5, §6.6): pty pairs allocated from the
// container's own devpts instance, slaves bind-mounted onto /dev/console and
// /dev/tty<N>, masters handed to the monitor; and the host side of
// `pct console`: a raw terminal relayed to a master, left with <escape> q.
#include <string>
#include <vector>

#include "core/start_plan.h"
#include "runtime/unique_fd.h"

namespace pct {

struct ContainerTerminals {
    UniqueFd console_master;             // invalid when the plan has no console
    UniqueFd console_slave;              // init's stdio
    std::vector<UniqueFd> tty_masters;   // tty1..ttyN
    std::string container_ttys;          // "pts/1 pts/2": the container_ttys variable
};

// In the container's mount namespace, after devpts and before pivot_root.
ContainerTerminals setup_container_terminals(int root_fd, const ConsolePlan& plan);

struct PtyPair {
    UniqueFd master;
    UniqueFd slave;
    int number = -1;  // the slave is /dev/pts/<number> of that devpts
};

// A new pty pair from the devpts instance mounted at /dev/pts below root_fd
// (resolved without following symlinks). Throws UserError when there is no
// devpts ptmx there.
PtyPair open_guest_pty(int root_fd);

// Copies between the caller's terminal and `master` until the peer hangs up
// or the user types <escape_char> then 'q'. Puts the terminal in raw mode
// while attached. Returns when detached.
void relay_terminal(int master, char escape_char, const std::string& banner);

}  // namespace pct
