#include "cli/context.h"

#include <cstdio>

#include "runtime/host_probe.h"

namespace pct::cli {

const HostFacts& CliContext::facts() {
    if (!facts_) facts_ = probe_host_facts();
    return *facts_;
}

CliContext& context() {
    static CliContext instance;
    return instance;
}

void warn(const std::string& text) { std::fprintf(stderr, "WARN: %s\n", text.c_str()); }

}  // namespace pct::cli
