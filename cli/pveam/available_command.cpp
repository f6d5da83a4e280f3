// pveam available [--section S]: the templates of the stored indexes.
#include <iostream>

#include "cli/pveam/appliance_sources.h"
#include "cli/pveam/commands.h"
#include "core/appliance_index.h"

namespace pct::pveam {

int run_available(const Arguments& args, const HostPaths& paths) {
    std::vector<std::string> warnings;
    std::vector<ApplianceRecord> records = load_stored_records(paths, warnings);
    for (const auto& warning : warnings) std::cerr << warning << "\n";
    auto section = args.option("section");
    for (const auto& record : available_templates(records, section ? std::optional<std::string_view>(*section)
                                                                    : std::nullopt))
        std::cout << format_available_line(record) << "\n";
    return 0;
}

}  // namespace pct::pveam
