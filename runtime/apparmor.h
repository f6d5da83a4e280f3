#pragma once
// AppArmor (runtime.md §10), with libapparmor. Where the kernel has it, the
// generated profile is loaded with apparmor_parser and init is exec'ed
// under it (aa_change_onexec); elsewhere the start warns once and goes on.
#include <string>
#include <vector>

#include "core/start_plan.h"

namespace pct {

bool apparmor_available();

// Host side, before the container is created: loads plan.apparmor_profile
// (text) when there is one. Returns the name of the profile to apply at
// exec ("" for none) and adds the one-time warning where AppArmor is
// missing. Throws UserError when apparmor_parser fails.
std::string prepare_apparmor(const StartPlan& plan, const std::string& run_dir, std::vector<std::string>& warnings);

// In the container's init, just before exec. Throws UserError.
void apparmor_exec_label(const std::string& profile);

// Post-stop: removes a profile loaded by prepare_apparmor (best effort).
void unload_apparmor_profile(const std::string& profile, const std::string& run_dir);

}  // namespace pct
