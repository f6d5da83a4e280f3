#pragma once
// TemplateUnpacker for tests: records every request, answers with a preset
// result, can run a hook (to fill a fake rootfs) and can be told to fail.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/template_unpacker.h"

namespace pct {

class FakeTemplateUnpacker : public TemplateUnpacker {
public:
    // Records the request, runs the hook, then throws UserError(message) when
    // told to fail, else returns result().
    UnpackResult unpack(const UnpackRequest& request) override;

    const std::vector<UnpackRequest>& requests() const { return requests_; }

    void set_result(UnpackResult result) { result_ = std::move(result); }
    // Every later unpack fails with this message (after being recorded).
    void fail_with(std::string message) { failure_ = std::move(message); }
    void clear_failure() { failure_.reset(); }
    // Called for every request before the failure check, e.g. to put an
    // /etc/os-release into a MemoryGuestFs the create test then inspects.
    void on_unpack(std::function<void(const UnpackRequest&)> hook) { hook_ = std::move(hook); }

private:
    std::vector<UnpackRequest> requests_;
    UnpackResult result_;
    std::optional<std::string> failure_;
    std::function<void(const UnpackRequest&)> hook_;
};

}  // namespace pct
