#pragma once
// A command line pveam cannot make sense of: the message, then the usage.
#include "core/error.h"

namespace pct::pveam {

class UsageError : public UserError {
public:
    using UserError::UserError;
};

}  // namespace pct::pveam
