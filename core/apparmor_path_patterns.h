#pragma once
// AppArmor has no "everything except" for paths, and a deny rule always wins
// over an allow rule. So "deny writes below /sys except /sys/class/net" has to
// be written as a set of globs that match every other path. This builds that
// set from a list of kept subtrees, the way LXC's lxc-generate-aa-rules.py
// does: one character class per branching point.
#include <string>
#include <vector>

namespace pct {

// Globs matching every path below `base` (which ends in '/') except:
//  * each kept entry and everything below it ("class/net");
//  * for an entry ending in '*' ("kernel/msg*"), names with that prefix
//    themselves (but not what lies below them);
//  * the directories leading to a kept entry ("class", "kernel") themselves.
// Kept entries are literal apart from a final '*'; they must not contain
// glob characters, and no entry may be a prefix of another.
std::vector<std::string> apparmor_paths_outside(const std::string& base, const std::vector<std::string>& kept);

}  // namespace pct
