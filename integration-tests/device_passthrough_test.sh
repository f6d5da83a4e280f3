#!/usr/bin/env bash
# devN pass-through: the container gets a node of its own (made on a tmpfs
# in the monitor's namespace) with the configured owner and mode - mapped
# for an unprivileged container - and the device cgroup lets it be used;
# deny-write=1 makes it read-only; the host's nodes stay untouched.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
cleanup_hooks+=("container_cleanup 9341 9342")
for node in /dev/net/tun /dev/cpu_dma_latency; do
    [ -c $node ] || { echo "SKIP: $node is missing on this host"; exit 0; }
done
host_before=$(stat -c '%u:%g %a' /dev/net/tun /dev/cpu_dma_latency)

make_busybox_rootfs "$PCT_ROOT/rootfs-unpriv" 100000
make_busybox_rootfs "$PCT_ROOT/rootfs-priv"
write_config 9341 <<EOT
arch: amd64
dev0: /dev/net/tun,gid=1000,mode=0640,uid=1000
dev1: /dev/cpu_dma_latency,deny-write=1
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-unpriv
unprivileged: 1
lxc.signal.halt: SIGUSR2
EOT
write_config 9342 <<EOT
arch: amd64
dev0: /dev/net/tun,mode=0600
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
lxc.signal.halt: SIGUSR2
EOT

run_pct start 9341
assert_eq "unprivileged start ($err)" 0 "$rc"
run_pct exec 9341 -- stat -c '%u %g %a %t:%T' /dev/net/tun
assert_eq "owner and mode as configured, inside" "1000 1000 640 a:c8" "$out"
pid=$(cat "$PCT_ROOT/run/pct/9341/init.pid")
assert_eq "owner mapped on the host" "101000:101000" "$(stat -c %u:%g "/proc/$pid/root/dev/net/tun")"
run_pct exec 9341 -- sh -c 'exec 3<>/dev/net/tun && echo opened'
assert_eq "the device cgroup allows it ($err)" "opened" "$out"
run_pct exec 9341 -- sh -c 'exec 3</dev/cpu_dma_latency && echo read-ok'
assert_eq "deny-write device readable ($err)" "read-ok" "$out"
run_pct exec 9341 -- sh -c 'exec 3<>/dev/cpu_dma_latency && echo write-ok'
assert_contains "deny-write device not writable" "Operation not permitted" "$err"

run_pct start 9342
assert_eq "privileged start ($err)" 0 "$rc"
run_pct exec 9342 -- stat -c '%u %g %a %t:%T' /dev/net/tun
assert_eq "privileged: configured mode" "0 0 600 a:c8" "$out"
assert_eq "the host's nodes are untouched" "$host_before" "$(stat -c '%u:%g %a' /dev/net/tun /dev/cpu_dma_latency)"

for id in 9341 9342; do
    run_pct stop $id
    assert_eq "stop $id ($err)" 0 "$rc"
    assert_clean "devices $id" $id
done
finish
