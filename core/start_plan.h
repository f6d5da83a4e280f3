#pragma once
// Everything `pct start` will do, as one data structure (runtime.md). The
// core builds it from the config and host facts; the runtime applies it
// step by step; `pct start --dry-run` prints it (the JSON form is a
// documented, stable interface: docs/start-plan.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/idmap.h"

namespace pct {

struct NamespacePlan {
    bool user = false;    // only with an id map
    bool mount = true;
    bool pid = true;
    bool uts = true;
    bool ipc = true;
    bool network = true;
    bool cgroup = true;
};

enum class VolumeSourceKind { RawImage, Directory, BlockDevice, BindDirectory };

// A rootfs or mpN volume, mounted parent-before-child by path.
struct VolumeMountPlan {
    std::string key;            // "rootfs", "mp0", ...
    VolumeSourceKind kind = VolumeSourceKind::Directory;
    std::string source;         // host path: image file, directory or device
    std::string target;         // path inside the container ("/" for rootfs)
    bool read_only = false;
    std::vector<std::string> flags;    // nodev, noexec, nosuid, noatime, lazytime
    std::string fs_options;            // data string for the file system (acl, discard, quota opts)
    bool keep_attributes = false;      // keepattrs=1
    std::vector<IdMapEntry> idmap;     // idmapped mount (disk id -> host id); empty: none
    bool quota_device = false;         // quota: the block device node is made in the container's /dev (runtime.md §5.4 step 5)
};

// A file system the runtime sets up inside the container (§6), in order.
struct SpecialMountPlan {
    std::string what;      // a file system type ("proc", "tmpfs", ...) or bind/move/umount/remount/symlink/boot-id (core/special_mounts.h)
    std::string source;    // for binds: path inside the container (or host path with host_source)
    std::string target;    // path inside the container
    std::vector<std::string> flags;  // ro, nosuid, nodev, noexec, bind, rec
    std::string data;      // file system options, e.g. "mode=0755,size=500000"
    bool host_source = false;
    bool optional = false; // skipped when the source or target is missing
    std::string create;    // "dir" or "file": create the target first (LXC create=); "" = must exist
};

struct DeviceNodePlan {
    std::string path;      // inside the container, e.g. "/dev/null"
    char type = 'c';       // 'c' or 'b'
    uint32_t major = 0;
    uint32_t minor = 0;
    uint32_t mode = 0666;
    uint64_t uid = 0;      // container ids
    uint64_t gid = 0;
    bool bind_from_host = false;  // mknod is not allowed (unprivileged): bind the host node
    std::string host_path;        // node to bind when bind_from_host; devN: the host device
    bool passthrough = false;     // devN: mknod a private node on the host (staging tmpfs), bind it in
    bool deny_write = false;      // devN deny-write=1: read-only through the device cgroup
    uint64_t host_uid = 0;        // uid/gid mapped through the id map (owner of the staged node)
    uint64_t host_gid = 0;
};

struct DeviceRule {
    bool allow = true;
    char type = 'a';        // 'a', 'b' or 'c'
    int64_t major = -1;     // -1 = '*'
    int64_t minor = -1;
    std::string access;     // subset of "rwm"
};

struct CgroupPlan {
    unsigned version = 2;      // 2: unified hierarchy; 1: legacy controllers (hybrid or v1 host)
    std::string limit_path;    // relative to a hierarchy root: "lxc/<id>"
    std::string payload_path;  // "lxc/<id>/ns"
    std::optional<uint64_t> memory_max_bytes;
    std::optional<uint64_t> memory_high_bytes;     // v2 only
    std::optional<uint64_t> swap_max_bytes;        // v2: swap alone; v1: memory+swap
    std::optional<uint64_t> cpu_quota_us;          // per cpu_period_us; none = unlimited
    uint64_t cpu_period_us = 100000;
    std::optional<uint64_t> cpu_weight;            // v2 cpu.weight
    std::optional<uint64_t> cpu_shares;            // v1 cpu.shares
    std::optional<unsigned> cores;                 // cpuset size; the runtime picks the CPUs
    std::vector<DeviceRule> device_rules;          // in order; first 'a' rule sets the mode
    std::vector<std::pair<std::string, std::string>> raw;  // lxc.cgroup2.* key (without prefix) -> value
    std::vector<std::pair<std::string, std::string>> raw_v1;  // lxc.cgroup.* (legacy hierarchies only)
};

enum class SeccompAction { Allow, Errno, Kill, Notify };

struct SeccompArgCondition {
    unsigned index = 0;
    std::string op;        // "eq", "masked_eq"
    uint64_t value = 0;
    uint64_t mask = 0;     // masked_eq: (arg & mask) == value
};

struct SeccompRule {
    std::string syscall;
    SeccompAction action = SeccompAction::Errno;
    int errno_value = 1;
    std::vector<SeccompArgCondition> conditions;
};

struct SeccompPolicy {
    SeccompAction default_action = SeccompAction::Allow;
    std::vector<SeccompRule> rules;
    std::vector<std::string> architectures;  // libseccomp names: native first, then compat ("x86_64", "x86", "x32")
    std::string notify_proxy;                // Notify rules: unix socket of the listener
    std::string notify_cookie;
    std::string raw_profile_file;            // lxc.seccomp.profile: load this LXC-format file instead of `rules`
};

struct NetworkInterfacePlan {
    std::string key;           // "net0"
    std::string host_name;     // veth<id>i<N>
    std::string guest_name;    // name=
    std::string hwaddr;
    std::optional<unsigned> mtu;
    std::string bridge;
    std::optional<unsigned> tag;
    std::vector<unsigned> trunks;
    std::optional<double> rate_mbps;
    bool link_down = false;
    bool firewall = false;
    bool host_managed = false;
    std::string ipv4, gateway4, ipv6, gateway6;  // host-managed static addresses only
    bool firewall_bridge = false;  // firewall=1 with the iptables firewall: fwbr<id>i<N> in between (§15.2)
    bool host_dhcp4 = false;       // host-managed ip=dhcp / ip6=dhcp: the host runs the client after start
    bool host_dhcp6 = false;
};

struct ConsolePlan {
    bool console = true;        // /dev/console
    unsigned ttys = 2;
    std::string tty_dir;        // "lxc" or "" (runtime.md §6.6)
    unsigned pty_max = 1024;
    std::string mode = "tty";   // cmode
};

struct InitPlan {
    std::vector<std::string> argv;   // ["/sbin/init"] or the entrypoint split on blanks
    std::vector<std::string> env;    // container=lxc, TERM=linux, env entries
    std::string cwd = "/";
    uint64_t uid = 0;                // container ids
    uint64_t gid = 0;
    std::vector<uint64_t> groups;    // lxc.init.groups: supplementary groups
    std::string halt_signal;         // empty: decided from init's blocked signals at shutdown
    std::string reboot_signal = "SIGINT";
    std::string stop_signal = "SIGKILL";
};

struct StartPlan {
    int vmid = 0;
    std::string hostname;
    std::string arch;
    std::string personality;      // "linux32" for 32-bit arches (i386, armhf), else "linux"
    std::string ostype;
    bool unprivileged = false;
    NamespacePlan namespaces;
    std::vector<IdMapEntry> idmap;
    uint64_t root_uid = 0;
    uint64_t root_gid = 0;
    std::vector<VolumeMountPlan> volumes;
    std::vector<SpecialMountPlan> special_mounts;  // after the volumes, before pivot_root
    std::vector<DeviceNodePlan> devices;
    CgroupPlan cgroup;
    std::vector<std::string> capabilities_dropped;  // "CAP_SYS_MODULE", ...; empty for unprivileged
    std::vector<std::string> capabilities_kept;     // non-empty: keep only these (lxc.cap.keep; `none` = all dropped)
    SeccompPolicy seccomp;
    std::string apparmor_profile_name;   // empty: unconfined
    std::string apparmor_profile;        // profile text to load ("" when a named raw profile is used)
    bool apparmor_active = false;        // false: nothing is loaded or applied (no AppArmor on the host, or unconfined)
    std::string apparmor_namespace;      // stacking: AppArmor namespace to create for nested policy; "" none
    std::vector<NetworkInterfacePlan> network;
    ConsolePlan console;
    InitPlan init;
    std::vector<std::pair<std::string, std::string>> sysctls;  // lxc.sysctl.*
    std::vector<std::pair<std::string, std::string>> prlimits; // lxc.prlimit.<resource> -> "soft[:hard]"
    std::string hookscript;              // volume id; empty: none
    std::vector<std::string> warnings;
};

}  // namespace pct
