#!/usr/bin/env bash
# The hookscript option: `<script> <vmid> <phase>` runs at pre-start,
# post-start, pre-stop and post-stop; a failing pre-start aborts the start
# and leaves nothing behind, other phases only warn; a script that is
# missing or not executable is named in the error. Also: changes queued
# while the container ran are applied when it stops.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
ID=9331
cleanup_hooks+=("container_cleanup $ID")
SNIPPETS=$PCT_ROOT/var/lib/vz/snippets
LOG=$PCT_ROOT/hook.log
mkdir -p "$SNIPPETS"
cat >"$SNIPPETS/hook.sh" <<EOT
#!/bin/sh
echo "\$1 \$2" >>"$LOG"
[ -e "$PCT_ROOT/fail-\$2" ] && { echo "refusing \$2" >&2; exit 3; }
exit 0
EOT
chmod 755 "$SNIPPETS/hook.sh"
make_busybox_rootfs "$PCT_ROOT/rootfs"
write_config $ID <<EOT
arch: amd64
hookscript: local:snippets/hook.sh
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs
lxc.signal.halt: SIGUSR2
EOT

run_pct start $ID
assert_eq "start ($err)" 0 "$rc"
run_pct set $ID --memory 96
assert_contains "memory is queued while running" "memory: 96" "$(sed -n '/^\[pve:pending\]/,$p' "$CONF_DIR/$ID.conf")"
run_pct stop $ID
assert_eq "the stop applied the queued change" "memory: 96" "$(grep '^memory:' "$CONF_DIR/$ID.conf")"
assert_eq "nothing pending after the stop" "" "$(grep -F '[pve:pending]' "$CONF_DIR/$ID.conf")"
assert_eq "stop ($err)" 0 "$rc"
assert_eq "phases of a start and a stop" "$ID pre-start
$ID post-start
$ID pre-stop
$ID post-stop" "$(cat "$LOG")"

: >"$LOG"
touch "$PCT_ROOT/fail-pre-start"
run_pct start $ID
check "failing pre-start aborts the start" test "$rc" -ne 0
assert_contains "error names phase and command" "hookscript error for $ID on pre-start: command '$SNIPPETS/hook.sh $ID pre-start' failed" "$err"
run_pct status $ID
assert_eq "not running after the aborted start" "status: stopped" "$out"
assert_eq "only pre-start ran" "$ID pre-start" "$(cat "$LOG")"
assert_clean "after the aborted start" $ID
rm "$PCT_ROOT/fail-pre-start"

touch "$PCT_ROOT/fail-post-start" "$PCT_ROOT/fail-pre-stop"
run_pct start $ID
assert_eq "failing post-start only warns ($err)" 0 "$rc"
assert_contains "post-start warning" "WARN: hookscript error for $ID on post-start" "$err"
run_pct shutdown $ID --timeout 10
assert_eq "failing pre-stop only warns ($err)" 0 "$rc"
assert_contains "pre-stop warning" "WARN: hookscript error for $ID on pre-stop" "$err"
run_pct status $ID
assert_eq "stopped anyway" "status: stopped" "$out"
rm "$PCT_ROOT"/fail-*

# pct set checks a new hookscript.
run_pct set $ID --hookscript local:snippets/none.sh
assert_contains "set: missing script" "hookscript: script 'local:snippets/none.sh' does not exist" "$err"
run_pct set $ID --hookscript local:iso/hook.iso
assert_contains "set: not a snippet" "hookscript: 'local:iso/hook.iso' is not in the snippets directory" "$err"
run_pct set $ID --hookscript local:snippets/hook.sh
assert_eq "set: an executable snippet ($err)" 0 "$rc"

chmod 644 "$SNIPPETS/hook.sh"
run_pct start $ID
assert_eq "not executable" "hookscript error for $ID on pre-start: script 'local:snippets/hook.sh' is not executable" "$(echo "$err" | grep hookscript)"
rm "$SNIPPETS/hook.sh"
run_pct start $ID
assert_eq "missing" "hookscript error for $ID on pre-start: script 'local:snippets/hook.sh' does not exist" "$(echo "$err" | grep hookscript)"
assert_clean "hookscript" $ID
finish
