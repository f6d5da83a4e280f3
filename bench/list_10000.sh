#!/usr/bin/env bash
# Whole-process timing of `pct list` over 10,000 stopped containers.
# Usage: bench/list_10000.sh [PCT_BINARY]   (default: build/cli/pct)
# Environment: PCT_BENCH_CONTAINERS (10000), PCT_BENCH_RUNS (10),
#              PCT_BENCH_TARGET_MS (150; exit 1 when the median is above it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pct=$(realpath "${1:-$root/build/cli/pct}")
count=${PCT_BENCH_CONTAINERS:-10000}
runs=${PCT_BENCH_RUNS:-10}
target_ms=${PCT_BENCH_TARGET_MS:-150}
[ -x "$pct" ] || { echo "error: $pct is not executable (build first: bash ci/build.sh)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PCT_ROOT=$tmp
mkdir -p "$PCT_ROOT/etc/pve/lxc"

# Typical configs, each a little different, written by one awk process.
awk -v count="$count" -v dir="$PCT_ROOT/etc/pve/lxc" 'BEGIN {
    for (i = 0; i < count; i++) {
        id = 100 + i
        file = dir "/" id ".conf"
        printf "#Container %d\n", id > file
        printf "arch: amd64\ncores: %d\nfeatures: keyctl=1,nesting=1\nhostname: ct%d\nmemory: %d\n", 1 + i % 4, id, 512 * (1 + i % 8) > file
        printf "mp0: local:%d/vm-%d-disk-1.raw,mp=/srv/data,backup=1,size=16G\n", id, id > file
        printf "net0: name=eth0,bridge=vmbr0,firewall=1,gw=192.0.2.1,hwaddr=BC:24:11:%02X:%02X:%02X,ip=192.0.2.%d/24,type=veth\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, 2 + i % 250 > file
        printf "onboot: 1\nostype: debian\nrootfs: local:%d/vm-%d-disk-0.raw,size=8G\nswap: 512\ntags: bench;web\nunprivileged: 1\n", id, id > file
        printf "lxc.apparmor.profile: generated\n" > file
        close(file)
    }
}'

lines=$("$pct" list 2>"$tmp/stderr" | wc -l)  # also warms the page cache
if [ -s "$tmp/stderr" ]; then
    echo "error: pct list complained about the generated configs:" >&2
    head -5 "$tmp/stderr" >&2
    exit 1
fi
if [ "$lines" -ne $((count + 1)) ]; then
    echo "error: pct list printed $lines lines, expected $((count + 1))" >&2
    exit 1
fi

samples=()
for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$pct" list >/dev/null
    end=$EPOCHREALTIME
    samples+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
done
read -r min median < <(printf '%s\n' "${samples[@]}" | sort -g | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.1f %.1f\n", v[1], m }')
echo "pct list, $count stopped containers, $runs runs: min ${min} ms, median ${median} ms (target <= ${target_ms} ms)"
awk -v m="$median" -v t="$target_ms" 'BEGIN { exit !(m <= t) }'
