#!/usr/bin/env bash
# pct clone and pct template on a dir storage, a loop-backed btrfs storage
# and a small loop-backed ext4 dir storage: full clones (data, owners of an
# unprivileged CT, new MACs, hostname, machine-id reset), a full clone from a
# snapshot of a running CT, templates (base volumes, read-only, start
# refused), a linked clone of a btrfs template that starts and leaves the
# base alone, refused clones, and a clone that fails half-way leaving no
# config, volume, lock, mount or loop device. Destroy leaves nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
SRC=9361      # dir storage, the source of the full clones
COPY=9362     # its full clone, then a dir template
BT=9363       # btrfs, cloned from a snapshot while running
SNAPCOPY=9364 # that clone, then a btrfs template
DIRCOPY=9365  # full clone of the dir template
LINKED=9366   # linked clone of the btrfs template
NEW=9368      # the id refused clones would have taken
FAILED=9369   # the clone that fails half-way
cleanup_hooks+=("container_cleanup $SRC $COPY $BT $SNAPCOPY $DIRCOPY $LINKED $NEW $FAILED")
PVEAM=$PCT_DIR/pveam
WORK=$PCT_ROOT/work
MNT=$WORK/inspect
mkdir -p "$WORK" "$MNT" "$WORK/shared"
NODE=$(hostname | cut -d. -f1)

# `fast`: btrfs on a loop-backed image; `tiny`: a dir storage on a 48 MiB
# ext4, too small for the source's volumes.
BTRFS_IMG=$WORK/btrfs.img
BTRFS_DIR=$WORK/btrfs
TINY_IMG=$WORK/tiny.img
TINY_DIR=$WORK/tiny
mount_loop_fs btrfs 400M "$BTRFS_IMG" "$BTRFS_DIR"
mount_loop_fs ext4 48M "$TINY_IMG" "$TINY_DIR"
cleanup_hooks+=("umount -l '$MNT' 2>/dev/null")
mkdir -p "$PCT_ROOT/etc/pve"
cat >"$PCT_ROOT/etc/pve/storage.cfg" <<EOT
dir: local
	path $PCT_ROOT/var/lib/vz
	content rootdir,images,vztmpl

btrfs: fast
	path $BTRFS_DIR
	content rootdir,images

dir: tiny
	path $TINY_DIR
	content rootdir,images
EOT
LOCAL_IMAGES=$PCT_ROOT/var/lib/vz/images
FAST_IMAGES=$BTRFS_DIR/images

# What pct made under PCT_ROOT, without this test's own mounts and loops.
loops_of_test() {
    local f
    for f in /sys/block/loop*/loop/backing_file; do
        [ -e "$f" ] && grep "^$PCT_ROOT" "$f" | grep -v -e "^$BTRFS_IMG\$" -e "^$TINY_IMG\$"
    done
    return 0
}
mounts_of_test() { grep -F " $PCT_ROOT" /proc/self/mountinfo | grep -v -F -e " $BTRFS_DIR " -e " $TINY_DIR " || true; }
conf() { cat "$CONF_DIR/$1.conf"; }
key_of() { sed -n "/^\[/q;s/^$2: //p" "$CONF_DIR/$1.conf"; }  # main section only
lock_of() { grep '^lock:' "$CONF_DIR/$1.conf" || true; }
read_only() { btrfs property get -ts "$1" ro 2>/dev/null; }
exec_in() {  # exec_in ID COMMAND...
    local id=$1
    shift
    timeout 20 "$PCT" exec "$id" -- "$@"
}
# in_image IMAGE COMMAND...: runs COMMAND with the ext4 image mounted read-only on $MNT.
in_image() {
    local image=$1 rc
    shift
    mount -o loop,ro "$image" "$MNT" || return 1
    "$@"
    rc=$?
    umount "$MNT"
    return $rc
}
# A refused command: exit 255, the message, no config for $NEW, the source's unchanged.
assert_refused() {  # assert_refused WHAT MESSAGE SOURCE PCT_ARGS...
    local what=$1 message=$2 source=$3
    shift 3
    local before
    before=$(conf "$source")
    run_pct "$@"
    assert_eq "$what: exit" 255 "$rc"
    assert_eq "$what: message" "$message" "$err"
    assert_eq "$what: source config unchanged" "$before" "$(conf "$source")"
    check "$what: no new config" test ! -e "$CONF_DIR/$NEW.conf"
    check "$what: no new volume" test -z "$(ls -A "$LOCAL_IMAGES/$NEW" "$FAST_IMAGES/$NEW" 2>/dev/null)"
}

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")

