#!/usr/bin/python3
"""termplay.py - run a command on a pty that answers terminal queries the
way a given terminal does (standard library only).

  termplay.py ROLE [options] -- COMMAND [ARGS...]

ROLE is one of:
  kitty    kitty 0.26.5: graphics query OK, XTVERSION, XTGETTCAP RGB,
           pixel size in TIOCGWINSZ, DA1 "?62;c"; replies split in pieces
  xterm    xterm 379 started as `xterm -ti vt340` (recorded): sixel in
           DA1, XTVERSION, nothing else; pixel size in TIOCGWINSZ
  winsize  answers CSI 14 t with the window's pixel size, and DA1
  vt100    DA1 "?1;2c" only
  silent   answers nothing
  hostile  an XTVERSION full of escape sequences, then DA1

Options:
  --size COLSxROWS   the pty's size (default 100x30)
  --out FILE         every byte the command wrote, raw
  --keys TEXT        typed right after the queries arrive, before any reply
  --after TEXT       typed once the first frame (ESC [ ? 1049 h) is drawn
  --delay MS         answer only MS milliseconds after the queries (a slow
                     link: the replies arrive after relabel stopped waiting)
  --timeout S        give up after S seconds (default 10)

Prints "first_frame_ms=N" (from the end of the queries, DA1's ESC [ c, to
the first byte written after them; -1 if none) and "status=N" (the
command's exit status) on stdout. Answers every query it recognises, each
once per occurrence, in the order asked.
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

ESC = b"\033"
ST = ESC + b"\\"

ROLES = {
    "kitty": {
        "kitty": ESC + b"_Gi=%d;OK" + ST,
        "version": ESC + b"P>|kitty(0.26.5)" + ST,
        "tcap": ESC + b"P1+r524742=382F382F38" + ST,
        "cell": ESC + b"[6;20;10t",
        "window": ESC + b"[4;600;1000t",
        "da1": ESC + b"[?62;c",
        "pixels": (1000, 600),
        "split": True,
    },
    # recorded from Debian 12's xterm 379 -ti vt340 under Xvfb: only these
    # two replies; the pixel size is in TIOCGWINSZ (100x30 cells of 6x13)
    "xterm": {
        "version": ESC + b"P>|XTerm(379)" + ST,
        "da1": ESC + b"[?63;1;2;4;6;9;15;16;22;28c",
        "pixels": (604, 394),
    },
    # a terminal that answers CSI 14 t (and has no pixels in TIOCGWINSZ)
    "winsize": {
        "window": ESC + b"[4;600;1000t",
        "da1": ESC + b"[?62;c",
    },
    "vt100": {"da1": ESC + b"[?1;2c"},
    "silent": {},
    "hostile": {
        "version": ESC + b"P>|" + ESC + b"]0;pwned\007" + ESC
        + b"[2J\033[31mevil\xc2\x9b" + ST,
        "da1": ESC + b"[?1;2c",
    },
}

# query -> (role key, answer needs the kitty id)
QUERIES = [
    (re.compile(rb"\033_G(?:[^\033;]*,)?i=(\d+)[^\033]*\033\\"), "kitty"),
    (re.compile(rb"\033\[>0?q"), "version"),
    (re.compile(rb"\033P\+q[0-9A-Fa-f;]+\033\\"), "tcap"),
    (re.compile(rb"\033\[16t"), "cell"),
    (re.compile(rb"\033\[14t"), "window"),
    (re.compile(rb"\033\[0?c"), "da1"),
]
FRAME = b"\033[?1049h"


def main():
    argv = sys.argv[1:]
    if "--" not in argv or not argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    opts, cmd = argv[:cut], argv[cut + 1:]
    role = ROLES[opts.pop(0)]
    size, out, keys, after, limit = "100x30", None, b"", b"", 10.0
    delay = 0.0
    while opts:
        k, v = opts.pop(0), opts.pop(0)
        if k == "--size":
            size = v
        elif k == "--out":
            out = v
        elif k == "--keys":
            keys = v.encode()
        elif k == "--after":
            after = v.encode()
        elif k == "--delay":
            delay = float(v) / 1000
        elif k == "--timeout":
            limit = float(v)
        else:
            sys.exit("termplay: unknown option " + k)
    cols, rows = (int(x) for x in size.split("x"))
    px = role.get("pixels", (0, 0))

    pid, fd = pty.fork()
    if pid == 0:
        # the size before the command starts, so its first look sees it
        fcntl.ioctl(0, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, px[0], px[1]))
        os.execvp(cmd[0], cmd)

    data = b""
    scanned = 0         # bytes of data already matched for queries
    queries_end = None  # time DA1 was asked
    first_frame = None
    sent_after = False
    status = None
    start = time.monotonic()
    while time.monotonic() - start < limit:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            now = time.monotonic()
            if queries_end is not None and first_frame is None \
                    and len(data) >= scanned:
                first_frame = now - queries_end
            data += chunk
            answers = []
            while True:
                found = None
                for rx, name in QUERIES:
                    m = rx.search(data, scanned)
                    if m and (found is None or m.start() < found[0].start()):
                        found = (m, name)
                if found is None:
                    break
                m, name = found
                scanned = m.end()
                ans = role.get(name)
                if name == "kitty" and ans:
                    ans = ans % int(m.group(1))
                if ans:
                    answers.append(ans)
                if name == "da1":
                    queries_end = time.monotonic()
                    first_frame = None
            if answers or (queries_end and keys):
                if keys:
                    os.write(fd, keys)
                    keys = b""
                blob = b"".join(answers)
                if blob and delay:
                    time.sleep(delay)
                if role.get("split"):
                    for i in range(0, len(blob), 7):
                        os.write(fd, blob[i:i + 7])
                        time.sleep(0.002)
                elif blob:
                    os.write(fd, blob)
            if after and not sent_after and FRAME in data:
                time.sleep(0.2)
                os.write(fd, after)
                sent_after = True
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            drain = True
            while drain and select.select([fd], [], [], 0.05)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                drain = bool(chunk)
                if drain and queries_end is not None and first_frame is None:
                    first_frame = time.monotonic() - queries_end
                data += chunk
            break
    if status is None and time.monotonic() - start < limit:
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if status is None:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass
    if out:
        with open(out, "wb") as f:
            f.write(data)
    ms = -1 if first_frame is None else round(first_frame * 1000)
    print("first_frame_ms=%d" % ms)
    print("status=%s" % ("timeout" if status is None else status))


if __name__ == "__main__":
    main()
