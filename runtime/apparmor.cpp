#include "runtime/apparmor.h"

#include <sys/apparmor.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/run_program.h"
#include "runtime/run_state.h"

namespace pct {

bool apparmor_available() { return aa_is_enabled() == 1; }

std::string prepare_apparmor(const StartPlan& plan, const std::string& run_dir, std::vector<std::string>& warnings) {
    if (plan.apparmor_profile_name.empty()) return "";
    if (!apparmor_available()) {
        static bool warned = false;  // once per process
        if (!warned) warnings.push_back("AppArmor is not available on this host; starting without it");
        warned = true;
        return "";
    }
    if (!plan.apparmor_profile.empty()) {
        std::string file = run_dir + "/apparmor.profile";
        write_file_atomic(file, plan.apparmor_profile, 0600);
        // -r: replace a profile of the same name; -W: write the cache.
        run_host_program({"apparmor_parser", "-r", "-W", file},
                         "unable to load the AppArmor profile " + plan.apparmor_profile_name);
    }
    return plan.apparmor_profile_name;
}

void apparmor_exec_label(const std::string& profile) {
    if (profile.empty()) return;
    if (aa_change_onexec(profile.c_str()) != 0)
        throw UserError("cannot set the AppArmor profile " + profile + ": " + errno_text());
}

void unload_apparmor_profile(const std::string& profile, const std::string& run_dir) {
    if (profile.empty() || !apparmor_available()) return;
    std::string file = run_dir + "/apparmor.profile";
    if (::access(file.c_str(), R_OK) != 0) return;
    try {
        run_host_program({"apparmor_parser", "-R", file}, "unable to unload the AppArmor profile " + profile);
    } catch (const UserError&) {
        // Best effort (see apparmor.h): post-stop cleanup goes on regardless.
    }
}

}  // namespace pct
