#pragma once
#include "core/guest_rootfs.h"

namespace pct {

class LinuxGuestRootfs : public GuestRootfs {
public:
    std::unique_ptr<GuestFs> open(const std::string& rootdir, uint64_t uid, uint64_t gid) override;
    void generate_ssh_host_keys(GuestFs& fs, const guest::SshHostKeyPlan& plan) override;
};

}  // namespace pct
