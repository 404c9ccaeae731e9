/* scale.c - the zoom window of an image and the resampling that brings it
 * to its displayed pixel size.
 *
 * Shrinking averages every source pixel under a destination pixel,
 * weighted by the area it covers (a box filter with exact edges), which
 * keeps a cat's fur from aliasing; growing (zoom past the decoded
 * resolution, before a finer decode arrives) interpolates bilinearly.
 * The two directions are chosen per axis. */
#include "relabel/picture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/util.h"

void
rl_view_clamp(rl_view *v)
{
    double half;

    if (v->zoom < 1)
        v->zoom = 1;
    if (v->zoom > RL_PIC_MAX_ZOOM)
        v->zoom = RL_PIC_MAX_ZOOM;
    half = 0.5 / v->zoom;
    if (!(v->cx >= half))
        v->cx = half;
    if (!(v->cy >= half))
        v->cy = half;
    if (v->cx > 1.0 - half)
        v->cx = 1.0 - half;
    if (v->cy > 1.0 - half)
        v->cy = 1.0 - half;
}

void
rl_view_window(const rl_view *v, int w, int h, double win[4])
{
    rl_view c = *v;

    rl_view_clamp(&c);
    win[2] = (double)w / c.zoom;
    win[3] = (double)h / c.zoom;
    win[0] = c.cx * w - win[2] / 2;
    win[1] = c.cy * h - win[3] / 2;
}

/* Per destination index along one axis: the first source index and the
 * weights of the source pixels it covers, as a flat table. */
struct taps {
    int *first, *count;    /* per destination pixel */
    float *w;              /* count[i] weights from off[i] */
    int *off;
};

static void
taps_make(struct taps *t, double start, double len, int n)
{
    double step = len / n;
    int i, total = 0, cap;

    t->first = rl_xmalloc((size_t)n * sizeof *t->first);
    t->count = rl_xmalloc((size_t)n * sizeof *t->count);
    t->off = rl_xmalloc((size_t)n * sizeof *t->off);
    cap = n * ((int)ceil(step) + 3);
    t->w = rl_xmalloc((size_t)cap * sizeof *t->w);
    for (i = 0; i < n; i++) {
        double a = start + i * step, b = a + step;
        int k, c = 0;

        t->off[i] = total;
        if (step > 1.0) {
            /* area: every source pixel overlapping [a, b) */
            int k0 = (int)floor(a), k1 = (int)ceil(b);

            for (k = k0; k < k1; k++) {
                double lo = k > a ? k : a, hi = k + 1 < b ? k + 1 : b;

                t->w[total + c] = (float)((hi - lo) / step);
                c++;
            }
            t->first[i] = k0;
        } else {
            /* bilinear about the destination centre */
            double m = (a + b) / 2 - 0.5, f;
            int k0 = (int)floor(m);

            f = m - k0;
            t->first[i] = k0;
            t->w[total] = (float)(1.0 - f);
            t->w[total + 1] = (float)f;
            c = 2;
        }
        t->count[i] = c;
        total += c;
    }
}

static void
taps_free(struct taps *t)
{
    free(t->first);
    free(t->count);
    free(t->off);
    free(t->w);
}

static int
clampi(int v, int hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

rl_pixels *
rl_pixels_view(const rl_pixels *px, const double win[4], int dw, int dh,
               rl_err *err)
{
    struct taps tx, ty;
    rl_pixels *out;
    float *row, *acc;
    int x, y, i, k;

    if (px == NULL || px->w <= 0 || px->h <= 0 || !(win[2] > 0)
        || !(win[3] > 0) || dw <= 0 || dh <= 0
        || (long)dw * dh > RL_IMAGE_MAX_PIXELS) {
        rl_err_set(err, RL_E_RANGE, "no picture to show at %dx%d", dw, dh);
        return NULL;
    }
    taps_make(&tx, win[0], win[2], dw);
    taps_make(&ty, win[1], win[3], dh);
    out = rl_xcalloc(1, sizeof *out);
    out->w = dw;
    out->h = dh;
    out->src_w = px->src_w;
    out->src_h = px->src_h;
    out->rgb = rl_xmalloc((size_t)dw * dh * 3);
    row = rl_xmalloc((size_t)dw * 3 * sizeof *row);
    acc = rl_xmalloc((size_t)px->w * 3 * sizeof *acc);

    /* vertical pass into one float row, then horizontal into the output */
    for (y = 0; y < dh; y++) {
        const float *wy = ty.w + ty.off[y];

        memset(acc, 0, (size_t)px->w * 3 * sizeof *acc);

        for (k = 0; k < ty.count[y]; k++) {
            const unsigned char *s =
                px->rgb + (size_t)clampi(ty.first[y] + k, px->h - 1)
                * px->w * 3;

            for (i = 0; i < px->w * 3; i++)
                acc[i] += wy[k] * s[i];
        }
        for (x = 0; x < dw; x++) {
            const float *wx = tx.w + tx.off[x];
            float r = 0, g = 0, b = 0;

            for (k = 0; k < tx.count[x]; k++) {
                const float *s = acc + clampi(tx.first[x] + k, px->w - 1) * 3;

                r += wx[k] * s[0];
                g += wx[k] * s[1];
                b += wx[k] * s[2];
            }
            row[x * 3] = r;
            row[x * 3 + 1] = g;
            row[x * 3 + 2] = b;
        }
        for (i = 0; i < dw * 3; i++) {
            float v = row[i] + 0.5f;

            out->rgb[(size_t)y * dw * 3 + i] =
                (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(acc);
    free(row);
    taps_free(&tx);
    taps_free(&ty);
    return out;
}

void
rl_pic_fit(int iw, int ih, int box_w, int box_h, int *w, int *h)
{
    long fw = box_w, fh;

    if (iw <= 0 || ih <= 0 || box_w <= 0 || box_h <= 0) {
        *w = *h = 0;
        return;
    }
    fh = ((long)box_w * ih + iw / 2) / iw;
    if (fh > box_h) {
        fh = box_h;
        fw = ((long)box_h * iw + ih / 2) / ih;
    }
    *w = fw < 1 ? 1 : (int)fw;
    *h = fh < 1 ? 1 : (int)fh;
}
