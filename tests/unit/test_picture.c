/* test_picture.c - pixel pictures: resampling and the zoom window, and
 * the kitty, sixel and iTerm2 encoders decoded back to pixels and
 * compared with the source at the displayed size (PSNR), plus their
 * framing (chunks, ids, tmux passthrough). Sizes and dB are printed as
 * TAP comments. */
#include "relabel/picture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "relabel/err.h"
#include "relabel/render.h"
#include "relabel/util.h"
#include "picdecode.h"
#include "t.h"

#define CHELSEA RL_TEST_DATA "/jpeg/chelsea_cat.JPEG"
#define LARGE RL_SHARED_DATA "/badjpeg/large_4000x2664.JPEG"

/* The source at the picture's displayed size, as the encoder saw it. */
static rl_pixels *
reference(const rl_pixels *px, const rl_view *v, const rl_pic *p)
{
    double win[4];
    rl_err e;

    rl_view_window(v, px->w, px->h, win);
    return rl_pixels_view(px, win, p->px_w, p->px_h, &e);
}

static void
test_scale(void)
{
    rl_pixels src = {0}, *d;
    double win[4];
    rl_view v = { 2, 0.0, 1.0 };
    rl_err e;
    int x, y, w, h;

    src.w = 8;
    src.h = 4;
    src.rgb = calloc(8 * 4, 3);
    for (y = 0; y < 4; y++)
        for (x = 0; x < 8; x++)
            src.rgb[(y * 8 + x) * 3] = (unsigned char)(x < 4 ? 0 : 200);
    win[0] = win[1] = 0;
    win[2] = 8;
    win[3] = 4;
    d = rl_pixels_view(&src, win, 2, 1, &e);
    ok(d != NULL && d->rgb[0] == 0 && d->rgb[3] == 200,
       "halving averages each half exactly");
    rl_pixels_free(d);
    win[2] = 6;
    d = rl_pixels_view(&src, win, 1, 1, &e);
    ok(d != NULL && d->rgb[0] == 67, "area weights (4x0 + 2x200)/6 = 67: %d",
       d != NULL ? d->rgb[0] : -1);
    rl_pixels_free(d);
    ok(rl_pixels_view(&src, win, 0, 1, &e) == NULL && e.code == RL_E_RANGE,
       "zero size refused");

    rl_view_clamp(&v);
    ok(v.cx == 0.25 && v.cy == 0.75, "zoom 2 window kept inside the image");
    rl_view_window(&v, 800, 400, win);
    ok(win[0] == 0 && win[1] == 200 && win[2] == 400 && win[3] == 200,
       "zoom 2 at the bottom-left corner is that quarter");
    v.zoom = 100;
    rl_view_clamp(&v);
    is_int(v.zoom, RL_PIC_MAX_ZOOM, "zoom capped at 8");

    rl_pic_fit(500, 375, 480, 760, &w, &h);
    ok(w == 480 && h == 360, "landscape fitted by width: %dx%d", w, h);
    rl_pic_fit(375, 500, 480, 300, &w, &h);
    ok(w == 225 && h == 300, "portrait fitted by height: %dx%d", w, h);
    free(src.rgb);
}

