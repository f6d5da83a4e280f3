#include "fakes/fake_template_unpacker.h"

#include "core/error.h"

namespace pct {

UnpackResult FakeTemplateUnpacker::unpack(const UnpackRequest& request) {
    requests_.push_back(request);
    if (hook_) hook_(request);
    if (failure_) throw UserError(*failure_);
    return result_;
}

}  // namespace pct
