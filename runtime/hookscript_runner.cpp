#include "runtime/hookscript_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "runtime/run_program.h"

namespace pct {

void check_hookscript_file(const std::string& volid, const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) throw UserError("script '" + volid + "' does not exist");
    if (::access(path.c_str(), X_OK) != 0) throw UserError("script '" + volid + "' is not executable");
}

void run_hookscript_program(const std::string& volid, const std::string& path, int vmid, const std::string& phase) {
    check_hookscript_file(volid, path);
    const std::string id = std::to_string(vmid);
    run_host_program({path, id, phase}, "command '" + path + " " + id + " " + phase + "' failed", ToolOutput::Shown);
}

}  // namespace pct
