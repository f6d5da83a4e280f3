// pct-monitor: the resident per-container process (runtime/monitor.h).
// Started only by `pct start`, with its descriptors already in place.
#include <stdio.h>

#include "runtime/monitor.h"

int main(int argc, char** argv) {
    pct::MonitorArgs args;
    if (!pct::parse_monitor_args(argc, argv, args)) {
        fprintf(stderr, "pct-monitor is started by 'pct start' only\n");
        return 2;
    }
    return pct::run_monitor(args);
}
