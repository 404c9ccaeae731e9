/* termcaps.h - what the user's terminal can draw, decided once per session
 * (issue 11). The contract between capability detection (which fills an
 * rl_termcaps from options, the per-user config, the environment, terminfo
 * and the terminal's own replies) and the picture code (which only reads
 * it). Knows nothing of curses; the parsing of replies is pure and tested
 * on recorded bytes.
 *
 * Fields below are the stable contract; detection may add more after
 * them, never rename or re-mean these. */
#ifndef RL_TERMCAPS_H
#define RL_TERMCAPS_H

#include <stdbool.h>

#include "relabel/err.h"
#include "relabel/render.h"

/* How pictures are drawn, best last. */
typedef enum rl_pixmode {
    RL_PIX_ASCII,      /* luminance ramp, no colour (tests, dumb terms) */
    RL_PIX_SYMBOLS,    /* chafa block symbols in `colors` */
    RL_PIX_SIXEL,      /* DEC sixel graphics (xterm -ti vt340, foot, ...) */
    RL_PIX_ITERM,      /* iTerm2 inline images (OSC 1337 File=) */
    RL_PIX_KITTY       /* kitty graphics protocol (APC G) */
} rl_pixmode;

typedef struct rl_termcaps {
    rl_pixmode pixels;      /* the mode pictures use this session */
    rl_colors colors;       /* colour depth of symbol pictures */
    bool text_color;        /* colour in text (off under NO_COLOR or
                             * --color never); pictures keep theirs */
    int cell_w, cell_h;     /* pixels of one cell; 0 when unknown (the
                             * picture code then assumes 10x20) */
    bool in_tmux;           /* running inside tmux */
    bool passthrough;       /* graphics must be wrapped in tmux's DCS
                             * passthrough (ESC P tmux; ... ESC \), and
                             * it was seen to work */
    /* Added by detection (issue 11 part A); the picture code may read
     * them, doctor prints them. */
    bool truecolor;         /* the terminal takes 24-bit colour */
    char terminal[64];      /* XTVERSION name ("kitty(0.26.5)"),
                             * sanitised; "" when it did not say */
    char why[1024];         /* one line per decision: "pixels: kitty
                             * (KITTY_WINDOW_ID is set)\n...", sanitised */
} rl_termcaps;

/* ---- replies (pure: bytes in, facts out) ------------------------------ */

#define RL_TERMREPLY_KEYS 64     /* typed-ahead bytes kept */
#define RL_TERMREPLY_SEQ 256     /* longest reply kept; longer: dropped */

/* What the terminal answered to the start-up queries. Fed in any pieces;
 * replies may come in any order, split anywhere, mixed with keys the
 * user typed or with garbage. Everything not a known reply goes to
 * `keys` (up to RL_TERMREPLY_KEYS bytes, the rest counted in `lost`),
 * except the payload of string sequences (DCS, APC, OSC, PM, SOS) that
 * are not replies, which is dropped: it is never a key. */
typedef struct rl_termreply {
    bool da1;               /* DA1 (CSI ? ... c) arrived: the end */
    bool sixel;             /* ... with parameter 4 */
    bool kitty;             /* kitty graphics query (i=31) answered OK */
    bool kitty_wrapped;     /* the one sent in tmux passthrough (i=32)
                             * answered OK: passthrough works */
    bool kitty_error;       /* a kitty reply other than OK */
    bool rgb;               /* XTGETTCAP RGB or Tc answered (1+r) */
    int nversions;          /* XTVERSION replies seen (in tmux, 2 means
                             * the wrapped query reached the outside) */
    char version[64];       /* first XTVERSION text, sanitised */
    char outer[64];         /* a second, different one (outer terminal) */
    int cell_w, cell_h;     /* CSI 6 ; h ; w t, 0 if none */
    int win_w, win_h;       /* CSI 4 ; h ; w t, 0 if none */
    unsigned char keys[RL_TERMREPLY_KEYS]; /* bytes that were no reply */
    size_t nkeys;
    size_t lost;            /* key bytes beyond `keys` */
    /* parser state: the sequence being read, from its ESC */
    unsigned char seq[RL_TERMREPLY_SEQ];
    size_t nseq;
    size_t skipped;         /* bytes dropped of an overlong sequence */
    int state;              /* private to termcaps.c */
} rl_termreply;

