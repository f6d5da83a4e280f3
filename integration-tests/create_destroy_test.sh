#!/usr/bin/env bash
# pct create / destroy on real storage: dir (raw ext4 over loop, and plain
# directories) and a loop-backed btrfs, privileged and unprivileged. After
# every step nothing may be left behind: no loop device, mount or file.
source "$(dirname "$0")/lib.sh"

WORK=$PCT_ROOT/work
mkdir -p "$WORK"

# Loop devices and mounts pct made under PCT_ROOT; the storages this test
# mounts for itself (work/*.img on work/<name>) do not count.
loops_backed_by_test() {
    local f
    for f in /sys/block/loop*/loop/backing_file; do
        [ -e "$f" ] && grep "^$PCT_ROOT" "$f" | grep -v "^$WORK/[a-z]*\.img$"
    done
    return 0
}
mounts_under_test() { grep -F " $PCT_ROOT" /proc/self/mountinfo | grep -v -E " $WORK/(btrfs|small) " || true; }
assert_clean() {
    assert_eq "$1: no loop device left" "" "$(loops_backed_by_test)"
    assert_eq "$1: no mount left" "" "$(mounts_under_test)"
}

# A tiny template: busybox, init link, passwd; owners 0 and 1000 inside.
TEMPLATE=$WORK/tiny.tar.gz
mkdir -p "$WORK/tpl/bin" "$WORK/tpl/sbin" "$WORK/tpl/etc" "$WORK/tpl/home/user" "$WORK/tpl/dev/pts"
cp /bin/busybox "$WORK/tpl/bin/busybox"
ln -s busybox "$WORK/tpl/bin/sh"
ln -s ../bin/busybox "$WORK/tpl/sbin/init"
echo 'root:x:0:0:root:/root:/bin/sh' >"$WORK/tpl/etc/passwd"
echo data >"$WORK/tpl/home/user/file"
chown -R 1000:1000 "$WORK/tpl/home/user"
mknod "$WORK/tpl/dev/null-in-archive" c 1 3
tar -C "$WORK/tpl" --numeric-owner -czf "$TEMPLATE" .

# A btrfs storage on a loop-backed image made for this test.
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

# Mount a raw rootfs read-only and list owners of every file.
owners_of_raw() {
    local mnt=$WORK/inspect
    mkdir -p "$mnt"
    mount -o loop,ro "$1" "$mnt" || return 1
    find "$mnt" -mindepth 1 -printf '%U:%G %p\n'
    umount "$mnt"
}

# --dry-run changes nothing.
run_pct create 100 "$TEMPLATE" --rootfs local:0.05 --dry-run
assert_eq "dry run exit" 0 "$rc"
assert_contains "dry run plan" "new 51M raw ext4 image on storage 'local'" "$out"
check "dry run wrote no config" test ! -e "$CONF_DIR/100.conf"
check "dry run allocated nothing" test ! -e "$PCT_ROOT/var/lib/vz/images/100"

for mode in unprivileged privileged; do
    unpriv=$([ $mode = unprivileged ] && echo 1 || echo 0)
    run_pct create 100 "$TEMPLATE" --rootfs local:0.05 --hostname box --unprivileged $unpriv
    assert_eq "$mode dir create exit ($err)" 0 "$rc"
    conf=$(cat "$CONF_DIR/100.conf")
    assert_contains "$mode rootfs volume" "rootfs: local:100/vm-100-disk-0.raw,size=51M" "$conf"
    assert_contains "$mode ostype" "ostype: unmanaged" "$conf"
    assert_contains "$mode unprivileged flag" "unprivileged: $unpriv" "$conf"
    image=$PCT_ROOT/var/lib/vz/images/100/vm-100-disk-0.raw
    owners=$(owners_of_raw "$image")
    if [ $mode = unprivileged ]; then
        low=$(awk '{ split($1, id, ":"); if (id[1] < 100000 || id[2] < 100000) print }' <<<"$owners")
        assert_eq "unprivileged: no file below host id 100000" "" "$low"
        assert_contains "unprivileged: uid 1000 shifted" "101000:101000 $WORK/inspect/home/user/file" "$owners"
    else
        assert_contains "privileged: uid 1000 kept" "1000:1000 $WORK/inspect/home/user/file" "$owners"
        assert_contains "privileged: root files stay root" "0:0 $WORK/inspect/bin/busybox" "$owners"
    fi
    [[ "$owners" != *dev/null-in-archive* ]] || fail "$mode: ./dev entries must not be extracted"
    checks=$((checks + 1))
    assert_clean "$mode dir create"

    run_pct destroy 100
    assert_eq "$mode destroy exit ($err)" 0 "$rc"
    check "$mode destroy removed the config" test ! -e "$CONF_DIR/100.conf"
    check "$mode destroy freed the image" test ! -e "$image"
    assert_clean "$mode destroy"
