/* fuzz_sixel.c - our sixel encoder, rl_sixel_encode(), on any picture.
 *
 * Input: byte 0 and 1 give the width and height (1..64), byte 2 picks
 * how colours are made, the rest are the pixels, repeated to fill the
 * picture. Colour kinds: raw RGB bytes (any of 2^24 colours); an index
 * into 12 colours a register holds exactly (then the picture must come
 * back exactly); and raw bytes with the low bits cut (many pixels share
 * a histogram bin). Every other input is also encoded at a size derived
 * from byte 3 (1..96 x 1..96), which resamples first.
 *
 * Checks: the sequence is ESC P 0;1;0 q "1;1;W;H, then only sixel
 * characters, digits and # ; ! $ - up to the single ST at its end; at
 * most 256 registers, each defined once before it is selected; repeats
 * are at least 4; the picture decodes (tests/unit/picdecode.h) at W x H;
 * exact colours come back exactly. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/picture.h"
#include "relabel/util.h"
#include "../unit/picdecode.h"

static const int exact[12][3] = {
    { 0, 0, 0 }, { 100, 100, 100 }, { 80, 20, 10 }, { 10, 60, 30 },
    { 20, 30, 90 }, { 50, 50, 0 }, { 0, 40, 70 }, { 100, 0, 0 },
    { 0, 100, 0 }, { 0, 0, 100 }, { 60, 60, 60 }, { 30, 30, 30 },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* The structure of one sequence; every register selected was defined. */
static void
check_syntax(const rl_buf *b, int w, int h)
{
    char head[64];
    bool defined[256];
    size_t i, n;

    memset(defined, 0, sizeof defined);
    n = (size_t)snprintf(head, sizeof head, "\033P0;1;0q\"1;1;%d;%d", w, h);
    FUZZ_CHECK(b->len > n + 2 && memcmp(b->data, head, n) == 0,
               "header is not %s", head + 2);
    FUZZ_CHECK(memcmp(b->data + b->len - 2, "\033\\", 2) == 0, "no ST");
    for (i = n; i < b->len - 2; i++) {
        unsigned char c = (unsigned char)b->data[i];

        if (c == '#') {
            long r = strtol(b->data + i + 1, NULL, 10);
            size_t d = strspn(b->data + i + 1, "0123456789");

            FUZZ_CHECK(d > 0 && r >= 0 && r < 256, "register at %zu", i);
            if (b->data[i + 1 + d] == ';') {
                FUZZ_CHECK(!defined[r], "register %ld defined twice", r);
                defined[r] = true;
            } else {
                FUZZ_CHECK(defined[r], "register %ld used undefined", r);
            }
            i += d;
        } else if (c == '!') {
            long r = strtol(b->data + i + 1, NULL, 10);
            size_t d = strspn(b->data + i + 1, "0123456789");
            unsigned char s = (unsigned char)b->data[i + 1 + d];

            FUZZ_CHECK(r >= 4 && r <= w, "repeat %ld at %zu", r, i);
            FUZZ_CHECK(s >= '?' && s <= '~', "repeat of 0x%02x", s);
            i += d + 1;
        } else {
            FUZZ_CHECK((c >= '?' && c <= '~') || c == '$' || c == '-'
                       || c == ';' || (c >= '0' && c <= '9'),
                       "byte 0x%02x at %zu", c, i);
        }
    }
}

static void
encode(const rl_pixels *px, int w, int h, bool exact_colours)
{
    rl_buf b = {0};
    rl_err e;
    struct pd_image *im;

    FUZZ_CHECK(rl_sixel_encode(px, w, h, &b, &e) == 0, "encode %dx%d: %s",
               w, h, e.msg);
    check_syntax(&b, w, h);
    im = pd_sixel(b.data, b.len);
    FUZZ_CHECK(im != NULL && im->w == w && im->h == h,
               "decodes at %dx%d, not %dx%d", im ? im->w : 0,
               im ? im->h : 0, w, h);
    if (exact_colours)
        FUZZ_CHECK(memcmp(im->rgb, px->rgb, (size_t)w * h * 3) == 0,
                   "%dx%d of exact colours does not come back", w, h);
    pd_free(im);
    rl_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rl_pixels px = {0};
    int kind, i, n;

    (void)pd_kitty;            /* picdecode.h: only its sixel decoder */
    (void)pd_psnr;
    if (size < 5)
        return 0;
    px.w = 1 + data[0] % 64;
    px.h = 1 + data[1] % 64;
    kind = data[2] % 3;
    n = px.w * px.h;
    px.rgb = rl_xmalloc((size_t)n * 3);
    for (i = 0; i < n * 3; i++) {
        uint8_t v = data[4 + (size_t)i % (size - 4)];

        if (kind == 1)
            px.rgb[i] = (uint8_t)((exact[data[4 + (size_t)(i / 3)
                                             % (size - 4)] % 12][i % 3]
                                   * 255 + 50) / 100);
        else
            px.rgb[i] = kind == 2 ? (uint8_t)(v & 0xE0) : v;
    }
    encode(&px, px.w, px.h, kind == 1);
    if (data[3] & 1)
        encode(&px, 1 + data[3] % 96, 1 + (data[3] * 7 + data[0]) % 96,
               false);
    free(px.rgb);
    return 0;
}
