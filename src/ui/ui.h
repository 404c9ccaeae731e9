/* ui.h - the terminal interface: an app holding a stack of screens, each a
 * const table of callbacks (after tmux's window modes) whose key handler
 * returns flags saying what to do next (after htop's HandlerResult).
 * Screens hold view state only and call the core for every action. */
#ifndef RL_UI_H
#define RL_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/catalog.h"
#include "relabel/guide.h"
#include "relabel/order.h"
#include "relabel/picture.h"
#include "relabel/render.h"
#include "relabel/store.h"
#include "relabel/termcaps.h"
#include "relabel/util.h"

/* What a key handler asks the loop to do. */
enum {
    UI_HANDLED = 1,        /* consumed, nothing to redraw */
    UI_REDRAW = 2,         /* repaint the text of the top screen */
    UI_RELAYOUT = 4,       /* sizes changed: layout, then full repaint */
    UI_POP = 8,            /* close the top screen */
    UI_QUIT = 16,          /* leave the program */
    UI_REPAINT = 32,       /* the terminal's content is unknown (resize,
                            * resume): clear it and write everything */
    UI_POP_ALL = 64,       /* close every overlay above the working
                              screen (review, task or home) */
    UI_AGAIN = 128         /* from idle: more work pending, call idle
                              again as soon as no key is waiting */
};

struct ui_app;

struct ui_screen {
    const char *name;
    void *(*open)(struct ui_app *app, void *arg);
    void (*close)(void *state);
    void (*layout)(void *state, int rows, int cols);
    void (*draw)(void *state);
    /* After curses has flushed: paint anything written directly to the
     * terminal (the image pane). May be NULL. */
    void (*paint)(void *state);
    int (*key)(void *state, int key);
    /* Called when getch times out (about every 100 ms). May be NULL. */
    int (*idle)(void *state);
    /* An overlay (help, guide, classes, examples, pick list): Esc closes
     * it alone, UI_POP_ALL closes it with every overlay below it. */
    bool overlay;
};

struct ui_frame {
    const struct ui_screen *type;
    void *state;
};

typedef enum ui_pixels {
    UI_PIXELS_SYMBOLS,     /* chafa cells written into the pane */
    UI_PIXELS_ASCII        /* plain characters through curses, no colour */
} ui_pixels;

struct ui_options {
    const char *start;         /* image name to open first, or NULL */
    ui_pixels pixels;          /* how images are drawn (from caps) */
    bool hide_names;           /* start with image names hidden */
    bool adjudicate;           /* marks settle disagreements */
    bool low_detail;           /* slow links: images at half size */
    bool print_terminal;       /* --print-terminal: report, no screen */
    int cell_w, cell_h;        /* --cell: pixels of a cell, over what the
                                * terminal says; 0 when not given */
    rl_order order;            /* --order: the review queue's order */
};

struct ui_app {
    rl_store *store;           /* the project (owned by the caller) */
    rl_catalog *cat;           /* its catalog (owned by the caller) */
    const char *reviewer;      /* who marks */
    struct ui_options opt;
    rl_colors colors;          /* in force for image rendering */
    struct ui_shown {          /* pictures on the screen now, intact: */
        unsigned id;           /* kitty image id (by position) */
        int top, left, rows, cols;   /* the grid's cells */
        uint64_t sum;          /* rl_pic.sum */
    } shown[16], frame[16];    /* frame: painted since the last flush */
    int nshown, nframe;
    bool color_ok;             /* terminal has colours for text */
    struct ui_frame stack[8];  /* screens, top last */
    int depth;
    int rows, cols;            /* terminal size */
    bool need_paint;           /* direct-written areas must be repainted */
    double key_at;             /* last key (rl_mono_ms), for idle work */
    double checkpoint_at;      /* last WAL checkpoint (rl_mono_ms) */
    rl_buf out;                /* bytes for direct terminal writes */
    long bytes_out;            /* direct bytes written, for benchmarks */
    int feedback;              /* training: 0 always, 1 on error only,
                                  2 never (evaluation mode) */
    rl_guide *guide;           /* the labeling guide, or NULL */
    char *guide_dir;           /* where it was read from */
    char *examples_dir;        /* DIR/<wnid>/ example images, or NULL */
    rl_termopts term_opt;      /* --pixels/--render, --colors, --color */
    rl_termcaps caps;          /* what the terminal draws, decided by
                                  ui_run before the first frame */
    char term_note[160];       /* "TERM has no entry" note, shown on the
                                  first frames until a key */
};

