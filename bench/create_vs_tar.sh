#!/usr/bin/env bash
# Whole-process timing, side by side in one run: `pct create` from a template
# of about 100 MB unpacked versus `tar -x` of the same archive into a
# directory on the same disk. pct uses a directory volume (rootfs local:0) on
# the same file system, so both write the same files to the same place;
# privileged (owners kept) and unprivileged (owners shifted while unpacking).
# Target: pct create ≤ 1.2 × tar. Usage: bench/create_vs_tar.sh [BUILD_DIR] [RUNS]
set -euo pipefail

build=${1:-build}
runs=${2:-5}
pct=$(cd "$build/cli" && pwd)/pct
work=$(mktemp -d /var/tmp/pct-create-bench.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
export PCT_ROOT=$work/root
mkdir -p "$PCT_ROOT/etc/pve"

# A template shaped like a real rootfs: many small files and some large ones
# (the host's Python and Perl libraries, locale sources, time zones),
# ~110 MB unpacked.
template=$work/template.tar.gz
tar -C / --numeric-owner -czf "$template" usr/lib/python3 usr/share/perl usr/lib/x86_64-linux-gnu/perl \
    usr/share/i18n usr/share/zoneinfo 2>/dev/null || true
echo "template: $(du -h "$template" | cut -f1) compressed, $(tar -tzvf "$template" | awk '{s += $3} END {printf "%.0f MB", s / 1e6}') unpacked"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tar_times=() priv_times=() unpriv_times=()
for i in $(seq 1 "$runs"); do
    sync
    target=$work/tar-$i
    mkdir -p "$target"
    start=$(now)
    tar -C "$target" --numeric-owner -xzf "$template"
    sync -f "$target"
    tar_times+=("$(elapsed "$start" "$(now)")")
    rm -rf "$target"
    sync  # the removal's journal work must not land in the next timing

    for mode in 0 1; do
        sync
        start=$(now)
        "$pct" create 500 "$template" --rootfs local:0 --unprivileged $mode >/dev/null 2>&1
        sync -f "$PCT_ROOT/var/lib/vz/images"
        t=$(elapsed "$start" "$(now)")
        if [ $mode = 0 ]; then priv_times+=("$t"); else unpriv_times+=("$t"); fi
        "$pct" destroy 500 >/dev/null 2>&1
        sync
    done
done

tar_median=$(printf '%s\n' "${tar_times[@]}" | median)
priv_median=$(printf '%s\n' "${priv_times[@]}" | median)
unpriv_median=$(printf '%s\n' "${unpriv_times[@]}" | median)
printf '%-28s %8s s\n' "tar -x (median of $runs)" "$tar_median"
printf '%-28s %8s s  ratio %s\n' "pct create, privileged" "$priv_median" "$(awk -v a="$priv_median" -v b="$tar_median" 'BEGIN { printf "%.2f", a / b }')"
printf '%-28s %8s s  ratio %s\n' "pct create, unprivileged" "$unpriv_median" "$(awk -v a="$unpriv_median" -v b="$tar_median" 'BEGIN { printf "%.2f", a / b }')"
