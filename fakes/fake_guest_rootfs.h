#pragma once
// GuestRootfs for tests: every open() hands out a view of one MemoryGuestFs,
// so a test can prepare the "unpacked" guest and inspect it afterwards.
#include <vector>

#include "core/guest_rootfs.h"
#include "fakes/memory_guest_fs.h"

namespace pct {

class FakeGuestRootfs : public GuestRootfs {
public:
    std::unique_ptr<GuestFs> open(const std::string& rootdir, uint64_t uid, uint64_t gid) override;
    void generate_ssh_host_keys(GuestFs& fs, const guest::SshHostKeyPlan& plan) override;

    MemoryGuestFs fs;
    std::vector<std::string> opened;             // "<rootdir> <uid>:<gid>"
    std::vector<std::string> generated_key_types;
};

}  // namespace pct