static void
test_kitty(const rl_pixels *px)
{
    rl_view v = RL_VIEW_FIT;
    rl_pic *p;
    rl_pixels *ref;
    rl_buf b = {0};
    struct pd_image *im;
    int chunks;
    size_t maxc;
    rl_err e;
    double db, bpp;

    p = rl_pic_encode(px, &v, RL_PIX_KITTY, 48, 38, 10, 20, &e);
    if (!ok(p != NULL, "kitty picture encoded"))
        return;
    ok(p->px_w == 480 && p->px_h == 320 && p->cols == 48 && p->rows == 16,
       "fitted to 48 cells of 10 px: %dx%d px, %dx%d cells", p->px_w,
       p->px_h, p->cols, p->rows);
    is_int(p->y, 11, "centred vertically in the pane");
    rl_pic_place(p, 2, 3, 7, false, &b);
    ok(strncmp(b.data, "\033[0m\033[14;4H", 11) == 0,
       "placed at the centred cell");
    ok(strstr(b.data, "\033_Ga=d,d=I,i=7,q=2\033\\") != NULL,
       "an earlier image with the id is deleted first");
    ok(strstr(b.data, "a=T,f=100,i=7,q=2,C=1,z=-1,m=1;") != NULL,
       "transmit+display as PNG, quiet, cursor kept, under text");
    im = pd_kitty(b.data, b.len, &chunks, &maxc);
    ok(im != NULL, "kitty bytes decode back to a PNG");
    ok(chunks > 1 && maxc <= 4096, "%d chunks of at most 4096 bytes", chunks);
    ref = reference(px, &v, p);
    if (im != NULL && ref != NULL && im->w == ref->w && im->h == ref->h) {
        db = pd_psnr(ref->rgb, im->rgb, im->w, im->h);
        ok(db >= 38.0, "kitty %.1f dB against the source at %dx%d (>= 38)",
           db, im->w, im->h);
    } else {
        ok(0, "kitty image has the displayed size");
    }
    bpp = (double)p->len / ((double)p->px_w * p->px_h);
    ok(bpp <= 3.2, "kitty %.2f bytes per displayed pixel with base64 "
       "(<= 3.2)", bpp);
    pd_free(im);
    rl_pixels_free(ref);

    /* tmux passthrough: every chunk wrapped, inner ESCs doubled */
    rl_buf_reset(&b);
    rl_pic_place(p, 0, 0, 7, true, &b);
    ok(strstr(b.data, "\033Ptmux;\033\033_Ga=T,") != NULL
       && strstr(b.data, "\033\033\\\033\\") != NULL,
       "passthrough wraps each APC with doubled ESCs");
    rl_buf_reset(&b);
    rl_pic_erase(RL_PIX_KITTY, 0, false, &b);
    is_str(rl_buf_str(&b), "\033_Ga=d,d=A,q=2\033\\", "id 0 deletes all");
    rl_buf_reset(&b);
    rl_pic_erase(RL_PIX_SIXEL, 3, false, &b);
    is_int((long long)b.len, 0, "a sixel has nothing to delete");
    rl_pic_free(p);
    rl_buf_free(&b);
}

static void
test_sixel(const rl_pixels *px)
{
    rl_view v = RL_VIEW_FIT;
    rl_pic *p;
    rl_pixels *ref;
    rl_buf b = {0};
    struct pd_image *im;
    rl_err e;

    p = rl_pic_encode(px, &v, RL_PIX_SIXEL, 48, 38, 10, 20, &e);
    if (!ok(p != NULL, "sixel picture encoded: %s", p ? "" : e.msg))
        return;
    ok(p->px_w == 477 && p->px_h == 318, "sixel at the fitted size %dx%d",
       p->px_w, p->px_h);
    rl_pic_place(p, 0, 0, 1, false, &b);
    im = pd_sixel(b.data, b.len);
    ref = reference(px, &v, p);
    if (ok(im != NULL && ref != NULL && im->w == ref->w && im->h == ref->h,
           "sixel decodes back at the displayed size")) {
        double db = pd_psnr(ref->rgb, im->rgb, im->w, im->h);

        ok(db >= 32.0, "sixel %.1f dB against the source (>= 32), %zu bytes",
           db, p->len);
    }
    pd_free(im);
    rl_pixels_free(ref);
    rl_pic_free(p);
    rl_buf_free(&b);
}

