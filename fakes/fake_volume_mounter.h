#pragma once
// VolumeMounter for tests: keeps a stack of what is mounted where, records
// every call, and can be told to fail any of them.
#include <string>
#include <vector>

#include "core/volume_mounter.h"
#include "fakes/failure_injector.h"

namespace pct {

class FakeVolumeMounter : public VolumeMounter {
public:
    // Like the kernel, a target may be mounted over again; unmount takes the
    // most recent mount at that target away. Unmounting a target with nothing
    // mounted throws UserError, as umount2 fails with EINVAL.
    void mount(const MountRequest& request) override;
    void unmount(const std::string& target) override;

    // "mount <source> <target> <raw|subvol|device>[ ro][ <options>]" and
    // "unmount <target>"; a call that threw has " (failed)" appended.
    const std::vector<std::string>& calls() const { return calls_; }
    void clear_calls() { calls_.clear(); }

    // What is mounted now, oldest first.
    const std::vector<MountRequest>& mounted() const { return mounted_; }
    bool is_mounted(const std::string& target) const;

    // `operation` is "mount" or "unmount"; see FailureInjector.
    void fail_on(const std::string& operation, const std::string& message) { failures_.fail_on(operation, message); }
    void fail_on_nth(const std::string& operation, int nth, const std::string& message) {
        failures_.fail_on_nth(operation, nth, message);
    }
    void clear_failures() { failures_.clear(); }

private:
    std::vector<std::string> calls_;
    std::vector<MountRequest> mounted_;
    FailureInjector failures_;
};

}  // namespace pct
