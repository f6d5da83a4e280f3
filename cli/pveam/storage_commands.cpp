// pveam list <storage> and pveam remove <volid>: the templates a storage holds.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sys/stat.h>

#include "cli/pveam/commands.h"
#include "cli/pveam/template_storage.h"
#include "core/error.h"
#include "core/volume_id.h"

namespace pct::pveam {

int run_list(const Arguments& args, const HostPaths& paths) {
    StorageDefinition storage = find_enabled_storage(paths, args.positionals[0]);
    if (!allows_templates(storage)) throw UserError("Storage does not support templates!");
    std::printf("%-60s %-6s\n", "NAME", "SIZE");
    for (const auto& stored : list_templates(storage))
        std::printf("%-60s %-4.2fMB\n", stored.volid.c_str(), static_cast<double>(stored.size) / (1024 * 1024));
    return 0;
}

int run_remove(const Arguments& args, const HostPaths& paths) {
    const std::string& volid = args.positionals[0];
    VolumeId id = parse_volume_id(volid);
    StorageDefinition storage = find_enabled_storage(paths, id.storage);
    DirVolname volname = parse_dir_volname(id.volname);
    if (volname.kind != VolumeKind::vztmpl)
        throw UserError("unable to use volume " + volid + " - content type needs to be 'vztmpl'");
    std::string path = template_cache_dir(storage) + "/" + volname.file_name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) throw UserError("can't find file '" + volid + "'");
    if (::unlink(path.c_str()) != 0) throw UserError("unable to remove '" + path + "' - " + std::strerror(errno));
    return 0;
}

}  // namespace pct::pveam
