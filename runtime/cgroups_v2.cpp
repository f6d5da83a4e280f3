// The unified hierarchy (pure cgroup2 hosts): controllers enabled down to
// lxc/<id>, limits there, a BPF device program instead of devices.allow.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "core/error.h"
#include "runtime/cgroups.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i {};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

bpf_insn load_word(uint8_t dst, int16_t offset) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, offset, 0); }
bpf_insn mov_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn alu_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) { return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm); }
bpf_insn mov_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int access_bits(const std::string& access) {
    int bits = 0;
    for (char c : access.empty() ? std::string("rwm") : access) {
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    }
    return bits;
}

std::vector<bpf_insn> program(const std::vector<DeviceRule>& rules) {
    // The last 'a' rule sets the default and clears the rules before it.
    size_t first = 0;
    bool default_allow = false;
    for (size_t i = 0; i < rules.size(); ++i)
        if (rules[i].type == 'a') {
            default_allow = rules[i].allow;
            first = i + 1;
        }
    std::vector<bpf_insn> code = {
        load_word(BPF_REG_2, 0),                       // access_type = (access << 16) | type
        mov_reg(BPF_REG_3, BPF_REG_2), alu_imm(BPF_AND, BPF_REG_3, 0xffff),
        mov_reg(BPF_REG_4, BPF_REG_2), alu_imm(BPF_RSH, BPF_REG_4, 16),
        load_word(BPF_REG_5, 4),                       // major
        load_word(BPF_REG_6, 8),                       // minor
    };
    // Later rules win: test them first.
    for (size_t i = rules.size(); i-- > first;) {
        const DeviceRule& rule = rules[i];
        std::vector<bpf_insn> block;
        std::vector<size_t> jumps;
        auto skip_unless = [&](uint8_t op, uint8_t reg, int32_t imm) {
            jumps.push_back(block.size());
            block.push_back(jump_imm(op, reg, imm, 0));
        };
        if (rule.type != 'a') skip_unless(BPF_JNE, BPF_REG_3, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
        if (rule.major >= 0) skip_unless(BPF_JNE, BPF_REG_5, static_cast<int32_t>(rule.major));
        if (rule.minor >= 0) skip_unless(BPF_JNE, BPF_REG_6, static_cast<int32_t>(rule.minor));
        int bits = access_bits(rule.access);
        block.push_back(mov_reg(BPF_REG_7, BPF_REG_4));
        if (rule.allow) {
            // Allowed only if every requested access is in the rule.
            block.push_back(alu_imm(BPF_AND, BPF_REG_7, ~bits & 7));
            skip_unless(BPF_JNE, BPF_REG_7, 0);
        } else {
            // Denied if any requested access is in the rule.
            block.push_back(alu_imm(BPF_AND, BPF_REG_7, bits));
            skip_unless(BPF_JEQ, BPF_REG_7, 0);
        }
        block.push_back(mov_imm(BPF_REG_0, rule.allow ? 1 : 0));
        block.push_back(exit_insn());
        for (size_t jump : jumps) block[jump].off = static_cast<int16_t>(block.size() - jump - 1);
        code.insert(code.end(), block.begin(), block.end());
    }
    code.push_back(mov_imm(BPF_REG_0, default_allow ? 1 : 0));
    code.push_back(exit_insn());
    return code;
}

void make_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw UserError("cannot create cgroup " + dir + ": " + errno_text());
}

class CgroupV2 : public ContainerCgroup {
public:
    CgroupV2(const CgroupPlan& plan, std::string root) : plan_(plan), root_(std::move(root)) {}

