/* fuzz_termreply.c - the terminal reply parser (rl_termreply_feed and
 * _finish) and the decision over what it found (rl_termcaps_decide).
 *
 * Input: one byte choosing the piece size (1..16) and the environment
 * (in tmux or not), then the bytes "the terminal" sent. Checks: feeding
 * them whole or in pieces gives the same facts and the same kept keys
 * (replies may be split anywhere); counters stay inside their arrays;
 * the XTVERSION text kept and every reason doctor would print are
 * printable ASCII (a hostile reply never reaches the screen raw). */
#include "fuzz.h"

#include <string.h>

#include "relabel/termcaps.h"

static void
check_ascii(const char *s, size_t size, bool newlines, const char *what)
{
    size_t n = strnlen(s, size), i;

    FUZZ_CHECK(n < size, "%s is not NUL-terminated", what);
    for (i = 0; i < n; i++)
        FUZZ_CHECK(((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
                   || (newlines && s[i] == '\n'),
                   "%s: byte 0x%02x at %zu", what, (unsigned char)s[i], i);
}

/* The facts of a reply, parser state left out. */
static void
same(const rl_termreply *a, const rl_termreply *b)
{
    FUZZ_CHECK(a->da1 == b->da1 && a->sixel == b->sixel
               && a->kitty == b->kitty && a->kitty_wrapped == b->kitty_wrapped
               && a->kitty_error == b->kitty_error && a->rgb == b->rgb
               && a->nversions == b->nversions, "flags differ when split");
    FUZZ_CHECK(strcmp(a->version, b->version) == 0
               && strcmp(a->outer, b->outer) == 0, "XTVERSION differs");
    FUZZ_CHECK(a->cell_w == b->cell_w && a->cell_h == b->cell_h
               && a->win_w == b->win_w && a->win_h == b->win_h,
               "sizes differ when split");
    FUZZ_CHECK(a->nkeys == b->nkeys && a->lost == b->lost
               && memcmp(a->keys, b->keys, a->nkeys) == 0,
               "kept keys differ when split (%zu, %zu)", a->nkeys, b->nkeys);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rl_termreply whole, split;
    rl_termopts none = RL_TERMOPTS_AUTO;
    rl_terminfo ti = { 256, false, "xterm-256color", false, 0, 0, 30, 100 };
    rl_termenv env = { 0 };
    rl_termcaps caps;
    size_t step, i;

    if (size < 1)
        return 0;
    step = (size_t)(data[0] & 15) + 1;
    env.term = "xterm-256color";
    env.tmux = data[0] & 16 ? "/tmp/tmux-0/default,1,0" : NULL;
    data++;
    size--;

    rl_termreply_init(&whole);
    rl_termreply_feed(&whole, data, size);
    rl_termreply_finish(&whole);
    rl_termreply_init(&split);
    for (i = 0; i < size; i += step)
        rl_termreply_feed(&split, data + i, size - i < step ? size - i : step);
    rl_termreply_finish(&split);
    same(&whole, &split);

    FUZZ_CHECK(whole.nkeys <= RL_TERMREPLY_KEYS, "nkeys %zu", whole.nkeys);
    FUZZ_CHECK(whole.nseq == 0, "finish left %zu bytes", whole.nseq);
    FUZZ_CHECK(whole.cell_w >= 0 && whole.cell_h >= 0 && whole.win_w >= 0
               && whole.win_h >= 0, "negative size");
    check_ascii(whole.version, sizeof whole.version, false, "version");
    check_ascii(whole.outer, sizeof whole.outer, false, "outer version");

    rl_termcaps_decide(&caps, &none, &none, &env, &ti, &whole);
    check_ascii(caps.terminal, sizeof caps.terminal, false, "terminal");
    check_ascii(caps.why, sizeof caps.why, true, "reasons");
    FUZZ_CHECK((unsigned)caps.pixels <= RL_PIX_KITTY
               && (unsigned)caps.colors <= RL_COLORS_FULL, "bad mode");
    FUZZ_CHECK(!caps.passthrough || caps.in_tmux, "passthrough outside tmux");
    return 0;
}
