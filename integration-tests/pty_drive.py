#!/usr/bin/env python3
"""Runs a command on a new pseudo terminal and talks to it, for the tests of
interactive commands (pct console, pct enter).

usage: pty_drive.py STEP... -- COMMAND [ARG...]
  expect=TEXT   wait until TEXT appears in the output (after the previous match)
  send=TEXT     write TEXT; backslash escapes are decoded (\\n, \\r, \\x01)
Prints the whole transcript on stdout and exits with the command's exit
status (128 + signal when killed). When an expected text or the command's exit
does not come within PTY_TIMEOUT seconds (default 10), the command is killed,
the reason goes to stderr and the exit status is 124.
"""
import os
import pty
import select
import signal
import sys
import time


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    steps, command = sys.argv[1:split], sys.argv[split + 1:]
    timeout = float(os.environ.get("PTY_TIMEOUT", "10"))
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    transcript = bytearray()
    matched = 0  # expect searches after the end of the previous match
    eof = False

    def read_some(deadline):
        nonlocal eof
        remaining = deadline - time.monotonic()
        if eof or remaining <= 0:
            return False
        ready, _, _ = select.select([master], [], [], remaining)
        if not ready:
            return False
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: every slave descriptor is closed
            data = b""
        if not data:
            eof = True
            return False
        transcript.extend(data)
        return True

    def give_up(reason):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.write(transcript.decode(errors="replace"))
        sys.stderr.write("pty_drive: %s\n" % reason)
        sys.exit(124)

    for step in steps:
        kind, _, text = step.partition("=")
        data = text.encode().decode("unicode_escape").encode("latin-1")
        if kind == "expect":
            deadline = time.monotonic() + timeout
            while transcript.find(data, matched) < 0:
                if not read_some(deadline):
                    give_up("no %r within %gs" % (text, timeout))
            matched = transcript.find(data, matched) + len(data)
        elif kind == "send":
            os.write(master, data)
        else:
            sys.exit("unknown step " + step)

    deadline = time.monotonic() + timeout
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        if time.monotonic() >= deadline:
            give_up("the command did not exit within %gs" % timeout)
        if not read_some(time.monotonic() + 0.1) and eof:
            time.sleep(0.05)
    while read_some(time.monotonic() + 0.2):
        pass
    sys.stdout.write(transcript.decode(errors="replace"))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
