#include "core/seccomp_policy.h"

#include <algorithm>
#include <cstdio>

namespace pct {

namespace {

// Linux ABI constants, spelled out because core/ includes no kernel headers.
constexpr int kEPERM = 1;
constexpr int kEACCES = 13;
constexpr int kENOSYS = 38;
constexpr int kEAFNOSUPPORT = 97;
constexpr uint64_t kMntForce = 1;        // umount2 flag MNT_FORCE
constexpr uint64_t kAfAlg = 38;          // socket family AF_ALG
constexpr uint64_t kBtrfsIoctlType = 0x94;
constexpr uint64_t kIfmt = 0170000, kIfchr = 0020000, kIfblk = 0060000;

SeccompRule errno_rule(const std::string& syscall, int errno_value, std::vector<SeccompArgCondition> conditions = {}) {
    return {.syscall = syscall, .action = SeccompAction::Errno, .errno_value = errno_value, .conditions = std::move(conditions)};
}

SeccompRule notify_rule(const std::string& syscall, unsigned mode_index, uint64_t file_type) {
    return {.syscall = syscall,
            .action = SeccompAction::Notify,
            .errno_value = 0,
            .conditions = {{.index = mode_index, .op = "masked_eq", .value = file_type, .mask = kIfmt}}};
}

std::string hex(uint64_t value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
    return buffer;
}

}  // namespace

std::string to_string(SeccompAction action) {
    switch (action) {
        case SeccompAction::Allow: return "allow";
        case SeccompAction::Errno: return "errno";
        case SeccompAction::Kill: return "kill";
        case SeccompAction::Notify: return "notify";
    }
    return "allow";
}

std::vector<std::string> seccomp_architectures(const std::string& machine) {
    if (machine == "x86_64") return {"x86_64", "x86", "x32"};
    if (machine == "aarch64") return {"aarch64", "arm"};
    if (machine == "i686" || machine == "i586" || machine == "i386") return {"x86"};
    if (machine.rfind("arm", 0) == 0) return {"arm"};
    return {machine};
}

SeccompPolicy seccomp_policy(const SeccompInputs& inputs) {
    SeccompPolicy policy;
    policy.architectures = seccomp_architectures(inputs.machine);

    // common.seccomp: reject_force_umount, then the module and kexec family.
    policy.rules.push_back(errno_rule("umount2", kEACCES, {{.index = 1, .op = "masked_eq", .value = kMntForce, .mask = kMntForce}}));
    for (const char* name : {"kexec_load", "open_by_handle_at", "init_module", "finit_module", "delete_module"})
        policy.rules.push_back(errno_rule(name, kEPERM));
    if (!inputs.unprivileged) return policy;

    std::vector<SeccompRule> extra;
    // btrfs ioctls (type byte 0x94) would let the container act on the host's subvolumes.
    extra.push_back(errno_rule("ioctl", kEPERM, {{.index = 1, .op = "masked_eq", .value = kBtrfsIoctlType << 8, .mask = 0xff00}}));
    // keyctl: the kernel keyring is not namespaced; ENOSYS makes systemd fall back cleanly.
    if (!inputs.features.keyctl) extra.push_back(errno_rule("keyctl", kENOSYS));
    if (inputs.features.mknod) {
        // Device nodes are created by a host daemon that checks them.
        extra.push_back(notify_rule("mknod", 1, kIfchr));
        extra.push_back(notify_rule("mknod", 1, kIfblk));
        extra.push_back(notify_rule("mknodat", 2, kIfchr));
        extra.push_back(notify_rule("mknodat", 2, kIfblk));
        policy.notify_proxy = "unix:/run/pve-lxc-syscalld/socket";
        policy.notify_cookie = std::to_string(inputs.vmid);
    }
    extra.push_back(errno_rule("socket", kEAFNOSUPPORT, {{.index = 0, .op = "eq", .value = kAfAlg}}));
    std::stable_sort(extra.begin(), extra.end(), [](const SeccompRule& a, const SeccompRule& b) { return a.syscall < b.syscall; });
    policy.rules.insert(policy.rules.end(), extra.begin(), extra.end());
    return policy;
}

std::string to_lxc_seccomp_line(const SeccompRule& rule) {
    std::string line = rule.syscall + " " + to_string(rule.action);
    if (rule.action == SeccompAction::Errno) line += " " + std::to_string(rule.errno_value);
    for (const auto& condition : rule.conditions) {
        line += " [" + std::to_string(condition.index) + ",";
        if (condition.op == "masked_eq")
            line += hex(condition.value) + ",SCMP_CMP_MASKED_EQ," + hex(condition.mask);
        else
            line += std::to_string(condition.value) + ",SCMP_CMP_EQ";
        line += "]";
    }
    return line;
}

}  // namespace pct
