#!/usr/bin/env bash
# 50 concurrent `pct set` calls, each setting a different key on the same
# container: the lock must serialise them so that no update is lost and the
# file is never truncated.
source "$(dirname "$0")/lib.sh"

write_config 100 <<EOT
hostname: busy
memory: 512
rootfs: $PCT_ROOT
EOT

pids=()
for i in $(seq 0 49); do
    mkdir -p "$PCT_ROOT/src$i"
    PCT_LOCK_TIMEOUT=60 "$PCT" set 100 --mp$i "$PCT_ROOT/src$i,mp=/mnt/m$i" >"$PCT_ROOT/set$i.log" 2>&1 &
    pids+=($!)
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "pct set --mp$i failed: $(cat "$PCT_ROOT/set$i.log")"
    checks=$((checks + 1))
done

run_pct config 100
assert_eq "config still parses" 0 "$rc"
found=0
for i in $(seq 0 49); do
    if grep -qx "mp$i: $PCT_ROOT/src$i,mp=/mnt/m$i" "$CONF_DIR/100.conf"; then found=$((found + 1)); fi
done
assert_eq "all 50 mount points present" 50 "$found"
assert_eq "original keys kept" "hostname: busy" "$(grep '^hostname:' "$CONF_DIR/100.conf")"
check "no temp files left" test -z "$(find "$CONF_DIR" -name '.*tmp*')"

finish
