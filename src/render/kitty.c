/* kitty.c - the kitty graphics payload: the picture as a PNG (f=100),
 * base64-encoded, for rl_pic_place to chunk.
 *
 * A photo deflated as raw RGB (o=z) shrinks little; PNG's per-row
 * prediction filters first turn smooth regions into small residuals, so
 * the same zlib gets about half the bytes. Each row takes the filter with
 * the smallest sum of absolute residuals (the PNG specification's
 * suggested heuristic). Lossless: the terminal shows exactly the resampled
 * pixels. The PNG is written here with zlib's deflate and crc32, no
 * libpng. */
#include "relabel/picture.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "relabel/err.h"
#include "relabel/util.h"

#define LEVEL 6             /* zlib level: 9 saves ~2% for twice the time */

static void
be32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One chunk: length, type, data, CRC of type + data. */
static void
chunk(rl_buf *png, const char *type, const unsigned char *d, size_t n)
{
    unsigned char h[8], c[4];
    uLong crc;

    be32(h, (unsigned long)n);
    memcpy(h + 4, type, 4);
    crc = crc32(0L, h + 4, 4);
    if (n > 0)
        crc = crc32(crc, d, (uInt)n);
    be32(c, crc);
    rl_buf_add(png, h, 8);
    if (n > 0)
        rl_buf_add(png, d, n);
    rl_buf_add(png, c, 4);
}

static int
paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Filters row y into f (1 + w*3 bytes: filter type, then residuals). */
static void
filter_row(const rl_pixels *px, int y, unsigned char *f, unsigned char *try)
{
    size_t n = (size_t)px->w * 3, i;
    const unsigned char *cur = px->rgb + (size_t)y * n;
    const unsigned char *up = y > 0 ? cur - n : NULL;
    unsigned long best = (unsigned long)-1;
    int t;

    for (t = 0; t < 5; t++) {
        unsigned long sum = 0;

        for (i = 0; i < n; i++) {
            int a = i >= 3 ? cur[i - 3] : 0, b = up != NULL ? up[i] : 0;
            int c = i >= 3 && up != NULL ? up[i - 3] : 0, pred = 0;
            unsigned char r;

            switch (t) {
            case 1: pred = a; break;
            case 2: pred = b; break;
            case 3: pred = (a + b) / 2; break;
            case 4: pred = paeth(a, b, c); break;
            default: break;
            }
            r = (unsigned char)(cur[i] - pred);
            try[1 + i] = r;
            sum += r < 128 ? r : 256 - r;
        }
        if (sum < best) {
            best = sum;
            try[0] = (unsigned char)t;
            memcpy(f, try, n + 1);
        }
    }
}

int
rl_kitty_encode(const rl_pixels *px, rl_buf *out, rl_err *err)
{
    static const unsigned char sig[8] = { 137, 'P', 'N', 'G', 13, 10, 26,
                                          10 };
    size_t rowlen = (size_t)px->w * 3 + 1, rawlen = rowlen * px->h;
    unsigned char ihdr[13], *raw, *try, *z = NULL;
    uLongf zlen;
    rl_buf png = {0};
    int y, rc = -1;

    raw = rl_xmalloc(rawlen);
    try = rl_xmalloc(rowlen);
    for (y = 0; y < px->h; y++)
        filter_row(px, y, raw + (size_t)y * rowlen, try);
    zlen = compressBound((uLong)rawlen);
    z = rl_xmalloc(zlen);
    if (compress2(z, &zlen, raw, (uLong)rawlen, LEVEL) != Z_OK) {
        rl_err_set(err, RL_E_IMAGE, "kitty picture: zlib failed");
        goto out;
    }
    be32(ihdr, (unsigned long)px->w);
    be32(ihdr + 4, (unsigned long)px->h);
    ihdr[8] = 8;                    /* bits per channel */
    ihdr[9] = 2;                    /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    rl_buf_add(&png, sig, sizeof sig);
    chunk(&png, "IHDR", ihdr, sizeof ihdr);
    chunk(&png, "IDAT", z, zlen);
    chunk(&png, "IEND", NULL, 0);
    rl_base64_add(out, (const unsigned char *)png.data, png.len);
    rc = 0;
out:
    rl_buf_free(&png);
    free(z);
    free(try);
    free(raw);
    return rc;
}
