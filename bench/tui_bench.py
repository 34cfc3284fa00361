#!/usr/bin/env python3
"""The checklist, timed from outside through a pseudo-terminal of 80x24, as a
remote console would see it: time from exec to the first complete frame (the
footer is drawn last), the bytes of that frame, of one selection move and of 5
idle seconds, the keys from launch to a fixed classic-789 profile, and the
process's peak resident memory. Usage: tui_bench.py L2TPFIX RUNS"""
import fcntl
import os
import pty
import resource
import select
import signal
import statistics
import struct
import sys
import termios
import time

BIN, RUNS = sys.argv[1], int(sys.argv[2])
FOOTER = b" quit"  # the footer's last word: the key before it is coloured on its own


def spawn(args, env_extra=None):
    pid, fd = pty.fork()
    if pid == 0:
        # the size before exec, as a terminal that is already open has it
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", NO_COLOR="")
        env.pop("NO_COLOR")
        env.update(env_extra or {})
        os.execve(BIN, [BIN] + args, env)
    return pid, fd


def read_until(fd, needle, timeout, start=None):
    """Reads until needle has been seen and the output pauses for 30 ms; returns
    (bytes, seconds from start to needle); start defaults to now."""
    start = time.monotonic() if start is None else start
    got, seen_at = b"", None
    while time.monotonic() - start < timeout:
        wait = 0.03 if seen_at is not None else timeout
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            if seen_at is not None:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        got += chunk
        if seen_at is None and needle in got:
            seen_at = time.monotonic() - start
    return got, seen_at


def drain(fd, seconds):
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if r:
            try:
                n += len(os.read(fd, 65536))
            except OSError:
                break
    return n


def finish(pid, fd):
    os.write(fd, b"q")
    try:
        drain(fd, 0.3)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


first_ms, first_bytes = [], []
for _ in range(RUNS):
    t0 = time.monotonic()
    pid, fd = spawn(["--demo"])
    out, at = read_until(fd, FOOTER, 5, start=t0)
    if at is None:
        sys.exit("tui bench: no frame within 5 s")
    first_ms.append(at * 1000)
    first_bytes.append(len(out))
    finish(pid, fd)

# one selection move and 5 idle seconds, after the diagnosis has settled
pid, fd = spawn(["--demo"])
read_until(fd, b"fixes recommended", 5)
drain(fd, 0.5)
os.write(fd, b"\x1b[B")  # Down
move = drain(fd, 0.5)
idle = drain(fd, 5.0)
finish(pid, fd)

# keys from launch to a fixed classic-789: a (fix all), y (confirm)
pid, fd = spawn(["--demo"])
read_until(fd, b"fixes recommended", 5)
keys = 0
for k in (b"a", b"y"):
    os.write(fd, k)
    keys += 1
    if k == b"a":
        read_until(fd, b"Apply 2 fixes?", 5)
out, fixed = read_until(fd, b"Applied mschapv2, lcp-extensions", 5)
finish(pid, fd)
if fixed is None:
    sys.exit("tui bench: a, y did not fix classic-789")
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def row(name, values, unit):
    print("%-52s %8.1f %8.1f %8.1f  %s" % (name, statistics.median(values), min(values), max(values), unit))


row("TUI: exec to the first complete frame (80x24)", first_ms, "ms")
row("TUI: bytes of the first frame", first_bytes, "bytes")
print("%-52s %8d %8s %8s  bytes" % ("TUI: one selection move", move, "", ""))
print("%-52s %8d %8s %8s  bytes" % ("TUI: 5 idle seconds", idle, "", ""))
print("%-52s %8d %8s %8s  keys (a, y)" % ("keys from launch to a fixed classic-789", keys, "", ""))
print("%-52s %8d %8s %8s  KiB" % ("TUI: peak resident memory (largest run)", rss_kb, "", ""))
