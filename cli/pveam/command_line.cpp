#include "cli/pveam/command_line.h"

#include <algorithm>

#include "cli/pveam/usage_error.h"
#include "core/error.h"

namespace pct::pveam {

std::optional<std::string> Arguments::option(const std::string& name) const {
    auto found = options.find(name);
    if (found == options.end()) return std::nullopt;
    return found->second;
}

namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string joined;
    for (const auto& item : items) joined += (joined.empty() ? "" : separator) + item;
    return joined;
}

}  // namespace

Arguments parse_arguments(const CommandSpec& spec, const std::vector<std::string>& args) {
    Arguments parsed;
    bool options_done = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            parsed.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
        std::optional<std::string> value;
        if (size_t equals = name.find('='); equals != std::string::npos) {
            value = name.substr(equals + 1);
            name.erase(equals);
        }
        auto known = std::find_if(spec.options.begin(), spec.options.end(),
                                  [&](const OptionSpec& option) { return option.name == name; });
        if (known == spec.options.end()) throw UsageError("Unknown option: " + name + "\n400 unable to parse option");
        if (!value) {
            if (i + 1 >= args.size())
                throw UsageError("Option " + name + " requires an argument\n400 unable to parse option");
            value = args[++i];
        }
        if (!known->allowed.empty() &&
            std::find(known->allowed.begin(), known->allowed.end(), *value) == known->allowed.end()) {
            throw ParameterError({name + ": value '" + *value + "' does not have a value in the enumeration '" +
                                  join(known->allowed, ", ") + "'"});
        }
        parsed.options[name] = *value;
    }
    if (parsed.positionals.size() < spec.positionals.size()) throw UsageError("400 not enough arguments");
    if (parsed.positionals.size() > spec.positionals.size()) throw UsageError("400 too many arguments");
    return parsed;
}

std::string usage_line(const CommandSpec& spec) {
    std::string line = "pveam " + spec.name;
    for (const auto& positional : spec.positionals) line += " <" + positional + ">";
    if (!spec.options.empty()) {
        line += " [OPTIONS]";
    }
    return line;
}

}  // namespace pct::pveam
