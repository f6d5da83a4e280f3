// pct config, pending, set, unlock (cli.md §3.7–3.9, §3.23).
#include <cstdio>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output.h"
#include "core/config_changes.h"
#include "core/config_loader.h"
#include "core/config_views.h"
#include "core/error.h"
#include "core/hookscript.h"
#include "runtime/container_state.h"
#include "runtime/hookscript_runner.h"
#include "runtime/storage_registry.h"

namespace pct::cli {

namespace {

int run_config(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    LoadedConfig loaded = load_config(context().store, vmid);
    auto mode = args.flag("current") ? ConfigViewMode::Current : ConfigViewMode::WithPending;
    ConfigView view = make_config_view(loaded.config, mode, args.get("snapshot"));
    OutputFormat format = output_format(args);
    if (format == OutputFormat::Text) {
        std::fputs(format_config_view_text(view).c_str(), stdout);
        return 0;
    }
    nlohmann::json json = nlohmann::json::object();
    for (const auto& [key, value] : view.values)
        json[key] = key == "description" ? nlohmann::json(value) : typed_config_value(key, value);
    json["digest"] = loaded.digest;
    if (!view.lxc.empty()) {
        json["lxc"] = nlohmann::json::array();
        for (const auto& [key, value] : view.lxc) json["lxc"].push_back({key, value});
    }
    print_json(json, format);
    return 0;
}

int run_pending(const ParsedArgs& args) {
    int vmid = parse_vmid(args.positionals[0]);
    auto rows = make_pending_rows(load_config(context().store, vmid).config);
    OutputFormat format = output_format(args);
    if (format == OutputFormat::Text) {
        std::fputs(format_pending_text(rows).c_str(), stdout);
        return 0;
    }
    nlohmann::json json = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json item = {{"key", row.key}};
        if (row.value) item["value"] = typed_config_value(row.key, *row.value);
        if (row.pending) item["pending"] = typed_config_value(row.key, *row.pending);
        if (row.deleted) item["delete"] = row.deleted;
        json.push_back(item);
    }
    print_json(json, format);
    return 0;
}

int run_set(const ParsedArgs& args) {
    CliContext& ctx = context();
    int vmid = parse_vmid(args.positionals[0]);
    ConfigChangeRequest request;
    for (const auto& [name, values] : args.options) {
        if (name == "delete" || name == "revert" || name == "digest") continue;
        request.set[name] = values.back();
    }
    request.delete_keys = args.list("delete");
    request.revert_keys = args.list("revert");
    bool running = is_container_running(ctx.paths, vmid);
    StorageRegistry& storages = ctx.storages();
    ChangeContext change{.vmid = vmid,
                         .running = running,
                         .facts = ctx.facts(),
                         .random = ctx.random,
                         .storage = &ctx.storage(),
                         .storages = &storages,
                         .check_hookscript = [&](const std::string& volid) {
                             check_hookscript_file(volid, hookscript_path(storages, volid));
                         }};
    validate_change_request(request, change);

    auto lock = ctx.store.lock(vmid);
    LoadedConfig loaded = load_config(ctx.store, vmid);
    check_lock(loaded.config);
    if (auto digest = args.get("digest"); digest && !digest->empty() && *digest != loaded.digest)
        throw UserError("detected modified configuration - file changed by other user? Try again.");
    auto warnings = apply_change_request(loaded.config, request, change);
    ctx.store.replace(vmid, write_config(loaded.config));
    for (const auto& warning : warnings) warn(warning);
    return 0;
}

int run_unlock(const ParsedArgs& args) {
    CliContext& ctx = context();
    int vmid = parse_vmid(args.positionals[0]);
    auto lock = ctx.store.lock(vmid);
    LoadedConfig loaded = load_config(ctx.store, vmid);
    if (!loaded.config.main.has("lock")) throw UserError("no lock found trying to remove any lock");
    loaded.config.main.values.erase("lock");
    ctx.store.replace(vmid, write_config(loaded.config));
    return 0;
}

}  // namespace

std::vector<CommandSpec> config_commands() {
    return {
        {.name = "config",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"current", OptionKind::Boolean, "Show the current values instead of the pending ones."},
                     {"snapshot", OptionKind::Value, "Show the values of the given snapshot."}},
         .output_format = true,
         .summary = "Get the container configuration (pending changes applied).",
         .run = run_config},
        {.name = "pending",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .output_format = true,
         .summary = "Get the container configuration with both current and pending values.",
         .run = run_pending},
        {.name = "set",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .options = {{"delete", OptionKind::List, "Settings to delete."},
                     {"revert", OptionKind::List, "Pending changes to revert."},
                     {"digest", OptionKind::Value, "Refuse the change if the config's SHA-1 digest differs."}},
         .config_options = true,
         .summary = "Set container options.",
         .run = run_set},
        {.name = "unlock",
         .positionals = {"vmid"},
         .required_positionals = 1,
         .summary = "Remove the lock of the container.",
         .run = run_unlock},
    };
}

}  // namespace pct::cli
