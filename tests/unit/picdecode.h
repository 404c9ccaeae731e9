/* picdecode.h - decoders for the terminal picture formats relabel writes,
 * written for the tests and the benchmark to turn bytes back into pixels:
 * kitty graphics (APC G chunks, base64, PNG RGB 8-bit via zlib inflate
 * and the five PNG filters), DEC sixel (palette in RGB percent, repeats,
 * bands) and PSNR between two RGB images. Only what relabel and chafa
 * emit is understood; anything else makes a decoder return NULL.
 * Header-only (static functions) so each program gets its own copy. */
#ifndef RL_PICDECODE_H
#define RL_PICDECODE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct pd_image {
    int w, h;
    unsigned char *rgb;    /* w*h*3, malloc'ed */
};

static void
pd_free(struct pd_image *im)
{
    if (im != NULL)
        free(im->rgb);
    free(im);
}

/* First occurrence of needle[0..k) in h[0..n), or NULL (memmem is GNU). */
static const char *
pd_find(const char *h, size_t n, const char *needle, size_t k)
{
    size_t i;

    for (i = 0; i + k <= n; i++)
        if (memcmp(h + i, needle, k) == 0)
            return h + i;
    return NULL;
}

static int
pd_b64val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes base64 s[0..n) into a malloc'ed buffer; *out_n its length. */
static unsigned char *
pd_unbase64(const char *s, size_t n, size_t *out_n)
{
    unsigned char *o = malloc(n / 4 * 3 + 3);
    size_t i, k = 0;
    unsigned v = 0;
    int bits = 0;

    for (i = 0; i < n; i++) {
        int d = pd_b64val((unsigned char)s[i]);

        if (s[i] == '=')
            break;
        if (d < 0) {
            free(o);
            return NULL;
        }
        v = v << 6 | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (unsigned char)(v >> bits);
        }
    }
    *out_n = k;
    return o;
}

static unsigned long
pd_be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16
           | (unsigned long)p[2] << 8 | p[3];
}

/* PNG, 8-bit RGB or RGBA, not interlaced, to RGB. */
static struct pd_image *
pd_png(const unsigned char *d, size_t n)
{
    unsigned char *idat = NULL, *raw = NULL;
    size_t ilen = 0, off = 8;
    int w = 0, h = 0, ch = 0, x, y, c;
    struct pd_image *im = NULL;
    uLongf rawlen;

    if (n < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)
        return NULL;
    while (off + 12 <= n) {
        unsigned long len = pd_be32(d + off);
        const unsigned char *type = d + off + 4, *body = d + off + 8;

        if (off + 12 + len > n)
            goto out;
        if (memcmp(type, "IHDR", 4) == 0) {
            w = (int)pd_be32(body);
            h = (int)pd_be32(body + 4);
            if (body[8] != 8 || (body[9] != 2 && body[9] != 6) || body[12])
                goto out;
            ch = body[9] == 2 ? 3 : 4;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            idat = realloc(idat, ilen + len);
            memcpy(idat + ilen, body, len);
            ilen += len;
        }
        off += 12 + len;
    }
    if (w <= 0 || h <= 0 || idat == NULL)
        goto out;
    rawlen = (uLongf)(w * ch + 1) * h;
    raw = malloc(rawlen);
    if (uncompress(raw, &rawlen, idat, (uLong)ilen) != Z_OK
        || rawlen != (uLongf)(w * ch + 1) * h)
        goto out;
    for (y = 0; y < h; y++) {
        unsigned char *r = raw + (size_t)y * (w * ch + 1), *cur = r + 1;
        unsigned char *up = y > 0 ? cur - (w * ch + 1) : NULL;

        for (x = 0; x < w * ch; x++) {
            int a = x >= ch ? cur[x - ch] : 0, b = up ? up[x] : 0;
            int cc = x >= ch && up ? up[x - ch] : 0, p, pa, pb, pc, pred;

            switch (r[0]) {
            case 0: pred = 0; break;
            case 1: pred = a; break;
            case 2: pred = b; break;
            case 3: pred = (a + b) / 2; break;
            case 4:
                p = a + b - cc;
                pa = abs(p - a);
                pb = abs(p - b);
                pc = abs(p - cc);
                pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : cc;
                break;
            default: goto out;
            }
            cur[x] = (unsigned char)(cur[x] + pred);
        }
    }
    im = calloc(1, sizeof *im);
    im->w = w;
    im->h = h;
    im->rgb = malloc((size_t)w * h * 3);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (c = 0; c < 3; c++)
                im->rgb[((size_t)y * w + x) * 3 + c] =
                    raw[(size_t)y * (w * ch + 1) + 1 + x * ch + c];
out:
    free(idat);
    free(raw);
    return im;
}

