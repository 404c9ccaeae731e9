/* sixel.c - our own DEC sixel encoder: pixels at their displayed size to
 * one DCS sixel sequence, with an adaptive palette of at most 256
 * registers and no dithering (dither noise costs bytes, and the picture
 * clears the 32 dB bar without it; relabel-bench pixels measures both).
 *
 *   palette   a histogram over RGB reduced to HBITS bits a channel, cut
 *             into boxes by variance (each split along the channel of
 *             largest spread, at the point that leaves the least squared
 *             error), then KMEANS rounds of k-means over the histogram.
 *             A picture of at most 256 colours, no two in one bin,
 *             keeps them (to the percent a register holds).
 *   mapping   a pixel's register is the nearest to the middle of its cell
 *             of MBITS a channel, searched once per cell and cached, so a
 *             pixel mostly costs one table look-up.
 *   encoding  per band of six rows only the registers present, each a
 *             pass of run-length coded sixels: "!n" repeats, gaps as '?',
 *             nothing after a register's last column, '$' between passes,
 *             '-' between bands. Registers are defined once, in percent
 *             ("#i;2;r;g;b"), numbered by use so the most used ones have
 *             the fewest digits. Passes go most pixels first, and a pass
 *             may also paint rows that a later pass draws over (P2 = 1:
 *             zero bits leave a pixel alone, and a later pass overwrites
 *             an earlier one), so its runs reach across what others
 *             will cover: a band's main colour is mostly one run.
 *
 * The sequence is ESC P 0;1;0 q "1;1;W;H ... ESC \ as chafa 1.12 writes
 * it: pixel aspect 1:1, zero bits transparent, every pixel painted. It
 * ends on the last band (no '-' after it, so nothing scrolls), and leaves
 * the cursor where the terminal puts it; the caller restores it. */
#include "relabel/picture.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/util.h"

/* The palette comes from a histogram of HBITS a channel; pixels find
 * their register through a cache of MBITS a channel. On the demo photos
 * at 120x40 cells, a 6-bit histogram gave 1.2 dB more for 14% more bytes
 * and a third more time; mapping through the histogram's own 5-bit bins
 * drew the falcon's dusk sky in visible steps, 7-bit cells as smoothly
 * as an exact search (relabel-bench pixels, and by eye in xterm). */
#define HBITS 5
#define HSIZE (1 << (3 * HBITS))
#define HSHIFT (8 - HBITS)
#define MBITS 7
#define MSHIFT (8 - MBITS)
#define NREG 256               /* registers, as chafa 1.12 writes: xterm
                                * -ti vt340 shows them (test_xterm_sixel) */
#define KMEANS 1               /* refinement rounds (a second: +0.02 dB) */

/* One occupied histogram bin. */
struct bin {
    double r, g, b;        /* mean colour of its pixels */
    double n;              /* pixels */
    uint32_t key;          /* reduced RGB */
};

/* The histogram bin of an RGB pixel. */
static size_t
bin_of(const unsigned char *c)
{
    return (size_t)(c[0] >> HSHIFT) << (2 * HBITS)
           | (size_t)(c[1] >> HSHIFT) << HBITS | (size_t)(c[2] >> HSHIFT);
}

/* A box of the median cut: bins[lo, hi) and their sums. */
struct box {
    int lo, hi;
    double n, s[3], q[3];  /* pixels, per-channel sum and sum of squares */
    double err;            /* squared error about the mean */
};

/* The palette as searched: displayed colours sorted by green. */
struct pal {
    int n;                 /* registers */
    int rgb[NREG][3];      /* displayed colour (from the percent) */
    int byg[NREG];         /* register indices sorted by green */
    int gfrom[257];        /* first position in byg with green >= g */
};

static int
pct(double v)
{
    int p = (int)(v * 100.0 / 255.0 + 0.5);

    return p < 0 ? 0 : p > 100 ? 100 : p;
}

/* The colour a terminal shows for percent p, as (p * 255 + 50) / 100. */
static int
unpct(int p)
{
    return (p * 255 + 50) / 100;
}

