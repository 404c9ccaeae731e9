/* termcaps.c - what the terminal can draw: the parser of its replies to
 * the start-up queries, the decision from options, config, environment,
 * terminfo and replies, and the per-user config file's syntax.
 *
 * Pure: no I/O, no curses, no globals (src/ui/termquery.c does the
 * reading and writing). Invariants of rl_termreply: nseq <= sizeof seq;
 * nkeys <= sizeof keys; `state` is one of the S_* below and nseq > 0 in
 * every state but S_GROUND. Text from the terminal (XTVERSION) is kept
 * as printable ASCII only, so a hostile reply cannot reach a screen raw.
 * 8-bit C1 introducers (0x9b, 0x90) are not recognised: in UTF-8 they
 * are continuation bytes, and terminals answer 7-bit unless told. */
#include "relabel/termcaps.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"

enum {
    S_GROUND,       /* between sequences */
    S_ESC,          /* ESC seen */
    S_CSI,          /* ESC [ ... until a final byte */
    S_SS3,          /* ESC O: one more byte (a key) */
    S_STR,          /* ESC P/_/]/^/X ... until ST (or BEL for OSC) */
    S_STR_ESC       /* ... ESC seen inside it */
};

#define ESC "\033"
#define ST ESC "\\"

/* The kitty graphics query: a 1x1 RGB image that is only checked, never
 * stored (a=q); the terminal answers ESC _ G i=31;OK ESC \ or an error. */
#define Q_KITTY ESC "_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA" ST
#define Q_VERSION ESC "[>q"
#define Q_TCAP ESC "P+q524742;5463" ST        /* "RGB", "Tc" in hex */
#define Q_SIZE ESC "[16t" ESC "[14t"
/* The same kitty query (i=32) and XTVERSION in tmux's passthrough, ESCs
 * doubled: answered only when allow-passthrough is on. */
#define Q_TMUX ESC "Ptmux;" ESC ESC "_Gi=32,s=1,v=1,a=q,t=d,f=24;AAAA" \
    ESC ESC "\\" ESC ESC "[>q" ST
#define Q_DA1 ESC "[c"

const char *
rl_termcaps_queries(bool in_tmux, bool need_size)
{
    static const char *const q[4] = {
        Q_KITTY Q_VERSION Q_TCAP Q_DA1,
        Q_KITTY Q_VERSION Q_TCAP Q_SIZE Q_DA1,
        Q_KITTY Q_VERSION Q_TCAP Q_TMUX Q_DA1,
        Q_KITTY Q_VERSION Q_TCAP Q_SIZE Q_TMUX Q_DA1,
    };

    return q[(in_tmux ? 2 : 0) + (need_size ? 1 : 0)];
}

void
rl_termreply_init(rl_termreply *r)
{
    memset(r, 0, sizeof *r);
    r->state = S_GROUND;
}

static void
key_bytes(rl_termreply *r, const unsigned char *b, size_t n)
{
    size_t room = sizeof r->keys - r->nkeys, k = n < room ? n : room;

    memcpy(r->keys + r->nkeys, b, k);
    r->nkeys += k;
    r->lost += n - k;
}

