/* termquery.c - detection's side effects: reading the per-user config,
 * asking the terminal in raw mode before curses starts, and opening the
 * terminfo entry with a fallback. The terminal's modes are restored on
 * every path before this returns; the replies are parsed and judged by
 * the pure code in src/render/termcaps.c. */
#include "ui/termquery.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "relabel/util.h"
#define UI_TERM_TERMINFO
#include "ui/term.h"

char *
ui_termconfig_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (xdg != NULL && xdg[0] == '/')
        return rl_xasprintf("%s/relabel/config", xdg);
    if (home != NULL && *home != '\0')
        return rl_xasprintf("%s/.config/relabel/config", home);
    return NULL;
}

int
ui_termconfig_load(const char *path, rl_termopts *cfg, rl_err *err)
{
    char buf[8192];
    FILE *f;
    size_t n;
    int rc;

    if (path == NULL || (f = fopen(path, "r")) == NULL) {
        if (path == NULL || errno == ENOENT)
            return 0;
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    rc = ferror(f) ? -1 : 0;
    if (rc == 0 && !feof(f)) {
        rl_err_set(err, RL_E_PARSE, "%s: longer than %zu bytes", path,
                   sizeof buf - 1);
        rc = -1;
    } else if (rc != 0) {
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
    }
    fclose(f);
    if (rc != 0)
        return -1;
    buf[n] = '\0';
    if (memchr(buf, '\0', n) != NULL) {
        rl_err_set(err, RL_E_PARSE, "%s: not a text file", path);
        return -1;
    }
    return rl_termcaps_config_parse(buf, path, cfg, err);
}

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The queries and replies on `fd`, as ui_termquery() describes. */
static int
query_fd(int fd, bool in_tmux, int timeout_ms, rl_termreply *reply,
         rl_terminfo *ti, int *ms)
{
    struct termios saved, raw;
    struct winsize ws;
    const char *q;
    long start = now_ms(), left;
    size_t len, off = 0;

    if (!isatty(fd) || tcgetattr(fd, &saved) != 0)
        return -1;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
        ti->rows = ws.ws_row;
        ti->cols = ws.ws_col;
        ti->px_w = ws.ws_xpixel;
        ti->px_h = ws.ws_ypixel;
    }

    /* Raw: no echo of the replies, no line buffering, reads that return
     * what is there. Output processing stays as it was. */
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &raw) != 0)
        return -1;

    q = rl_termcaps_queries(in_tmux, ti->px_w <= 0 || ti->px_h <= 0);
    len = strlen(q);
    while (off < len) {
        ssize_t w = write(fd, q + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }

    /* Until DA1 (which every terminal answers, after the others) or the
     * timeout, whichever is first. In tmux, DA1 is tmux's own answer and
     * comes at once; the outer terminal's reply to the wrapped kitty
     * query comes later if at all, so wait for it up to the timeout. */
    while (off == len && (left = timeout_ms - (now_ms() - start)) > 0) {
        struct pollfd p = { fd, POLLIN, 0 };
        unsigned char buf[512];
        ssize_t n;
        int pr = poll(&p, 1, (int)left);

        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        if (rl_termreply_feed(reply, buf, (size_t)n)
            && (!in_tmux || reply->kitty_wrapped))
            break;
    }
    rl_termreply_finish(reply);
    tcsetattr(fd, TCSANOW, &saved);
    if (ms != NULL)
        *ms = (int)(now_ms() - start);
    return 0;
}

int
ui_termquery(bool in_tmux, int timeout_ms, rl_termreply *reply,
             rl_terminfo *ti, int *ms)
{
    int fd, rc;

    rl_termreply_init(reply);
    if (ms != NULL)
        *ms = 0;
    /* The controlling terminal itself: stdout may be a pipe (doctor |
     * less), stdin open read-only. */
    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = query_fd(fd, in_tmux, timeout_ms, reply, ti, ms);
    close(fd);
    return rc;
}

