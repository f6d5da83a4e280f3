#include "core/init_plan.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/error.h"
#include "core/ostype_profile.h"

namespace pct {

namespace {

uint64_t parse_id(const std::string& key, const std::string& text) {
    static const std::regex digits("\\s*\\d{1,19}\\s*");
    if (!std::regex_match(text, digits)) throw UserError(key + ": invalid id '" + text + "'");
    return std::stoull(text);
}

// "SIGRTMIN+4", "RTMIN+4", "SIGPWR", "30" -> canonical "SIG..." or the number.
std::string parse_signal(const std::string& key, const std::string& text) {
    static const std::regex name("(SIG)?([A-Z][A-Z0-9]*([+-]\\d+)?)");
    static const std::regex number("\\d{1,2}");
    std::smatch match;
    if (std::regex_match(text, number)) return text;
    std::string upper = text;  // LXC compares names without regard to case
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (std::regex_match(upper, match, name)) return "SIG" + match[2].str();
    throw UserError(key + ": invalid signal '" + text + "'");
}

void set_environment(std::vector<std::string>& env, const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('='));
    for (auto& existing : env)
        if (existing.substr(0, existing.find('=')) == name) {
            existing = entry;  // later settings win, as with putenv in order
            return;
        }
    env.push_back(entry);
}

}  // namespace

std::vector<std::string> split_command_line(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : text) {
        if (quote) {
            if (c == quote) quote = 0;
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote) throw UserError("unterminated quote in command line '" + text + "'");
    if (in_word) words.push_back(word);
    return words;
}

InitPlan plan_init(const ConfigSection& config, const RawLxcSettings& raw, const std::string& ostype,
                   std::vector<std::string>& problems, std::vector<std::string>& warnings) {
    InitPlan init;
    const std::string* entrypoint = config.get("entrypoint");
    std::string command = raw.init_cmd ? *raw.init_cmd : entrypoint ? *entrypoint : "/sbin/init";
    try {
        init.argv = split_command_line(command);
        if (init.argv.empty() || init.argv[0].empty() || init.argv[0][0] != '/')
            throw UserError("init command '" + command + "' must start with an absolute path");
    } catch (const UserError& e) {
        problems.push_back(std::string(raw.init_cmd ? "lxc.init.cmd" : "entrypoint") + ": " + e.what());
    }

    // container_ttys is added by the runtime once the ttys exist.
    init.env = {"container=lxc", "TERM=linux"};
    for (const auto& entry : raw.environment) {
        if (entry.find('=') == std::string::npos) {
            warnings.push_back("lxc.environment: '" + entry + "' passes a host variable through; ignored");
            continue;
        }
        set_environment(init.env, entry);
    }
    if (const std::string* env = config.get("env")) {
        size_t start = 0;
        while (start < env->size()) {
            size_t end = env->find('\0', start);
            std::string entry = env->substr(start, end == std::string::npos ? std::string::npos : end - start);
            if (!entry.empty()) set_environment(init.env, entry);
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }

    try {
        if (raw.init_uid) init.uid = parse_id("lxc.init.uid", *raw.init_uid);
        if (raw.init_gid) init.gid = parse_id("lxc.init.gid", *raw.init_gid);
        if (raw.init_groups) {
            size_t start = 0;
            const std::string& groups = *raw.init_groups;
            while (start <= groups.size()) {
                size_t end = groups.find(',', start);
                init.groups.push_back(parse_id("lxc.init.groups", groups.substr(start, end == std::string::npos ? end : end - start)));
                if (end == std::string::npos) break;
                start = end + 1;
            }
        }
        if (raw.init_cwd) {
            if (raw.init_cwd->empty() || (*raw.init_cwd)[0] != '/')
                throw UserError("lxc.init.cwd: '" + *raw.init_cwd + "' is not an absolute path");
            init.cwd = *raw.init_cwd;
        }
        init.halt_signal = ostype_profile(ostype).halt_signal;
        if (raw.signal_halt) init.halt_signal = parse_signal("lxc.signal.halt", *raw.signal_halt);
        if (raw.signal_reboot) init.reboot_signal = parse_signal("lxc.signal.reboot", *raw.signal_reboot);
        if (raw.signal_stop) init.stop_signal = parse_signal("lxc.signal.stop", *raw.signal_stop);
    } catch (const UserError& e) {
        problems.push_back(e.what());
    }
    return init;
}

}  // namespace pct
