/* test_render.c - JPEG decoding, cell grids, terminal bytes, prefetcher.
 *
 * Fixtures live in tests/data/jpeg (RL_TEST_DATA); the two big ones are
 * read from RL_SHARED_DATA/badjpeg when that folder exists. Timings and
 * byte counts are printed as TAP comments. */
#include "relabel/render.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/err.h"
#include "relabel/util.h"
#include "t.h"

#define JPEG_DIR RL_TEST_DATA "/jpeg/"
#define SHARED_BAD RL_SHARED_DATA "/badjpeg/"
#define CHELSEA JPEG_DIR "chelsea_cat.JPEG"

static int
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static unsigned char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d;
    long len;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    d = rl_xmalloc((size_t)len + 1);
    *n = fread(d, 1, (size_t)len, f);
    fclose(f);
    return d;
}

/* Mean of each channel over the block [x0,x1) x [y0,y1). */
static void
mean_rgb(const rl_pixels *p, int x0, int y0, int x1, int y1, double m[3])
{
    double s[3] = { 0, 0, 0 };
    long n = 0;

    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const unsigned char *q = p->rgb + ((size_t)y * p->w + x) * 3;

            s[0] += q[0];
            s[1] += q[1];
            s[2] += q[2];
            n++;
        }
    for (int i = 0; i < 3; i++)
        m[i] = n ? s[i] / n : 0;
}

static double
max_diff(const double a[3], const double b[3])
{
    double d = 0;

    for (int i = 0; i < 3; i++) {
        double e = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];

        if (e > d)
            d = e;
    }
    return d;
}

static int
same_cells(const rl_cells *a, const rl_cells *b)
{
    return a != NULL && b != NULL && a->cols == b->cols && a->rows == b->rows
           && a->colors == b->colors
           && memcmp(a->cell, b->cell,
                     (size_t)a->cols * a->rows * sizeof *a->cell) == 0;
}

/* Every file that should decode does, at 500x333, without a warning. */
static void
test_good_files(void)
{
    static const char *const names[] = {
        "grayscale", "progressive", "arithmetic", "subsampling_444",
        "rgb_colorspace_no_ycc", "restart_markers", "trailing_garbage",
        "cmyk", "chelsea_cat",
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        rl_err err;
        rl_pixels *p;

        snprintf(path, sizeof path, JPEG_DIR "%s.JPEG", names[i]);
        rl_err_clear(&err);
        p = rl_pixels_load(path, 0, 0, &err);
        ok(p != NULL && p->w == 500 && p->h == 333 && p->src_w == 500
           && p->src_h == 333 && p->warning[0] == '\0',
           "%s decodes at 500x333 %s", names[i], p ? "" : err.msg);
        rl_pixels_free(p);
    }
}

static void
test_colours(void)
{
    rl_pixels *ref = rl_pixels_load(JPEG_DIR "progressive.JPEG", 0, 0, NULL);
    rl_pixels *cmyk = rl_pixels_load(JPEG_DIR "cmyk.JPEG", 0, 0, NULL);
    rl_pixels *rgb = rl_pixels_load(JPEG_DIR "rgb_colorspace_no_ycc.JPEG", 0,
                                   0, NULL);
    rl_pixels *grey = rl_pixels_load(JPEG_DIR "grayscale.JPEG", 0, 0, NULL);
    double a[3], b[3], c[3], g[3];

    if (!ok(ref && cmyk && rgb && grey, "colour fixtures load"))
        goto out;
    mean_rgb(ref, 0, 0, ref->w, ref->h, a);
    mean_rgb(cmyk, 0, 0, cmyk->w, cmyk->h, b);
    mean_rgb(rgb, 0, 0, rgb->w, rgb->h, c);
    mean_rgb(grey, 0, 0, grey->w, grey->h, g);
    printf("# mean RGB: ycc %.0f/%.0f/%.0f cmyk %.0f/%.0f/%.0f\n",
           a[0], a[1], a[2], b[0], b[1], b[2]);
    ok(max_diff(a, b) < 12, "CMYK (Adobe, inverted) mean colour matches RGB "
       "version (max channel diff %.1f)", max_diff(a, b));
    ok(b[0] > b[2] + 5, "CMYK cat is brownish (R %.0f > B %.0f)", b[0], b[2]);
    ok(max_diff(a, c) < 6, "RGB-colourspace JPEG matches YCbCr one");
    ok(g[0] == g[1] && g[1] == g[2], "greyscale comes out with R = G = B");
out:
    rl_pixels_free(ref);
    rl_pixels_free(cmyk);
    rl_pixels_free(rgb);
    rl_pixels_free(grey);
}

