/* fuzz_jpeg.c - JPEG decode and render: rl_pixels_decode(), then
 * rl_render_cells() at 40x20 (ASCII; SYMBOLS with 256 colours; SYMBOLS
 * with a colour depth picked by the input's length) and rl_cells_to_ansi().
 *
 * Input: the JPEG bytes as they are. The decode aims at 80x80 pixels, so
 * most images take the DCT shortcut. While fuzzing (RL_FUZZING), headers
 * claiming more than FUZZ_MAX_SRC pixels are skipped, as libjpeg-turbo's
 * own fuzzers do: a sequential 60000x60000 frame made of a few hundred
 * bytes rightly takes seconds to decode at 1/8, which would only slow the
 * search and trip its timeout. Replays (ctest) decode everything, so
 * regressions with huge headers still run. chafa draws on one thread:
 * its glib worker pool left LeakSanitizer reports without a stack that no
 * replay reproduced, and one thread keeps runs deterministic.
 *
 * Checks: a NULL result carries a message; pixels are non-empty and no
 * larger than the source or the pixel cap; the warning is printable;
 * every cell is a safe code point (ramp characters in ASCII mode) with
 * colours valid for the depth; the terminal bytes are valid UTF-8 whose
 * only controls are CSI sequences of the four kinds rl_cells_to_ansi
 * documents (SGR, CUP, ECH, CUF). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <chafa.h>
#include <turbojpeg.h>

#include "relabel/err.h"
#include "relabel/render.h"
#include "relabel/util.h"

#define COLS 40
#define ROWS 20
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    chafa_set_n_threads(1);
    return 0;
}

#ifdef RL_FUZZING
#define FUZZ_MAX_SRC (4096L * 4096)

/* True when the header claims more than FUZZ_MAX_SRC pixels. */
static bool
huge(const uint8_t *data, size_t size)
{
    int w = 0, h = 0, ss, cs;
    tjhandle tj = tjInitDecompress();
    bool big;

    if (tj == NULL)
        return false;
    big = tjDecompressHeader3(tj, data, (unsigned long)size, &w, &h, &ss,
                              &cs) == 0 && (long)w * h > FUZZ_MAX_SRC;
    tjDestroy(tj);
    return big;
}
#endif

static void
check_cells(const rl_cells *c, rl_render_mode mode, rl_colors colors)
{
    static const char ramp[] = " .:-=+*#%@";

    FUZZ_CHECK(c->cols == COLS && c->rows == ROWS, "grid %dx%d", c->cols,
               c->rows);
    FUZZ_CHECK(c->colors == (mode == RL_RENDER_ASCII ? RL_COLORS_NONE
                                                     : colors),
               "grid colours %d", (int)c->colors);
    for (int i = 0; i < COLS * ROWS; i++) {
        const rl_cell *k = &c->cell[i];
        int32_t top = colors == RL_COLORS_8 ? 7 : colors == RL_COLORS_16
                      ? 15 : colors == RL_COLORS_256 ? 255 : 0xFFFFFF;

        if (mode == RL_RENDER_ASCII) {
            FUZZ_CHECK(k->cp < 0x80 && k->cp != 0
                       && strchr(ramp, (int)k->cp) != NULL,
                       "cell %d: U+%04X not on the ramp", i, (unsigned)k->cp);
            FUZZ_CHECK(k->fg == -1 && k->bg == -1, "cell %d: ASCII colour",
                       i);
            continue;
        }
        FUZZ_CHECK(k->cp == 0 || (k->cp <= 0x10FFFF
                                  && !fuzz_unsafe_cp(k->cp)),
                   "cell %d: unsafe U+%04X", i, (unsigned)k->cp);
        if (c->colors == RL_COLORS_NONE)
            top = -1;
        FUZZ_CHECK(k->fg >= -1 && k->fg <= top && k->bg >= -1
                   && k->bg <= top, "cell %d: colours %d/%d at depth %d", i,
                   (int)k->fg, (int)k->bg, (int)c->colors);
    }
}

/* The terminal bytes: valid UTF-8, and every control is ESC [ digits and
 * semicolons, then m, H, X or C. */
static void
check_ansi(const rl_buf *b)
{
    const unsigned char *s = (const unsigned char *)b->data;
    size_t n = b->len, i = 0;

    FUZZ_CHECK(fuzz_utf8_valid(b->data, n), "ANSI output: invalid UTF-8");
    while (i < n) {
        uint32_t cp;
        size_t k;

        if (s[i] == 0x1B) {
            FUZZ_CHECK(i + 1 < n && s[i + 1] == '[', "ESC not CSI at %zu",
                       i);
            i += 2;
            while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
                i++;
            FUZZ_CHECK(i < n && strchr("mHXC", s[i]) != NULL,
                       "CSI ends with 0x%02x at %zu", i < n ? s[i] : 0, i);
            i++;
            continue;
        }
        k = fuzz_utf8_len(s + i, n - i, &cp);
        FUZZ_CHECK(!fuzz_unsafe_cp(cp), "ANSI output: U+%04X at %zu",
                   (unsigned)cp, i);
        i += k;
    }
}

static void
render(const rl_pixels *px, rl_render_mode mode, rl_colors colors)
{
    rl_err err;
    rl_cells *c = rl_render_cells(px, COLS, ROWS, mode, colors, &err);
    rl_buf b = {0};

    FUZZ_CHECK(c != NULL, "render failed: %s", err.msg);
    check_cells(c, mode, colors);
    rl_cells_to_ansi(c, 3, 5, &b);
    check_ansi(&b);
    rl_buf_free(&b);
    rl_cells_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rl_err err;
    rl_pixels *px;
    rl_colors extra = (rl_colors)(size % 5);

#ifdef RL_FUZZING
    if (huge(data, size))
        return 0;
#endif
    rl_err_clear(&err);
    px = rl_pixels_decode(data, size, 80, 80, &err);
    if (px == NULL) {
        FUZZ_CHECK(err.code == RL_E_IMAGE && err.msg[0] != '\0',
                   "NULL without RL_E_IMAGE (%d)", (int)err.code);
        return 0;
    }
    FUZZ_CHECK(px->rgb != NULL && px->w > 0 && px->h > 0, "empty pixels");
    FUZZ_CHECK(px->w <= px->src_w && px->h <= px->src_h,
               "%dx%d decoded from %dx%d", px->w, px->h, px->src_w,
               px->src_h);
    FUZZ_CHECK((long)px->w * px->h <= RL_IMAGE_MAX_PIXELS, "%dx%d pixels",
               px->w, px->h);
    FUZZ_CHECK(memchr(px->warning, '\0', sizeof px->warning) != NULL,
               "warning not terminated");
    fuzz_check_safe(px->warning, strlen(px->warning), "warning");
    {
        /* touch the last pixel, so ASan sees a short buffer */
        volatile unsigned char last = px->rgb[(size_t)px->w * px->h * 3 - 1];

        (void)last;
    }

    render(px, RL_RENDER_ASCII, RL_COLORS_NONE);
    render(px, RL_RENDER_SYMBOLS, RL_COLORS_256);
    if (extra != RL_COLORS_256)
        render(px, RL_RENDER_SYMBOLS, extra);
    rl_pixels_free(px);
    return 0;
}
