/* signals.c - the interface's signal handlers: they only set flags (an
 * end asked for, a resume after ctrl-Z) that the loop in app.c and the
 * painters in draw.c read; and the crash handler that restores the
 * terminal. Owns no other state. */
#include "ui/ui.h"

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

void
ui_signals_install(void)
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
    fatal_install();
}

bool
ui_term_pending(void)
{
    return got_term != 0;
}

bool
ui_cont_take(void)
{
    if (!got_cont)
        return false;
    got_cont = 0;
    return true;
}