static void
test_orientation(void)
{
    rl_pixels *o = rl_pixels_load(JPEG_DIR "exif_orientation_6.JPEG", 0, 0,
                                 NULL);
    rl_pixels *r = rl_pixels_load(JPEG_DIR "progressive.JPEG", 0, 0, NULL);
    double m1[3], m2[3], m3[3];

    if (!ok(o && r, "orientation fixtures load"))
        goto out;
    ok(o->w == 333 && o->h == 500 && o->src_w == 333 && o->src_h == 500,
       "EXIF orientation 6 shows 333x500 portrait (got %dx%d)", o->w, o->h);
    /* rotated 90 degrees clockwise: the stored bottom-left corner ends up
     * top-left, the stored top-left ends up top-right */
    mean_rgb(o, 0, 0, 40, 40, m1);
    mean_rgb(r, 0, r->h - 40, 40, r->h, m2);
    mean_rgb(r, 0, 0, 40, 40, m3);
    ok(max_diff(m1, m2) < 8, "top-left after rotation = stored bottom-left");
    mean_rgb(o, o->w - 40, 0, o->w, 40, m1);
    ok(max_diff(m1, m3) < 8, "top-right after rotation = stored top-left");
out:
    rl_pixels_free(o);
    rl_pixels_free(r);
}

/* Builds chelsea with an APP1 Exif segment spliced in after SOI. */
static unsigned char *
with_app1(const unsigned char *jpg, size_t n, const unsigned char *tiff,
          size_t tn, size_t *out_n)
{
    size_t seg = 2 + 6 + tn;
    unsigned char *d = rl_xmalloc(n + 2 + seg);

    memcpy(d, jpg, 2);
    d[2] = 0xFF;
    d[3] = 0xE1;
    d[4] = (unsigned char)(seg >> 8);
    d[5] = (unsigned char)seg;
    memcpy(d + 6, "Exif\0\0", 6);
    memcpy(d + 12, tiff, tn);
    memcpy(d + 12 + tn, jpg + 2, n - 2);
    *out_n = n + 2 + seg;
    return d;
}

static void
test_exif_parser(void)
{
    /* big-endian, IFD0 at 8, one entry: Orientation SHORT 1 = 8 */
    static const unsigned char mm8[] = {
        'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0,
    };
    /* little-endian, orientation 3 (180 degrees) */
    static const unsigned char ii3[] = {
        'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0,
        0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
    };
    /* IFD offset far outside the segment */
    static const unsigned char bad_ifd[] = {
        'I', 'I', 42, 0, 0xF0, 0xFF, 0xFF, 0x7F, 1, 0,
    };
    /* entry count claims 5000 entries in a 26-byte structure */
    static const unsigned char bad_count[] = {
        'M', 'M', 0, 42, 0, 0, 0, 8, 0x13, 0x88,
        0x01, 0x13, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
    };
    /* orientation value 9 is not a valid one */
    static const unsigned char bad_value[] = {
        'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0,
    };
    size_t n, m;
    unsigned char *jpg = slurp(CHELSEA, &n), *d;
    rl_pixels *p, *ref;
    rl_err err;

    if (!ok(jpg != NULL, "chelsea read for EXIF splicing"))
        return;
    ref = rl_pixels_decode(jpg, n, 0, 0, NULL);

    d = with_app1(jpg, n, mm8, sizeof mm8, &m);
    p = rl_pixels_decode(d, m, 0, 0, NULL);
    ok(p && p->w == 333 && p->h == 500, "big-endian Orientation 8: 333x500");
    if (p && ref) {
        double a[3], b[3];

        /* 90 degrees counter-clockwise: stored top-right goes top-left */
        mean_rgb(p, 0, 0, 30, 30, a);
        mean_rgb(ref, ref->w - 30, 0, ref->w, 30, b);
        ok(max_diff(a, b) < 2, "Orientation 8 turns counter-clockwise");
    } else {
        ok(0, "Orientation 8 turns counter-clockwise");
    }
    rl_pixels_free(p);
    free(d);

    d = with_app1(jpg, n, ii3, sizeof ii3, &m);
    p = rl_pixels_decode(d, m, 0, 0, NULL);
    ok(p && ref && p->w == 500 && p->h == 333
       && memcmp(p->rgb, ref->rgb + (size_t)(500 * 333 - 1) * 3, 3) == 0,
       "little-endian Orientation 3: first pixel is the stored last");
    rl_pixels_free(p);
    free(d);

    d = with_app1(jpg, n, bad_ifd, sizeof bad_ifd, &m);
    p = rl_pixels_decode(d, m, 0, 0, NULL);
    ok(p && p->w == 500, "IFD offset out of bounds is ignored");
    rl_pixels_free(p);
    free(d);

    d = with_app1(jpg, n, bad_count, sizeof bad_count, &m);
    p = rl_pixels_decode(d, m, 0, 0, NULL);
    ok(p && p->w == 500, "oversized IFD entry count is bounds-checked");
    rl_pixels_free(p);
    free(d);

    d = with_app1(jpg, n, bad_value, sizeof bad_value, &m);
    p = rl_pixels_decode(d, m, 0, 0, NULL);
    ok(p && p->w == 500, "invalid Orientation value is ignored");
    rl_pixels_free(p);
    free(d);

    /* an APP1 whose length runs past the end of the data */
    d = with_app1(jpg, n, mm8, sizeof mm8, &m);
    d[4] = 0xFF;
    rl_err_clear(&err);
    p = rl_pixels_decode(d, 40, 0, 0, &err);
    ok(p == NULL && err.code == RL_E_IMAGE,
       "segment longer than the data: error, no overread (%s)", err.msg);
    rl_pixels_free(p);
    free(d);

    rl_pixels_free(ref);
    free(jpg);
}

