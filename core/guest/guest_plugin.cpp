#include "core/guest/guest_plugin.h"

#include <cmath>
#include <regex>

#include "core/error.h"
#include "core/guest/managed_section.h"
#include "core/guest/systemd_networkd.h"
#include "core/guest/text_lines.h"
#include "core/property_string.h"

namespace pct::guest {

namespace {

constexpr int kDefaultTtyCount = 2;
constexpr int kMaxTtyCount = 6;
constexpr const char* kGettyWantsDir = "/etc/systemd/system/getty.target.wants";

// Replaces the first line that is exactly `from` by `to`; false if none.
bool replace_line(std::string& text, std::string_view from, std::string_view to) {
    for (size_t start = 0; start <= text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (std::string_view(text).substr(start, end - start) == from) {
            text.replace(start, end - start, to);
            return true;
        }
        if (end == text.size()) break;
        start = end + 1;
    }
    return false;
}

bool has_line_starting_with_address(std::string_view text, std::string_view address) {
    for (const auto& line : split_lines(text)) {
        std::string_view rest = line;
        while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
        if (rest.starts_with(address) && rest.size() > address.size() && is_blank(rest[address.size()])) return true;
    }
    return false;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (size_t i = 0; i < items.size(); ++i) text += (i ? separator : "") + items[i];
    return text;
}

}  // namespace

bool version_at_least(const std::optional<std::string>& version, int major, int minor) {
    static const std::regex pattern(R"(^(\d+)(?:\.(\d+))?)");
    std::smatch match;
    if (!version || !std::regex_search(*version, match, pattern)) return false;
    int actual_major = std::stoi(match[1]);
    if (actual_major != major) return actual_major > major;
    if (!match[2].matched) return minor == 0;
    return std::stoi(match[2]) >= minor;
}

std::string GuestPlugin::tty_dir() const {
    const std::string* unprivileged = context_.config.get("unprivileged");
    bool is_unprivileged = unprivileged && normalize_boolean(*unprivileged) == "1";
    return is_unprivileged ? "" : "lxc/";
}

int GuestPlugin::tty_count() const {
    const std::string* tty = context_.config.get("tty");
    if (!tty || tty->empty() || tty->find_first_not_of("0123456789") != std::string::npos || tty->size() > 2)
        return kDefaultTtyCount;
    return std::min(std::stoi(*tty), kMaxTtyCount);
}

std::string GuestPlugin::hostname() const {
    const std::string* name = context_.config.get("hostname");
    return name && !name->empty() ? *name : "localhost";
}

std::string GuestPlugin::short_hostname() const {
    std::string name = hostname();
    return name.substr(0, name.find('.'));
}

DnsSettings GuestPlugin::dns() const { return lookup_dns_settings(context_.config, context_.host_resolv_conf); }

std::vector<GuestInterface> GuestPlugin::interfaces() const { return guest_interfaces(context_.config); }

bool GuestPlugin::init_is_systemd() const {
    auto target = files_.readlink("/sbin/init");
    return target && target->ends_with("/systemd");
}

std::string GuestPlugin::systemd_unit_dir() const {
    return files_.is_executable("/lib/systemd/systemd") ? "/lib/systemd/system" : "/usr/lib/systemd/system";
}

std::string GuestPlugin::architecture_probe_file() { return "/bin/sh"; }

void GuestPlugin::write_fastboot_marker() { files_.write("/fastboot", ""); }

void GuestPlugin::clear_machine_id(bool clone) {
    bool uses_systemd =
        files_.is_executable("/lib/systemd/systemd") || files_.is_executable("/usr/lib/systemd/systemd");
    const std::string dbus_machine_id = "/var/lib/dbus/machine-id";
    const std::string machine_id = "/etc/machine-id";
    bool machine_id_existed = files_.exists(machine_id);

    if (files_.exists(dbus_machine_id) && !files_.is_symlink(dbus_machine_id) && uses_systemd)
        files_.unlink(dbus_machine_id);

    if (!machine_id_existed) return;
    if (!clone) {
        // Without a machine-id systemd does a first boot and applies presets.
        files_.unlink(machine_id);
        return;
    }
    // A clone keeps an empty id so that it does not run first-boot again.
    if (uses_systemd && files_.read_first_line(machine_id).value_or("") != "uninitialized")
        files_.write(machine_id, "\n");
}

void GuestPlugin::randomize_crontab(Drand48& random) {
    static const std::regex cron_d_name("[A-Za-z0-9_-]+");
    static const std::regex root_entry(R"(^\d+(\s+\S+\s+\S+\s+\S+\s+\S+\s+root\s+\S[^\n]*)$)");

    std::vector<std::string> crontabs;
    if (files_.exists("/etc/crontab")) crontabs.push_back("/etc/crontab");
    if (files_.is_directory("/etc/cron.d")) {
        for (const auto& name : files_.fs().list_directory("/etc/cron.d")) {
            if (std::regex_match(name, cron_d_name) && files_.exists("/etc/cron.d/" + name))
                crontabs.push_back("/etc/cron.d/" + name);
        }
    }

    for (const auto& path : crontabs) {
        std::string rewritten;
        for (const auto& line : split_lines(files_.read(path))) {
            std::smatch match;
            if (std::regex_match(line, match, root_entry)) {
                int minute = static_cast<int>(std::floor(random.next() * 59));
                rewritten += std::to_string(minute) + match[1].str() + "\n";
            } else {
                rewritten += line + "\n";
            }
        }
        files_.write(path, rewritten);
    }
}

void GuestPlugin::set_root_password(const std::string& crypt_hash, int64_t days_since_epoch) {
    const std::string passwd = "/etc/passwd";
    const std::string shadow = "/etc/shadow";
    if (!files_.exists(passwd)) return;

    // Rewrites root's fields in place; the file keeps its mode and owner.
    auto replace_root_fields = [&](const std::string& path, const std::string& password,
                                   std::optional<int64_t> last_change) {
        if (files_.is_ignored(path)) return;
        auto status = files_.fs().stat(path);
        if (!status) throw GuestFsError("unable to stat '" + path + "'");
        std::string text = files_.read(path);
        std::string rewritten;
        size_t fields = last_change ? 3 : 2;  // "root:" and the fields replaced, colons included
        for (size_t start = 0; start < text.size();) {
            size_t end = text.find('\n', start);
            end = end == std::string::npos ? text.size() : end + 1;
            std::string line = text.substr(start, end - start);
            start = end;
            if (line.starts_with("root:")) {
                size_t position = 0;
                size_t colons = 0;
                for (size_t colon; colons < fields && (colon = line.find(':', position)) != std::string::npos;) {
                    ++colons;
                    position = colon + 1;
                }
                if (colons == fields) {
                    std::string replaced = "root:" + password + ":";
                    if (last_change) replaced += std::to_string(*last_change) + ":";
                    line = replaced + line.substr(position);
                }
            }
            rewritten += line;
        }
        files_.fs().write(path, rewritten, status->mode & 07777);
        files_.fs().chown(path, status->uid, status->gid);
    };

    if (files_.exists(shadow)) {
        replace_root_fields(shadow, crypt_hash, days_since_epoch);
        replace_root_fields(passwd, "x", std::nullopt);
    } else {
        replace_root_fields(passwd, crypt_hash, std::nullopt);
    }
}

void GuestPlugin::set_authorized_keys(const std::string& keys) {
    std::string home = "/root/";
    if (files_.exists("/etc/passwd")) {
        home.clear();
        for (const auto& line : split_lines(files_.read("/etc/passwd"))) {
            if (!line.starts_with("root:")) continue;
            std::vector<std::string> fields;
            size_t start = 0;
            for (size_t colon; (colon = line.find(':', start)) != std::string::npos; start = colon + 1)
                fields.push_back(line.substr(start, colon - start));
            // The home field must be followed by a colon (the shell field).
            if (fields.size() >= 6) {
                home = fields[5];
                break;
            }
        }
    }
    if (!files_.is_directory(home) && !files_.is_symlink(home))
        throw UserError("home directory '" + home + "' of root does not exist!");
    std::string ssh_dir = home + "/.ssh";
    if (!files_.is_directory(ssh_dir)) files_.mkdir(ssh_dir, 0700);
    files_.modify(ssh_dir + "/authorized_keys", keys, SectionUpdate{SectionPlacement::Append, false, 0700});
}

void GuestPlugin::set_dns() {
    DnsSettings settings = dns();
    std::string data;
    if (!settings.search_domains.empty()) data += "search " + joined(settings.search_domains, " ") + "\n";
    for (const auto& server : settings.nameservers) data += "nameserver " + server + "\n";
    files_.modify("/etc/resolv.conf", data, SectionUpdate{SectionPlacement::Replace});
}

void GuestPlugin::set_hostname() {
    update_etc_hosts();
    files_.write("/etc/hostname", short_hostname() + "\n");
}

void GuestPlugin::update_etc_hosts() {
    const std::string hosts = "/etc/hosts";
    if (files_.is_ignored(hosts)) return;

    std::string name = hostname();
    std::string short_name = short_hostname();
    std::string all_names;
    if (name.find('.') != std::string::npos) {
        all_names = name + " " + short_name;
    } else {
        for (const auto& domain : dns().search_domains) all_names += name + "." + domain + " ";
        all_names += name;
    }

    const std::string loopback4 = "127.0.0.1 localhost.localnet localhost\n";
    const std::string loopback6 = "::1 localhost.localnet localhost\n";
    std::string section;
    if (files_.exists(hosts)) {
        // Only the user's entries count, not those of an earlier section.
        std::string user_entries = remove_managed_sections(files_.read(hosts));
        if (!has_line_starting_with_address(user_entries, "127.0.0.1")) section += loopback4;
        if (!has_line_starting_with_address(user_entries, "::1")) section += loopback6;
    } else {
        section += loopback4 + loopback6;
    }

    if (auto address = primary_address(context_.config)) {
        section += *address + " " + all_names + "\n";
    } else if (short_name != "localhost") {
        section += "127.0.1.1 " + all_names + "\n";
    } else {
        section += "127.0.1.1 " + short_name + "\n";
    }
    files_.modify(hosts, section);
}

void GuestPlugin::set_timezone() {
    const std::string* zone = context_.config.get("timezone");
    if (!zone) return;

    bool from_host = *zone == "host";
    if (from_host && !context_.host_timezone)
        throw UserError("timezone 'host' needs the host's /etc/localtime, which is unknown");
    std::string zone_file = from_host ? context_.host_timezone->localtime_path : "/usr/share/zoneinfo/" + *zone;
    if (!files_.exists(zone_file)) {
        warn("container does not have " + zone_file + ", timezone can not be modified");
        return;
    }
    if (files_.canonical_path("/etc/localtime") != zone_file) {
        // Replace /etc/localtime atomically by renaming a prepared link over it.
        const std::string staged_link = "/localtime.pct.new.tmpfile";
        files_.unlink(staged_link);
        files_.symlink(zone_file, staged_link);
        if (!files_.rename(staged_link, "/etc/localtime")) files_.unlink(staged_link);
    }
    if (files_.exists("/etc/timezone"))
        files_.write("/etc/timezone", (from_host ? context_.host_timezone->name : *zone) + "\n");
}

void GuestPlugin::setup_securetty(std::vector<std::string> entries) {
    const std::string securetty = "/etc/securetty";
    // Without the file root may log in on every device already.
    if (!files_.exists(securetty)) return;
    if (entries.empty()) {
        for (const char* device : {"console", "tty1", "tty2", "tty3", "tty4"}) entries.push_back(tty_dir() + device);
    }
    std::string text = files_.read(securetty);
    if (text.ends_with('\n')) text.pop_back();
    text += "\n";
    auto lines = split_lines(text);
    for (const auto& entry : entries) {
        bool present = false;
        for (const auto& line : lines) {
            if (line.starts_with(entry) && skip_spaces(std::string_view(line).substr(entry.size())).empty())
                present = true;
        }
        if (!present) {
            text += entry + "\n";
            lines.push_back(entry);
        }
    }
    files_.write(securetty, text);
}

void GuestPlugin::setup_container_getty_service() {
    const std::string template_path = systemd_unit_dir() + "/container-getty@.service";
    if (!files_.exists(template_path)) return;

    std::string unit = files_.read(template_path);
    static const std::regex console_device("pts/%I|lxc/tty%I");
    std::string adjusted = std::regex_replace(unit, console_device, tty_dir() + "tty%I");
    if (adjusted != unit) files_.write(template_path, adjusted);

    int count = tty_count();
    for (int i = 1; i <= kMaxTtyCount; ++i) {
        // Never two gettys on one tty.
        std::string wants = kGettyWantsDir;
        files_.unlink(wants + "/getty@tty" + std::to_string(i) + ".service");
        files_.unlink(wants + "/container-getty@" + std::to_string(i) + ".service");
        if (i <= count) files_.symlink(template_path, wants + "/container-getty@" + std::to_string(i) + ".service");
    }
    // Undo a mask of getty.target.
    files_.unlink("/etc/systemd/system/getty.target");
}

void GuestPlugin::fixup_old_getty() {
    const std::string unit_dir = systemd_unit_dir();
    const std::string getty_unit = unit_dir + "/getty@.service";
    if (!files_.exists(getty_unit)) return;
    std::string unit = files_.read(getty_unit);
    // systemd before container-getty@ (CentOS 7.1) needs /dev/tty as condition.
    bool changed = files_.exists(unit_dir + "/container-getty@.service")
                       ? replace_line(unit, "ConditionPathExists=/dev/tty", "ConditionPathExists=/dev/tty0")
                       : replace_line(unit, "ConditionPathExists=/dev/tty0", "ConditionPathExists=/dev/tty");
    if (changed) files_.write(getty_unit, unit);
}

void GuestPlugin::setup_systemd_preset(const std::map<std::string, bool>& overrides) {
    std::map<std::string, bool> preset = {
        {"sys-kernel-config.mount", false},
        {"sys-kernel-debug.mount", false},
        {"getty@.service", false},
        {"container-getty@.service", true},
    };
    for (const auto& [unit, enabled] : overrides) preset[unit] = enabled;

    std::string data = "# Added by PVE at create-time for first-boot configuration.\n";
    for (const auto& [unit, enabled] : preset) data += (enabled ? "enable " : "disable ") + unit + "\n";
    files_.make_path("/etc/systemd/system-preset");
    files_.write("/etc/systemd/system-preset/00-pve.preset", data);
}

void GuestPlugin::mask_static_units(const std::vector<std::string>& extra_units) {
    std::vector<std::string> units = {"sys-kernel-config.mount", "sys-kernel-debug.mount"};
    units.insert(units.end(), extra_units.begin(), extra_units.end());
    for (const auto& unit : units) {
        std::string path = "/etc/systemd/system/" + unit;
        if (!files_.exists(path)) files_.symlink("/dev/null", path);
    }
}

void GuestPlugin::setup_systemd_networkd() {
    for (const auto& interface : interfaces()) {
        files_.make_path("/etc/systemd/network");
        files_.write("/etc/systemd/network/" + interface.name + ".network", render_networkd_file(interface));
    }
}

void GuestPlugin::write_network_interfaces(const std::vector<GuestInterface>& interfaces, AddressStyle style) {
    const std::string path = "/etc/network/interfaces";
    std::optional<std::string> existing;
    if (files_.exists(path)) existing = files_.read(path);
    auto content = render_debian_interfaces(existing, interfaces, style);
    if (!content) return;
    files_.make_path("/etc/network");
    files_.write(path, *content);
}

void GuestPlugin::remove_lxc_name_from_etc_hosts() {
    const std::string hosts = "/etc/hosts";
    if (!files_.exists(hosts)) return;
    // Templates from the LXC image server carry this placeholder.
    static const std::regex placeholder(R"(^127.0.1.1\s+LXC_NAME$)");
    std::vector<std::string> kept;
    for (auto& line : split_lines(files_.read(hosts))) {
        if (!std::regex_match(line, placeholder)) kept.push_back(std::move(line));
    }
    files_.write(hosts, join_lines(kept));
}

}  // namespace pct::guest
