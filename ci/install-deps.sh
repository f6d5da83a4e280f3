#!/usr/bin/env bash
# Installs every Debian package pct needs to build, test and run.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
    # toolchain
    build-essential cmake pkg-config clang libclang-rt-14-dev
    # libraries
    libboost-program-options-dev libboost-filesystem-dev
    libseccomp-dev libapparmor-dev libcap-dev libarchive-dev
    libmnl-dev nlohmann-json3-dev libssl-dev libcurl4-openssl-dev
    # tests and benchmarks
    googletest libgtest-dev libgmock-dev libbenchmark-dev
    # integration tests: pgrep, and python3 for pty_drive.py (console/enter on a terminal)
    procps python3
    # runtime tools: templates, storage, networking; ssh-keygen makes guest host keys
    busybox-static apparmor e2fsprogs btrfs-progs iproute2 util-linux rsync
    debootstrap zstd xz-utils openssh-client
    # the reference runtime and seccomp policy of bench/start_cycle.sh
    crun golang-github-containers-common
    # the reference of bench/boot_vs_nspawn.sh (systemd-nspawn)
    systemd-container
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
