// pveam: the container template manager (cli.md §5). Command resolution,
// help and error reporting follow pct's conventions (cli.md §1).
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli/pveam/commands.h"
#include "cli/pveam/http_client.h"
#include "cli/pveam/usage_error.h"
#include "core/error.h"

namespace pct::pveam {

namespace {

constexpr int kErrorExit = 255;

struct Command {
    CommandSpec spec;
    std::function<int(const Arguments&, const HostPaths&)> run;
};

const std::vector<Command>& commands() {
    static const std::vector<Command> all = {
        {{"available", {}, {{"section", {"system", "mail", "turnkeylinux"}}}, "List available templates."},
         run_available},
        {{"build", {"kind", "storage"}, {}, "Build a template on this host: 'busybox' or 'debian-12' (debootstrap)."},
         run_build},
        {{"download", {"storage", "template"}, {}, "Download appliance templates."}, run_download},
        {{"help", {}, {}, "Get help about specified command."}, nullptr},
        {{"list", {"storage"}, {}, "Get list of all templates on storage."}, run_list},
        {{"remove", {"template_path"}, {}, "Remove a template."}, run_remove},
        {{"update", {}, {}, "Update Container Template Database."}, run_update},
    };
    return all;
}

std::string short_usage() {
    std::string text = "USAGE: pveam <COMMAND> [ARGS] [OPTIONS]\n";
    for (const auto& command : commands()) {
        std::string line = command.spec.name == "help" ? "pveam help [<cmd>]" : usage_line(command.spec);
        text += "       " + line + "\n";
    }
    return text;
}

std::string command_help(const Command& command) {
    std::string text = "USAGE: " + usage_line(command.spec) + "\n\n  " + command.spec.summary + "\n";
    for (const auto& option : command.spec.options) {
        text += "\n  -" + option.name + " <";
        for (size_t i = 0; i < option.allowed.size(); ++i) text += (i ? " | " : "") + option.allowed[i];
        text += option.allowed.empty() ? "string>\n" : ">\n";
    }
    return text;
}

// Exact name, else a unique prefix (cli.md §1.1).
const Command* resolve(const std::string& name, std::string& error) {
    const Command* match = nullptr;
    int matches = 0;
    for (const auto& command : commands()) {
        if (command.spec.name == name) return &command;
        if (command.spec.name.starts_with(name)) {
            match = &command;
            ++matches;
        }
    }
    if (matches == 1) return match;
    error = matches == 0 ? "ERROR: unknown command" : "ERROR: incomplete command";
    error += " 'pveam " + name + "'";
    return nullptr;
}

int run(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::cerr << "ERROR: no command specified\n" << short_usage();
        return kErrorExit;
    }
    std::string error;
    const Command* command = resolve(argv[0], error);
    if (!command) {
        std::cerr << error << "\n" << short_usage();
        return kErrorExit;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (command->spec.name == "help") {
        if (rest.empty()) {
            std::cout << short_usage();
            return 0;
        }
        const Command* topic = resolve(rest[0], error);
        if (!topic) {
            std::cerr << error << "\n" << short_usage();
            return kErrorExit;
        }
        std::cout << command_help(*topic);
        return 0;
    }
    try {
        Arguments args = parse_arguments(command->spec, rest);
        return command->run(args, HostPaths::from_environment());
    } catch (const UsageError& e) {
        std::cerr << e.what() << "\nUSAGE: " << usage_line(command->spec) << "\n";
    } catch (const ParameterError& e) {
        std::cerr << e.what() << "\nUSAGE: " << usage_line(command->spec) << "\n";
    } catch (const UserError& e) {
        std::cerr << e.what() << "\n";
        return e.exit_code();
    }
    return kErrorExit;
}

}  // namespace

}  // namespace pct::pveam

int main(int argc, char** argv) {
    pct::pveam::init_http();
    try {
        return pct::pveam::run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 255;
    }
}
