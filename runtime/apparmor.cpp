#include "runtime/apparmor.h"

#include <sys/apparmor.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/run_state.h"

namespace pct {

namespace {

int run_parser(const std::vector<std::string>& args) {
    pid_t child = ::fork();
    if (child < 0) return -1;
    if (child == 0) {
        std::vector<char*> argv;
        for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

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
        if (run_parser({"apparmor_parser", "-r", "-W", file}) != 0)
            throw UserError("apparmor_parser failed to load the profile " + plan.apparmor_profile_name);
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
    if (::access(file.c_str(), R_OK) == 0) run_parser({"apparmor_parser", "-R", file});
}

}  // namespace pct
