#pragma once
// The `features:` option (config.md §9.1) as typed flags.
#include <string>
#include <vector>

namespace pct {

struct ContainerFeatures {
    bool nesting = false;
    bool keyctl = false;
    bool fuse = false;
    bool mknod = false;
    bool force_rw_sys = false;
    std::vector<std::string> mount_types;  // mount=ext4;nfs -> {"ext4", "nfs"}
};

// `value` is the option as stored ("nesting=1,mount=nfs;cifs"); nullptr: none.
// Throws UserError when it does not parse.
ContainerFeatures parse_container_features(const std::string* value);

}  // namespace pct
