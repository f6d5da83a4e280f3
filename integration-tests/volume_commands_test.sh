#!/usr/bin/env bash
# pct mount/unmount, df, fsck, fstrim, resize (offline and online) and
# rescan on an unprivileged container with raw ext4 volumes on dir storage
# and a bind mount point. After each command no lock, mount or loop device
# is left unless the command is meant to leave it (mount).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
ID=9301
cleanup_hooks+=("container_cleanup $ID" "umount -l $PCT_ROOT/var/lib/lxc/$ID/rootfs 2>/dev/null")
PVEAM=$PCT_DIR/pveam
IMAGES=$PCT_ROOT/var/lib/vz/images/$ID

loops_of_test() { losetup -a 2>/dev/null | grep -F "$PCT_ROOT" || true; }
mounts_of_test() { grep -F " $PCT_ROOT" /proc/self/mountinfo || true; }
lock_of() { grep '^lock:' "$CONF_DIR/$ID.conf" || true; }
assert_nothing_mounted() {
    wait_for 5 test -z "$(loops_of_test)"
    assert_eq "$1: no loop device" "" "$(loops_of_test)"
    assert_eq "$1: no mount" "" "$(mounts_of_test)"
    assert_eq "$1: no lock" "" "$(lock_of)"
}
block_bytes() {  # file system size of a raw image, from its superblock
    dumpe2fs -h "$1" 2>/dev/null | awk -F: '/^Block count/ {c=$2} /^Block size/ {s=$2} END {print c*s}'
}

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")
mkdir -p "$PCT_ROOT/shared"
run_pct create $ID "$TEMPLATE" --unprivileged 1 --hostname vol --rootfs local:0.1 \
    --mp0 local:0.05,mp=/data --mp1 "$PCT_ROOT/shared,mp=/shared"
assert_eq "create ($err)" 0 "$rc"

# ---- mount / unmount ---------------------------------------------------------
ROOT=$PCT_ROOT/var/lib/lxc/$ID/rootfs
# Mounting needs the volumes only: a bridge that is missing does not matter.
echo "net0: name=eth0,bridge=nosuchbr0,hwaddr=BC:24:11:00:00:01" >>"$CONF_DIR/$ID.conf"
run_pct mount $ID
assert_eq "mount exit ($err)" 0 "$rc"
assert_eq "mount message" "mounted CT $ID in '$ROOT'" "$out"
assert_eq "mount sets the lock" "lock: mounted" "$(lock_of)"
check "rootfs visible" test -x "$ROOT/bin/busybox"
assert_eq "unprivileged files keep their host owner" 100000 "$(stat -c %u "$ROOT/bin/busybox")"
check "raw mount point mounted at /data" mountpoint -q "$ROOT/data"
check "bind mount point mounted at /shared" mountpoint -q "$ROOT/shared"
run_pct mount $ID
assert_eq "second mount refused" "CT is locked (mounted)" "$err"
run_pct set $ID --memory 128
assert_eq "set refused while mounted" "CT is locked (mounted)" "$err"
run_pct unmount $ID
assert_eq "unmount exit ($err)" 0 "$rc"
assert_nothing_mounted "after unmount"
check "mount directory removed" test ! -e "$PCT_ROOT/var/lib/lxc/$ID"
run_pct unmount $ID
assert_eq "unmount without mount" "no lock found trying to remove 'mounted' lock" "$err"

# ---- df (stopped) ------------------------------------------------------------
run_pct df $ID
assert_eq "df exit ($err)" 0 "$rc"
assert_eq "df header" "MP" "$(echo "$out" | head -1 | awk '{print $1}')"
assert_eq "df rows" "rootfs mp0 mp1" "$(echo "$out" | tail -n +2 | awk '{print $1}' | xargs)"
assert_eq "df paths" "/ /data /shared" "$(echo "$out" | tail -n +2 | awk '{print $NF}' | xargs)"
assert_nothing_mounted "after df"

# ---- fsck ----------------------------------------------------------------------
# Each e2fsck waits out the MMP interval (~11 s, `mkfs.ext4 -O mmp` as in
# Proxmox): one run per kind of check.
run_pct fsck $ID --device mp0 --force
assert_eq "fsck -f mp0 exit ($err)" 0 "$rc"
assert_contains "fsck -f checks the whole file system" "vm-$ID-disk-1.raw: 11/" "$out"
run_pct fsck $ID --device mp1
assert_eq "fsck of a bind mount" "path '$PCT_ROOT/shared' does not point to a block device" "$err"
run_pct fsck $ID --device mp7
assert_eq "fsck of a missing key" "cannot run command on non-existing mount point mp7" "$err"