    void create() override {
        std::string base = root_ + "/lxc";
        limit_ = root_ + "/" + plan_.limit_path;
        payload_ = root_ + "/" + plan_.payload_path;
        make_dir(base);
        if (::mkdir(limit_.c_str(), 0755) != 0)
            throw UserError("cannot create cgroup " + limit_ + ": " + errno_text() +
                            (errno == EEXIST ? " (left over from an earlier run?)" : ""));
        created_ = true;
        std::istringstream available(read_text_file(root_ + "/cgroup.controllers"));
        std::string controller;
        while (available >> controller) {
            if (controller != "cpu" && controller != "cpuset" && controller != "memory" && controller != "io" &&
                controller != "pids")
                continue;
            // Delegate each controller down to the container's subtree (best
            // effort above lxc/<id>: it may already be enabled or be busy).
            for (const std::string& dir : {root_, base}) try {
                    write_cgroup_file(dir, "cgroup.subtree_control", "+" + controller);
                } catch (const UserError&) {
                }
            write_cgroup_file(limit_, "cgroup.subtree_control", "+" + controller);
            enabled_.push_back(controller);
        }
        write_limits(base);
        attach_device_filter(limit_, plan_.device_rules);
        make_dir(payload_);
        fd_.reset(::open(payload_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }

    std::vector<UniqueFd> open_join_files() override { return {}; }

    void delegate(uid_t uid, gid_t gid) override {
        for (const char* file : {"", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads"})
            if (::chown((payload_ + file).c_str(), uid, gid) != 0 && errno != ENOENT)
                throw UserError("cannot delegate cgroup " + payload_ + ": " + errno_text());
    }

    int payload_fd() override { return fd_.get(); }
    std::vector<std::string> limit_dirs() const override { return {limit_}; }
    std::vector<std::string> payload_dirs() const override { return {payload_}; }

    void remove() override {
        fd_.reset();
        if (created_) remove_cgroup_tree(limit_);
        created_ = false;
    }

private:
    bool enabled(const char* controller) const {
        for (const auto& c : enabled_)
            if (c == controller) return true;
        return false;
    }

    void write_limits(const std::string& base) {
        if (enabled("memory")) {
            if (plan_.memory_max_bytes) write_cgroup_file(limit_, "memory.max", std::to_string(*plan_.memory_max_bytes));
            if (plan_.memory_high_bytes) write_cgroup_file(limit_, "memory.high", std::to_string(*plan_.memory_high_bytes));
            struct stat info {};
            if (plan_.swap_max_bytes && ::stat((limit_ + "/memory.swap.max").c_str(), &info) == 0)
                write_cgroup_file(limit_, "memory.swap.max", std::to_string(*plan_.swap_max_bytes));
        }
        if (enabled("cpu")) {
            if (plan_.cpu_quota_us)
                write_cgroup_file(limit_, "cpu.max", std::to_string(*plan_.cpu_quota_us) + " " + std::to_string(plan_.cpu_period_us));
            if (plan_.cpu_weight) write_cgroup_file(limit_, "cpu.weight", std::to_string(*plan_.cpu_weight));
        }
        if (enabled("cpuset") && plan_.cores) {
            std::vector<unsigned> available = parse_cpu_list(read_text_file(base + "/cpuset.cpus.effective"));
            if (*plan_.cores < available.size())
                write_cgroup_file(limit_, "cpuset.cpus", format_cpu_list(choose_cpus(available, {}, *plan_.cores)));
        }
        for (const auto& [key, value] : plan_.raw) write_cgroup_file(limit_, key, value);
    }

    CgroupPlan plan_;
    std::string root_, limit_, payload_;
    std::vector<std::string> enabled_;
    bool created_ = false;
    UniqueFd fd_;
};

}  // namespace

std::vector<uint64_t> device_filter_program(const std::vector<DeviceRule>& rules) {
    std::vector<bpf_insn> code = program(rules);
    std::vector<uint64_t> raw(code.size());
    std::memcpy(raw.data(), code.data(), code.size() * sizeof(bpf_insn));
    return raw;
}

void attach_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules) {
    if (rules.empty()) return;
    std::vector<bpf_insn> code = program(rules);
    union bpf_attr load {};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uint64_t>(code.data());
    load.insn_cnt = static_cast<uint32_t>(code.size());
    load.license = reinterpret_cast<uint64_t>("GPL");
    // Without a log: the kernel fails a load with ENOSPC when the verifier
    // log does not fit, and a long allow-list gives a long log.
    UniqueFd prog(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
    if (!prog) {
        std::string error = errno_text();
        // Load again, only to say why.
        std::vector<char> log(1 << 20, '\0');
        load.log_buf = reinterpret_cast<uint64_t>(log.data());
        load.log_size = static_cast<uint32_t>(log.size());
        load.log_level = 1;
        UniqueFd(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
        std::string text(log.data());
        if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
        throw UserError("cannot load the device cgroup program: " + error + (text.empty() ? "" : " (" + text + ")"));
    }
    UniqueFd dir(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw UserError("cannot open " + cgroup_dir + ": " + errno_text());
    union bpf_attr attach {};
    attach.target_fd = static_cast<uint32_t>(dir.get());
    attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    // ALLOW_MULTI: programs of the ancestors keep applying as well.
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (::syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) != 0)
        throw UserError("cannot attach the device cgroup program to " + cgroup_dir + ": " + errno_text());
}

std::unique_ptr<ContainerCgroup> make_cgroup_v2(const CgroupPlan& plan, std::string root) {
    return std::make_unique<CgroupV2>(plan, std::move(root));
}

}  // namespace pct
