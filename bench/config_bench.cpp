// Micro-benchmarks of the config model on a typical container config:
// parse + validate (what every command pays per config), parse alone and
// write alone. Target: parse + validate <= 20 us.
#include <benchmark/benchmark.h>

#include <string>

#include "core/config_file.h"
#include "core/option_schema.h"

namespace {

constexpr int kVmid = 100;

// About fifteen keys, as a web server container created by the GUI would have.
const std::string kTypicalConfig =
    "#Web server for the intranet\n"
    "arch: amd64\n"
    "cores: 2\n"
    "features: keyctl=1,nesting=1\n"
    "hostname: web01\n"
    "memory: 2048\n"
    "mp0: local:100/vm-100-disk-1.raw,mp=/srv/data,backup=1,size=16G\n"
    "nameserver: 192.0.2.53\n"
    "net0: name=eth0,bridge=vmbr0,firewall=1,gw=192.0.2.1,hwaddr=BC:24:11:5E:7A:01,ip=192.0.2.10/24,type=veth\n"
    "onboot: 1\n"
    "ostype: debian\n"
    "rootfs: local:100/vm-100-disk-0.raw,size=8G\n"
    "swap: 512\n"
    "tags: prod;web\n"
    "unprivileged: 1\n"
    "lxc.apparmor.profile: generated\n";

// Fails the benchmark instead of timing an error path.
bool check_typical_config(benchmark::State& state) {
    pct::ParsedConfig parsed = pct::parse_config(kTypicalConfig, kVmid);
    if (!parsed.problems.empty()) {
        state.SkipWithError(("typical config has a parse problem: " + parsed.problems.front().message).c_str());
        return false;
    }
    for (const auto& [key, value] : parsed.config.main.values) {
        auto problems = pct::validate_option(key, value);
        if (!problems.empty()) {
            state.SkipWithError(("typical config fails validation: " + problems.front()).c_str());
            return false;
        }
    }
    return true;
}

void BM_ParseAndValidate(benchmark::State& state) {
    if (!check_typical_config(state)) return;
    for (auto _ : state) {
        pct::ParsedConfig parsed = pct::parse_config(kTypicalConfig, kVmid);
        size_t problems = parsed.problems.size();
        for (const auto& [key, value] : parsed.config.main.values) problems += pct::validate_option(key, value).size();
        benchmark::DoNotOptimize(problems);
    }
}
BENCHMARK(BM_ParseAndValidate)->Unit(benchmark::kMicrosecond);

void BM_Parse(benchmark::State& state) {
    if (!check_typical_config(state)) return;
    for (auto _ : state) {
        pct::ParsedConfig parsed = pct::parse_config(kTypicalConfig, kVmid);
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMicrosecond);

void BM_Write(benchmark::State& state) {
    if (!check_typical_config(state)) return;
    const pct::ContainerConfig config = pct::parse_config(kTypicalConfig, kVmid).config;
    for (auto _ : state) {
        std::string text = pct::write_config(config);
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK(BM_Write)->Unit(benchmark::kMicrosecond);

}  // namespace
