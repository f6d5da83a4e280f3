#!/usr/bin/env bash
# Bind mount safety (runtime.md §5.5), undo of a failed start, a killed
# monitor, and stale state after a "crash".
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
cleanup_hooks+=("container_cleanup 9121")
make_busybox_rootfs "$PCT_ROOT/rootfs"
mkdir -p "$PCT_ROOT/share/real" "$PCT_ROOT/decoy"
echo data >"$PCT_ROOT/share/real/file"
ln -s real "$PCT_ROOT/share/link"
ln -s "$PCT_ROOT/decoy" "$PCT_ROOT/rootfs/mnt/abs"
ln -s ../../../../../../../../..$PCT_ROOT/decoy "$PCT_ROOT/rootfs/mnt/rel"

conf() {  # conf EXTRA-LINES
    write_config 9121 <<EOT
arch: amd64
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs
lxc.signal.halt: SIGUSR2
$1
EOT
}

# A symlink in the source path is refused before anything is mounted.
conf "mp0: $PCT_ROOT/share/link,mp=/mnt/share"
run_pct start 9121
assert_eq "symlinked source refused" 255 "$rc"
assert_contains "symlinked source message" "symlink encountered at: $PCT_ROOT/share/link" "$err"
assert_clean "after refused source" 9121

# Guest symlinks in the target path (absolute and ../) never lead to the host.
for target in /mnt/abs/x /mnt/rel/x; do
    conf "mp0: $PCT_ROOT/share/real,mp=$target"
    run_pct start 9121
    assert_eq "symlinked target $target refused" 255 "$rc"
    assert_contains "symlinked target $target message" "symlink encountered at:" "$err"
    assert_eq "decoy stays empty ($target)" "" "$(ls -A "$PCT_ROOT/decoy")"
    assert_clean "after refused target $target" 9121
done

# A missing bind source fails the start and undoes everything.
conf "mp0: $PCT_ROOT/share/real,mp=/mnt/ok
mp1: $PCT_ROOT/share/missing,mp=/mnt/missing"
run_pct start 9121
assert_eq "missing source fails" 255 "$rc"
assert_eq "one line of error" 1 "$(wc -l <<<"$err" | tr -d ' ')"
assert_clean "after failed start" 9121

# ro=1: read-only inside, the host directory untouched.
conf "mp0: $PCT_ROOT/share/real,mp=/mnt/ro,ro=1"
run_pct start 9121
assert_eq "ro start ($err)" 0 "$rc"
run_pct exec 9121 -- /bin/sh -c 'cat /mnt/ro/file; echo x >/mnt/ro/new'
assert_contains "ro bind readable" "data" "$out"
[ "$rc" -ne 0 ] || fail "write to a ro bind mount succeeded"
checks=$((checks + 1))
[ ! -e "$PCT_ROOT/share/real/new" ] || fail "file created through a ro bind"
checks=$((checks + 1))

# Killed monitor: the container keeps running, status/exec/stop still work.
monitor=$(cat "$PCT_ROOT/run/pct/9121/monitor.pid")
kill -9 "$monitor"
wait_for 5 bash -c "! kill -0 $monitor 2>/dev/null"
run_pct status 9121
assert_eq "status without monitor" "status: running" "$out"
run_pct exec 9121 -- /bin/echo alive
assert_eq "exec without monitor" "alive" "$out"
run_pct stop 9121
assert_eq "stop without monitor ($err)" 0 "$rc"
run_pct status 9121
assert_eq "stopped without monitor" "status: stopped" "$out"
assert_clean "after stop without monitor" 9121

# "Crash": monitor and init die, run state and cgroups stay; start works.
run_pct start 9121
init=$(cat "$PCT_ROOT/run/pct/9121/init.pid")
kill -9 "$(cat "$PCT_ROOT/run/pct/9121/monitor.pid")" "$init"
wait_for 5 bash -c "! kill -0 $init 2>/dev/null"
run_pct status 9121
assert_eq "stale state counts as stopped" "status: stopped" "$out"
run_pct start 9121
assert_eq "start over stale state ($err)" 0 "$rc"
run_pct status 9121
assert_eq "running again" "status: running" "$out"
run_pct shutdown 9121 --timeout 20
assert_eq "shutdown ($err)" 0 "$rc"
assert_clean "final" 9121
finish
