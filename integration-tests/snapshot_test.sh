#!/usr/bin/env bash
# pct snapshot / listsnapshot / rollback / delsnapshot on a loop-backed btrfs
# storage: an unprivileged container with a subvolume rootfs and a raw mount
# point, snapshotted stopped, running (freeze/thaw) and suspended; rollback
# restores the data and the config; every refused or failed command leaves
# the config as it was (no lock, no section); destroy leaves nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
ID=9351
DIR_ID=9352
cleanup_hooks+=("container_cleanup $ID $DIR_ID")
PVEAM=$PCT_DIR/pveam
WORK=$PCT_ROOT/work
mkdir -p "$WORK"

# A btrfs storage `fast` on a loop-backed image made for this test, next to
# the dir storage `local` that also holds the template.
BTRFS_IMG=$WORK/btrfs.img
BTRFS_DIR=$WORK/btrfs
mount_loop_fs btrfs 300M "$BTRFS_IMG" "$BTRFS_DIR"
mkdir -p "$PCT_ROOT/etc/pve"
cat >"$PCT_ROOT/etc/pve/storage.cfg" <<EOT
dir: local
	path $PCT_ROOT/var/lib/vz
	content rootdir,images,vztmpl

btrfs: fast
	path $BTRFS_DIR
	content rootdir,images
EOT

IMAGES=$BTRFS_DIR/images/$ID
ROOTFS=$IMAGES/subvol-$ID-disk-0.subvol
RAW=$IMAGES/vm-$ID-disk-1
CONF=$CONF_DIR/$ID.conf

