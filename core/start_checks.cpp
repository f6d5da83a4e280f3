#include "core/start_checks.h"

#include "core/error.h"
#include "core/option_schema.h"

namespace pct {

namespace {

std::string mount_kind(const std::string& volume) {
    if (volume.rfind("/dev/", 0) == 0) return "device";
    if (!volume.empty() && volume[0] == '/') return "bind";
    return "volume";
}

}  // namespace

StartChecks check_start(const ContainerConfig& config, const StartOptions& options) {
    StartChecks checks;
    std::vector<std::string> problems;
    const ConfigSection& main = config.main;

    if (const std::string* value = main.get("template"); value && *value == "1")
        problems.push_back("you can't start a CT if it's a template");
    if (const std::string* lock = main.get("lock"); lock && *lock != "mounted" && !options.skiplock)
        problems.push_back("CT is locked (" + *lock + ")");

    checks.checked.push_back("config: " + std::to_string(main.values.size()) + " options valid");

    const std::string* rootfs = main.get("rootfs");
    if (!rootfs) {
        problems.push_back("rootfs: property is missing");
    } else {
        checks.rootfs_volume = volume_of_mount_value(*rootfs);
        checks.rootfs_kind = mount_kind(checks.rootfs_volume);
    }

    const std::string* unprivileged = main.get("unprivileged");
    checks.unprivileged = unprivileged && *unprivileged == "1";
    if (checks.unprivileged) {
        for (const auto& [key, value] : main.values) {
            auto [base, index] = split_indexed_key(key);
            if ((key == "rootfs" || (base == "mp" && index >= 0)) && value.find("quota=1") != std::string::npos)
                problems.push_back("Quotas are not supported by unprivileged containers.");
        }
    }

    std::vector<IdMapEntry> custom;
    for (const auto& [key, value] : main.lxc) {
        if (key != "lxc.idmap") continue;
        try {
            custom.push_back(parse_idmap_entry(value));
        } catch (const UserError& e) {
            problems.push_back(std::string("lxc.idmap: ") + e.what());
        }
    }
    checks.idmap = effective_idmap(custom, checks.unprivileged);
    if (auto conflict = find_idmap_conflict(checks.idmap)) problems.push_back("lxc.idmap: " + *conflict);
    checks.checked.push_back("idmap: " + std::to_string(checks.idmap.size()) + " entries, no overlaps");

    if (!problems.empty()) {
        std::string message;
        for (const auto& problem : problems) message += (message.empty() ? "" : "\n") + problem;
        throw UserError(message);
    }
    return checks;
}

}  // namespace pct
