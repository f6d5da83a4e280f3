#!/usr/bin/env bash
# Boot of the Debian 12 template to `systemctl is-system-running` = running
# (or degraded), then shutdown: pct against `systemd-nspawn -b`, side by side
# on copies of the same unpacked template, each in a directory on the same
# file system. Both are privileged (no user namespace) and get a private
# network namespace with only lo. pct runs two containers: `pct` with
# `tty: 0`, which boots the same units as nspawn (one getty, on the
# console), and `pct-tty2` with Proxmox's default of two ttys (two more
# agetty units for systemd to start).
#
# A boot is timed from the start command until `systemctl is-system-running
# --wait` inside answers running/degraded, polled every 10 ms while systemd's
# bus socket does not exist yet; both sides are polled the same way, with
# `nsenter -a` into the container's init (pct's init.pid; nspawn's child once
# it has become systemd). A shutdown is timed from the request (`pct
# shutdown`; SIGTERM to systemd-nspawn, which sends SIGRTMIN+3 to init)
# until the container has gone. One untimed warm-up boot per side first
# (first boot: machine-id commit, journal creation); then each round boots
# every side once, in an order that rotates from round to round. Besides the
# ratio of the medians it prints the median of the per-round ratios, which a
# load that drifts during the run disturbs less.
#
# usage: bash bench/boot_vs_nspawn.sh [BUILD_DIR] [RUNS]   (root; needs systemd-nspawn)
# PCT_DEBIAN_TEMPLATE=/path/debian-12-standard_*.tar.zst uses that archive,
# otherwise `pveam build debian-12` makes one (needs the Debian mirror).
# Exits 1 when pct's (tty: 0) median boot is above 0.9 x nspawn's.
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
MACHINE=pctbench$$
NSPAWN_PID=
cleanup() {
    "$PCT" stop 9210 >/dev/null 2>&1 || true
    "$PCT" stop 9212 >/dev/null 2>&1 || true
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
for copy in pct pct-tty2 nspawn; do cp -a "$WORK/base" "$WORK/$copy-rootfs"; done
write_pct_config() {  # write_pct_config ID ROOTFS TTYS
    cat >"$PCT_ROOT/etc/pve/lxc/$1.conf" <<EOT
arch: amd64
hostname: $MACHINE
memory: 1024
ostype: debian
rootfs: $2
tty: $3
EOT
}
write_pct_config 9210 "$WORK/pct-rootfs" 0
write_pct_config 9212 "$WORK/pct-tty2-rootfs" 2

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

# Each cycle sets BOOT_NS, DOWN_NS and STATE.
pct_cycle() {  # pct_cycle ID
    local t0 t1 t2
    t0=$(now)
    "$PCT" start "$1" 2>/dev/null
    STATE=$(booted nsenter -t "$(cat "$PCT_ROOT/run/pct/$1/init.pid")" -a)
    t1=$(now)
    "$PCT" shutdown "$1" --timeout 60
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

SIDES=(pct pct-tty2 nspawn)
cycle() {
    case "$1" in
        pct) pct_cycle 9210 ;;
        pct-tty2) pct_cycle 9212 ;;
        nspawn) nspawn_cycle ;;
    esac
}
ms() { awk "BEGIN { printf \"%.1f\", $1 / 1e6 }"; }
median() {  # median VALUES...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "first boot of each copy (untimed warm-up):"
for side in "${SIDES[@]}"; do
    cycle "$side"
    printf '  %-9s %8s ms, %s\n' "$side" "$(ms "$BOOT_NS")" "$STATE"
done

declare -A boots downs
ratios=() ratios2=()
printf '%-5s %12s %12s %12s   %s\n' round "pct boot" "tty2 boot" "nspawn boot" "shutdown pct / tty2 / nspawn"
for round in $(seq "$RUNS"); do
    declare -A boot down state
    for i in 0 1 2; do
        side=${SIDES[$(((i + round) % 3))]}
        cycle "$side"
        boot[$side]=$BOOT_NS down[$side]=$DOWN_NS state[$side]=$STATE
        boots[$side]+=" $BOOT_NS" downs[$side]+=" $DOWN_NS"
    done
    ratios+=("$(awk "BEGIN { print ${boot[pct]} / ${boot[nspawn]} }")")
    ratios2+=("$(awk "BEGIN { print ${boot[pct-tty2]} / ${boot[nspawn]} }")")
    printf '%-5s %9s ms %9s ms %9s ms   %s / %s / %s ms  (%s / %s / %s)\n' "$round" \
        "$(ms "${boot[pct]}")" "$(ms "${boot[pct-tty2]}")" "$(ms "${boot[nspawn]}")" \
        "$(ms "${down[pct]}")" "$(ms "${down[pct-tty2]}")" "$(ms "${down[nspawn]}")" \
        "${state[pct]}" "${state[pct-tty2]}" "${state[nspawn]}"
done

echo
echo "median of $RUNS rounds:"
for side in "${SIDES[@]}"; do
    # shellcheck disable=SC2086
    printf '  %-9s boot to running %7s ms, shutdown %7s ms\n' "$side" \
        "$(ms "$(median ${boots[$side]})")" "$(ms "$(median ${downs[$side]})")"
done
# shellcheck disable=SC2086
ratio=$(awk "BEGIN { printf \"%.2f\", $(median ${boots[pct]}) / $(median ${boots[nspawn]}) }")
# shellcheck disable=SC2086
ratio2=$(awk "BEGIN { printf \"%.2f\", $(median ${boots[pct-tty2]}) / $(median ${boots[nspawn]}) }")
echo "  pct/nspawn:      ratio of medians $ratio, median of per-round ratios $(printf '%.2f' "$(median "${ratios[@]}")") (target <= $TARGET_RATIO)"
echo "  pct-tty2/nspawn: ratio of medians $ratio2, median of per-round ratios $(printf '%.2f' "$(median "${ratios2[@]}")")"
awk "BEGIN { exit !($ratio <= $TARGET_RATIO) }"
