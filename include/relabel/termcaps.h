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
} rl_termcaps;

#endif
