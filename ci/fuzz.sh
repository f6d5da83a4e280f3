#!/usr/bin/env bash
# Builds the libFuzzer tree (build-fuzz, clang) and fuzzes the config model
# for ${PCT_FUZZ_SECONDS:-60} seconds (0: only replay the seed corpus).
# Seeds are the conformance configs in ../shared, copied at run time.
# Exit status: non-zero on a build failure or on any crash; the crashing
# input is left in build-fuzz/artifacts/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=$(dirname "$root")/shared/conformance
build=$root/build-fuzz
seconds=${PCT_FUZZ_SECONDS:-60}

# -O1 and line tables only: quicker to build under ASan, still symbolized stacks.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DPCT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build "$build" -j"$(nproc)" --target config_fuzzer

seeds=$build/seeds
corpus=$build/corpus
artifacts=$build/artifacts
rm -rf "$seeds" "$corpus" "$artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"
if [ -d "$shared" ]; then
    for config in "$shared"/setup/*/config; do
        [ -f "$config" ] && cp "$config" "$seeds/setup-$(basename "$(dirname "$config")").conf"
    done
    if [ -d "$shared/snapshot" ]; then
        while IFS= read -r -d '' file; do
            name=${file#"$shared/snapshot/"}
            cp "$file" "$seeds/snapshot-${name//\//-}"
        done < <(find "$shared/snapshot" -type f -print0)
    fi
else
    echo "warning: $shared not found; fuzzing without seeds" >&2
fi
echo "fuzz: $(find "$seeds" -type f | wc -l) seed files, ${seconds}s"

options=(-artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1)
if [ "$seconds" -gt 0 ]; then
    options+=(-max_total_time="$seconds")
else
    options+=(-runs=0)
fi
# libFuzzer writes new inputs to the first directory and only reads the others.
status=0
"$build/fuzz/config_fuzzer" "${options[@]}" "$corpus" "$seeds" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzz: FAILED (exit $status); crashing inputs:" >&2
    ls -l "$artifacts" >&2
    exit 1
fi
echo "fuzz: no crash in ${seconds}s, corpus $(find "$corpus" -type f | wc -l) inputs"
