#include "core/guest/ubuntu_plugin.h"

#include <algorithm>
#include <regex>
#include <vector>

#include "core/error.h"

namespace pct::guest {

namespace {

constexpr int kFirstKnownRegularRelease = 17;  // from 17.04 on every .04 and .10 is known
constexpr int kLastKnownRelease = 26;

std::string upstart_tty_job(int tty) {
    std::string name = "tty" + std::to_string(tty);
    return "# " + name + " - getty\n"
           "#\n"
           "# This service maintains a getty on " + name + " from the point the system is\n"
           "# started until it is shut down again.\n"
           "\n"
           "start on stopped rc RUNLEVEL=[2345] and (\n"
           "            not-container or\n"
           "            container CONTAINER=lxc or\n"
           "            container CONTAINER=lxc-libvirt)\n"
           "\n"
           "stop on runlevel [!2345]\n"
           "\n"
           "respawn\n"
           "exec /sbin/getty -8 38400 " + name + "\n";
}

}  // namespace

UbuntuPlugin::Version UbuntuPlugin::parse_version(GuestFiles& files, SetupLog& log) {
    std::string lsb_release = files.exists("/etc/lsb-release") ? files.read("/etc/lsb-release") : "";
    static const std::regex distributor(R"((^|\n)DISTRIB_ID=Ubuntu(\n|$))", std::regex::icase);
    if (!std::regex_search(lsb_release, distributor)) throw UserError("got unknown DISTRIB_ID");
    static const std::regex release(R"((^|\n)DISTRIB_RELEASE=(\d+)\.(\d+)(\n|$))", std::regex::icase);
    std::smatch match;
    if (!std::regex_search(lsb_release, match, release)) throw UserError("unable to read version info");

    std::string text = match[2].str() + "." + match[3].str();
    Version version{std::stoi(match[2]), std::stoi(match[3])};
    bool regular = (match[3] == "04" || match[3] == "10") && version.major >= kFirstKnownRegularRelease &&
                   version.major <= kLastKnownRelease;
    static const std::vector<std::string> early_releases = {"12.04", "14.04", "15.04", "15.10", "16.04", "16.10"};
    bool known = regular || std::find(early_releases.begin(), early_releases.end(), text) != early_releases.end();
    if (!known) {
        if (version.major < kFirstKnownRegularRelease)
            throw UserError("unsupported ancient Ubuntu version '" + text + "'");
        log.warnings.push_back("The container's Ubuntu version '" + text +
                               "' is not in the list of tested versions. While everything may work fine, full "
                               "compatibility cannot be guaranteed. Please check for PVE system updates.");
    }
    return version;
}

UbuntuPlugin::UbuntuPlugin(GuestFiles& files, const PluginContext& context)
    : DebianPlugin(files, context, std::nullopt), version_(parse_version(files, context.log)) {}

void UbuntuPlugin::template_fixup() {
    const Version artful{17, 10};
    if (version_ >= artful && version_ < Version{23, 4}) {
        // Enable systemd-networkd, which these releases ship disabled.
        files_.mkdir("/etc/systemd/system/multi-user.target.wants");
        files_.mkdir("/etc/systemd/system/socket.target.wants");
        files_.symlink("/lib/systemd/system/systemd-networkd.service",
                       "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service");
        files_.symlink("/lib/systemd/system/systemd-networkd.socket",
                       "/etc/systemd/system/socket.target.wants/systemd-networkd.socket");
    }
    if (version_ >= artful) files_.unlink("/etc/netplan/10-lxc.yaml");  // the template's lxc netplan config
    if (version_ == Version{15, 4} || version_ == Version{15, 10} || version_ == Version{16, 4})
        setup_securetty({"pts/0"});  // allow login on the console
    if (version_ == Version{12, 4} && files_.exists("/etc/udev/udev.conf")) {
        // Silence udev's log level output.
        std::string udev = files_.read("/etc/udev/udev.conf");
        if (size_t at = udev.find("=\"err\""); at != std::string::npos) udev.replace(at, 6, "=0");
        files_.write("/etc/udev/udev.conf", udev);
    }
}

void UbuntuPlugin::setup_init() {
    if (version_ >= Version{23, 4}) setup_systemd_preset({{"systemd-networkd.service", true}});
    if (version_ >= Version{16, 10}) setup_container_getty_service();
    if (version_ == Version{12, 4} || version_ == Version{14, 4}) {
        for (int tty = 1; tty <= 6; ++tty) {
            std::string job = "/etc/init/tty" + std::to_string(tty) + ".conf";
            if (tty <= tty_count()) {
                files_.write(job, upstart_tty_job(tty));
            } else {
                files_.unlink(job);
            }
        }
    }
}

void UbuntuPlugin::setup_network() {
    if (version_ >= Version{17, 10}) {
        setup_systemd_networkd();
    } else {
        DebianPlugin::setup_network();
    }
}

}  // namespace pct::guest
