/* jpeg.c - JPEG file/buffer -> upright RGB pixels, via TurboJPEG.
 *
 * Owns: sniffing (magic bytes, never the name), the size caps, choosing a
 * DCT scaling factor for the pane, CMYK/YCCK -> RGB, the EXIF Orientation
 * tag (parsed here; TurboJPEG ignores it) and turning warnings such as
 * "Premature end of JPEG file" into rl_pixels.warning.
 *
 * Invariants: every cap is checked before the pixel buffer is allocated;
 * the marker and TIFF walkers never read outside data[0..n); one
 * TurboJPEG handle per call, so decoding is thread-safe. */
#include "relabel/render.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "relabel/err.h"
#include "relabel/file.h"
#include "relabel/util.h"

/* What the marker walk learns before decoding. */
struct jpeg_meta {
    int orientation;   /* EXIF 1..8, 1 when absent or invalid */
    int adobe;         /* an Adobe APP14 segment is present */
    int one_scan;      /* seen: a sequential frame whose first scan holds
                        * every component, so libjpeg needs no buffer of
                        * the whole image's coefficients */
};

/* Sets `err` to the system's text for `e`; strerror() is not
 * guaranteed thread-safe, strerror_r() (XSI form) is. */
static void
set_errno(rl_err *err, int e)
{
    char text[128];

    if (strerror_r(e, text, sizeof text) != 0)
        snprintf(text, sizeof text, "error %d", e);
    rl_err_set(err, RL_E_IO, "%s", text);
}

