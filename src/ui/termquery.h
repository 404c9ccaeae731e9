/* termquery.h - the terminal I/O of capability detection (issue 11):
 * the per-user config file, the queries sent and answered before curses
 * takes the terminal, the terminfo entry (with a fallback for an unknown
 * TERM), and the decision of src/render/termcaps.c over all of them.
 * Used by the interface (app.c) and by `relabel doctor`. */
#ifndef RL_UI_TERMQUERY_H
#define RL_UI_TERMQUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "relabel/err.h"
#include "relabel/termcaps.h"

/* Longest the queries may hold up the first frame on a terminal that
 * answers nothing. */
#define UI_TERMQUERY_MS 150

/* The per-user config file's path: $XDG_CONFIG_HOME/relabel/config,
 * else $HOME/.config/relabel/config; a new string, NULL without HOME. */
char *ui_termconfig_path(void);

/* Reads the config file into `cfg` (which keeps a pointer to `path`, so
 * the caller keeps it alive). A missing file is no error: 0, `cfg`
 * untouched. -1 with "FILE:LINE: key: why" in `err` when it is bad. */
int ui_termconfig_load(const char *path, rl_termopts *cfg, rl_err *err);

/* Sends the queries on the controlling terminal (/dev/tty) in one
 * write, in raw mode, and reads the replies until DA1 or `timeout_ms`;
 * restores the terminal modes. Fills `ti`'s size fields from TIOCGWINSZ
 * and, if `ms` is not NULL, the milliseconds it took. Bytes that were
 * not replies stay in reply->keys. Returns 0, or -1 when there is no
 * terminal (nothing sent). */
int ui_termquery(bool in_tmux, int timeout_ms, rl_termreply *reply,
                 rl_terminfo *ti, int *ms);

/* The terminfo entry for $TERM, else the first of xterm-256color, xterm
 * and ansi that exists. With `open` curses is started on it (newterm on
 * stdout/stdin, made current), else only terminfo is read (setupterm).
 * Fills ti->name, ti->fallback, ti->colors and ti->rgb; on a fallback
 * writes a one-line note to `note` (else ""). Returns 0, or -1 when no
 * entry at all could be used. */
int ui_termopen(bool open, rl_terminfo *ti, char *note, size_t size);

/* The whole detection: config, queries (when `ask`), terminfo (curses
 * started when `open`), decision into `caps`. `opt` holds the command's
 * options. -1 with `err` set only for a bad config file or no usable
 * terminfo entry; then curses is not started. `reply` and `ms` may be
 * NULL; if not they get the raw replies and the query time in ms (-1:
 * no terminal to ask). */
int ui_termcaps_detect(const rl_termopts *opt, bool ask, bool open,
                       rl_termcaps *caps, char *note, size_t size,
                       rl_termreply *reply, int *ms, rl_err *err);

#endif
