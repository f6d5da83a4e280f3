#pragma once
// `pct cpusets` (cli.md §3.25): the CPUs each running container may use.
#include <string>
#include <utility>
#include <vector>

namespace pct {

// Rows in the given order (ascending vmid): the id right-aligned to the
// widest id, ": ", then for each CPU from 0 to the container's highest one
// a space and either the number or as many spaces as it has digits;
// framed by dashes as long as the longest row. No rows: `no running
// containers`. Ends with a newline.
std::string format_cpusets(const std::vector<std::pair<int, std::vector<unsigned>>>& rows);

}  // namespace pct