# ---- resize (stopped) -------------------------------------------------------
run_pct resize $ID mp0 +20M
assert_eq "offline resize exit ($err)" 0 "$rc"
assert_contains "size recorded" "mp0: local:$ID/vm-$ID-disk-1.raw,mp=/data,size=71M" "$(cat "$CONF_DIR/$ID.conf")"
assert_eq "image grown" $((71 << 20)) "$(stat -c %s "$IMAGES/vm-$ID-disk-1.raw")"
assert_eq "file system grown" $((71 << 20)) "$(block_bytes "$IMAGES/vm-$ID-disk-1.raw")"
before=$(cat "$CONF_DIR/$ID.conf")
run_pct resize $ID mp0 60M
assert_eq "shrink refused" "unable to shrink disk size" "$err"
run_pct resize $ID mp0 71M
assert_eq "same size refused" "disk is already at specified size" "$err"
run_pct resize $ID mp1 +1G
assert_eq "bind mount not resizable" "unable to parse volume ID '$PCT_ROOT/shared'" "$err"
assert_eq "refusals leave the config alone" "$before" "$(cat "$CONF_DIR/$ID.conf")"
assert_nothing_mounted "after offline resize"

# ---- fstrim ----------------------------------------------------------------------
run_pct fstrim $ID
assert_eq "fstrim exit ($err)" 0 "$rc"
assert_eq "fstrim trims rootfs and mp0, not the bind mount" 2 "$(echo "$out" | grep -c trimmed)"
assert_contains "fstrim reports /data" "$ROOT/data: " "$out"
run_pct fstrim $ID --ignore-mountpoints
assert_eq "fstrim --ignore-mountpoints" 1 "$(echo "$out" | grep -c trimmed)"
assert_nothing_mounted "after fstrim"

# ---- while running ---------------------------------------------------------------
sed -i '/^net0:/d' "$CONF_DIR/$ID.conf"
run_pct start $ID
assert_eq "start ($err)" 0 "$rc"
run_pct df $ID
assert_eq "df of a running CT ($err)" "rootfs mp0 mp1" "$(echo "$out" | tail -n +2 | awk '{print $1}' | xargs)"
assert_eq "df of a running CT sets no lock" "" "$(lock_of)"
run_pct mount $ID
assert_eq "mount refused while running" "cannot mount CT $ID while it is running" "$err"
run_pct fsck $ID
assert_eq "fsck refused while running" "cannot run fsck when container is running" "$err"
inside_kib() { "$PCT" exec $ID -- df -k / | awk 'NR==2 {print $2}'; }
kib_before=$(inside_kib)
run_pct resize $ID rootfs +32M
assert_eq "online resize exit ($err)" 0 "$rc"
assert_contains "online size recorded" "rootfs: local:$ID/vm-$ID-disk-0.raw,size=134M" "$(cat "$CONF_DIR/$ID.conf")"
# The online grow needs CAP_SYS_RESOURCE (EXT4_IOC_RESIZE_FS); some sandboxes lack it.
if (( ($(awk '/^CapEff/ {print strtonum("0x" $2)}' /proc/self/status) >> 24) & 1 )); then
    assert_eq "online resize warns nothing" "" "$err"
    check "file system grew while running ($kib_before -> $(inside_kib))" test "$(inside_kib)" -gt "$kib_before"
else
    echo "NOTE: no CAP_SYS_RESOURCE here: online ext4 growth is expected to fail with a warning"
    assert_contains "online resize without CAP_SYS_RESOURCE warns" \
        "Failed to update the container's filesystem: online resize of /dev/loop" "$err"
fi
run_pct stop $ID
assert_eq "stop ($err)" 0 "$rc"

# ---- rescan ------------------------------------------------------------------------
sed -i '/^mp0:/d' "$CONF_DIR/$ID.conf"   # the volume is now owned but unreferenced
truncate -s 160M "$IMAGES/vm-$ID-disk-0.raw"  # and the rootfs grew behind pct's back
before=$(cat "$CONF_DIR/$ID.conf")
run_pct rescan --vmid $ID --dryrun
assert_eq "rescan --dryrun" "NOTE: running in dry-run mode, won't write changes out!
rescan volumes...
CT $ID: updated volume size of 'local:$ID/vm-$ID-disk-0.raw' in config.
CT $ID: add unreferenced volume 'local:$ID/vm-$ID-disk-1.raw' as 'unused0' to config." "$out"
assert_eq "dry run writes nothing" "$before" "$(cat "$CONF_DIR/$ID.conf")"
run_pct rescan
assert_eq "rescan exit ($err)" 0 "$rc"
assert_contains "rescan added unused0" "unused0: local:$ID/vm-$ID-disk-1.raw" "$(cat "$CONF_DIR/$ID.conf")"
assert_contains "rescan updated the size" "rootfs: local:$ID/vm-$ID-disk-0.raw,size=160M" "$(cat "$CONF_DIR/$ID.conf")"
run_pct rescan
assert_eq "second rescan has nothing to do" "rescan volumes..." "$out"

run_pct destroy $ID
assert_eq "destroy ($err)" 0 "$rc"
check "volumes freed" test ! -e "$IMAGES/vm-$ID-disk-1.raw"
assert_clean "volume commands" $ID
finish
