#!/usr/bin/env bash
# Whole-process timing of a full container cycle on the same busybox rootfs:
# start a container whose init is /bin/true, wait until it has exited and
# everything is cleaned up. pct (default confinement: namespaces, cgroups,
# capability drops, seccomp, /dev, /proc, /sys setup) against `crun run`
# with the seccomp policy of Debian's containers-common package, and a bare
# clone + pivot_root + exec of the same rootfs (bench/bare_cycle.c) as the
# floor. The three take turns in every round; a cycle ends when every
# process it started has exited (start_cycle_driver.py), for pct after
# post-stop has removed mounts, cgroups and run/pct/<id>/.
# Also prints the monitor's resident memory and the seccomp compile/load cost.
#
# usage: bash bench/start_cycle.sh [BUILD_DIR] [ITERATIONS]   (root; needs crun)
# crun refuses this host's hybrid cgroup layout, so all run in a private
# mount namespace with an empty tmpfs over /sys/fs/cgroup/unified.
set -euo pipefail
BUILD=${1:-build}
N=${2:-20}
PCT=$(realpath "$BUILD/cli/pct")
BARE=$(realpath "$BUILD/bench/bare_cycle")
DRIVER=$(dirname "$(realpath "$0")")/start_cycle_driver.py
command -v crun >/dev/null || { echo "crun is not installed (apt-get install crun)" >&2; exit 1; }
SECCOMP_JSON=/usr/share/containers/seccomp.json
WORK=$(mktemp -d /tmp/pct-bench.XXXXXX)
chmod 755 "$WORK"
# A run cut short (e.g. its output piped into head) must not leave CT 9201 running.
trap '"$PCT" stop 9201 >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

rootfs=$WORK/rootfs
mkdir -p "$rootfs"/{bin,sbin,etc,dev,proc,sys,tmp,root,run}
cp /bin/busybox "$rootfs/bin/"
for applet in $("$rootfs/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done

# pct: a private PCT_ROOT with one container whose init is /bin/true.
export PCT_ROOT=$WORK/pct
mkdir -p "$PCT_ROOT/etc/pve/lxc"
cat >"$PCT_ROOT/etc/pve/lxc/9200.conf" <<EOT
arch: amd64
memory: 256
ostype: unmanaged
rootfs: $rootfs
lxc.init.cmd: /bin/true
EOT

# crun: an OCI bundle with the same rootfs and a typical seccomp policy.
bundle=$WORK/bundle
mkdir -p "$bundle"
(cd "$bundle" && crun spec --rootless=false >/dev/null 2>&1 || crun spec)
python3 - "$bundle/config.json" "$rootfs" "$SECCOMP_JSON" <<'PY'
import json, sys
path, rootfs, seccomp_path = sys.argv[1:4]
spec = json.load(open(path))
spec["root"] = {"path": rootfs, "readonly": False}
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
caps = set(spec["process"]["capabilities"]["bounding"])
try:
    profile = json.load(open(seccomp_path))
except OSError:
    profile = None
if profile:
    arches = []
    for entry in profile.get("archMap", []):
        if entry["architecture"] == "SCMP_ARCH_X86_64":
            arches = [entry["architecture"]] + entry.get("subArchitectures", [])
    rules = []
    for rule in profile.get("syscalls", []):
        inc = rule.get("includes", {})
        if inc.get("arches") and "amd64" not in inc["arches"]: continue
        if inc.get("caps") and not set(inc["caps"]) <= caps: continue
        out = {"names": rule["names"], "action": rule["action"]}
        if "errnoRet" in rule: out["errnoRet"] = rule["errnoRet"]
        if rule.get("args"): out["args"] = rule["args"]
        rules.append(out)
    spec["linux"]["seccomp"] = {"defaultAction": profile["defaultAction"],
                                "defaultErrnoRet": profile.get("defaultErrnoRet", 1),
                                "architectures": arches, "syscalls": rules}
json.dump(spec, open(path, "w"))
PY

echo "start cycle (/bin/true as init), $N rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
kinds=("pct=$PCT start 9200" "crun=crun run -b $bundle bench{i}" "bare=$BARE $rootfs")
# PCT_BENCH_OTHER=<build dir>: time that build's pct too ("other"), e.g. the last release.
[ -z "${PCT_BENCH_OTHER:-}" ] || kinds+=("other=$(realpath "$PCT_BENCH_OTHER/cli/pct") start 9200")
unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified && exec python3 "$@"' sh \
    "$DRIVER" "$N" "$PCT_ROOT/run/pct/9200" "${kinds[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Monitor memory: a container that keeps running.
cat >"$PCT_ROOT/etc/pve/lxc/9201.conf" <<EOT
arch: amd64
memory: 256
ostype: unmanaged
rootfs: $rootfs
lxc.init.cmd: /bin/sleep 1000
EOT
rm -rf "$PCT_ROOT/run/pct/.seccomp-cache"  # this start compiles the filter again
"$PCT" start 9201 --debug 2>&1 | grep -i 'seccomp filter' || true
monitor=$(cat "$PCT_ROOT/run/pct/9201/monitor.pid")
echo "monitor $(grep -E 'VmRSS' /proc/$monitor/status)"
"$PCT" stop 9201
"$PCT" start 9201 --debug 2>&1 | grep -i 'seccomp filter' || true
"$PCT" stop 9201