# ---- the source: unprivileged, raw rootfs and mount point, looks like Debian with systemd ----
run_pct create $SRC "$TEMPLATE" --unprivileged 1 --hostname src --rootfs local:0.1 --mp0 local:0.05,mp=/data
assert_eq "create source ($err)" 0 "$rc"
run_pct mount $SRC
assert_eq "mount source ($err)" 0 "$rc"
ROOT=$PCT_ROOT/var/lib/lxc/$SRC/rootfs
mkdir -p "$ROOT/lib/systemd"
cp /bin/true "$ROOT/lib/systemd/systemd"
echo 0123456789abcdef0123456789abcdef >"$ROOT/etc/machine-id"
echo ID=debian >"$ROOT/etc/os-release"
echo 12.5 >"$ROOT/etc/debian_version"
chown -R 100000:100000 "$ROOT/lib/systemd" "$ROOT/etc/machine-id" "$ROOT/etc/os-release" "$ROOT/etc/debian_version"
echo data >"$ROOT/data/file"
ln "$ROOT/data/file" "$ROOT/data/link"
chown 101000:101001 "$ROOT/data/file"
dd if=/dev/urandom of="$ROOT/data/big" bs=1M count=40 status=none  # more than `tiny` holds
chown 100000:100000 "$ROOT/data/big"
run_pct unmount $SRC
assert_eq "unmount source ($err)" 0 "$rc"
run_pct set $SRC --ostype debian --net0 name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01 --description "the source"
assert_eq "set source ($err)" 0 "$rc"
SRC_CONF=$(conf $SRC)

# ---- full clone on dir storage -------------------------------------------------------
run_pct clone $SRC $COPY --hostname copy --description "a copy"
assert_eq "full clone exit ($err)" 0 "$rc"
assert_eq "full clone output" "create full clone of mountpoint rootfs (local:$SRC/vm-$SRC-disk-0.raw)
create full clone of mountpoint mp0 (local:$SRC/vm-$SRC-disk-1.raw)" "$out"
assert_eq "source config unchanged" "$SRC_CONF" "$(conf $SRC)"
assert_eq "clone: rootfs" "local:$COPY/vm-$COPY-disk-0.raw,size=102M" "$(key_of $COPY rootfs)"
assert_eq "clone: mp0" "local:$COPY/vm-$COPY-disk-1.raw,mp=/data,size=51M" "$(key_of $COPY mp0)"
assert_eq "clone: hostname" "copy" "$(key_of $COPY hostname)"
assert_eq "clone: description" "#a copy" "$(head -1 "$CONF_DIR/$COPY.conf")"
assert_eq "clone: unprivileged" "1" "$(key_of $COPY unprivileged)"
assert_eq "clone: ostype" "debian" "$(key_of $COPY ostype)"
net0=$(key_of $COPY net0)
assert_contains "clone: net0 keeps its settings" "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:" "$net0"
check "clone: net0 has a new MAC ($net0)" test "${net0#*hwaddr=BC:24:11:00:00:01}" == "$net0"
assert_eq "clone: no lock" "" "$(lock_of $COPY)"
assert_eq "clone: volumes" "vm-$COPY-disk-0.raw vm-$COPY-disk-1.raw" "$(ls "$LOCAL_IMAGES/$COPY" | xargs)"
in_image "$LOCAL_IMAGES/$COPY/vm-$COPY-disk-0.raw" sh -c "
    cat -A $MNT/etc/machine-id; stat -c '%u:%g %a' $MNT/etc/machine-id $MNT/bin/busybox $MNT/lib/systemd/systemd $MNT" >"$WORK/rootfs.txt"
assert_eq "clone: machine-id reset, owners kept" '$
100000:100000 644
100000:100000 755
100000:100000 755
100000:100000 755' "$(cat "$WORK/rootfs.txt")"
in_image "$LOCAL_IMAGES/$COPY/vm-$COPY-disk-1.raw" sh -c "
    cat $MNT/file; stat -c '%u:%g %h' $MNT/file $MNT/big; cmp $MNT/file $MNT/link && echo linked-same" >"$WORK/data.txt"
