#!/usr/bin/env bash
# pct restore from vzdump-style archives (cli.md §3.2): simple mode
# (volumes re-created with their recorded size, bind mount point appended,
# owners shifted into the unprivileged id map, backed-up config merged,
# pct.conf/pct.fw moved out of the guest), advanced mode (--rootfs),
# --force over an existing CT, refused restores (running CT, missing
# archive, archive without pct.conf, existing id without --force).
# Everything is destroyed at the end and nothing is left behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
SRC=9371      # the container whose config the archive carries
SIMPLE=9372   # simple-mode restore, later overwritten with --force
ADVANCED=9373 # advanced-mode restore (--rootfs), started for the refused --force
NOCONF=9374   # restore of an archive without pct.conf (refused)
cleanup_hooks+=("container_cleanup $SRC $SIMPLE $ADVANCED $NOCONF")
PVEAM=$PCT_DIR/pveam
WORK=$PCT_ROOT/work
mkdir -p "$WORK/shared" "$PCT_ROOT/var/lib/vz/dump"
conf() { cat "$CONF_DIR/$1.conf"; }
key_of() { sed -n "/^\[/q;s/^$2: //p" "$CONF_DIR/$1.conf"; }
mounted_root() { echo "$PCT_ROOT/var/lib/lxc/$1/rootfs"; }

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")

run_pct create $SRC "$TEMPLATE" --unprivileged 1 --hostname orig --memory 256 --rootfs local:0.1 \
    --mp0 local:0.05,mp=/data,backup=1 --mp1 "$WORK/shared,mp=/shared" \
    --net0 name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01
assert_eq "create source ($err)" 0 "$rc"

# The archive as vzdump writes it: pct.conf first, then pct.fw, then the
# tree with owners as the container sees them.
TREE=$WORK/tree
make_busybox_rootfs "$TREE"
mkdir -p "$TREE/data" "$TREE/etc/vzdump"
echo payload >"$TREE/data/file"
chown 1000:1000 "$TREE/data/file"
grep -v '^lock:' "$CONF_DIR/$SRC.conf" >"$TREE/etc/vzdump/pct.conf"
printf '[OPTIONS]\nenable: 1\n' >"$TREE/etc/vzdump/pct.fw"
NAME=vzdump-lxc-$SRC-2024_05_01-10_00_00.tar
ARCHIVE=$PCT_ROOT/var/lib/vz/dump/$NAME
tar --numeric-owner -cf "$ARCHIVE" -C "$TREE" ./etc/vzdump/pct.conf ./etc/vzdump/pct.fw
tar --numeric-owner -rf "$ARCHIVE" -C "$TREE" --exclude=./etc/vzdump/pct.conf --exclude=./etc/vzdump/pct.fw .
zstd -q --rm "$ARCHIVE"
ARCHIVE=$ARCHIVE.zst

# ---- simple mode, by volume id ----
run_pct restore $SIMPLE "local:backup/$NAME.zst"
assert_eq "simple restore ($err)" 0 "$rc"
assert_contains "simple restore prints" "restoring '$ARCHIVE' now.." "$out"
assert_contains "simple restore merges" "merging backed-up and given configuration.." "$out"
size_of() { key_of "$1" "$2" | sed 's/.*size=//'; }
assert_eq "simple: rootfs re-created with its size" "local:$SIMPLE/vm-$SIMPLE-disk-0.raw,size=$(size_of $SRC rootfs)" \
    "$(key_of $SIMPLE rootfs)"
assert_eq "simple: mp0 re-created with its size, options kept" \
    "local:$SIMPLE/vm-$SIMPLE-disk-1.raw,mp=/data,backup=1,size=$(size_of $SRC mp0)" "$(key_of $SIMPLE mp0)"
assert_eq "simple: image sizes" "$(stat -c %s "$PCT_ROOT/var/lib/vz/images/$SRC/vm-$SRC-disk-0.raw")" \
    "$(stat -c %s "$PCT_ROOT/var/lib/vz/images/$SIMPLE/vm-$SIMPLE-disk-0.raw")"
assert_eq "simple: bind mount appended" "$WORK/shared,mp=/shared" "$(key_of $SIMPLE mp1)"
assert_eq "simple: hostname merged" "orig" "$(key_of $SIMPLE hostname)"
assert_eq "simple: memory merged" "256" "$(key_of $SIMPLE memory)"
assert_eq "simple: MAC kept" "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,type=veth" "$(key_of $SIMPLE net0)"
assert_eq "simple: unprivileged from the backup" "1" "$(key_of $SIMPLE unprivileged)"
assert_eq "simple: no lock" "" "$(key_of $SIMPLE lock)"
assert_eq "simple: firewall rules copied" "$(printf '[OPTIONS]\nenable: 1')" "$(cat "$PCT_ROOT/etc/pve/firewall/$SIMPLE.fw")"
run_pct mount $SIMPLE
assert_eq "mount simple ($err)" 0 "$rc"
ROOT=$(mounted_root $SIMPLE)
assert_eq "simple: file on mp0" "payload" "$(cat "$ROOT/data/file")"
assert_eq "simple: owners shifted" "101000:101000 100000:100000" \
    "$(stat -c %u:%g "$ROOT/data/file") $(stat -c %u:%g "$ROOT/bin/busybox")"
