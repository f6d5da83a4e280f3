#include "runtime/seccomp_loader.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/sha1.h"
#include "runtime/kernel_api.h"
#include "runtime/run_state.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

uint32_t action_of(SeccompAction action, int errno_value) {
    switch (action) {
        case SeccompAction::Allow: return SCMP_ACT_ALLOW;
        case SeccompAction::Errno: return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_value));
        case SeccompAction::Kill: return SCMP_ACT_KILL_PROCESS;
        case SeccompAction::Notify: return SCMP_ACT_NOTIFY;  // answered by pct-monitor (runtime/syscall_proxy.h)
    }
    return SCMP_ACT_KILL_PROCESS;
}

std::string serialize(const SeccompPolicy& policy) {
    std::ostringstream out;
    out << "format 2\n";  // 2: notify rules are SCMP_ACT_NOTIFY (were EPERM)
    out << "libseccomp " << SCMP_VER_MAJOR << "." << SCMP_VER_MINOR << "." << SCMP_VER_MICRO << "\n";
    out << "default " << static_cast<int>(policy.default_action) << "\n";
    for (const auto& arch : policy.architectures) out << "arch " << arch << "\n";
    for (const auto& rule : policy.rules) {
        out << "rule " << rule.syscall << " " << static_cast<int>(rule.action) << " " << rule.errno_value;
        for (const auto& c : rule.conditions) out << " [" << c.index << "," << c.op << "," << c.value << "," << c.mask << "]";
        out << "\n";
    }
    return out.str();
}

}  // namespace

std::string build_seccomp_bpf(const SeccompPolicy& policy, std::vector<std::string>& warnings) {
    uint32_t default_action = action_of(policy.default_action, 1);
    std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(default_action), seccomp_release);
    if (!ctx) throw UserError("seccomp: cannot create a filter");
    // We load the exported program ourselves; no_new_privs stays off.
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
    for (const auto& name : policy.architectures) {
        uint32_t arch = seccomp_arch_resolve_name(name.c_str());
        if (arch == 0) {
            warnings.push_back("seccomp: unknown architecture '" + name + "' skipped");
            continue;
        }
        int rc = seccomp_arch_add(ctx.get(), arch);
        if (rc != 0 && rc != -EEXIST) throw UserError("seccomp: cannot add architecture " + name);
    }
    for (const auto& rule : policy.rules) {
        int number = seccomp_syscall_resolve_name(rule.syscall.c_str());
        if (number == __NR_SCMP_ERROR) {
            warnings.push_back("seccomp: unknown system call '" + rule.syscall + "' skipped");
            continue;
        }
        std::vector<scmp_arg_cmp> args;
        for (const auto& c : rule.conditions) {
            if (c.op == "masked_eq") args.push_back(SCMP_CMP(c.index, SCMP_CMP_MASKED_EQ, c.mask, c.value));
            else if (c.op == "eq") args.push_back(SCMP_CMP(c.index, SCMP_CMP_EQ, c.value));
            else if (c.op == "ne") args.push_back(SCMP_CMP(c.index, SCMP_CMP_NE, c.value));
            else if (c.op == "lt") args.push_back(SCMP_CMP(c.index, SCMP_CMP_LT, c.value));
            else if (c.op == "le") args.push_back(SCMP_CMP(c.index, SCMP_CMP_LE, c.value));
            else if (c.op == "gt") args.push_back(SCMP_CMP(c.index, SCMP_CMP_GT, c.value));
            else if (c.op == "ge") args.push_back(SCMP_CMP(c.index, SCMP_CMP_GE, c.value));
            else throw UserError("seccomp: unknown comparison '" + c.op + "' for " + rule.syscall);
        }
        uint32_t action = action_of(rule.action, rule.errno_value);
        if (action == default_action) continue;  // libseccomp refuses rules that change nothing
        int rc = seccomp_rule_add_array(ctx.get(), action, number, static_cast<unsigned>(args.size()), args.data());
        if (rc != 0) throw UserError("seccomp: cannot add rule for " + rule.syscall + ": " + errno_text(-rc));
    }
    // libseccomp 2.5 exports only to a file descriptor.
    UniqueFd memory(::memfd_create("seccomp-bpf", MFD_CLOEXEC));
    if (!memory || seccomp_export_bpf(ctx.get(), memory.get()) != 0) throw UserError("seccomp: cannot export the filter");
    struct stat info {};
    ::fstat(memory.get(), &info);
    std::string bpf(static_cast<size_t>(info.st_size), '\0');
    if (::pread(memory.get(), bpf.data(), bpf.size(), 0) != static_cast<ssize_t>(bpf.size()))
        throw UserError("seccomp: cannot read the exported filter");
    return bpf;
}

