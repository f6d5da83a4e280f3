#pragma once
// Proxmox-style command lines (cli.md §1.2) on top of Boost.Program_options:
// "-name value", "--name value", "--name=value", unique option prefixes,
// booleans with an optional value, repeatable list options, and "--".
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pct::cli {

enum class OptionKind { Value, Boolean, List };

struct OptionDef {
    std::string name;
    OptionKind kind = OptionKind::Value;
    std::string description;
};

struct ParsedArgs;

struct CommandSpec {
    std::string name;
    std::vector<std::string> positionals;  // names, in order
    size_t required_positionals = 0;
    std::vector<OptionDef> options;
    bool config_options = false;  // every settable config option (create/set)
    bool output_format = false;   // --output-format text|json|json-pretty
    bool raw_arguments = false;   // hands everything after the command name over as is
    bool available = true;        // false: listed for completeness, not implemented yet
    std::string summary;
    std::function<int(const ParsedArgs&)> run;
    std::function<int(const std::vector<std::string>&)> run_raw;
};

struct ParsedArgs {
    std::vector<std::string> positionals;
    std::map<std::string, std::vector<std::string>> options;  // in given order per name
    std::vector<std::string> option_order;                      // names in the order given

    bool has(const std::string& name) const { return options.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    bool flag(const std::string& name) const;  // booleans: absent = false
    std::vector<std::string> list(const std::string& name) const;  // split on , ; whitespace
};

// Throws ParameterError / UserError with the spec's messages.
ParsedArgs parse_command_line(const CommandSpec& spec, const std::vector<std::string>& args);

// "USAGE: pct <cmd> <positionals> [OPTIONS]" and the option list.
std::string command_usage(const CommandSpec& spec, bool verbose);

// Option definitions generated from the config schema (create/set).
const std::vector<OptionDef>& config_option_defs();

}  // namespace pct::cli