static void
test_iterm(const rl_pixels *px)
{
    rl_view v = RL_VIEW_FIT;
    rl_pic *p;
    rl_pixels *ref;
    rl_buf b = {0};
    rl_err e;
    const char *data;

    p = rl_pic_encode(px, &v, RL_PIX_ITERM, 48, 38, 10, 20, &e);
    if (!ok(p != NULL, "iTerm2 picture encoded"))
        return;
    rl_pic_place(p, 0, 0, 1, false, &b);
    data = strstr(b.data, "\033]1337;File=inline=1;");
    ok(data != NULL && strstr(data, ";width=48;height=16;"
                              "preserveAspectRatio=1:") != NULL
       && b.data[b.len - 1] == '\a', "OSC 1337 File= with its cell box");
    if (data != NULL && strchr(data, ':') != NULL) {
        const char *d = strchr(data, ':') + 1;
        size_t n;
        unsigned char *jpg = pd_unbase64(d, b.len - 1 - (size_t)(d - b.data),
                                         &n);
        tjhandle tj = tjInitDecompress();
        int w = 0, h = 0, sub, cs;
        unsigned char *rgb;

        ok(jpg != NULL && tjDecompressHeader3(tj, jpg, (unsigned long)n, &w,
                                              &h, &sub, &cs) == 0
           && w == p->px_w && h == p->px_h, "a JPEG at the displayed size");
        rgb = malloc((size_t)(w > 0 ? w : 1) * (h > 0 ? h : 1) * 3);
        ref = reference(px, &v, p);
        if (jpg != NULL && ref != NULL && w == ref->w
            && tjDecompress2(tj, jpg, (unsigned long)n, rgb, w, 0, h,
                             TJPF_RGB, 0) == 0) {
            double db = pd_psnr(ref->rgb, rgb, w, h);

            ok(db >= 38.0, "iTerm2 JPEG %.1f dB (>= 38)", db);
        } else {
            ok(0, "iTerm2 JPEG decodes");
        }
        rl_pixels_free(ref);
        free(rgb);
        free(jpg);
        tjDestroy(tj);
    }
    rl_pic_free(p);
    rl_buf_free(&b);
}

/* Zoom 2 about the top-left quarter shows that quarter: its pixels equal
 * the fit view of the cropped quarter. */
static void
test_zoom(const rl_pixels *px)
{
    rl_view v = { 2, 0.25, 0.25 };
    rl_pic *p = rl_pic_encode(px, &v, RL_PIX_KITTY, 48, 38, 10, 20, NULL);
    struct pd_image *im = NULL;
    rl_pixels *quarter;
    double win[4] = { 0, 0, px->w / 2.0, px->h / 2.0 };
    int chunks;
    size_t maxc;
    rl_buf b = {0};

    if (!ok(p != NULL, "zoomed picture encoded"))
        return;
    rl_pic_place(p, 0, 0, 1, false, &b);
    im = pd_kitty(b.data, b.len, &chunks, &maxc);
    quarter = rl_pixels_view(px, win, p->px_w, p->px_h, NULL);
    ok(im != NULL && quarter != NULL && im->w == quarter->w
       && pd_psnr(quarter->rgb, im->rgb, im->w, im->h) >= 60,
       "zoom 2 at (0.25, 0.25) shows the top-left quarter");
    pd_free(im);
    rl_pixels_free(quarter);
    rl_pic_free(p);
    rl_buf_free(&b);
}

/* The prefetcher keys pixel pictures by cell size and zoom window, and
 * a zoom past the decoded resolution decodes the file again, finer. */