assert_eq "clone: mount point data, owners and hard links kept" "data
101000:101001 2
100000:100000 1
linked-same" "$(cat "$WORK/data.txt")"
in_image "$LOCAL_IMAGES/$SRC/vm-$SRC-disk-0.raw" cat "$MNT/etc/machine-id" >"$WORK/source-id.txt"
assert_eq "source machine-id untouched" "0123456789abcdef0123456789abcdef" "$(cat "$WORK/source-id.txt")"

# ---- pct template on dir storage ----------------------------------------------------------
run_pct template $COPY
assert_eq "template exit ($err)" 0 "$rc"
assert_eq "template: template: 1" "1" "$(key_of $COPY template)"
assert_eq "template: rootfs is a base volume" "local:$COPY/base-$COPY-disk-0.raw,size=102M" "$(key_of $COPY rootfs)"
assert_eq "template: mp0 is a base volume" "local:$COPY/base-$COPY-disk-1.raw,mp=/data,size=51M" "$(key_of $COPY mp0)"
assert_eq "template: files renamed" "base-$COPY-disk-0.raw base-$COPY-disk-1.raw" "$(ls "$LOCAL_IMAGES/$COPY" | xargs)"
assert_eq "template: read-only files" "444 444" "$(stat -c %a "$LOCAL_IMAGES/$COPY"/* | xargs)"
assert_eq "template: immutable files" "i i" "$(lsattr "$LOCAL_IMAGES/$COPY" | cut -c5 | xargs)"
assert_eq "template: no lock" "" "$(lock_of $COPY)"
before=$(conf $COPY)
run_pct start $COPY
assert_eq "template: start refused" "255 you can't start a CT if it's a template" "$rc $err"
run_pct template $COPY
assert_eq "template of a template" "255 you can't convert a template to a template" "$rc $err"
run_pct snapshot $COPY s1
assert_eq "template: snapshot refused" "255 you can't take a snapshot if it's a template" "$rc $err"
assert_eq "template: refusals leave the config" "$before" "$(conf $COPY)"

# A dir template clones only in full.
assert_refused "linked clone on dir" "Linked clone feature for 'local:$COPY/base-$COPY-disk-1.raw' is not available" \
    $COPY clone $COPY $NEW
run_pct clone $COPY $DIRCOPY --full
assert_eq "full clone of the dir template ($err)" 0 "$rc"
assert_eq "full clone of the dir template: not a template" "" "$(key_of $DIRCOPY template)"
assert_eq "full clone of the dir template: rootfs" "local:$DIRCOPY/vm-$DIRCOPY-disk-0.raw,size=102M" "$(key_of $DIRCOPY rootfs)"
assert_eq "dir template still read-only" "444 444" "$(stat -c %a "$LOCAL_IMAGES/$COPY"/* | xargs)"

# ---- refused clones -------------------------------------------------------------------------
assert_refused "existing newid" "CT $COPY already exists on node '$NODE'" $SRC clone $SRC $COPY
assert_refused "linked clone of a non-template on dir" \
    "Linked clone feature for 'local:$SRC/vm-$SRC-disk-1.raw' is not available" $SRC clone $SRC $NEW --full 0
assert_refused "storage for a linked clone" "parameter 'storage' not allowed for linked clones" \
    $COPY clone $COPY $NEW --storage fast
assert_refused "other node" "no such cluster node 'elsewhere'" $SRC clone $SRC $NEW --target elsewhere
assert_refused "missing snapshot" "snapshot 'nope' does not exist" $SRC clone $SRC $NEW --snapname nope
run_pct set $SRC --mp1 "$WORK/shared,mp=/shared"
assert_eq "bind mount point added ($err)" 0 "$rc"
assert_refused "bind mount point" "unable to clone mountpoint 'mp1' (type bind)" $SRC clone $SRC $NEW
run_pct set $SRC --delete mp1
assert_eq "bind mount point removed ($err)" 0 "$rc"
sed -i '1i lock: backup' "$CONF_DIR/$SRC.conf"
assert_refused "locked source" "CT is locked (backup)" $SRC clone $SRC $NEW
run_pct unlock $SRC
assert_eq "unlock ($err)" 0 "$rc"

