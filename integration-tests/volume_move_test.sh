#!/usr/bin/env bash
# pct move-volume: copies to another storage (raw ext4 and directory
# volumes, owners kept for an unprivileged CT, source kept as unusedN or
# deleted), hands volumes to another container, and refuses or undoes
# cleanly: a copy onto a storage that is too small leaves no volume, lock,
# mount or loop device behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
A=9311
B=9312
cleanup_hooks+=("container_cleanup $A $B")
PVEAM=$PCT_DIR/pveam
conf() { cat "$CONF_DIR/$1.conf"; }
loops_of_test() { losetup -a 2>/dev/null | grep -F "$PCT_ROOT" | grep -v "$PCT_ROOT/tiny.img" || true; }
mounts_of_test() { grep -F " $PCT_ROOT" /proc/self/mountinfo | grep -v " $PCT_ROOT/tiny " || true; }
assert_nothing_mounted() {
    wait_for 5 test -z "$(loops_of_test)"
    assert_eq "$1: no loop device" "" "$(loops_of_test)"
    assert_eq "$1: no mount" "" "$(mounts_of_test)"
}

# A second dir storage, and one on an 8 MiB file system that nothing fits on.
mount_loop_fs ext4 8M "$PCT_ROOT/tiny.img" "$PCT_ROOT/tiny"
mkdir -p "$PCT_ROOT/etc/pve"
cat >"$PCT_ROOT/etc/pve/storage.cfg" <<EOT
dir: local
	path $PCT_ROOT/var/lib/vz
	content rootdir,images,vztmpl

dir: second
	path $PCT_ROOT/second
	content rootdir,images

dir: tiny
	path $PCT_ROOT/tiny
	content rootdir,images
EOT

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")
run_pct create $A "$TEMPLATE" --unprivileged 1 --rootfs local:0.1 --mp0 local:0.05,mp=/data,backup=1 --mp1 local:0,mp=/sub
assert_eq "create $A ($err)" 0 "$rc"
run_pct create $B "$TEMPLATE" --unprivileged 1 --rootfs local:0
assert_eq "create $B ($err)" 0 "$rc"

# Data owned by uid 1000 inside (101000 on the host) on both mount points.
run_pct mount $A
ROOT=$PCT_ROOT/var/lib/lxc/$A/rootfs
echo hello >"$ROOT/data/hello" && chown 101000:101000 "$ROOT/data/hello"
echo sub >"$ROOT/sub/file" && chown 101000:101000 "$ROOT/sub/file"
head -c 12M /dev/urandom >"$ROOT/big"  # more than the tiny storage holds
run_pct unmount $A

# ---- to another storage ------------------------------------------------------
run_pct move-volume $A mp0 second
assert_eq "move mp0 to second ($err)" 0 "$rc"
assert_contains "mp0 now on second, options kept" "mp0: second:$A/vm-$A-disk-0.raw,mp=/data,backup=1,size=51M" "$(conf $A)"
assert_contains "old volume kept as unused0" "unused0: local:$A/vm-$A-disk-1.raw" "$(conf $A)"
assert_eq "no lock left" "" "$(grep '^lock:' "$CONF_DIR/$A.conf")"
assert_nothing_mounted "after the copy"
run_pct move-volume $A mp1 second --delete
assert_eq "move mp1 with --delete ($err)" 0 "$rc"
assert_contains "mp1 now on second" "mp1: second:$A/subvol-$A-disk-1.subvol,mp=/sub" "$(conf $A)"
check "deleted source is gone" test ! -e "$PCT_ROOT/var/lib/vz/images/$A/subvol-$A-disk-2.subvol"
assert_eq "no unused1" "" "$(grep '^unused1:' "$CONF_DIR/$A.conf")"
run_pct mount $A
assert_eq "moved data readable" "hello" "$(cat "$ROOT/data/hello")"
assert_eq "owner kept on the raw copy" "101000:101000" "$(stat -c %u:%g "$ROOT/data/hello")"
assert_eq "owner kept on the directory copy" "101000:101000" "$(stat -c %u:%g "$ROOT/sub/file")"
assert_eq "root of the copy owned by the CT's root" "100000" "$(stat -c %u "$ROOT/data")"
run_pct unmount $A
assert_nothing_mounted "after checking the copies"

# ---- failures --------------------------------------------------------------------
before=$(conf $A)
run_pct move-volume $A rootfs tiny
check "copy onto a full storage fails ($err)" test "$rc" -ne 0
assert_eq "config unchanged after the failed copy" "$before" "$(conf $A)"
assert_eq "nothing left on the full storage" "" "$(ls "$PCT_ROOT/tiny/images/$A" 2>/dev/null)"
assert_nothing_mounted "after the failed copy"
run_pct move-volume $A mp0 second --target-vmid $B
assert_eq "storage and target together" "either set storage or target-vmid, but not both" "$err"
run_pct move-volume $A mp0
assert_eq "neither storage nor target" "both 'storage' and 'target-vmid' missing, either needs to be set" "$err"
run_pct move-volume $A rootfs --target-vmid $B
assert_eq "rootfs cannot change owner" "Cannot move to/from 'rootfs'" "$err"
run_pct start $A
run_pct move-volume $A mp0 local
assert_eq "no copy while running" "cannot move volumes of a running container" "$err"
run_pct move-volume $A mp0 --target-vmid $B
assert_eq "no reassign of a used volume while running" "cannot move volumes of a running container" "$err"
run_pct stop $A
assert_eq "refusals changed nothing" "$before" "$(conf $A)"

# ---- to another container ----------------------------------------------------------
run_pct move-volume $A unused0 --target-vmid $B
assert_eq "reassign unused0 ($err)" 0 "$rc"
assert_contains "B got it under its own name" "unused0: local:$B/vm-$B-disk-1.raw" "$(conf $B)"
check "file renamed on the storage" test -f "$PCT_ROOT/var/lib/vz/images/$B/vm-$B-disk-1.raw"
assert_eq "A lost unused0" "" "$(grep '^unused0:' "$CONF_DIR/$A.conf")"
run_pct move-volume $A mp0 "" $B mp3
assert_eq "reassign mp0 as mp3 ($err)" 0 "$rc"
assert_contains "B has mp3 with the mount options" "mp3: second:$B/vm-$B-disk-0.raw,mp=/data,backup=1,size=51M" "$(conf $B)"
run_pct move-volume $A mp1 --target-vmid $B --target-volume mp3
assert_eq "taken target key" "Target volume key 'mp3' is already in use for container '$B'" "$err"
run_pct start $B
assert_eq "B starts with the handed-over volume ($err)" 0 "$rc"
run_pct exec $B -- cat /data/hello
assert_eq "data visible in B" "hello" "$out"
run_pct stop $B

for id in $A $B; do
    run_pct destroy $id
    assert_eq "destroy $id ($err)" 0 "$rc"
done
assert_eq "every volume freed" "" "$(find "$PCT_ROOT/var/lib/vz/images" "$PCT_ROOT/second/images" -mindepth 2 2>/dev/null)"
assert_nothing_mounted "at the end"
umount "$PCT_ROOT/tiny"
# The test's own loop device goes asynchronously after the unmount.
wait_for 5 sh -c "! losetup -a | grep -qF '$PCT_ROOT/tiny.img'"
assert_clean "move-volume $A" $A
assert_clean "move-volume $B" $B
finish
