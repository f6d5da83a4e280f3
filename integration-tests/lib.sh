# Shared helpers for the integration tests: a private PCT_ROOT that is removed
# on exit, and assertions that print what differed.
set -u
PCT=${1:?usage: $0 PCT_BINARY}
TEST_NAME=$(basename "$0" .sh)
PCT_ROOT=$(mktemp -d "/tmp/pct-$TEST_NAME.XXXXXX")
export PCT_ROOT
CONF_DIR=$PCT_ROOT/etc/pve/lxc
mkdir -p "$CONF_DIR"
failures=0
checks=0
cleanup_hooks=()

cleanup() {
    local hook
    for hook in ${cleanup_hooks[@]+"${cleanup_hooks[@]}"}; do eval "$hook" || true; done
    rm -rf -- "$PCT_ROOT"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

check() {  # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1
    shift
    checks=$((checks + 1))
    "$@" || fail "$what"
}

assert_eq() {  # assert_eq WHAT EXPECTED ACTUAL
    checks=$((checks + 1))
    [ "$2" == "$3" ] || fail "$1: expected [$2], got [$3]"
}

assert_contains() {  # assert_contains WHAT NEEDLE HAYSTACK
    checks=$((checks + 1))
    [[ "$3" == *"$2"* ]] || fail "$1: [$3] lacks [$2]"
}

# run_pct ARGS...: sets $out, $err and $rc.
run_pct() {
    local out_file=$PCT_ROOT/.out err_file=$PCT_ROOT/.err
    "$PCT" "$@" >"$out_file" 2>"$err_file" </dev/null
    rc=$?
    out=$(cat "$out_file")
    err=$(cat "$err_file")
    rm -f "$out_file" "$err_file"
}

mount_loop_fs() {  # mount_loop_fs btrfs|ext4 SIZE IMAGE DIR: a fresh file system on a loop device, unmounted on exit
    local type=$1 size=$2 image=$3 dir=$4
    truncate -s "$size" "$image"
    if [ "$type" = btrfs ]; then mkfs.btrfs -q "$image" >/dev/null; else mkfs.ext4 -q -F "$image"; fi
    mkdir -p "$dir"
    mount -o loop "$image" "$dir"
    cleanup_hooks+=("umount -l '$dir' 2>/dev/null")
}

write_config() {  # write_config ID <<EOF ... EOF
    cat >"$CONF_DIR/$1.conf"
}

finish() {
    echo "$TEST_NAME: $((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
