#pragma once
// Port: working inside a container rootfs that is mounted on the host.
#include <memory>
#include <string>

#include "core/guest/guest_setup.h"
#include "core/guest_fs.h"

namespace pct {

class GuestRootfs {
public:
    virtual ~GuestRootfs() = default;
    // Confined file access; files created belong to uid/gid (the mapped root).
    virtual std::unique_ptr<GuestFs> open(const std::string& rootdir, uint64_t uid, uint64_t gid) = 0;
    // Generates the planned host keys and stores them in the guest's /etc/ssh.
    virtual void generate_ssh_host_keys(GuestFs& fs, const guest::SshHostKeyPlan& plan) = 0;
};

}  // namespace pct
