/* err.c - fixed-buffer error reports (see err.h). */
#include "relabel/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relabel/util.h"

void
rl_err_set(rl_err *err, rl_errcode code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* A long name cut at the end of the buffer: cut a whole character. */
    err->msg[rl_utf8_whole(err->msg, strlen(err->msg))] = '\0';
}

void
rl_err_clear(rl_err *err)
{
    if (err == NULL)
        return;
    err->code = RL_E_OK;
    err->msg[0] = '\0';
}

void
rl_err_prefix(rl_err *err, const char *fmt, ...)
{
    char old[sizeof err->msg];
    va_list ap;
    size_t n;

    if (err == NULL)
        return;
    memcpy(old, err->msg, sizeof old);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    n = strlen(err->msg);
    if (n + 2 < sizeof err->msg) {
        /* As much of the old message as fits, cut (deliberately) at the
         * end; a cut character is dropped below. */
        size_t k = strlen(old), room = sizeof err->msg - n - 3;

        memcpy(err->msg + n, ": ", 2);
        n += 2;
        if (k > room)
            k = room;
        memcpy(err->msg + n, old, k);
        err->msg[n + k] = '\0';
    }
    err->msg[rl_utf8_whole(err->msg, strlen(err->msg))] = '\0';
}
