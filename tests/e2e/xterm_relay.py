#!/usr/bin/python3
"""xterm_relay.py FIFO STATUS -- PROGRAM ARGS...

Runs PROGRAM in a pseudo-terminal of this terminal's size (cells and
pixels), copies its output here, and copies to it both what this terminal
sends (its replies to PROGRAM's queries: DA1, XTVERSION, ...) and the
bytes written to FIFO as keys, so a test can type into a program inside
an X terminal without an X input tool. Writes PROGRAM's exit status to
STATUS. Standard library only."""
import fcntl
import os
import pty
import select
import sys
import termios
import tty

fifo, status = sys.argv[1], sys.argv[2]
argv = sys.argv[4:]
ws = fcntl.ioctl(1, termios.TIOCGWINSZ, b"\0" * 8)
pid, fd = pty.fork()
if pid == 0:
    # The size first: PROGRAM asks for it (and the pixels) at once.
    fcntl.ioctl(0, termios.TIOCSWINSZ, ws)
    os.execvp(argv[0], argv)
# This terminal raw: its replies must pass at once, unechoed.
tty.setraw(0)
keys = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
while True:
    r, _, _ = select.select([fd, keys, 0], [], [], 1.0)
    if 0 in r:
        d = os.read(0, 4096)
        if d:
            os.write(fd, d)
    if fd in r:
        try:
            d = os.read(fd, 65536)
        except OSError:
            break
        if not d:
            break
        os.write(1, d)
    if keys in r:
        os.write(fd, os.read(keys, 1024))
_, st = os.waitpid(pid, 0)
with open(status, "w") as f:
    f.write("%d\n" % os.waitstatus_to_exitcode(st))