/* Printable ASCII of b[0..n), at most size-1 bytes, NUL-terminated. */
static void
keep_text(char *dst, size_t size, const unsigned char *b, size_t n)
{
    size_t i, o = 0;

    for (i = 0; i < n && o + 1 < size; i++)
        dst[o++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '?';
    dst[o] = '\0';
}

/* Up to `max` numeric parameters of a CSI body p[0..n); returns how many
 * (an empty parameter is 0). -1 when a byte is not a digit or ';'. */
static int
csi_params(const unsigned char *p, size_t n, int *v, int max)
{
    int k = 0;
    size_t i;

    if (n == 0)
        return 0;
    v[0] = 0;
    for (i = 0; i < n; i++) {
        if (p[i] == ';') {
            if (++k >= max)
                return -1;
            v[k] = 0;
        } else if (isdigit(p[i])) {
            if (v[k] < 100000)
                v[k] = v[k] * 10 + (p[i] - '0');
        } else {
            return -1;
        }
    }
    return k + 1;
}

/* A whole CSI sequence seq[0..n) (ESC [ ... final): a reply, or false. */
static bool
csi_reply(rl_termreply *r, const unsigned char *seq, size_t n)
{
    unsigned char fin = seq[n - 1];
    int v[16], k, i;

    if (fin == 'c' && n > 3 && seq[2] == '?') {
        if ((k = csi_params(seq + 3, n - 4, v, 16)) < 0)
            return false;
        r->da1 = true;
        for (i = 1; i < k; i++)         /* v[0] is the device class */
            if (v[i] == 4)
                r->sixel = true;
        return true;
    }
    if (fin == 't') {
        k = csi_params(seq + 2, n - 3, v, 16);
        if (k != 3 || (v[0] != 4 && v[0] != 6))
            return false;
        if (v[1] <= 0 || v[2] <= 0 || v[1] > 100000 || v[2] > 100000)
            return true;                /* answered, but nonsense */
        if (v[0] == 6) {
            r->cell_h = v[1];
            r->cell_w = v[2];
        } else {
            r->win_h = v[1];
            r->win_w = v[2];
        }
        return true;
    }
    return false;
}

static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* XTGETTCAP success body "1+r" HEXNAME ["=" HEXVALUE] (';' more). */
static void
tcap_reply(rl_termreply *r, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        char name[8];
        size_t o = 0;

        while (i + 1 < n && hexval(p[i]) >= 0 && hexval(p[i + 1]) >= 0) {
            if (o + 1 < sizeof name)
                name[o++] = (char)(hexval(p[i]) * 16 + hexval(p[i + 1]));
            i += 2;
        }
        name[o] = '\0';
        if (strcmp(name, "RGB") == 0 || strcmp(name, "Tc") == 0)
            r->rgb = true;
        while (i < n && p[i] != ';')
            i++;
        i++;
    }
}

/* The kitty reply body after "G": keys ";" message. */
static void
kitty_reply(rl_termreply *r, const unsigned char *p, size_t n)
{
    const unsigned char *semi = memchr(p, ';', n);
    size_t klen = semi != NULL ? (size_t)(semi - p) : n;
    bool okmsg = semi != NULL && n - klen - 1 == 2 && semi[1] == 'O'
                 && semi[2] == 'K';
    int id = -1;
    size_t i = 0;

    /* keys are "i=31" or "i=31,..." */
    while (i + 1 < klen) {
        if (p[i] == 'i' && p[i + 1] == '=') {
            int v[1];

            size_t j = i + 2;
            while (j < klen && p[j] != ',')
                j++;
            if (csi_params(p + i + 2, j - i - 2, v, 1) == 1)
                id = v[0];
            break;
        }
        while (i < klen && p[i] != ',')
            i++;
        i++;
    }
    if (id == 31 && okmsg)
        r->kitty = true;
    else if (id == 32 && okmsg)
        r->kitty_wrapped = true;
    else
        r->kitty_error = true;
}

/* A whole string sequence: ESC intro body [ST]; `body` without them. */
static void
str_reply(rl_termreply *r, unsigned char intro, const unsigned char *p,
          size_t n)
{
    if (intro == 'P' && n >= 2 && p[0] == '>' && p[1] == '|') {
        char text[64];

        keep_text(text, sizeof text, p + 2, n - 2);
        if (r->nversions == 0)
            snprintf(r->version, sizeof r->version, "%s", text);
        else if (strcmp(text, r->version) != 0 && r->outer[0] == '\0')
            snprintf(r->outer, sizeof r->outer, "%s", text);
        r->nversions++;
    } else if (intro == 'P' && n >= 3 && p[0] == '1' && p[1] == '+'
               && p[2] == 'r') {
        tcap_reply(r, p + 3, n - 3);
    } else if (intro == '_' && n >= 1 && p[0] == 'G') {
        kitty_reply(r, p + 1, n - 1);
    }
    /* anything else (OSC, PM, a failed XTGETTCAP "0+r") is dropped */
}

