#include "fakes/fake_volume_mounter.h"

#include <algorithm>

#include "core/error.h"

namespace pct {

namespace {

std::string describe(const MountRequest& request) {
    std::string kind = request.is_device ? "device" : request.format == VolumeFormat::Subvol ? "subvol" : "raw";
    std::string text = "mount " + request.source + " " + request.target + " " + kind;
    if (request.read_only) text += " ro";
    if (!request.options.empty()) text += " " + request.options;
    return text;
}

}  // namespace

void FakeVolumeMounter::mount(const MountRequest& request) {
    calls_.push_back(describe(request));
    try {
        failures_.check("mount", true);
    } catch (...) {
        calls_.back() += " (failed)";
        throw;
    }
    mounted_.push_back(request);
}

void FakeVolumeMounter::unmount(const std::string& target) {
    calls_.push_back("unmount " + target);
    try {
        failures_.check("unmount", true);
        auto top = std::find_if(mounted_.rbegin(), mounted_.rend(),
                                [&](const MountRequest& mounted) { return mounted.target == target; });
        if (top == mounted_.rend()) throw UserError("unable to unmount '" + target + "': Invalid argument");
        mounted_.erase(std::next(top).base());
    } catch (...) {
        calls_.back() += " (failed)";
        throw;
    }
}

bool FakeVolumeMounter::is_mounted(const std::string& target) const {
    return std::any_of(mounted_.begin(), mounted_.end(),
                       [&](const MountRequest& mounted) { return mounted.target == target; });
}

}  // namespace pct
