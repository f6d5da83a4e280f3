#!/usr/bin/env bash
# Confinement probed from inside (privileged and unprivileged) by a static
# probe program, plus cgroup limits.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
cleanup_hooks+=("container_cleanup 9111 9112 9113")
build_probe
make_busybox_rootfs "$PCT_ROOT/rootfs-priv"
make_busybox_rootfs "$PCT_ROOT/rootfs-unpriv" 100000
write_config 9111 <<EOT
arch: amd64
cores: 1
cpulimit: 0.5
memory: 64
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
EOT
write_config 9112 <<EOT
arch: amd64
memory: 256
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-unpriv
unprivileged: 1
EOT

run_pct start 9111
assert_eq "privileged start ($err)" 0 "$rc"
run_pct start 9112
assert_eq "unprivileged start ($err)" 0 "$rc"

for id in 9111 9112; do
    run_pct exec $id -- /bin/probe syscalls
    for call in kexec_load init_module finit_module delete_module open_by_handle_at; do
        assert_contains "$id $call refused with EPERM" "$call=ok" "$out"
    done
    run_pct exec $id -- /bin/probe proc
    assert_contains "$id /proc/sys/kernel not writable" "proc_sys_kernel=ok" "$out"
    assert_contains "$id /proc/sysrq-trigger not writable" "sysrq_trigger=ok" "$out"
    assert_contains "$id /sys read-only" "sys_writable=no" "$out"
done

# keyctl: ENOSYS for unprivileged containers without the keyctl feature.
run_pct exec 9112 -- /bin/probe syscalls
assert_contains "unprivileged keyctl" "keyctl=ENOSYS" "$out"
run_pct exec 9111 -- /bin/probe syscalls
assert_contains "privileged keyctl" "keyctl=works" "$out"

# Bounding set: the dropped capabilities are gone (privileged), all kept
# (unprivileged, only meaningful in its user namespace).
run_pct exec 9111 -- /bin/probe caps
bnd=$(sed -n 's/^CapBnd=//p' <<<"$out")
for cap in 16 17 25 32 33; do  # sys_module sys_rawio sys_time mac_override mac_admin
    if (( (16#$bnd >> cap) & 1 )); then fail "privileged CapBnd $bnd still has capability $cap"; fi
    checks=$((checks + 1))
done
(( (16#$bnd >> 21) & 1 )) || fail "privileged CapBnd $bnd lost CAP_SYS_ADMIN"
run_pct exec 9112 -- /bin/probe caps
ubnd=$(sed -n 's/^CapBnd=//p' <<<"$out")
(( (16#$ubnd >> 16) & 1 )) || fail "unprivileged CapBnd $ubnd lacks CAP_SYS_MODULE (expected the full set)"
checks=$((checks + 1))

# A host disk's block device: mknod is allowed (device cgroup 'm'), opening it is not.
disk=$(lsblk -ndo MAJ:MIN "$(findmnt -no SOURCE / | sed 's/\[.*//')" 2>/dev/null | head -1 | tr -d ' ')
[ -n "$disk" ] || disk=$(awk '$4 ~ /^(vd|sd|nvme)/ {print $1 ":" $2; exit}' /proc/partitions)
if [ -n "$disk" ]; then
    run_pct exec 9111 -- /bin/probe mknod "${disk%%:*}" "${disk##*:}"
    assert_contains "privileged open of host disk $disk refused" "open_disk=Operation not permitted" "$out"
fi

# Unprivileged init is host uid 100000.
pid=$(cat "$PCT_ROOT/run/pct/9112/init.pid")
assert_eq "unprivileged init host uid" 100000 "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)"

# init joined lxc/<id>/ns in every hierarchy (v1: it writes its own tasks
# files; cgroup2: clone3 puts it there).
for id in 9111 9112; do
    pid=$(cat "$PCT_ROOT/run/pct/$id/init.pid")
    unified=$(findmnt -rn -t cgroup2 | head -1)
    misplaced=$(awk -F: -v want="/lxc/$id/ns" -v unified="$unified" '$3 != want && ($1 != 0 || unified != "")' /proc/$pid/cgroup)
    assert_eq "$id init in lxc/$id/ns in every hierarchy" "" "$misplaced"
done

# Limits (cgroup v1 here; v2 files on a unified host).
cg=/sys/fs/cgroup
if [ -d $cg/cpuset/lxc/9111 ]; then
    assert_eq "cores: 1 pins one CPU" 1 "$(awk -F, '{n=0; for(i=1;i<=NF;i++){split($i,r,"-"); n += (r[2]==""?1:r[2]-r[1]+1)} print n}' $cg/cpuset/lxc/9111/cpuset.cpus)"
    assert_eq "cpulimit quota" 50000 "$(cat $cg/cpu/lxc/9111/cpu.cfs_quota_us)"
    assert_eq "memory limit" $((64 * 1024 * 1024)) "$(cat $cg/memory/lxc/9111/memory.limit_in_bytes)"
else
    assert_eq "cpulimit quota" "50000 100000" "$(cat $cg/lxc/9111/cpu.max)"
    assert_eq "memory limit" $((64 * 1024 * 1024)) "$(cat $cg/lxc/9111/memory.max)"
fi
run_pct exec 9111 -- /bin/sh -c 'grep Cpus_allowed_list /proc/self/status'
[[ "$out" =~ Cpus_allowed_list:[[:space:]]+[0-9]+$ ]] || fail "exec'd process not pinned to one CPU: $out"
checks=$((checks + 1))
run_pct exec 9111 -- /bin/probe alloc 200
[ "$rc" -ne 0 ] || fail "allocating 200 MB under memory: 64 succeeded: $out"
checks=$((checks + 1))
run_pct status 9111
assert_eq "container survives the OOM kill of one process" "status: running" "$out"

# pct cpusets: both running containers, 9111 with its one CPU.
cpu=$(cat $cg/cpuset/lxc/9111/cpuset.cpus 2>/dev/null || cat $cg/lxc/9111/cpuset.cpus.effective)
run_pct cpusets
assert_eq "cpusets lists the running containers" "9111 9112" "$(echo "$out" | grep -o '^ *[0-9]*:' | tr -d ' :' | xargs)"
assert_eq "9111's row ends with its CPU" "$cpu" "$(echo "$out" | grep '^9111:' | awk '{print $NF}')"

run_pct stop 9111
run_pct stop 9112
assert_clean "privileged" 9111
assert_clean "unprivileged" 9112
finish
