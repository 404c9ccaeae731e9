/* pic.c - a picture fitted to its pane and encoded for the terminal, and
 * the framing that places it: kitty's APC G chunks, the sixel DCS as is,
 * iTerm2's OSC 1337 File=, each optionally inside tmux's DCS passthrough.
 *
 * Invariant: a payload's cell box (cols x rows at x, y) lies inside the
 * pane it was encoded for, so whoever blanks the pane covers it. */
#include "relabel/picture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/util.h"

#define KITTY_CHUNK 4096   /* base64 bytes per APC, the protocol's limit */

void
rl_base64_add(rl_buf *out, const unsigned char *in, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "abcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8
                     | in[i + 2];

        q[0] = tab[v >> 18];
        q[1] = tab[(v >> 12) & 63];
        q[2] = tab[(v >> 6) & 63];
        q[3] = tab[v & 63];
        rl_buf_add(out, q, 4);
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16
                     | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);

        q[0] = tab[v >> 18];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = '=';
        rl_buf_add(out, q, 4);
    }
}

static uint64_t
fnv(const rl_pic *p)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    h = (h ^ (uint64_t)p->mode) * 1099511628211ULL;
    h = (h ^ (uint64_t)p->px_w) * 1099511628211ULL;
    h = (h ^ (uint64_t)p->px_h) * 1099511628211ULL;
    for (i = 0; i < p->len; i++)
        h = (h ^ (unsigned char)p->data[i]) * 1099511628211ULL;
    return h;
}

rl_pic *
rl_pic_encode(const rl_pixels *px, const rl_view *v, rl_pixmode mode,
              int cols, int rows, int cell_w, int cell_h, rl_err *err)
{
    rl_view view = v != NULL ? *v : RL_VIEW_FIT;
    rl_pixels *fitted = NULL;
    rl_buf b = {0};
    rl_pic *p = NULL;
    double win[4];
    int bw, bh, w, h, rc = -1;

    if (cell_w <= 0 || cell_h <= 0) {
        cell_w = RL_PIC_CELL_W;
        cell_h = RL_PIC_CELL_H;
    }
    if (px == NULL || cols <= 0 || rows <= 0 || cols > RL_RENDER_MAX_CELLS
        || rows > RL_RENDER_MAX_CELLS
        || (mode != RL_PIX_KITTY && mode != RL_PIX_SIXEL
            && mode != RL_PIX_ITERM)) {
        rl_err_set(err, RL_E_RANGE, "no room for a picture (%dx%d cells)",
                   cols, rows);
        return NULL;
    }
    bw = cols * cell_w;
    bh = rows * cell_h;
    /* A sixel band is 6 pixels high: a last partial band would still
     * reach the next cell row, so the box ends on a band. */
    if (mode == RL_PIX_SIXEL)
        bh -= bh % 6;
    rl_view_window(&view, px->w, px->h, win);
    /* The window's aspect in source pixels is the image's own. */
    rl_pic_fit((int)(win[2] * 1000), (int)(win[3] * 1000), bw, bh, &w, &h);
    /* a sixel picture of whole bands, so that terminals which paint a
     * band's six rows regardless of the raster height draw nothing past
     * it: fit to the band below */
    if (mode == RL_PIX_SIXEL && h % 6 != 0 && h > 6)
        rl_pic_fit((int)(win[2] * 1000), (int)(win[3] * 1000), bw,
                   h - h % 6, &w, &h);
    fitted = rl_pixels_view(px, win, w, h, err);
    if (fitted == NULL)
        goto out;
    if (mode == RL_PIX_KITTY)
        rc = rl_kitty_encode(fitted, &b, err);
    else if (mode == RL_PIX_SIXEL)
        rc = rl_sixel_encode(fitted, w, h, &b, err);
    else
        rc = rl_iterm_encode(fitted, &b, err);
    if (rc != 0)
        goto out;
    p = rl_xcalloc(1, sizeof *p);
    p->mode = mode;
    p->px_w = w;
    p->px_h = h;
    p->cols = (w + cell_w - 1) / cell_w;
    p->rows = (h + cell_h - 1) / cell_h;
    p->x = (cols - p->cols) / 2;
    p->y = (rows - p->rows) / 2;
    rl_buf_add(&b, "", 1);          /* NUL after the data */
    p->len = b.len - 1;
    p->data = b.data;
    b.data = NULL;
    p->sum = fnv(p);
out:
    rl_buf_free(&b);
    rl_pixels_free(fitted);
    return p;
}

rl_pixmode
rl_render_pixmode(rl_render_mode mode)
{
    switch (mode) {
    case RL_RENDER_ASCII: return RL_PIX_ASCII;
    case RL_RENDER_SIXEL: return RL_PIX_SIXEL;
    case RL_RENDER_KITTY: return RL_PIX_KITTY;
    case RL_RENDER_ITERM: return RL_PIX_ITERM;
    default: return RL_PIX_SYMBOLS;
    }
}

rl_render_mode
rl_pixmode_render(rl_pixmode pix)
{
    switch (pix) {
    case RL_PIX_ASCII: return RL_RENDER_ASCII;
    case RL_PIX_SIXEL: return RL_RENDER_SIXEL;
    case RL_PIX_KITTY: return RL_RENDER_KITTY;
    case RL_PIX_ITERM: return RL_RENDER_ITERM;
    default: return RL_RENDER_SYMBOLS;
    }
}

static bool
is_pixel(rl_render_mode mode)
{
    return mode == RL_RENDER_SIXEL || mode == RL_RENDER_KITTY
           || mode == RL_RENDER_ITERM;
}

