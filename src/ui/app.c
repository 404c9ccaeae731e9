/* app.c - terminal set-up and restore, the screen stack and the central
 * loop. Signal handlers (signals.c) only set flags; the loop acts on them.
 * Resizes arrive as KEY_RESIZE and are handled here, in one place. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/journal.h"
#include "ui/term.h"
#include "ui/termquery.h"

const char *
ui_examples_dir(struct ui_app *app)
{
    free(app->examples_dir);
    app->examples_dir = rl_store_meta_get(app->store, "examples");
    return app->examples_dir;
}

int
ui_push(struct ui_app *app, const struct ui_screen *type, void *arg)
{
    void *st;

    if (app->depth >= (int)(sizeof app->stack / sizeof app->stack[0]))
        return UI_HANDLED;
    st = type->open(app, arg);
    if (st == NULL)
        return UI_REDRAW;
    app->stack[app->depth].type = type;
    app->stack[app->depth].state = st;
    app->depth++;
    return UI_RELAYOUT;
}

static void
pop(struct ui_app *app)
{
    struct ui_frame *f;

    if (app->depth == 0)
        return;
    f = &app->stack[--app->depth];
    f->type->close(f->state);
}

static struct ui_frame *
top(struct ui_app *app)
{
    return app->depth > 0 ? &app->stack[app->depth - 1] : NULL;
}

static void
apply(struct ui_app *app, int flags)
{
    struct ui_frame *f;

    if (flags & UI_QUIT) {
        while (app->depth > 0)
            pop(app);
        return;
    }
    if (flags & UI_POP) {
        pop(app);
        flags |= UI_RELAYOUT;
    }
    if (flags & UI_POP_ALL) {
        while ((f = top(app)) != NULL && f->type->overlay)
            pop(app);
        flags |= UI_RELAYOUT;
    }
    if ((f = top(app)) == NULL)
        return;
    if (flags & UI_RELAYOUT) {
        getmaxyx(stdscr, app->rows, app->cols);
        f->type->layout(f->state, app->rows, app->cols);
        /* Direct-written panes follow. After a resize or a resume curses
         * repaints everything, so every picture goes (kitty's sit apart
         * from the text: delete them); a screen pushed or popped is a
         * diff, and pictures it leaves untouched stay (ui_pane_sweep). */
        if (flags & UI_REPAINT) {
            ui_pane_forget(app);
            clearok(curscr, TRUE);
        }
        app->need_paint = true;
        flags |= UI_REDRAW;
    }
    if (flags & UI_REDRAW) {
        erase();
        f->type->draw(f->state);
        if (app->term_note[0] != '\0') {
            ui_blank(app->rows - 1, 0, app->cols);
            ui_text(app->rows - 1, 0, app->cols, app->term_note,
                    ui_attr(UI_C_ERROR));
        }
        refresh();
        ui_pane_sweep(app);
        if (f->type->paint != NULL)
            f->type->paint(f->state);
        app->need_paint = false;
    }
}

/* An Esc from getch may begin a terminal reply that came after the
 * start-up queries stopped waiting (a slow link): "ESC [ ? 6 2 ; c" read
 * as keys would mark Correct. Reads what is already there after it; a
 * reply is dropped, anything else goes back for getch, in order.
 * Returns the key to handle now (Esc, or ERR when it was a reply). */
static int
late_reply(void)
{
    unsigned char seq[128];        /* within ncurses' ungetch queue */
    rl_termreply r;
    size_t n = 1, i;
    int ch;

    seq[0] = 27;
    nodelay(stdscr, TRUE);
    while (n < sizeof seq && (ch = getch()) != ERR && ch >= 0 && ch < 256)
        seq[n++] = (unsigned char)ch;
    timeout(100);
    if (n < sizeof seq && ch != ERR)
        ungetch(ch);               /* a decoded key (KEY_*) ended it */
    rl_termreply_init(&r);
    rl_termreply_feed(&r, seq, n);
    rl_termreply_finish(&r);
    if (r.nkeys + r.lost == n)     /* no reply in it: all keys */
        r.nkeys = 0;
    else
        n = 0;
    for (i = r.nkeys; i > 0; i--)
        ungetch(r.keys[i - 1]);
    for (i = n; i > 1; i--)
        ungetch(seq[i - 1]);
    return n > 0 ? 27 : ERR;
}

/* Keys typed while the replies came, handed back to curses in order.
 * Escape sequences (arrows, F-keys) become the key codes curses would
 * have read (key_defined); ones it does not know are dropped, so their
 * tail is never taken for letters. Needs keypad() on. */
