#!/usr/bin/env bash
# pct exec, enter, console, push and pull (cli.md §3.11-3.14) against real
# containers, privileged and unprivileged: stdio and exit status pass
# through, attached processes get the container's confinement, the console
# reaches the guest's shells and detaches with Ctrl+a q, files land inside
# the container (symlinks resolved there) with the requested owner and mode.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/container_lib.sh"
PTY_DRIVE="python3 $(dirname "$0")/pty_drive.py"
cleanup_hooks+=("container_cleanup 9131 9132")

# Shells on tty1 and on the console, for pct console; users that exist only
# in the container, for the name lookups of push.
make_guest() {  # make_guest DIR UID
    make_busybox_rootfs "$1"
    cat >>"$1/etc/inittab" <<'EOT'
tty1::respawn:/bin/sh
console::respawn:/bin/sh
EOT
    echo "ctuser:x:1234:1234::/:/bin/sh" >>"$1/etc/passwd"
    echo "ctgroup:x:4321:" >>"$1/etc/group"
    # The same absolute path as the host's decoy: an escape must not reach the host one.
    mkdir -p "$1/$PCT_ROOT/decoy"
    ln -s "$PCT_ROOT/decoy" "$1/mnt/abs"
    ln -s "../../../../../../../..$PCT_ROOT/decoy" "$1/mnt/rel"
    [ "$2" = 0 ] || chown -R -h "$2:$2" "$1"
}
make_guest "$PCT_ROOT/rootfs-priv" 0
make_guest "$PCT_ROOT/rootfs-unpriv" 100000
mkdir -p "$PCT_ROOT/decoy"
write_config 9131 <<EOT
arch: amd64
hostname: attach-priv
memory: 256
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-priv
EOT
write_config 9132 <<EOT
arch: amd64
hostname: attach-unpriv
memory: 256
ostype: unmanaged
rootfs: $PCT_ROOT/rootfs-unpriv
unprivileged: 1
EOT
declare -A rootfs=([9131]=$PCT_ROOT/rootfs-priv [9132]=$PCT_ROOT/rootfs-unpriv)
declare -A hostname=([9131]=attach-priv [9132]=attach-unpriv)
declare -A host_root=([9131]=0 [9132]=100000)  # host uid of the container's root

# Commands refused while the container is stopped.
echo data >"$PCT_ROOT/file"
run_pct exec 9131 -- /bin/true
assert_contains "exec when stopped" "container '9131' not running!" "$err"
run_pct enter 9131
assert_contains "enter when stopped" "container '9131' not running!" "$err"
run_pct console 9131
assert_contains "console when stopped" "container '9131' not running!" "$err"
run_pct push 9131 "$PCT_ROOT/file" /root/file
assert_contains "push when stopped" "can only push files to a running CT" "$err"
run_pct pull 9131 /etc/passwd "$PCT_ROOT/pulled"
assert_contains "pull when stopped" "can only pull files from a running VM" "$err"
[ ! -e "$PCT_ROOT/pulled" ] || fail "pull when stopped created the destination"
checks=$((checks + 1))

