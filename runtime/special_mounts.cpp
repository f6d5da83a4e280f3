#include "runtime/special_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"
#include "runtime/volume_mounts.h"

namespace pct {

namespace {

bool has_flag(const SpecialMountPlan& mount, const char* flag) {
    for (const auto& f : mount.flags)
        if (f == flag) return true;
    return false;
}

std::string parent_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

CreateMissing create_mode(const SpecialMountPlan& mount) {
    if (mount.create == "file") return CreateMissing::DirectoriesAndFile;
    if (mount.create == "dir") return CreateMissing::Directories;
    // The standard file systems get their directory if the image lacks it (LXC does the same).
    if (mount.what != "bind" && mount.what != "move" && !mount.host_source) return CreateMissing::Directories;
    return CreateMissing::Nothing;
}

void new_filesystem(const SpecialMountPlan& mount, int target_fd) {
    UniqueFd fs(::fsopen(mount.what.c_str(), FSOPEN_CLOEXEC));
    if (!fs) throw UserError("cannot open file system '" + mount.what + "': " + errno_text());
    std::istringstream items(mount.data);
    std::string item;
    while (std::getline(items, item, ',')) {
        if (item.empty()) continue;
        size_t eq = item.find('=');
        int rc = eq == std::string::npos
                     ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, item.c_str(), nullptr, 0)
                     : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, item.substr(0, eq).c_str(), item.substr(eq + 1).c_str(), 0);
        if (rc != 0) throw UserError("option '" + item + "' rejected by " + mount.what + ": " + errno_text());
    }
    if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        throw UserError("cannot create " + mount.what + " instance: " + errno_text());
    UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(mount_attributes(mount.flags, false))));
    if (!mnt) throw UserError("cannot mount " + mount.what + ": " + errno_text());
    if (::move_mount(mnt.get(), "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw UserError("cannot attach " + mount.what + ": " + errno_text());
}

void apply_one(int root_fd, const SpecialMountPlan& mount) {
    if (mount.what == "symlink") {
        GuestPath dir = open_guest_path(root_fd, parent_of(mount.target), CreateMissing::Directories);
        if (::symlinkat(mount.source.c_str(), dir.target.get(), name_of(mount.target).c_str()) != 0 && errno != EEXIST)
            throw UserError("cannot create symlink: " + errno_text());
        return;
    }
    if (mount.what == "boot-id") {
        GuestPath dir = open_guest_path(root_fd, parent_of(mount.source), CreateMissing::Directories);
        std::string name = name_of(mount.source);
        ::unlinkat(dir.target.get(), name.c_str(), 0);
        UniqueFd file(::openat(dir.target.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444));
        std::string uuid = random_uuid() + "\n";
        if (!file || ::write(file.get(), uuid.data(), uuid.size()) != static_cast<ssize_t>(uuid.size()))
            throw UserError("cannot write boot id: " + errno_text());
        file.reset();
        GuestPath source = open_guest_path(root_fd, mount.source, CreateMissing::Nothing);
        GuestPath target = open_guest_path(root_fd, mount.target, CreateMissing::Nothing);
        bind_mount_fds(source.target.get(), target.target.get(), mount_attributes(mount.flags, false), false, "boot id");
        return;
    }

    GuestPath target = open_guest_path(root_fd, mount.target, create_mode(mount));
    if (mount.what == "umount") {
        std::string path = "/proc/self/fd/" + std::to_string(target.target.get());
        if (::umount2(path.c_str(), MNT_DETACH) != 0) throw UserError("cannot unmount: " + errno_text());
        return;
    }
    if (mount.what == "remount") {
        struct mount_attr attr {};
        attr.attr_set = mount_attributes(mount.flags, false);
        if (::mount_setattr(target.target.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
            throw UserError("cannot change mount attributes: " + errno_text());
        return;
    }
    if (mount.what == "bind" || mount.what == "move") {
        UniqueFd source;
        if (mount.host_source) {
            // Host paths written by the administrator (lxc.mount.entry) are taken as written.
            source.reset(::open(mount.source.c_str(), O_PATH | O_CLOEXEC));
            if (!source) throw UserError("cannot open " + mount.source + ": " + errno_text());
        } else {
            source = open_guest_path(root_fd, mount.source, CreateMissing::Nothing).target;
        }
        if (mount.what == "move") {
            if (::move_mount(source.get(), "", target.target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
                throw UserError("cannot move mount from " + mount.source + ": " + errno_text());
            return;
        }
        bind_mount_fds(source.get(), target.target.get(), mount_attributes(mount.flags, false), has_flag(mount, "rec"),
                       "bind mount of " + mount.source);
        return;
    }
    new_filesystem(mount, target.target.get());
}

}  // namespace

std::string random_uuid() {
    std::ifstream file("/proc/sys/kernel/random/uuid");
    std::string uuid;
    std::getline(file, uuid);
    return uuid;
}

void apply_special_mounts(int root_fd, const std::vector<SpecialMountPlan>& mounts) {
    for (const auto& mount : mounts) {
        try {
            apply_one(root_fd, mount);
        } catch (const UserError& e) {
            if (mount.optional) continue;
            throw UserError(mount.target + ": " + e.what());
        }
    }
}

}  // namespace pct