static void
test_errors(void)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
                                         0x1a, '\n', 0, 0, 0, 13 };
    rl_err err;
    rl_pixels *p;

    rl_err_clear(&err);
    p = rl_pixels_load(JPEG_DIR "empty.JPEG", 0, 0, &err);
    ok(p == NULL && err.code == RL_E_IMAGE, "empty file refused");
    is_str(err.msg, "empty file", "empty file message");

    p = rl_pixels_load(JPEG_DIR "text_not_image.JPEG", 0, 0, &err);
    ok(p == NULL && err.code == RL_E_IMAGE, "text file refused");
    is_str(err.msg, "not a JPEG (text data)", "text file message");

    p = rl_pixels_load(JPEG_DIR "no_such_file.JPEG", 0, 0, &err);
    ok(p == NULL && err.code == RL_E_IO, "missing file refused");
    is_str(err.msg, "No such file or directory", "missing file message");

    p = rl_pixels_load(JPEG_DIR, 0, 0, &err);
    ok(p == NULL && err.code == RL_E_IO, "directory refused: %s", err.msg);

    p = rl_pixels_decode(png, sizeof png, 0, 0, &err);
    ok(p == NULL, "PNG magic in memory refused");
    is_str(err.msg, "not a JPEG (PNG data)", "PNG message (in memory)");

    if (exists(SHARED_BAD "png_disguised.JPEG")) {
        p = rl_pixels_load(SHARED_BAD "png_disguised.JPEG", 0, 0, &err);
        ok(p == NULL, "png_disguised.JPEG refused");
        is_str(err.msg, "not a JPEG (PNG data)", "png_disguised message");
    } else {
        printf("# SKIP png_disguised.JPEG: %s not found\n", SHARED_BAD);
    }

    p = rl_pixels_load(JPEG_DIR "truncated.JPEG", 0, 0, &err);
    ok(p != NULL && p->w == 500 && p->h == 333, "truncated JPEG still shown");
    is_str(p ? p->warning : NULL, "truncated JPEG: shown partly",
           "truncated JPEG warning");
    rl_pixels_free(p);

    p = rl_pixels_load(JPEG_DIR "tiny_1x1.JPEG", 800, 640, &err);
    ok(p != NULL && p->w == 1 && p->h == 1 && p->rgb[0] > 200
       && p->rgb[1] < 60 && p->rgb[2] < 60, "1x1 red pixel");
    rl_pixels_free(p);
}

/* A copy of chelsea whose SOF claims 65500x65500: refused before any
 * pixel buffer is allocated, even at 1/8 (8188x8188 > 64 Mpx). */
static void
test_caps(void)
{
    size_t n;
    unsigned char *jpg = slurp(CHELSEA, &n);
    rl_pixels *p;
    rl_err err;
    size_t i;

    if (!ok(jpg != NULL, "chelsea read for SOF patch"))
        return;
    for (i = 2; i + 9 < n; i++)
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0)
            break;
    /* height, width = 65500, libjpeg's own limit */
    jpg[i + 5] = jpg[i + 7] = 0xFF;
    jpg[i + 6] = jpg[i + 8] = 0xDC;
    rl_err_clear(&err);
    p = rl_pixels_decode(jpg, n, 0, 0, &err);
    ok(p == NULL && strstr(err.msg, "too large") != NULL,
       "65500x65500 at full size refused: %s", err.msg);
    p = rl_pixels_decode(jpg, n, 800, 640, &err);
    ok(p == NULL && strstr(err.msg, "too large") != NULL,
       "65500x65500 even at 1/8 refused");
    free(jpg);
}

