#!/usr/bin/env bash
# Containers on a Linux bridge (runtime.md §15): a private network namespace
# holds the bridge and the host ends of the veths (pct start runs there via
# nsenter --net, which keeps the host's mount namespace, so assert_clean sees
# everything); nothing is ever added to the host's own interfaces. Checks the
# interfaces inside (name, MAC, MTU, host-managed addresses and routes, left
# down otherwise), the host ends (veth<id>i<N>, bridge port, MTU, link_down),
# traffic both ways and between containers, errors, and that stop removes
# the veths.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
NS=pct-nettest-$$
BR=brtest0
cleanup_hooks+=("container_cleanup 9141 9142" "ip netns del $NS 2>/dev/null")

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
run_pct_in_ns() {  # run_pct, with pct in the test's network namespace
    local out_file=$PCT_ROOT/.out err_file=$PCT_ROOT/.err
    in_ns "$PCT" "$@" >"$out_file" 2>"$err_file" </dev/null
    rc=$?
    out=$(cat "$out_file")
    err=$(cat "$err_file")
    rm -f "$out_file" "$err_file"
}
is_up() { [[ "$(sed -n 's/^[^<]*<\([^>]*\)>.*/,\1,/p' <<<"$1")" == *,UP,* ]]; }  # the UP flag of `ip -o link` output
link_line() { ip -n "$NS" -o link show dev "$1" 2>/dev/null; }  # host end, in the test namespace
ns_leftovers() { ip -n "$NS" -o link show | grep -o "veth914[12]i[0-9]*"; }

ip netns add "$NS" || { echo "cannot create a network namespace" >&2; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" link add "$BR" type bridge
ip -n "$NS" link set "$BR" mtu 1400
ip -n "$NS" addr add 10.250.0.1/24 dev "$BR"
ip -n "$NS" addr add fd00:250::1/64 dev "$BR" nodad
ip -n "$NS" link set "$BR" up
host_links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)

make_busybox_rootfs "$PCT_ROOT/rootfs-priv"
make_busybox_rootfs "$PCT_ROOT/rootfs-unpriv" 100000
write_config 9141 <<EOT
arch: amd64
hostname: net-priv
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:41:00,ip=10.250.0.2/24,gw=10.250.0.1,ip6=fd00:250::2/64,gw6=fd00:250::1,host-managed=1
net1: name=eth1,bridge=$BR,hwaddr=BC:24:11:00:41:01,ip=10.250.0.12/24,mtu=1300
net2: name=eth2,bridge=$BR,hwaddr=BC:24:11:00:41:02,link_down=1
EOT
write_config 9142 <<EOT
arch: amd64
hostname: net-unpriv
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-unpriv
unprivileged: 1
net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:42:00,ip=10.250.0.3/24,gw=10.250.0.1,mtu=1280,host-managed=1
EOT

# The bridge exists only in the test namespace: from the host's it is missing.
if ! ip link show "$BR" >/dev/null 2>&1; then
    run_pct start 9141
    assert_eq "start outside the bridge's namespace fails" 255 "$rc"
    assert_contains "bridge missing in the host namespace" "bridge '$BR' does not exist" "$err"
    assert_clean "after the refused start" 9141
fi

run_pct_in_ns start 9141
assert_eq "privileged start ($err)" 0 "$rc"
run_pct_in_ns start 9142
assert_eq "unprivileged start ($err)" 0 "$rc"

