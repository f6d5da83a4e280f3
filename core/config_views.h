#pragma once
// What `pct config` and `pct pending` show (cli.md §3.7, §3.8, §4).
#include <optional>
#include <string>
#include <vector>

#include "core/config_file.h"

namespace pct {

// A section as shown to the user: values (description included as a key),
// and the raw lxc entries.
struct ConfigView {
    std::map<std::string, std::string> values;
    std::vector<std::pair<std::string, std::string>> lxc;
};

enum class ConfigViewMode { WithPending, Current };

// Throws UserError for an unknown snapshot or snapshot + current together.
ConfigView make_config_view(const ContainerConfig& config, ConfigViewMode mode,
                            const std::optional<std::string>& snapshot);

std::string format_config_view_text(const ConfigView& view);

struct PendingRow {
    std::string key;
    std::optional<std::string> value;    // active value
    std::optional<std::string> pending;  // queued new value
    int deleted = 0;                     // 1 queued for deletion, 2 forced
};

std::vector<PendingRow> make_pending_rows(const ContainerConfig& config);
std::string format_pending_text(const std::vector<PendingRow>& rows);

// Value shown for a key: description percent-encoded on one line.
std::string display_value(const std::string& key, const std::string& value);

}  // namespace pct
