#!/usr/bin/env bash
# pveam against a local HTTP server (busybox httpd on 127.0.0.1): index
# update, available, download with checksum verification (a bad checksum
# leaves nothing behind), list, remove, and building the busybox template.
source "$(dirname "$0")/lib.sh"
PVEAM=$(dirname "$PCT")/pveam

# Traffic only to 127.0.0.1, never through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1

run_pveam() {  # sets $out, $err and $rc
    local out_file=$PCT_ROOT/.out err_file=$PCT_ROOT/.err
    "$PVEAM" "$@" >"$out_file" 2>"$err_file" </dev/null
    rc=$?
    out=$(cat "$out_file")
    err=$(cat "$err_file")
    rm -f "$out_file" "$err_file"
}

WWW=$PCT_ROOT/www
CACHE=$PCT_ROOT/var/lib/vz/template/cache
mkdir -p "$WWW/templates" "$PCT_ROOT/tree/etc"

# ---- the served files: two templates and an index ----------------------------------
echo test >"$PCT_ROOT/tree/etc/hostname"
tar -czf "$WWW/templates/good-1.0_amd64.tar.gz" -C "$PCT_ROOT/tree" .
cp "$WWW/templates/good-1.0_amd64.tar.gz" "$WWW/templates/bad-1.0_amd64.tar.gz"
good_sum=$(sha512sum "$WWW/templates/good-1.0_amd64.tar.gz" | cut -d' ' -f1)
wrong_sum=$(printf '0%.0s' $(seq 128))

record() {  # record NAME SUM
    cat <<EOT
Package: $1
Version: 1.0-1
Type: lxc
OS: testos
Section: system
Maintainer: pct tests
Architecture: amd64
Location: templates/$1-1.0_amd64.tar.gz
Infopage: http://127.0.0.1/
Description: The $1 template
 used by the pveam integration test.
sha512sum: $2

EOT
}
{ record good "$good_sum"; record bad "$wrong_sum"; } >"$WWW/aplinfo.dat"
gzip -k "$WWW/aplinfo.dat"

# ---- an HTTP server on a free port ------------------------------------------------------
HTTPD_PID=
for attempt in $(seq 20); do
    PORT=$((20000 + RANDOM % 40000))
    busybox httpd -f -p "127.0.0.1:$PORT" -h "$WWW" &
    HTTPD_PID=$!
    sleep 0.2
    if kill -0 "$HTTPD_PID" 2>/dev/null && busybox wget -q -O /dev/null "http://127.0.0.1:$PORT/aplinfo.dat"; then
        break
    fi
    kill "$HTTPD_PID" 2>/dev/null
    wait "$HTTPD_PID" 2>/dev/null
    HTTPD_PID=
done
if [ -z "$HTTPD_PID" ]; then
    echo "FAIL: could not start busybox httpd" >&2
    exit 1
fi
cleanup_hooks+=("kill $HTTPD_PID; wait $HTTPD_PID 2>/dev/null")
BASE=http://127.0.0.1:$PORT
export PVEAM_INDEX_URL=$BASE/aplinfo.dat.gz

# ---- update and available ----------------------------------------------------------------
run_pveam available
assert_contains "available before update" "run 'pveam update' first" "$err"

run_pveam update
assert_eq "update exit" 0 "$rc"
assert_eq "update output" "update successful" "$out"
check "index stored under the host name" test -s "$PCT_ROOT/var/lib/pve-manager/apl-info/127.0.0.1"

PVEAM_INDEX_URL=$BASE/aplinfo.dat run_pveam update
assert_eq "update from an uncompressed index" "update successful" "$out"

run_pveam available
assert_eq "available exit" 0 "$rc"
expected=$(printf '%-15s %-60s %s\n%-15s %-60s %s' system bad-1.0_amd64.tar.gz amd64 system good-1.0_amd64.tar.gz amd64)
assert_eq "available lists both, sorted" "$expected" "$out"
run_pveam available --section mail
assert_eq "available for another section" "" "$out"
run_pveam available --section nonsense
assert_eq "bad section exit" 255 "$rc"
assert_contains "bad section message" "section: value 'nonsense' does not have a value in the enumeration" "$err"

# ---- download -------------------------------------------------------------------------------
run_pveam download local good-1.0_amd64.tar.gz
assert_eq "download exit" 0 "$rc"
assert_contains "download verifies" "OK, checksum verified" "$out"
check "downloaded file is identical" cmp -s "$WWW/templates/good-1.0_amd64.tar.gz" "$CACHE/good-1.0_amd64.tar.gz"
run_pveam download local good-1.0_amd64.tar.gz
assert_eq "download again exit" 0 "$rc"
assert_contains "download again is skipped" "no need to download" "$out"

