#include "core/config_loader.h"

#include "core/error.h"

namespace pct {

ContainerConfig parse_config_strict(const std::string& text, int vmid, const std::string& path) {
    ParsedConfig parsed = parse_config(text, vmid, ValueChecks::Full);
    if (!parsed.problems.empty()) {
        std::string message;
        for (const auto& problem : parsed.problems) {
            if (!message.empty()) message += '\n';
            message += path + ":" + std::to_string(problem.line) + ": ";
            if (!problem.key.empty()) message += problem.key + ": ";
            message += problem.message;
        }
        throw UserError(message);
    }
    return std::move(parsed.config);
}

LoadedConfig load_config(const ConfigStore& store, int vmid) {
    auto stored = store.read(vmid);
    if (!stored) throw UserError("Configuration file '" + store.path_of(vmid) + "' does not exist");
    return {parse_config_strict(stored->text, vmid, store.path_of(vmid)), stored->digest};
}

void check_lock(const ContainerConfig& config) {
    if (const std::string* lock = config.main.get("lock")) throw UserError("CT is locked (" + *lock + ")");
}

int parse_vmid(const std::string& text) {
    bool digits = !text.empty() && text.size() <= 9 && text[0] >= '1' && text[0] <= '9';
    for (char c : text) digits = digits && c >= '0' && c <= '9';
    if (!digits || std::stoi(text) < 100)
        throw UserError("invalid VMID '" + text + "': expected an integer between 100 and 999999999");
    return std::stoi(text);
}

}  // namespace pct