/* Empties `r`. */
void rl_termreply_init(rl_termreply *r);
/* Feeds n bytes; returns true once DA1 has arrived (stop reading). */
bool rl_termreply_feed(rl_termreply *r, const unsigned char *b, size_t n);
/* No more input (DA1 or timeout): a sequence left unfinished becomes
 * keys when it could be one (ESC alone, ESC [ A split), else dropped. */
void rl_termreply_finish(rl_termreply *r);

/* The one write of queries, ending with DA1: kitty graphics query,
 * XTVERSION, XTGETTCAP RGB and Tc; with `need_size` (TIOCGWINSZ gave no
 * pixels) cell and window size in pixels (CSI 16 t, CSI 14 t); in tmux
 * also a kitty query and XTVERSION wrapped in tmux's passthrough.
 * Returns a static string. */
const char *rl_termcaps_queries(bool in_tmux, bool need_size);

/* ---- decision ---------------------------------------------------------- */

/* A choice made by an option or the config file; -1: not given, -2:
 * "auto" given (an option's auto also overrides the config). */
typedef struct rl_termopts {
    int pixels;             /* rl_pixmode, or -1 */
    int colors;             /* rl_colors, or -1 */
    int color;              /* text colour: 0 never, 1 always, -1 auto */
    const char *source;     /* "--pixels", "/home/x/.config/..." */
} rl_termopts;

#define RL_TERMOPTS_AUTO { -1, -1, -1, NULL }

/* The environment variables detection reads (borrowed; NULL unset). */
typedef struct rl_termenv {
    const char *term, *colorterm, *term_program, *kitty_window_id,
               *wt_session, *tmux, *no_color, *lc_terminal;
} rl_termenv;

/* From getenv(); the strings stay owned by the environment. */
void rl_termenv_get(rl_termenv *env);

/* What terminfo says of the terminal actually opened. */
typedef struct rl_terminfo {
    int colors;             /* max_colors, 0 when none */
    bool rgb;               /* RGB or Tc flag */
    const char *name;       /* the entry used ("xterm-256color") */
    bool fallback;          /* TERM had no entry; `name` replaced it */
    int px_w, px_h;         /* TIOCGWINSZ ws_xpixel/ws_ypixel, or 0 */
    int rows, cols;         /* TIOCGWINSZ size in cells, or 0 */
} rl_terminfo;

/* Decides the session's capabilities: options beat config beat the
 * environment and replies, which beat terminfo. `reply` may be NULL (no
 * answer at all). Preference: kitty > iTerm2 > sixel > truecolor symbols
 * > 256 > 16 > 8 > ascii. Writes each reason into caps->why. Pure. */
void rl_termcaps_decide(rl_termcaps *caps, const rl_termopts *opt,
                        const rl_termopts *cfg, const rl_termenv *env,
                        const rl_terminfo *ti, const rl_termreply *reply);

/* ---- names and the per-user config file ------------------------------- */

/* "kitty", "sixel", ...; -1 for an unknown name. "auto" gives -2. */
int rl_termcaps_pixmode_parse(const char *s);
int rl_termcaps_colors_parse(const char *s);   /* auto full 256 16 8 none */
int rl_termcaps_color_parse(const char *s);    /* never auto always */
const char *rl_termcaps_pixmode_name(rl_pixmode m);
const char *rl_termcaps_colors_name(rl_colors c);

/* Parses `key = value` lines (pixels, colors, color; # comments, blank
 * lines) of `text` into `cfg` (source = `file`, borrowed). 0, or -1 with
 * "FILE:LINE: key: why" in `err` (RL_E_PARSE), `cfg` then unchanged. */
int rl_termcaps_config_parse(const char *text, const char *file,
                             rl_termopts *cfg, rl_err *err);

#endif
