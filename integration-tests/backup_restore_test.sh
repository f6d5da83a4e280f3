#!/usr/bin/env bash
# vzdump (cli.md §6) and pct restore (cli.md §3.2). vzdump of a stopped
# unprivileged CT with a raw mount point (backup=1) and a bind mount point:
# member order, owners as the CT sees them, excludes, pruning, lock and
# file names; restored to a new id and compared. Snapshot mode of a running
# CT on loop-backed btrfs; suspend mode refused. Then restores of a
# hand-made archive: simple mode
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
COPY=9375     # restore of SRC's vzdump archive
BT=9376       # btrfs, backed up in snapshot mode while running
BTCOPY=9377   # restore of BT's archive onto btrfs
cleanup_hooks+=("container_cleanup $SRC $SIMPLE $ADVANCED $NOCONF $COPY $BT $BTCOPY")
VZDUMP=$(dirname "$PCT")/vzdump
PVEAM=$PCT_DIR/pveam
WORK=$PCT_ROOT/work
mkdir -p "$WORK/shared" "$PCT_ROOT/var/lib/vz/dump" "$PCT_ROOT/etc/pve"
BTRFS_IMG=$WORK/btrfs.img
BTRFS_DIR=$WORK/btrfs
mount_loop_fs btrfs 400M "$BTRFS_IMG" "$BTRFS_DIR"
cat >"$PCT_ROOT/etc/pve/storage.cfg" <<EOT
dir: local
	path $PCT_ROOT/var/lib/vz
	content rootdir,images,vztmpl,backup

btrfs: fast
	path $BTRFS_DIR
	content rootdir,images
EOT
DUMP=$PCT_ROOT/var/lib/vz/dump
conf() { cat "$CONF_DIR/$1.conf"; }
key_of() { sed -n "/^\[/q;s/^$2: //p" "$CONF_DIR/$1.conf"; }
mounted_root() { echo "$PCT_ROOT/var/lib/lxc/$1/rootfs"; }

"$PVEAM" build busybox local >/dev/null 2>&1 || { echo "cannot build the busybox template" >&2; exit 1; }
TEMPLATE=local:vztmpl/$(basename "$(ls "$PCT_ROOT"/var/lib/vz/template/cache/busybox-*)")

run_pct create $SRC "$TEMPLATE" --unprivileged 1 --hostname orig --memory 256 --rootfs local:0.1 \
    --mp0 local:0.05,mp=/data,backup=1 --mp1 "$WORK/shared,mp=/shared" \
    --net0 name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01
assert_eq "create source ($err)" 0 "$rc"

# ---- vzdump of the stopped unprivileged source ----
run_pct mount $SRC
SRCROOT=$(mounted_root $SRC)
echo payload >"$SRCROOT/data/file"
chown 101000:101000 "$SRCROOT/data/file"
ln "$SRCROOT/data/file" "$SRCROOT/data/hardlink"
echo junk >"$SRCROOT/tmp/junk"
mkdir -p "$SRCROOT/var/cache/skip"
echo x >"$SRCROOT/var/cache/skip/x"
chown -R 100000:100000 "$SRCROOT/var/cache"
run_pct unmount $SRC
echo bind >"$WORK/shared/bindfile"
"$VZDUMP" $SRC --compress zstd --storage local --exclude-path /var/cache/skip >"$WORK/vzdump.out" 2>&1
assert_eq "vzdump stopped CT ($(tail -1 "$WORK/vzdump.out"))" 0 "$?"
DUMPED=$(ls "$DUMP"/vzdump-lxc-$SRC-*.tar.zst 2>/dev/null)
check "vzdump: archive named vzdump-lxc-<id>-<time>.tar.zst" test -n "$DUMPED"
check "vzdump: log next to it" test -s "${DUMPED%.tar.zst}.log"
assert_eq "vzdump: no .dat left" "" "$(ls "$DUMP" | grep '\.dat$')"
assert_contains "vzdump: bind mount point excluded" \
    "excluding bind mount point mp1 ('/shared') from backup (not a volume)" "$(cat "$WORK/vzdump.out")"
assert_eq "vzdump: lock removed" "" "$(key_of $SRC lock)"
listing=$(tar --numeric-owner -tvf "$DUMPED" | awk '{print $2, $6}')
assert_eq "vzdump: pct.conf, then pct.fw, then the tree" "0/0 ./etc/vzdump/pct.conf
0/0 ./etc/vzdump/pct.fw
0/0 ./" "$(echo "$listing" | head -3)"
assert_eq "vzdump: owners as the CT sees them" "0/0 ./bin/busybox
1000/1000 ./data/file" "$(echo "$listing" | grep -E ' (./bin/busybox|./data/file)$')"
tvf=$(tar -tvf "$DUMPED")
check "vzdump: hard link kept" grep -q -e '^h.* ./data/hardlink link to ./data/file$' -e '^h.* ./data/file link to ./data/hardlink$' <<<"$tvf"
assert_eq "vzdump: lost+found, /tmp/*, --exclude-path and the bind mount's files left out" "" \
    "$(echo "$listing" | grep -E 'lost\+found|\./tmp/.|var/cache/skip|bindfile')"
check "vzdump: excluded mount point stays as its directory" grep -q ' ./shared/$' <<<"$listing"
stored_conf=$(tar -xOf "$DUMPED" ./etc/vzdump/pct.conf)
assert_eq "vzdump: stored config is the config" "$(grep -v '^lock:' "$CONF_DIR/$SRC.conf")" "$stored_conf"

