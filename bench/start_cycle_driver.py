#!/usr/bin/env python3
"""Timing loop of bench/start_cycle.sh (run by it, as root).

One cycle = from spawning the command until every process it started has
exited. This process is a child subreaper, so pct's detached monitor (and the
pct-post-stop it execs) is reparented here and waited for: a pct cycle ends
after post-stop has unmounted, removed the cgroups and run/pct/<id>/, and
after the kernel has torn down the monitor's mount namespace. No polling.
The kinds take turns within each round (rotating who goes first), so that a
change of machine load hits all of them alike; medians are reported.

usage: start_cycle_driver.py ITERATIONS RUN_DIR NAME=COMMAND... (COMMAND
split on spaces; "{i}" is replaced by a unique number).
"""
import ctypes
import os
import statistics
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def cycle(argv):
    start = time.perf_counter_ns()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failed = process.wait() != 0
    while True:  # the descendants that outlived it (pct: monitor, then post-stop)
        try:
            _, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        failed = failed or status != 0
    elapsed = time.perf_counter_ns() - start
    if failed:
        sys.exit(f"failed: {' '.join(argv)} (run it by hand to see why)")
    return elapsed


def main():
    iterations, run_dir = int(sys.argv[1]), sys.argv[2]
    kinds = [arg.split("=", 1) for arg in sys.argv[3:]]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("cannot become a child subreaper")
    counter = 0

    def run(command):
        nonlocal counter
        counter += 1
        elapsed = cycle(command.replace("{i}", str(counter)).split())
        if os.path.exists(run_dir):
            sys.exit(f"{run_dir} still exists after the cycle: cleanup incomplete")
        return elapsed

    for _, command in kinds:  # warm-up: page cache, seccomp cache
        run(command)
    times = {name: [] for name, _ in kinds}
    for round_ in range(iterations):
        order = kinds[round_ % len(kinds):] + kinds[:round_ % len(kinds)]
        for name, command in order:
            times[name].append(run(command))
    medians = {}
    for name, _ in kinds:
        values = sorted(times[name])
        medians[name] = statistics.median(values)
        print(f"{name:5} median {medians[name] / 1e6:6.2f} ms   min {values[0] / 1e6:6.2f} ms   "
              f"max {values[-1] / 1e6:6.2f} ms   ({iterations} cycles)")
    if "pct" in medians and "crun" in medians:
        print(f"pct / crun = {medians['pct'] / medians['crun']:.2f} (medians)")


main()