# Inside: eth0 configured by the host (host-managed), MTU of the bridge or its own.
run_pct exec 9141 -- ip -o link show eth0
assert_contains "9141 eth0 MAC" "link/ether bc:24:11:00:41:00" "$out"
assert_contains "9141 eth0 MTU = bridge MTU" "mtu 1400" "$out"
is_up "$out" || fail "9141 eth0 not up: $out"
checks=$((checks + 1))
run_pct exec 9141 -- ip -o addr show dev eth0
assert_contains "9141 eth0 IPv4 address" "inet 10.250.0.2/24 brd 10.250.0.255" "$out"
assert_contains "9141 eth0 IPv6 address" "inet6 fd00:250::2/64" "$out"
run_pct exec 9141 -- ip route
assert_contains "9141 IPv4 default route" "default via 10.250.0.1 dev eth0" "$out"
run_pct exec 9141 -- ip -6 route
assert_contains "9141 IPv6 default route" "default via fd00:250::1 dev eth0" "$out"
run_pct exec 9141 -- ip -o link show lo
is_up "$out" || fail "9141 lo not up: $out"
checks=$((checks + 1))
# Without host-managed the runtime leaves the interface to the guest: down, no address.
run_pct exec 9141 -- ip -o link show eth1
assert_contains "9141 eth1 MAC" "link/ether bc:24:11:00:41:01" "$out"
assert_contains "9141 eth1 own MTU" "mtu 1300" "$out"
is_up "$out" && fail "9141 eth1 is up: $out"
checks=$((checks + 1))
run_pct exec 9141 -- ip -o -4 addr show dev eth1
assert_eq "9141 eth1 has no IPv4 address" "" "$out"
run_pct exec 9142 -- ip -o link show eth0
assert_contains "9142 eth0 MAC" "link/ether bc:24:11:00:42:00" "$out"
assert_contains "9142 eth0 own MTU" "mtu 1280" "$out"
run_pct exec 9142 -- ip -o -4 addr show dev eth0
assert_contains "9142 eth0 IPv4 address" "inet 10.250.0.3/24" "$out"

# Host ends: veth<id>i<N>, ports of the bridge with its MTU, MAC fe:..., up.
for port in veth9141i0 veth9141i1 veth9142i0; do
    line=$(link_line $port)
    assert_contains "$port is a port of $BR" "master $BR" "$line"
    assert_contains "$port has the bridge MTU" "mtu 1400" "$line"
    assert_contains "$port MAC starts with fe" "link/ether fe:" "$line"
    is_up "$line" || fail "$port not up: $line"
    checks=$((checks + 1))
done
# link_down=1: created, but down and on no bridge.
line=$(link_line veth9141i2)
assert_contains "veth9141i2 exists" "veth9141i2" "$line"
[[ "$line" != *master* ]] && ! is_up "$line" || fail "link_down port attached or up: $line"
checks=$((checks + 1))
assert_eq "bridge ports" "$(printf '%s\n' veth9141i0 veth9141i1 veth9142i0)" \
    "$(ip -n "$NS" -o link show master "$BR" | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)"
# Nothing of ours in the host's own namespace.
assert_eq "host interfaces unchanged" "$host_links_before" "$(ip -o link show | awk -F': ' '{print $2}' | sort)"
assert_eq "no test address on the host" "" "$(ip -o addr show | grep -F -e 10.250.0. -e fd00:250:)"

# Traffic: container -> bridge, namespace -> container, container -> container.
run_pct exec 9141 -- ping -c 1 -W 2 10.250.0.1
assert_eq "9141 pings the bridge ($out $err)" 0 "$rc"
run_pct exec 9142 -- ping -c 1 -W 2 10.250.0.1
assert_eq "9142 pings the bridge ($out $err)" 0 "$rc"
check "namespace pings 9141" in_ns /bin/busybox ping -c 1 -W 2 10.250.0.2 >/dev/null
check "namespace pings 9142" in_ns /bin/busybox ping -c 1 -W 2 10.250.0.3 >/dev/null
run_pct exec 9141 -- ping -c 1 -W 2 10.250.0.3
assert_eq "9141 pings 9142 over the bridge ($out $err)" 0 "$rc"
check "nothing answers on the down eth1's address" bash -c "! nsenter --net=/run/netns/$NS /bin/busybox ping -c 1 -W 1 10.250.0.12 >/dev/null"
# The interface counters (pct status --verbose) are read from the host ends.
run_pct_in_ns status 9141 --verbose
[[ "$out" =~ netin:\ ([0-9]+) && ${BASH_REMATCH[1]} -gt 0 ]] || fail "9141 netin after pings: $out"
checks=$((checks + 1))

