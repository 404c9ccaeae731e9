/* picture.h - real pixels for terminals that draw them (issue 11): an
 * image fitted at its displayed pixel size and encoded as kitty graphics,
 * DEC sixel or an iTerm2 inline image, plus the resampling that gets it
 * there and the zoom window of full screen.
 *
 *   rl_pixels_view     crop + resample a decoded image      (scale.c)
 *   rl_pic_encode      fitted pixels -> payload by mode      (pic.c, with
 *                      kitty.c, sixel.c, iterm.c one encoder each)
 *   rl_pic_place       payload -> terminal bytes at a cell   (pic.c)
 *
 * A payload does not know where it is drawn nor its kitty image id: the
 * same cached payload is placed in any pane, by whoever paints. Nothing
 * here touches the terminal or holds global state; every function may run
 * on any thread. Out of memory aborts (rl_xmalloc); errors are RL_E_RANGE
 * (sizes) or RL_E_IMAGE (an encoder failed) in rl_err. */
#ifndef RL_PICTURE_H
#define RL_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/render.h"
#include "relabel/termcaps.h"
#include "relabel/util.h"

/* Cell size assumed when the terminal did not say (termcaps 0x0). */
#define RL_PIC_CELL_W 10
#define RL_PIC_CELL_H 20
#define RL_PIC_MAX_ZOOM 8

/* Which part of an image is shown: `zoom` 1 (whole image), 2, 4 or 8,
 * about the point (cx, cy) given as fractions of the width and height.
 * rl_view_clamp keeps the window inside the image. */
typedef struct rl_view {
    int zoom;              /* 1..RL_PIC_MAX_ZOOM, 1 = fit whole image */
    double cx, cy;         /* centre of the window, 0..1 each */
} rl_view;

#define RL_VIEW_FIT ((rl_view){ 1, 0.5, 0.5 })

/* Clamps zoom to 1..RL_PIC_MAX_ZOOM and the centre so the window of
 * 1/zoom of each side stays inside the image. */
void rl_view_clamp(rl_view *v);

/* The window of `v` on an image of w x h: x, y, width, height in source
 * pixels (doubles, for exact resampling). */
void rl_view_window(const rl_view *v, int w, int h, double win[4]);

/* Resamples the window `win` (as from rl_view_window, in px's pixels) of
 * `px` to exactly dw x dh pixels: area average where it shrinks, bilinear
 * where it grows. Returns new pixels (src_w/src_h copied from px) to free
 * with rl_pixels_free(), or NULL with RL_E_RANGE for an empty window or a
 * size <= 0 or above RL_IMAGE_MAX_PIXELS. */
rl_pixels *rl_pixels_view(const rl_pixels *px, const double win[4], int dw,
                          int dh, rl_err *err);

/* Largest w x h inside box_w x box_h with the aspect of iw x ih (at least
 * 1x1). Never stretches: w/h equals iw/ih to within a pixel. */
void rl_pic_fit(int iw, int ih, int box_w, int box_h, int *w, int *h);

/* An encoded picture. `data` is what the mode's framing carries:
 * base64 of a PNG (kitty), a complete DCS sixel sequence (sixel), base64
 * of a JPEG (iTerm2). */
typedef struct rl_pic {
    rl_pixmode mode;       /* RL_PIX_SIXEL, RL_PIX_ITERM or RL_PIX_KITTY */
    int px_w, px_h;        /* displayed pixel size */
    int cols, rows;        /* cells it covers (rounded up) */
    int x, y;              /* offset in cells from the pane's top-left
                            * that centres it */
    char *data;            /* owned, len bytes (NUL after them) */
    size_t len;
    uint64_t sum;          /* FNV-1a of mode, size and data: equal sums,
                            * the same picture (to skip resending it) */
} rl_pic;

/* Encodes the window `v` of `px` for a pane of cols x rows cells of
 * cell_w x cell_h pixels (0 means RL_PIC_CELL_*): the window is fitted
 * with its aspect into the pane's pixels, resampled to that size and
 * encoded in `mode`. Returns a payload to free with rl_pic_free(), or
 * NULL with `err` set (RL_E_RANGE: no room or not a pixel mode;
 * RL_E_IMAGE: the encoder failed). */
rl_pic *rl_pic_encode(const rl_pixels *px, const rl_view *v, rl_pixmode mode,
                      int cols, int rows, int cell_w, int cell_h,
                      rl_err *err);

