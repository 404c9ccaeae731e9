/* term.h - the one place that includes the curses header. Everything in
 * src/ui/ that needs curses includes this; nothing outside src/ui/ may. */
#ifndef RL_UI_TERM_H
#define RL_UI_TERM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
/* setupterm() and the terminfo names; its macros (lines, columns, ...)
 * would clash elsewhere, so only the file that asks gets them. */
#ifdef UI_TERM_TERMINFO
#include <term.h>
#endif

#endif
