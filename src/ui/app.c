/* app.c - terminal set-up and restore, signals, the screen stack and the
 * central loop. Signal handlers only set flags; the loop acts on them.
 * Resizes arrive as KEY_RESIZE and are handled here, in one place. */
#include "ui/ui.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ui/term.h"

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_cont;   /* resumed after ctrl-Z */

static void
on_term(int sig)
{
    (void)sig;
    got_term = 1;                 /* no drawing, no I/O here */
}

static void
on_cont(int sig)
{
    (void)sig;
    got_cont = 1;
}

/* The terminal as it was before curses, for the crash handler. */
static struct termios saved_tty;
static volatile sig_atomic_t have_saved_tty;
static struct sigaction old_fatal[32];

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

/* A crash must not leave the user's terminal raw and on the alternate
 * screen: restore it with async-signal-safe calls only (write, tcsetattr),
 * then hand the signal to whoever had it before (the default action, or
 * the sanitizer's reporter) and raise it again. */
static void
on_fatal(int sig)
{
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t w;

    if (have_saved_tty) {
        w = write(STDOUT_FILENO, reset, sizeof reset - 1);
        (void)w;
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        have_saved_tty = 0;
    }
    if (sig > 0 && sig < 32)
        sigaction(sig, &old_fatal[sig], NULL);
    raise(sig);
}

static void
fatal_install(void)
{
    struct sigaction sa;
    size_t i;

    if (tcgetattr(STDIN_FILENO, &saved_tty) == 0)
        have_saved_tty = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    for (i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
        sigaction(fatal_sigs[i], &sa, &old_fatal[fatal_sigs[i]]);
}

static void
signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    /* ctrl-Z is curses' own (it restores the terminal and stops); after
     * fg the panes curses does not know about must be written again. */
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
    /* A dead terminal must not kill us before the loop notices. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

bool
ui_term_pending(void)
{
    return got_term != 0;
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
    if ((f = top(app)) == NULL)
        return;
    if (flags & UI_RELAYOUT) {
        getmaxyx(stdscr, app->rows, app->cols);
        f->type->layout(f->state, app->rows, app->cols);
        /* Curses repaints everything; direct-written panes follow. */
        clearok(curscr, TRUE);
        app->need_paint = true;
        flags |= UI_REDRAW;
    }
    if (flags & UI_REDRAW) {
        erase();
        f->type->draw(f->state);
        refresh();
        if (f->type->paint != NULL)
            f->type->paint(f->state);
        app->need_paint = false;
    }
}

/* A save waiting for another writer's lock (an import, a merge): say
 * "saving..." on the bottom line and keep waiting until it is committed,
 * unless the program is asked to end. */
static bool
on_save_wait(void *ctx, int64_t waited_ms)
{
    struct ui_app *app = ctx;

    (void)waited_ms;
    if (got_term)
        return false;
    attrset(A_BOLD);
    mvaddstr(app->rows > 0 ? app->rows - 1 : 0, 0, "saving...");
    attrset(A_NORMAL);
    clrtoeol();
    refresh();
    return true;
}

int
ui_run(struct ui_app *app, const struct ui_screen *first, void *arg)
{
    int flags;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "relabel: the review screen needs a terminal "
                "(stdin and stdout)\n");
        return 1;
    }
    signals_install();
    fatal_install();
    if (initscr() == NULL) {
        fprintf(stderr, "relabel: cannot initialise the terminal\n");
        return 1;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    idlok(stdscr, FALSE);          /* never scroll the image with text */
    idcok(stdscr, FALSE);
    scrollok(stdscr, FALSE);
    set_escdelay(25);
    timeout(100);                  /* getch returns ERR every 100 ms */
    curs_set(0);
    ui_colors_init(app);
    rl_store_set_wait(app->store, 0, on_save_wait, app);

    flags = ui_push(app, first, arg);
    if (app->depth == 0) {
        endwin();
        return 1;
    }
    apply(app, flags);
    while (!got_term && app->depth > 0) {
        struct ui_frame *f = top(app);
        int key = getch();

        if (got_cont) {
            got_cont = 0;
            flags = UI_RELAYOUT;
            apply(app, flags);
        }
        if (key == KEY_RESIZE)
            flags = UI_RELAYOUT;
        else if (key != ERR)
            flags = f->type->key(f->state, key);
        else
            flags = f->type->idle != NULL ? f->type->idle(f->state) : 0;
        apply(app, flags);
    }
    while (app->depth > 0)
        pop(app);                  /* screens flush their pending work */
    endwin();
    rl_buf_free(&app->out);
    return 0;
}
