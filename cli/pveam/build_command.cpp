// pveam build busybox|debian-12 <storage>: templates made on this host
// (an extension of this project; Proxmox's pveam only downloads).
#include <iostream>

#include "cli/pveam/commands.h"
#include "cli/pveam/template_storage.h"
#include "core/error.h"
#include "runtime/template_builder.h"

namespace pct::pveam {

int run_build(const Arguments& args, const HostPaths& paths) {
    const std::string& kind = args.positionals[0];
    const std::string& storage_id = args.positionals[1];
    if (kind != "busybox" && kind != "debian-12")
        throw ParameterError(
            {"kind: value '" + kind + "' does not have a value in the enumeration 'busybox, debian-12'"});
    StorageDefinition storage = find_enabled_storage(paths, storage_id);
    if (!allows_templates(storage)) throw UserError("storage '" + storage_id + "' does not support templates");
    std::string cache_dir = template_cache_dir(storage);

    BuiltTemplate built;
    if (kind == "busybox") {
        built = build_busybox_template(cache_dir);
    } else {
        std::string mirror = host_debian_mirror();
        std::cout << "running debootstrap for Debian 12 from " << mirror << " (this takes minutes)" << std::endl;
        built = build_debian_template(cache_dir, mirror, std::cout);
    }
    std::cout << "created template " << storage_id << ":vztmpl/" << built.file_name << std::endl;
    return 0;
}

}  // namespace pct::pveam
