/* fuzz_guide.c - the Markdown guide renderer, rl_guide_render().
 *
 * Input: a width byte, then Markdown (not NUL-terminated: the renderer
 * must keep to the length it is given). It renders at the width bits 0-6
 * give (0..127; below 2 means 2) and at 80 columns. With bit 7 set the
 * Markdown is followed in memory by a ')' outside its length, to catch
 * reads past the end where ASan cannot (md4c is not instrumented; on an
 * unclosed link destination it read one byte on); without it the buffer
 * ends exactly, so ASan sees such reads in relabel's own code.
 *
 * Checks what guide.h and guide.c promise: every span and image path is
 * valid UTF-8 free of escapes, bidi overrides and other controls; no line
 * is wider than the width, indent included; heading levels are 0..6; an
 * image path lies inside the base folder and does not climb out with "..".
 */
#include "fuzz.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/guide.h"
#include "relabel/util.h"

/* Images resolve against this folder; `base` is its real path, which is
 * what the renderer puts in front of them. */
#define BASE "/tmp"
static char base[PATH_MAX] = BASE;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setlocale(LC_CTYPE, "C.UTF-8");
    if (realpath(BASE, base) == NULL)
        snprintf(base, sizeof base, "%s", BASE);
    return 0;
}

static void
check_doc(const rl_doc *d, int width)
{
    int lim = width < 2 ? 2 : width;

    for (size_t i = 0; i < d->n; i++) {
        const rl_line *ln = &d->lines[i];
        int w = ln->indent;

        FUZZ_CHECK(ln->indent >= 0, "line %zu: indent %d", i, ln->indent);
        FUZZ_CHECK(ln->heading_level >= 0 && ln->heading_level <= 6,
                   "line %zu: heading level %d", i, ln->heading_level);
        FUZZ_CHECK(ln->n == 0 || ln->spans != NULL, "line %zu: no spans", i);
        for (size_t j = 0; j < ln->n; j++) {
            const rl_span *sp = &ln->spans[j];

            FUZZ_CHECK(sp->text != NULL, "line %zu span %zu: NULL", i, j);
            fuzz_check_safe(sp->text, strlen(sp->text), "span text");
            FUZZ_CHECK(sp->style >= 0 && sp->style < 128,
                       "line %zu span %zu: style %d", i, j, sp->style);
            w += rl_utf8_width(sp->text);
        }
        FUZZ_CHECK(w <= lim, "line %zu is %d columns wide, width %d", i, w,
                   lim);
        if (ln->image != NULL) {
            size_t n = strlen(ln->image);

            fuzz_check_safe(ln->image, n, "image path");
            FUZZ_CHECK(strncmp(ln->image, base, strlen(base)) == 0
                       && ln->image[strlen(base)] == '/',
                       "image outside the base folder: %s", ln->image);
            FUZZ_CHECK(strstr(ln->image, "/../") == NULL
                       && (n < 3 || strcmp(ln->image + n - 3, "/..") != 0),
                       "image path climbs out: %s", ln->image);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int widths[2];
    const char *md;
    char *tail = NULL;
    size_t len;

    if (size == 0)
        return 0;
    widths[0] = data[0] & 0x7F;
    widths[1] = 80;
    len = size - 1;
    if (data[0] & 0x80) {
        tail = rl_xmalloc(len + 1);
        memcpy(tail, data + 1, len);
        tail[len] = ')';
        md = tail;
    } else {
        md = (const char *)data + 1;
    }

    for (int k = 0; k < 2; k++) {
        rl_err err;
        rl_doc *d;

        rl_err_clear(&err);
        d = rl_guide_render(md, len, BASE, widths[k], &err);
        if (d == NULL) {
            FUZZ_CHECK(err.code != RL_E_OK, "NULL without an error");
            continue;
        }
        check_doc(d, widths[k]);
        rl_doc_free(d);
    }
    free(tail);
    return 0;
}