# What pct made under PCT_ROOT, without this test's own btrfs mount and loop.
loops_of_test() {
    local f
    for f in /sys/block/loop*/loop/backing_file; do
        [ -e "$f" ] && grep "^$PCT_ROOT" "$f" | grep -v "^$BTRFS_IMG\$"
    done
    return 0
}
mounts_of_test() { grep -F " $PCT_ROOT" /proc/self/mountinfo | grep -v -F " $BTRFS_DIR " || true; }
lock_of() { grep '^lock:' "$CONF" || true; }
subvolumes() { btrfs subvolume list -o "$IMAGES" 2>/dev/null | awk '{print $NF}' | sed 's|.*/||' | sort | xargs; }
read_only() { btrfs property get -ts "$1" ro 2>/dev/null; }
exec_in() { timeout 20 "$PCT" exec $ID -- "$@"; }
# "%s %-Ns %-23s %s" as cli.md §3.19 describes a tree line.
tree_line() {  # tree_line PREFIX NAME TIME DESCRIPTION
    local width=$((30 - ${#1}))
    [ $width -lt 0 ] && width=0
    printf "%s %-${width}s %-23s %s" "$1" "$2" "$3" "$4"
}
snaptime_text() { date -d "@$(awk -v s="[$1]" '$0 == s {in_s = 1} in_s && /^snaptime:/ {print $2; exit}' "$CONF")" '+%Y-%m-%d %H:%M:%S'; }
# A refused command: exit 255, the message on stderr, the config unchanged.
assert_refused() {  # assert_refused WHAT MESSAGE PCT_ARGS...
    local what=$1 message=$2
    shift 2
    local before
    before=$(cat "$CONF_DIR/$2.conf")
    run_pct "$@"
    assert_eq "$what: exit" 255 "$rc"
    assert_eq "$what: message" "$message" "$err"
    assert_eq "$what: config unchanged" "$before" "$(cat "$CONF_DIR/$2.conf")"
}

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")
run_pct create $ID "$TEMPLATE" --unprivileged 1 --hostname snap --rootfs fast:0 --mp0 fast:0.05,mp=/data
assert_eq "create ($err)" 0 "$rc"
assert_eq "volumes are subvolumes" "subvol-$ID-disk-0.subvol vm-$ID-disk-1" "$(subvolumes)"

# ---- snapshot of the stopped container ----------------------------------------
echo one >"$ROOTFS/state"
chown 100000:100000 "$ROOTFS/state"
run_pct snapshot $ID first --description "before the change"
assert_eq "snapshot exit ($err)" 0 "$rc"
assert_eq "snapshot prints nothing" "" "$out$err"
assert_eq "snapshot subvolumes" \
    "subvol-$ID-disk-0.subvol subvol-$ID-disk-0.subvol@first vm-$ID-disk-1 vm-$ID-disk-1@first" "$(subvolumes)"
assert_eq "rootfs snapshot is read-only" "ro=true" "$(read_only "$ROOTFS@first")"
assert_eq "raw volume snapshot is read-only" "ro=true" "$(read_only "$RAW@first")"
assert_eq "snapshot has the data" "one" "$(cat "$ROOTFS@first/state")"
conf=$(cat "$CONF")
assert_contains "main parent" "parent: first" "$conf"
assert_contains "snapshot section" $'\n\n[first]\n#before the change\narch: amd64\n' "$conf"
assert_contains "snapshot copies the mount point" "mp0: fast:$ID/vm-$ID-disk-1.raw,mp=/data,size=51M" \
    "$(sed -n '/^\[first\]/,$p' "$CONF")"
assert_eq "no lock after snapshot" "" "$(lock_of)"
check "no snapstate after snapshot" test -z "$(grep '^snapstate' "$CONF")"

echo two >"$ROOTFS/state"
run_pct listsnapshot $ID
assert_eq "listsnapshot exit ($err)" 0 "$rc"
assert_eq "listsnapshot tree" \
    "$(tree_line '`->' first "$(snaptime_text first)" 'before the change')
$(tree_line ' `->' current '' 'You are here!')" "$out"

# ---- rollback of the stopped container ----------------------------------------
sed -i '0,/^memory: /s/^memory: .*/memory: 256/' "$CONF"  # the main section only
assert_contains "changed before the rollback" "memory: 256" "$(sed -n '/^\[first\]/q;p' "$CONF")"
run_pct rollback $ID first
assert_eq "rollback exit ($err)" 0 "$rc"
assert_eq "rollback restored the file" "one" "$(cat "$ROOTFS/state")"
assert_contains "rollback restored the settings" "memory: 512" "$(sed -n '/^\[first\]/q;p' "$CONF")"
assert_contains "rollback keeps the parent" "parent: first" "$(cat "$CONF")"
assert_eq "rollback keeps the snapshot" "ro=true" "$(read_only "$ROOTFS@first")"
assert_eq "rollback leaves no stray subvolume" \
    "subvol-$ID-disk-0.subvol subvol-$ID-disk-0.subvol@first vm-$ID-disk-1 vm-$ID-disk-1@first" "$(subvolumes)"
assert_eq "no lock after rollback" "" "$(lock_of)"

# ---- snapshot of the running container (frozen, synced, thawed) ----------------
run_pct start $ID
assert_eq "start ($err)" 0 "$rc"
exec_in sh -c 'echo three >/state; echo raw >/data/raw-state'
run_pct snapshot $ID live
assert_eq "running snapshot exit ($err)" 0 "$rc"
check "thawed after the snapshot (exec works)" exec_in true
run_pct status $ID
assert_eq "still running" "status: running" "$out"
assert_eq "running snapshot has the data" "three" "$(cat "$ROOTFS@live/state")"
assert_contains "live snapshot's parent" "parent: first" "$(sed -n '/^\[live\]/,$p' "$CONF")"
run_pct listsnapshot $ID
assert_eq "tree with two snapshots" \
    "$(tree_line '`->' first "$(snaptime_text first)" 'before the change')
$(tree_line ' `->' live "$(snaptime_text live)" 'no-description')
$(tree_line '  `->' current '' 'You are here!')" "$out"

# A suspended (frozen) container stays frozen.
run_pct suspend $ID
assert_eq "suspend ($err)" 0 "$rc"
run_pct snapshot $ID frozen
assert_eq "snapshot of a suspended CT ($err)" 0 "$rc"
run_pct resume $ID
assert_eq "still suspended after the snapshot ($err)" 0 "$rc"
run_pct delsnapshot $ID frozen
assert_eq "delsnapshot of a running CT ($err)" 0 "$rc"

# A volume snapshot that fails half-way: the rootfs snapshot taken is
# deleted again, the container thawed, the config as before.
btrfs subvolume snapshot -r "$RAW" "$RAW@boom" >/dev/null
assert_refused "failed snapshot" "WARN: snapshot create failed: starting cleanup
snapshot 'boom' of volume 'fast:$ID/vm-$ID-disk-1.raw' already exists" snapshot $ID boom
check "failed snapshot: rootfs snapshot deleted again" test ! -e "$ROOTFS@boom"
check "failed snapshot: thawed" exec_in true
btrfs subvolume delete "$RAW@boom" >/dev/null

# ---- rollback of the running container, then --start ----------------------------
exec_in sh -c 'echo four >/state; echo changed >/data/raw-state'
run_pct rollback $ID live --start
assert_eq "rollback --start exit ($err)" 0 "$rc"
run_pct status $ID
assert_eq "running again after rollback --start" "status: running" "$out"
assert_eq "rolled back rootfs, seen inside" "three" "$(exec_in cat /state)"
assert_eq "rolled back raw volume, seen inside" "raw" "$(exec_in cat /data/raw-state)"
assert_contains "parent after rollback" "parent: live" "$(cat "$CONF")"
assert_eq "no lock after rollback --start" "" "$(lock_of)"

# ---- delsnapshot --------------------------------------------------------------
run_pct delsnapshot $ID first
assert_eq "delsnapshot exit ($err)" 0 "$rc"
assert_eq "btrfs snapshots of 'first' gone" \
    "subvol-$ID-disk-0.subvol subvol-$ID-disk-0.subvol@live vm-$ID-disk-1 vm-$ID-disk-1@live" "$(subvolumes)"
conf=$(cat "$CONF")
check "section [first] gone" test -z "$(grep -F '[first]' "$CONF")"
check "no parent references 'first'" test -z "$(grep '^parent: first' "$CONF")"
assert_eq "no lock after delsnapshot" "" "$(lock_of)"
run_pct listsnapshot $ID
assert_eq "tree after delsnapshot" \
    "$(tree_line '`->' live "$(snaptime_text live)" 'no-description')
$(tree_line ' `->' current '' 'You are here!')" "$out"

# ---- refused commands: exit 255, message, config unchanged --------------------------
assert_refused "reserved name" "unable to use snapshot name 'current' (reserved name)" snapshot $ID current
assert_refused "reserved name vzdump" "unable to use snapshot name 'vzdump' (reserved name)" snapshot $ID vzdump
assert_refused "bad name" "400 Parameter verification failed.
snapname: invalid format - invalid configuration ID '1st'" snapshot $ID 1st
assert_refused "long name" "400 Parameter verification failed.
snapname: value may only be 40 characters long" snapshot $ID "$(printf 'a%.0s' {1..41})"
assert_refused "name in use" "snapshot name 'live' already used" snapshot $ID live
assert_refused "rollback to nothing" "snapshot 'nope' does not exist" rollback $ID nope
assert_refused "delete nothing" "snapshot 'nope' does not exist" delsnapshot $ID nope
sed -i '1i lock: backup' "$CONF"
assert_refused "locked: snapshot" "CT is locked (backup)" snapshot $ID locked
assert_refused "locked: rollback" "CT is locked (backup)" rollback $ID live
assert_refused "locked: delsnapshot" "CT is locked (backup)" delsnapshot $ID live
run_pct unlock $ID
assert_eq "unlock ($err)" 0 "$rc"
check "locked snapshot left no section" test -z "$(grep -F '[locked]' "$CONF")"

# Directory storage volumes have no snapshots.
run_pct create $DIR_ID "$TEMPLATE" --unprivileged 1 --rootfs local:0
assert_eq "create on dir storage ($err)" 0 "$rc"
assert_refused "dir storage" "snapshot feature is not available" snapshot $DIR_ID s1
run_pct destroy $DIR_ID
assert_eq "destroy on dir storage ($err)" 0 "$rc"

# ---- destroy: no subvolume, snapshot, mount or loop device left ---------------------
run_pct stop $ID
assert_eq "stop ($err)" 0 "$rc"
run_pct destroy $ID
assert_eq "destroy ($err)" 0 "$rc"
check "config removed" test ! -e "$CONF"
assert_eq "no subvolume left on the storage" "" "$(btrfs subvolume list "$BTRFS_DIR" | awk '{print $NF}' | xargs)"
assert_eq "nothing left in the image directory" "" "$(ls -A "$IMAGES" 2>/dev/null)"
wait_for 5 test -z "$(loops_of_test)"
assert_eq "no loop device left" "" "$(loops_of_test)"
assert_eq "no mount left" "" "$(mounts_of_test)"
check "no run state left" test ! -e "$PCT_ROOT/run/pct/$ID"

finish
