#!/usr/bin/env bash
# Configures and builds pct (RelWithDebInfo, warnings as errors).
# Usage: ci/build.sh [BUILD_DIR [EXTRA_CMAKE_ARGS...]]   (default: build)
# PCT_BUILD_TARGETS="a b" builds only those targets (default: all).
# Idempotent: re-running only rebuilds what changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
shift || true
case "$build" in /*) ;; *) build=$root/$build ;; esac

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPCT_WERROR=ON "$@"
targets=()
for target in ${PCT_BUILD_TARGETS:-}; do targets+=(--target "$target"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}"