run_pct restore $COPY "$DUMPED"
assert_eq "restore the vzdump archive ($err)" 0 "$rc"
assert_eq "restored config: same keys and values but the volumes" \
    "$(sed "s/$SRC/ID/g" "$CONF_DIR/$SRC.conf")" "$(sed "s/$COPY/ID/g" "$CONF_DIR/$COPY.conf")"
run_pct mount $COPY
COPYROOT=$(mounted_root $COPY)
assert_eq "restored: file, owner, hard link" "payload 101000:101000 2" \
    "$(cat "$COPYROOT/data/file") $(stat -c %u:%g:%h "$COPYROOT/data/file" | sed 's/:\([0-9]*\)$/ \1/')"
run_pct unmount $COPY
tree_of() {  # tree_of ID: names, owners and modes of what a backup keeps
    run_pct mount "$1"
    (cd "$(mounted_root "$1")" && find . -path ./lost+found -prune -o -path ./data/lost+found -prune -o \
        -path ./tmp/junk -prune -o -path './var/cache/skip' -prune -o -path ./etc/vzdump -prune -o \
        -type d -printf '%p %U %G %m dir\n' -o -printf '%p %U %G %m %s\n' | sort)  # a directory's size depends on its history
    run_pct unmount "$1"
}
tree_of $SRC >"$WORK/src.tree"
tree_of $COPY >"$WORK/copy.tree"
check "restored: tree as in the source (names, owners, modes, sizes): $(diff "$WORK/src.tree" "$WORK/copy.tree" | head -5)" \
    cmp -s "$WORK/src.tree" "$WORK/copy.tree"
check "restored: tree is not empty" test "$(wc -l <"$WORK/copy.tree")" -gt 100

# keep-last=1 prunes the older archive and its log
sleep 1
"$VZDUMP" $SRC --prune-backups keep-last=1 >"$WORK/vzdump2.out" 2>&1
assert_eq "second vzdump ($(tail -1 "$WORK/vzdump2.out"))" 0 "$?"
assert_eq "keep-last=1: one archive and its log left" "2" "$(ls "$DUMP" | grep -c "vzdump-lxc-$SRC-")"
check "keep-last=1: the older one is gone" test ! -e "$DUMPED"

# ---- snapshot mode of a running CT on btrfs ----
run_pct create $BT "$TEMPLATE" --unprivileged 1 --hostname snap --rootfs fast:0 --mp0 fast:0,mp=/data,backup=1
assert_eq "create btrfs CT ($err)" 0 "$rc"
run_pct start $BT
assert_eq "start btrfs CT ($err)" 0 "$rc"
timeout 20 "$PCT" exec $BT -- sh -c 'echo live >/data/live; chown 1000:1000 /data/live'
"$VZDUMP" $BT --mode snapshot --dumpdir "$WORK/dumps" --compress gzip >"$WORK/vzdump3.out" 2>&1
assert_eq "snapshot-mode vzdump ($(tail -1 "$WORK/vzdump3.out"))" 0 "$?"
assert_contains "snapshot mode takes the vzdump snapshot" "create storage snapshot 'vzdump'" "$(cat "$WORK/vzdump3.out")"
run_pct status $BT
assert_eq "snapshot mode: CT still running" "status: running" "$out"
check "snapshot mode: no snapshot section left" sh -c "! grep -q '^\[vzdump\]' '$CONF_DIR/$BT.conf'"
assert_eq "snapshot mode: no lock left" "" "$(key_of $BT lock)"
assert_eq "snapshot mode: no snapshot subvolume left" "" "$(btrfs subvolume list "$BTRFS_DIR" | grep vzdump)"
BTDUMP=$(ls "$WORK"/dumps/vzdump-lxc-$BT-*.tar.gz 2>/dev/null)
assert_eq "snapshot mode: the running CT's file, owner as the CT sees it" "1000/1000 ./data/live" \
    "$(tar --numeric-owner -tvzf "$BTDUMP" | awk '{print $2, $6}' | grep ' ./data/live$')"
run_pct restore $BTCOPY "$BTDUMP" --storage fast
assert_eq "restore onto btrfs ($err)" 0 "$rc"
assert_eq "btrfs restore: subvolumes" "fast:$BTCOPY/subvol-$BTCOPY-disk-0.subvol,size=0T" "$(key_of $BTCOPY rootfs)"
"$VZDUMP" $BT --mode suspend --dumpdir "$WORK/dumps" >"$WORK/vzdump4.out" 2>&1
assert_eq "suspend mode refused: exit" 255 "$?"
assert_contains "suspend mode refused" "mode 'suspend' is not available" "$(cat "$WORK/vzdump4.out")"
assert_eq "suspend refused: no lock left" "" "$(key_of $BT lock)"
run_pct stop $BT
assert_eq "stop btrfs CT ($err)" 0 "$rc"

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
for id in $SRC $SIMPLE $ADVANCED $COPY $BT $BTCOPY; do
    run_pct destroy $id
    assert_eq "destroy $id ($err)" 0 "$rc"
    assert_eq "after destroy $id: nothing left behind" "" "$(leftovers $id | grep -v -F -e " $BTRFS_DIR" -e "($BTRFS_IMG)")"
done
assert_eq "no volumes left" "" "$(find "$PCT_ROOT/var/lib/vz/images" -type f)$(btrfs subvolume list "$BTRFS_DIR")"
assert_eq "no vzdump mounts or loop devices left" "" \
    "$(grep -F "$PCT_ROOT" /proc/self/mountinfo | grep -v -F " $BTRFS_DIR "; losetup -a | grep -F "$PCT_ROOT" | grep -v -F "$BTRFS_IMG")"
check "no firewall files left" test -z "$(ls -A "$PCT_ROOT/etc/pve/firewall" 2>/dev/null)"
finish