/* Big- or little-endian TIFF reads, bounds checked by the caller. */
static unsigned
get16(const unsigned char *p, int be)
{
    return be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static unsigned long
get32(const unsigned char *p, int be)
{
    return be ? (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16
                    | (unsigned long)p[2] << 8 | p[3]
              : (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16
                    | (unsigned long)p[1] << 8 | p[0];
}

/* Finds Orientation (tag 0x0112, SHORT) in IFD0 of the TIFF structure
 * t[0..n) that follows "Exif\0\0". Leaves *orientation alone if absent. */
static void
parse_exif(const unsigned char *t, size_t n, int *orientation)
{
    unsigned long ifd;
    unsigned count;
    int be;

    if (n < 8)
        return;
    if (t[0] == 'M' && t[1] == 'M')
        be = 1;
    else if (t[0] == 'I' && t[1] == 'I')
        be = 0;
    else
        return;
    if (get16(t + 2, be) != 42)
        return;
    ifd = get32(t + 4, be);
    if (ifd < 8 || ifd > n - 2)
        return;
    count = get16(t + ifd, be);
    for (unsigned i = 0; i < count; i++) {
        size_t e = ifd + 2 + (size_t)i * 12;
        unsigned v;

        if (e > n || n - e < 12)
            return;
        if (get16(t + e, be) != 0x0112)
            continue;
        /* type 3 = SHORT, count 1: the value sits in the first 2 bytes */
        if (get16(t + e + 2, be) != 3 || get32(t + e + 4, be) < 1)
            return;
        v = get16(t + e + 8, be);
        if (v >= 1 && v <= 8)
            *orientation = (int)v;
        return;
    }
}

/* Walks the marker segments from SOI up to SOS looking for APP1 Exif,
 * APP14 Adobe and whether the frame is decoded in one scan. Stops quietly
 * at anything malformed: the decoder will report it, metadata is
 * optional, and one_scan stays 0 (the cautious answer). */
static void
scan_markers(const unsigned char *d, size_t n, struct jpeg_meta *m)
{
    size_t i = 2;
    int nf = 0;         /* components of a sequential frame; 0: none yet,
                         * or progressive */

    m->orientation = 1;
    m->adobe = 0;
    m->one_scan = 0;
    while (i + 4 <= n) {
        unsigned marker, len;
        const unsigned char *seg;
        size_t seglen;

        if (d[i] != 0xFF)
            return;
        marker = d[i + 1];
        if (marker == 0xFF) {           /* fill byte */
            i++;
            continue;
        }
        if (marker == 0xDA) {           /* SOS: Ns follows the length */
            m->one_scan = nf > 0 && i + 4 < n && d[i + 4] == nf;
            return;
        }
        if (marker == 0xD9)             /* EOI */
            return;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            i += 2;                     /* standalone markers */
            continue;
        }
        len = (unsigned)d[i + 2] << 8 | d[i + 3];
        if (len < 2 || len > n - i - 2)
            return;
        seg = d + i + 4;
        seglen = len - 2;
        if (marker == 0xE1 && seglen >= 6 && memcmp(seg, "Exif\0\0", 6) == 0)
            parse_exif(seg + 6, seglen - 6, &m->orientation);
        else if (marker == 0xEE && seglen >= 5 && memcmp(seg, "Adobe", 5) == 0)
            m->adobe = 1;
        else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4
                 && marker != 0xC8 && marker != 0xCC && seglen >= 6)
            nf = (marker & 3) == 2 ? 0 : seg[5];   /* SOFn; 2: progressive */
        i += 2 + len;
    }
}

/* 0 if data looks like a JPEG, else -1 with a message naming what it
 * seems to be instead. */
static int
sniff(const unsigned char *d, size_t n, rl_err *err)
{
    size_t text = 0, look = n < 64 ? n : 64;

    if (n == 0) {
        rl_err_set(err, RL_E_IMAGE, "empty file");
        return -1;
    }
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return 0;
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        rl_err_set(err, RL_E_IMAGE, "not a JPEG (PNG data)");
    else if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0
                        || memcmp(d, "GIF89a", 6) == 0))
        rl_err_set(err, RL_E_IMAGE, "not a JPEG (GIF data)");
    else if (n >= 12 && memcmp(d, "RIFF", 4) == 0
             && memcmp(d + 8, "WEBP", 4) == 0)
        rl_err_set(err, RL_E_IMAGE, "not a JPEG (WebP data)");
    else if (n >= 4 && (memcmp(d, "II*\0", 4) == 0
                        || memcmp(d, "MM\0*", 4) == 0))
        rl_err_set(err, RL_E_IMAGE, "not a JPEG (TIFF data)");
    else if (n >= 2 && d[0] == 0xFF && d[1] == 0xD8)
        rl_err_set(err, RL_E_IMAGE, "truncated JPEG header");
    else {
        for (size_t i = 0; i < look; i++)
            if ((d[i] >= 0x20 && d[i] < 0x7F) || d[i] == '\n'
                || d[i] == '\r' || d[i] == '\t')
                text++;
        if (text == look)
            rl_err_set(err, RL_E_IMAGE, "not a JPEG (text data)");
        else if (n == 1)
            rl_err_set(err, RL_E_IMAGE, "not a JPEG (starts with 0x%02x)",
                       d[0]);
        else
            rl_err_set(err, RL_E_IMAGE,
                       "not a JPEG (starts with 0x%02x 0x%02x)", d[0], d[1]);
    }
    return -1;
}

/* Smallest scaling factor <= 1 whose output still covers the image
 * fitted into tw x th (already in stored, unrotated orientation). */
static tjscalingfactor
choose_scale(int w, int h, int tw, int th)
{
    tjscalingfactor best = { 1, 1 };
    tjscalingfactor *sf;
    int nsf = 0;
    long fit_w, fit_h;

    if (tw <= 0 || th <= 0)
        return best;
    /* the fitted box: the side that limits the fit reaches its target */
    if ((long)tw * h <= (long)th * w) {
        fit_w = tw;
        fit_h = ((long)tw * h + w - 1) / w;
    } else {
        fit_h = th;
        fit_w = ((long)th * w + h - 1) / h;
    }
    sf = tjGetScalingFactors(&nsf);
    if (sf == NULL)
        return best;
    for (int i = 0; i < nsf; i++) {
        int sw = TJSCALED(w, sf[i]), sh = TJSCALED(h, sf[i]);

        if (sf[i].num > sf[i].denom)
            continue;
        if (sw < fit_w || sh < fit_h)
            continue;
        /* smaller output wins */
        if ((long)sf[i].num * best.denom < (long)best.num * sf[i].denom)
            best = sf[i];
    }
    return best;
}

