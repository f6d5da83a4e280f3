#pragma once
// The few main-section values `pct list` and `pct status` need, read with a
// single scan and no validation so that listing thousands of CTs stays fast.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pct {

struct ConfigSummary {
    std::string hostname;
    std::string lock;
    std::string tags;
    bool is_template = false;
    std::optional<uint64_t> memory_mib;
    std::optional<uint64_t> swap_mib;
    std::optional<double> cores;
    std::optional<double> cpulimit;
    std::optional<uint64_t> rootfs_size_bytes;
};

ConfigSummary summarize_config(std::string_view text);

// cli.md §3.5: hostname without whitespace, else "CT<id>".
std::string display_name(const ConfigSummary& summary, int vmid);

}  // namespace pct
