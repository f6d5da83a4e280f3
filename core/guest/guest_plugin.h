#pragma once
// The common behaviour of every managed distribution (guest-setup.md §4);
// a distribution plugin overrides only what differs (§6).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/guest/dns_settings.h"
#include "core/guest/debian_interfaces.h"
#include "core/guest/drand48.h"
#include "core/guest/guest_files.h"
#include "core/guest/guest_network.h"
#include "core/guest/os_release.h"

namespace pct::guest {

// The host's timezone, needed only for `timezone: host`.
struct HostTimezone {
    std::string localtime_path;  // the host's /etc/localtime, fully resolved
    std::string name;            // e.g. "Europe/Vienna"
};

// Messages for the user: warnings go to stderr, notes to stdout.
struct SetupLog {
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
};

// Everything a plugin reads besides the guest files.
struct PluginContext {
    const ConfigSection& config;
    const OsRelease& os_release;
    std::string host_resolv_conf;                 // text of the host's resolv.conf
    std::optional<HostTimezone> host_timezone;
    std::function<std::string()> next_uuid;       // for generated network files
    SetupLog& log;
};

class GuestPlugin {
public:
    GuestPlugin(GuestFiles& files, const PluginContext& context) : files_(files), context_(context) {}
    virtual ~GuestPlugin() = default;
    GuestPlugin(const GuestPlugin&) = delete;
    GuestPlugin& operator=(const GuestPlugin&) = delete;

    // The ostype the plugin stands for (written back to the config).
    virtual std::string os_type() const = 0;

    // Distribution-specific steps (guest-setup.md §3).
    virtual void snakeoil_fixup() {}
    virtual void template_fixup() {}
    virtual void setup_init() = 0;
    virtual void setup_network() = 0;
    virtual void set_hostname();
    virtual void set_timezone();
    // The guest binary whose ELF header names the architecture.
    virtual std::string architecture_probe_file();
    // Distributions whose init copes with a pure cgroup-v2 host whatever it is.
    virtual bool always_cgroup_v2_compatible() const { return false; }

    // Common steps.
    void clear_machine_id(bool clone);
    void randomize_crontab(Drand48& random);
    void set_root_password(const std::string& crypt_hash, int64_t days_since_epoch);
    void set_authorized_keys(const std::string& keys);
    void set_dns();
    void write_fastboot_marker();

protected:
    // Prefix of console devices: LXC's tty dir for privileged containers.
    virtual std::string tty_dir() const;

    int tty_count() const;
    std::string hostname() const;        // conf.hostname or "localhost"
    std::string short_hostname() const;  // up to the first dot
    DnsSettings dns() const;
    std::vector<GuestInterface> interfaces() const;
    bool init_is_systemd() const;        // /sbin/init links to .../systemd
    void warn(std::string message) { context_.log.warnings.push_back(std::move(message)); }
    void note(std::string message) { context_.log.notes.push_back(std::move(message)); }

    // Shared building blocks (guest-setup.md §4.3, §4.13-§4.16, §5).
    void update_etc_hosts();
    void setup_securetty(std::vector<std::string> entries = {});
    void setup_container_getty_service();
    void fixup_old_getty();
    void setup_systemd_preset(const std::map<std::string, bool>& overrides = {});
    void mask_static_units(const std::vector<std::string>& extra_units = {});
    void setup_systemd_networkd();
    void write_network_interfaces(const std::vector<GuestInterface>& interfaces, AddressStyle style);
    void remove_lxc_name_from_etc_hosts();

    GuestFiles& files_;
    const PluginContext& context_;

private:
    std::string systemd_unit_dir() const;
};

// "X.Y..." is at least major.minor (a missing minor counts as 0).
bool version_at_least(const std::optional<std::string>& version, int major, int minor);

}  // namespace pct::guest
