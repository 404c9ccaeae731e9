/* canvas.c - rl_pixels -> rl_cells, through chafa or a luminance ramp.
 *
 * Owns the fit of an image into a cell grid (cells taken as 1:2, image
 * centred, the rest blank with default colours) and the chafa settings.
 * Every call builds and drops its own symbol map, config and canvas:
 * nothing is shared between threads, and chafa's own tables are set up
 * once, thread-safely, inside the library.
 *
 * Chafa settings, measured on the sample photos at 100x33 cells in CPU
 * time (chafa spreads a draw over all cores) and in RMS error of the cells
 * drawn back as pixels against the picture:
 *   chafa tool default, block+border, work 0.5   23 ms   7.15
 *   block, work 1.0 (exhaustive search)          19 ms   7.15
 *   half+quadrant+quarter blocks, work 1.0       11 ms   7.37   <- ours
 *   half+quadrant blocks, work 1.0                8 ms   7.83
 * Below work factor 0.8 chafa takes a fast path whose cost is four sorts
 * per cell whatever the symbol set; at 0.8 and above it tries every
 * symbol, which is cheaper for a set this small. No wide or inverted
 * glyphs (a cell has no reverse-video attribute; rl_cells_to_ansi swaps
 * in complements itself where that saves bytes). No dithering, which also
 * keeps neighbouring cells equal and the terminal bytes short;
 * preprocessing only at 16 colours and below, as the chafa tool does. */
#include "relabel/render.h"

#include <stdlib.h>
#include <string.h>

#include <chafa.h>

#include "relabel/err.h"
#include "relabel/picture.h"
#include "relabel/util.h"

#define WORK_FACTOR 1.0f

static const char ramp[] = " .:-=+*#%@";

/* Lower 1/4 and 3/4, left 1/4 and 3/4 blocks: finer edges than halves. */
static const gunichar quarters[] = { 0x2582, 0x2586, 0x258E, 0x258A };

void
rl_render_target_px(int cols, int rows, int *max_w, int *max_h)
{
    int ok = cols > 0 && rows > 0 && cols <= RL_RENDER_MAX_CELLS
             && rows <= RL_RENDER_MAX_CELLS;

    *max_w = ok ? cols * 8 : 0;
    *max_h = ok ? rows * 16 : 0;
}

/* Largest dc x dr cell box inside cols x rows with the image's aspect,
 * a cell being half as wide as tall; at least 1x1. */
static void
fit(int iw, int ih, int cols, int rows, int *dc, int *dr)
{
    long c = cols, r = ((long)cols * ih + iw) / (2L * iw);

    if (r > rows) {
        r = rows;
        c = ((long)rows * 2 * iw + ih / 2) / ih;
    }
    *dc = c < 1 ? 1 : c > cols ? cols : (int)c;
    *dr = r < 1 ? 1 : r > rows ? rows : (int)r;
}

rl_cells *
rl_cells_blank(int cols, int rows, rl_colors colors)
{
    rl_cells *c;
    size_t n = (size_t)cols * rows;

    if (cols <= 0 || rows <= 0 || cols > RL_RENDER_MAX_CELLS
        || rows > RL_RENDER_MAX_CELLS)
        return NULL;
    c = rl_xcalloc(1, sizeof *c);
    c->cols = cols;
    c->rows = rows;
    c->colors = colors;
    c->cell = rl_xmalloc(n * sizeof *c->cell);
    for (size_t i = 0; i < n; i++) {
        c->cell[i].cp = ' ';
        c->cell[i].fg = -1;
        c->cell[i].bg = -1;
    }
    return c;
}

/* Box-filters the pixels under each of dc x dr cells to a luminance and
 * picks a ramp character: integer arithmetic only, so it is the same on
 * every machine. */