done

# btrfs: a directory (subvolume) rootfs and a raw mount point.
run_pct create 101 "$TEMPLATE" --rootfs fast:0 --mp0 fast:0.05,mp=/data --hostname b
assert_eq "btrfs create exit ($err)" 0 "$rc"
check "btrfs subvolume rootfs" btrfs subvolume show "$BTRFS_DIR/images/101/subvol-101-disk-0.subvol" >/dev/null
check "btrfs raw mount point" test -f "$BTRFS_DIR/images/101/vm-101-disk-1/disk.raw"
check "btrfs rootfs has the template" test -f "$BTRFS_DIR/images/101/subvol-101-disk-0.subvol/bin/busybox"
assert_eq "btrfs rootfs owned by mapped root" "100000:100000" \
    "$(stat -c %u:%g "$BTRFS_DIR/images/101/subvol-101-disk-0.subvol")"
assert_clean "btrfs create"
run_pct destroy 101
assert_eq "btrfs destroy exit ($err)" 0 "$rc"
assert_eq "btrfs destroy removed every subvolume" "" "$(ls "$BTRFS_DIR/images/101" 2>/dev/null)"
assert_clean "btrfs destroy"

# pct set allocates STORAGE:SIZE volumes; a detached volume becomes unusedN
# and deleting that frees it.
mkdir -p "$WORK/bind-root"
write_config 104 <<EOT
memory: 512
rootfs: $WORK/bind-root
unprivileged: 1
EOT
run_pct set 104 --mp0 local:0.05,mp=/data
assert_eq "set allocates exit ($err)" 0 "$rc"
assert_contains "set allocates" "mp0: local:104/vm-104-disk-0.raw,mp=/data,size=51M" "$(cat "$CONF_DIR/104.conf")"
check "set allocated the image" test -f "$PCT_ROOT/var/lib/vz/images/104/vm-104-disk-0.raw"
run_pct set 104 --delete mp0
assert_contains "detached volume is unused" "unused0: local:104/vm-104-disk-0.raw" "$(cat "$CONF_DIR/104.conf")"
run_pct set 104 --delete unused0
check "deleting unused0 freed the image" test ! -e "$PCT_ROOT/var/lib/vz/images/104/vm-104-disk-0.raw"
run_pct set 104 --mp0 local:0.05,mp=/data --mp1 nosuch:1,mp=/x
check "a bad second volume fails the set" test "$rc" -ne 0
check "and frees the first" test ! -e "$PCT_ROOT/var/lib/vz/images/104/vm-104-disk-0.raw"
run_pct destroy 104
assert_clean "set allocation"

# Failures leave nothing behind: a bad archive, and a disk that fills up.
echo "not an archive" >"$WORK/bad.tar.gz"
run_pct create 102 "$WORK/bad.tar.gz" --rootfs local:0.05
check "bad archive fails" test "$rc" -ne 0
assert_contains "bad archive message" "unable to create CT 102 - " "$err"
check "bad archive: no config" test ! -e "$CONF_DIR/102.conf"
assert_eq "bad archive: no volume" "" "$(ls "$PCT_ROOT/var/lib/vz/images/102" 2>/dev/null)"
assert_clean "bad archive"

SMALL_IMG=$WORK/small.img
SMALL_DIR=$WORK/small
truncate -s 8M "$SMALL_IMG"
mkfs.ext4 -q -F "$SMALL_IMG"
mkdir -p "$SMALL_DIR"
mount -o loop "$SMALL_IMG" "$SMALL_DIR"
cleanup_hooks+=("umount '$SMALL_DIR'")
printf '\ndir: small\n\tpath %s\n\tcontent rootdir\n' "$SMALL_DIR" >>"$PCT_ROOT/etc/pve/storage.cfg"
mkdir -p "$WORK/big/bin"
head -c 12M /dev/urandom >"$WORK/big/bin/blob"
tar -C "$WORK/big" -cf "$WORK/big.tar" .
run_pct create 103 "$WORK/big.tar" --rootfs small:0
check "disk full fails" test "$rc" -ne 0
assert_contains "disk full message" "unable to create CT 103 - " "$err"
check "disk full: no config" test ! -e "$CONF_DIR/103.conf"
assert_eq "disk full: no volume left" "" "$(ls "$SMALL_DIR/images/103" 2>/dev/null)"
assert_clean "disk full"

finish