for id in 9131 9132; do
    run_pct start $id
    assert_eq "$id start ($err)" 0 "$rc"
    init=$(cat "$PCT_ROOT/run/pct/$id/init.pid")

    # --- exec: stdio, exit status, arguments verbatim
    out=$(echo piped-in | "$PCT" exec $id -- /bin/sh -c 'read line; echo "out:$line"; echo err:$(hostname) >&2; exit 7' 2>"$PCT_ROOT/err")
    rc=$?
    assert_eq "$id exec stdout (stdin passed through)" "out:piped-in" "$out"
    assert_eq "$id exec stderr" "err:${hostname[$id]}" "$(cat "$PCT_ROOT/err")"
    assert_eq "$id exec exit status" 7 "$rc"
    run_pct exec $id -- /bin/echo --keep-env 0 "two  spaces" --
    assert_eq "$id exec arguments after -- verbatim" "--keep-env 0 two  spaces --" "$out"
    run_pct exec $id -- no-such-command
    assert_eq "$id exec of a missing program" 127 "$rc"
    assert_contains "$id exec of a missing program message" "no-such-command" "$err"
    run_pct exec $id --
    assert_eq "$id exec without command exit" 255 "$rc"
    assert_eq "$id exec without command" "missing command" "$err"
    run_pct exec $id
    assert_eq "$id exec without -- nor command" "missing command" "$err"

    # --- exec: the container's confinement, seen from the host
    "$PCT" exec $id -- sleep 4711 </dev/null &
    exec_pid=$!
    # Found among the processes of init's PID namespace, so it joined that
    # one; it dies with the container if a check below fails.
    find_sleeper() { sleeper=$(pgrep --ns "$init" --nslist pid -f "^sleep 4711$"); [ -n "$sleeper" ]; }
    check "$id exec'd sleep in init's pid namespace" wait_for 5 find_sleeper
    for ns in mnt net uts ipc cgroup user; do
        assert_eq "$id exec in init's $ns namespace" "$(readlink /proc/$init/ns/$ns)" "$(readlink /proc/$sleeper/ns/$ns)"
    done
    assert_eq "$id exec in init's cgroups" "$(cat /proc/$init/cgroup)" "$(cat /proc/$sleeper/cgroup)"
    field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status"; }
    assert_eq "$id exec host uid" "${host_root[$id]}" "$(field Uid $sleeper)"
    assert_eq "$id exec host gid" "${host_root[$id]}" "$(field Gid $sleeper)"
    assert_eq "$id exec bounding set = init's" "$(field CapBnd $init)" "$(field CapBnd $sleeper)"
    assert_eq "$id exec seccomp filter" 2 "$(field Seccomp $sleeper)"
    assert_eq "$id init seccomp filter" 2 "$(field Seccomp $init)"
    # A signal ends the command: 128 + signal, as a shell reports it.
    kill -TERM "$sleeper"
    wait "$exec_pid"
    assert_eq "$id exec status of a killed command" 143 "$?"
    run_pct exec $id -- id -u
    assert_eq "$id exec uid inside" 0 "$out"
    run_pct exec $id -- /bin/sh -c 'grep -E "^(CapBnd|Seccomp):" /proc/self/status; grep -E "^(CapBnd|Seccomp):" /proc/1/status'
    assert_eq "$id exec status inside equals init's" "$(sed -n 3,4p <<<"$out")" "$(sed -n 1,2p <<<"$out")"

    # --- exec/enter environment
    out=$(PCT_TEST_VAR=kept SSL_CERT_FILE=/x SSL_CERT_DIR=/y "$PCT" exec $id -- env </dev/null)
    assert_contains "$id exec keeps the environment" "PCT_TEST_VAR=kept" "$out"
    assert_eq "$id exec drops SSL_CERT_FILE/DIR" "" "$(grep -E '^SSL_CERT_(FILE|DIR)=' <<<"$out")"
    out=$(PCT_TEST_VAR=kept "$PCT" exec $id --keep-env 0 -- env </dev/null)
    assert_eq "$id exec --keep-env 0 environment" \
        "$(printf '%s\n' HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=linux container=lxc)" \
        "$(grep -v '^container_ttys=' <<<"$out" | sort)"
    assert_contains "$id exec --keep-env 0 has container_ttys" "container_ttys=pts/" "$out"

    # --- enter: a login shell reading the pipe
    out=$(echo 'hostname; echo "$PCT_TEST_VAR"; exit 3' | PCT_TEST_VAR=kept "$PCT" enter $id 2>"$PCT_ROOT/err")
    rc=$?
    assert_eq "$id enter output" "${hostname[$id]}"$'\n'"kept" "$out"
    assert_eq "$id enter exit status ($(cat "$PCT_ROOT/err"))" 3 "$rc"
    out=$(echo 'echo "[$PCT_TEST_VAR]"; id -u' | PCT_TEST_VAR=kept "$PCT" enter $id --keep-env 0 2>&1)
    assert_eq "$id enter --keep-env 0" "[]"$'\n'"0" "$out"
    # enter on a terminal: a new pty of the container's devpts, owned by its root.
    out=$(PTY_TIMEOUT=10 $PTY_DRIVE expect='# ' send='stat -c "tty=%n owner=%u" $(tty); echo in$((40+2))side; exit 4\n' \
        expect=in42side -- "$PCT" enter $id)
    rc=$?
    assert_eq "$id enter on a terminal exit status" 4 "$rc"
    [[ "$out" =~ tty=/dev/pts/[0-9]+\ owner=0 ]] || fail "$id enter: no container pty: $out"
    checks=$((checks + 1))

    # --- console (cmode tty, default): the shell on tty1
    # (the newline makes the shell print a prompt: then it is surely reading)
    out=$(PTY_TIMEOUT=10 $PTY_DRIVE expect='Connected to tty 1' send='\n' expect='# ' \
        send='echo con$((6*7))sole >/tmp/console-mark; cat /tmp/console-mark\n' expect=con42sole send='\x01q' -- "$PCT" console $id)
    rc=$?
    assert_eq "$id console detaches with Ctrl+a q ($out)" 0 "$rc"
    assert_contains "$id console banner" "Type <Ctrl+a q> to exit the console" "$out"
    run_pct exec $id -- cat /tmp/console-mark
    assert_eq "$id console input reached the tty1 shell" "con42sole" "$out"
    # While tty1 is held, the next console gets tty2; when the holder is
    # killed (pty_drive's timeout), tty1 is free again.
    PTY_TIMEOUT=4 $PTY_DRIVE expect='Connected to tty 1' send='touch /tmp/tty1-held\n' expect=never-printed \
        -- "$PCT" console $id >/dev/null 2>&1 &
    holder=$!
    check "$id first console attached" wait_for 5 test -e "${rootfs[$id]}/tmp/tty1-held"
    out=$(PTY_TIMEOUT=10 $PTY_DRIVE expect='Connected to tty 2' send='\x01q' -- "$PCT" console $id)
    assert_eq "$id second console gets tty2 ($out)" 0 "$?"
    wait "$holder"
    assert_eq "$id holder was attached until killed" 124 "$?"
    # tty1 free again; another escape prefix.
    out=$(PTY_TIMEOUT=10 $PTY_DRIVE expect='Connected to tty 1' send='echo again$((1+1))\n' expect=again2 \
        send='\x05q' -- "$PCT" console $id --escape ^e)
    assert_eq "$id console --escape ^e detaches with Ctrl+e q ($out)" 0 "$?"
    run_pct console $id --escape '^1'
    assert_contains "$id console invalid escape" "escape: value does not match the regex pattern" "$err"

    # --- console with cmode console: the shell on /dev/console
    sed -i '/^cmode:/d' "$CONF_DIR/$id.conf"
    echo "cmode: console" >>"$CONF_DIR/$id.conf"
    out=$(PTY_TIMEOUT=10 $PTY_DRIVE expect='Connected to the console' send='\n' expect='# ' \
        send='echo on-$((5*5))-console\n' expect=on-25-console send='\x01q' -- "$PCT" console $id)
    assert_eq "$id cmode console detaches ($out)" 0 "$?"
    # --- cmode shell: a fresh shell with a clean environment, no escape
    sed -i '/^cmode:/d' "$CONF_DIR/$id.conf"
    echo "cmode: shell" >>"$CONF_DIR/$id.conf"
    out=$(PCT_TEST_VAR=kept PTY_TIMEOUT=10 $PTY_DRIVE expect='# ' \
        send='echo "[$PCT_TEST_VAR]$(hostname)"; exit 5\n' expect="[]${hostname[$id]}" -- "$PCT" console $id)
    assert_eq "$id cmode shell exit status ($out)" 5 "$?"
    sed -i '/^cmode:/d' "$CONF_DIR/$id.conf"

    # --- push: owner and mode, names resolved inside the container
    printf 'line1\nline2\n' >"$PCT_ROOT/file"
    run_pct push $id "$PCT_ROOT/file" /root/pushed --user ctuser --group ctgroup --perms 0640
    assert_eq "$id push ($err)" 0 "$rc"
    run_pct exec $id -- stat -c '%u:%g %a' /root/pushed
    assert_eq "$id pushed file owner/mode inside" "1234:4321 640" "$out"
    assert_eq "$id pushed file owner/mode on the host" \
        "$((host_root[$id] + 1234)):$((host_root[$id] + 4321)) 640" "$(stat -c '%u:%g %a' "${rootfs[$id]}/root/pushed")"
    assert_eq "$id pushed content" "$(cat "$PCT_ROOT/file")" "$(cat "${rootfs[$id]}/root/pushed")"
    # An existing file is truncated; perms without a leading 0 are octal, 0x is hex; numeric ids.
    echo short >"$PCT_ROOT/file2"
    run_pct push $id "$PCT_ROOT/file2" /root/pushed --perms 600 --user 7
    run_pct exec $id -- /bin/sh -c 'stat -c "%u:%g %a" /root/pushed; cat /root/pushed'
    assert_eq "$id push over an existing file" "7:4321 600"$'\n'"short" "$out"
    run_pct push $id "$PCT_ROOT/file" /root/hex --perms 0x1ed
    run_pct exec $id -- stat -c '%u:%g %a' /root/hex
    assert_eq "$id push hex perms, default owner" "0:0 755" "$out"
    # Errors.
    run_pct push $id "$PCT_ROOT/file" /root/bad --perms xyz
    assert_eq "$id push invalid perms exit" 255 "$rc"
    assert_contains "$id push invalid perms" "invalid mode: 'xyz'" "$err"
    run_pct push $id "$PCT_ROOT/file" /root/bad --perms 0999
    assert_contains "$id push invalid octal perms" "invalid mode: '0999'" "$err"
    run_pct push $id "$PCT_ROOT/file" /root/bad --user nosuchuser
    assert_contains "$id push unknown user" "failed to get uid for: nosuchuser" "$err"
    run_pct push $id "$PCT_ROOT/file" /root/bad --group nosuchgroup
    assert_contains "$id push unknown group" "failed to get gid for: nosuchgroup" "$err"
    run_pct push $id "$PCT_ROOT/missing" /root/bad
    assert_contains "$id push of a missing host file" "failed to open $PCT_ROOT/missing" "$err"
    run_pct push $id "$PCT_ROOT/file" /no/such/dir/file
    assert_contains "$id push into a missing directory" "failed to open /no/such/dir/file for writing" "$err"
    # Guest symlinks to a host path resolve inside the container.
    for link in abs rel; do
        run_pct push $id "$PCT_ROOT/file" /mnt/$link/via-$link
        assert_eq "$id push through /mnt/$link ($err)" 0 "$rc"
        assert_eq "$id push through /mnt/$link lands in the container" "$(cat "$PCT_ROOT/file")" \
            "$(cat "${rootfs[$id]}/$PCT_ROOT/decoy/via-$link" 2>&1)"
    done
    assert_eq "$id host decoy stays empty" "" "$(ls -A "$PCT_ROOT/decoy")"

    # --- pull: back to the host, owner resolved on the host
    run_pct pull $id /root/hex "$PCT_ROOT/pulled-$id" --perms 0604 --user nobody
    assert_eq "$id pull ($err)" 0 "$rc"
    check "$id pulled content" cmp -s "$PCT_ROOT/file" "$PCT_ROOT/pulled-$id"
    assert_eq "$id pulled owner/mode" "$(id -u nobody) 604" "$(stat -c '%u %a' "$PCT_ROOT/pulled-$id")"
    run_pct pull $id /mnt/abs/via-abs "$PCT_ROOT/pulled-link-$id"
    check "$id pull through a guest symlink" cmp -s "$PCT_ROOT/file" "$PCT_ROOT/pulled-link-$id"
    echo host-secret >"$PCT_ROOT/decoy-secret"
    ln -sf "$PCT_ROOT/decoy-secret" "${rootfs[$id]}/root/secret-link"
    run_pct pull $id /root/secret-link "$PCT_ROOT/pulled-secret-$id"
    [ "$rc" -ne 0 ] || fail "$id pull through a symlink to a host file succeeded"
    [ "$(cat "$PCT_ROOT/pulled-secret-$id" 2>/dev/null)" != host-secret ] || fail "$id pull read a host file"
    checks=$((checks + 2))
    rm -f "$PCT_ROOT/decoy-secret"
    run_pct pull $id /root/missing "$PCT_ROOT/pulled-missing"
    assert_contains "$id pull of a missing file" "failed to open /root/missing for reading" "$err"
    run_pct pull $id /root/hex "$PCT_ROOT/pulled-bad" --user nosuchuser
    assert_contains "$id pull unknown host user" "failed to get uid for: nosuchuser" "$err"

    run_pct stop $id
    assert_eq "$id stop ($err)" 0 "$rc"
    assert_clean "$id after stop" $id
done

finish