static void
draw_ascii(const rl_pixels *px, rl_cells *c, int ox, int oy, int dc, int dr)
{
    for (int cy = 0; cy < dr; cy++) {
        int y0 = (int)((long)cy * px->h / dr);
        int y1 = (int)((long)(cy + 1) * px->h / dr);

        if (y1 <= y0)
            y1 = y0 + 1;
        for (int cx = 0; cx < dc; cx++) {
            int x0 = (int)((long)cx * px->w / dc);
            int x1 = (int)((long)(cx + 1) * px->w / dc);
            unsigned long sum = 0, n = 0;

            if (x1 <= x0)
                x1 = x0 + 1;
            for (int y = y0; y < y1; y++) {
                const unsigned char *p = px->rgb + ((size_t)y * px->w + x0) * 3;

                for (int x = x0; x < x1; x++, p += 3)
                    sum += (77u * p[0] + 150u * p[1] + 29u * p[2]) >> 8;
                n += (unsigned long)(x1 - x0);
            }
            c->cell[(size_t)(oy + cy) * c->cols + ox + cx].cp =
                (unsigned char)ramp[sum / n * (sizeof ramp - 1) / 256];
        }
    }
}

static ChafaCanvasMode
chafa_mode(rl_colors colors)
{
    switch (colors) {
    case RL_COLORS_NONE: return CHAFA_CANVAS_MODE_FGBG;
    case RL_COLORS_8: return CHAFA_CANVAS_MODE_INDEXED_8;
    case RL_COLORS_16: return CHAFA_CANVAS_MODE_INDEXED_16;
    case RL_COLORS_256: return CHAFA_CANVAS_MODE_INDEXED_240;
    case RL_COLORS_FULL: break;
    }
    return CHAFA_CANVAS_MODE_TRUECOLOR;
}

/* Draws px on a dc x dr chafa canvas and copies glyphs and colours into
 * the grid at (ox, oy). */
static void
draw_chafa(const rl_pixels *px, rl_cells *c, int ox, int oy, int dc, int dr)
{
    ChafaSymbolMap *map = chafa_symbol_map_new();
    ChafaCanvasConfig *cfg = chafa_canvas_config_new();
    ChafaCanvas *cv;
    const unsigned char *rgb = px->rgb;
    unsigned char *padded = NULL;
    int stride = px->w * 3;

    chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_SPACE
                                 | CHAFA_SYMBOL_TAG_HALF
                                 | CHAFA_SYMBOL_TAG_QUAD);
    chafa_symbol_map_remove_by_tags(map, CHAFA_SYMBOL_TAG_WIDE
                                    | CHAFA_SYMBOL_TAG_INVERTED);
    for (size_t i = 0; i < sizeof quarters / sizeof quarters[0]; i++)
        chafa_symbol_map_add_by_range(map, quarters[i], quarters[i]);
    /* Truecolor is for fidelity: every lower and left eighth block too.
     * Measured at 120x40 (relabel-bench detail, pixels): RMS 7.23 -> 7.05
     * on the cat, 28.4 -> 28.7 dB on the demo photos (chafa --symbols
     * block: 28.6), the canvas 1.5x slower; chafa's whole block tag
     * (upper and right eighths too) errs the same at 2.4x the time. */
    if (c->colors == RL_COLORS_FULL) {
        chafa_symbol_map_add_by_range(map, 0x2581, 0x2587);
        chafa_symbol_map_add_by_range(map, 0x2589, 0x258F);
    }
    chafa_canvas_config_set_geometry(cfg, dc, dr);
    chafa_canvas_config_set_canvas_mode(cfg, chafa_mode(c->colors));
    chafa_canvas_config_set_symbol_map(cfg, map);   /* copies the map */
    chafa_canvas_config_set_work_factor(cfg, WORK_FACTOR);
    chafa_canvas_config_set_dither_mode(cfg, CHAFA_DITHER_MODE_NONE);
    chafa_canvas_config_set_preprocessing_enabled(cfg,
                                                  c->colors <= RL_COLORS_16);
    cv = chafa_canvas_new(cfg);
    /* chafa 1.12 misreads RGB8 rows whose stride is not a multiple of 4
     * bytes (a 438-pixel-wide decode came out grey and sheared): pad. */
    if (stride % 4 != 0) {
        int ps = (stride + 3) & ~3;

        padded = rl_xmalloc((size_t)ps * (size_t)px->h);
        for (int y = 0; y < px->h; y++)
            memcpy(padded + (size_t)y * ps, px->rgb + (size_t)y * stride,
                   (size_t)stride);
        rgb = padded;
        stride = ps;
    }
    chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGB8, rgb, px->w, px->h,
                                 stride);
    free(padded);

    for (int y = 0; y < dr; y++) {
        rl_cell *row = c->cell + (size_t)(oy + y) * c->cols + ox;

        for (int x = 0; x < dc; x++) {
            int fg = -1, bg = -1;

            row[x].cp = (uint32_t)chafa_canvas_get_char_at(cv, x, y);
            /* raw: palette indices in indexed modes, 0xRRGGBB in truecolor */
            if (c->colors != RL_COLORS_NONE)
                chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
            row[x].fg = fg;
            row[x].bg = bg;
        }
    }
    chafa_canvas_unref(cv);
    chafa_canvas_config_unref(cfg);
    chafa_symbol_map_unref(map);
}