static void
test_scaling(void)
{
    int mw, mh;
    rl_pixels *p;
    rl_err err;

    rl_render_target_px(100, 40, &mw, &mh);
    ok(mw == 800 && mh == 640, "target for 100x40 cells is 800x640");
    rl_render_target_px(0, 40, &mw, &mh);
    ok(mw == 0 && mh == 0, "target for a 0-wide pane is 0x0");

    p = rl_pixels_load(CHELSEA, 800, 640, NULL);
    ok(p && p->w == 500 && p->h == 333, "never decoded larger than the file");
    rl_pixels_free(p);
    p = rl_pixels_load(CHELSEA, 160, 160, NULL);
    ok(p && p->w >= 160 && p->w < 250 && p->src_w == 500,
       "160x160 target picks a scale between 1/2 and 1/3 (%dx%d)",
       p ? p->w : 0, p ? p->h : 0);
    rl_pixels_free(p);

    if (!exists(SHARED_BAD "large_4000x2664.JPEG")) {
        printf("# SKIP large_4000x2664.JPEG: %s not found\n", SHARED_BAD);
        return;
    }
    rl_err_clear(&err);
    p = rl_pixels_load(SHARED_BAD "large_4000x2664.JPEG", 800, 640, &err);
    ok(p && p->w == 1000 && p->h == 666 && p->src_w == 4000
       && p->src_h == 2664, "4000x2664 for 100x40 cells decodes at 1/4 "
       "(%dx%d)", p ? p->w : 0, p ? p->h : 0);
    ok(p && (size_t)p->w * p->h * 3 <= 2u << 20,
       "pixel buffer within 2 MB (vs 32 MB at full size)");
    rl_pixels_free(p);
    p = rl_pixels_load(SHARED_BAD "large_4000x2664.JPEG", 80, 80, &err);
    ok(p && p->w == 500 && p->h == 333, "small pane: 1/8 (%dx%d)",
       p ? p->w : 0, p ? p->h : 0);
    rl_pixels_free(p);
}