/* Deep copy / free (NULL is a no-op for both). */
rl_pic *rl_pic_dup(const rl_pic *p);
void rl_pic_free(rl_pic *p);

/* The pixel mode a render mode draws in (RL_PIX_ASCII / _SYMBOLS for
 * the character modes), and back. */
rl_pixmode rl_render_pixmode(rl_render_mode mode);
rl_render_mode rl_pixmode_render(rl_pixmode pix);

/* Pixels the decoder should aim for so window `v` of an image fills
 * cols x rows cells in `mode`: cols*cell_w x rows*cell_h for pixel
 * modes, rl_render_target_px() for character modes, times the zoom. */
void rl_render_view_target(int cols, int rows, rl_render_mode mode,
                           int cell_w, int cell_h, const rl_view *v,
                           int *max_w, int *max_h);

/* Renders window `v` (NULL: the whole image) of `px` into a new
 * cols x rows grid in any mode. Character modes crop and resample the
 * window, then draw as rl_render_cells() does; pixel modes give a blank
 * grid with `pic` set by rl_pic_encode(). cell_w/cell_h as there.
 * Returns a grid to free with rl_cells_free(), or NULL with `err` set as
 * by rl_render_cells() and rl_pic_encode(). */
rl_cells *rl_render_view(const rl_pixels *px, int cols, int rows,
                         rl_render_mode mode, rl_colors colors,
                         const rl_view *v, int cell_w, int cell_h,
                         rl_err *err);

/* Prefetcher keys for pixel modes and zoom (render.h has the rest):
 * the cell size grids are drawn for from now on (0x0: assume 10x20;
 * grids of another size stay cached under their own key), and the _view
 * forms of rl_prefetch_want/get, whose window `v` (NULL: whole image) is
 * part of the key. A zoomed window decodes the file again when the
 * cached pixels are coarser than the zoom needs. */
void rl_prefetch_set_cell(rl_prefetch *pf, int cell_w, int cell_h);
void rl_prefetch_want_view(rl_prefetch *pf, const char *path, int cols,
                           int rows, rl_render_mode mode, rl_colors colors,
                           const rl_view *v);
rl_cells *rl_prefetch_get_view(rl_prefetch *pf, const char *path, int cols,
                               int rows, rl_render_mode mode,
                               rl_colors colors, const rl_view *v,
                               char *warning, rl_err *err);

/* Appends to `out` the bytes that draw `p` in a pane whose top-left cell
 * is (top, left), 0-based: CUP to the centred position, then the mode's
 * framing. Kitty: the image `id` (> 0) is transmitted as PNG in chunks of
 * at most 4096 base64 bytes (m=1 ... m=0) and displayed at once (a=T,
 * f=100, q=2 so the terminal never answers, C=1 so the cursor stays,
 * z=-1 under text), after deleting any earlier image with that id.
 * With `passthrough`, every escape sequence is wrapped in tmux's DCS
 * passthrough (ESC P tmux; ... ESC \, inner ESCs doubled). */
void rl_pic_place(const rl_pic *p, int top, int left, unsigned id,
                  bool passthrough, rl_buf *out);

/* Appends the bytes that remove picture `id` from the screen and the
 * terminal's memory (kitty: a=d,d=I; id 0 deletes every image, d=A).
 * Other modes have nothing to delete: their pictures go with the cells
 * written over them, so nothing is appended. */
void rl_pic_erase(rl_pixmode mode, unsigned id, bool passthrough,
                  rl_buf *out);

/* The encoders, on pixels already at their displayed size (sixel: any
 * size, resampled to w x h first); each appends to `out` and returns 0,
 * or -1 with RL_E_IMAGE set (sixel: RL_E_RANGE for a size that
 * rl_pixels_view refuses). The sixel is our own (sixel.c): at most 256
 * registers, defined once in RGB percent, no dithering. */
int rl_kitty_encode(const rl_pixels *px, rl_buf *out, rl_err *err);
int rl_sixel_encode(const rl_pixels *px, int w, int h, rl_buf *out,
                    rl_err *err);
int rl_iterm_encode(const rl_pixels *px, rl_buf *out, rl_err *err);

/* Standard base64 (RFC 4648, padded) of in[0..n), appended to `out`. */
void rl_base64_add(rl_buf *out, const unsigned char *in, size_t n);

#endif