static void
typed_ahead(const rl_termreply *r)
{
    int codes[RL_TERMREPLY_KEYS];
    size_t i = 0, j, n = 0;

    while (i < r->nkeys) {
        char s[RL_TERMREPLY_KEYS + 1];
        int k;

        if (r->keys[i] != 27) {
            codes[n++] = r->keys[i++];
            continue;
        }
        j = i + 1;                 /* ESC [ ... final, ESC O x, ESC x */
        if (j < r->nkeys && r->keys[j] == '[') {
            for (j++; j < r->nkeys && (r->keys[j] < 0x40
                                       || r->keys[j] > 0x7e); j++)
                ;
            j++;
        } else if (j < r->nkeys && r->keys[j] == 'O') {
            j += 2;
        } else if (j < r->nkeys && r->keys[j] != 27) {
            j++;
        }
        if (j > r->nkeys)
            j = r->nkeys;
        memcpy(s, r->keys + i, j - i);
        s[j - i] = '\0';
        k = j - i == 1 ? 27 : key_defined(s);
        if (k <= 0 && j - i == 3 && s[1] == '[') {
            s[1] = 'O';            /* arrows typed before keypad mode */
            k = key_defined(s);
        }
        if (k > 0)
            codes[n++] = k;
        i = j;
    }
    while (n > 0)
        ungetch(codes[--n]);       /* last in, first out */
}

/* A save waiting for another writer's lock (an import, a merge): say
 * "saving..." on the bottom line and keep waiting until it is committed,
 * unless the program is asked to end. */
static bool
on_save_wait(void *ctx, int64_t waited_ms)
{
    struct ui_app *app = ctx;

    (void)waited_ms;
    if (ui_term_pending())
        return false;
    attrset(A_BOLD);
    mvaddstr(app->rows > 0 ? app->rows - 1 : 0, 0, "saving...");
    attrset(A_NORMAL);
    clrtoeol();
    refresh();
    return true;
}

/* The WAL checkpoint, once the reviewer has been idle for two seconds,
 * at most every ten: the session's own commits never run one. */
static void
idle_checkpoint(struct ui_app *app)
{
    double now = rl_mono_ms();

    if (now - app->key_at < 2000 || now - app->checkpoint_at < 10000)
        return;
    app->checkpoint_at = now;
    rl_store_checkpoint(app->store);
}

int
ui_run(struct ui_app *app, const struct ui_screen *first, void *arg)
{
    rl_termreply reply;
    rl_err e;
    int flags;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "relabel: the review screen needs a terminal "
                "(stdin and stdout)\n");
        return 1;
    }
    ui_signals_install();
    /* Ask the terminal before curses owns its input; then curses on the
     * terminfo entry (or a fallback), the first frame after the lot. */
    if (ui_termcaps_detect(&app->term_opt, true, true, &app->caps,
                           app->term_note, sizeof app->term_note, &reply,
                           NULL, &e) != 0) {
        char *safe = rl_utf8_sanitize(e.msg);

        fprintf(stderr, "relabel: %s\n", safe);
        free(safe);
        return 1;
    }
    if (app->opt.cell_w > 0) {     /* --cell: the user knows better */
        app->caps.cell_w = app->opt.cell_w;
        app->caps.cell_h = app->opt.cell_h;
    }
    app->opt.pixels = app->caps.pixels == RL_PIX_ASCII ? UI_PIXELS_ASCII
                      : UI_PIXELS_SYMBOLS;
    app->colors = app->caps.colors;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    typed_ahead(&reply);
    idlok(stdscr, FALSE);          /* never scroll the image with text */
    idcok(stdscr, FALSE);
    scrollok(stdscr, FALSE);
    /* A lone Esc in 25 ms, not curses' default second (which tmux makes
     * felt), unless the user chose a delay of their own. */
    if (getenv("ESCDELAY") == NULL)
        set_escdelay(25);
    timeout(100);                  /* getch returns ERR every 100 ms */
    curs_set(0);
    ui_colors_init(app);
    rl_store_set_wait(app->store, 0, on_save_wait, app);
    rl_journal_set_interactive(app->store, true);
    rl_store_set_idle_checkpoints(app->store);

    flags = ui_push(app, first, arg);
    if (app->depth == 0) {
        endwin();
        return 1;
    }
    apply(app, flags);
    while (!ui_term_pending() && app->depth > 0) {
        struct ui_frame *f = top(app);
        int key = getch();

        if (key == 27)
            key = late_reply();

        if (ui_cont_take()) {
            flags = UI_RELAYOUT | UI_REPAINT;
            apply(app, flags);
        }
        if (key != ERR && app->term_note[0] != '\0') {
            app->term_note[0] = '\0';      /* seen: the screen's again */
            apply(app, UI_REDRAW);
        }
        if (key != ERR)
            app->key_at = rl_mono_ms();
        if (key == KEY_RESIZE)
            flags = UI_RELAYOUT | UI_REPAINT;
        else if (key != ERR)
            flags = f->type->key(f->state, key);
        else {
            /* Idle: marks journaled while another process held the
             * project's lock go to it as soon as it is free. */
            (void)rl_journal_apply(app->store, 0, NULL);
            idle_checkpoint(app);
            flags = f->type->idle != NULL ? f->type->idle(f->state) : 0;
        }
        /* Idle work pending: look for keys without waiting. */
        timeout(flags & UI_AGAIN ? 0 : 100);
        apply(app, flags & ~UI_AGAIN);
    }
    while (app->depth > 0)
        pop(app);                  /* screens flush their pending work */
    ui_pane_forget(app);
    endwin();
    rl_buf_free(&app->out);
    return 0;
}