static void
box_sums(struct box *bx, const struct bin *bins)
{
    int i, c;

    bx->n = 0;
    for (c = 0; c < 3; c++)
        bx->s[c] = bx->q[c] = 0;
    for (i = bx->lo; i < bx->hi; i++) {
        const struct bin *b = &bins[i];
        double v[3] = { b->r, b->g, b->b };

        bx->n += b->n;
        for (c = 0; c < 3; c++) {
            bx->s[c] += b->n * v[c];
            bx->q[c] += b->n * v[c] * v[c];
        }
    }
    bx->err = 0;
    for (c = 0; c < 3; c++)
        bx->err += bx->q[c] - bx->s[c] * bx->s[c] / bx->n;
    if (bx->hi - bx->lo < 2)
        bx->err = -1;          /* one bin: cannot split */
}

/* A bin's reduced value of channel c (0 red, 1 green, 2 blue). */
static unsigned
chan(const struct bin *b, int c)
{
    return b->key >> (HBITS * (2 - c)) & ((1u << HBITS) - 1);
}

/* Sorts bins[lo, hi) by their reduced value of channel c (a counting
 * sort: bins are distinct keys, HBITS bits a channel). */
static void
sort_chan(struct bin *bins, struct bin *tmp, int lo, int hi, int c)
{
    int cnt[(1 << HBITS) + 1], i;

    memset(cnt, 0, sizeof cnt);
    for (i = lo; i < hi; i++)
        cnt[chan(&bins[i], c) + 1]++;
    for (i = 1; i <= 1 << HBITS; i++)
        cnt[i] += cnt[i - 1];
    for (i = lo; i < hi; i++)
        tmp[cnt[chan(&bins[i], c)]++] = bins[i];
    memcpy(bins + lo, tmp, (size_t)(hi - lo) * sizeof *bins);
}

/* Splits box `bx` into itself and `nb`: along the channel of largest
 * variance, where the two halves' squared errors add up least. */
static void
box_split(struct box *bx, struct box *nb, struct bin *bins, struct bin *tmp)
{
    double best = -1, sl[3] = { 0, 0, 0 }, nl = 0, var[3];
    int c = 0, i, at = bx->lo + 1, k;

    for (k = 0; k < 3; k++)
        var[k] = bx->q[k] - bx->s[k] * bx->s[k] / bx->n;
    if (var[1] >= var[0] && var[1] >= var[2])
        c = 1;
    else if (var[2] >= var[0])
        c = 2;
    sort_chan(bins, tmp, bx->lo, bx->hi, c);
    /* least error = most of sum |S|^2 / n over the two halves */
    for (i = bx->lo; i < bx->hi - 1; i++) {
        const struct bin *b = &bins[i];
        double v = 0, nr;

        nl += b->n;
        sl[0] += b->n * b->r;
        sl[1] += b->n * b->g;
        sl[2] += b->n * b->b;
        if (chan(b, c) == chan(&bins[i + 1], c) && i + 2 < bx->hi)
            continue;          /* split between distinct values only */
        nr = bx->n - nl;
        for (k = 0; k < 3; k++)
            v += sl[k] * sl[k] / nl
                 + (bx->s[k] - sl[k]) * (bx->s[k] - sl[k]) / nr;
        if (v > best) {
            best = v;
            at = i + 1;
        }
    }
    nb->lo = at;
    nb->hi = bx->hi;
    bx->hi = at;
    box_sums(bx, bins);
    box_sums(nb, bins);
}

/* Palette `pl` from the colours in `mean` (n of them): the percent each
 * register is defined with, and the search order. */
static void
pal_make(struct pal *pl, double mean[][3], int n)
{
    int i, j, g;

    pl->n = n;
    for (i = 0; i < n; i++)
        for (j = 0; j < 3; j++)
            pl->rgb[i][j] = unpct(pct(mean[i][j]));
    /* insertion sort by green: n <= 256, once per picture */
    for (i = 0; i < n; i++) {
        int v = i;

        for (j = i; j > 0 && pl->rgb[pl->byg[j - 1]][1] > pl->rgb[v][1]; j--)
            pl->byg[j] = pl->byg[j - 1];
        pl->byg[j] = v;
    }
    for (g = 0, j = 0; g <= 256; g++) {
        while (j < n && pl->rgb[pl->byg[j]][1] < g)
            j++;
        pl->gfrom[g] = j;
    }
}