static void
test_cells(void)
{
    rl_pixels *px = rl_pixels_load(CHELSEA, 800, 640, NULL);
    rl_cells *c = NULL, *a1 = NULL, *a2 = NULL, *t = NULL;
    rl_err err;
    int colored = 0, image = 0, blank_rows = 0, bad = 0, distinct = 0;
    uint32_t seen[64];

    if (!ok(px != NULL, "chelsea decodes for the grid tests"))
        return;
    rl_err_clear(&err);
    c = rl_render_cells(px, 100, 40, RL_RENDER_SYMBOLS, RL_COLORS_256, &err);
    if (!ok(c && c->cols == 100 && c->rows == 40 && c->colors == RL_COLORS_256,
            "symbols grid is 100x40"))
        goto out;
    for (int y = 0; y < c->rows; y++) {
        int row_blank = 1;

        for (int x = 0; x < c->cols; x++) {
            const rl_cell *e = &c->cell[y * c->cols + x];
            int d;

            if (e->cp != ' ' || e->fg != -1 || e->bg != -1)
                row_blank = 0;
            if (e->fg == -1 && e->bg == -1)
                continue;
            image++;
            /* chafa leaves a space's unused foreground at -1 */
            if ((e->fg >= 16 || e->cp == ' ') && e->fg <= 255 && e->bg >= 16
                && e->bg <= 255)
                colored++;
            else
                bad++;
            for (d = 0; d < distinct && seen[d] != e->cp; d++)
                ;
            if (d == distinct && distinct < 64)
                seen[distinct++] = e->cp;
        }
        blank_rows += row_blank;
    }
    ok(image == 100 * 33, "image fills 100x33 cells (%d)", image);
    ok(blank_rows == 7, "7 blank rows around it (%d)", blank_rows);
    ok(colored == image && bad == 0, "all image cells use palette 16..255");
    ok(distinct >= 8, "varied glyphs (%d distinct)", distinct);
    ok(c->cell[0].cp == ' ' && c->cell[3 * 100].fg != -1,
       "image centred vertically: rows 0-2 blank, row 3 drawn");

    t = rl_render_cells(px, 100, 40, RL_RENDER_SYMBOLS, RL_COLORS_FULL, NULL);
    bad = 0;
    for (int i = 3 * 100; t && i < 36 * 100; i++)
        bad += (t->cell[i].fg < 0 && t->cell[i].cp != ' ')
               || t->cell[i].fg > 0xFFFFFF || t->cell[i].bg < 0
               || t->cell[i].bg > 0xFFFFFF;
    ok(t && bad == 0, "full colour cells hold 0xRRGGBB");
    rl_cells_free(t);
    t = rl_render_cells(px, 100, 40, RL_RENDER_SYMBOLS, RL_COLORS_16, NULL);
    bad = 0;
    for (int i = 3 * 100; t && i < 36 * 100; i++)
        bad += (t->cell[i].fg < 0 && t->cell[i].cp != ' ')
               || t->cell[i].fg > 15 || t->cell[i].bg < 0
               || t->cell[i].bg > 15;
    ok(t && bad == 0, "16 colour cells hold 0..15");
    rl_cells_free(t);
    t = rl_render_cells(px, 100, 40, RL_RENDER_SYMBOLS, RL_COLORS_NONE, NULL);
    bad = 0;
    for (int i = 0; t && i < 40 * 100; i++)
        bad += t->cell[i].fg != -1 || t->cell[i].bg != -1;
    ok(t && bad == 0, "no-colour cells are all default");
    rl_cells_free(t);

    a1 = rl_render_cells(px, 60, 20, RL_RENDER_ASCII, RL_COLORS_256, NULL);
    a2 = rl_render_cells(px, 60, 20, RL_RENDER_ASCII, RL_COLORS_256, NULL);
    ok(same_cells(a1, a2), "ASCII render is deterministic");
    bad = 0;
    colored = 0;
    for (int i = 0; a1 && i < 60 * 20; i++) {
        bad += a1->cell[i].fg != -1 || a1->cell[i].bg != -1
               || strchr(" .:-=+*#%@", (int)a1->cell[i].cp) == NULL;
        colored += a1->cell[i].cp != ' ';
    }
    ok(a1 && a1->colors == RL_COLORS_NONE && bad == 0,
       "ASCII cells: ramp characters, no colour");
    ok(colored > 300, "ASCII picture is not blank (%d marks)", colored);
    if (a1 != NULL)
        for (int y = 0; y < 20; y += 4) {
            printf("# |");
            for (int x = 0; x < 60; x++)
                putchar((int)a1->cell[y * 60 + x].cp);
            printf("|\n");
        }

    ok(rl_render_cells(px, 0, 10, RL_RENDER_SYMBOLS, RL_COLORS_256, &err)
       == NULL && err.code == RL_E_RANGE, "0 columns: error");
    ok(rl_render_cells(px, 10, -1, RL_RENDER_ASCII, RL_COLORS_256, &err)
       == NULL && err.code == RL_E_RANGE, "negative rows: error");
    ok(rl_render_file(CHELSEA, 10, 0, RL_RENDER_SYMBOLS, RL_COLORS_256, NULL,
                      &err) == NULL && err.code == RL_E_RANGE,
       "rl_render_file with 0 rows: error");
    t = rl_render_cells(px, 1, 1, RL_RENDER_SYMBOLS, RL_COLORS_256, &err);
    ok(t && t->cell[0].fg >= 16, "1x1 pane renders one cell");
    rl_cells_free(t);
out:
    rl_cells_free(c);
    rl_cells_free(a1);
    rl_cells_free(a2);
    rl_pixels_free(px);
}

static void
test_tiny(void)
{
    char warning[128];
    rl_err err;
    rl_cells *c;

    c = rl_render_file(JPEG_DIR "tiny_1x1.JPEG", 10, 5, RL_RENDER_SYMBOLS,
                       RL_COLORS_FULL, warning, &err);
    ok(c != NULL, "1x1 image renders into 10x5");
    ok(c && c->cell[2 * 10 + 4].bg != -1 && ((c->cell[2 * 10 + 4].bg >> 16)
                                             & 255) > 200,
       "1x1 red shows as red cell(s)");
    rl_cells_free(c);
    c = rl_render_file(JPEG_DIR "tiny_1x1.JPEG", 10, 5, RL_RENDER_ASCII,
                       RL_COLORS_NONE, warning, &err);
    ok(c != NULL, "1x1 image renders as ASCII");
    rl_cells_free(c);

    c = rl_render_file(JPEG_DIR "truncated.JPEG", 40, 12, RL_RENDER_SYMBOLS,
                       RL_COLORS_256, warning, &err);
    ok(c != NULL && strstr(warning, "truncated") != NULL,
       "rl_render_file passes the warning on");
    rl_cells_free(c);
    c = rl_render_file(JPEG_DIR "empty.JPEG", 40, 12, RL_RENDER_SYMBOLS,
                       RL_COLORS_256, warning, &err);
    ok(c == NULL && strcmp(err.msg, "empty file") == 0,
       "rl_render_file reports errors");
}

