#include "runtime/post_stop.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "runtime/apparmor.h"
#include "runtime/cgroups.h"
#include "runtime/run_state.h"
#include "runtime/volume_mounts.h"

namespace pct {

namespace {

bool remove_below(int dir_fd, dev_t device) {
    DIR* dir = ::fdopendir(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 3));
    if (!dir) return false;
    bool ok = true;
    while (struct dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat info {};
        if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(info.st_mode)) {
            if (info.st_dev != device) {
                ok = false;  // something is still mounted here: leave it
                continue;
            }
            int child = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0) {
                ok = false;
                continue;
            }
            ok = remove_below(child, device) && ok;
            ::close(child);
            if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) ok = false;
        } else if (::unlinkat(dir_fd, name.c_str(), 0) != 0) {
            ok = false;
        }
    }
    ::closedir(dir);
    return ok;
}

}  // namespace

bool remove_tree_same_fs(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT;
    struct stat info {};
    ::fstat(fd, &info);
    bool ok = remove_below(fd, info.st_dev);
    ::close(fd);
    return ::rmdir(path.c_str()) == 0 && ok;
}

std::string last_exit_status(const HostPaths& paths, int vmid) {
    std::string text = read_text_file(paths.run_dir(vmid) + "/exit-status");
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

std::vector<std::string> run_post_stop(const HostPaths& paths, int vmid, const PostStopHooks& hooks) {
    std::vector<std::string> problems;
    std::string run_dir = paths.run_dir(vmid);
    std::optional<RunState> state = read_run_state(paths, vmid);
    if (state) {
        // In the monitor's namespace this takes the volumes away (and their
        // loop devices with them); elsewhere nothing of ours is mounted there.
        unmount_all(state->mounts);
        unload_apparmor_profile(state->apparmor_loaded, run_dir);
    } else {
        unmount_all({run_dir + "/rootfs"});
    }
    // Without interfaces at start there is nothing to delete (no hotplug);
    // skipping saves a dump of every link on the host.
    if (hooks.delete_network && (!state || state->has_network)) hooks.delete_network(vmid);
    // The payload groups first: then each limit group goes with one rmdir.
    if (state)
        for (const auto& dir : state->cgroup_payload_dirs) ::rmdir(dir.c_str());
    std::vector<std::string> cgroups = container_cgroup_dirs(vmid);
    for (const auto& dir : cgroups) {
        remove_cgroup_tree(dir);
        struct stat info {};
        if (::stat(dir.c_str(), &info) == 0) problems.push_back("cannot remove cgroup " + dir);
    }
    if (!remove_tree_same_fs(run_dir)) problems.push_back("cannot remove " + run_dir + " completely");
    return problems;
}

int finish_stopped_container(const HostPaths& paths, int vmid, const PostStopHooks& hooks, const std::string& pct_binary) {
    std::string exit_status = last_exit_status(paths, vmid);
    for (const auto& problem : run_post_stop(paths, vmid, hooks)) std::fprintf(stderr, "WARN: %s\n", problem.c_str());
    if (hooks.finish_config)
        for (const auto& problem : hooks.finish_config(paths, vmid, exit_status == "killed 1"))
            std::fprintf(stderr, "WARN: %s\n", problem.c_str());
    // The kernel ends init with SIGHUP when the guest reboots (runtime.md
    // §14): start again with the current config, as Proxmox does.
    if (exit_status == "killed 1") {
        std::fflush(nullptr);
        std::string id = std::to_string(vmid);
        // Our command sockets must close first: they say "still running".
        ::close_range(3, ~0U, 0);
        const char* argv[] = {"pct", "start", id.c_str(), nullptr};
        ::execv(pct_binary.c_str(), const_cast<char**>(argv));
        return 1;
    }
    return 0;
}

}  // namespace pct
