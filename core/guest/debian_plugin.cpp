#include "core/guest/debian_plugin.h"

#include <map>
#include <regex>

#include "core/error.h"
#include "core/guest/text_lines.h"

namespace pct::guest {

namespace {

constexpr int kMinimumRelease = 4;   // hard limit
constexpr int kNewestTestedRelease = 14;  // newer ones only warn

constexpr const char* kSnakeoilKey = "/etc/ssl/private/ssl-cert-snakeoil.key";
constexpr const char* kSnakeoilUnitName = "proxmox-regenerate-snakeoil.service";
constexpr const char* kSnakeoilUnit =
    "[Unit]\n"
    "Description=\"Regenerate pre-generated snakeoil certificate and key-pair once\"\n"
    "ConditionPathExists=/etc/ssl/certs/ssl-cert-snakeoil.pem\n"
    "ConditionFirstBoot=yes\n"
    "Wants=first-boot-complete.target\n"
    "Before=first-boot-complete.target\n"
    "\n"
    "[Service]\n"
    "Type=oneshot\n"
    "ExecStart=make-ssl-cert -f generate-default-snakeoil\n";

int parse_debian_version(GuestFiles& files, SetupLog& log) {
    auto version = files.read_first_line("/etc/debian_version");
    if (!version) throw UserError("unable to read version info");

    // Testing releases and derivatives name a codename instead of a number.
    static const std::map<std::string, std::string> codenames = {
        {"stretch/sid", "9.1"}, {"buster/sid", "10"}, {"bullseye/sid", "11"}, {"bookworm/sid", "12"},
        {"trixie/sid", "13"},   {"forky/sid", "14"},  {"duke/sid", "15"},     {"kali-rolling", "12"},
    };
    if (auto it = codenames.find(*version); it != codenames.end()) *version = it->second;

    static const std::regex number(R"(^(\d+)(\.\d+)?)");
    std::smatch match;
    if (!std::regex_search(*version, match, number)) throw UserError("unable to parse version info '" + *version + "'");
    int major = std::stoi(match[1]);
    if (major < kMinimumRelease)
        throw UserError("Container Debian version '" + std::to_string(major) + "' is too old");
    if (major > kNewestTestedRelease) {
        log.warnings.push_back("The container's Debian version '" + std::to_string(major) +
                               "' is newer than the tested version '" + std::to_string(kNewestTestedRelease) +
                               "'. While everything may work fine, full compatibility cannot be guaranteed. "
                               "Please check for PVE system updates.");
    }
    return major;
}

}  // namespace

DebianPlugin::DebianPlugin(GuestFiles& files, const PluginContext& context)
    : DebianPlugin(files, context, parse_debian_version(files, context.log)) {}

DebianPlugin::DebianPlugin(GuestFiles& files, const PluginContext& context, std::optional<int> debian_version)
    : GuestPlugin(files, context), debian_version_(debian_version) {}

AddressStyle DebianPlugin::address_style() const {
    return debian_version_ && *debian_version_ >= 10 ? AddressStyle::Cidr : AddressStyle::Classic;
}

void DebianPlugin::snakeoil_fixup() {
    // Templates with `ssl-cert` installed ship a key pair every container would share.
    if (!files_.exists(kSnakeoilKey)) return;
    if (init_is_systemd()) {
        std::string unit_path = std::string("/etc/systemd/system/") + kSnakeoilUnitName;
        note(std::string("Setting up '") + kSnakeoilUnitName + "' to regenerate snakeoil certificate..");
        files_.make_path("/etc/systemd/system/first-boot-complete.target.wants");
        files_.write(unit_path, kSnakeoilUnit);
        files_.symlink(unit_path, std::string("/etc/systemd/system/first-boot-complete.target.wants/") +
                                      kSnakeoilUnitName);
    } else {
        warn("Template contains pre-generated snakeoil certificate!");
        warn("Run `make-ssl-cert generate-default-snakeoil -f` to regenerate it!");
    }
    // Never leave the shared key usable, even if regeneration fails.
    files_.unlink(kSnakeoilKey);
}

void DebianPlugin::setup_init() {
    if (init_is_systemd()) {
        setup_container_getty_service();
        // Debian uses ifupdown; presets only matter at first boot.
        if (debian_version_ && *debian_version_ >= 12) setup_systemd_preset({{"systemd-networkd.service", false}});
    }
    setup_inittab();
}

void DebianPlugin::setup_inittab() {
    const std::string inittab = "/etc/inittab";
    if (!files_.exists(inittab)) return;
    static const std::regex getty_line(R"(^\s*\d+:\d*:[^:]*:.*getty)");
    static const std::regex power_line(R"(^\s*p[fno0]:)");

    std::vector<std::string> kept;
    for (auto& line : split_lines(files_.read(inittab))) {
        if (!std::regex_search(line, getty_line) && !std::regex_search(line, power_line)) kept.push_back(std::move(line));
    }
    std::string text = join_lines(kept) + "p0::powerfail:/sbin/init 0\n";
    bool old_getty = debian_version_ && *debian_version_ < 7;
    for (int id = 1; id <= tty_count(); ++id) {
        if (id == 7) continue;  // reserved for X11
        std::string levels = id == 1 ? "2345" : "23";
        text += std::to_string(id) + ":" + levels + ":respawn:/sbin/getty " + (old_getty ? "-L" : "--noclear") +
                " 38400 tty" + std::to_string(id) + "\n";
    }
    files_.write(inittab, text);
}

void DebianPlugin::setup_network() { write_network_interfaces(interfaces(), address_style()); }

}  // namespace pct::guest
