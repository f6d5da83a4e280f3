#include "core/capability_policy.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/error.h"
#include "core/ostype_profile.h"

namespace pct {

namespace {

const std::vector<std::string> common_drops = {"CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_SYS_TIME", "CAP_SYS_MODULE",
                                               "CAP_SYS_RAWIO"};

std::string canonical_name(const std::string& key, std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    if (name.rfind("CAP_", 0) != 0) name = "CAP_" + name;
    const auto& known = all_capabilities();
    if (std::find(known.begin(), known.end(), name) == known.end())
        throw UserError(key + ": unknown capability '" + name + "'");
    return name;
}

void add_unique(std::vector<std::string>& list, const std::string& name) {
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

}  // namespace

const std::vector<std::string>& all_capabilities() {
    static const std::vector<std::string> names = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    };
    return names;
}

bool CapabilityPolicy::keeps(const std::string& capability) const {
    if (!kept.empty()) return std::find(kept.begin(), kept.end(), capability) != kept.end();
    return std::find(dropped.begin(), dropped.end(), capability) == dropped.end();
}

CapabilityPolicy capability_policy(const std::string& ostype, bool unprivileged, const RawEntries& raw_lines) {
    CapabilityPolicy policy;
    if (!unprivileged) {
        for (const auto& name : common_drops) add_unique(policy.dropped, name);
        for (const auto& name : ostype_profile(ostype).cap_drops) add_unique(policy.dropped, name);
    }
    bool keep_requested = false;  // an allow-list is in effect (possibly `none`)
    bool raw_drop = false;
    for (const auto& [key, value] : raw_lines) {
        const bool keep = key == "lxc.cap.keep";
        std::vector<std::string>& list = keep ? policy.kept : policy.dropped;
        std::istringstream words(value);
        std::string word;
        bool any = false;
        while (words >> word) {
            any = true;
            if (keep && word == "none") continue;
            add_unique(list, canonical_name(key, word));
        }
        if (keep) keep_requested = any;
        else raw_drop = any;
        if (!any) list.clear();
    }
    if (keep_requested) {
        // LXC refuses an explicit drop list next to a keep list; the
        // generated drops simply give way to the allow-list.
        if (raw_drop) throw UserError("lxc.cap.keep and lxc.cap.drop are both set: use one or the other");
        policy.dropped.clear();
        if (policy.kept.empty()) policy.dropped = all_capabilities();  // keep `none`
    }
    return policy;
}

}  // namespace pct
