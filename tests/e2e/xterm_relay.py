#!/usr/bin/python3
"""xterm_relay.py FIFO STATUS -- PROGRAM ARGS...

Runs PROGRAM in a pseudo-terminal of this terminal's size (cells and
pixels), copies its output here and the bytes written to FIFO to it as
keys, so a test can type into a program inside an X terminal without an
X input tool. Writes PROGRAM's exit status to STATUS. Standard library
only."""
import fcntl
import os
import pty
import select
import sys
import termios

fifo, status = sys.argv[1], sys.argv[2]
argv = sys.argv[4:]
ws = fcntl.ioctl(1, termios.TIOCGWINSZ, b"\0" * 8)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, ws)
keys = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
while True:
    r, _, _ = select.select([fd, keys], [], [], 1.0)
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
