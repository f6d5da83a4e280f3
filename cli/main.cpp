// pct: command resolution, help and error reporting (cli.md §1).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/guest_setup_command.h"
#include "cli/power_commands.h"
#include "core/error.h"

namespace pct::cli {

namespace {

constexpr int kErrorExit = 255;

// Commands Proxmox's pct has that this version does not implement yet: they
// are listed so that prefixes resolve as users expect and help says so.
const std::vector<std::pair<std::string, std::string>> kNotYetAvailable = {
    {"migrate", "Migrate the container to another node."},
    {"remote-migrate", "Migrate the container to another cluster."},
};

std::vector<CommandSpec> all_commands() {
    std::vector<CommandSpec> commands;
    for (auto group : {config_commands(), inventory_commands(), destroy_commands(), start_commands(), create_commands(),
                       power_commands(), attach_commands(), volume_commands(), snapshot_commands(), clone_commands()})
        for (auto& command : group) commands.push_back(std::move(command));
    commands.push_back({.name = "guest-setup",
                        .raw_arguments = true,
                        .summary = "Apply the post-create guest setup to a root filesystem (conformance interface).",
                        .run_raw = run_guest_setup});
    for (const auto& [name, summary] : kNotYetAvailable) commands.push_back({.name = name, .available = false, .summary = summary});
    commands.push_back({.name = "help", .positionals = {"cmd"}, .options = {{"verbose", OptionKind::Boolean, "Verbose output."}},
                        .summary = "Get help about the specified command."});
    std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return commands;
}

std::string short_usage(const std::vector<CommandSpec>& commands) {
    std::string text = "USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n";
    for (const auto& command : commands) text += "       " + command_usage(command, false).substr(7) + "\n";
    return text;
}

const CommandSpec* resolve_command(const std::vector<CommandSpec>& commands, std::string name) {
    if (name == "move_volume") name = "move-volume";  // alias, never prefix-expanded
    const CommandSpec* match = nullptr;
    int matches = 0;
    for (const auto& command : commands) {
        if (command.name == name) return &command;
        if (command.name.compare(0, name.size(), name) == 0) {
            match = &command;
            ++matches;
        }
    }
    if (matches == 1) return match;
    // "pct li" is list, not listsnapshot: a match that prefixes every other match wins.
    for (const auto& command : commands) {
        if (command.name.compare(0, name.size(), name) != 0) continue;
        bool prefixes_all = std::all_of(commands.begin(), commands.end(), [&](const CommandSpec& other) {
            return other.name.compare(0, name.size(), name) != 0 || other.name.compare(0, command.name.size(), command.name) == 0;
        });
        if (prefixes_all) return &command;
    }
    std::string usage = short_usage(commands);
    throw UserError(std::string(matches == 0 ? "ERROR: unknown command 'pct " : "ERROR: incomplete command 'pct ") + name +
                    "'\n" + usage.substr(0, usage.size() - 1));
}

int run_help(const std::vector<CommandSpec>& commands, const ParsedArgs& args) {
    bool verbose = !args.has("verbose") || args.flag("verbose");
    if (args.positionals.empty()) {
        std::fputs(short_usage(commands).c_str(), stdout);
        return 0;
    }
    std::printf("%s\n", command_usage(*resolve_command(commands, args.positionals[0]), verbose).c_str());
    return 0;
}

int dispatch(const std::vector<std::string>& argv) {
    auto commands = all_commands();
    if (argv.empty()) {
        std::string usage = short_usage(commands);
        throw UserError("ERROR: no command specified\n" + usage.substr(0, usage.size() - 1));
    }
    // Internal: post-stop for monitors of an older pct (never listed).
    if (argv[0] == "__post-stop") return run_post_stop_command({argv.begin() + 1, argv.end()});
    const CommandSpec& command = *resolve_command(commands, argv[0]);
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    if (command.raw_arguments) return command.run_raw(args);
    for (const auto& arg : args) {
        if (arg == "--") break;
        if (arg == "--help" || arg == "-help" || arg == "-h") {
            std::printf("%s\n", command_usage(command, true).c_str());
            return 0;
        }
    }
    ParsedArgs parsed = parse_command_line(command, args);
    if (command.name == "help") return run_help(commands, parsed);
    if (!command.available) throw UserError("pct " + command.name + ": not available yet in this version of pct");
    return command.run(parsed);
}

}  // namespace

}  // namespace pct::cli

int main(int argc, char** argv) {
    try {
        return pct::cli::dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const pct::UserError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "internal error: %s\n", e.what());
        return 255;
    }
}
