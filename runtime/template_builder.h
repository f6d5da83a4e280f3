#pragma once
// `pveam build`: container templates made on this host, so that tests and
// demos need no download: a tiny busybox system from the host's static
// busybox, and a minimal Debian 12 made with debootstrap.
#include <ostream>
#include <string>
#include <vector>

namespace pct {

struct BuiltTemplate {
    std::string file_name;  // "busybox-1.35.0-1_amd64.tar.zst"
    std::string path;       // <cache_dir>/<file_name>
};

// A root tree with /bin/busybox (a static binary: Debian's busybox-static),
// its applet links, /sbin/init and a minimal /etc (inittab, rcS, passwd,
// group, shadow, hostname, hosts, network/interfaces), every entry owned
// 0:0, packed as tar.zst into `cache_dir`. No /etc/os-release: busybox is no
// distribution, so guest setup treats it as `unmanaged`. The archive is
// written to a temp file and renamed; a failure leaves nothing behind.
BuiltTemplate build_busybox_template(const std::string& cache_dir, const std::string& busybox = "/bin/busybox");

// "1.35.0" from the first line of `busybox --help`
// ("BusyBox v1.35.0 (Debian 1:1.35.0-4) multi-call binary.").
// Throws UserError when the line has no version.
std::string busybox_version_from_help(const std::string& help_text);

// debootstrap --variant=minbase with systemd-sysv, ifupdown and iproute2
// into a temp dir inside `cache_dir`, then packed with numeric owners as
// debian-12-standard_12.0-1_<arch>.tar.zst. debootstrap's output goes to
// `log`. Takes minutes and needs the mirror to be reachable.
BuiltTemplate build_debian_template(const std::string& cache_dir, const std::string& mirror, std::ostream& log);

// The Debian mirror the host's apt uses: the first `deb` source (one-line
// sources.list syntax or deb822 `.sources` stanzas) whose suites include a
// plain release name (no `-security`/`-updates`) and whose URI path ends in
// /debian. Returns "" when there is none.
std::string debian_mirror_from_apt_sources(const std::vector<std::string>& one_line_files,
                                           const std::vector<std::string>& deb822_files);

// $PVEAM_DEBIAN_MIRROR, else the mirror of /etc/apt/sources.list and
// /etc/apt/sources.list.d/*.{list,sources}. Throws UserError when neither
// names one.
std::string host_debian_mirror();

// Packs `root` as `./...` entries into a zstd-compressed tar at
// `archive_path`, keeping numeric owners, modes, times, hard links, ACLs,
// xattrs and holes of sparse files; does not cross mount points and leaves
// the contents of ./dev out.
void pack_directory_tree(const std::string& root, const std::string& archive_path);

}  // namespace pct