# ---- btrfs: full clone of a running container from a snapshot --------------------------------
run_pct create $BT "$TEMPLATE" --unprivileged 1 --hostname bt --rootfs fast:0 --mp0 fast:0.05,mp=/data
assert_eq "create on btrfs ($err)" 0 "$rc"
run_pct start $BT
assert_eq "start ($err)" 0 "$rc"
exec_in $BT sh -c 'echo one >/state; echo one >/data/state'
run_pct snapshot $BT snap1
assert_eq "snapshot of the running CT ($err)" 0 "$rc"
exec_in $BT sh -c 'echo two >/state; echo two >/data/state'
assert_refused "running full clone without snapshot" \
    "Full clone of a running container is only possible from a snapshot" $BT clone $BT $NEW
run_pct template $BT
assert_eq "template with snapshots" "255 unable to create template, because CT contains snapshots" "$rc $err"

run_pct clone $BT $SNAPCOPY --snapname snap1
assert_eq "clone from a snapshot ($err)" 0 "$rc"
assert_eq "clone from a snapshot: output" "create full clone of mountpoint rootfs (fast:$BT/subvol-$BT-disk-0.subvol)
create full clone of mountpoint mp0 (fast:$BT/vm-$BT-disk-1.raw)" "$out"
assert_eq "clone from a snapshot: rootfs" "fast:$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol,size=0T" "$(key_of $SNAPCOPY rootfs)"
assert_eq "clone from a snapshot: no snapshot keys" "" "$(grep -E '^(parent|snaptime|\[)' "$CONF_DIR/$SNAPCOPY.conf")"
assert_eq "clone from a snapshot: the snapshot's rootfs state" "one" "$(cat "$FAST_IMAGES/$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol/state")"
assert_eq "clone from a snapshot: owner kept" "100000:100000" \
    "$(stat -c %u:%g "$FAST_IMAGES/$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol/state")"
in_image "$FAST_IMAGES/$SNAPCOPY/vm-$SNAPCOPY-disk-1/disk.raw" cat "$MNT/state" >"$WORK/snapdata.txt"
assert_eq "clone from a snapshot: the snapshot's raw volume state" "one" "$(cat "$WORK/snapdata.txt")"
assert_eq "source still running" "two" "$(exec_in $BT cat /state)"
assert_eq "source unlocked" "" "$(lock_of $BT)"
run_pct stop $BT
assert_eq "stop ($err)" 0 "$rc"

# ---- pct template on btrfs ---------------------------------------------------------------------
run_pct template $SNAPCOPY
assert_eq "btrfs template exit ($err)" 0 "$rc"
assert_eq "btrfs template: template: 1" "1" "$(key_of $SNAPCOPY template)"
assert_eq "btrfs template: rootfs keeps its subvol name" "fast:$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol,size=0T" \
    "$(key_of $SNAPCOPY rootfs)"
assert_eq "btrfs template: mp0 is a base volume" "fast:$SNAPCOPY/base-$SNAPCOPY-disk-1.raw,mp=/data,size=51M" \
    "$(key_of $SNAPCOPY mp0)"
assert_eq "btrfs template: subvolumes" "base-$SNAPCOPY-disk-1 subvol-$SNAPCOPY-disk-0.subvol" \
    "$(ls "$FAST_IMAGES/$SNAPCOPY" | xargs)"
assert_eq "btrfs template: rootfs read-only" "ro=true" "$(read_only "$FAST_IMAGES/$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol")"
assert_eq "btrfs template: mp0 read-only" "ro=true" "$(read_only "$FAST_IMAGES/$SNAPCOPY/base-$SNAPCOPY-disk-1")"
run_pct start $SNAPCOPY
assert_eq "btrfs template: start refused" "255 you can't start a CT if it's a template" "$rc $err"

# ---- linked clone of the btrfs template ----------------------------------------------------------
run_pct clone $SNAPCOPY $LINKED
assert_eq "linked clone exit ($err)" 0 "$rc"
assert_eq "linked clone output" \
    "create linked clone of mount point rootfs (fast:$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol)
