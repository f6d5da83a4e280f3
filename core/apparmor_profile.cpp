#include "core/apparmor_profile.h"

#include "core/apparmor_path_patterns.h"

namespace pct {

namespace {

class ProfileText {
public:
    void section(const std::string& title) { text_ += "\n  ### " + title + "\n"; }
    void comment(const std::string& line) { text_ += "  # " + line + "\n"; }
    void rule(const std::string& line) { text_ += "  " + line + ",\n"; }
    void raw(const std::string& line) { text_ += "  " + line + "\n"; }
    void rules(const std::string& before, const std::vector<std::string>& paths, const std::string& after) {
        for (const auto& path : paths) rule(before + path + after);
    }
    std::string& text() { return text_; }

private:
    std::string text_;
};

// Mount sources a container may bind or move: anything but /proc, /sys, /dev
// itself and the nesting helpers below /dev/.lxc.
std::vector<std::string> bindable_paths() { return apparmor_paths_outside("/", {"dev/.lxc", "proc", "sys"}); }

// rbind additionally refuses all of /dev (and / itself, which no glob matches).
std::vector<std::string> rbindable_paths() { return apparmor_paths_outside("/", {"dev", "proc", "sys"}); }

void base_rules(ProfileText& p) {
    p.section("base");
    for (const char* rule : {"capability", "dbus", "file", "network", "umount"}) p.rule(rule);
    p.rule("signal (receive)");
    p.rule("signal peer=@{profile_name}");
    p.rule("ptrace (readby)");
    p.rule("ptrace (tracedby)");
    p.rule("ptrace peer=@{profile_name}");

    p.comment("guest inits remount / read-only at shutdown; refuse without logging noise");
    p.rule("deny mount options=(ro, remount) -> /");
    p.rule("deny mount options=(ro, remount, silent) -> /");

    p.comment("file systems that are safe anywhere");
    for (const char* type : {"tmpfs", "hugetlbfs", "mqueue", "fuse", "fuse.*"}) p.rule(std::string("mount fstype=") + type);
    p.comment("kernel file systems, only where they belong");
    p.rule("mount fstype=binfmt_misc -> /proc/sys/fs/binfmt_misc/");
    p.rule("mount fstype=efivarfs -> /sys/firmware/efi/efivars/");
    p.rule("mount fstype=fusectl -> /sys/fs/fuse/connections/");
    p.rule("mount fstype=securityfs -> /sys/kernel/security/");
    p.rule("mount fstype=debugfs -> /sys/kernel/debug/");
    p.rule("deny mount fstype=debugfs -> /var/lib/ureadahead/debugfs/");
    p.rule("mount fstype=proc -> /proc/");
    p.rule("mount fstype=sysfs -> /sys/");
    p.rule("mount options=(rw, nosuid, nodev, noexec, remount) -> /sys/");
    p.rule("mount options=(ro, nosuid, nodev, noexec, remount, strictatime) -> /sys/fs/cgroup/");

    p.comment("host hardware and kernel internals");
    p.rule("deny /proc/bus/** wklx");
    p.rule("deny /proc/kcore rwklx");
    p.rule("deny /proc/sysrq-trigger rwklx");
    p.rule("deny /proc/acpi/** rwklx");
    p.rule("deny /sys/firmware/efi/efivars/** rwklx");
    p.rule("deny /sys/kernel/debug/{,**} rwklx");
    p.comment("/proc/sys/fs is the host's; only binfmt_misc may be written");
    p.rules("deny ", apparmor_paths_outside("/proc/sys/fs/", {"binfmt_misc"}), " wklx");

    p.comment("mount propagation may be changed anywhere");
    for (const char* kind : {"slave", "rslave", "shared", "rshared", "private", "rprivate", "unbindable", "runbindable"})
        p.rule(std::string("mount options=(rw,make-") + kind + ") -> **");

    p.comment("bind and move mounts of anything but /proc, /sys, /dev and /dev/.lxc");
    p.rules("mount options=(rw,bind) ", bindable_paths(), "");
    p.rules("mount options=(rw,move) ", bindable_paths(), "");
    p.comment("recursive binds of anything but /, /dev, /proc and /sys");
    p.rules("mount options=(rw,rbind) ", rbindable_paths(), "");

    p.comment("read-only bind remounts with any of nodev, nosuid, noexec and an atime flag");
    const char* flags[] = {",nodev", ",nosuid", ",noexec"};
    for (unsigned combination = 0; combination < 8; ++combination) {
        std::string options = "ro,remount,bind";
        for (unsigned bit = 0; bit < 3; ++bit)
            if (combination & (1u << bit)) options += flags[bit];
        for (const char* atime : {"", ",noatime", ",strictatime"})
            p.rules("mount options=(" + options + atime + ") -> ", bindable_paths(), "");
    }
}

void no_nesting_rules(ProfileText& p, bool stacking) {
    p.section("without nesting: /proc/sys and /sys are read-only except for namespaced parts");
    p.rules("deny ",
            apparmor_paths_outside("/proc/sys/", {"fs/binfmt_misc", "kernel/domainname", "kernel/hostname", "kernel/msg*",
                                                  "kernel/sem*", "kernel/shm*", "net"}),
            " wklx");
    std::vector<std::string> sys_kept = {"class/net", "devices/virtual/net", "fs/cgroup"};
    if (stacking) sys_kept.push_back("kernel/security/apparmor");  // to load the nested policy
    p.rules("deny ", apparmor_paths_outside("/sys/", sys_kept), " wklx");
    if (!stacking) p.rule("deny /sys/k*{,/**} rwklx");
}

void nesting_rules(ProfileText& p, const AppArmorProfileInputs& inputs) {
    p.section("nesting");
    p.rule("pivot_root");
    p.rule("ptrace");
    p.rule("signal");
    p.comment("the pristine proc/sys instances for nested runtimes are not for the guest itself");
    p.rule("deny /dev/.lxc/proc/** rw");
    p.rule("deny /dev/.lxc/sys/** rw");
    p.rule("mount fstype=proc -> /usr/lib/*/lxc/**");
    p.rule("mount fstype=sysfs -> /usr/lib/*/lxc/**");
    p.comment("nested runtimes (LXC, LXD, Incus, Docker) need arbitrary mounts");
    p.rule("mount");
    if (!inputs.stacking) p.rule("change_profile -> \"" + inputs.name + "\"");
}

void unprivileged_rules(ProfileText& p) {
    p.section("unprivileged: the user namespace already confines mounts");
    p.rule("pivot_root");
    p.rule("mount fstype=binfmt_misc");
    p.rule("mount options=(rw,bind)");
    p.rule("mount options=(rw,rbind)");
    p.rule("mount options=(ro,remount)");
}

}  // namespace

std::string apparmor_profile_name(int vmid) { return "pct-" + std::to_string(vmid); }

std::string apparmor_namespace_name(int vmid) { return apparmor_profile_name(vmid); }

std::string generate_apparmor_profile(const AppArmorProfileInputs& inputs) {
    ProfileText p;
    p.text() = "# AppArmor profile generated by pct for one container; do not edit.\n"
               "profile \"" + inputs.name + "\" flags=(attach_disconnected,mediate_deleted) {";
    base_rules(p);
    if (!inputs.unprivileged) {
        p.comment("privileged: binfmt_misc handlers would run on the host");
        p.rule("deny /proc/sys/fs/binfmt_misc/{,**} wklx");
    }
    if (inputs.cgroup_namespaces) {
        p.section("cgroup namespace: the container's own cgroup tree");
        p.rule("mount fstype=cgroup -> /sys/fs/cgroup/**");
        p.rule("mount fstype=cgroup2 -> /sys/fs/cgroup/**");
    }
    if (inputs.stacking) {
        p.section("stacking: profiles of a nested system live in the container's own namespace");
        p.rule("change_profile -> \":" + inputs.name + ":*\"");
        p.rule("change_profile -> \":" + inputs.name + "://*\"");
    }
    if (inputs.nesting) nesting_rules(p, inputs);
    else no_nesting_rules(p, inputs.stacking);
    if (inputs.unprivileged) unprivileged_rules(p);

    p.section("container settings");
    if (inputs.mqueue_rules) p.rule("mqueue");
    if (!inputs.nesting) {
        p.comment("no fresh proc or sysfs over the masked ones");
        p.rule("deny mount -> /proc/");
        p.rule("deny mount -> /sys/");
    } else if (inputs.userns_rules) {
        p.rule("userns");
    }
    for (const auto& type : inputs.mount_fstypes) p.rule("mount fstype=" + type);
    if (!inputs.raw_rules.empty()) {
        p.section("lxc.apparmor.raw");
        for (const auto& line : inputs.raw_rules) p.raw(line);
    }
    p.text() += "}\n";
    return p.text();
}

}  // namespace pct
