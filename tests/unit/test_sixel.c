/* test_sixel.c - our sixel encoder (sixel.c) decoded back to pixels by
 * picdecode.h: exact on pictures of few colours, whatever their size
 * (width 1, heights that are not whole bands, one colour), at most 256
 * registers and >= 32 dB on a gradient of 4096 colours and on photos, the
 * byte layout of runs and passes, and no more bytes than chafa 1.12's own
 * sixel canvas spends on the same pixels at the same size. */
#include "relabel/picture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chafa.h>

#include "relabel/err.h"
#include "relabel/render.h"
#include "relabel/util.h"
#include "picdecode.h"
#include "t.h"

#define CHELSEA RL_TEST_DATA "/jpeg/chelsea_cat.JPEG"
#define DEMO RL_TEST_DATA "/../../share/relabel/demo/"

/* Colours a sixel register holds exactly: percent p shows (p*255+50)/100. */
static unsigned char
pc(int p)
{
    return (unsigned char)((p * 255 + 50) / 100);
}

static const int few[][3] = {
    { 100, 100, 100 }, { 80, 20, 10 }, { 10, 60, 30 }, { 20, 30, 90 },
    { 50, 50, 0 }, { 0, 40, 70 },
};

static rl_pixels *
image(int w, int h)
{
    rl_pixels *p = rl_xcalloc(1, sizeof *p);

    p->w = p->src_w = w;
    p->h = p->src_h = h;
    p->rgb = rl_xcalloc((size_t)w * h, 3);
    return p;
}

static void
put(rl_pixels *p, int x, int y, const int c[3])
{
    unsigned char *d = p->rgb + ((size_t)y * p->w + x) * 3;

    d[0] = pc(c[0]);
    d[1] = pc(c[1]);
    d[2] = pc(c[2]);
}

/* Encodes p at its own size and decodes it back; NULL on failure. */
static struct pd_image *
roundtrip(const rl_pixels *p, rl_buf *b)
{
    rl_err e;

    rl_buf_reset(b);
    if (rl_sixel_encode(p, p->w, p->h, b, &e) != 0) {
        printf("# encode failed: %s\n", e.msg);
        return NULL;
    }
    return pd_sixel(b->data, b->len);
}

/* PSNR of the decoded picture against p; -1 when the sizes differ. */
static double
db_of(const struct pd_image *im, const rl_pixels *p)
{
    if (im == NULL || im->w != p->w || im->h != p->h)
        return -1;
    return pd_psnr(p->rgb, im->rgb, p->w, p->h);
}

/* Registers defined: "#i;" (a pass selects one as "#i" alone). */
static int
registers(const rl_buf *b)
{
    const char *s = rl_buf_str(b);
    int n = 0;

    while ((s = strchr(s, '#')) != NULL) {
        s += strspn(s + 1, "0123456789") + 1;
        n += *s == ';';
    }
    return n;
}

static void
test_few(void)
{
    static const int sizes[][2] = {
        { 37, 23 }, { 1, 13 }, { 1, 1 }, { 64, 6 }, { 5, 7 }, { 200, 1 },
    };
    rl_buf b = {0};
    size_t s;

    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1], x, y;
        rl_pixels *p = image(w, h);
        struct pd_image *im;

        /* blocks, stripes and lone pixels of six colours */
        for (y = 0; y < h; y++)
            for (x = 0; x < w; x++)
                put(p, x, y, few[((x / 3) ^ (y / 2) ^ (x * y % 5 == 1)) % 6]);
        im = roundtrip(p, &b);
        ok(db_of(im, p) == 99.0, "%dx%d of six colours decodes back exactly",
           w, h);
        pd_free(im);
        rl_pixels_free(p);
    }
    rl_buf_free(&b);
}

/* No sixel reaches past the picture: with the raster attributes cut
 * out, the decoder's canvas stays unpainted (black, which the picture
 * does not use) right of and below it. */
