#pragma once
// Running a host tool (mkfs.ext4, ssh-keygen, apparmor_parser, ...) and
// waiting for it.
#include <string>
#include <vector>

namespace pct {

// Runs argv[0] - an absolute path, or a name found in /usr/sbin, /usr/bin,
// /sbin or /bin only (pct runs as root, so the caller's PATH is not
// trusted) - with argv, without a shell, stdin from /dev/null and an environment of just that PATH and LC_ALL=C.
// stdout and stderr are captured (bounded) for the error message. Throws
// UserError "<failure>: <tool> exited with status <n>[: <output on one line>]"
// when the tool exits non-zero or is killed (status 128 + signal).
// With ToolOutput::Shown the tool writes to our stdout and stderr instead
// (fsck, fstrim -v: their report is what the user asked for).
enum class ToolOutput { Captured, Shown };
void run_host_program(const std::vector<std::string>& argv, const std::string& failure,
                      ToolOutput shown = ToolOutput::Captured);

}  // namespace pct
