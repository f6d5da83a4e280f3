#!/usr/bin/env bash
# Real containers from a busybox rootfs, privileged and unprivileged:
# start -> exec -> stop -> start -> shutdown, status at each step, and
# nothing (mounts, cgroups, loop devices, veths, processes) left behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
cleanup_hooks+=("container_cleanup 9101 9102")

make_busybox_rootfs "$PCT_ROOT/rootfs-priv"
make_busybox_rootfs "$PCT_ROOT/rootfs-unpriv" 100000
write_config 9101 <<EOT
arch: amd64
hostname: priv
memory: 256
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
lxc.signal.halt: SIGUSR2
EOT
write_config 9102 <<EOT
arch: amd64
hostname: unpriv
memory: 256
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-unpriv
unprivileged: 1
lxc.signal.halt: SIGUSR2
EOT

for id in 9101 9102; do
    run_pct status $id
    assert_eq "$id status before start" "status: stopped" "$out"

    run_pct start $id
    assert_eq "$id start exit ($err)" 0 "$rc"
    run_pct status $id
    assert_eq "$id status after start" "status: running" "$out"
    run_pct start $id
    assert_contains "$id second start" "CT $id already running" "$err"

    run_pct exec $id -- /bin/sh -c 'echo hello from $(hostname); exit 7'
    assert_eq "$id exec exit status" 7 "$rc"
    assert_contains "$id exec output" "hello from" "$out"
    run_pct exec $id -- cat /proc/1/cmdline
    assert_contains "$id init is pid 1 in its namespace" "init" "$out"
    # stdin passes through
    out=$(echo piped | "$PCT" exec $id -- /bin/cat)
    assert_eq "$id exec stdin" "piped" "$out"

    run_pct status $id --verbose
    assert_contains "$id verbose pid" "pid: " "$out"
    assert_contains "$id verbose status" "status: running" "$out"
    [[ "$out" =~ uptime:\ [0-9]+ ]] || fail "$id verbose uptime: $out"

    run_pct stop $id
    assert_eq "$id stop exit ($err)" 0 "$rc"
    run_pct status $id
    assert_eq "$id status after stop" "status: stopped" "$out"
    assert_clean "$id after stop" $id
    run_pct stop $id
    assert_contains "$id stop when stopped" "CT $id not running" "$err"

    run_pct start $id
    assert_eq "$id restart exit ($err)" 0 "$rc"
    run_pct shutdown $id --timeout 20
    assert_eq "$id shutdown exit ($err)" 0 "$rc"
    run_pct status $id
    assert_eq "$id status after shutdown" "status: stopped" "$out"
    assert_clean "$id after shutdown" $id
done

# The unprivileged init runs as host uid 100000. --debug: the init's step
# reports arrive before it is in its own user namespace.
run_pct start 9102 --debug
assert_eq "9102 start --debug exit ($err)" 0 "$rc"
assert_contains "9102 start --debug reports init steps" "ms] init: switching to the container's root" "$err"
init_pid=$(cat "$PCT_ROOT/run/pct/9102/init.pid")
assert_eq "unprivileged init host uid" 100000 "$(awk '/^Uid:/ {print $2}' /proc/$init_pid/status)"
run_pct exec 9102 -- id -u
assert_eq "root inside the unprivileged CT" 0 "$out"
run_pct stop 9102
assert_clean "9102 final" 9102

finish