create linked clone of mount point mp0 (fast:$SNAPCOPY/base-$SNAPCOPY-disk-1.raw)" "$out"
assert_eq "linked clone: rootfs" "fast:$LINKED/subvol-$LINKED-disk-0.subvol,size=0T" "$(key_of $LINKED rootfs)"
assert_eq "linked clone: mp0" "fast:$LINKED/vm-$LINKED-disk-1.raw,mp=/data,size=51M" "$(key_of $LINKED mp0)"
assert_eq "linked clone: not a template" "" "$(key_of $LINKED template)"
base_uuid=$(btrfs subvolume show "$FAST_IMAGES/$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol" | awk '$1 == "UUID:" {print $2}')
parent_uuid=$(btrfs subvolume show "$FAST_IMAGES/$LINKED/subvol-$LINKED-disk-0.subvol" | awk '$1 == "Parent" && $2 == "UUID:" {print $3}')
assert_eq "linked clone: a snapshot of the base subvolume" "$base_uuid" "$parent_uuid"
assert_eq "linked clone: writable" "ro=false" "$(read_only "$FAST_IMAGES/$LINKED/subvol-$LINKED-disk-0.subvol")"
run_pct start $LINKED
assert_eq "linked clone starts ($err)" 0 "$rc"
assert_eq "linked clone sees the template's data" "one one" "$(exec_in $LINKED cat /state /data/state | xargs)"
exec_in $LINKED sh -c 'echo linked >/state; echo linked >/data/state'
assert_eq "linked clone wrote" "linked linked" "$(exec_in $LINKED cat /state /data/state | xargs)"
run_pct template $LINKED
assert_eq "template of a running CT" "255 you can't convert a CT to template if the CT is running" "$rc $err"
run_pct stop $LINKED
assert_eq "stop the linked clone ($err)" 0 "$rc"
assert_eq "base rootfs untouched" "one" "$(cat "$FAST_IMAGES/$SNAPCOPY/subvol-$SNAPCOPY-disk-0.subvol/state")"
in_image "$FAST_IMAGES/$SNAPCOPY/base-$SNAPCOPY-disk-1/disk.raw" cat "$MNT/state" >"$WORK/basedata.txt"
assert_eq "base raw volume untouched" "one" "$(cat "$WORK/basedata.txt")"

# ---- a clone that fails half-way: the target storage is too small -----------------------------------
SRC_CONF=$(conf $SRC)
run_pct clone $SRC $FAILED --storage tiny
assert_eq "failed clone: exit" 255 "$rc"
assert_contains "failed clone: message" "clone failed: copying local:$SRC/vm-$SRC-disk-1.raw to tiny:$FAILED/vm-$FAILED-disk-1.raw failed" "$err"
assert_eq "failed clone: rootfs was copied first" "create full clone of mountpoint rootfs (local:$SRC/vm-$SRC-disk-0.raw)
create full clone of mountpoint mp0 (local:$SRC/vm-$SRC-disk-1.raw)" "$out"
check "failed clone: no config" test ! -e "$CONF_DIR/$FAILED.conf"
assert_eq "failed clone: no volume left" "" "$(ls -A "$TINY_DIR/images/$FAILED" 2>/dev/null)"
assert_eq "failed clone: source config unchanged (no lock)" "$SRC_CONF" "$(conf $SRC)"
assert_eq "failed clone: no mount left" "" "$(mounts_of_test)"
wait_for 5 test -z "$(loops_of_test)"
assert_eq "failed clone: no loop device left" "" "$(loops_of_test)"
assert_eq "failed clone: no copy directory left" "" "$(ls -A "$PCT_ROOT/run/pct" 2>/dev/null | grep '^\.copy')"

# ---- destroy everything ---------------------------------------------------------------------------
for id in $LINKED $SNAPCOPY $BT $DIRCOPY $COPY $SRC; do
    run_pct destroy $id
    assert_eq "destroy $id ($err)" 0 "$rc"
    check "config $id removed" test ! -e "$CONF_DIR/$id.conf"
done
assert_eq "no config left" "" "$(ls -A "$CONF_DIR")"
assert_eq "no dir volume left" "" "$(find "$LOCAL_IMAGES" "$TINY_DIR/images" -mindepth 2 2>/dev/null)"
assert_eq "no subvolume left" "" "$(btrfs subvolume list "$BTRFS_DIR" | awk '{print $NF}' | xargs)"
assert_eq "no btrfs volume left" "" "$(find "$FAST_IMAGES" -mindepth 2 2>/dev/null)"
wait_for 5 test -z "$(loops_of_test)"
assert_eq "no loop device left" "" "$(loops_of_test)"
assert_eq "no mount left" "" "$(mounts_of_test)"
for id in $SRC $COPY $BT $SNAPCOPY $DIRCOPY $LINKED $FAILED; do
    check "no run state of $id" test ! -e "$PCT_ROOT/run/pct/$id"
    assert_eq "no monitor of $id" "" "$(pgrep -f "pct-monitor $id $PCT_ROOT")"
done

finish
