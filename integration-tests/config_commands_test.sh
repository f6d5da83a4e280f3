#!/usr/bin/env bash
# pct config / set / pending / list / status / unlock / destroy / help against
# a private PCT_ROOT.
source "$(dirname "$0")/lib.sh"

ROOTFS=$PCT_ROOT/rootfs-100
mkdir -p "$ROOTFS"
write_config 100 <<EOT
#web server: prod
arch: amd64
hostname: web
memory: 512
net0: name=eth0,bridge=vmbr0,ip=dhcp
onboot: yes
rootfs: $ROOTFS
swap: 256
lxc.apparmor.profile = unconfined
EOT

run_pct config 100
assert_eq "config" "arch: amd64
description: web server%3A prod
hostname: web
memory: 512
net0: name=eth0,bridge=vmbr0,ip=dhcp
onboot: 1
rootfs: $ROOTFS
swap: 256
lxc.apparmor.profile: unconfined" "$out"

run_pct set 100 --memory 1024 -cores 2 --swap=128 --onboot 0 --net1 name=eth1,bridge=vmbr0,ip=10.0.0.2/24
assert_eq "set exit" 0 "$rc"
run_pct config 100 --current
assert_contains "set memory" "memory: 1024" "$out"
assert_contains "set cores (single dash)" "cores: 2" "$out"
assert_contains "set swap (--opt=value)" "swap: 128" "$out"
assert_contains "set bool" "onboot: 0" "$out"
[[ "$out" =~ net1:\ name=eth1,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=10.0.0.2/24,type=veth ]] ||
    fail "net1 not canonical with generated MAC: $out"
checks=$((checks + 1))

run_pct set 100 --delete cores,swap
run_pct config 100
[[ "$out" != *"cores:"* && "$out" != *"swap:"* ]] || fail "delete left keys behind: $out"
checks=$((checks + 1))

# Digest: a wrong one is refused and changes nothing, the right one works.
before=$(sha256sum "$CONF_DIR/100.conf")
run_pct set 100 --memory 2048 --digest 0000000000000000000000000000000000000000
assert_eq "wrong digest exit" 255 "$rc"
assert_contains "wrong digest message" "detected modified configuration - file changed by other user? Try again." "$err"
assert_eq "wrong digest leaves config" "$before" "$(sha256sum "$CONF_DIR/100.conf")"
digest=$(sha1sum "$CONF_DIR/100.conf" | cut -d' ' -f1)
run_pct set 100 --memory 2048 --digest "$digest"
assert_eq "right digest exit" 0 "$rc"

run_pct config 100 --output-format json
assert_contains "json digest" "\"digest\":\"$(sha1sum "$CONF_DIR/100.conf" | cut -d' ' -f1)\"" "$out"
assert_contains "json typed integer" '"memory":2048' "$out"
assert_contains "json lxc" '"lxc":[["lxc.apparmor.profile","unconfined"]]' "$out"

run_pct set 100
assert_eq "no options exit" 255 "$rc"
assert_eq "no options message" "no options specified" "$err"

# Pending: a queued change shows cur/new until applied.
cat >>"$CONF_DIR/100.conf" <<EOT

[pve:pending]
delete: onboot
hostname: web2
EOT
run_pct pending 100
assert_contains "pending cur/new" "cur hostname: web
new hostname: web2" "$out"
assert_contains "pending del" "del onboot: 0" "$out"
run_pct config 100
assert_contains "config merges pending" "hostname: web2" "$out"
run_pct set 100 --revert hostname
run_pct pending 100
assert_contains "revert" "cur hostname: web" "$out"

# list: numeric order, fixed columns, trailing padding.
write_config 1000 <<<"hostname: big"
write_config 200 <<<"lock: backup"
run_pct list
assert_eq "list" "VMID       Status     Lock         Name                
100        stopped                 web                 
200        stopped    backup       CT200               
1000       stopped                 big                 " "$out"
run_pct li
assert_eq "unique prefix li = list" 0 "$rc"

run_pct status 100
assert_eq "status" "status: stopped" "$out"

# Locks.
run_pct unlock 100
assert_eq "unlock without lock" "no lock found trying to remove any lock" "$err"
run_pct set 200 --memory 1024
assert_eq "set on locked CT" "CT is locked (backup)" "$err"
run_pct unlock 200
assert_eq "unlock exit" 0 "$rc"
[[ "$(cat "$CONF_DIR/200.conf")" != *lock* ]] || fail "unlock kept the lock"
checks=$((checks + 1))

# Destroy refuses protected and locked containers, then removes the config.
run_pct set 1000 --protection 1
run_pct destroy 1000
assert_eq "destroy protected" "can't remove CT 1000 - protection mode enabled" "$err"
check "protected config kept" test -f "$CONF_DIR/1000.conf"
run_pct set 1000 --protection 0 --lock backup
run_pct destroy 1000
assert_eq "destroy locked" "CT is locked (backup)" "$err"
run_pct unlock 1000
run_pct destroy 1000
assert_eq "destroy exit" 0 "$rc"
check "destroyed config removed" test ! -e "$CONF_DIR/1000.conf"
run_pct destroy 1000
assert_eq "destroy missing exit" 255 "$rc"
assert_contains "destroy missing" "$CONF_DIR/1000.conf' does not exist" "$err"

# Other containers' volumes are never freed by destroy.
write_config 300 <<EOT
memory: 512
rootfs: $ROOTFS
unused0: local:100/vm-100-disk-1.raw
EOT
run_pct destroy 300
assert_eq "destroy with foreign volume exit" 0 "$rc"
assert_contains "foreign volume kept" "WARN: ignore deletion of 'local:100/vm-100-disk-1.raw', CT 300 isn't the owner!" "$err"
check "bind-mounted rootfs untouched" test -d "$ROOTFS"

# Command resolution and help.
run_pct
assert_eq "no command exit" 255 "$rc"
assert_contains "no command" "ERROR: no command specified" "$err"
run_pct s
assert_contains "ambiguous prefix" "ERROR: incomplete command 'pct s'" "$err"
run_pct foo
assert_contains "unknown command" "ERROR: unknown command 'pct foo'" "$err"
run_pct set 100 --nosuchoption 1
assert_eq "unknown option exit" 255 "$rc"
assert_contains "unknown option" "400 unable to parse option" "$err"
run_pct help set
assert_contains "help set" "USAGE: pct set <vmid> [OPTIONS]" "$out"
assert_contains "help lists options" "--memory" "$out"
run_pct set --help
assert_contains "--help" "USAGE: pct set <vmid> [OPTIONS]" "$out"

# start --dry-run: rootfs is a bind-mounted directory. The bridge vmbr0 does
# not exist on the test host, so the interfaces go first.
run_pct start 100 --dry-run
assert_eq "dry run with missing bridge exit" 255 "$rc"
assert_contains "dry run with missing bridge" "bridge 'vmbr0' does not exist" "$err"
run_pct set 100 --delete net0,net1
run_pct start 100 --dry-run
assert_eq "dry run exit" 0 "$rc"
assert_contains "dry run rootfs" "rootfs: bind-directory $ROOTFS on /" "$out"
run_pct start 100 --dry-run --output-format json
assert_contains "dry run json" '"key":"rootfs","kind":"bind-directory"' "$out"
run_pct start 100
assert_eq "real start not available" 255 "$rc"

finish
