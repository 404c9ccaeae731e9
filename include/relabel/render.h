/* render.h - JPEG decoding and character-cell rendering of images.
 *
 * Three stages, each usable alone:
 *   rl_pixels_load/decode file or buffer -> rl_pixels (RGB, upright,
 *                         DCT-scaled to the pane)            (jpeg.c)
 *   rl_render_cells       rl_pixels -> rl_cells grid of code points and
 *                         colours, read back from a chafa canvas or drawn
 *                         from a luminance ramp              (canvas.c)
 *   rl_cells_to_ansi      rl_cells -> terminal bytes          (ansi.c)
 * plus rl_prefetch, a worker thread with an LRU cache of both pixels and
 * grids (prefetch.c).
 *
 * Nothing here touches the terminal or holds global state: every call
 * builds its own decoder and canvas, so any function may run on any
 * thread. (The decoder is rl_pixels_*, not rl_image_*: review.h owns
 * rl_image_load for an image's review state.) Errors are one-line messages in rl_err (code RL_E_IO for files
 * that cannot be read, RL_E_IMAGE for data that cannot be decoded,
 * RL_E_RANGE for unusable sizes). */
#ifndef RL_RENDER_H
#define RL_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/util.h"

/* Limits checked before anything is allocated. */
#define RL_IMAGE_MAX_DIM     65535          /* per side, from the header */
#define RL_IMAGE_MAX_PIXELS  64000000L      /* decoded (scaled) pixels */
#define RL_IMAGE_MAX_FILE    (256L << 20)   /* bytes read from a file */
#define RL_RENDER_MAX_CELLS  4096           /* per side of a cell grid */

/* Decoded image: packed RGB, rows top to bottom, already turned upright
 * by its EXIF Orientation. */
typedef struct rl_pixels {
    int w, h;             /* pixel size of rgb, after scaling/rotation */
    unsigned char *rgb;   /* w*h*3 bytes, owned */
    int src_w, src_h;     /* full image size (upright) before scaling */
    char warning[128];    /* "" or e.g. "truncated JPEG: shown partly" */
} rl_pixels;

/* Reads a whole JPEG file and decodes it as rl_pixels_decode() does.
 * The format is sniffed from the magic bytes, never the file name.
 * Returns a new image to free with rl_pixels_free(), or NULL with `err`
 * set: RL_E_IO and the system's text ("No such file or directory",
 * "Is a directory", "file too large"), or RL_E_IMAGE as below. */
rl_pixels *rl_pixels_load(const char *path, int max_w, int max_h, rl_err *err);

/* Decodes the JPEG in data[0..n) (not retained). The TurboJPEG scaling
 * factor is the smallest one (at most 1/1) whose output, fitted with its
 * aspect ratio into max_w x max_h, is not smaller than that fitted box:
 * a 4000x2664 photo aimed at 800x640 decodes at 1/4, a 500x333 one at
 * full size. max_w or max_h <= 0 means full size. Greyscale, progressive,
 * arithmetic, RGB, CMYK and YCCK (Adobe, inverted) files all come out as
 * RGB; EXIF Orientation 2..8 is applied, so src_w/src_h and w/h are the
 * upright sizes. A truncated or damaged file that still decodes returns
 * pixels with `warning` set. Returns NULL with RL_E_IMAGE and a one-line
 * message ("empty file", "not a JPEG (PNG data)", "image too large
 * (65500x65500)", the decoder's text) when nothing can be shown. */
rl_pixels *rl_pixels_decode(const unsigned char *data, size_t n,
                            int max_w, int max_h, rl_err *err);

/* Frees an image and its pixels; NULL is a no-op. */
void rl_pixels_free(rl_pixels *p);

/* Colour depth of a cell grid and of its terminal bytes. */
typedef enum rl_colors {
    RL_COLORS_NONE,   /* default colours only */
    RL_COLORS_8,      /* palette 0..7 */
    RL_COLORS_16,     /* palette 0..15 */
    RL_COLORS_256,    /* palette 16..255 (the first 16 are user-themed) */
    RL_COLORS_FULL    /* 24-bit 0xRRGGBB */
} rl_colors;

typedef enum rl_render_mode {
    RL_RENDER_SYMBOLS,   /* chafa: space, half, quadrant and quarter
                          * blocks (U+2580..259F) with colours */
    RL_RENDER_ASCII,     /* " .:-=+*#%@" by luminance, no colour;
                          * deterministic, for golden test screens */
    RL_RENDER_SIXEL,     /* real pixels (picture.h): the grid is blank */
    RL_RENDER_KITTY,     /* and its `pic` holds the picture to place */
    RL_RENDER_ITERM      /* over it; only rl_render_view draws these */
} rl_render_mode;

/* One terminal cell. A cell with cp == 0 is the right half of a wide
 * character to its left and is not printed. */
typedef struct rl_cell {
    uint32_t cp;      /* code point */
    int32_t fg, bg;   /* 0xRRGGBB (RL_COLORS_FULL), palette index
                       * (8/16/256), or -1 for the terminal default */
} rl_cell;

struct rl_pic;

typedef struct rl_cells {
    int cols, rows;     /* grid size */
    rl_colors colors;   /* how fg/bg are to be read */
    rl_cell *cell;      /* rows*cols, row-major, owned */
    struct rl_pic *pic; /* pixel modes: the picture over the (blank)
                         * grid, owned; NULL otherwise (picture.h) */
} rl_cells;

