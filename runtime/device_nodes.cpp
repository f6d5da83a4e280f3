#include "runtime/device_nodes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/volume_mounts.h"

namespace pct {

namespace {

void bind_host_node(int root_fd, const DeviceNodePlan& device) {
    const std::string& host = device.host_path.empty() ? device.path : device.host_path;
    UniqueFd source(::open(host.c_str(), O_PATH | O_CLOEXEC));
    if (!source) throw UserError("cannot open host device " + host + ": " + errno_text());
    GuestPath target = open_guest_path(root_fd, device.path, CreateMissing::DirectoriesAndFile);
    bind_mount_fds(source.get(), target.target.get(), 0, false, "bind of " + host);
}

}  // namespace

// Attaches the detached bind mount of a staged node on an empty file.
void attach_staged_node(int root_fd, const DeviceNodePlan& device, int tree) {
    GuestPath target = open_guest_path(root_fd, device.path, CreateMissing::DirectoriesAndFile);
    if (::move_mount(tree, "", target.target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw UserError("cannot attach the pass-through node: " + errno_text());
}

void create_device_nodes(int root_fd, const std::vector<DeviceNodePlan>& devices, const StagedDeviceNodes& staged) {
    for (const auto& device : devices) {
        try {
            if (auto tree = staged.find(device.path); device.passthrough && tree != staged.end()) {
                attach_staged_node(root_fd, device, tree->second.get());
                continue;
            }
            if (device.bind_from_host) {
                bind_host_node(root_fd, device);
                continue;
            }
            std::string parent = device.path.substr(0, device.path.find_last_of('/'));
            std::string name = device.path.substr(device.path.find_last_of('/') + 1);
            GuestPath dir = open_guest_path(root_fd, parent.empty() ? "/" : parent, CreateMissing::Directories);
            mode_t type = device.type == 'b' ? S_IFBLK : S_IFCHR;
            ::unlinkat(dir.target.get(), name.c_str(), 0);
            if (::mknodat(dir.target.get(), name.c_str(), type | (device.mode & 07777), makedev(device.major, device.minor)) != 0) {
                if (errno != EPERM) throw UserError("mknod failed: " + errno_text());
                bind_host_node(root_fd, device);  // no CAP_MKNOD here: use the host's node
                continue;
            }
            // mknod is subject to the umask; the planned mode is exact.
            if (::fchmodat(dir.target.get(), name.c_str(), device.mode & 07777, 0) != 0 ||
                ::fchownat(dir.target.get(), name.c_str(), static_cast<uid_t>(device.uid), static_cast<gid_t>(device.gid),
                           AT_SYMLINK_NOFOLLOW) != 0)
                throw UserError("cannot set owner and mode: " + errno_text());
        } catch (const UserError& e) {
            throw UserError(device.path + ": " + e.what());
        }
    }
}

}  // namespace pct
