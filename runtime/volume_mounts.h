#pragma once
// rootfs and mpN into the container root (runtime.md §5), done in the
// monitor's private mount namespace before init is created.
//
// Safety rules (§5.5): every path that comes from the guest is resolved
// component by component with openat2(RESOLVE_NO_SYMLINKS) starting at the
// root's directory handle, so no guest symlink can redirect a mount onto
// the host; bind sources are walked from "/" the same way (a symlink
// anywhere: `symlink encountered at: <path>`). Mounts are made with the new
// mount API on those handles (open_tree + mount_setattr + move_mount), so
// the attributes (ro, nodev, ...) are set before the mount becomes visible,
// and every bind is verified afterwards: read-only really read-only, and
// the mounted directory is the one whose handle was taken.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/start_plan.h"
#include "core/volume_mounter.h"
#include "runtime/unique_fd.h"

namespace pct {

// Host directory walked from "/" with openat2(RESOLVE_NO_SYMLINKS) per
// component. Throws UserError `symlink encountered at: <path so far>` or
// `cannot open directory <path>: <errno text>`.
UniqueFd open_host_directory_nofollow(const std::string& path);

enum class CreateMissing { Nothing, Directories, DirectoriesAndFile };

struct GuestPath {
    UniqueFd parent;   // directory holding the last component
    std::string name;  // last component ("" for the root itself)
    UniqueFd target;   // O_PATH handle of the path
};

// Resolves `path` (absolute, inside the container) below `root_fd` without
// following any symlink and without leaving the root. Missing directories
// (and, with DirectoriesAndFile, the last component as an empty file) are
// created with mode 0755 (files 0000) owned by uid:gid. Throws UserError:
// `symlink encountered at: <path>`, `failed to create path: <path>: <err>`,
// `<path> contains illegal character sequences`.
GuestPath open_guest_path(int root_fd, const std::string& path, CreateMissing create, uid_t uid = 0,
                          gid_t gid = 0);

// A directory inside the container resolved as open_guest_path does (no
// symlinks, nothing created), opened for reading (fstatvfs, ioctls).
// Throws UserError.
UniqueFd open_guest_directory(int root_fd, const std::string& path);

// MOUNT_ATTR_* bits for "ro", "nodev", "nosuid", "noexec", "noatime",
// "nodiratime", "relatime", "strictatime", "nosymfollow".
uint64_t mount_attributes(const std::vector<std::string>& flags, bool read_only);

// Clones the mount at `source_fd` (recursively with `recursive`), applies
// `attributes` to the detached copy, and attaches it on `target_fd`.
// Throws UserError with `what` as prefix.
void bind_mount_fds(int source_fd, int target_fd, uint64_t attributes, bool recursive, const std::string& what);

// runtime.md §5.5 "Verify": re-opens `name` below `parent_fd` (the root of
// the new mount); if read-only was requested a write access check must fail
// with EROFS (`failed to mark bind mount read only` /
// `read-only check failed: <err>`); its (st_dev, st_ino) must equal the
// source handle's (`detected mount path change at: <source_path>`).
// `name` empty: `parent_fd` is the mount root itself.
void verify_bind_mount(int parent_fd, const std::string& name, int source_fd, bool read_only,
                       const std::string& source_path);

// A user namespace with `map` (uid_map line order), for MOUNT_ATTR_IDMAP.
UniqueFd make_idmap_userns(const std::vector<IdMapEntry>& map);

// Mounts the planned volumes: the rootfs on `rootfs_dir` (a directory of
// ours on the host), then each mount point inside it, in plan order. Block
// and image volumes go through `mounter` to `staging_dir/<key>` first.
// Every mount made is recorded so that undo() (or post-stop) takes it away.
class VolumeMountSession {
public:
    VolumeMountSession(VolumeMounter& mounter, std::string rootfs_dir, std::string staging_dir);
    ~VolumeMountSession();

    // Throws UserError `<key>: <message>`; mounts made so far stay recorded.
    void mount_all(const std::vector<VolumeMountPlan>& volumes, uid_t root_uid, gid_t root_gid);
    // Host paths of top-level mounts made (rootfs dir, staging dirs), in order.
    const std::vector<std::string>& mounts() const { return mounts_; }
    void undo();
    void release() { mounts_.clear(); }  // hand-over: post-stop will clean up

private:
    void mount_rootfs(const VolumeMountPlan& volume);
    void mount_point(const VolumeMountPlan& volume, uid_t root_uid, gid_t root_gid);

    VolumeMounter& mounter_;
    std::string rootfs_dir_;
    std::string staging_dir_;
    std::vector<std::string> mounts_;
};

// Mount points below `directory` in /proc/self/mountinfo, deepest first.
std::vector<std::string> mounts_below(const std::string& directory);

// Unmounts (detaching) the given host paths in reverse order, ignoring
// paths with nothing mounted.
void unmount_all(const std::vector<std::string>& paths);

}  // namespace pct