run_pveam download local bad-1.0_amd64.tar.gz
assert_eq "bad checksum exit" 255 "$rc"
assert_contains "bad checksum message" "checksum mismatch: got '$good_sum' != expect '$wrong_sum'" "$err"
check "bad download leaves no file" test ! -e "$CACHE/bad-1.0_amd64.tar.gz"
assert_eq "bad download leaves no temp file" "" "$(ls -A "$CACHE" | grep -v '^good-1.0_amd64.tar.gz$')"

run_pveam download local missing-1.0_amd64.tar.gz
assert_eq "unknown template exit" 255 "$rc"
assert_contains "unknown template message" "template: no such template" "$err"

# ---- storages without templates ------------------------------------------------------------
mkdir -p "$PCT_ROOT/etc/pve" "$PCT_ROOT/images-only"
cat >"$PCT_ROOT/etc/pve/storage.cfg" <<EOT
dir: local
	path /var/lib/vz
	content vztmpl,rootdir

dir: imgs
	path $PCT_ROOT/images-only
	content images,rootdir

EOT
run_pveam download imgs good-1.0_amd64.tar.gz
assert_eq "download to a storage without vztmpl" "storage 'imgs' does not support templates" "$err"
run_pveam list imgs
assert_eq "list a storage without vztmpl" "Storage does not support templates!" "$err"
run_pveam list nowhere
assert_eq "list an unknown storage" "storage 'nowhere' does not exist" "$err"

# ---- list and remove ---------------------------------------------------------------------------
run_pveam list local
assert_eq "list exit" 0 "$rc"
size=$(stat -c %s "$CACHE/good-1.0_amd64.tar.gz")
expected=$(awk -v size="$size" 'BEGIN { printf "%-60s %-6s\n%-60s %-4.2fMB", "NAME", "SIZE",
    "local:vztmpl/good-1.0_amd64.tar.gz", size / 1048576 }')
assert_eq "list output" "$expected" "$out"

run_pveam remove local:vztmpl/good-1.0_amd64.tar.gz
assert_eq "remove exit" 0 "$rc"
check "removed file is gone" test ! -e "$CACHE/good-1.0_amd64.tar.gz"
run_pveam remove local:vztmpl/good-1.0_amd64.tar.gz
assert_eq "remove again" "can't find file 'local:vztmpl/good-1.0_amd64.tar.gz'" "$err"
run_pveam remove local:100/vm-100-disk-0.raw
assert_eq "remove a non-template" \
    "unable to use volume local:100/vm-100-disk-0.raw - content type needs to be 'vztmpl'" "$err"

# ---- a failing update --------------------------------------------------------------------------
PVEAM_INDEX_URL=$BASE/missing.dat run_pveam update
assert_eq "failed update exit" 255 "$rc"
assert_eq "failed update message" "update failed - see $PCT_ROOT/var/log/pveam.log for details" "$err"
assert_contains "failed update logged" "missing.dat' failed" "$(cat "$PCT_ROOT/var/log/pveam.log")"

# ---- build busybox ---------------------------------------------------------------------------------
run_pveam build busybox local
assert_eq "build busybox exit" 0 "$rc"
built=$(ls "$CACHE"/busybox-*_*.tar.zst 2>/dev/null | head -1)
check "busybox template exists" test -n "$built"
if [ -n "$built" ]; then
    assert_contains "build output" "created template local:vztmpl/$(basename "$built")" "$out"
    listing=$(zstd -dc "$built" | tar -tv)
    assert_contains "template has /sbin/init" " ./sbin/init -> /bin/busybox" "$listing"
    assert_contains "template has /bin/sh" " ./bin/sh -> /bin/busybox" "$listing"
    assert_contains "template has the binary" " ./bin/busybox" "$listing"
    check "all entries owned by root" test -z "$(zstd -dc "$built" | tar -tv --numeric-owner | awk '$2 != "0/0"')"
fi
assert_eq "build leaves no temp file" "" "$(ls -A "$CACHE" | grep -v '^busybox-.*\.tar\.zst$')"
run_pveam build ubuntu local
assert_contains "unknown build kind" "kind: value 'ubuntu' does not have a value in the enumeration" "$err"

finish
