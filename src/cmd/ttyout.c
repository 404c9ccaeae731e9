/* ttyout.c - the terminal filter over stdout and stderr (see ttyout.h).
 *
 * A glibc fopencookie() stream whose write function sanitises and hands
 * the result to the original FILE, which it flushes at once, so text from
 * the filtered stream and from ttyout_raw() arrive in order. State per
 * stream: a character cut between two writes waits in `st`. */
#define _GNU_SOURCE
#include "cmd/ttyout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "relabel/util.h"

struct filter {
    FILE *under;           /* the original stream; not closed by us */
    FILE *over;            /* the cookie stream now in stdout/stderr */
    rl_utf8_stream st;     /* a partial character between writes */
};

static struct filter filters[2];

static ssize_t
filter_write(void *cookie, const char *buf, size_t n)
{
    struct filter *f = cookie;
    rl_buf out = {0};
    bool ok;

    rl_utf8_sanitize_stream(&f->st, buf, n, false, &out);
    ok = out.len == 0
         || fwrite(out.data, 1, out.len, f->under) == out.len;
    ok = fflush(f->under) == 0 && ok;
    rl_buf_free(&out);
    return ok ? (ssize_t)n : -1;
}

static FILE *
wrap(struct filter *f, FILE *under, int fd, int mode)
{
    cookie_io_functions_t io = { NULL, filter_write, NULL, NULL };
    FILE *over;

    if (!isatty(fd))
        return under;
    f->under = under;
    over = fopencookie(f, "w", io);
    if (over == NULL) {
        fprintf(under, "relabel: warning: cannot filter the terminal "
                "output\n");
        return under;
    }
    setvbuf(over, NULL, mode, BUFSIZ);
    f->over = over;
    return over;
}

/* At exit a character left incomplete by the last write is shown as
 * \xNN rather than lost. */
static void
finish(void)
{
    size_t i;

    for (i = 0; i < 2; i++) {
        struct filter *f = &filters[i];
        rl_buf out = {0};

        if (f->over == NULL)
            continue;
        fflush(f->over);
        rl_utf8_sanitize_stream(&f->st, "", 0, true, &out);
        if (out.len > 0)
            fwrite(out.data, 1, out.len, f->under);
        fflush(f->under);
        rl_buf_free(&out);
    }
}

void
ttyout_install(void)
{
    atexit(finish);
    stdout = wrap(&filters[0], stdout, STDOUT_FILENO, _IOLBF);
    stderr = wrap(&filters[1], stderr, STDERR_FILENO, _IONBF);
}

FILE *
ttyout_raw(FILE *f)
{
    size_t i;

    for (i = 0; i < 2; i++)
        if (filters[i].over != NULL && filters[i].over == f) {
            fflush(f);
            return filters[i].under;
        }
    return f;
}