/* Weighs register byg[pos] for (r, g, b) into *best / *bi; false when
 * its green alone is already farther than the best (so are all beyond
 * it in that direction). */
static bool
near_try(const struct pal *pl, int pos, const int want[3], int *best,
         int *bi)
{
    const int *c = pl->rgb[pl->byg[pos]];
    int dr = c[0] - want[0], dg = c[1] - want[1], db = c[2] - want[2];
    int d = dr * dr + dg * dg + db * db;

    if (dg * dg >= *best)
        return false;
    if (d < *best) {
        *best = d;
        *bi = pl->byg[pos];
    }
    return true;
}

/* The register nearest to (r, g, b): outward from green = g in both
 * directions of the green order. `guess` (a register, or -1) is tried
 * first: a close one ends the search sooner. */
static int
pal_nearest(const struct pal *pl, int r, int g, int b, int guess)
{
    const int want[3] = { r, g, b };
    int best = INT_MAX, bi = 0, up = pl->gfrom[g], dn = up - 1;

    if (guess >= 0) {
        const int *c = pl->rgb[guess];

        bi = guess;
        best = (c[0] - r) * (c[0] - r) + (c[1] - g) * (c[1] - g)
               + (c[2] - b) * (c[2] - b) + 1;
    }

    while (up < pl->n || dn >= 0) {
        if (up < pl->n)
            up = near_try(pl, up, want, &best, &bi) ? up + 1 : pl->n;
        if (dn >= 0)
            dn = near_try(pl, dn, want, &best, &bi) ? dn - 1 : -1;
    }
    return bi;
}

/* The middle of a pixel value's cache cell. */
static int
mid(int v)
{
    return (v >> MSHIFT << MSHIFT) + (1 << MSHIFT) / 2;
}

static int
rnd(double v)
{
    return (int)(v + 0.5);
}

/* Assigns every bin its nearest register in `pl` (reg[i] for bins[i]);
 * with `mean` given, also the mean colour of each register's pixels
 * (registers that get none keep theirs). */
static void
assign(const struct bin *bins, int nbins, const struct pal *pl,
       uint8_t *reg, double mean[][3])
{
    double acc[NREG][4];
    int i, k;

    memset(acc, 0, sizeof acc);
    for (i = 0; i < nbins; i++) {
        const struct bin *b = &bins[i];
        int r = pal_nearest(pl, rnd(b->r), rnd(b->g), rnd(b->b), -1);

        reg[i] = (uint8_t)r;
        acc[r][0] += b->n * b->r;
        acc[r][1] += b->n * b->g;
        acc[r][2] += b->n * b->b;
        acc[r][3] += b->n;
    }
    if (mean == NULL)
        return;
    for (i = 0; i < pl->n; i++)
        if (acc[i][3] > 0)
            for (k = 0; k < 3; k++)
                mean[i][k] = acc[i][k] / acc[i][3];
}