void
rl_render_view_target(int cols, int rows, rl_render_mode mode, int cell_w,
                      int cell_h, const rl_view *v, int *max_w, int *max_h)
{
    int zoom = v != NULL && v->zoom > 1 ? v->zoom : 1;

    if (zoom > RL_PIC_MAX_ZOOM)
        zoom = RL_PIC_MAX_ZOOM;
    rl_render_target_px(cols, rows, max_w, max_h);
    if (*max_w > 0 && is_pixel(mode)) {
        *max_w = cols * (cell_w > 0 ? cell_w : RL_PIC_CELL_W);
        *max_h = rows * (cell_h > 0 ? cell_h : RL_PIC_CELL_H);
    }
    *max_w *= zoom;
    *max_h *= zoom;
}

rl_cells *
rl_render_view(const rl_pixels *px, int cols, int rows, rl_render_mode mode,
               rl_colors colors, const rl_view *v, int cell_w, int cell_h,
               rl_err *err)
{
    rl_view view = v != NULL ? *v : RL_VIEW_FIT;
    rl_pixels *part;
    rl_cells *c;
    double win[4];
    int mw, mh, w, h;

    if (is_pixel(mode)) {
        rl_pic *p = rl_pic_encode(px, &view, rl_render_pixmode(mode), cols,
                                  rows, cell_w, cell_h, err);

        if (p == NULL)
            return NULL;
        c = rl_cells_blank(cols, rows, colors);
        c->pic = p;
        return c;
    }
    rl_view_clamp(&view);
    if (view.zoom == 1 || px == NULL || px->w <= 0 || px->h <= 0)
        return rl_render_cells(px, cols, rows, mode, colors, err);

    /* the window, resampled to what a whole image would be decoded at */
    rl_render_target_px(cols, rows, &mw, &mh);
    if (mw == 0)
        return rl_render_cells(px, cols, rows, mode, colors, err);
    rl_view_window(&view, px->w, px->h, win);
    rl_pic_fit((int)(win[2] * 1000), (int)(win[3] * 1000), mw, mh, &w, &h);
    part = rl_pixels_view(px, win, w, h, err);
    if (part == NULL)
        return NULL;
    c = rl_render_cells(part, cols, rows, mode, colors, err);
    rl_pixels_free(part);
    return c;
}

rl_pic *
rl_pic_dup(const rl_pic *p)
{
    rl_pic *d;

    if (p == NULL)
        return NULL;
    d = rl_xmalloc(sizeof *d);
    *d = *p;
    d->data = rl_xmalloc(p->len + 1);
    memcpy(d->data, p->data, p->len + 1);
    return d;
}

void
rl_pic_free(rl_pic *p)
{
    if (p == NULL)
        return;
    free(p->data);
    free(p);
}

/* Appends one complete escape sequence, inside tmux's passthrough when
 * asked: ESC P tmux; then the sequence with each ESC doubled, ESC \. */
static void
seq(rl_buf *out, bool passthrough, const char *s, size_t n)
{
    size_t i, from = 0;

    if (!passthrough) {
        rl_buf_add(out, s, n);
        return;
    }
    rl_buf_adds(out, "\033Ptmux;");
    for (i = 0; i < n; i++)
        if (s[i] == '\033') {
            rl_buf_add(out, s + from, i + 1 - from);
            from = i;             /* the ESC goes out twice */
        }
    rl_buf_add(out, s + from, n - from);
    rl_buf_adds(out, "\033\\");
}

static void
kitty_place(const rl_pic *p, unsigned id, bool passthrough, rl_buf *out)
{
    rl_buf one = {0};
    size_t off = 0;

    do {
        size_t n = p->len - off < KITTY_CHUNK ? p->len - off : KITTY_CHUNK;
        int more = off + n < p->len;

        rl_buf_reset(&one);
        if (off == 0)
            rl_buf_printf(&one, "\033_Ga=T,f=100,i=%u,q=2,C=1,z=-1,m=%d;",
                          id, more);
        else
            rl_buf_printf(&one, "\033_Gm=%d;", more);
        rl_buf_add(&one, p->data + off, n);
        rl_buf_adds(&one, "\033\\");
        seq(out, passthrough, one.data, one.len);
        off += n;
    } while (off < p->len);
    rl_buf_free(&one);
}

void
rl_pic_place(const rl_pic *p, int top, int left, unsigned id,
             bool passthrough, rl_buf *out)
{
    rl_buf one = {0};

    if (p == NULL)
        return;
    rl_buf_printf(out, "\033[0m\033[%d;%dH", top + p->y + 1, left + p->x + 1);
    switch (p->mode) {
    case RL_PIX_KITTY:
        rl_pic_erase(p->mode, id, passthrough, out);
        kitty_place(p, id, passthrough, out);
        break;
    case RL_PIX_SIXEL:
        seq(out, passthrough, p->data, p->len);
        break;
    case RL_PIX_ITERM:
        rl_buf_printf(&one, "\033]1337;File=inline=1;size=%zu;width=%d;"
                      "height=%d;preserveAspectRatio=1:", p->len / 4 * 3,
                      p->cols, p->rows);
        rl_buf_add(&one, p->data, p->len);
        rl_buf_adds(&one, "\a");
        seq(out, passthrough, one.data, one.len);
        break;
    default:
        break;
    }
    rl_buf_free(&one);
}

void
rl_pic_erase(rl_pixmode mode, unsigned id, bool passthrough, rl_buf *out)
{
    char s[64];
    int n;

    if (mode != RL_PIX_KITTY)
        return;
    if (id == 0)
        n = snprintf(s, sizeof s, "\033_Ga=d,d=A,q=2\033\\");
    else
        n = snprintf(s, sizeof s, "\033_Ga=d,d=I,i=%u,q=2\033\\", id);
    seq(out, passthrough, s, (size_t)n);
}
