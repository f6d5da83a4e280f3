# Helpers for tests that run real containers: a busybox rootfs, cleanup of
# everything a container may leave behind, and checks that nothing did.
PCT_DIR=$(dirname "$PCT")
chmod 755 "$PCT_ROOT"

make_busybox_rootfs() {  # make_busybox_rootfs DIR [UID]: busybox, /sbin/init, inittab
    local dir=$1 owner=${2:-0}
    mkdir -p "$dir"/{bin,sbin,etc,dev,proc,sys,tmp,root,run,var,usr/bin,usr/sbin,mnt}
    cp /bin/busybox "$dir/bin/busybox"
    local applet
    for applet in $("$dir/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
    done
    ln -sf /bin/busybox "$dir/sbin/init"
    cat >"$dir/etc/inittab" <<'EOT'
::sysinit:/bin/true
::respawn:/bin/sleep 1000000
::shutdown:/bin/true
EOT
    echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
    echo "nobody:x:65534:65534:nobody:/:/bin/false" >>"$dir/etc/passwd"
    echo "root:x:0:" >"$dir/etc/group"
    echo "nogroup:x:65534:" >>"$dir/etc/group"
    chmod 1777 "$dir/tmp"
    if [ -n "${PROBE:-}" ]; then cp "$PROBE" "$dir/bin/probe"; fi
    [ "$owner" = 0 ] || chown -R -h "$owner:$owner" "$dir"
}

build_probe() {  # sets PROBE to a static confinement probe binary
    PROBE=$PCT_ROOT/confinement_probe
    local src
    src=$(dirname "$0")/probe/confinement_probe.c
    gcc -static -O1 -o "$PROBE" "$src" || { echo "cannot build the probe" >&2; exit 1; }
}

# Everything a container of ours could leave behind, for one vmid.
leftovers() {  # leftovers VMID: prints what is left (empty = clean)
    local id=$1
    ls -d /sys/fs/cgroup/*/lxc/"$id" /sys/fs/cgroup/lxc/"$id" 2>/dev/null
    grep -F "$PCT_ROOT" /proc/self/mountinfo | awk '{print "mount " $5}'
    losetup -a 2>/dev/null | grep -F "$PCT_ROOT" | sed 's/^/loop /'
    ip -o link show 2>/dev/null | grep -o "veth${id}i[0-9]*" | sed 's/^/veth /'
    [ -d "$PCT_ROOT/run/pct/$id" ] && echo "run dir $PCT_ROOT/run/pct/$id"
    pgrep -f "pct-monitor $id $PCT_ROOT" | sed 's/^/monitor pid /'
    grep -l "^$id\$" /dev/null 2>/dev/null
    return 0
}

container_cleanup() {  # container_cleanup VMID...: stop, then remove anything left
    local id
    for id in "$@"; do
        "$PCT" stop "$id" >/dev/null 2>&1
        local pid
        for pid in $(pgrep -f "pct-monitor $id $PCT_ROOT"); do kill -9 "$pid" 2>/dev/null; done
        if [ -r "$PCT_ROOT/run/pct/$id/init.pid" ]; then kill -9 "$(cat "$PCT_ROOT/run/pct/$id/init.pid")" 2>/dev/null; fi
        "$PCT" stop "$id" >/dev/null 2>&1
        local d
        for d in /sys/fs/cgroup/*/lxc/"$id" /sys/fs/cgroup/lxc/"$id"; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
    done
    grep -F "$PCT_ROOT" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}

assert_clean() {  # assert_clean WHAT VMID
    local left
    left=$(leftovers "$2")
    assert_eq "$1: nothing left behind" "" "$left"
}

wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}