check "simple: mp0 is its own file system" mountpoint -q "$ROOT/data"
check "simple: pct.conf removed from the guest" test ! -e "$ROOT/etc/vzdump/pct.conf"
check "simple: pct.fw removed from the guest" test ! -e "$ROOT/etc/vzdump/pct.fw"
run_pct unmount $SIMPLE
assert_eq "unmount simple ($err)" 0 "$rc"

# ---- advanced mode, by path: exactly the given mount points ----
run_pct restore $ADVANCED "$ARCHIVE" --rootfs local:0.2 --unique 1 --hostname adv
assert_eq "advanced restore ($err)" 0 "$rc"
assert_eq "advanced: rootfs as given" "local:$ADVANCED/vm-$ADVANCED-disk-0.raw,size=204M" "$(key_of $ADVANCED rootfs)"
assert_eq "advanced: no mount points from the backup" "" "$(key_of $ADVANCED mp0)$(key_of $ADVANCED mp1)"
assert_eq "advanced: given hostname wins" "adv" "$(key_of $ADVANCED hostname)"
net0=$(key_of $ADVANCED net0)
assert_contains "advanced: --unique MAC has Proxmox's prefix" "hwaddr=BC:24:11:" "$net0"
check "advanced: --unique gives a new MAC" test "${net0#*BC:24:11:00:00:01}" = "$net0"
run_pct mount $ADVANCED
ROOT=$(mounted_root $ADVANCED)
assert_eq "advanced: mp0's files land in the rootfs" "payload 101000" "$(cat "$ROOT/data/file") $(stat -c %u "$ROOT/data/file")"
run_pct unmount $ADVANCED

# ---- --force over an existing CT ----
run_pct restore $SIMPLE "$ARCHIVE"
assert_eq "existing id without --force: exit" 255 "$rc"
assert_contains "existing id without --force" "CT $SIMPLE already exists" "$err"
run_pct restore $SIMPLE "$ARCHIVE" --force 1 --memory 512 --storage local
assert_eq "restore --force ($err)" 0 "$rc"
assert_eq "--force: given memory" "512" "$(key_of $SIMPLE memory)"
assert_eq "--force: old volumes freed, new ones in place" "vm-$SIMPLE-disk-2.raw vm-$SIMPLE-disk-3.raw" \
    "$(ls "$PCT_ROOT/var/lib/vz/images/$SIMPLE" | tr '\n' ' ' | sed 's/ $//')"

# ---- refused ----
sed -i '/^net0:/d' "$CONF_DIR/$ADVANCED.conf"  # no bridge on this host
run_pct start $ADVANCED
assert_eq "start advanced ($err)" 0 "$rc"
before=$(conf $ADVANCED)
run_pct restore $ADVANCED "$ARCHIVE" --force 1
assert_eq "running CT --force: exit" 255 "$rc"
assert_contains "running CT --force" "can't overwrite running container" "$err"
assert_eq "running CT --force: config unchanged" "$before" "$(conf $ADVANCED)"
run_pct stop $ADVANCED
assert_eq "stop advanced ($err)" 0 "$rc"

run_pct restore $NOCONF "$WORK/missing.tar"
assert_eq "missing archive: exit" 255 "$rc"
assert_contains "missing archive" "can't find file '$WORK/missing.tar'" "$err"
tar --numeric-owner -cf "$WORK/noconf.tar" -C "$TREE" ./bin
run_pct restore $NOCONF "$WORK/noconf.tar"
assert_eq "archive without pct.conf: exit" 255 "$rc"
assert_contains "archive without pct.conf" "ERROR: archive contains no configuration file" "$err"
check "archive without pct.conf: no config" test ! -e "$CONF_DIR/$NOCONF.conf"
check "archive without pct.conf: no volume" test -z "$(ls -A "$PCT_ROOT/var/lib/vz/images/$NOCONF" 2>/dev/null)"

# ---- destroy leaves nothing ----
for id in $SRC $SIMPLE $ADVANCED; do
    run_pct destroy $id
    assert_eq "destroy $id ($err)" 0 "$rc"
    assert_clean "after destroy $id" $id
done
assert_eq "no volumes left" "" "$(find "$PCT_ROOT/var/lib/vz/images" -type f)"
check "no firewall files left" test -z "$(ls -A "$PCT_ROOT/etc/pve/firewall" 2>/dev/null)"
finish