/* Converts w*h CMYK pixels to RGB in place (3 bytes written for every 4
 * read, so a forward walk never overtakes itself). Adobe files store the
 * inks inverted, 255 meaning none. */
static void
cmyk_to_rgb(unsigned char *buf, size_t npx, int inverted)
{
    for (size_t i = 0; i < npx; i++) {
        unsigned c = buf[i * 4], m = buf[i * 4 + 1], y = buf[i * 4 + 2];
        unsigned k = buf[i * 4 + 3];

        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        buf[i * 3] = (unsigned char)((c * k + 127) / 255);
        buf[i * 3 + 1] = (unsigned char)((m * k + 127) / 255);
        buf[i * 3 + 2] = (unsigned char)((y * k + 127) / 255);
    }
}

/* Returns src (w x h) turned upright for EXIF orientation `o` in a new
 * buffer; *ow, *oh receive the upright size. */
static unsigned char *
orient(const unsigned char *src, int w, int h, int o, int *ow, int *oh)
{
    int swap = o >= 5;
    int W = swap ? h : w, H = swap ? w : h;
    unsigned char *dst = rl_xmalloc((size_t)W * H * 3);

    for (int y = 0; y < H; y++) {
        unsigned char *row = dst + (size_t)y * W * 3;

        for (int x = 0; x < W; x++) {
            int sx, sy;
            const unsigned char *s;

            switch (o) {
            case 2: sx = w - 1 - x; sy = y; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sx = x; sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            case 8: sx = w - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
            s = src + ((size_t)sy * w + sx) * 3;
            row[x * 3] = s[0];
            row[x * 3 + 1] = s[1];
            row[x * 3 + 2] = s[2];
        }
    }
    *ow = W;
    *oh = H;
    return dst;
}

rl_pixels *
rl_pixels_decode(const unsigned char *data, size_t n, int max_w, int max_h,
                 rl_err *err)
{
    tjhandle tj = NULL;
    unsigned char *buf = NULL;
    rl_pixels *px = NULL;
    struct jpeg_meta meta;
    tjscalingfactor sf;
    int w = 0, h = 0, subsamp = 0, cs = 0, sw, sh, pf, cmyk;
    char warning[128] = "";

    if (sniff(data, n, err) != 0)
        goto out;
    if (n > RL_IMAGE_MAX_FILE) {
        rl_err_set(err, RL_E_IMAGE, "file too large");
        goto out;
    }
    tj = tjInitDecompress();
    if (tj == NULL) {
        rl_err_set(err, RL_E_IMAGE, "JPEG: %s", tjGetErrorStr2(NULL));
        goto out;
    }
    if (tjDecompressHeader3(tj, data, (unsigned long)n, &w, &h, &subsamp,
                            &cs) != 0) {
        rl_err_set(err, RL_E_IMAGE, "bad JPEG: %s", tjGetErrorStr2(tj));
        goto out;
    }
    /* a tables-only stream "succeeds" without a frame header */
    if (w <= 0 || h <= 0) {
        rl_err_set(err, RL_E_IMAGE, "bad JPEG: no image in the data");
        goto out;
    }
    if (w > RL_IMAGE_MAX_DIM || h > RL_IMAGE_MAX_DIM) {
        rl_err_set(err, RL_E_IMAGE, "image too large (%dx%d)", w, h);
        goto out;
    }
    scan_markers(data, n, &meta);
    /* Progressive and multi-scan files are decoded through a buffer of
     * every DCT coefficient at full size, whatever the scale: a file of a
     * few hundred bytes claiming 60000x60000 would ask for 10 GB. */
    if (!meta.one_scan && (long)w * h > RL_IMAGE_MAX_PIXELS) {
        rl_err_set(err, RL_E_IMAGE, "image too large (%dx%d)", w, h);
        goto out;
    }

    /* the pane is upright; the stored image may be on its side */
    if (meta.orientation >= 5)
        sf = choose_scale(w, h, max_h, max_w);
    else
        sf = choose_scale(w, h, max_w, max_h);
    sw = TJSCALED(w, sf);
    sh = TJSCALED(h, sf);
    if (sw <= 0 || sh <= 0 || (long)sw * sh > RL_IMAGE_MAX_PIXELS) {
        rl_err_set(err, RL_E_IMAGE, "image too large (%dx%d)", w, h);
        goto out;
    }

    cmyk = cs == TJCS_CMYK || cs == TJCS_YCCK;
    pf = cmyk ? TJPF_CMYK : TJPF_RGB;
    /* zeroed: on damaged data libjpeg may leave rows unwritten */
    buf = rl_xcalloc((size_t)sw * sh, (size_t)tjPixelSize[pf]);
    if (tjDecompress2(tj, data, (unsigned long)n, buf, sw, 0, sh, pf,
                      TJFLAG_FASTDCT | TJFLAG_LIMITSCANS) != 0) {
        const char *msg = tjGetErrorStr2(tj);

        if (tjGetErrorCode(tj) != TJERR_WARNING) {
            rl_err_set(err, RL_E_IMAGE, "bad JPEG: %s", msg);
            goto out;
        }
        /* libjpeg fills what it could not read with grey */
        if (strstr(msg, "Premature end") != NULL)
            snprintf(warning, sizeof warning, "truncated JPEG: shown partly");
        else
            snprintf(warning, sizeof warning, "damaged JPEG: %s", msg);
    }
    if (cmyk)
        cmyk_to_rgb(buf, (size_t)sw * sh, meta.adobe);

    px = rl_xcalloc(1, sizeof *px);
    px->src_w = meta.orientation >= 5 ? h : w;
    px->src_h = meta.orientation >= 5 ? w : h;
    if (meta.orientation != 1) {
        px->rgb = orient(buf, sw, sh, meta.orientation, &px->w, &px->h);
    } else {
        px->rgb = buf;
        buf = NULL;
        px->w = sw;
        px->h = sh;
    }
    memcpy(px->warning, warning, sizeof px->warning);
out:
    free(buf);
    if (tj != NULL)
        tjDestroy(tj);
    return px;
}

rl_pixels *
rl_pixels_load(const char *path, int max_w, int max_h, rl_err *err)
{
    unsigned char *data = NULL;
    rl_pixels *px = NULL;
    struct stat st;
    size_t len = 0, cap;
    int fd;

    /* A FIFO named x.JPEG must not block the worker: refused unopened. */
    fd = rl_file_open_regular(path, NULL, err);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0) {
        set_errno(err, errno);
        goto out;
    }
    if (st.st_size > RL_IMAGE_MAX_FILE) {
        rl_err_set(err, RL_E_IO, "file too large");
        goto out;
    }

    /* read what is there now; the file may be shrinking or growing */
    cap = (size_t)st.st_size + 1;
    data = rl_xmalloc(cap);
    for (;;) {
        ssize_t r = read(fd, data + len, cap - len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_errno(err, errno);
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == cap)
            break;              /* grew since fstat: decode what we have */
    }
    px = rl_pixels_decode(data, len, max_w, max_h, err);
out:
    free(data);
    close(fd);
    return px;
}

void
rl_pixels_free(rl_pixels *p)
{
    if (p == NULL)
        return;
    free(p->rgb);
    free(p);
}
