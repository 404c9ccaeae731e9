/* sixel.c - the DEC sixel payload, drawn by chafa 1.12's sixel canvas
 * (CHAFA_PIXEL_MODE_SIXELS): chafa scales the picture to the displayed
 * size, picks a palette and encodes it, as `chafa -f sixel` does, so the
 * output is no larger than the chafa tool's for the same size (measured:
 * relabel-bench pixels).
 *
 * Chafa sizes a pixel canvas as cells x cell pixels and stretches the
 * image to fill it. To draw exactly w x h (the fitted size, so nothing is
 * stretched), the canvas is one "cell" of that many pixels. The sixel
 * sequence leaves the cursor where the terminal puts it; the caller
 * restores it. */
#include "relabel/picture.h"

#include <stdlib.h>
#include <string.h>

#include <chafa.h>

#include "relabel/err.h"
#include "relabel/util.h"

int
rl_sixel_encode(const rl_pixels *px, int w, int h, rl_buf *out, rl_err *err)
{
    ChafaCanvasConfig *cfg;
    ChafaCanvas *cv;
    ChafaTermDb *db;
    ChafaTermInfo *ti;
    GString *s;
    unsigned char *rgba;
    size_t i;

    if (px == NULL || px->w <= 0 || px->h <= 0 || w <= 0 || h <= 0) {
        rl_err_set(err, RL_E_IMAGE, "sixel picture: no pixels");
        return -1;
    }
    cfg = chafa_canvas_config_new();
    chafa_canvas_config_set_pixel_mode(cfg, CHAFA_PIXEL_MODE_SIXELS);
    chafa_canvas_config_set_canvas_mode(cfg, CHAFA_CANVAS_MODE_TRUECOLOR);
    chafa_canvas_config_set_cell_geometry(cfg, w, h);
    chafa_canvas_config_set_geometry(cfg, 1, 1);
    cv = chafa_canvas_new(cfg);
    /* RGBA: chafa 1.12 misreads packed RGB rows of odd widths (the
     * picture comes out sheared). */
    rgba = rl_xmalloc((size_t)px->w * px->h * 4);
    for (i = 0; i < (size_t)px->w * px->h; i++) {
        memcpy(rgba + i * 4, px->rgb + i * 3, 3);
        rgba[i * 4 + 3] = 255;
    }
    chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, rgba,
                                 px->w, px->h, px->w * 4);
    free(rgba);
    /* The sixel escapes come from a terminal description: chafa's
     * fallback one has the standard DCS q ... ST. */
    db = chafa_term_db_new();
    ti = chafa_term_db_get_fallback_info(db);
    s = chafa_canvas_print(cv, ti);
    rl_buf_add(out, s->str, s->len);
    g_string_free(s, TRUE);
    chafa_term_info_unref(ti);
    chafa_term_db_unref(db);
    chafa_canvas_unref(cv);
    chafa_canvas_config_unref(cfg);
    return 0;
}
