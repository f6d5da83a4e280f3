#include "core/config_views.h"

#include <set>

#include "core/error.h"
#include "core/value_formats.h"

namespace pct {

namespace {

void add_section(ConfigView& view, const ConfigSection& section) {
    for (const auto& [key, value] : section.values)
        if (key != "digest" && key != "snapstate") view.values[key] = value;
    if (!section.description.empty()) view.values["description"] = section.description;
    view.lxc = section.lxc;
}

}  // namespace

std::string display_value(const std::string& key, const std::string& value) {
    if (key != "description") return value;
    // One line, percent-encoded, newlines as %0A (config.md §2.2).
    std::string text = value;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return encode_description_line(text);
}

ConfigView make_config_view(const ContainerConfig& config, ConfigViewMode mode, const std::optional<std::string>& snapshot) {
    ConfigView view;
    if (snapshot) {
        if (mode == ConfigViewMode::Current) throw UserError("cannot use 'snapshot' parameter with 'current'");
        auto it = config.snapshots.find(*snapshot);
        if (it == config.snapshots.end()) throw UserError("snapshot '" + *snapshot + "' does not exist");
        add_section(view, it->second);
        return view;
    }
    add_section(view, config.main);
    if (const std::string* snapstate = config.main.get("snapstate")) view.values["snapstate"] = *snapstate;
    if (mode == ConfigViewMode::WithPending) {
        for (const auto& [key, value] : config.pending.values)
            if (key != "delete") view.values[key] = value;
        if (!config.pending.description.empty()) view.values["description"] = config.pending.description;
        if (const std::string* deletes = config.pending.get("delete")) {
            for (auto key : split_list(*deletes)) {
                if (key[0] == '!') key.erase(0, 1);
                view.values.erase(key);
            }
        }
    }
    return view;
}

std::string format_config_view_text(const ConfigView& view) {
    std::string out;
    for (const auto& [key, value] : view.values) out += key + ": " + display_value(key, value) + "\n";
    for (const auto& [key, value] : view.lxc) out += key + ": " + value + "\n";
    return out;
}

std::vector<PendingRow> make_pending_rows(const ContainerConfig& config) {
    std::map<std::string, PendingRow> rows;
    auto row = [&](const std::string& key) -> PendingRow& {
        PendingRow& r = rows[key];
        r.key = key;
        return r;
    };
    for (const auto& [key, value] : config.main.values)
        if (key != "digest" && key != "snapstate") row(key).value = value;
    if (!config.main.description.empty()) row("description").value = config.main.description;
    for (const auto& [key, value] : config.pending.values)
        if (key != "delete") row(key).pending = value;
    if (!config.pending.description.empty()) row("description").pending = config.pending.description;
    if (const std::string* deletes = config.pending.get("delete")) {
        for (auto key : split_list(*deletes)) {
            bool forced = key[0] == '!';
            if (forced) key.erase(0, 1);
            row(key).deleted = forced ? 2 : 1;
        }
    }
    std::vector<PendingRow> result;
    for (auto& [key, r] : rows) result.push_back(std::move(r));
    return result;
}

std::string format_pending_text(const std::vector<PendingRow>& rows) {
    std::string out;
    for (const auto& row : rows) {
        if (row.deleted) {
            out += "del " + row.key + ": " + display_value(row.key, row.value ? *row.value : row.pending.value_or("")) + "\n";
        } else if (row.value && row.pending) {
            out += "cur " + row.key + ": " + display_value(row.key, *row.value) + "\n";
            out += "new " + row.key + ": " + display_value(row.key, *row.pending) + "\n";
        } else if (row.pending) {
            out += "new " + row.key + ": " + display_value(row.key, *row.pending) + "\n";
        } else if (row.value) {
            out += "cur " + row.key + ": " + display_value(row.key, *row.value) + "\n";
        }
    }
    return out;
}

}  // namespace pct
