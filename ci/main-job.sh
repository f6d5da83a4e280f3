#!/usr/bin/env bash
# The main job: installs dependencies, builds pct, makes the built-in busybox
# template, creates a real (unprivileged) container from it and starts it,
# all under a private PCT_ROOT so the host's /etc/pve stays untouched.
# The container is stopped and destroyed at the end unless PCT_KEEP=1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/ci/install-deps.sh"
bash "$root/ci/build.sh"

pct=$root/build/cli/pct
pveam=$root/build/cli/pveam
export PCT_ROOT=${PCT_ROOT:-$(mktemp -d /tmp/pct-main-job.XXXXXX)}
echo "PCT_ROOT=$PCT_ROOT"

run() {
    echo
    echo "\$ $(basename "$1") ${*:2}"
    "$@"
}

run "$pveam" build busybox local
template=$("$pveam" list local | awk 'NR == 2 { print $1 }')
run "$pct" create 100 "$template" --hostname demo --rootfs local:0.25 --memory 256
run "$pct" start 100
run "$pct" status 100 --verbose
run "$pct" exec 100 -- /bin/sh -c 'echo "hello from $(hostname), uid $(id -u), pid 1 is $(cat /proc/1/comm)"; ps'
run "$pct" list

if [ "${PCT_KEEP:-0}" = 1 ]; then
    echo
    echo "CT 100 keeps running: PCT_ROOT=$PCT_ROOT $pct enter 100"
    exit 0
fi
run "$pct" shutdown 100 --timeout 20 --forceStop 1
run "$pct" destroy 100
rm -rf -- "$PCT_ROOT"
