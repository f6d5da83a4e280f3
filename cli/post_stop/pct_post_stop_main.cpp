// pct-post-stop: what the container monitor execs once init has exited
// (runtime/post_stop.h). A binary of its own rather than `pct __post-stop`:
// it loads no libraries beyond libc, libmnl and libapparmor (libstdc++ is
// linked in statically), so starting it costs a fraction of starting pct,
// and the container counts as running until it has finished.
#include <cstdio>
#include <exception>

#include "core/config_loader.h"
#include "core/error.h"
#include "runtime/host_paths.h"
#include "runtime/network_links.h"
#include "runtime/post_stop.h"
#include "runtime/post_stop_config.h"

int main(int argc, char** argv) {
    try {
        if (argc != 2) throw pct::UserError("usage: pct-post-stop <vmid> (run by the container monitor)");
        return pct::finish_stopped_container(pct::HostPaths::from_environment(), pct::parse_vmid(argv[1]),
                                             {.delete_network = pct::delete_container_interfaces,
                                              .finish_config = pct::finish_stopped_config},
                                             pct::executable_directory() + "/pct");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pct-post-stop: %s\n", e.what());
        return 1;
    }
}