CompiledSeccomp compile_seccomp(const SeccompPolicy& input, const std::string& cache_dir,
                                std::vector<std::string>& warnings) {
    SeccompPolicy policy = input;
    if (!input.raw_profile_file.empty()) {
        std::ifstream file(input.raw_profile_file);
        if (!file) throw UserError("lxc.seccomp.profile: cannot read " + input.raw_profile_file);
        std::stringstream text;
        text << file.rdbuf();
        policy = parse_lxc_seccomp_profile(text.str(), input.architectures);
    } else if (input.rules.empty() && input.default_action == SeccompAction::Allow) {
        return {};  // nothing to filter
    }
    CompiledSeccomp result;
    for (const auto& rule : policy.rules) result.needs_listener |= rule.action == SeccompAction::Notify;
    std::string key = serialize(policy);
    result.cache_file = cache_dir + "/" + sha1_hex(key) + ".bpf";
    std::ifstream cached(result.cache_file, std::ios::binary);
    if (cached) {
        std::stringstream bytes;
        bytes << cached.rdbuf();
        result.bpf = bytes.str();
        if (!result.bpf.empty() && result.bpf.size() % sizeof(sock_filter) == 0) {
            result.from_cache = true;
            return result;
        }
    }
    result.bpf = build_seccomp_bpf(policy, warnings);
    ::mkdir(cache_dir.c_str(), 0700);
    try {
        write_file_atomic(result.cache_file, result.bpf, 0600);
    } catch (const UserError&) {
        result.cache_file.clear();  // works without the cache, just slower next time
    }
    return result;
}

int load_seccomp_bpf(const std::string& bpf, bool new_listener) {
    if (bpf.empty()) return -1;
    struct sock_fprog program {};
    program.len = static_cast<unsigned short>(bpf.size() / sizeof(sock_filter));
    program.filter = reinterpret_cast<sock_filter*>(const_cast<char*>(bpf.data()));
    const long result = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, new_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &program);
    if (result < 0) throw UserError("cannot load the seccomp filter: " + errno_text());
    return new_listener ? static_cast<int>(result) : -1;
}

SeccompPolicy parse_lxc_seccomp_profile(const std::string& text, const std::vector<std::string>& architectures) {
    SeccompPolicy policy;
    policy.architectures = architectures;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    SeccompAction rule_default = SeccompAction::Kill;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty() || line[0] == '#' || line[0] == '[') continue;
        if (number == 1) {
            if (line != "2" && line != "1") throw UserError("lxc.seccomp.profile: unsupported version '" + line + "'");
            continue;
        }
        std::istringstream words(line);
        std::string word;
        words >> word;
        if (number == 2 && (word == "denylist" || word == "blacklist" || word == "allowlist" || word == "whitelist")) {
            bool allowlist = word == "allowlist" || word == "whitelist";
            policy.default_action = allowlist ? SeccompAction::Kill : SeccompAction::Allow;
            rule_default = allowlist ? SeccompAction::Allow : SeccompAction::Kill;
            std::string action;
            if (words >> action && action == "errno") {
                policy.default_action = SeccompAction::Errno;  // default errno for allowlists
            }
            continue;
        }
        SeccompRule rule{.syscall = word, .action = rule_default};
        std::string token;
        while (words >> token) {
            if (token == "errno") {
                rule.action = SeccompAction::Errno;
                words >> rule.errno_value;
            } else if (token == "kill") {
                rule.action = SeccompAction::Kill;
            } else if (token == "allow") {
                rule.action = SeccompAction::Allow;
            } else if (token == "notify") {
                rule.action = SeccompAction::Notify;
            } else if (token.size() > 2 && token.front() == '[') {
                // [index,value,OP,mask]
                std::string body = token.substr(1, token.size() - 2);
                std::istringstream parts(body);
                std::string index, value, op, mask;
                std::getline(parts, index, ',');
                std::getline(parts, value, ',');
                std::getline(parts, op, ',');
                std::getline(parts, mask, ',');
                SeccompArgCondition c;
                c.index = static_cast<unsigned>(std::stoul(index));
                c.value = std::stoull(value, nullptr, 0);
                c.mask = mask.empty() ? 0 : std::stoull(mask, nullptr, 0);
                if (op == "SCMP_CMP_MASKED_EQ") c.op = "masked_eq";
                else if (op == "SCMP_CMP_EQ") c.op = "eq";
                else if (op == "SCMP_CMP_NE") c.op = "ne";
                else if (op == "SCMP_CMP_LT") c.op = "lt";
                else if (op == "SCMP_CMP_LE") c.op = "le";
                else if (op == "SCMP_CMP_GT") c.op = "gt";
                else if (op == "SCMP_CMP_GE") c.op = "ge";
                else throw UserError("lxc.seccomp.profile: line " + std::to_string(number) + ": unknown operator " + op);
                rule.conditions.push_back(c);
            } else if (token == "reject_force_umount") {
                // handled below
            }
        }
        if (rule.syscall == "reject_force_umount") {
            policy.rules.push_back({.syscall = "umount2",
                                    .action = SeccompAction::Errno,
                                    .errno_value = EACCES,
                                    .conditions = {{.index = 1, .op = "masked_eq", .value = MNT_FORCE, .mask = MNT_FORCE}}});
            continue;
        }
        policy.rules.push_back(rule);
    }
    return policy;
}

}  // namespace pct
