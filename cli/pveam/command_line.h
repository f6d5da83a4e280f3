#pragma once
// pveam's command line (cli.md §1.2 conventions): positionals in a fixed
// order, `-name value`, `--name value`, `--name=value`, and `--`.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pct::pveam {

struct Arguments {
    std::vector<std::string> positionals;
    std::map<std::string, std::string> options;

    std::optional<std::string> option(const std::string& name) const;
};

struct OptionSpec {
    std::string name;
    std::vector<std::string> allowed;  // empty: any value
};

struct CommandSpec {
    std::string name;
    std::vector<std::string> positionals;  // all required
    std::vector<OptionSpec> options;
    std::string summary;
};

// Throws UsageError for unknown options and wrong argument counts and
// ParameterError for values outside an option's allowed list.
Arguments parse_arguments(const CommandSpec& spec, const std::vector<std::string>& args);

// "pveam download <storage> <template>", "pveam available  [OPTIONS]".
std::string usage_line(const CommandSpec& spec);

}  // namespace pct::pveam
