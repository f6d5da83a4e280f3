#!/usr/bin/env bash
# Boot of the Debian 12 template to `systemctl is-system-running` = running
# (or degraded), then shutdown: pct against `systemd-nspawn -b`, side by side
# on copies of the same unpacked template, each in a directory on the same
# file system. Both are privileged (no user namespace) and get a private
# network namespace with only lo. Both run the same gettys by default: nspawn
# has only a console, so the pct container gets `tty: 0` (console only);
# PCT_BENCH_TTYS=2 gives it Proxmox's default two ttys, i.e. two more agetty
# units for systemd to start.
#
# A boot is timed from the start command until `systemctl is-system-running
# --wait` inside answers running/degraded, polled every 10 ms while systemd's
# bus socket does not exist yet; both sides are polled the same way, with
# `nsenter -a` into the container's init (pct's init.pid; nspawn's child once
# it has become systemd). A shutdown is timed from the request (`pct
# shutdown`; SIGTERM to systemd-nspawn, which sends SIGRTMIN+3 to init)
# until the container has gone. One untimed warm-up boot per side first
# (first boot: machine-id commit, journal creation); then the rounds
# alternate which side goes first.
#
# usage: bash bench/boot_vs_nspawn.sh [BUILD_DIR] [RUNS]   (root; needs systemd-nspawn)
# PCT_DEBIAN_TEMPLATE=/path/debian-12-standard_*.tar.zst uses that archive,
# otherwise `pveam build debian-12` makes one (needs the Debian mirror).
# Exits 1 when the median pct boot is above 0.9 x the nspawn one.
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-10}
PCT=$(realpath "$BUILD/cli/pct")
PVEAM=$(realpath "$BUILD/cli/pveam")
TARGET_RATIO=0.9
command -v systemd-nspawn >/dev/null || { echo "systemd-nspawn is not installed (apt-get install systemd-container)" >&2; exit 1; }
command -v nsenter >/dev/null || { echo "nsenter is not installed (util-linux)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pct-bench-boot.XXXXXX)
chmod 755 "$WORK"
export PCT_ROOT=$WORK/pct
mkdir -p "$PCT_ROOT/etc/pve/lxc"
ID=9210
MACHINE=pctbench$$
NSPAWN_PID=
cleanup() {
    "$PCT" stop "$ID" >/dev/null 2>&1 || true
    if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        kill -TERM "$NSPAWN_PID" 2>/dev/null
        sleep 5
        kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    fi
    # nspawn leaves this behind when the host's /run is no tmpfs.
    rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

template=${PCT_DEBIAN_TEMPLATE:-}
if [ -z "$template" ]; then
    echo "building the Debian template (pveam build debian-12) ..."
    "$PVEAM" build debian-12 local >"$WORK/pveam.log" 2>&1 || { tail -20 "$WORK/pveam.log" >&2; exit 1; }
    template=$(ls "$PCT_ROOT"/var/lib/vz/template/cache/debian-12-standard_*.tar.zst)
fi
mkdir "$WORK/base"
tar --numeric-owner -xpf "$template" -C "$WORK/base"
cp -a "$WORK/base" "$WORK/pct-rootfs"
cp -a "$WORK/base" "$WORK/nspawn-rootfs"
cat >"$PCT_ROOT/etc/pve/lxc/$ID.conf" <<EOT
arch: amd64
hostname: $MACHINE
memory: 1024
ostype: debian
rootfs: $WORK/pct-rootfs
tty: ${PCT_BENCH_TTYS:-0}
EOT

now() { date +%s%N; }

# booted CMD...: polls `CMD systemctl is-system-running --wait`; prints the state.
booted() {
    local state deadline=$((SECONDS + 120))
    while :; do
        state=$("$@" systemctl is-system-running --wait 2>/dev/null) || true
        case "$state" in running | degraded) echo "$state"; return 0 ;; esac
        [ "$SECONDS" -lt "$deadline" ] || { echo "no boot within 120 s (state [$state])" >&2; return 1; }
        sleep 0.01
    done
}

# Each sets BOOT_NS, DOWN_NS and STATE.
pct_cycle() {
    local t0 t1 t2
    t0=$(now)
    "$PCT" start "$ID" 2>/dev/null
    STATE=$(booted nsenter -t "$(cat "$PCT_ROOT/run/pct/$ID/init.pid")" -a)
    t1=$(now)
    "$PCT" shutdown "$ID" --timeout 60
    t2=$(now)
    BOOT_NS=$((t1 - t0)) DOWN_NS=$((t2 - t1))
}

nspawn_cycle() {
    local t0 t1 t2 pid leader=
    t0=$(now)
    systemd-nspawn -q -b -D "$WORK/nspawn-rootfs" -M "$MACHINE" --register=no --keep-unit --private-network \
        --console=read-only >>"$WORK/nspawn-console.log" 2>&1 </dev/null &
    NSPAWN_PID=$!
    # The container's PID 1 is nspawn's child once it has become systemd.
    while [ -z "$leader" ]; do
        for pid in $(pgrep -P "$NSPAWN_PID" || true); do
            [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] && leader=$pid
        done
        kill -0 "$NSPAWN_PID" 2>/dev/null || { tail "$WORK/nspawn-console.log" >&2; return 1; }
        [ -n "$leader" ] || sleep 0.01
    done
    STATE=$(booted nsenter -t "$leader" -a)
    t1=$(now)
    kill -TERM "$NSPAWN_PID"
    wait "$NSPAWN_PID" || true
    t2=$(now)
    NSPAWN_PID=
    BOOT_NS=$((t1 - t0)) DOWN_NS=$((t2 - t1))
}

median_ms() {  # median_ms VALUES_NS...: median in ms, 1 decimal
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'
}

echo "warm-up (first boot of each copy) ..."
pct_cycle
echo "  pct:    first boot $(awk "BEGIN { print $BOOT_NS / 1e6 }") ms, $STATE"
nspawn_cycle
echo "  nspawn: first boot $(awk "BEGIN { print $BOOT_NS / 1e6 }") ms, $STATE"

pct_boot=() pct_down=() nspawn_boot=() nspawn_down=()
printf '%-5s %12s %12s %12s %12s\n' round "pct boot" "nspawn boot" "pct down" "nspawn down"
for round in $(seq "$RUNS"); do
    for side in pct nspawn; do
        # Odd rounds pct first, even rounds nspawn first.
        [ $((round % 2)) -eq 1 ] || side=$([ "$side" = pct ] && echo nspawn || echo pct)
        "${side}_cycle"
        if [ "$side" = pct ]; then pb=$BOOT_NS pd=$DOWN_NS ps=$STATE; else nb=$BOOT_NS nd=$DOWN_NS ns=$STATE; fi
    done
    pct_boot+=("$pb") pct_down+=("$pd") nspawn_boot+=("$nb") nspawn_down+=("$nd")
    printf '%-5s %9.1f ms %9.1f ms %9.1f ms %9.1f ms  (%s / %s)\n' "$round" \
        "$(awk "BEGIN { print $pb / 1e6 }")" "$(awk "BEGIN { print $nb / 1e6 }")" \
        "$(awk "BEGIN { print $pd / 1e6 }")" "$(awk "BEGIN { print $nd / 1e6 }")" "$ps" "$ns"
done

pb=$(median_ms "${pct_boot[@]}")
nb=$(median_ms "${nspawn_boot[@]}")
pd=$(median_ms "${pct_down[@]}")
nd=$(median_ms "${nspawn_down[@]}")
ratio=$(awk "BEGIN { printf \"%.2f\", $pb / $nb }")
echo
echo "pct with tty: ${PCT_BENCH_TTYS:-0} (+ console); nspawn with its console"
echo "median of $RUNS: boot to running   pct $pb ms, nspawn $nb ms, pct/nspawn = $ratio (target <= $TARGET_RATIO)"
echo "                 shutdown          pct $pd ms, nspawn $nd ms"
awk "BEGIN { exit !($ratio <= $TARGET_RATIO) }"
