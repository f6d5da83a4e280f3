#include "core/cpuset_table.h"

#include <algorithm>
#include <set>

namespace pct {

std::string format_cpusets(const std::vector<std::pair<int, std::vector<unsigned>>>& rows) {
    if (rows.empty()) return "no running containers\n";
    size_t id_width = 0;
    for (const auto& [vmid, cpus] : rows) id_width = std::max(id_width, std::to_string(vmid).size());
    std::vector<std::string> lines;
    size_t longest_body = 0;
    for (const auto& [vmid, cpus] : rows) {
        const std::set<unsigned> assigned(cpus.begin(), cpus.end());
        std::string body = ":";
        const unsigned highest = assigned.empty() ? 0 : *assigned.rbegin();
        body += ' ';
        for (unsigned cpu = 0; !assigned.empty() && cpu <= highest; ++cpu) {
            const std::string number = std::to_string(cpu);
            body += ' ';
            body += assigned.contains(cpu) ? number : std::string(number.size(), ' ');
        }
        longest_body = std::max(longest_body, body.size());
        const std::string id = std::to_string(vmid);
        lines.push_back(std::string(id_width - id.size(), ' ') + id + body);
    }
    const std::string dashes(longest_body + id_width, '-');
    std::string text = dashes + "\n";
    for (const auto& line : lines) text += line + "\n";
    return text + dashes + "\n";
}

}  // namespace pct