static void
test_prefetch(void)
{
    rl_prefetch *pf = rl_prefetch_new(8);
    rl_prefetch_stats st;
    rl_view z8 = { 8, 0.5, 0.5 };
    rl_cells *a, *b, *c;
    rl_err e;

    rl_prefetch_set_cell(pf, 10, 20);
    a = rl_prefetch_get_view(pf, LARGE, 120, 38, RL_RENDER_KITTY,
                             RL_COLORS_FULL, NULL, NULL, &e);
    rl_prefetch_counters(pf, &st);
    if (!ok(a != NULL && a->pic != NULL && a->pic->px_w == 1141
            && a->pic->px_h == 760, "kitty grid from the prefetcher: %dx%d",
            a && a->pic ? a->pic->px_w : 0, a && a->pic ? a->pic->px_h : 0))
        goto out;
    is_int(st.decodes, 1, "one decode for the fitted picture");
    b = rl_prefetch_get_view(pf, LARGE, 120, 38, RL_RENDER_KITTY,
                             RL_COLORS_FULL, &z8, NULL, &e);
    rl_prefetch_counters(pf, &st);
    is_int(st.decodes, 2, "zoom 8x decodes again at a finer scale");
    {
        /* the window at 8x is 500x333 source pixels shown at 1141x760:
         * from the full-size decode, not from the 1/4-scale one */
        rl_pixels *full = rl_pixels_load(LARGE, 0, 0, &e), *coarse, *ref,
                  *up;
        double win[4] = { 1750, 1165.5, 500, 333 }, cwin[4];
        struct pd_image *im;
        rl_buf out = {0};
        int chunks;
        size_t maxc;

        coarse = rl_pixels_load(LARGE, 1141, 760, &e);
        rl_pic_place(b->pic, 0, 0, 1, false, &out);
        im = pd_kitty(out.data, out.len, &chunks, &maxc);
        ref = rl_pixels_view(full, win, b->pic->px_w, b->pic->px_h, &e);
        cwin[0] = win[0] * coarse->w / full->w;
        cwin[1] = win[1] * coarse->h / full->h;
        cwin[2] = win[2] * coarse->w / full->w;
        cwin[3] = win[3] * coarse->h / full->h;
        up = rl_pixels_view(coarse, cwin, b->pic->px_w, b->pic->px_h, &e);
        if (ok(im != NULL && ref != NULL && up != NULL && im->w == ref->w,
               "zoomed picture decodes")) {
            double fine = pd_psnr(ref->rgb, im->rgb, im->w, im->h);
            double blur = pd_psnr(ref->rgb, up->rgb, im->w, im->h);

            ok(fine >= 38 && fine > blur + 3, "8x shows the real detail: "
               "%.1f dB against the full-size window (upscaled 1/4 decode: "
               "%.1f)", fine, blur);
        }
        pd_free(im);
        rl_buf_free(&out);
        rl_pixels_free(full);
        rl_pixels_free(coarse);
        rl_pixels_free(ref);
        rl_pixels_free(up);
    }
    c = rl_prefetch_get_view(pf, LARGE, 120, 38, RL_RENDER_KITTY,
                             RL_COLORS_FULL, NULL, NULL, &e);
    rl_prefetch_counters(pf, &st);
    ok(c != NULL && st.hits >= 1 && st.decodes == 2,
       "the fitted picture again comes from the cache");
    rl_prefetch_set_cell(pf, 8, 16);
    rl_cells_free(c);
    c = rl_prefetch_get_view(pf, LARGE, 120, 38, RL_RENDER_KITTY,
                             RL_COLORS_FULL, NULL, NULL, &e);
    ok(c != NULL && c->pic != NULL && c->pic->px_h == 38 * 16,
       "another cell size is another picture (%d px high)",
       c && c->pic ? c->pic->px_h : 0);
    rl_cells_free(b);
    rl_cells_free(c);
out:
    rl_cells_free(a);
    rl_prefetch_free(pf);
}

int
main(void)
{
    rl_err e;
    rl_pixels *px = rl_pixels_load(CHELSEA, 0, 0, &e);

    test_scale();
    if (!ok(px != NULL, "chelsea decoded"))
        return t_done();
    test_kitty(px);
    test_sixel(px);
    test_iterm(px);
    test_zoom(px);
    if (access(LARGE, R_OK) == 0)
        test_prefetch();
    else
        ok(1, "# SKIP %s absent: no prefetch zoom test", LARGE);
    ok(rl_pic_encode(px, NULL, RL_PIX_SYMBOLS, 10, 10, 0, 0, &e) == NULL
       && e.code == RL_E_RANGE, "symbols is not a pixel mode");
    rl_pixels_free(px);
    return t_done();
}
