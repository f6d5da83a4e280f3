#include "runtime/run_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"

namespace pct {

std::optional<uint64_t> process_start_time(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) return std::nullopt;
    // The command name may contain blanks and ')': fields start after the last ')'.
    size_t paren = text.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    // Field 3 (state) is the first here; starttime is field 22.
    for (int index = 3; index <= 22; ++index) {
        if (!(fields >> field)) return std::nullopt;
        if (index == 3 && (field == "Z" || field == "X")) return std::nullopt;  // exited, not reaped
    }
    return std::stoull(field);
}

bool process_alive(const ProcessIdentity& process) {
    auto start = process_start_time(process.pid);
    return start && *start == process.start_time;
}

int open_verified_pidfd(const ProcessIdentity& process) {
    if (!process_alive(process)) return -1;
    int fd = sys_pidfd_open(process.pid);
    if (fd < 0) return -1;
    // The pidfd pins this PID; checking again closes the window in which the
    // process could have exited and the PID been reused.
    if (!process_alive(process)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string run_state_path(const HostPaths& paths, int vmid) { return paths.run_dir(vmid) + "/state"; }

void write_file_atomic(const std::string& path, const std::string& text, mode_t mode) {
    StagedFile(path, text, mode).publish();
}

StagedFile::StagedFile(std::string path, const std::string& text, mode_t mode) : path_(std::move(path)) {
    std::string temp = path_ + ".tmp";
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) throw UserError("cannot write '" + temp + "': " + errno_text());
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw UserError("cannot write '" + temp + "': " + errno_text());
}

void StagedFile::publish() const {
    std::string temp = path_ + ".tmp";
    if (::rename(temp.c_str(), path_.c_str()) != 0) throw UserError("cannot rename '" + temp + "': " + errno_text());
}

void write_run_state(const HostPaths& paths, const RunState& s) {
    write_file_atomic(run_state_path(paths, s.vmid), format_run_state(s), 0600);
}

std::string format_run_state(const RunState& s) {
    std::ostringstream out;
    out << "vmid " << s.vmid << "\n"
        << "init " << s.init.pid << " " << s.init.start_time << "\n"
        << "monitor " << s.monitor.pid << " " << s.monitor.start_time << "\n"
        << "unprivileged " << s.unprivileged << "\n"
        << "root " << s.root_uid << " " << s.root_gid << "\n"
        << "cgroup_version " << s.cgroup_version << "\n";
    for (const auto& dir : s.cgroup_limit_dirs) out << "cgroup_limit " << dir << "\n";
    for (const auto& dir : s.cgroup_payload_dirs) out << "cgroup_payload " << dir << "\n";
    out << "caps_dropped";
    for (int cap : s.capabilities_dropped) out << " " << cap;
    out << "\n";
    if (!s.apparmor_profile.empty()) out << "apparmor " << s.apparmor_profile << "\n";
    if (!s.apparmor_loaded.empty()) out << "apparmor_loaded " << s.apparmor_loaded << "\n";
    if (!s.seccomp_filter.empty()) out << "seccomp " << s.seccomp_filter << "\n";
    if (s.seccomp_notify) out << "seccomp_notify 1\n";
    if (!s.halt_signal.empty()) out << "halt_signal " << s.halt_signal << "\n";
    out << "stop_signal " << s.stop_signal << "\n";
    out << "network " << s.has_network << "\n";
    if (!s.rootfs.empty()) out << "rootfs " << s.rootfs << "\n";
    for (const auto& mount : s.mounts) out << "mount " << mount << "\n";
    for (const auto& env : s.env)
        if (env.find('\n') == std::string::npos) out << "env " << env << "\n";
    return out.str();
}

std::optional<RunState> read_run_state(const HostPaths& paths, int vmid) {
    std::ifstream file(run_state_path(paths, vmid));
    if (!file) return std::nullopt;
    RunState s;
    s.vmid = vmid;
    std::string line;
    while (std::getline(file, line)) {
        size_t blank = line.find(' ');
        std::string key = line.substr(0, blank);
        std::string value = blank == std::string::npos ? "" : line.substr(blank + 1);
        std::istringstream in(value);
        if (key == "init") in >> s.init.pid >> s.init.start_time;
        else if (key == "monitor") in >> s.monitor.pid >> s.monitor.start_time;
        else if (key == "unprivileged") s.unprivileged = value == "1";
        else if (key == "root") in >> s.root_uid >> s.root_gid;
        else if (key == "cgroup_version") in >> s.cgroup_version;
        else if (key == "cgroup_limit") s.cgroup_limit_dirs.push_back(value);
        else if (key == "cgroup_payload") s.cgroup_payload_dirs.push_back(value);
        else if (key == "caps_dropped") {
            int cap;
            while (in >> cap) s.capabilities_dropped.push_back(cap);
        } else if (key == "apparmor") s.apparmor_profile = value;
        else if (key == "apparmor_loaded") s.apparmor_loaded = value;
        else if (key == "seccomp") s.seccomp_filter = value;
        else if (key == "seccomp_notify") s.seccomp_notify = value == "1";
        else if (key == "halt_signal") s.halt_signal = value;
        else if (key == "stop_signal") s.stop_signal = value;
        else if (key == "network") s.has_network = value == "1";
        else if (key == "rootfs") s.rootfs = value;
        else if (key == "mount") s.mounts.push_back(value);
        else if (key == "env") s.env.push_back(value);
    }
    return s;
}

}  // namespace pct