/* A terminfo capability that may be boolean (ncurses' RGB, tmux's Tc)
 * or numeric/string (RGB in some entries). */
static bool
has_cap(const char *name)
{
    char *s;

    if (tigetflag(name) > 0 || tigetnum(name) > 0)
        return true;
    s = tigetstr(name);
    return s != NULL && s != (char *)-1;
}

/* curses' output stream on the terminal. Not stdout: that may be the
 * command-line output filter (cmd/ttyout.c), which has no fd and would
 * escape every byte curses writes. */
static FILE *
curses_out(void)
{
    static FILE *out;
    int fd;

    if (out == NULL && (fd = dup(STDOUT_FILENO)) >= 0
        && (out = fdopen(fd, "w")) == NULL)
        close(fd);
    return out;
}

int
ui_termopen(bool open, rl_terminfo *ti, char *note, size_t size)
{
    static const char *const fallback[] = { "xterm-256color", "xterm",
                                            "ansi" };
    const char *term = getenv("TERM");
    size_t i;
    int e;

    note[0] = '\0';
    for (i = 0; i <= sizeof fallback / sizeof fallback[0]; i++) {
        const char *name = i == 0 ? term : fallback[i - 1];
        bool ok;

        if (name == NULL || *name == '\0')
            continue;
        /* setupterm first: a newterm that fails leaks its screen. */
        ok = setupterm(name, STDOUT_FILENO, &e) == OK;
        if (ok && open) {
            SCREEN *scr;

            del_curterm(cur_term);
            scr = curses_out() != NULL ? newterm(name, curses_out(), stdin)
                                       : NULL;
            ok = scr != NULL && set_term(scr) != NULL;
        }
        if (!ok)
            continue;
        ti->name = name;
        ti->fallback = i > 0;
        ti->colors = tigetnum("colors");
        if (ti->colors < 0)
            ti->colors = 0;
        ti->rgb = has_cap("RGB") || has_cap("Tc");
        if (ti->fallback) {
            char *safe = rl_utf8_sanitize(term != NULL ? term : "");

            snprintf(note, size, "note: TERM=%.40s has no terminfo entry "
                     "here; using %s", safe, name);
            free(safe);
        }
        return 0;
    }
    return -1;
}

int
ui_termcaps_detect(const rl_termopts *opt, bool ask, bool open,
                   rl_termcaps *caps, char *note, size_t size,
                   rl_termreply *reply, int *ms, rl_err *err)
{
    char *path = ui_termconfig_path();  /* cfg.source points into it */
    rl_termopts cfg = RL_TERMOPTS_AUTO;
    rl_termreply local;
    rl_terminfo ti;
    rl_termenv env;
    bool asked = false;
    int rc = -1;

    memset(&ti, 0, sizeof ti);
    if (reply == NULL)
        reply = &local;
    rl_termreply_init(reply);
    if (ms != NULL)
        *ms = 0;
    if (ui_termconfig_load(path, &cfg, err) != 0)
        goto out;
    rl_termenv_get(&env);
    if (ask)
        asked = ui_termquery(env.tmux != NULL && *env.tmux != '\0',
                             UI_TERMQUERY_MS, reply, &ti, ms) == 0;
    if (ui_termopen(open, &ti, note, size) != 0) {
        char *safe = rl_utf8_sanitize(env.term != NULL ? env.term : "");

        rl_err_set(err, RL_E_IO, "no terminfo entry for TERM=%.60s, nor "
                   "for xterm-256color, xterm or ansi", safe);
        free(safe);
        goto out;
    }
    if (!asked && ms != NULL)
        *ms = -1;
    /* the reasons are copied into caps->why: `path` may go after */
    rl_termcaps_decide(caps, opt, &cfg, &env, &ti, asked ? reply : NULL);
    rc = 0;
out:
    free(path);
    return rc;
}