/* The first kitty image transmitted in bytes s[0..n): the payloads of
 * its APC G chunks joined (up to m=0), base64-decoded. f=100 (PNG) and
 * f=24/32 raw with o=z or not are understood (s=, v= give the size).
 * *chunks gets the number of APCs read, *max_chunk the longest payload. */
static struct pd_image *
pd_kitty(const char *s, size_t n, int *chunks, size_t *max_chunk)
{
    const char *p = s, *end = s + n;
    char *b64 = NULL;          /* the decoded bytes of every chunk */
    size_t blen = 0;
    int f = 32, o_z = 0, w = 0, h = 0, started = 0;
    struct pd_image *im = NULL;

    *chunks = 0;
    *max_chunk = 0;
    while (p < end) {
        const char *a = pd_find(p, (size_t)(end - p), "\033_G", 3), *semi, *st;
        int more = 0;

        if (a == NULL)
            break;
        st = pd_find(a, (size_t)(end - a), "\033\\", 2);
        if (st == NULL)
            break;
        semi = memchr(a, ';', (size_t)(st - a));
        {
            /* keys: comma separated k=v before ';' */
            const char *k = a + 3, *kend = semi != NULL ? semi : st;
            int is_data = 0;

            while (k < kend) {
                const char *comma = memchr(k, ',', (size_t)(kend - k));
                const char *e = comma != NULL ? comma : kend;

                if (e - k >= 2 && k[1] == '=') {
                    int v = atoi(k + 2);

                    switch (k[0]) {
                    case 'a':
                        is_data = k[2] == 'T' || k[2] == 't' ? 1
                                  : k[2] == 'd' ? -1 : 0;
                        break;
                    case 'f': f = v; break;
                    case 'o': o_z = k[2] == 'z'; break;
                    case 's': w = v; break;
                    case 'v': h = v; break;
                    case 'm': more = v; break;
                    default: break;
                    }
                }
                k = e + 1;
            }
            if (is_data == 1)
                started = 1;
            if (started && is_data != -1 && semi != NULL) {
                size_t len = (size_t)(st - semi - 1), dn;
                /* each chunk is base64 of its own (chafa pads each) */
                unsigned char *d = pd_unbase64(semi + 1, len, &dn);

                if (d == NULL)
                    break;
                b64 = realloc(b64, blen + dn + 1);
                memcpy(b64 + blen, d, dn);
                blen += dn;
                free(d);
                (*chunks)++;
                if (len > *max_chunk)
                    *max_chunk = len;
            }
            if (started && !more && is_data != -1)
                break;
        }
        p = st + 2;
    }
    if (b64 != NULL) {
        size_t dn = blen;
        unsigned char *d = (unsigned char *)b64;

        if (d != NULL && f == 100) {
            im = pd_png(d, dn);
        } else if (d != NULL && (f == 24 || f == 32) && w > 0 && h > 0) {
            int ch = f / 8, i;
            uLongf rl = (uLongf)w * h * ch;
            unsigned char *raw = malloc(rl);

            if (o_z ? uncompress(raw, &rl, d, (uLong)dn) == Z_OK
                    : (dn == rl && memcpy(raw, d, rl) != NULL)) {
                im = calloc(1, sizeof *im);
                im->w = w;
                im->h = h;
                im->rgb = malloc((size_t)w * h * 3);
                for (i = 0; i < w * h; i++)
                    memcpy(im->rgb + i * 3, raw + i * ch, 3);
            }
            free(raw);
        }
    }
    free(b64);
    return im;
}

