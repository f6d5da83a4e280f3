#!/usr/bin/env bash
# features: mknod=1 in an unprivileged container: the seccomp filter sends
# char/block mknod to pct-monitor, which creates the harmless nodes (null,
# zero, full, random, urandom, tty, console, ptmx, whiteouts) as the caller
# would - inside its root, with its ids - and refuses everything else.
# Works for init's descendants and for `pct exec`; without the feature
# mknod stays EPERM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
cleanup_hooks+=("container_cleanup 9321 9322")

ROOTFS=$PCT_ROOT/rootfs-mknod
make_busybox_rootfs "$ROOTFS"
# init's own children use the listener handed over at start.
sed -i 's|^::sysinit:.*|::sysinit:/bin/mknod /tmp/from-init c 1 5|' "$ROOTFS/etc/inittab"
chown -R -h 100000:100000 "$ROOTFS"
make_busybox_rootfs "$PCT_ROOT/rootfs-plain" 100000
for id in 9321 9322; do
    write_config $id <<EOT
arch: amd64
hostname: mknod$id
memory: 128
ostype: unmanaged
unprivileged: 1
lxc.signal.halt: SIGUSR2
EOT
done
echo "rootfs: $ROOTFS" >>"$CONF_DIR/9321.conf"
echo "features: mknod=1" >>"$CONF_DIR/9321.conf"
echo "rootfs: $PCT_ROOT/rootfs-plain" >>"$CONF_DIR/9322.conf"

run_pct start 9321
assert_eq "start with mknod=1 ($err)" 0 "$rc"
wait_for 5 test -e "$ROOTFS/tmp/from-init"
# %t:%T are hex; the numbers here are below 10.
assert_eq "node made by init's sysinit" "character special file 1:5 100000" "$(stat -c '%F %t:%T %u' "$ROOTFS/tmp/from-init")"

run_pct exec 9321 -- mknod -m 666 /tmp/null c 1 3
assert_eq "mknod of /dev/null's numbers via exec ($err)" 0 "$rc"
assert_eq "owned by the container's root on the host" "100000:100000" "$(stat -c %u:%g "$ROOTFS/tmp/null")"
assert_eq "it is a char device 1:3" "character special file 1:3" "$(stat -c '%F %t:%T' "$ROOTFS/tmp/null")"
run_pct exec 9321 -- sh -c 'echo data >/tmp/null && wc -c </tmp/null'
assert_eq "the node works inside" "0" "$(echo "$out" | tr -d ' ')"
run_pct exec 9321 -- mknod /tmp/whiteout c 0 0
assert_eq "overlayfs whiteout ($err)" 0 "$rc"

run_pct exec 9321 -- mknod /tmp/disk b 8 0
assert_contains "block device refused" "Operation not permitted" "$err"
check "no block node left" test ! -e "$ROOTFS/tmp/disk"
run_pct exec 9321 -- mknod /tmp/mem c 1 1
assert_contains "/dev/mem refused" "Operation not permitted" "$err"

# The caller's view: relative paths from its cwd, symlinks inside its root.
run_pct exec 9321 -- sh -c 'cd /root && mknod rel c 1 9'
assert_eq "relative to the caller's cwd ($err)" 0 "$rc"
check "made in /root" test -c "$ROOTFS/root/rel"
DECOY=$PCT_ROOT/decoy
mkdir -p "$DECOY"
run_pct exec 9321 -- ln -s "$DECOY" /tmp/escape
run_pct exec 9321 -- mknod /tmp/escape/zero c 1 5
check "a guest symlink to a host path is resolved inside the guest" test ! -e "$DECOY/zero"
# The caller's permissions: nobody cannot create in root's directory.
run_pct exec 9321 -- su -s /bin/sh nobody -c 'mknod /root/nope c 1 3'
assert_contains "the caller's ids are checked" "Permission denied" "$err"
check "nothing made for nobody" test ! -e "$ROOTFS/root/nope"

run_pct start 9322
assert_eq "start without the feature ($err)" 0 "$rc"
run_pct exec 9322 -- mknod /tmp/null c 1 3
assert_contains "without mknod=1 mknod fails" "Operation not permitted" "$err"

for id in 9321 9322; do
    run_pct stop $id
    assert_eq "stop $id ($err)" 0 "$rc"
    assert_clean "mknod $id" $id
done
finish
