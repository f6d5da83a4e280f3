#pragma once
// Creates the plugin for an OS type (guest-setup.md §6).
#include <memory>
#include <string>

#include "core/guest/guest_plugin.h"

namespace pct::guest {

// Throws UserError for an unknown type or when the plugin rejects the
// guest's release. `unmanaged` has no plugin: nothing is done for it.
std::unique_ptr<GuestPlugin> make_guest_plugin(const std::string& os_type, GuestFiles& files,
                                               const PluginContext& context);

}  // namespace pct::guest
