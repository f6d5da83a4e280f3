// Legacy (v1) controllers, as on hybrid hosts: lxc/<id> and lxc/<id>/ns in
// every mounted hierarchy (and in the unified tree, so that the container's
// cgroup namespace is rooted there too); limits in the owning controller.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/error.h"
#include "runtime/cgroups.h"
#include "runtime/kernel_api.h"

namespace pct {

namespace {

bool has(const CgroupMount& mount, const std::string& controller) {
    return std::find(mount.controllers.begin(), mount.controllers.end(), controller) != mount.controllers.end();
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

std::string v1_rule(const DeviceRule& rule) {
    if (rule.type == 'a') return "a";
    auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
    return std::string(1, rule.type) + " " + number(rule.major) + ":" + number(rule.minor) + " " +
           (rule.access.empty() ? "rwm" : rule.access);
}

void make_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw UserError("cannot create cgroup " + dir + ": " + errno_text());
}

class CgroupV1 : public ContainerCgroup {
public:
    CgroupV1(const CgroupPlan& plan, std::vector<CgroupMount> mounts) : plan_(plan), mounts_(std::move(mounts)) {}

    void create() override {
        for (const auto& mount : mounts_) {
            std::string base = mount.path + "/lxc";
            std::string limit = mount.path + "/" + plan_.limit_path;
            std::string payload = mount.path + "/" + plan_.payload_path;
            make_dir(base);
            if (has(mount, "cpuset")) inherit_cpuset(mount.path, base);
            if (::mkdir(limit.c_str(), 0755) != 0)
                throw UserError("cannot create cgroup " + limit + ": " + errno_text() +
                                (errno == EEXIST ? " (left over from an earlier run?)" : ""));
            created_.push_back(limit);
            limits_.push_back(limit);
            write_limits(mount, base, limit);
            // Created after the limits: a new v1 devices cgroup copies its parent's rules.
            make_dir(payload);
            if (has(mount, "cpuset")) inherit_cpuset(limit, payload);
            payloads_.push_back(payload);
            // On hybrid hosts clone3 places init in the unified tree.
            if (mount.unified) {
                unified_fd_.reset(::open(payload.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
                if (!unified_fd_) throw UserError("cannot open cgroup " + payload + ": " + errno_text());
            }
        }
    }

    std::vector<UniqueFd> open_join_files() override {
        std::vector<UniqueFd> files;
        for (size_t i = 0; i < mounts_.size() && i < payloads_.size(); ++i) {
            if (mounts_[i].unified) continue;
            std::string path = payloads_[i] + "/tasks";
            UniqueFd file(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
            if (!file) throw UserError("cannot open " + path + ": " + errno_text());
            files.push_back(std::move(file));
        }
        return files;
    }

    void delegate(uid_t uid, gid_t gid) override {
        for (const auto& dir : payloads_) {
            // The container's root may then manage its own subtree.
            for (const char* file : {"", "/cgroup.procs", "/tasks", "/cgroup.clone_children"})
                if (::chown((dir + file).c_str(), uid, gid) != 0 && errno != ENOENT)
                    throw UserError("cannot delegate cgroup " + dir + ": " + errno_text());
        }
    }

    int payload_fd() override { return unified_fd_.get(); }
    std::vector<std::string> limit_dirs() const override { return limits_; }
    std::vector<std::string> payload_dirs() const override { return payloads_; }

    void remove() override {
        unified_fd_.reset();
        for (auto it = created_.rbegin(); it != created_.rend(); ++it) remove_cgroup_tree(*it);
        created_.clear();
    }

private:
    static void inherit_cpuset(const std::string& parent, const std::string& child) {
        // A fresh v1 cpuset has no CPUs and memory nodes; no task may join it until they are set.
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
            if (!trimmed(read_text_file(child + "/" + file)).empty()) continue;
            write_cgroup_file(child, file, trimmed(read_text_file(parent + "/" + file)));
        }
    }

    void write_limits(const CgroupMount& mount, const std::string& base, const std::string& limit) {
        if (has(mount, "memory") && plan_.memory_max_bytes) {
            // memsw >= memory at all times: memory first (memsw starts unlimited).
            write_cgroup_file(limit, "memory.limit_in_bytes", std::to_string(*plan_.memory_max_bytes));
            struct stat info {};
            if (plan_.swap_max_bytes && ::stat((limit + "/memory.memsw.limit_in_bytes").c_str(), &info) == 0)
                write_cgroup_file(limit, "memory.memsw.limit_in_bytes", std::to_string(*plan_.swap_max_bytes));
        }
        if (has(mount, "cpu")) {
            if (plan_.cpu_quota_us) {
                write_cgroup_file(limit, "cpu.cfs_period_us", std::to_string(plan_.cpu_period_us));
                write_cgroup_file(limit, "cpu.cfs_quota_us", std::to_string(*plan_.cpu_quota_us));
            }
            if (plan_.cpu_shares) write_cgroup_file(limit, "cpu.shares", std::to_string(*plan_.cpu_shares));
        }
        if (has(mount, "cpuset")) {
            std::vector<unsigned> available = parse_cpu_list(read_text_file(base + "/cpuset.cpus"));
            std::string cpus = format_cpu_list(available);
            if (plan_.cores && *plan_.cores < available.size()) cpus = format_cpu_list(choose_cpus(available, sibling_usage(base), *plan_.cores));
            write_cgroup_file(limit, "cpuset.mems", trimmed(read_text_file(base + "/cpuset.mems")));
            write_cgroup_file(limit, "cpuset.cpus", cpus);
        }
        if (has(mount, "devices")) {
            for (const auto& rule : plan_.device_rules)
                write_cgroup_file(limit, rule.allow ? "devices.allow" : "devices.deny", v1_rule(rule));
        }
        for (const auto& [key, value] : plan_.raw_v1) {
            std::string controller = key.substr(0, key.find('.'));
            if (has(mount, controller)) write_cgroup_file(limit, key, value);
        }
    }

    std::vector<unsigned> sibling_usage(const std::string& base) const {
        std::vector<unsigned> usage;
        DIR* dir = ::opendir(base.c_str());
        if (!dir) return usage;
        while (struct dirent* entry = ::readdir(dir)) {
            if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
            for (unsigned cpu : parse_cpu_list(read_text_file(base + "/" + entry->d_name + "/cpuset.cpus"))) {
                if (usage.size() <= cpu) usage.resize(cpu + 1);
                usage[cpu]++;
            }
        }
        ::closedir(dir);
        return usage;
    }

    CgroupPlan plan_;
    std::vector<CgroupMount> mounts_;
    std::vector<std::string> created_, limits_, payloads_;
    UniqueFd unified_fd_;
};

}  // namespace

std::unique_ptr<ContainerCgroup> make_cgroup_v1(const CgroupPlan& plan, std::vector<CgroupMount> mounts) {
    return std::make_unique<CgroupV1>(plan, std::move(mounts));
}

}  // namespace pct
