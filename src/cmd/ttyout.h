/* ttyout.h - what the commands print never reaches a terminal raw.
 *
 * ttyout_install() runs once at start-up in main.c: when stdout or stderr
 * is a terminal it is replaced by a stream that passes every byte through
 * rl_utf8_sanitize_stream() (escape sequences, C0/C1 controls and bidi
 * controls from data files are shown as \x1b, \u202e ...). A file or a pipe
 * keeps the stream as it was, so exports are byte-exact. A new command
 * cannot forget it: it prints to stdout/stderr like any other. */
#ifndef RL_TTYOUT_H
#define RL_TTYOUT_H

#include <stdio.h>

/* Filters stdout and stderr when each is a terminal. Never fails: if the
 * filter cannot be made the stream is left alone and a warning printed. */
void ttyout_install(void);
/* The unfiltered stream under `f` (stdout or stderr), for the few writes
 * that need a control character on purpose, such as a progress line's
 * '\r'; `f` itself when it is not filtered. Flushes `f` first so the
 * output stays in order. The caller sanitises any data it writes there. */
FILE *ttyout_raw(FILE *f);

#endif