static void
test_edges(void)
{
    rl_pixels *p = image(13, 11);
    rl_buf b = {0};
    struct pd_image *im;
    char *q;
    int x, y, stray = 0;

    for (y = 0; y < 11; y++)
        for (x = 0; x < 13; x++)
            put(p, x, y, few[(x + y) % 3]);
    im = roundtrip(p, &b);
    pd_free(im);
    q = strstr(b.data, "\"1;1;13;11");
    if (!ok(q != NULL, "raster attributes \"1;1;13;11"))
        goto out;
    memmove(q, q + 10, strlen(q + 10) + 1);
    im = pd_sixel(b.data, strlen(b.data));
    if (ok(im != NULL, "decodes without raster attributes")) {
        for (y = 0; y < 18; y++)
            for (x = 0; x < 20; x++) {
                const unsigned char *d = im->rgb + ((size_t)y * im->w + x) * 3;

                if ((x >= 13 || y >= 11) && (d[0] | d[1] | d[2]))
                    stray++;
            }
        is_int(stray, 0, "nothing painted right of or below 13x11");
    }
    pd_free(im);
out:
    ok(b.len >= 2 && memcmp(b.data + b.len - 2, "\033\\", 2) == 0
       && b.data[b.len - 3] != '-', "ends with ST, no band feed before it");
    rl_pixels_free(p);
    rl_buf_free(&b);
}

static void
test_layout(void)
{
    static const int a[3] = { 100, 100, 100 }, c[3] = { 80, 20, 10 };
    rl_pixels *p = image(100, 6);
    rl_buf b = {0};
    struct pd_image *im;
    int x, y;

    for (y = 0; y < 6; y++)
        for (x = 0; x < 100; x++)
            put(p, x, y, a);
    im = roundtrip(p, &b);
    pd_free(im);
    is_str(rl_buf_str(&b), "\033P0;1;0q\"1;1;100;6#0;2;100;100;100#0!100~"
           "\033\\", "one colour: one register, one repeat");

    for (y = 0; y < 6; y++)
        for (x = 60; x < 100; x++)
            put(p, x, y, c);
    im = roundtrip(p, &b);
    ok(db_of(im, p) == 99.0, "two halves exact");
    pd_free(im);
    ok(strstr(rl_buf_str(&b), "#0!60~$#1!60?!40~\033\\") != NULL,
       "two halves: the larger first, the other after a run of blanks: %s",
       strchr(rl_buf_str(&b), '#') + 30);

    for (y = 0; y < 6; y++)
        for (x = 60; x < 100; x++)
            put(p, x, y, a);
    put(p, 50, 2, c);
    put(p, 51, 2, c);
    im = roundtrip(p, &b);
    ok(db_of(im, p) == 99.0, "two pixels in a field exact");
    pd_free(im);
    ok(strstr(rl_buf_str(&b), "#0!100~$#1!50?CC\033\\") != NULL,
       "the field is one run under the two pixels, painted over: %s",
       strchr(rl_buf_str(&b), '#') + 30);

    /* a second band, 3 rows high: '-' between, six-bit masks cut to 3 */
    rl_pixels_free(p);
    p = image(4, 9);
    for (y = 0; y < 9; y++)
        for (x = 0; x < 4; x++)
            put(p, x, y, a);
    im = roundtrip(p, &b);
    ok(db_of(im, p) == 99.0, "4x9 exact");
    pd_free(im);
    ok(strstr(rl_buf_str(&b), "#0!4~-#0!4F\033\\") != NULL,
       "bands: '-' between them, the last one 3 rows (F): %s",
       strchr(rl_buf_str(&b), '#') + 18);
    rl_pixels_free(p);
    rl_buf_free(&b);
}

static void
test_many(void)
{
    rl_pixels *p = image(64, 64);
    rl_buf b = {0};
    struct pd_image *im;
    int x, y;

    for (y = 0; y < 64; y++)
        for (x = 0; x < 64; x++) {
            unsigned char *d = p->rgb + ((size_t)y * 64 + x) * 3;

            d[0] = (unsigned char)(x * 4);
            d[1] = (unsigned char)(y * 4);
            d[2] = (unsigned char)(255 - (x + y) * 2);
        }
    im = roundtrip(p, &b);
    ok(registers(&b) > 200 && registers(&b) <= 256,
       "4096 colours: %d registers (<= 256)", registers(&b));
    ok(db_of(im, p) >= 32, "4096 colours: %.1f dB (>= 32)", db_of(im, p));
    pd_free(im);
    rl_pixels_free(p);
    rl_buf_free(&b);
}

/* chafa 1.12's sixel canvas drawing px at w x h, as relabel did before
 * its own encoder: the reference the byte counts are held to. */