# Stop, from the host's namespace: the host ends go (with the container's
# network namespace, and post-stop deletes any left in the monitor's).
run_pct stop 9141
assert_eq "9141 stop ($err)" 0 "$rc"
check "9141 host ends gone after stop" bash -c "! ip -n $NS link show veth9141i0 && ! ip -n $NS link show veth9141i1 && ! ip -n $NS link show veth9141i2" 2>/dev/null
check "9142 still attached" ip -n "$NS" link show veth9142i0 >/dev/null
run_pct stop 9142
assert_eq "9142 stop ($err)" 0 "$rc"
assert_eq "no veth left in the test namespace" "" "$(ns_leftovers)"
check "the bridge stays" ip -n "$NS" link show "$BR" >/dev/null
assert_clean "9141 after stop" 9141
assert_clean "9142 after stop" 9142

# Refused configurations; nothing is left behind.
conf_9141() {
    write_config 9141 <<EOT
arch: amd64
memory: 128
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
$1
EOT
}
conf_9141 "net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:41:00,mtu=1450"
run_pct_in_ns start 9141
assert_eq "MTU above the bridge's refused" 255 "$rc"
assert_contains "MTU above the bridge's message" "net0: MTU size '1450' is bigger than bridge MTU '1400'" "$err"
conf_9141 "net0: name=eth0,bridge=nosuchbr,hwaddr=BC:24:11:00:41:00"
run_pct_in_ns start 9141
assert_contains "missing bridge" "bridge 'nosuchbr' does not exist" "$err"
# A failure while making the second interface undoes the first one too:
# a tag on a bridge that is not VLAN-aware needs a physical port to make
# <bridge>v<tag> from; a rate needs the kernel's ingress policer.
conf_9141 "net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:41:00
net1: name=eth1,bridge=$BR,hwaddr=BC:24:11:00:41:01,tag=5"
run_pct_in_ns start 9141
assert_eq "tag without a physical port fails the start" 255 "$rc"
assert_contains "tag without a physical port message" "no physical interface on bridge '$BR'" "$err"
check "no ${BR}v5 made" bash -c "! ip -n $NS link show ${BR}v5" 2>/dev/null
assert_eq "no veth left after the tag failure" "" "$(ns_leftovers)"
conf_9141 "net0: name=eth0,bridge=$BR,hwaddr=BC:24:11:00:41:00
net1: name=eth1,bridge=$BR,hwaddr=BC:24:11:00:41:01,rate=1"
if in_ns bash -c 'ip link add pctprobe type veth peer name pctprobe1 && tc qdisc add dev pctprobe handle ffff: ingress &&
        tc filter add dev pctprobe parent ffff: prio 50 basic police rate 1mbit burst 1m mtu 64kb drop' 2>/dev/null; then
    in_ns ip link del pctprobe
    run_pct_in_ns start 9141
    assert_eq "start with rate ($err)" 0 "$rc"
    assert_contains "rate: HTB root qdisc" "qdisc htb 1: root" "$(ip -n "$NS" -o qdisc show dev veth9141i1)"
    assert_contains "rate: ingress policer" "police" "$(tc -n "$NS" filter show dev veth9141i1 parent ffff:)"
    run_pct stop 9141
else
    in_ns ip link del pctprobe 2>/dev/null
    echo "note: kernel without the ingress policer; checking the failed start's cleanup instead"
    run_pct_in_ns start 9141
    assert_eq "rate without kernel support fails the start" 255 "$rc"
    assert_contains "rate failure message" "cannot add the ingress policer to 'veth9141i1'" "$err"
fi
assert_eq "no veth left in the test namespace (refused starts)" "" "$(ns_leftovers)"
assert_clean "after refused starts" 9141

finish