/* The sequence in r->seq is complete. */
static void
seq_done(rl_termreply *r)
{
    assert(r->nseq >= 2);
    if (r->state == S_CSI) {
        /* not a reply: a key (ESC [ A, F5, ...); overlong: garbage */
        if (r->skipped == 0 && !csi_reply(r, r->seq, r->nseq))
            key_bytes(r, r->seq, r->nseq);
    } else if (r->skipped == 0) {
        /* S_STR / S_STR_ESC: seq holds ESC intro body (no terminator) */
        str_reply(r, r->seq[1], r->seq + 2, r->nseq - 2);
    }
    r->nseq = 0;
    r->skipped = 0;
    r->state = S_GROUND;
}

static void
seq_add(rl_termreply *r, unsigned char c)
{
    if (r->nseq < sizeof r->seq)
        r->seq[r->nseq++] = c;
    else
        r->skipped++;
}

static void
feed1(rl_termreply *r, unsigned char c)
{
    switch (r->state) {
    case S_GROUND:
        if (c == 0x1b) {
            r->seq[0] = c;
            r->nseq = 1;
            r->state = S_ESC;
        } else {
            key_bytes(r, &c, 1);
        }
        return;
    case S_ESC:
        if (c == '[') {
            seq_add(r, c);
            r->state = S_CSI;
        } else if (c == 'P' || c == '_' || c == ']' || c == '^'
                   || c == 'X') {
            seq_add(r, c);
            r->state = S_STR;
        } else if (c == 'O') {
            seq_add(r, c);
            r->state = S_SS3;
        } else if (c == 0x1b) {
            key_bytes(r, r->seq, 1);        /* a lone Esc key */
        } else {
            r->seq[r->nseq++] = c;          /* Alt+key */
            key_bytes(r, r->seq, r->nseq);
            r->nseq = 0;
            r->state = S_GROUND;
        }
        return;
    case S_SS3:
        seq_add(r, c);
        key_bytes(r, r->seq, r->nseq);
        r->nseq = 0;
        r->state = S_GROUND;
        return;
    case S_CSI:
        if (c == 0x1b || c == 0x18 || c == 0x1a) {
            r->nseq = 0;                    /* aborted: garbage */
            r->skipped = 0;
            r->state = S_GROUND;
            if (c == 0x1b)
                feed1(r, c);
            return;
        }
        seq_add(r, c);
        if (c >= 0x40 && c <= 0x7e)
            seq_done(r);
        else if (c < 0x20 || c > 0x7e)
            r->skipped++;                   /* not a CSI: drop it whole */
        return;
    case S_STR:
        if (c == 0x1b) {
            r->state = S_STR_ESC;
        } else if (c == 0x07 && r->seq[1] == ']') {
            seq_done(r);                    /* OSC may end with BEL */
        } else if (c == 0x18 || c == 0x1a) {
            r->nseq = 0;
            r->skipped = 0;
            r->state = S_GROUND;
        } else {
            seq_add(r, c);
        }
        return;
    case S_STR_ESC:
        if (c == '\\') {
            seq_done(r);
        } else {
            /* ESC ends the string (ECMA-48); it begins the next one. */
            r->nseq = 0;
            r->skipped = 0;
            r->state = S_GROUND;
            feed1(r, 0x1b);
            feed1(r, c);
        }
        return;
    }
}

bool
rl_termreply_feed(rl_termreply *r, const unsigned char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        feed1(r, b[i]);
    return r->da1;
}

void
rl_termreply_finish(rl_termreply *r)
{
    /* An ESC alone or a key split (ESC [ with no final) was typed;
     * an unfinished string is a reply cut short and is dropped. */
    if ((r->state == S_ESC || r->state == S_CSI || r->state == S_SS3)
        && r->skipped == 0)
        key_bytes(r, r->seq, r->nseq);
    r->nseq = 0;
    r->skipped = 0;
    r->state = S_GROUND;
}

/* ---- names ------------------------------------------------------------ */

