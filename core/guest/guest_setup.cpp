#include "core/guest/guest_setup.h"

#include <regex>

#include "core/error.h"
#include "core/guest/elf_architecture.h"
#include "core/guest/guest_files.h"
#include "core/guest/init_system.h"
#include "core/guest/os_detection.h"
#include "core/guest/plugin_registry.h"
#include "core/guest/sha512_crypt.h"

namespace pct::guest {

namespace {

constexpr int64_t kSecondsPerDay = 60 * 60 * 24;
constexpr size_t kSaltLength = 16;

std::string random_uuid(Random& random) {
    uint64_t high = random.next_u64();
    uint64_t low = random.next_u64();
    high = (high & ~uint64_t{0xF000}) | 0x4000;                 // version 4
    low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (uint64_t part : {high, low}) {
        for (int shift = 60; shift >= 0; shift -= 4) hex += digits[(part >> shift) & 0xF];
    }
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

std::string random_salt(Random& random) {
    static const char* alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string salt;
    for (size_t i = 0; i < kSaltLength; ++i) salt += alphabet[random.next_u64() % 64];
    return salt;
}

int64_t days_since_epoch(const Clock& clock) {
    int64_t now = clock.now_unix_seconds();
    return now >= 0 ? now / kSecondsPerDay : -((-now + kSecondsPerDay - 1) / kSecondsPerDay);
}

std::optional<std::string> configured_value(const ConfigSection& config, const char* key) {
    const std::string* value = config.get(key);
    if (!value) return std::nullopt;
    return *value;
}

void detect_architecture(GuestPlugin& plugin, GuestFs& fs, GuestSetupReport& report) {
    try {
        std::string probe = plugin.architecture_probe_file();
        report.detected_arch = elf_architecture(fs.read(probe, kElfHeaderBytes), probe);
        report.notes.push_back("Detected container architecture: " + *report.detected_arch);
    } catch (const UserError& error) {
        report.warnings.push_back(std::string("Architecture detection failed: ") + error.what());
        report.detected_arch = "amd64";
        report.notes.push_back("Falling back to amd64.");
        report.notes.push_back("Use `pct set VMID --arch ARCH` to change.");
    }
}

// Refuses to start on a guest whose /etc cannot be changed, so that a
// failure does not leave it half configured.
void check_etc_writable(const GuestFiles& files, GuestFs& fs) {
    if (!files.exists_at_all("/etc")) throw UserError("/etc not present in CT, is the rootfs mounted?");
    if (!fs.is_writable("/etc")) throw UserError("/etc in the container is not writable (read-only file system?)");
}

std::string password_hash(const std::optional<RootPassword>& password, Random& random) {
    if (!password) return "*";
    if (password->is_crypt_hash || looks_like_crypt_hash(password->value)) return password->value;
    return sha512_crypt(password->value, random_salt(random));
}

void run_operation(GuestPlugin& plugin, const GuestSetupInputs& inputs, const Clock& clock, Random& random) {
    switch (inputs.operation) {
        case GuestSetupOperation::PostCreate: {
            plugin.clear_machine_id(false);
            plugin.snakeoil_fixup();
            plugin.template_fixup();
            Drand48 crontab_random(inputs.crontab_seed ? *inputs.crontab_seed : random.next_u64());
            plugin.randomize_crontab(crontab_random);
            plugin.set_root_password(password_hash(inputs.root_password, random), days_since_epoch(clock));
            if (!inputs.ssh_public_keys.empty()) plugin.set_authorized_keys(inputs.ssh_public_keys);
            plugin.setup_init();
            plugin.setup_network();
            plugin.set_hostname();
            plugin.set_dns();
            plugin.set_timezone();
            break;
        }
        case GuestSetupOperation::PreStart:
            // Makes sysvinit-style boots skip fsck.
            plugin.write_fastboot_marker();
            plugin.setup_init();
            plugin.setup_network();
            plugin.set_hostname();
            plugin.set_dns();
            plugin.set_timezone();
            break;
        case GuestSetupOperation::PostClone:
            plugin.clear_machine_id(true);
            break;
        case GuestSetupOperation::RestoreFixup:
            plugin.template_fixup();
            break;
        case GuestSetupOperation::NetworkUpdate:
            plugin.setup_network();
            break;
    }
}

// Keys are generated on the host by the runtime, never by core.
std::optional<SshHostKeyPlan> plan_ssh_host_keys(const GuestFiles& files, const ConfigSection& config) {
    if (!files.is_directory("/etc/ssh")) return std::nullopt;
    const std::string* hostname = config.get("hostname");
    std::string name = hostname && !hostname->empty() ? *hostname : "localhost";
    return SshHostKeyPlan{{"rsa", "ecdsa", "ed25519"}, "root@" + name.substr(0, name.find('.'))};
}

}  // namespace

bool looks_like_crypt_hash(const std::string& password) {
    static const std::regex crypt_hash(R"(^\$(?:1|2[axy]?|5|6)\$[a-zA-Z0-9./]{1,16}\$[a-zA-Z0-9./]+$)");
    return std::regex_match(password, crypt_hash);
}

GuestSetupReport run_guest_setup(GuestFs& fs, const ConfigSection& config, const GuestSetupInputs& inputs,
                                 const Clock& clock, Random& random) {
    GuestFiles files(fs);
    GuestSetupReport report;
    bool checks_init = inputs.operation == GuestSetupOperation::PostCreate ||
                       inputs.operation == GuestSetupOperation::PostClone ||
                       inputs.operation == GuestSetupOperation::PreStart;

    OsRelease os_release = read_os_release(files);
    OsDetection detection = detect_os_type(files, os_release, configured_value(config, "ostype"));
    report.os_type = detection.os_type;
    report.warnings = detection.warnings;
    if (report.os_type == "unmanaged") {
        if (checks_init) report.cgroup_v2_compatible = true;
        return report;
    }

    SetupLog log;
    PluginContext context{config,
                          os_release,
                          inputs.host_resolv_conf,
                          inputs.host_timezone,
                          [&] { return inputs.fixed_uuid ? *inputs.fixed_uuid : random_uuid(random); },
                          log};
    auto plugin = make_guest_plugin(report.os_type, files, context);
    report.os_type = plugin->os_type();
    if (!config.has("arch")) detect_architecture(*plugin, fs, report);

    check_etc_writable(files, fs);
    run_operation(*plugin, inputs, clock, random);

    if (inputs.operation == GuestSetupOperation::PostCreate) report.ssh_host_keys = plan_ssh_host_keys(files, config);
    if (checks_init) {
        InitSystem init = inspect_init_system(files);
        if (auto warning = systemd_nesting_warning(config, init)) log.warnings.push_back(*warning);
        report.cgroup_v2_compatible = plugin->always_cgroup_v2_compatible() || supports_pure_cgroup_v2(init);
    }
    report.warnings.insert(report.warnings.end(), log.warnings.begin(), log.warnings.end());
    report.notes.insert(report.notes.end(), log.notes.begin(), log.notes.end());
    return report;
}

}  // namespace pct::guest
