#!/usr/bin/env bash
# The main job: installs dependencies, builds pct, and demonstrates the
# config commands on a private temporary PCT_ROOT (the host is not touched).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/ci/install-deps.sh"
bash "$root/ci/build.sh"

pct=$root/build/cli/pct
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PCT_ROOT=$tmp/root
mkdir -p "$PCT_ROOT/etc/pve/lxc" "$tmp/rootfs"

cat > "$PCT_ROOT/etc/pve/lxc/100.conf" <<CONF
arch: amd64
hostname: demo
memory: 512
net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=192.0.2.10/24,gw=192.0.2.1,type=veth
ostype: debian
rootfs: $tmp/rootfs
CONF

run() {
    echo
    echo "\$ pct $*"
    "$pct" "$@"
}
run set 100 --memory 1024 --cores 2 --net1 name=eth1,bridge=vmbr0,ip=dhcp
run config 100
run pending 100
run list
run start 100 --dry-run
echo
echo "Containers cannot start yet in this version of pct: 'start --dry-run' only prints the plan."