/* Runs the interface until quit; returns the exit status. */
int ui_run(struct ui_app *app, const struct ui_screen *first, void *arg);
/* Pushes a screen; returns UI_RELAYOUT for a key handler to pass on. */
int ui_push(struct ui_app *app, const struct ui_screen *type, void *arg);
/* The project's example-image folder, read again from the store (one
 * query) so that `relabel config examples DIR` run elsewhere is seen by
 * an open session; NULL when unset. Borrowed: valid until the next call. */
const char *ui_examples_dir(struct ui_app *app);

/* ---- signals.c ------------------------------------------------------ */

/* Installs the handlers: SIGTERM, SIGHUP, SIGINT and SIGQUIT ask the
 * loop to end, SIGCONT to repaint, SIGPIPE is ignored, and a crash
 * restores the terminal before the signal takes its course. */
void ui_signals_install(void);
/* True once SIGTERM, SIGHUP, SIGINT or SIGQUIT asked the program to end;
 * a loop of its own (a prompt) must give up then. */
bool ui_term_pending(void);
/* True once after each resume (SIGCONT): the panes need writing again. */
bool ui_cont_take(void);

/* ---- drawing helpers (draw.c) --------------------------------------- */

/* Colour pairs / attributes by role, one X-macro table. */
#define UI_COLORS(X) \
    X(NORMAL,    -1,            -1,         A_NORMAL) \
    X(TITLE,     COLOR_CYAN,    -1,         A_BOLD) \
    X(DIM,       -1,            -1,         A_DIM) \
    X(CORRECT,   COLOR_GREEN,   -1,         A_BOLD) \
    X(WRONG,     COLOR_RED,     -1,         A_BOLD) \
    X(UNCLEAR,   COLOR_YELLOW,  -1,         A_BOLD) \
    X(DONTKNOW,  COLOR_MAGENTA, -1,         A_BOLD) \
    X(SELECTED,  COLOR_BLACK,   COLOR_CYAN, A_REVERSE) \
    X(STATUS,    COLOR_BLACK,   COLOR_WHITE, A_REVERSE) \
    X(ERROR,     COLOR_WHITE,   COLOR_RED,  A_BOLD) \
    X(KEY,       COLOR_CYAN,    -1,         A_BOLD) \
    X(FLAG,      COLOR_RED,     -1,         A_BOLD)

#define UI_COLOR_ENUM(name, fg, bg, mono) UI_C_##name,
enum ui_color { UI_COLORS(UI_COLOR_ENUM) UI_C_COUNT };
#undef UI_COLOR_ENUM

void ui_colors_init(struct ui_app *app);
/* Attribute (colour pair or monochrome fallback) for a role. */
int ui_attr(enum ui_color c);
/* Draws `text` sanitised at (y, x), at most `width` columns, never
 * splitting a character; returns columns used. */
int ui_text(int y, int x, int width, const char *text, int attr);
/* As ui_text, but a text too wide is cut at a word and ends in an
 * ellipsis (messages, status lines); returns columns used. */
int ui_text_cut(int y, int x, int width, const char *text, int attr);
/* True when the locale's character set is UTF-8; otherwise every text
 * helper here draws ASCII (stand-ins for symbols, "?" for the rest). */
bool ui_utf8(void);
/* `utf8` on a UTF-8 terminal, `ascii` otherwise: for the screens' own
 * symbols (arrows, markers, lines). */
const char *ui_sym(const char *utf8, const char *ascii);
/* Word-wraps sanitised `text` into rows starting at y; at most `maxrows`
 * rows; returns rows used. */
int ui_wrap(int y, int x, int width, int maxrows, const char *text,
            int attr);
/* Rows ui_wrap would take, drawing nothing. */
int ui_wrap_rows(int width, int maxrows, const char *text);
/* Fills a row segment with blanks. */
void ui_blank(int y, int x, int width);
/* Paints a cell grid through curses (ASCII mode, no colour). */
void ui_cells_curses(const rl_cells *c, int top, int left);
/* An image grid at (top, left): in ASCII mode drawn through curses; in
 * symbols mode curses gets invisible placeholders (so it never paints
 * there) and ui_pane_paint() writes the cells directly after refresh. */
void ui_pane_draw(struct ui_app *app, const rl_cells *c, int top, int left);
/* Cells an image gets in a pane of `cols` x `rows`: all of them, or half
 * each way with --detail low (about a third of the bytes per image). */