rl_cells *
rl_render_cells(const rl_pixels *px, int cols, int rows, rl_render_mode mode,
                rl_colors colors, rl_err *err)
{
    rl_cells *c;
    int dc, dr;

    if (cols <= 0 || rows <= 0 || cols > RL_RENDER_MAX_CELLS
        || rows > RL_RENDER_MAX_CELLS) {
        rl_err_set(err, RL_E_RANGE, "no room for the image (%dx%d cells)",
                   cols, rows);
        return NULL;
    }
    if (px == NULL || px->rgb == NULL || px->w <= 0 || px->h <= 0) {
        rl_err_set(err, RL_E_IMAGE, "no image to render");
        return NULL;
    }
    if ((unsigned)colors > RL_COLORS_FULL
        || (mode != RL_RENDER_SYMBOLS && mode != RL_RENDER_ASCII)) {
        rl_err_set(err, RL_E_RANGE, "unknown render mode");
        return NULL;
    }

    fit(px->w, px->h, cols, rows, &dc, &dr);
    c = rl_cells_blank(cols, rows, mode == RL_RENDER_ASCII ? RL_COLORS_NONE
                                                      : colors);
    if (mode == RL_RENDER_ASCII)
        draw_ascii(px, c, (cols - dc) / 2, (rows - dr) / 2, dc, dr);
    else
        draw_chafa(px, c, (cols - dc) / 2, (rows - dr) / 2, dc, dr);
    return c;
}

rl_cells *
rl_cells_dup(const rl_cells *c)
{
    rl_cells *d;
    size_t n;

    if (c == NULL)
        return NULL;
    n = (size_t)c->cols * c->rows;
    d = rl_xmalloc(sizeof *d);
    *d = *c;
    d->cell = rl_xmalloc(n * sizeof *d->cell);
    memcpy(d->cell, c->cell, n * sizeof *d->cell);
    d->pic = rl_pic_dup(c->pic);
    return d;
}

void
rl_cells_free(rl_cells *c)
{
    if (c == NULL)
        return;
    free(c->cell);
    rl_pic_free(c->pic);
    free(c);
}

rl_cells *
rl_render_file(const char *path, int cols, int rows, rl_render_mode mode,
               rl_colors colors, char *warning, rl_err *err)
{
    rl_pixels *px = NULL;
    rl_cells *c = NULL;
    int mw, mh;

    if (warning != NULL)
        warning[0] = '\0';
    rl_render_target_px(cols, rows, &mw, &mh);
    if (mw == 0) {
        rl_err_set(err, RL_E_RANGE, "no room for the image (%dx%d cells)",
                   cols, rows);
        goto out;
    }
    px = rl_pixels_load(path, mw, mh, err);
    if (px == NULL)
        goto out;
    c = rl_render_cells(px, cols, rows, mode, colors, err);
    if (c != NULL && warning != NULL)
        memcpy(warning, px->warning, sizeof px->warning);
out:
    rl_pixels_free(px);
    return c;
}
