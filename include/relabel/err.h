/* err.h - error reports that never allocate.
 *
 * Fallible functions return 0 / -1 (or a pointer / NULL) and take an
 * rl_err * last. The message is a fixed buffer, ready for a status line
 * or stderr; a NULL rl_err * is accepted everywhere and ignored. */
#ifndef RL_ERR_H
#define RL_ERR_H

typedef enum rl_errcode {
    RL_E_OK = 0,
    RL_E_IO,        /* file could not be read or written */
    RL_E_DB,        /* SQLite failed */
    RL_E_PARSE,     /* malformed input (CSV, TSV, JPEG, Markdown) */
    RL_E_NOTFOUND,  /* unknown image, class, reviewer, task */
    RL_E_RANGE,     /* index or value out of range */
    RL_E_DUP,       /* duplicate key */
    RL_E_VERSION,   /* project from a newer relabel, or not a project */
    RL_E_BUSY,      /* database locked past the busy timeout */
    RL_E_USAGE,     /* bad arguments */
    RL_E_IMAGE      /* image cannot be decoded */
} rl_errcode;

typedef struct rl_err {
    rl_errcode code;   /* RL_E_OK when nothing went wrong */
    char msg[256];     /* NUL-terminated, truncated if longer */
} rl_err;

/* Sets code and printf-style message; `err` may be NULL. */
void rl_err_set(rl_err *err, rl_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clears to RL_E_OK and an empty message; `err` may be NULL. */
void rl_err_clear(rl_err *err);
/* Prepends "prefix: " to the message, keeping the code. */
void rl_err_prefix(rl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
