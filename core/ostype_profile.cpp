#include "core/ostype_profile.h"

#include <map>

namespace pct {

const OstypeProfile& ostype_profile(const std::string& ostype) {
    static const std::map<std::string, OstypeProfile> profiles = {
        {"debian", {.empty_tty_dir = true, .v1_device_allows = true}},
        {"devuan", {.empty_tty_dir = true, .v1_device_allows = true}},
        {"ubuntu",
         {.v1_device_allows = true,
          .mount_entries = {"/sys/kernel/debug sys/kernel/debug none bind,optional 0 0",
                            "/sys/kernel/security sys/kernel/security none bind,optional 0 0",
                            "/sys/fs/pstore sys/fs/pstore none bind,optional 0 0",
                            "mqueue dev/mqueue mqueue rw,relatime,create=dir,optional 0 0"},
          .userns_mount_entries = {"/sys/firmware/efi/efivars sys/firmware/efi/efivars none bind,optional 0 0",
                                   "/proc/sys/fs/binfmt_misc proc/sys/fs/binfmt_misc none bind,optional 0 0"}}},
        {"centos", {.cap_drops = {"CAP_SYS_NICE", "CAP_SYS_PACCT"}}},
        {"fedora", {.cap_drops = {"CAP_SETFCAP", "CAP_SYS_NICE", "CAP_SYS_PACCT"}}},
        {"opensuse", {.empty_tty_dir = true, .cap_drops = {"CAP_SYS_NICE", "CAP_SYS_PACCT"}}},
        {"archlinux", {.cap_drops = {"CAP_SETFCAP", "CAP_SYS_NICE", "CAP_SYS_PACCT"}, .halt_signal = "SIGRTMIN+4"}},
        {"alpine",
         {.empty_tty_dir = true,
          .cap_drops = {"CAP_AUDIT_WRITE", "CAP_IPC_OWNER", "CAP_MKNOD", "CAP_SYS_NICE", "CAP_SYS_PACCT",
                        "CAP_SYS_RESOURCE", "CAP_SYS_TTY_CONFIG", "CAP_SYSLOG", "CAP_WAKE_ALARM"},
          .mount_entries = {"run run tmpfs rw,nodev,relatime,mode=755 0 0",
                            "shm dev/shm tmpfs rw,nodev,noexec,nosuid,relatime,mode=1777,create=dir 0 0"}}},
        {"gentoo",
         {.empty_tty_dir = true,
          .v1_device_allows = true,
          .mount_entries = {"shm dev/shm tmpfs rw,nosuid,nodev,create=dir 0 0"}}},
    };
    static const OstypeProfile plain;
    auto it = profiles.find(ostype);
    return it == profiles.end() ? plain : it->second;
}

}  // namespace pct