static void
chafa_sixel(const rl_pixels *px, int w, int h, rl_buf *out)
{
    ChafaCanvasConfig *cfg = chafa_canvas_config_new();
    ChafaCanvas *cv;
    ChafaTermDb *db;
    ChafaTermInfo *ti;
    GString *s;
    unsigned char *rgba = rl_xmalloc((size_t)px->w * px->h * 4);
    size_t i;

    chafa_canvas_config_set_pixel_mode(cfg, CHAFA_PIXEL_MODE_SIXELS);
    chafa_canvas_config_set_canvas_mode(cfg, CHAFA_CANVAS_MODE_TRUECOLOR);
    chafa_canvas_config_set_cell_geometry(cfg, w, h);
    chafa_canvas_config_set_geometry(cfg, 1, 1);
    cv = chafa_canvas_new(cfg);
    for (i = 0; i < (size_t)px->w * px->h; i++) {
        memcpy(rgba + i * 4, px->rgb + i * 3, 3);
        rgba[i * 4 + 3] = 255;
    }
    chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, rgba,
                                 px->w, px->h, px->w * 4);
    free(rgba);
    db = chafa_term_db_new();
    ti = chafa_term_db_get_fallback_info(db);
    s = chafa_canvas_print(cv, ti);
    rl_buf_add(out, s->str, s->len);
    g_string_free(s, TRUE);
    chafa_term_info_unref(ti);
    chafa_term_db_unref(db);
    chafa_canvas_unref(cv);
    chafa_canvas_config_unref(cfg);
}

/* A photo fitted into box_w x box_h: ours >= 32 dB, at most 256
 * registers, and no more bytes than chafa's canvas at that size. */
static void
test_photo(const char *path, int box_w, int box_h)
{
    const char *name = strrchr(path, '/') + 1;
    rl_pixels *full, *fit;
    rl_buf ours = {0}, theirs = {0};
    struct pd_image *im, *ch;
    double win[4];
    rl_err e;
    int w, h;

    full = rl_pixels_load(path, 0, 0, &e);
    if (!ok(full != NULL, "%s decoded", name))
        return;
    /* whole bands, as rl_pic_encode fits them (chafa's canvas cuts a
     * last partial band off) */
    rl_pic_fit(full->w, full->h, box_w, box_h - box_h % 6, &w, &h);
    if (h % 6 != 0)
        rl_pic_fit(full->w, full->h, box_w, h - h % 6, &w, &h);
    win[0] = win[1] = 0;
    win[2] = full->w;
    win[3] = full->h;
    fit = rl_pixels_view(full, win, w, h, &e);
    im = roundtrip(fit, &ours);
    ok(db_of(im, fit) >= 32, "%s at %dx%d: %.1f dB (>= 32)", name, w, h,
       db_of(im, fit));
    ok(registers(&ours) <= 256, "%s: %d registers", name, registers(&ours));
    chafa_sixel(fit, w, h, &theirs);
    ch = pd_sixel(theirs.data, theirs.len);
    ok(ch != NULL && ch->w == w && ch->h == h, "%s: chafa's canvas at the "
       "same size, %dx%d", name, ch != NULL ? ch->w : 0,
       ch != NULL ? ch->h : 0);
    ok(ours.len <= theirs.len, "%s: %zu bytes, chafa's canvas %zu (%.1f dB)",
       name, ours.len, theirs.len, db_of(ch, fit));
    pd_free(im);
    pd_free(ch);
    rl_pixels_free(fit);
    rl_pixels_free(full);
    rl_buf_free(&ours);
    rl_buf_free(&theirs);
}

int
main(void)
{
    rl_pixels *p = image(4, 4);
    rl_buf b = {0};
    rl_err e;

    (void)pd_kitty;            /* picdecode.h: only its sixel decoder here */
    test_few();
    test_edges();
    test_layout();
    test_many();
    test_photo(CHELSEA, 480, 318);
    test_photo(DEMO "falcon9_rocket.JPEG", 1200, 798);
    test_photo(DEMO "hubble_deep_field.JPEG", 600, 400);
    ok(rl_sixel_encode(p, 0, 4, &b, &e) == -1 && b.len == 0,
       "no size: refused, nothing written");
    rl_pixels_free(p);
    rl_buf_free(&b);
    return t_done();
}