/* Checks that b[0..n) is CSI sequences and printable UTF-8 only. */
static int
clean_bytes(const char *b, size_t n, int *cups)
{
    size_t i = 0;

    *cups = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)b[i];

        if (ch == 0x1b) {
            if (i + 1 >= n || b[i + 1] != '[')
                return 0;
            i += 2;
            while (i < n && ((b[i] >= '0' && b[i] <= '9') || b[i] == ';'))
                i++;
            if (i >= n || !strchr("mHXC", b[i]))
                return 0;
            *cups += b[i] == 'H';
            i++;
        } else {
            uint32_t cp;
            size_t len = rl_utf8_decode(b + i, n - i, &cp);

            if (cp == 0xFFFD || cp < 0x20 || cp == 0x7f)
                return 0;
            i += len;
        }
    }
    return 1;
}

static long
chafa_bytes(const char *file)
{
    char cmd[1024];
    FILE *f;
    long n = -1;

    if (system("command -v chafa >/dev/null 2>&1") != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "TERM=xterm-256color chafa --size 100x40 "
             "--colors 256 '%s' | wc -c", file);
    f = popen(cmd, "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld", &n) != 1)
        n = -1;
    pclose(f);
    return n;
}

static void
test_ansi(void)
{
    rl_cells *c = rl_render_file(CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                                 RL_COLORS_256, NULL, NULL);
    rl_buf b = { 0 };
    int cups = 0;
    long theirs;
    static const rl_colors modes[] = { RL_COLORS_NONE, RL_COLORS_8,
                                       RL_COLORS_16, RL_COLORS_FULL };
    static const char *const names[] = { "none", "8", "16", "full" };

    if (!ok(c != NULL, "chelsea 100x40 for ANSI"))
        return;
    rl_cells_to_ansi(c, 2, 5, &b);
    ok(clean_bytes(b.data, b.len, &cups), "ANSI: only CSI and UTF-8 text");
    ok(cups == 40, "one cursor position per row (%d)", cups);
    ok(b.len >= 4 && memcmp(b.data + b.len - 4, "\x1b[0m", 4) == 0,
       "ends with SGR reset");
    ok(strstr(b.data, "\x1b[3;6H") != NULL, "first row at row 3, col 6");
    ok(strstr(b.data, "38;5;") != NULL && strstr(b.data, "38;2;") == NULL,
       "256 colours use 38;5");
    printf("# chelsea 100x40 256 colours: %zu bytes\n", b.len);
    theirs = chafa_bytes(CHELSEA);
    if (theirs > 0) {
        printf("# chafa --size 100x40 --colors 256: %ld bytes\n", theirs);
        ok((long)b.len <= theirs, "ours (%zu) <= chafa's (%ld)", b.len,
           theirs);
    } else {
        printf("# SKIP chafa byte comparison: no chafa binary\n");
    }

    for (size_t i = 0; i < 4; i++) {
        rl_cells *m = rl_render_file(CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                                     modes[i], NULL, NULL);

        rl_buf_reset(&b);
        rl_cells_to_ansi(m, 0, 0, &b);
        ok(m && clean_bytes(b.data, b.len, &cups) && cups == 40,
           "%s colours: clean bytes (%zu)", names[i], b.len);
        rl_cells_free(m);
    }

    /* control characters in a grid never reach the terminal raw */
    c->cell[0].cp = 0x1b;
    c->cell[1].cp = 0x202e;
    rl_buf_reset(&b);
    rl_cells_to_ansi(c, 0, 0, &b);
    ok(clean_bytes(b.data, b.len, &cups), "unsafe code points replaced");
    rl_buf_free(&b);
    rl_cells_free(c);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
test_timing(void)
{
    double ms[20];

    for (int i = 0; i < 20; i++) {
        double t0 = rl_mono_ms();
        rl_cells *c = rl_render_file(CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                                     RL_COLORS_256, NULL, NULL);

        ms[i] = rl_mono_ms() - t0;
        rl_cells_free(c);
    }
    qsort(ms, 20, sizeof ms[0], cmp_double);
    printf("# decode+render chelsea 100x40/256: median %.2f ms "
           "(min %.2f, max %.2f) over 20 runs\n", ms[10], ms[0], ms[19]);
    ok(ms[10] < 1000, "render time is sane");
}

struct thread_arg {
    rl_cells *out;
};

static void *
render_thread(void *p)
{
    struct thread_arg *a = p;

    a->out = rl_render_file(CHELSEA, 80, 30, RL_RENDER_SYMBOLS, RL_COLORS_256,
                            NULL, NULL);
    return NULL;
}

static void
test_threads(void)
{
    pthread_t th[4];
    struct thread_arg args[4];
    rl_cells *ref = rl_render_file(CHELSEA, 80, 30, RL_RENDER_SYMBOLS,
                                   RL_COLORS_256, NULL, NULL);
    int same = 0;

    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, render_thread, &args[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        same += same_cells(ref, args[i].out);
        rl_cells_free(args[i].out);
    }
    ok(same == 4, "4 concurrent renders equal the serial one");
    rl_cells_free(ref);
}

static void
test_prefetch(void)
{
    rl_prefetch *pf = rl_prefetch_new(8);
    rl_prefetch_stats st;
    rl_cells *direct, *got, *again;
    char warning[128];
    rl_err err;

    direct = rl_render_file(CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                            RL_COLORS_256, NULL, NULL);
    rl_prefetch_want(pf, CHELSEA, 100, 40, RL_RENDER_SYMBOLS, RL_COLORS_256);
    got = rl_prefetch_get(pf, CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                          RL_COLORS_256, warning, &err);
    ok(same_cells(direct, got), "want + get = direct render");
    ok(warning[0] == '\0', "no warning for a good file");
    again = rl_prefetch_get(pf, CHELSEA, 100, 40, RL_RENDER_SYMBOLS,
                            RL_COLORS_256, NULL, &err);
    ok(same_cells(got, again) && again != got, "second get: an equal copy");
    rl_prefetch_counters(pf, &st);
    ok(st.decodes == 1 && st.renders == 1 && st.hits >= 1,
       "one decode, one render, a hit (d%lu r%lu h%lu w%lu)", st.decodes,
       st.renders, st.hits, st.waits);
    rl_cells_free(got);
    rl_cells_free(again);

    /* resize: same pixels, new grid */
    got = rl_prefetch_get(pf, CHELSEA, 80, 30, RL_RENDER_SYMBOLS,
                          RL_COLORS_256, NULL, &err);
    rl_prefetch_counters(pf, &st);
    ok(got && got->cols == 80 && st.decodes == 1 && st.renders == 2,
       "resize re-renders without decoding (decodes %lu)", st.decodes);
    rl_cells_free(got);
    got = rl_prefetch_get(pf, CHELSEA, 60, 20, RL_RENDER_ASCII,
                          RL_COLORS_NONE, NULL, &err);
    rl_prefetch_counters(pf, &st);
    ok(got && st.decodes == 1, "ASCII from the same pixels");
    rl_cells_free(got);

    /* errors and warnings are cached too */
    got = rl_prefetch_get(pf, JPEG_DIR "empty.JPEG", 100, 40,
                          RL_RENDER_SYMBOLS, RL_COLORS_256, NULL, &err);
    ok(got == NULL && strcmp(err.msg, "empty file") == 0,
       "prefetch reports decode errors");
    rl_err_clear(&err);
    got = rl_prefetch_get(pf, JPEG_DIR "empty.JPEG", 100, 40,
                          RL_RENDER_SYMBOLS, RL_COLORS_256, NULL, &err);
    rl_prefetch_counters(pf, &st);
    ok(got == NULL && strcmp(err.msg, "empty file") == 0 && st.decodes == 2,
       "failure cached: no second read");
    got = rl_prefetch_get(pf, JPEG_DIR "truncated.JPEG", 50, 20,
                          RL_RENDER_SYMBOLS, RL_COLORS_256, warning, &err);
    ok(got && strstr(warning, "truncated"), "prefetch passes warnings on");
    rl_cells_free(got);
    got = rl_prefetch_get(pf, CHELSEA, 0, 20, RL_RENDER_SYMBOLS,
                          RL_COLORS_256, NULL, &err);
    ok(got == NULL && err.code == RL_E_RANGE, "prefetch: 0 columns refused");

    /* a burst of wishes, then gets in another order; eviction at 8 */
    {
        static const char *const files[] = {
            "grayscale", "progressive", "arithmetic", "cmyk",
            "subsampling_444", "restart_markers", "exif_orientation_6",
            "wall_clock_blurred_gray", "trailing_garbage",
            "rgb_colorspace_no_ycc",
        };
        char path[512];
        int good = 0;

        for (size_t i = 0; i < 10; i++) {
            snprintf(path, sizeof path, JPEG_DIR "%s.JPEG", files[i]);
            rl_prefetch_want(pf, path, 40, 15, RL_RENDER_SYMBOLS,
                             RL_COLORS_FULL);
        }
        for (size_t i = 10; i-- > 0;) {
            rl_cells *d;

            snprintf(path, sizeof path, JPEG_DIR "%s.JPEG", files[i]);
            got = rl_prefetch_get(pf, path, 40, 15, RL_RENDER_SYMBOLS,
                                  RL_COLORS_FULL, NULL, &err);
            d = rl_render_file(path, 40, 15, RL_RENDER_SYMBOLS,
                               RL_COLORS_FULL, NULL, NULL);
            good += same_cells(got, d);
            rl_cells_free(got);
            rl_cells_free(d);
        }
        rl_prefetch_counters(pf, &st);
        ok(good == 10, "10 prefetched grids equal direct renders");
        ok(st.cached <= 8, "cache holds at most 8 grids (%zu)", st.cached);
        printf("# prefetch: decodes %lu renders %lu hits %lu waits %lu\n",
               st.decodes, st.renders, st.hits, st.waits);
    }

    if (exists(SHARED_BAD "large_4000x2664.JPEG")) {
        unsigned long before;

        rl_prefetch_counters(pf, &st);
        before = st.decodes;
        got = rl_prefetch_get(pf, SHARED_BAD "large_4000x2664.JPEG", 10, 5,
                              RL_RENDER_SYMBOLS, RL_COLORS_256, NULL, &err);
        rl_cells_free(got);
        got = rl_prefetch_get(pf, SHARED_BAD "large_4000x2664.JPEG", 100, 40,
                              RL_RENDER_SYMBOLS, RL_COLORS_256, NULL, &err);
        rl_cells_free(got);
        got = rl_prefetch_get(pf, SHARED_BAD "large_4000x2664.JPEG", 12, 6,
                              RL_RENDER_SYMBOLS, RL_COLORS_256, NULL, &err);
        rl_cells_free(got);
        rl_prefetch_counters(pf, &st);
        ok(st.decodes - before == 2, "growing past the decoded scale decodes "
           "again, shrinking does not (%lu)", st.decodes - before);
    } else {
        printf("# SKIP prefetch of large_4000x2664.JPEG: not found\n");
    }

    /* free with work still queued joins promptly */
    rl_prefetch_want(pf, CHELSEA, 120, 50, RL_RENDER_SYMBOLS, RL_COLORS_FULL);
    rl_prefetch_want(pf, CHELSEA, 121, 50, RL_RENDER_SYMBOLS, RL_COLORS_FULL);
    rl_prefetch_free(pf);
    ok(1, "prefetcher freed with queued work");
    rl_prefetch_free(NULL);
    rl_cells_free(direct);
}

/* chafa 1.12 misreads RGB8 rows whose stride is not a multiple of four
 * bytes; widths 437 and 438 (both odd strides in bytes mod 4) must render
 * without shear: a left-red / right-blue picture stays so on every row. */
static void
test_odd_stride(void)
{
    static const int widths[] = { 437, 438, 440 };
    size_t k;

    for (k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        rl_pixels px = { 0 };
        rl_cells *c;
        rl_err e;
        int x, y, bad = 0;

        px.w = px.src_w = widths[k];
        px.h = px.src_h = 300;
        px.rgb = malloc((size_t)px.w * (size_t)px.h * 3);
        for (y = 0; y < px.h; y++)
            for (x = 0; x < px.w; x++) {
                unsigned char *p = px.rgb + ((size_t)y * px.w + x) * 3;

                p[0] = x < px.w / 2 ? 220 : 10;
                p[1] = 10;
                p[2] = x < px.w / 2 ? 10 : 220;
            }
        c = rl_render_cells(&px, 40, 12, RL_RENDER_SYMBOLS, RL_COLORS_FULL,
                            &e);
        ok(c != NULL, "width %d renders", widths[k]);
        for (y = 0; c != NULL && y < c->rows; y++) {
            /* The grid is centred: look at the leftmost and rightmost
             * cells that hold colour on this row. */
            int first = -1, last = -1;

            for (x = 0; x < c->cols; x++) {
                if (c->cell[y * c->cols + x].bg >= 0
                    || c->cell[y * c->cols + x].fg >= 0) {
                    if (first < 0)
                        first = x;
                    last = x;
                }
            }
            if (first < 0)
                continue;
            {
                const rl_cell *l = &c->cell[y * c->cols + first];
                const rl_cell *r = &c->cell[y * c->cols + last];
                int32_t lc = l->bg >= 0 ? l->bg : l->fg;
                int32_t rc = r->bg >= 0 ? r->bg : r->fg;

                if (((lc >> 16) & 0xff) <= (lc & 0xff)
                    || ((rc >> 16) & 0xff) >= (rc & 0xff))
                    bad++;
            }
        }
        ok(bad == 0, "width %d: red stays left and blue right on every row "
           "(%d rows wrong)", widths[k], bad);
        rl_cells_free(c);
        free(px.rgb);
    }
}

int
main(void)
{
    test_good_files();
    test_colours();
    test_orientation();
    test_exif_parser();
    test_errors();
    test_caps();
    test_scaling();
    test_cells();
    test_tiny();
    test_ansi();
    test_threads();
    test_prefetch();
    test_timing();
    test_odd_stride();
    return t_done();
}