static const char *const pix_names[] = {
    [RL_PIX_ASCII] = "ascii", [RL_PIX_SYMBOLS] = "symbols",
    [RL_PIX_SIXEL] = "sixel", [RL_PIX_ITERM] = "iterm",
    [RL_PIX_KITTY] = "kitty",
};
static const char *const color_names[] = {
    [RL_COLORS_NONE] = "none", [RL_COLORS_8] = "8", [RL_COLORS_16] = "16",
    [RL_COLORS_256] = "256", [RL_COLORS_FULL] = "full",
};

static int
lookup(const char *s, const char *const *names, int n)
{
    int i;

    if (s == NULL)
        return -1;
    if (strcmp(s, "auto") == 0)
        return -2;
    for (i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int
rl_termcaps_pixmode_parse(const char *s)
{
    return lookup(s, pix_names, 5);
}

int
rl_termcaps_colors_parse(const char *s)
{
    return lookup(s, color_names, 5);
}

int
rl_termcaps_color_parse(const char *s)
{
    static const char *const names[] = { "never", "always" };

    return lookup(s, names, 2);
}

const char *
rl_termcaps_pixmode_name(rl_pixmode m)
{
    return (unsigned)m < 5 ? pix_names[m] : "?";
}

const char *
rl_termcaps_colors_name(rl_colors c)
{
    return (unsigned)c < 5 ? color_names[c] : "?";
}

/* ---- decision ---------------------------------------------------------- */

static void
why(rl_termcaps *caps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
why(rl_termcaps *caps, const char *fmt, ...)
{
    size_t len = strlen(caps->why);
    va_list ap;

    if (len + 1 >= sizeof caps->why)
        return;
    va_start(ap, fmt);
    vsnprintf(caps->why + len, sizeof caps->why - len, fmt, ap);
    va_end(ap);
    len = strlen(caps->why);
    if (len + 1 < sizeof caps->why) {
        caps->why[len] = '\n';
        caps->why[len + 1] = '\0';
    }
}

static bool
has(const char *s)
{
    return s != NULL && *s != '\0';
}

static bool
contains(const char *s, const char *sub)
{
    return s != NULL && strstr(s, sub) != NULL;
}

static bool
prefix(const char *s, const char *p)
{
    return s != NULL && strncmp(s, p, strlen(p)) == 0;
}

/* Environment text shown in a reason: printable ASCII, cut short. */
static const char *
shown(const char *s, char *buf, size_t size)
{
    keep_text(buf, size, (const unsigned char *)(s ? s : ""),
              s ? strlen(s) : 0);
    return buf;
}

/* The graphics protocol the terminal (outside any tmux) speaks by its
 * environment or XTVERSION name; RL_PIX_SYMBOLS for none. */
static rl_pixmode
env_graphics(const rl_termenv *env, const char *name, const char **hint)
{
    if (has(env->kitty_window_id)) {
        *hint = "KITTY_WINDOW_ID is set";
        return RL_PIX_KITTY;
    }
    if (contains(env->term, "kitty")) {
        *hint = "TERM names kitty";
        return RL_PIX_KITTY;
    }
    if (prefix(env->term_program, "WezTerm") || prefix(name, "WezTerm")) {
        *hint = "WezTerm speaks the kitty graphics protocol";
        return RL_PIX_KITTY;
    }
    if (prefix(name, "kitty") || prefix(name, "ghostty")) {
        *hint = "XTVERSION names a kitty-protocol terminal";
        return RL_PIX_KITTY;
    }
    if (prefix(env->term_program, "iTerm.app")
        || prefix(env->lc_terminal, "iTerm2") || prefix(name, "iTerm2")) {
        *hint = "iTerm2 (TERM_PROGRAM, LC_TERMINAL or XTVERSION)";
        return RL_PIX_ITERM;
    }
    return RL_PIX_SYMBOLS;
}

/* Why the terminal takes 24-bit colour, or NULL. */
static const char *
truecolor_hint(const rl_termenv *env, const rl_terminfo *ti,
               const rl_termreply *rep, const char *name, bool graphics)
{
    if (env->colorterm != NULL && (strcmp(env->colorterm, "truecolor") == 0
                                   || strcmp(env->colorterm, "24bit") == 0))
        return "COLORTERM says so";
    if (rep != NULL && rep->rgb)
        return "the terminal answered XTGETTCAP RGB/Tc";
    if (ti->rgb)
        return "terminfo has RGB/Tc";
    if (contains(env->term, "direct") || (ti->name != NULL
                                          && strstr(ti->name, "direct")))
        return "TERM is a direct-colour entry";
    if (has(env->wt_session))
        return "WT_SESSION (Windows Terminal) is set";
    if (prefix(env->term_program, "vscode")
        || prefix(env->term_program, "WezTerm")
        || prefix(env->term_program, "iTerm.app")
        || prefix(env->term_program, "ghostty")
        || prefix(env->term_program, "Hyper"))
        return "TERM_PROGRAM names a 24-bit terminal";
    if (prefix(name, "kitty") || prefix(name, "WezTerm")
        || prefix(name, "foot") || prefix(name, "iTerm2")
        || prefix(name, "ghostty") || prefix(name, "contour")
        || prefix(name, "mintty"))
        return "XTVERSION names a 24-bit terminal";
    if (graphics)
        return "a terminal with pixel graphics has 24-bit colour";
    return NULL;
}

static rl_colors
terminfo_colors(int n)
{
    return n > 256 ? RL_COLORS_FULL : n >= 256 ? RL_COLORS_256
           : n >= 16 ? RL_COLORS_16 : n >= 8 ? RL_COLORS_8 : RL_COLORS_NONE;
}

/* The option or the config choice for one field, or -1. */
static int
chosen(const rl_termopts *opt, const rl_termopts *cfg, size_t off,
       const char **src)
{
    const rl_termopts *o[2] = { opt, cfg };
    int i, v;

    for (i = 0; i < 2; i++) {
        if (o[i] == NULL)
            continue;
        memcpy(&v, (const char *)o[i] + off, sizeof v);
        if (v == -2)
            return -1;          /* "auto" given: detection decides */
        if (v >= 0) {
            *src = o[i]->source != NULL ? o[i]->source : "an option";
            return v;
        }
    }
    return -1;
}

void
rl_termcaps_decide(rl_termcaps *caps, const rl_termopts *opt,
                   const rl_termopts *cfg, const rl_termenv *env,
                   const rl_terminfo *ti, const rl_termreply *rep)
{
    const char *src = NULL, *hint = NULL, *tc;
    const char *name, *tmux_name = NULL;
    char b1[48];
    bool pass_seen = false;
    rl_pixmode found;
    bool outer_graphics = false;   /* the outer terminal has pictures */
    int v;

    memset(caps, 0, sizeof *caps);

    /* Who answered: in tmux the outer terminal's XTVERSION comes back
     * only through a working passthrough. */
    name = rep != NULL ? rep->version : "";
    if (prefix(name, "tmux ")) {
        tmux_name = name;
        name = rep->outer;
    } else if (rep != NULL && prefix(rep->outer, "tmux ")) {
        tmux_name = rep->outer;
    }
    caps->in_tmux = has(env->tmux) || tmux_name != NULL;
    snprintf(caps->terminal, sizeof caps->terminal, "%s", name);
    if (caps->in_tmux) {
        pass_seen = rep != NULL && (rep->kitty_wrapped
                                    || (tmux_name != NULL && name[0]));
        why(caps, "tmux: yes (%s); passthrough %s",
            tmux_name != NULL ? tmux_name : "TMUX is set",
            pass_seen ? "works (a wrapped query was answered)"
            : "not seen to work (tmux: set -g allow-passthrough on)");
    }
    if (rep == NULL)
        why(caps, "replies: not asked");
    else
        why(caps, "replies: %s%s%s%s%s%s%s",
            rep->da1 ? "DA1" : "no DA1 before the timeout",
            rep->sixel ? " sixel" : "",
            rep->kitty ? ", kitty graphics OK" : "",
            rep->kitty_wrapped ? ", kitty graphics OK through tmux" : "",
            rep->rgb ? ", XTGETTCAP RGB" : "", name[0] ? ", XTVERSION " : "",
            name);

    /* Pixels. Inside tmux a protocol counts only through a passthrough
     * seen to work; tmux itself answers DA1, so sixel there is tmux's. */
    v = chosen(opt, cfg, offsetof(rl_termopts, pixels), &src);
    found = RL_PIX_SYMBOLS;
    if (rep != NULL && rep->kitty && !caps->in_tmux) {
        found = RL_PIX_KITTY;
        hint = "the terminal answered the kitty graphics query";
    } else if (rep != NULL && rep->kitty_wrapped) {
        found = RL_PIX_KITTY;
        hint = "the outer terminal answered the kitty query through tmux";
    } else if ((found = env_graphics(env, name, &hint)) != RL_PIX_SYMBOLS
               && caps->in_tmux && !pass_seen) {
        why(caps, "%s: %s, but not through this tmux",
            rl_termcaps_pixmode_name(found), hint);
        found = RL_PIX_SYMBOLS;
        outer_graphics = true;
    }
    if (found == RL_PIX_SYMBOLS && rep != NULL && rep->sixel) {
        found = RL_PIX_SIXEL;
        hint = caps->in_tmux ? "tmux answered DA1 with sixel (4)"
               : "DA1 lists sixel (4)";
    }
    if (v >= 0) {
        caps->pixels = (rl_pixmode)v;
        why(caps, "pixels: %s (%s; detection found %s)",
            rl_termcaps_pixmode_name(caps->pixels), src,
            rl_termcaps_pixmode_name(found));
    } else {
        caps->pixels = found;
        why(caps, "pixels: %s (%s)", rl_termcaps_pixmode_name(found),
            found == RL_PIX_SYMBOLS ? "no pixel graphics detected" : hint);
    }
    if (caps->in_tmux && (caps->pixels == RL_PIX_KITTY
                          || caps->pixels == RL_PIX_ITERM)) {
        caps->passthrough = true;
        if (!pass_seen)
            why(caps, "passthrough: used as asked, not seen to work");
    }

    /* Colours of symbol pictures. */
    /* In tmux 24-bit colour is never worse: tmux maps it down to what
     * the outer terminal has (its RGB terminal feature). */
    tc = truecolor_hint(env, ti, rep, name,
                        found >= RL_PIX_SIXEL || outer_graphics);
    caps->truecolor = tc != NULL;
    v = chosen(opt, cfg, offsetof(rl_termopts, colors), &src);
    if (caps->pixels == RL_PIX_ASCII) {
        caps->colors = RL_COLORS_NONE;
        why(caps, "colors: none (ascii pictures)");
    } else if (v >= 0) {
        caps->colors = (rl_colors)v;
        why(caps, "colors: %s (%s)", rl_termcaps_colors_name(caps->colors),
            src);
    } else if (tc != NULL) {
        caps->colors = RL_COLORS_FULL;
        why(caps, "colors: full (%s)", tc);
    } else {
        caps->colors = terminfo_colors(ti->colors);
        why(caps, "colors: %s (terminfo %s: %d colours)",
            rl_termcaps_colors_name(caps->colors),
            shown(ti->name, b1, sizeof b1), ti->colors);
        if (caps->colors == RL_COLORS_NONE
            && caps->pixels == RL_PIX_SYMBOLS
            && chosen(opt, cfg, offsetof(rl_termopts, pixels), &src) < 0) {
            caps->pixels = RL_PIX_ASCII;    /* blocks without colour */
            why(caps, "pixels: ascii (no colours for symbols)");
        }
    }

    /* Colour in text: like git's --color; NO_COLOR turns it off (the
     * picture is data and keeps its colours). */
    v = chosen(opt, cfg, offsetof(rl_termopts, color), &src);
    if (v >= 0) {
        caps->text_color = v == 1;
        why(caps, "text colour: %s (%s)", v == 1 ? "on" : "off", src);
    } else if (has(env->no_color)) {
        why(caps, "text colour: off (NO_COLOR is set; pictures keep "
            "theirs)");
    } else if (caps->pixels == RL_PIX_ASCII) {
        why(caps, "text colour: off (ascii pictures: stable captures)");
    } else {
        caps->text_color = ti->colors >= 8;
        why(caps, "text colour: %s (terminfo: %d colours)",
            caps->text_color ? "on" : "off", ti->colors);
    }

    /* Cell size: the kernel's window size, else the terminal's answer. */
    if (ti->px_w > 0 && ti->px_h > 0 && ti->cols > 0 && ti->rows > 0) {
        caps->cell_w = ti->px_w / ti->cols;
        caps->cell_h = ti->px_h / ti->rows;
        src = "TIOCGWINSZ";
    } else if (rep != NULL && rep->cell_w > 0) {
        caps->cell_w = rep->cell_w;
        caps->cell_h = rep->cell_h;
        src = "CSI 16 t";
    } else if (rep != NULL && rep->win_w > 0 && ti->cols > 0
               && ti->rows > 0) {
        caps->cell_w = rep->win_w / ti->cols;
        caps->cell_h = rep->win_h / ti->rows;
        src = "CSI 14 t";
    }
    if (caps->cell_w > 0 && caps->cell_h > 0)
        why(caps, "cell: %dx%d pixels (%s)", caps->cell_w, caps->cell_h,
            src);
    else
        why(caps, "cell: unknown (pictures assume 10x20)");
    if (ti->fallback)
        why(caps, "terminfo: TERM %s has no entry; using %s",
            shown(env->term, b1, sizeof b1), ti->name ? ti->name : "?");
}

/* ---- config file ------------------------------------------------------ */

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int
rl_termcaps_config_parse(const char *text, const char *file,
                         rl_termopts *cfg, rl_err *err)
{
    rl_termopts out = *cfg;
    char *copy = rl_xstrdup(text), *line = copy, *next;
    char b1[40], b2[40];
    int lineno = 0, rc = -1;

    out.source = file;
    for (; line != NULL; line = next) {
        char *eq, *key, *val;
        int v = -1;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        if ((eq = strchr(line, '#')) != NULL)
            *eq = '\0';
        key = trim(line);
        if (*key == '\0')
            continue;
        if ((eq = strchr(key, '=')) == NULL) {
            rl_err_set(err, RL_E_PARSE, "%s:%d: %s: expected key = value",
                       file, lineno, shown(key, b1, sizeof b1));
            goto out;
        }
        *eq = '\0';
        key = trim(key);
        val = trim(eq + 1);
        if (strcmp(key, "pixels") == 0)
            v = out.pixels = rl_termcaps_pixmode_parse(val);
        else if (strcmp(key, "colors") == 0)
            v = out.colors = rl_termcaps_colors_parse(val);
        else if (strcmp(key, "color") == 0)
            v = out.color = rl_termcaps_color_parse(val);
        else {
            rl_err_set(err, RL_E_PARSE, "%s:%d: %s: unknown key (pixels, "
                       "colors or color)", file, lineno,
                       shown(key, b1, sizeof b1));
            goto out;
        }
        if (v == -1) {
            rl_err_set(err, RL_E_PARSE, "%s:%d: %s: '%s' is not one of %s",
                       file, lineno, key, shown(val, b2, sizeof b2),
                       key[1] == 'i' ? "auto symbols sixel kitty iterm ascii"
                       : key[5] == 's' ? "auto full 256 16 8 none"
                       : "never auto always");
            goto out;
        }
    }
    /* "auto" parsed as -2: the same as not set */
    if (out.pixels < -1)
        out.pixels = -1;
    if (out.colors < -1)
        out.colors = -1;
    if (out.color < -1)
        out.color = -1;
    *cfg = out;
    rc = 0;
out:
    free(copy);
    return rc;
}

void
rl_termenv_get(rl_termenv *env)
{
    env->term = getenv("TERM");
    env->colorterm = getenv("COLORTERM");
    env->term_program = getenv("TERM_PROGRAM");
    env->kitty_window_id = getenv("KITTY_WINDOW_ID");
    env->wt_session = getenv("WT_SESSION");
    env->tmux = getenv("TMUX");
    env->no_color = getenv("NO_COLOR");
    env->lc_terminal = getenv("LC_TERMINAL");
}
