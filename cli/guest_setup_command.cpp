// `pct guest-setup`: the post-create guest setup applied to a root
// filesystem, for the conformance fixtures (conformance/README.md).
#include "cli/guest_setup_command.h"

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/context.h"
#include "core/clock.h"
#include "core/config_file.h"
#include "core/error.h"
#include "core/guest/guest_setup.h"
#include "core/idmap.h"
#include "core/property_string.h"
#include "runtime/linux_guest_fs.h"
#include "runtime/system_random.h"

namespace pct::cli {

namespace {

namespace po = boost::program_options;

class SystemClock : public Clock {
public:
    int64_t now_unix_seconds() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

struct GuestSetupOptions {
    std::string rootfs;
    std::string conf;
    std::optional<std::string> password_hash;
    std::vector<std::string> ssh_keys;
    std::optional<uint64_t> seed;
    std::optional<std::string> uuid;
    std::string host_resolv_conf = "/etc/resolv.conf";
};

GuestSetupOptions parse_options(const std::vector<std::string>& args) {
    po::options_description description("guest-setup options");
    description.add_options()                                                     //
        ("rootfs", po::value<std::string>()->required(), "container root directory")  //
        ("conf", po::value<std::string>()->required(), "container config file")       //
        ("password-hash", po::value<std::string>(), "root password as crypt(3) hash")  //
        ("ssh-key", po::value<std::vector<std::string>>(), "authorized key for root")  //
        ("seed", po::value<uint64_t>(), "crontab randomisation seed")                  //
        ("uuid", po::value<std::string>(), "UUID for generated network files")         //
        ("host-resolv-conf", po::value<std::string>(), "host resolv.conf with DNS defaults");
    po::variables_map values;
    try {
        po::store(po::command_line_parser(args).options(description).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UserError(std::string("guest-setup: ") + error.what());
    }

    GuestSetupOptions options;
    options.rootfs = values["rootfs"].as<std::string>();
    options.conf = values["conf"].as<std::string>();
    if (values.count("password-hash")) options.password_hash = values["password-hash"].as<std::string>();
    if (values.count("ssh-key")) options.ssh_keys = values["ssh-key"].as<std::vector<std::string>>();
    if (values.count("seed")) options.seed = values["seed"].as<uint64_t>();
    if (values.count("uuid")) {
        static const std::regex uuid(R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
        options.uuid = values["uuid"].as<std::string>();
        if (!std::regex_match(*options.uuid, uuid))
            throw UserError("invalid --uuid '" + *options.uuid + "': expected 8-4-4-4-12 hexadecimal digits");
    }
    if (values.count("host-resolv-conf")) options.host_resolv_conf = values["host-resolv-conf"].as<std::string>();
    return options;
}

std::optional<std::string> read_host_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

// "/etc/pve/lxc/100.conf" -> 100; 0 when the name carries no id.
int vmid_of_config_file(const std::string& path) {
    std::string stem = std::filesystem::path(path).stem().string();
    if (stem.empty() || stem.size() > 9 || stem.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(stem);
}

// Host ids of the container's root user when it runs in a user namespace.
std::optional<GuestFileOwner> mapped_root_owner(const ConfigSection& config) {
    std::vector<IdMapEntry> custom;
    for (const auto& [key, value] : config.lxc) {
        if (key == "lxc.idmap") custom.push_back(parse_idmap_entry(value));
    }
    const std::string* unprivileged = config.get("unprivileged");
    auto map = effective_idmap(custom, unprivileged && normalize_boolean(*unprivileged) == "1");
    if (map.empty()) return std::nullopt;
    return GuestFileOwner{root_host_id(map, 'u'), root_host_id(map, 'g')};
}

// Only `timezone: host` needs the host's zone.
std::optional<guest::HostTimezone> host_timezone(const ConfigSection& config) {
    const std::string* zone = config.get("timezone");
    if (!zone || *zone != "host") return std::nullopt;
    std::error_code error;
    auto localtime = std::filesystem::canonical("/etc/localtime", error);
    if (error) throw UserError("unable to resolve the host's /etc/localtime: " + error.message());
    std::string name;
    if (auto timezone = read_host_file("/etc/timezone")) {
        name = timezone->substr(0, timezone->find('\n'));
    } else {
        const std::string zoneinfo = "/usr/share/zoneinfo/";
        name = localtime.string().starts_with(zoneinfo) ? localtime.string().substr(zoneinfo.size()) : "UTC";
    }
    return guest::HostTimezone{localtime.string(), name};
}

}  // namespace

int run_guest_setup(const std::vector<std::string>& args) {
    GuestSetupOptions options = parse_options(args);
    if (options.rootfs.empty() || std::filesystem::path(options.rootfs).lexically_normal() == "/")
        throw UserError("no root directory");
    if (!std::filesystem::is_directory(options.rootfs))
        throw UserError("rootfs '" + options.rootfs + "' is not a directory");

    auto config_text = read_host_file(options.conf);
    if (!config_text) throw UserError("unable to read config file '" + options.conf + "'");
    auto parsed = parse_config(*config_text, vmid_of_config_file(options.conf));
    for (const auto& problem : parsed.problems) warn(options.conf + " line " + std::to_string(problem.line) + ": " + problem.message);
    const ConfigSection& config = parsed.config.main;

    guest::GuestSetupInputs inputs;
    inputs.operation = guest::GuestSetupOperation::PostCreate;
    if (options.password_hash) inputs.root_password = guest::RootPassword{*options.password_hash, true};
    for (const auto& key : options.ssh_keys) inputs.ssh_public_keys += key + "\n";
    inputs.crontab_seed = options.seed;
    inputs.fixed_uuid = options.uuid;
    inputs.host_resolv_conf = read_host_file(options.host_resolv_conf).value_or("");
    inputs.host_timezone = host_timezone(config);

    LinuxGuestFs guest_fs(options.rootfs, mapped_root_owner(config));
    SystemClock clock;
    SystemRandom random;
    auto report = guest::run_guest_setup(guest_fs, config, inputs, clock, random);

    for (const auto& warning : report.warnings) warn(warning);
    for (const auto& note : report.notes) std::printf("%s\n", note.c_str());
    if (report.ssh_host_keys) {
        std::string files;
        for (const auto& type : report.ssh_host_keys->key_types) files += " /etc/ssh/ssh_host_" + type + "_key";
        std::printf("SSH host keys are created by pct create, not by guest-setup:%s\n", files.c_str());
    }
    return 0;
}

}  // namespace pct::cli