int ui_image_cols(const struct ui_app *app, int cols);
int ui_image_rows(const struct ui_app *app, int rows);
/* How images are drawn: plain characters (--render ascii) or symbols. */
rl_render_mode ui_render_mode(const struct ui_app *app);
/* The grid of the image file at `path` for a pane of cols x rows (the
 * prefetcher renders it, or has it ready): NULL with a one-line reason in
 * `msg` (size bytes) when there is none; a decoder's warning also goes to
 * `msg`, which is "" otherwise. The caller frees the grid. */
rl_cells *ui_pane_cells(struct ui_app *app, rl_prefetch *pf, const char *path,
                        int cols, int rows, char *msg, size_t size);
/* The same for window `v` of the image (full-screen zoom; NULL: all). */
rl_cells *ui_pane_cells_view(struct ui_app *app, rl_prefetch *pf,
                             const char *path, int cols, int rows,
                             const rl_view *v, char *msg, size_t size);
/* Asks the prefetcher for that grid in the background. */
void ui_pane_want(struct ui_app *app, rl_prefetch *pf, const char *path,
                  int cols, int rows);
/* Appends the grid's bytes to app->out (symbols and pixel modes); the
 * caller sends them with ui_pane_flush() once every pane is added. A
 * picture already on the screen at that place, intact, is not sent again
 * (closing the guide does not resend the image beside it). Otherwise it
 * first blanks the pane's cells (so a smaller picture leaves no rest of
 * the last one) and, in kitty mode, replaces the image whose id the
 * pane's position gives. */
void ui_pane_paint(struct ui_app *app, const rl_cells *c, int top, int left);
/* An image file for a panel `cols` wide (reference examples, guide
 * images): decoded for that width and, when `fit_rows`, given the rows
 * its aspect needs at the full width (at most max_rows), else exactly
 * max_rows. In the session's picture mode. NULL with `err` set when it
 * cannot be shown. The caller frees the grid. */
rl_cells *ui_image_file(struct ui_app *app, const char *path, int cols,
                        int max_rows, bool fit_rows, rl_err *err);
/* After curses' refresh: forgets the pictures whose cells curses has
 * written over (kitty: deletes them), so they are drawn again if wanted;
 * the others stay and ui_pane_paint() does not resend them. */
void ui_pane_sweep(struct ui_app *app);
/* Removes every kitty picture now (before curses repaints text where
 * they were, and at exit); nothing in other modes, where text written
 * over a picture replaces it. */
void ui_pane_forget(struct ui_app *app);
/* Sends app->out. In kitty mode the pictures placed since the last
 * flush are then the screen's: any other shown before is deleted. */
void ui_pane_flush(struct ui_app *app);
/* Writes `len` bytes straight to the terminal, then restores the cursor
 * to where curses believes it is. */
void ui_write_direct(struct ui_app *app, const char *bytes, size_t len);
/* A one-line prompt at row y; returns a new string (NULL: cancelled). */
char *ui_prompt(struct ui_app *app, int y, const char *label,
                const char *initial);

/* ---- key tables (keymap.c) ----------------------------------------- */

/* One binding of a screen: its keys, the screen's action code, and what
 * the footer and `?` show for it, so that neither is ever typed twice.
 * After tmux's mode-tree, where each mode lists its keys beside its
 * help lines. */
#define UI_MODES_ALL (~0u)

struct ui_key {
    int action;            /* the screen's action code, never 0 */
    int keys[4];           /* curses codes or characters; 0 ends early.
                              An entry without keys only sums up others
                              in the footer ("c w u d 0 suggest") */
    const char *label;     /* keys as shown: "c 1"; the footer shows its
                              first key, or all of it for a summary */
    const char *help;      /* its line in `?` */
    const char *footer;    /* short footer word, or NULL: only in `?` */
    unsigned when;         /* the screen's modes it applies in; 0: all */
};

struct ui_keymap {
    const char *title;           /* "Keys of the review screen" */
    const struct ui_key *keys;   /* in help order */
    size_t n;
    unsigned nav;                /* modes in which the shared list keys
                                    (ui_list_key) apply and are listed too:
                                    UI_MODES_ALL, or 0 for none */
    bool nav_letters;            /* ... with j and k */
    const char *note;            /* a line under the keys in `?`, or NULL */
};

/* The action bound to `key` in mode `when` (a bit of ui_key.when), or 0. */
int ui_key_action(const struct ui_keymap *m, int key, unsigned when);
/* Draws the footer of mode `when` on row y: as many keys as fit, each its
 * label's first key and footer word; the `?` and `q` keys (help, leave)
 * always, at the right end. */
