#!/usr/bin/env bash
# Bad input: every case fails with a clear error naming file, line and key,
# exits non-zero and leaves the existing config byte for byte unchanged.
source "$(dirname "$0")/lib.sh"

# expect_refused NAME EXPECTED_STDERR_SUBSTRING PCT_ARGS...
expect_refused() {
    local name=$1 expected=$2
    shift 2
    local before
    before=$(sha256sum "$CONF_DIR/100.conf" 2>/dev/null)
    run_pct "$@"
    checks=$((checks + 1))
    [ "$rc" -ne 0 ] || fail "$name: exit status 0"
    assert_contains "$name: message" "$expected" "$err"
    assert_eq "$name: config unchanged" "$before" "$(sha256sum "$CONF_DIR/100.conf" 2>/dev/null)"
    assert_eq "$name: no stray temp file" "" "$(find "$CONF_DIR" -name '.*tmp*' 2>/dev/null)"
}

good_config() {
    write_config 100 <<EOT
hostname: ok
memory: 512
rootfs: $PCT_ROOT
EOT
}

F=$CONF_DIR/100.conf

good_config
echo "this line is garbage" >>"$F"
expect_refused "garbage line" "$F:4: vm 100 - unable to parse config: this line is garbage" set 100 --memory 1024
expect_refused "garbage line (config)" "$F:4:" config 100

good_config
echo "brigde: vmbr0" >>"$F"
expect_refused "unknown key" "$F:4: brigde: unknown setting 'brigde'" set 100 --memory 1024

good_config
echo "net0: name=eth0,brigde=vmbr0" >>"$F"
expect_refused "unknown property key" "$F:4: net0: unknown key 'brigde'" set 100 --memory 1024

good_config
echo "tty: 9" >>"$F"
expect_refused "out-of-range value in file" "$F:4: tty: value may only be 6 or less" set 100 --memory 1024
expect_refused "out-of-range value in file (start)" "$F:4: tty:" start 100 --dry-run

good_config
expect_refused "out-of-range value on the command line" "memory: value must have a minimum value of 16" set 100 --memory 8
expect_refused "bad boolean on the command line" "onboot: unable to parse boolean option" set 100 --onboot maybe
expect_refused "every problem at once" "net0: unknown key 'brigde'" set 100 --net0 name=eth0,brigde=vmbr0 --tty 9
assert_contains "every problem at once (second)" "tty: value may only be 6 or less" "$err"

rm -f "$F"
run_pct set 100 --memory 1024
assert_eq "missing file exit" 255 "$rc"
assert_eq "missing file message" "Configuration file '$F' does not exist" "$err"
check "missing file not created" test ! -e "$F"

# An unwritable config directory: a read-only bind mount stops even root.
good_config
mount --bind "$CONF_DIR" "$CONF_DIR" && mount -o remount,ro,bind "$CONF_DIR"
cleanup_hooks+=("umount '$CONF_DIR'")
expect_refused "unwritable config dir" "unable to write '$F': Read-only file system" set 100 --memory 1024
umount "$CONF_DIR"
cleanup_hooks=()

# Lock timeout: another holder of the config lock makes set fail clearly.
mkdir -p "$PCT_ROOT/run/lock/pct"
exec 9>"$PCT_ROOT/run/lock/pct/pve-config-100.lock"
flock 9
PCT_LOCK_TIMEOUT=0.2 expect_refused "lock timeout" "can't lock file '$PCT_ROOT/run/lock/pct/pve-config-100.lock' - got timeout" set 100 --memory 1024
exec 9>&-

finish
