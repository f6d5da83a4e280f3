#include "runtime/idmap_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/kernel_api.h"
#include "runtime/unique_fd.h"

namespace pct {

namespace {

void write_map(pid_t pid, const char* file, const std::string& text) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw UserError(std::string("cannot write ") + file + ": " + errno_text());
}

}  // namespace

void write_id_maps(pid_t pid, const std::vector<IdMapEntry>& map) {
    std::string uids, gids;
    for (const auto& entry : map) {
        std::string line = std::to_string(entry.container_start) + " " + std::to_string(entry.host_start) + " " +
                           std::to_string(entry.count) + "\n";
        (entry.type == 'u' ? uids : gids) += line;
    }
    // We write as root of the parent namespace (CAP_SETUID/CAP_SETGID there),
    // so setgroups stays "allow": the container's root may manage its groups.
    write_map(pid, "uid_map", uids);
    write_map(pid, "gid_map", gids);
}

}  // namespace pct
