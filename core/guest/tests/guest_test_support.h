#pragma once
// Shared setup for the guest plugin tests: an in-memory guest, a config, and
// the fixed inputs of the reference suite (guest-setup.md §7).
#include <string>

#include "core/config_file.h"
#include "core/error.h"
#include "core/guest/guest_setup.h"
#include "fakes/fixed_clock.h"
#include "fakes/memory_guest_fs.h"
#include "fakes/seeded_random.h"

namespace pct::guest::testing {

inline constexpr int64_t kTestNow = 1700000000;  // 2023-11-14, day 19675
inline constexpr const char* kHostResolvConf = "search proxmox.com\nnameserver 8.8.8.8\nnameserver 8.8.8.9\n";
inline constexpr const char* kFixedUuid = "00000000-0000-0000-0000-000000000000";

inline ConfigSection config_from(const std::string& text) { return parse_config(text, 100).config.main; }

struct GuestSetupHarness {
    MemoryGuestFs fs;
    FixedClock clock{kTestNow};
    SeededRandom random{1};
    GuestSetupInputs inputs;

    explicit GuestSetupHarness(std::optional<MemoryGuestFs::Owner> owner = std::nullopt) : fs(owner) {
        inputs.crontab_seed = 0;
        inputs.fixed_uuid = kFixedUuid;
        inputs.host_resolv_conf = kHostResolvConf;
        fs.add_directory("/etc");
    }

    GuestSetupReport run(const std::string& config_text) {
        return run_guest_setup(fs, config_from(config_text), inputs, clock, random);
    }

    std::string file(const std::string& path) const { return fs.file_content(path).value_or("<missing>"); }
    bool has(const std::string& path) const { return fs.entry(path) != nullptr; }
};

// The one-line error a setup run fails with, or "<no error>".
inline std::string error_of(GuestSetupHarness& guest, const std::string& config) {
    try {
        guest.run(config);
    } catch (const UserError& error) {
        return error.what();
    }
    return "<no error>";
}

}  // namespace pct::guest::testing