/* A cols x rows grid of spaces in default colours, no picture; NULL for
 * sizes <= 0 or above RL_RENDER_MAX_CELLS. Free with rl_cells_free(). */
rl_cells *rl_cells_blank(int cols, int rows, rl_colors colors);

/* Pixel size the decoder should aim for so an image fills cols x rows
 * cells: cols*8 x rows*16 (cells are about twice as tall as wide). Either
 * output is 0 when cols or rows is <= 0. */
void rl_render_target_px(int cols, int rows, int *max_w, int *max_h);

/* Renders `px` into a new cols x rows grid: the image is fitted with its
 * aspect ratio (a cell taken as 1:2) and centred; the cells around it are
 * spaces with default colours. SYMBOLS draws through a chafa canvas of
 * its own (work factor and symbol set tuned for speed); ASCII is a plain
 * luminance ramp with fg = bg = -1, identical on every call. `colors`
 * is ignored for ASCII (the grid says RL_COLORS_NONE). Returns a grid to
 * free with rl_cells_free(), or NULL with RL_E_RANGE when cols or rows
 * is <= 0 or above RL_RENDER_MAX_CELLS, or RL_E_IMAGE when px is empty. */
rl_cells *rl_render_cells(const rl_pixels *px, int cols, int rows,
                          rl_render_mode mode, rl_colors colors, rl_err *err);

/* Returns a deep copy of `c` (its picture too) to free with
 * rl_cells_free(). */
rl_cells *rl_cells_dup(const rl_cells *c);

/* Frees a grid; NULL is a no-op. */
void rl_cells_free(rl_cells *c);

/* Appends to `out` the bytes that paint grid `c` with its top-left cell at
 * screen row `top`, column `left` (0-based): an SGR reset (CSI 0 m), one
 * CUP (CSI row;col H) per row, SGR only where the colours that matter
 * change (a space ignores the foreground, a full block the background;
 * 38;5/48;5 for 256 colours, 38;2/48;2 for full, 30-37/90-97 and
 * 40-47/100-107 for 8/16), a block glyph swapped for its complement with
 * the colours exchanged where that is shorter, runs of blank default
 * cells erased with ECH (CSI n X, then CUF) rather than spaces, and a
 * final SGR reset. Colour state carries over a CUP, so rows do not
 * restate it. Control and other unsafe code points are written as '?'.
 * Nothing outside the rectangle is touched. The caller writes the bytes
 * to the terminal. */
void rl_cells_to_ansi(const rl_cells *c, int top, int left, rl_buf *out);

/* Load + render in one call: decodes `path` aimed at
 * rl_render_target_px(cols, rows) and renders it. If `warning` is not
 * NULL it receives (128 bytes) the decoder's warning or "". Returns a grid
 * to free with rl_cells_free(), or NULL with `err` set as by
 * rl_pixels_load() or rl_render_cells(). Thread-safe. */
rl_cells *rl_render_file(const char *path, int cols, int rows,
                         rl_render_mode mode, rl_colors colors,
                         char *warning, rl_err *err);

/* Prefetcher ------------------------------------------------------- */

/* A worker thread and an LRU cache of rendered grids, keyed by
 * (path, cols, rows, mode, colors), and of decoded pixels, keyed by path,
 * so that a resize re-renders from pixels without decoding again. Failed
 * loads are cached too, so a bad file is not re-read on every frame. The
 * worker never touches the terminal and blocks all signals. All functions
 * but _new and _free may be called from any thread. */
typedef struct rl_prefetch rl_prefetch;

/* Counters, for tests and the status line. */
typedef struct rl_prefetch_stats {
    unsigned long decodes;   /* files decoded (rl_pixels_load calls) */
    unsigned long renders;   /* grids rendered from pixels */
    unsigned long hits;      /* rl_prefetch_get served from the cache */
    unsigned long waits;     /* rl_prefetch_get waited for the worker */
    size_t cached;           /* grids held now (ready or failed) */
} rl_prefetch_stats;

/* Starts the worker. `max_entries` (0 means 16) bounds the grids kept;
 * pixels are kept for at most min(max_entries, 4) files. Never NULL: if
 * the thread cannot start, the cache still works and every
 * rl_prefetch_get() renders on its caller. Free with rl_prefetch_free(). */
rl_prefetch *rl_prefetch_new(size_t max_entries);

/* Queues a render for the worker and returns at once. Newest wishes are
 * served first; an entry already cached or queued is only refreshed. */
void rl_prefetch_want(rl_prefetch *pf, const char *path, int cols, int rows,
                      rl_render_mode mode, rl_colors colors);

/* Returns a new copy of the grid for this key, to free with
 * rl_cells_free(). If the worker is rendering it, waits for that result;
 * if it is only queued or unknown, renders it on the calling thread
 * (reusing cached pixels when they are large enough). `warning` (128
 * bytes, may be NULL) receives the decoder's warning or "". On failure
 * returns NULL with `err` set as rl_render_file() does; the failure is
 * cached like a grid. */
rl_cells *rl_prefetch_get(rl_prefetch *pf, const char *path, int cols,
                          int rows, rl_render_mode mode, rl_colors colors,
                          char *warning, rl_err *err);

/* Copies the counters into *st. */
void rl_prefetch_counters(rl_prefetch *pf, rl_prefetch_stats *st);

/* Stops and joins the worker (after its current job), frees the cache;
 * NULL is a no-op. */
void rl_prefetch_free(rl_prefetch *pf);

#endif
