#include "runtime/storage_config_file.h"

#include <fstream>
#include <sstream>

namespace pct {

StorageConfig load_storage_config(const HostPaths& paths) {
    std::ifstream file(paths.storage_config());
    std::ostringstream text;
    if (file) text << file.rdbuf();
    std::string local = paths.default_local_storage();
    return with_local_storage(parse_storage_config(text.str(), paths.storage_config()), local);
}

}  // namespace pct