void ui_footer(const struct ui_keymap *m, unsigned when, int y, int cols);
/* The same, starting at column x0 (the columns before it are the
 * caller's). */
void ui_footer_at(const struct ui_keymap *m, unsigned when, int y, int x0,
                  int cols);

/* The review screen's actions and table. */
typedef enum ui_action {
    UI_A_NONE, UI_A_DOWN, UI_A_UP, UI_A_CORRECT, UI_A_WRONG, UI_A_UNCLEAR,
    UI_A_DONTKNOW, UI_A_UNREVIEW, UI_A_REST_WRONG, UI_A_ASSIGNED, UI_A_MAIN,
    UI_A_PROBLEMATIC, UI_A_NOTE, UI_A_CONFIRM, UI_A_NEXT, UI_A_PREV,
    UI_A_GOTO, UI_A_FILTER, UI_A_UNDO, UI_A_REDO, UI_A_ADD, UI_A_NAME,
    UI_A_FULL, UI_A_GUIDE, UI_A_BROWSE, UI_A_EXAMPLES, UI_A_HELP, UI_A_QUIT,
    UI_A_ZOOM_IN, UI_A_ZOOM_OUT, UI_A_ZOOM_FIT, UI_A_PAN_LEFT,
    UI_A_PAN_RIGHT, UI_A_PAN_UP, UI_A_PAN_DOWN, UI_A_ORDER,
    UI_A_COUNT
} ui_action;

extern const struct ui_keymap ui_review_keys;

/* ---- list navigation (nav.c), shared by every list screen ----------- */

/* A list's view state. Invariant after ui_list_fit: sel < n (or 0 when
 * n is 0) and top <= sel < top + rows. */
struct ui_list {
    size_t n;              /* rows in the list */
    size_t sel;            /* the selected row */
    size_t top;            /* the first row shown */
    /* Search (`/`, lists with letters), when `text` is set: */
    const char *(*text)(void *ctx, size_t i);   /* row i as shown */
    void *ctx;
    struct ui_app *app;    /* for the prompt, on the bottom row */
    char query[64];        /* the last search, offered again */
};

/* Moves the selection for Up/Down (and j/k with `letters`), PgUp/PgDn
 * (by `page` rows), Home/End; with `letters` and l->text set, `/` asks
 * for text and selects the next row holding it (case folded, from the
 * row after the selection, wrapping; the same search again finds the
 * next). Returns UI_REDRAW when `key` was one of them, 0 otherwise. */
int ui_list_key(struct ui_list *l, int key, int page, bool letters);
/* Clamps the selection and scrolls so that it shows in `rows` rows. */
void ui_list_fit(struct ui_list *l, int rows);
/* The shared keys for `?`: `n` rows, in help order. */
const struct ui_key *ui_list_keys(bool letters, size_t *n);

/* Argument of scr_help: the table to list, in mode `when`. */
struct ui_help_arg {
    const struct ui_keymap *keys;
    unsigned when;
};

/* The full-screen image's keys (zoom, pan, back), which take precedence
 * there over the review screen's own. */
extern const struct ui_keymap ui_review_full_keys;

/* Argument of scr_pick: a list to choose one row from. `rows` are copied;
 * pick(ctx, i) is called with the chosen row before the screen closes. */
struct ui_pick_arg {
    const char *title;
    const char *const *rows;
    size_t n;
    void (*pick)(void *ctx, size_t i);
    void *ctx;
};

/* ---- screens ------------------------------------------------------- */

/* Argument of scr_classes: with `pick` it is a picker that calls
 * pick(ctx, cls) with the chosen class and closes; `start` is revealed. */
struct ui_classes_arg {
    const rl_class *start;
    void (*pick)(void *ctx, const rl_class *cls);
    void *ctx;
};

/* Argument of scr_guide: the classes at hand (copied by the screen, so
 * `wnids` may live on the caller's stack) and the image grid to keep
 * beside the guide (borrowed, may be NULL). */
struct ui_guide_arg {
    const char *const *wnids;
    size_t n;
    const rl_cells *cells;
};

/* Argument of scr_examples: the class and the image grid to keep beside
 * its examples (borrowed, may be NULL). */
struct ui_examples_arg {
    const rl_class *cls;
    const rl_cells *cells;
};

extern const struct ui_screen scr_review;
extern const struct ui_screen scr_classes;
extern const struct ui_screen scr_guide;
extern const struct ui_screen scr_examples;
extern const struct ui_screen scr_home;
extern const struct ui_screen scr_task;
extern const struct ui_screen scr_help;
extern const struct ui_screen scr_pick;

#endif
