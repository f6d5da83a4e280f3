#pragma once
// Every path the tool derives on its own lives under $PCT_ROOT (default "/"),
// so tests and demos never touch the real host (design.md, host state layout).
#include <string>

namespace pct {

class HostPaths {
public:
    explicit HostPaths(std::string root);
    static HostPaths from_environment();  // $PCT_ROOT or "/"

    const std::string& root() const { return root_; }
    std::string config_dir() const { return root_ + "etc/pve/lxc"; }
    std::string config_file(int vmid) const { return config_dir() + "/" + std::to_string(vmid) + ".conf"; }
    std::string storage_config() const { return root_ + "etc/pve/storage.cfg"; }
    std::string default_local_storage() const { return root_ + "var/lib/vz"; }
    std::string lock_dir() const { return root_ + "run/lock/pct"; }
    std::string run_dir(int vmid) const { return root_ + "run/pct/" + std::to_string(vmid); }
    std::string run_base() const { return root_ + "run/pct"; }
    // `pct mount` puts the volumes under <this>/rootfs (cli.md §3.15).
    std::string host_mount_dir(int vmid) const { return root_ + "var/lib/lxc/" + std::to_string(vmid); }

private:
    std::string root_;  // always ends with '/'
};

// Directory of the running executable (pct, pct-monitor and pct-post-stop
// are installed side by side).
std::string executable_directory();

}  // namespace pct
