#include "runtime/cgroups.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"

namespace pct {

std::string read_text_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

void write_cgroup_file(const std::string& dir, const std::string& file, const std::string& value) {
    std::string path = dir + "/" + file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd || ::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        throw UserError("cannot write '" + value + "' to " + path + ": " + errno_text());
}

void join_cgroups(const std::vector<UniqueFd>& files) {
    for (const auto& file : files)
        if (::write(file.get(), "0", 1) != 1) throw UserError("cannot join the container's cgroup: " + errno_text());
}

std::vector<CgroupMount> find_cgroup_mounts() {
    std::vector<CgroupMount> mounts;
    std::vector<std::string> lines, mountpoints;
    {
        std::ifstream file("/proc/self/mountinfo");
        std::string text;
        while (std::getline(file, text)) {
            std::istringstream in(text);
            std::string id, parent, devno, root, mountpoint;
            in >> id >> parent >> devno >> root >> mountpoint;
            lines.push_back(text);
            mountpoints.push_back(mountpoint);
        }
    }
    for (size_t index = 0; index < lines.size(); ++index) {
        const std::string& line = lines[index];
        // Something mounted later on the same directory hides this one.
        if (std::find(mountpoints.begin() + static_cast<long>(index) + 1, mountpoints.end(), mountpoints[index]) != mountpoints.end())
            continue;
        // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
        std::istringstream in(line);
        std::string id, parent, devno, root, mountpoint, options;
        in >> id >> parent >> devno >> root >> mountpoint >> options;
        std::string word;
        while (in >> word && word != "-") {}
        std::string fstype, source, super;
        in >> fstype >> source >> super;
        if (fstype != "cgroup" && fstype != "cgroup2") continue;
        CgroupMount mount{.path = mountpoint, .unified = fstype == "cgroup2"};
        if (!mount.unified) {
            std::istringstream opts(super);
            std::string opt;
            static const std::vector<std::string> generic = {"rw", "ro", "relatime", "noatime", "nosuid", "nodev",
                                                             "noexec", "clone_children", "xattr", "noprefix"};
            while (std::getline(opts, opt, ','))
                if (std::find(generic.begin(), generic.end(), opt) == generic.end() && opt.rfind("release_agent=", 0) != 0)
                    mount.controllers.push_back(opt);
        }
        // The same hierarchy mounted twice counts once.
        bool seen = std::any_of(mounts.begin(), mounts.end(), [&](const CgroupMount& m) {
            return m.unified == mount.unified && m.controllers == mount.controllers;
        });
        if (!seen) mounts.push_back(mount);
    }
    return mounts;
}

namespace {

void kill_members(const std::string& dir) {
    std::istringstream pids(read_text_file(dir + "/cgroup.procs"));
    pid_t pid;
    while (pids >> pid)
        if (pid > 0) ::kill(pid, SIGKILL);
}

bool remove_tree_once(const std::string& dir) {
    // Usually empty by now (no tasks, no child groups): one rmdir does it.
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) return errno == ENOENT;
    std::vector<std::string> children;
    while (struct dirent* entry = ::readdir(handle)) {
        if (entry->d_type == DT_DIR && std::string(entry->d_name) != "." && std::string(entry->d_name) != "..")
            children.push_back(dir + "/" + entry->d_name);
    }
    ::closedir(handle);
    bool ok = true;
    for (const auto& child : children) ok = remove_tree_once(child) && ok;
    kill_members(dir);
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) ok = false;
    return ok;
}

}  // namespace

void remove_cgroup_tree(const std::string& dir) {
    // Processes that were just killed leave their cgroup a moment later.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!remove_tree_once(dir) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::vector<std::string> container_cgroup_dirs(int vmid) {
    std::vector<std::string> dirs;
    for (const auto& mount : find_cgroup_mounts()) {
        std::string dir = mount.path + "/lxc/" + std::to_string(vmid);
        struct stat info {};
        if (::stat(dir.c_str(), &info) == 0) dirs.push_back(dir);
    }
    return dirs;
}

void set_cgroup_frozen(const std::vector<std::string>& limit_dirs, bool frozen) {
    for (const auto& dir : limit_dirs) {
        struct stat info {};
        if (::stat((dir + "/cgroup.freeze").c_str(), &info) == 0) {
            write_cgroup_file(dir, "cgroup.freeze", frozen ? "1" : "0");
            for (int i = 0; i < 1000; ++i) {
                if (read_text_file(dir + "/cgroup.events").find(frozen ? "frozen 1" : "frozen 0") != std::string::npos) return;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            throw UserError("the container did not " + std::string(frozen ? "freeze" : "thaw") + " in time");
        }
        if (::stat((dir + "/freezer.state").c_str(), &info) == 0) {
            const char* want = frozen ? "FROZEN" : "THAWED";
            for (int i = 0; i < 1000; ++i) {
                write_cgroup_file(dir, "freezer.state", want);
                if (read_text_file(dir + "/freezer.state").rfind(want, 0) == 0) return;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            throw UserError("the container did not " + std::string(frozen ? "freeze" : "thaw") + " in time");
        }
    }
    throw UserError("no freezer cgroup found for the container");
}

bool cgroup_frozen(const std::vector<std::string>& limit_dirs) {
    for (const auto& dir : limit_dirs) {
        std::string events = read_text_file(dir + "/cgroup.events");
        if (events.find("frozen 1") != std::string::npos) return true;
        if (read_text_file(dir + "/freezer.state").rfind("FROZEN", 0) == 0) return true;
    }
    return false;
}

std::vector<unsigned> parse_cpu_list(const std::string& text) {
    std::vector<unsigned> cpus;
    std::istringstream items(text);
    std::string item;
    while (std::getline(items, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
        if (item.empty()) continue;
        size_t dash = item.find('-');
        unsigned first = static_cast<unsigned>(std::stoul(item.substr(0, dash)));
        unsigned last = dash == std::string::npos ? first : static_cast<unsigned>(std::stoul(item.substr(dash + 1)));
        for (unsigned cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
    }
    return cpus;
}

std::string format_cpu_list(const std::vector<unsigned>& input) {
    std::vector<unsigned> cpus = input;
    std::sort(cpus.begin(), cpus.end());
    std::string text;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        text += (text.empty() ? "" : ",") + std::to_string(cpus[i]);
        if (j > i) text += "-" + std::to_string(cpus[j]);
        i = j + 1;
    }
    return text;
}

std::vector<unsigned> choose_cpus(const std::vector<unsigned>& available, const std::vector<unsigned>& usage,
                                  unsigned count) {
    std::vector<unsigned> order = available;
    auto used = [&usage](unsigned cpu) { return cpu < usage.size() ? usage[cpu] : 0u; };
    std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
        return used(a) != used(b) ? used(a) < used(b) : a < b;
    });
    if (order.size() > count) order.resize(count);
    std::sort(order.begin(), order.end());
    return order;
}

std::unique_ptr<ContainerCgroup> make_container_cgroup(const CgroupPlan& plan) {
    if (plan.version == 2) {
        for (const auto& mount : find_cgroup_mounts())
            if (mount.unified) return make_cgroup_v2(plan, mount.path);
        throw UserError("no cgroup2 file system is mounted");
    }
    return make_cgroup_v1(plan, find_cgroup_mounts());
}

}  // namespace pct
