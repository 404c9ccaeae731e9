#!/usr/bin/python3
"""pty_pixels.py - relabel in a pseudo-terminal drawing real pixels.

Usage: pty_pixels.py RELABEL DB MODE DEMO_DIR
MODE is kitty or sixel. Runs `relabel --db DB review` with no options in
a pseudo-terminal of 120x40 cells of 10x20 pixels that answers relabel's
start-up queries as that terminal would, reads every byte it writes, and
checks:
  - the first image's picture decodes (kitty: APC G chunks, base64, PNG;
    sixel: DCS palette + bands) to the source photo resized by ImageMagick
    (`convert -filter triangle`, an independent decoder and resampler) to the
    displayed size, within 38 dB (kitty) / 32 dB (sixel);
  - a cursor move and a mark send no picture bytes, nor do opening and
    closing the guide beside the image;
  - full screen, then `+`: the picture is the centre quarter of the photo
    at the full-screen size; `0` fits it again; `f` returns;
  - `n` sends the next image's picture, a different photo.
Standard library only (plus ImageMagick's convert for the reference).
Exit 0 pass, 1 fail (message on stderr), 77 skip.
"""
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import fcntl
import time
import zlib
import base64
import math

COLS, ROWS, CW, CH = 120, 40, 10, 20


def fail(msg):
    sys.stderr.write("pty_pixels: FAIL: %s\n" % msg)
    sys.exit(1)


class Term:
    """A terminal of the given kind: it answers relabel's start-up queries
    as kitty (its graphics query OK, DA1 without sixel) or as a sixel
    xterm (-ti vt340: DA1 with 4, no kitty answer) would, and reports its
    pixel size in TIOCGWINSZ, so relabel must detect the mode itself."""

    def __init__(self, argv, env, kind):
        pid, fd = pty.fork()
        if pid == 0:
            # The size first: relabel asks for it (and the pixels) at once.
            fcntl.ioctl(0, termios.TIOCSWINSZ,
                        struct.pack("HHHH", ROWS, COLS, COLS * CW, ROWS * CH))
            os.execve(argv[0], argv, env)
        self.pid, self.fd, self.kind = pid, fd, kind
        self.buf = b""
        self.seen = b""

    def answer(self, d):
        """Replies to the queries in what relabel just wrote."""
        self.seen = (self.seen + d)[-4096:]
        for m in re.finditer(rb"\x1b_Gi=(\d+)[^\x1b]*a=q[^\x1b]*\x1b\\",
                             self.seen):
            if self.kind == "kitty":
                os.write(self.fd, b"\x1b_Gi=" + m.group(1) + b";OK\x1b\\")
        if b"\x1b[>q" in self.seen or b"\x1b[>0q" in self.seen:
            name = b"kitty(0.26.5)" if self.kind == "kitty" else b"XTerm(379)"
            os.write(self.fd, b"\x1bP>|" + name + b"\x1b\\")
        if b"\x1b[c" in self.seen or b"\x1b[0c" in self.seen:
            os.write(self.fd, b"\x1b[?62;22c" if self.kind == "kitty"
                     else b"\x1b[?63;1;2;4;6;9;15;22c")
        # Each query is answered once.
        for q in (b"\x1b[>q", b"\x1b[>0q", b"\x1b[c", b"\x1b[0c"):
            self.seen = self.seen.replace(q, b"")
        self.seen = re.sub(rb"\x1b_Gi=\d+[^\x1b]*a=q[^\x1b]*\x1b\\", b"",
                           self.seen)

    def read_idle(self, idle=0.6, limit=20.0, until=None):
        """Bytes until nothing came for `idle` s (and `until` is in them)."""
        out = b""
        end = time.time() + limit
        while time.time() < end:
            r, _, _ = select.select([self.fd], [], [], idle)
            if not r:
                if until is None or until in out:
                    break
                continue
            try:
                d = os.read(self.fd, 65536)
            except OSError:
                break
            if not d:
                break
            self.answer(d)
            out += d
        return out

    def pictures(self, decode, text=b""):
        """Bytes until a whole picture has come and output went idle:
        (bytes, pictures). A loaded machine may take seconds."""
        out = b""
        end = time.time() + 30
        while time.time() < end:
            out += self.read_idle(0.5, 2)
            imgs = decode(out)
            if imgs and text in out:
                return out, imgs
        return out, decode(out)

    def send(self, s):
        os.write(self.fd, s.encode())

    def wait(self):
        end = time.time() + 10
        while time.time() < end:
            p, st = os.waitpid(self.pid, os.WNOHANG)
            if p:
                return os.waitstatus_to_exitcode(st)
            self.read_idle(0.1, 0.2)
        os.kill(self.pid, 9)
        fail("relabel did not exit")