static int
by_use(const void *a, const void *b)
{
    const double *x = a, *y = b;

    return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

/* Chooses at most NREG registers for the npx pixels of `rgb` and gives
 * each pixel one (idx[npx]). Registers are numbered by use, most pixels
 * first; pc[i] is register i's colour in percent. Returns how many. */
static int
quantize(const unsigned char *rgb, size_t npx, uint8_t *idx, int pc[][3])
{
    /* per bin: pixels and sums of r, g, b (64 bits: 64M pixels of 255) */
    uint64_t *hist = rl_xcalloc(HSIZE, 4 * sizeof *hist);
    uint16_t *cell = rl_xcalloc((size_t)1 << (3 * MBITS), sizeof *cell);
    uint8_t *guess = rl_xmalloc(HSIZE);
    struct bin *bins, *tmp;
    struct box boxes[NREG];
    struct pal pl;
    double mean[NREG][3], use[NREG][2];
    uint8_t *reg, rank[NREG];
    int nbins = 0, nbox, i, k;
    size_t p;

    for (p = 0; p < npx; p++) {
        const unsigned char *c = rgb + p * 3;
        uint64_t *h = hist + bin_of(c) * 4;

        h[0]++;
        h[1] += c[0];
        h[2] += c[1];
        h[3] += c[2];
    }
    for (k = 0; k < HSIZE; k++)
        if (hist[(size_t)k * 4] != 0)
            nbins++;
    bins = rl_xmalloc((size_t)nbins * sizeof *bins);
    tmp = rl_xmalloc((size_t)nbins * sizeof *tmp);
    reg = rl_xmalloc((size_t)nbins);
    for (k = 0, i = 0; k < HSIZE; k++) {
        const uint64_t *h = hist + (size_t)k * 4;

        if (h[0] == 0)
            continue;
        bins[i].n = (double)h[0];
        bins[i].r = (double)h[1] / h[0];
        bins[i].g = (double)h[2] / h[0];
        bins[i].b = (double)h[3] / h[0];
        bins[i].key = (uint32_t)k;
        i++;
    }

    /* boxes: every bin its own when there are few (a picture of few
     * colours is then exact), else cut by variance */
    boxes[0].lo = 0;
    boxes[0].hi = nbins;
    box_sums(&boxes[0], bins);
    for (nbox = 1; nbox < NREG && nbox < nbins; nbox++) {
        int worst = 0;

        for (i = 1; i < nbox; i++)
            if (boxes[i].err > boxes[worst].err)
                worst = i;
        if (boxes[worst].err < 0)
            break;
        box_split(&boxes[worst], &boxes[nbox], bins, tmp);
    }
    for (i = 0; i < nbox; i++)
        for (k = 0; k < 3; k++)
            mean[i][k] = boxes[i].s[k] / boxes[i].n;
    pal_make(&pl, mean, nbox);
    for (k = 0; nbins > NREG && k < KMEANS; k++) {
        assign(bins, nbins, &pl, reg, mean);
        pal_make(&pl, mean, nbox);
    }
    assign(bins, nbins, &pl, reg, NULL);

    /* number the registers by use; unused ones are dropped */
    for (i = 0; i < nbox; i++) {
        use[i][0] = 0;
        use[i][1] = i;
    }
    for (i = 0; i < nbins; i++)
        use[reg[i]][0] += bins[i].n;
    qsort(use, (size_t)nbox, sizeof use[0], by_use);
    for (k = 0; k < nbox && use[k][0] > 0; k++) {
        int r = (int)use[k][1];

        rank[r] = (uint8_t)k;
        for (i = 0; i < 3; i++)
            pc[k][i] = pct(pl.rgb[r][i]);
    }
    nbox = k;

    /* each pixel: the register nearest to the middle of its cell of
     * MBITS a channel, searched once per cell (finer than the histogram:
     * its bins of 8 levels drew a smooth sky in steps) */
    for (k = 0; k < nbox; k++)
        for (i = 0; i < 3; i++)
            mean[k][i] = unpct(pc[k][i]);
    pal_make(&pl, mean, nbox);
    for (i = 0; i < nbins; i++)
        guess[bins[i].key] = rank[reg[i]];   /* its bin's register */
    for (p = 0; p < npx; p++) {
        const unsigned char *c = rgb + p * 3;
        size_t m = (size_t)(c[0] >> MSHIFT) << (2 * MBITS)
                   | (size_t)(c[1] >> MSHIFT) << MBITS
                   | (size_t)(c[2] >> MSHIFT);

        if (cell[m] == 0)
            cell[m] = (uint16_t)(1 + pal_nearest(&pl, mid(c[0]), mid(c[1]),
                                                 mid(c[2]), guess[bin_of(c)]));
        idx[p] = (uint8_t)(cell[m] - 1);
    }
    free(hist);
    free(cell);
    free(guess);
    free(bins);
    free(tmp);
    free(reg);
    return nbox;
}

/* Writes n >= 0 in decimal at o; returns the end. */
static char *
put_num(char *o, int n)
{
    char d[12];
    int k = 0;

    do {
        d[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (k > 0)
        *o++ = d[--k];
    return o;
}

/* Writes `n` columns of sixel `ch` at o: "!n" repeats from 4 on, where
 * they are no longer than the sixels themselves. Returns the end. */
static char *
put_run(char *o, int n, int ch)
{
    if (n >= 4) {
        *o++ = '!';
        o = put_num(o, n);
        *o++ = (char)ch;
        return o;
    }
    while (n-- > 0)
        *o++ = (char)ch;
    return o;
}

/* Per-band scratch: each register's columns as runs of equal sixels, a
 * list in x order. */
struct band {
    int w;                 /* columns */
    int *ex, *en, *next;   /* run: first column, columns, next of its
                            * register (-1: last) */
    uint8_t *eb;           /* run: its six bits */
    int head[NREG], tail[NREG];    /* per register: first and last run */
    int cnt[NREG];         /* pixels in this band */
    int order[NREG], n;    /* registers present, most pixels first */
    int runs;              /* runs used */
    uint8_t *done;         /* per column: rows already drawn final */
};

/* Rows set in a sixel's six bits. */
static int
pop6(unsigned bits)
{
    static const uint8_t n[64] = {
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4, 3, 4, 4, 5,
        1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4, 3, 4, 4, 5,
        2, 3, 3, 4, 3, 4, 4, 5, 3, 4, 4, 5, 4, 5, 5, 6,
    };

    return n[bits & 63];
}

/* Register c has sixel `bits` at column x: extends its last run or
 * starts one. */
static void
band_add(struct band *b, int c, int x, unsigned bits)
{
    int t = b->tail[c], e;

    b->cnt[c] += pop6(bits);
    if (b->head[c] >= 0 && b->ex[t] + b->en[t] == x && b->eb[t] == bits) {
        b->en[t]++;
        return;
    }
    e = b->runs++;
    if (b->head[c] < 0) {
        b->head[c] = e;
        b->order[b->n++] = c;
    } else {
        b->next[t] = e;
    }
    b->tail[c] = e;
    b->ex[e] = x;
    b->en[e] = 1;
    b->eb[e] = (uint8_t)bits;
    b->next[e] = -1;
}

/* Fills b from the `rows` (1..6) rows of idx starting at row y. */
static void
band_scan(struct band *b, const uint8_t *idx, int y, int rows)
{
    const uint8_t *r[6];
    uint64_t prev = 0;
    int x, k, i, j, np = 0, c[6], pop[6];
    unsigned bits[6];

    for (i = 0; i < b->n; i++) {
        b->head[b->order[i]] = -1;
        b->cnt[b->order[i]] = 0;
    }
    b->n = b->runs = 0;
    for (k = 0; k < rows; k++)
        r[k] = idx + (size_t)(y + k) * b->w;
    for (x = 0; x < b->w; x++) {
        uint64_t key = 0;

        for (k = 0; k < rows; k++)
            key = key << 8 | r[k][x];
        /* the same registers as the column before: its runs grow */
        if (x > 0 && key == prev) {
            for (j = 0; j < np; j++) {
                b->en[b->tail[c[j]]]++;
                b->cnt[c[j]] += pop[j];
            }
            continue;
        }
        prev = key;
        /* the column's registers and their bits; mostly one */
        c[0] = r[0][x];
        bits[0] = 1;
        np = 1;
        for (k = 1; k < rows; k++) {
            int v = r[k][x];

            for (j = 0; j < np && c[j] != v; j++)
                ;
            if (j == np) {
                c[np] = v;
                bits[np++] = 0;
            }
            bits[j] |= 1u << k;
        }
        for (j = 0; j < np; j++) {
            pop[j] = pop6(bits[j]);
            band_add(b, c[j], x, bits[j]);
        }
    }
    /* most pixels first (insertion sort: few registers a band) */
    for (i = 1; i < b->n; i++) {
        int v = b->order[i];

        for (j = i; j > 0 && b->cnt[b->order[j - 1]] < b->cnt[v]; j--)
            b->order[j] = b->order[j - 1];
        b->order[j] = v;
    }
}

/* Writes register c's pass over the band at o; returns the end. A run
 * may paint rows that a later pass draws over (any row not yet `done`),
 * so it reaches as far as one sixel can stand for every column: `lo`
 * the rows it must paint, `hi` the rows it may. */
static char *
band_pass(struct band *b, int c, unsigned full, char *o)
{
    int e, cur = 0, start = -1, end = 0;
    unsigned lo = 0, hi = 0;

    for (e = b->head[c]; e >= 0; e = b->next[e]) {
        int x = b->ex[e], x1 = x + b->en[e];
        unsigned own = b->eb[e];

        if (start >= 0) {
            unsigned h = hi;

            /* columns without this register: lo may cover them while
             * nothing under it is final */
            while (end < x && !(lo & ~(h & ~b->done[end])))
                h &= ~b->done[end++];
            if (end == x) {
                unsigned l = lo | own;

                while (x < x1 && !(l & ~(h & ~b->done[x]))) {
                    h &= ~b->done[x];
                    b->done[x++] |= (uint8_t)own;
                }
                if (x > end) {
                    lo = l;
                    hi = h;
                    end = x;
                }
                if (x == x1)
                    continue;
            }
            o = put_run(o, end - start, '?' + (int)lo);
            cur = end;
        }
        /* a new run: its own bits fit every one of its columns */
        o = put_run(o, x - cur, '?');
        start = x;
        lo = own;
        hi = full;
        for (; x < x1; x++) {
            hi &= ~b->done[x];
            b->done[x] |= (uint8_t)own;
        }
        end = x1;
    }
    if (start >= 0)
        o = put_run(o, end - start, '?' + (int)lo);
    return o;
}

int
rl_sixel_encode(const rl_pixels *px, int w, int h, rl_buf *out, rl_err *err)
{
    rl_pixels *fit = NULL;
    const rl_pixels *src = px;
    struct band b;
    uint8_t *idx;
    int pc[NREG][3], nreg, i, y;
    char *line, *o;
    size_t linecap;

    if (px == NULL || px->w <= 0 || px->h <= 0 || w <= 0 || h <= 0) {
        rl_err_set(err, RL_E_IMAGE, "sixel picture: no pixels");
        return -1;
    }
    if (px->w != w || px->h != h) {
        double win[4] = { 0, 0, px->w, px->h };

        if ((fit = rl_pixels_view(px, win, w, h, err)) == NULL)
            return -1;
        src = fit;
    }
    idx = rl_xmalloc((size_t)w * h);
    nreg = quantize(src->rgb, (size_t)w * h, idx, pc);

    /* header: DCS P1=0 (aspect from the raster), P2=1 (zero bits leave
     * the pixel), then 1:1 pixels of w x h and the registers */
    linecap = (size_t)w * 6 * 14 + NREG * 24 + 64;
    line = rl_xmalloc(linecap);
    o = line;
    o += sprintf(o, "\033P0;1;0q\"1;1;%d;%d", w, h);
    for (i = 0; i < nreg; i++) {
        *o++ = '#';
        o = put_num(o, i);
        *o++ = ';';
        *o++ = '2';
        for (int k = 0; k < 3; k++) {
            *o++ = ';';
            o = put_num(o, pc[i][k]);
        }
    }
    rl_buf_add(out, line, (size_t)(o - line));

    memset(&b, 0, sizeof b);
    b.w = w;
    b.ex = rl_xmalloc((size_t)w * 6 * sizeof *b.ex);
    b.en = rl_xmalloc((size_t)w * 6 * sizeof *b.en);
    b.next = rl_xmalloc((size_t)w * 6 * sizeof *b.next);
    b.eb = rl_xmalloc((size_t)w * 6);
    b.done = rl_xmalloc((size_t)w);
    for (i = 0; i < NREG; i++)
        b.head[i] = -1;
    for (y = 0; y < h; y += 6) {
        int rows = h - y < 6 ? h - y : 6;

        band_scan(&b, idx, y, rows);
        memset(b.done, 0, (size_t)w);
        o = line;
        for (i = 0; i < b.n; i++) {
            if (i > 0)
                *o++ = '$';
            *o++ = '#';
            o = put_num(o, b.order[i]);
            o = band_pass(&b, b.order[i], (1u << rows) - 1, o);
        }
        if (y + 6 < h)
            *o++ = '-';
        rl_buf_add(out, line, (size_t)(o - line));
    }
    rl_buf_adds(out, "\033\\");
    free(b.ex);
    free(b.en);
    free(b.next);
    free(b.eb);
    free(b.done);
    free(line);
    free(idx);
    rl_pixels_free(fit);
    return 0;
}
