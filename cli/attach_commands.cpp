// pct enter / exec / console / push / pull (cli.md §3.11-3.14).
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "runtime/attach.h"
#include "runtime/console.h"
#include "runtime/container_state.h"
#include "runtime/kernel_api.h"
#include "runtime/monitor_client.h"
#include "runtime/unique_fd.h"

namespace pct::cli {

namespace {

std::string config_value(int vmid, const char* key) {
    LoadedConfig loaded = load_config(context().store, vmid);
    const std::string* value = loaded.config.main.get(key);
    return value ? *value : "";
}

void require_running(int vmid) {
    if (!is_container_running(context().paths, vmid))
        throw UserError("container '" + std::to_string(vmid) + "' not running!");
}

bool keep_env(const ParsedArgs& args) { return !args.has("keep-env") || args.flag("keep-env"); }

int run_enter(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    load_config(context().store, vmid);
    require_running(vmid);
    std::fflush(nullptr);
    return attach_run(context().paths, vmid, {.argv = {}, .keep_env = keep_env(args), .use_pty = ::isatty(STDIN_FILENO) == 1});
}

const CommandSpec& exec_spec() {
    static const CommandSpec spec{.name = "exec",
                                  .positionals = {"vmid", "extra-args"},
                                  .required_positionals = 1,
                                  .options = {{"keep-env", OptionKind::Boolean, "Keep the current environment (default 1)."}},
                                  .summary = "Launch a command inside the container."};
    return spec;
}

int run_exec(const std::vector<std::string>& raw) {
    // Everything after "--" is the command, verbatim.
    std::vector<std::string> head = raw, command;
    for (size_t i = 0; i < raw.size(); ++i)
        if (raw[i] == "--") {
            head.assign(raw.begin(), raw.begin() + static_cast<long>(i));
            command.assign(raw.begin() + static_cast<long>(i) + 1, raw.end());
            break;
        }
    ParsedArgs args = parse_command_line(exec_spec(), head);
    if (args.positionals.size() > 1) command.insert(command.begin(), args.positionals[1]);
    int vmid = parse_vmid(args.positionals[0]);
    load_config(context().store, vmid);
    if (command.empty()) throw UserError("missing command");
    require_running(vmid);
    std::fflush(nullptr);
    return attach_run(context().paths, vmid,
                      {.argv = command, .keep_env = keep_env(args), .use_pty = ::isatty(STDIN_FILENO) == 1});
}

char escape_character(const std::string& pattern) {
    if (pattern.size() == 2 && pattern[0] == '^' && pattern[1] >= 'a' && pattern[1] <= 'z') return static_cast<char>(pattern[1] - 'a' + 1);
    if (pattern.size() == 1 && pattern[0] >= 'a' && pattern[0] <= 'z') return pattern[0];
    throw ParameterError({"escape: value does not match the regex pattern"});
}

int run_console(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    std::string pattern = args.get("escape").value_or("^a");
    char escape = escape_character(pattern);
    std::string mode = config_value(vmid, "cmode");
    if (mode == "shell") {
        require_running(vmid);
        return attach_run(context().paths, vmid, {.argv = {}, .keep_env = false, .use_pty = true});
    }
    std::vector<std::string> requests;
    if (mode == "console") {
        requests = {"console"};
    } else {
        for (int n = 1; n <= 6; ++n) requests.push_back("tty " + std::to_string(n));
    }
    for (const auto& request : requests) {
        MonitorReply reply = ask_monitor(context().paths, vmid, request);
        if (reply.text.empty()) throw UserError("container '" + std::to_string(vmid) + "' not running!");
        if (reply.text != "ok" || !reply.fd) continue;
        std::string key = pattern[0] == '^' ? "Ctrl+" + pattern.substr(1) : pattern;
        relay_terminal(reply.fd.get(), escape,
                       "Connected to " + (request == "console" ? std::string("the console") : request) + "\r\nType <" +
                           key + " q> to exit the console, <" + key + " " + key + "> to enter " + key + " itself");
        std::fputs("\r\n", stderr);
        return 0;
    }
    throw UserError("no free " + std::string(mode == "console" ? "console" : "tty") + " in container " + std::to_string(vmid));
}

mode_t parse_perms(const std::string& text) {
    try {
        size_t used = 0;
        unsigned long value = text.rfind("0x", 0) == 0 ? std::stoul(text.substr(2), &used, 16) : std::stoul(text, &used, 8);
        if (used == (text.rfind("0x", 0) == 0 ? text.size() - 2 : text.size()) && value <= 07777) return static_cast<mode_t>(value);
    } catch (const std::exception&) {
    }
    throw UserError("invalid mode: '" + text + "'");
}

bool is_number(const std::string& text) { return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos; }

// Names are resolved from the files of the root we are in (the container's
// after setns), never through NSS modules.
long lookup_id(const char* file, const std::string& name, const char* what) {
    if (is_number(name)) return std::stol(name);
    std::ifstream db(file);
    std::string line;
    while (std::getline(db, line)) {
        std::istringstream fields(line);
        std::string entry, password, id;
        if (std::getline(fields, entry, ':') && entry == name && std::getline(fields, password, ':') && std::getline(fields, id, ':') &&
            is_number(id))
            return std::stol(id);
    }
    throw UserError(std::string("failed to get ") + what + " for: " + name);
}

struct FileOptions {
    std::optional<mode_t> perms;
    std::optional<std::string> user, group;
};

FileOptions file_options(const ParsedArgs& args) {
    FileOptions options;
    if (auto perms = args.get("perms")) options.perms = parse_perms(*perms);
    options.user = args.get("user");
    options.group = args.get("group");
    return options;
}

void apply_owner_and_mode(int fd, const FileOptions& options) {
    if (options.perms && ::fchmod(fd, *options.perms) != 0) throw UserError("chmod failed: " + errno_text());
    if (options.user || options.group) {
        uid_t uid = options.user ? static_cast<uid_t>(lookup_id("/etc/passwd", *options.user, "uid")) : static_cast<uid_t>(-1);
        gid_t gid = options.group ? static_cast<gid_t>(lookup_id("/etc/group", *options.group, "gid")) : static_cast<gid_t>(-1);
        if (::fchown(fd, uid, gid) != 0) throw UserError("chown failed: " + errno_text());
    }
}

void copy_data(int from, int to) {
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(from, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw UserError("read failed: " + errno_text());
        if (n == 0) return;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(to, buffer + done, static_cast<size_t>(n - done));
            if (w < 0) throw UserError("write failed: " + errno_text());
            done += w;
        }
    }
}

const std::vector<OptionDef> kFileOptions = {
    {"user", OptionKind::Value, "Owner user name or id."},
    {"group", OptionKind::Value, "Owner group name or id."},
    {"perms", OptionKind::Value, "File permissions (octal by default, 0x... for hex)."}};

int run_push(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    auto lock = context().store.lock(vmid);
    load_config(context().store, vmid);
    if (!is_container_running(context().paths, vmid)) throw UserError("can only push files to a running CT");
    FileOptions options = file_options(args);
    UniqueFd source(::open(args.positionals[1].c_str(), O_RDONLY | O_CLOEXEC));
    if (!source) throw UserError("failed to open " + args.positionals[1] + " for reading");
    const std::string destination = args.positionals[2];
    int rc = run_in_container_fs(context().paths, vmid, [&]() {
        UniqueFd target(::open(destination.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666));
        if (!target) throw UserError("failed to open " + destination + " for writing: " + errno_text());
        copy_data(source.get(), target.get());
        apply_owner_and_mode(target.get(), options);
        return 0;
    });
    if (rc != 0) throw UserError("push failed");
    return 0;
}

int run_pull(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    auto lock = context().store.lock(vmid);
    load_config(context().store, vmid);
    if (!is_container_running(context().paths, vmid)) throw UserError("can only pull files from a running VM");
    FileOptions options = file_options(args);
    const std::string path = args.positionals[1];
    UniqueFd target(::open(args.positionals[2].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666));
    if (!target) throw UserError("failed to open " + args.positionals[2] + " for writing: " + errno_text());
    apply_owner_and_mode(target.get(), options);  // names resolved on the host
    int rc = run_in_container_fs(context().paths, vmid, [&]() {
        UniqueFd source(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
        if (!source) throw UserError("failed to open " + path + " for reading: " + errno_text());
        copy_data(source.get(), target.get());
        return 0;
    });
    if (rc != 0) throw UserError("pull failed");
    return 0;
}

}  // namespace

std::vector<CommandSpec> attach_commands() {
    return {
        {.name = "enter",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"keep-env", OptionKind::Boolean, "Keep the current environment (default 1)."}},
         .summary = "Launch a shell for the container.",
         .run = run_enter},
        {.name = "exec",
         .positionals = {"vmid", "extra-args"},
         .required_positionals = 1,
         .options = {{"keep-env", OptionKind::Boolean, "Keep the current environment (default 1)."}},
         .raw_arguments = true,
         .summary = "Launch a command inside the container: pct exec <vmid> -- <command> [args...].",
         .run_raw = run_exec},
        {.name = "console",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"escape", OptionKind::Value, "Escape prefix, e.g. ^a (default): leave with <prefix> q."}},
         .summary = "Launch a console for the container.",
         .run = run_console},
        {.name = "push",
         .positionals = {"vmid", "file", "destination"},
         .required_positionals = 3,
         .options = kFileOptions,
         .summary = "Copy a local file to the container.",
         .run = run_push},
        {.name = "pull",
         .positionals = {"vmid", "path", "destination"},
         .required_positionals = 3,
         .options = kFileOptions,
         .summary = "Copy a file from the container to the local system.",
         .run = run_pull},
    };
}

}  // namespace pct::cli