def unfilter_png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("kitty payload is not a PNG")
    off, idat, w = 8, b"", 0
    while off < len(data):
        n, = struct.unpack(">I", data[off:off + 4])
        typ, body = data[off + 4:off + 8], data[off + 8:off + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                fail("PNG type %d/%d" % (depth, ctype))
            ch = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        off += 12 + n
    raw = zlib.decompress(idat)
    stride = w * ch
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        cur = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = cur[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            elif f == 4:
                pp = a + b - c
                pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
                p = a if pa <= pb and pa <= pc else b if pb <= pc else c
            else:
                p = 0
            cur[i] = (cur[i] + p) & 255
        prev = cur
        if ch == 3:
            out += cur
        else:
            for x in range(w):
                out += cur[x * 4:x * 4 + 3]
    return w, h, bytes(out)


def kitty_images(b):
    """Every image transmitted (a=T...m=0) in b: (w, h, rgb, row, col)."""
    imgs, cur, where = [], None, None
    for m in re.finditer(rb"(\x1b\[(\d+);(\d+)H)|\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\", b):
        if m.group(1):
            where = (int(m.group(2)), int(m.group(3)))
            continue
        keys = dict(kv.split(b"=", 1) for kv in m.group(4).split(b",") if b"=" in kv)
        if keys.get(b"a") == b"T":
            if keys.get(b"f") != b"100":
                fail("kitty image not PNG (f=%r)" % keys.get(b"f"))
            cur, pos = [], where
        if cur is None or m.group(5) is None:
            continue
        if len(m.group(5)) > 4096:
            fail("kitty chunk of %d bytes" % len(m.group(5)))
        cur.append(m.group(5))
        if keys.get(b"m", b"0") == b"0":
            w, h, rgb = unfilter_png(base64.b64decode(b"".join(cur)))
            imgs.append((w, h, rgb, pos))
            cur = None
    return imgs


def sixel_images(b):
    imgs, where = [], None
    for m in re.finditer(rb"(\x1b\[(\d+);(\d+)H)|\x1bP[0-9;]*q(.*?)\x1b\\", b, re.S):
        if m.group(1):
            where = (int(m.group(2)), int(m.group(3)))
            continue
        body = m.group(4)
        r = re.match(rb'"\d+;\d+;(\d+);(\d+)', body)
        if not r:
            fail("sixel without raster attributes")
        w, h = int(r.group(1)), int(r.group(2))
        img = bytearray(w * h * 3)
        pal, col, x, band = {}, 0, 0, 0
        toks = re.finditer(rb"#(\d+)(?:;(\d+);(\d+);(\d+);(\d+))?|!(\d+)([?-~])|([?-~])|(\$)|(-)",
                           body[r.end():])
        for t in toks:
            if t.group(1) is not None:
                col = int(t.group(1))
                if t.group(2) is not None:
                    if t.group(2) != b"2":
                        fail("sixel colour not RGB")
                    pal[col] = tuple((int(t.group(k)) * 255 + 50) // 100
                                     for k in (3, 4, 5))
                continue
            if t.group(9):
                x = 0
                continue
            if t.group(10):
                x, band = 0, band + 1
                continue
            n, c = (int(t.group(6)), t.group(7)) if t.group(6) else (1, t.group(8))
            bits = c[0] - 63
            rgb = bytes(pal.get(col, (0, 0, 0)))
            for k in range(6):
                y = band * 6 + k
                if bits >> k & 1 and y < h:
                    for xx in range(x, min(x + n, w)):
                        img[(y * w + xx) * 3:(y * w + xx) * 3 + 3] = rgb
            x += n
        imgs.append((w, h, bytes(img), where))
    return imgs


def reference(path, w, h, crop=None):
    args = ["convert", path, "-auto-orient"]
    if crop:
        args += ["-crop", crop, "+repage"]
    args += ["-filter", "triangle", "-resize", "%dx%d!" % (w, h), "-depth", "8",
             "rgb:-"]
    return subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout


def psnr(a, b):
    if len(a) != len(b):
        fail("sizes differ: %d vs %d bytes" % (len(a), len(b)))
    se = sum((x - y) * (x - y) for x, y in zip(a, b))
    return 99.0 if se == 0 else 10 * math.log10(255 * 255 / (se / len(a)))


def source_size(path):
    out = subprocess.run(["identify", "-format", "%w %h", path], check=True,
                         stdout=subprocess.PIPE).stdout.split()
    return int(out[0]), int(out[1])


def main():
    relabel, db, mode, demo = sys.argv[1:5]
    target = 38.0 if mode == "kitty" else 32.0
    decode = kitty_images if mode == "kitty" else sixel_images
    marker = b"\x1b_G" if mode == "kitty" else b"\x1bP"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "TERM": "xterm-256color",
           "LC_ALL": "C.UTF-8", "RELABEL_REVIEWER": "e2e"}
    for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "ASAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    # No options: relabel must find the mode and cell size by asking.
    t = Term([relabel, "--db", db, "review"], env, mode)
    first, imgs = t.pictures(decode, b"Candidates")
    m = re.search(rb"Image: (\S+\.JPEG)", first)
    if not m:
        fail("no review screen: %r" % first[-300:])
    name = m.group(1).decode()
    src = os.path.join(demo, name)
    if len(imgs) != 1:
        fail("%d pictures in the first frame, expected 1" % len(imgs))
    w, h, rgb, pos = imgs[0]
    sw, sh = source_size(src)
    # drawn at the pane's pixel size (48 cells x 10 px wide), aspect kept
    if w > 48 * CW or h > 38 * CH or abs(w / h - sw / sh) > 0.02:
        fail("picture %dx%d for a %dx%d photo in a 480x760 pane" % (w, h, sw, sh))
    db_ = psnr(reference(src, w, h), rgb)
    print("# %s: first picture %dx%d at %s, %.1f dB, %d bytes"
          % (mode, w, h, pos, db_, len(first)))
    if db_ < target:
        fail("%s picture %.1f dB against the photo (< %.0f)" % (mode, db_, target))

    # a cursor move and a mark: text only
    t.send("j")
    out = t.read_idle(0.4, 5)
    t.send("c")
    out += t.read_idle(0.4, 5, until=b"saved")
    if b"saved" not in out:
        fail("no 'saved' after a mark")
    if marker in out:
        fail("a cursor move or mark sent picture bytes")
    print("# %s: move + mark sent %d bytes, no picture" % (mode, len(out)))

    # the guide keeps the image beside it: opening and closing it does
    # not send that picture again (guide sketches may come and go)
    t.send("g")
    out = t.read_idle(0.6, 10, until=b"Esc back")
    t.send("\x1b")
    out += t.read_idle(0.6, 10)
    again = [im for im in decode(out) if im[3] == pos]
    if again:
        fail("opening and closing the guide resent the image")
    print("# %s: guide open + close: %d bytes, image not resent"
          % (mode, len(out)))

    # `?` covers the picture with text: it must go (kitty: deleted), and
    # come back when help closes
    t.send("?")
    out = t.read_idle(0.6, 10)
    if mode == "kitty" and b"\x1b_Ga=d,d=I,i=1,q=2\x1b\\" not in out:
        fail("help drawn over the kitty picture without deleting it")
    if decode(out):
        fail("a picture drawn over the help screen")
    t.send("x")
    out, back = t.pictures(decode)
    if len(back) != 1 or back[0][3] != pos:
        fail("the picture did not come back after help")

    # full screen, zoom 2x about the centre
    t.send("f")
    full, fi = t.pictures(decode)
    if len(fi) != 1:
        fail("%d pictures after f" % len(fi))
    fw, fh, frgb, _ = fi[0]
    if fw <= w:
        fail("full screen picture %dx%d not larger than the pane's" % (fw, fh))
    t.send("+")
    zi = t.pictures(decode)[1]
    if len(zi) != 1:
        fail("%d pictures after +" % len(zi))
    zw, zh, zrgb, _ = zi[0]
    crop = "%dx%d+%d+%d" % (sw // 2, sh // 2, sw // 4, sh // 4)
    zdb = psnr(reference(src, zw, zh, crop), zrgb)
    whole = psnr(reference(src, zw, zh), zrgb) if (zw, zh) == (fw, fh) else 0
    print("# %s: zoom 2x %dx%d: %.1f dB against the centre quarter, "
          "%.1f against the whole photo" % (mode, zw, zh, zdb, whole))
    if zdb < target - 4 or zdb < whole + 3:
        fail("zoom does not show the centre quarter (%.1f dB, whole %.1f)"
             % (zdb, whole))
    # two quarter-view pans right: the window's left edge at the middle
    t.send("l")
    if len(t.pictures(decode)[1]) != 1:
        fail("no picture after l (pan)")
    t.send("l")
    pi = t.pictures(decode)[1]
    if len(pi) != 1:
        fail("%d pictures after the second l (pan)" % len(pi))
    crop = "%dx%d+%d+%d" % (sw // 2, sh // 2, sw // 2, sh // 4)
    pdb = psnr(reference(src, pi[0][0], pi[0][1], crop), pi[0][2])
    print("# %s: panned right half a view: %.1f dB" % (mode, pdb))
    if pdb < target - 4:
        fail("pan does not show the right-hand window (%.1f dB)" % pdb)
    t.send("l")
    if marker in t.read_idle(0.4, 5):
        fail("a pan at the edge (no change) sent the picture again")
    t.send("0")
    oi = t.pictures(decode)[1]
    if len(oi) != 1 or (oi[0][0], oi[0][1]) != (fw, fh):
        fail("0 does not fit the whole image again")
    t.send("f")
    if len(t.pictures(decode)[1]) != 1:
        fail("f does not return to the review screen with its picture")

    # next image: a different picture
    t.send("n")
    ni = t.pictures(decode)[1]
    if len(ni) != 1:
        fail("%d pictures for the next image" % len(ni))
    # curses sends only what changed of "Image: NAME": find the photo
    nw, nh, nrgb, _ = ni[0]
    best = max((psnr(reference(os.path.join(demo, f), nw, nh), nrgb), f)
               for f in sorted(os.listdir(demo)) if f.endswith(".JPEG")
               and abs(nw / nh - (lambda s: s[0] / s[1])(
                   source_size(os.path.join(demo, f)))) < 0.02)
    print("# %s: next image is %s, %.1f dB" % (mode, best[1], best[0]))
    if best[1] == name or best[0] < target:
        fail("n did not draw another photo (%s, %.1f dB)" % (best[1], best[0]))
    t.send("q")
    bye = t.read_idle(0.3, 5)
    if mode == "kitty" and b"\x1b_Ga=d,d=A" not in bye:
        fail("kitty pictures not deleted at exit")
    rc = t.wait()
    if rc != 0:
        fail("exit status %d" % rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