static int
pd_num(const char **p, const char *end)
{
    int v = 0;

    while (*p < end && **p >= '0' && **p <= '9')
        v = v * 10 + (*(*p)++ - '0');
    return v;
}

/* The first sixel image in s[0..n) (DCS ... q ... ST). Pixels no sixel
 * set stay black. RGB colours only (Pu = 2, percent); HLS is refused. */
static struct pd_image *
pd_sixel(const char *s, size_t n)
{
    const char *p = pd_find(s, n, "\033P", 2), *end;
    unsigned char pal[256][3];
    int w = 0, h = 0, x = 0, band = 0, col = 0, cap_w, cap_h;
    struct pd_image *im;

    if (p == NULL)
        return NULL;
    end = pd_find(p, n - (size_t)(p - s), "\033\\", 2);
    if (end == NULL)
        return NULL;
    p = memchr(p, 'q', (size_t)(end - p));
    if (p == NULL)
        return NULL;
    p++;
    memset(pal, 0, sizeof pal);
    if (p < end && *p == '"') {
        p++;
        pd_num(&p, end); p++;
        pd_num(&p, end); p++;
        w = pd_num(&p, end); p++;
        h = pd_num(&p, end);
    }
    cap_w = w > 0 ? w : 4096;
    cap_h = h > 0 ? h : 4096;
    im = calloc(1, sizeof *im);
    im->rgb = calloc((size_t)cap_w * cap_h, 3);
    im->w = cap_w;
    im->h = cap_h;
    while (p < end) {
        int c = (unsigned char)*p, rep = 1;

        if (c == '#') {
            p++;
            col = pd_num(&p, end) & 255;
            if (p < end && *p == ';') {
                int pu, a, b, cc;

                p++;
                pu = pd_num(&p, end); p++;
                a = pd_num(&p, end); p++;
                b = pd_num(&p, end); p++;
                cc = pd_num(&p, end);
                if (pu != 2) {
                    pd_free(im);
                    return NULL;
                }
                pal[col][0] = (unsigned char)((a * 255 + 50) / 100);
                pal[col][1] = (unsigned char)((b * 255 + 50) / 100);
                pal[col][2] = (unsigned char)((cc * 255 + 50) / 100);
            }
            continue;
        }
        if (c == '$') { x = 0; p++; continue; }
        if (c == '-') { x = 0; band++; p++; continue; }
        if (c == '!') {
            p++;
            rep = pd_num(&p, end);
            c = p < end ? (unsigned char)*p : 0;
        }
        if (c >= '?' && c <= '~') {
            int bits = c - '?', k, i;

            for (i = 0; i < rep; i++, x++)
                for (k = 0; k < 6; k++)
                    if ((bits >> k & 1) && x < cap_w
                        && band * 6 + k < cap_h)
                        memcpy(im->rgb + ((size_t)(band * 6 + k) * cap_w
                                          + x) * 3, pal[col], 3);
        }
        p++;
    }
    return im;
}

/* PSNR in dB of b against a (same size), over RGB; 99 when equal, -1
 * when the sizes differ. */
static double
pd_psnr(const unsigned char *a, const unsigned char *b, int w, int h)
{
    double se = 0;
    size_t i, n = (size_t)w * h * 3;

    for (i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];

        se += d * d;
    }
    if (se == 0)
        return 99.0;
    return 10.0 * log10(255.0 * 255.0 / (se / n));
}

#endif
