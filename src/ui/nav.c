/* nav.c - list navigation shared by every list screen (home, the class
 * browser, a finished task's answers, pick lists), as tmux's mode-tree.c
 * serves every tree mode: one place moves the selection and scrolls, and
 * one table describes those keys in each screen's `?`. */
#include "ui/ui.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/term.h"

enum { NAV_DOWN = 1, NAV_UP, NAV_PAGE_DOWN, NAV_PAGE_UP, NAV_HOME, NAV_END,
       NAV_SEARCH };

static const struct ui_key nav_keys[] = {
    { NAV_DOWN, { KEY_DOWN }, "Down Up", "select the next / previous row",
      NULL, 0 },
    { NAV_UP, { KEY_UP }, "Up", NULL, NULL, 0 },
    { NAV_PAGE_DOWN, { KEY_NPAGE }, "PgDn PgUp", "a page down / up", NULL,
      0 },
    { NAV_PAGE_UP, { KEY_PPAGE }, "PgUp", NULL, NULL, 0 },
    { NAV_HOME, { KEY_HOME }, "Home End", "the first / last row", NULL, 0 },
    { NAV_END, { KEY_END }, "End", NULL, NULL, 0 },
};

/* The same with j and k, for lists that take no typed text. */
static const struct ui_key nav_letter_keys[] = {
    { NAV_DOWN, { KEY_DOWN, 'j' }, "j k / Down Up",
      "select the next / previous row", NULL, 0 },
    { NAV_UP, { KEY_UP, 'k' }, "k", NULL, NULL, 0 },
    { NAV_PAGE_DOWN, { KEY_NPAGE }, "PgDn PgUp", "a page down / up", NULL,
      0 },
    { NAV_PAGE_UP, { KEY_PPAGE }, "PgUp", NULL, NULL, 0 },
    { NAV_HOME, { KEY_HOME }, "Home End", "the first / last row", NULL, 0 },
    { NAV_END, { KEY_END }, "End", NULL, NULL, 0 },
    { NAV_SEARCH, { '/' }, "/",
      "search the rows (again: the next match)", NULL, 0 },
};

static const struct ui_keymap nav_map = {
    "list", nav_keys, sizeof nav_keys / sizeof nav_keys[0], 0, false,
    NULL
};
static const struct ui_keymap nav_letter_map = {
    "list", nav_letter_keys, sizeof nav_letter_keys / sizeof nav_letter_keys[0],
    0, false, NULL
};

const struct ui_key *
ui_list_keys(bool letters, size_t *n)
{
    const struct ui_keymap *m = letters ? &nav_letter_map : &nav_map;

    *n = m->n;
    return m->keys;
}

/* Does `hay` hold `needle`, ASCII case folded? */
static bool
holds(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for (; *hay != '\0'; hay++) {
        for (i = 0; i < n && hay[i] != '\0'
             && tolower((unsigned char)hay[i])
                == tolower((unsigned char)needle[i]); i++)
            ;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* `/`: the next row holding the text asked for; a beep when none does. */
static void
search(struct ui_list *l)
{
    char *q = ui_prompt(l->app, LINES - 1, "Search: ", l->query);
    size_t k, i;

    if (q == NULL || *q == '\0' || l->n == 0) {
        free(q);
        return;
    }
    snprintf(l->query, sizeof l->query, "%s", q);
    free(q);
    for (k = 1; k <= l->n; k++) {
        i = (l->sel + k) % l->n;
        if (holds(l->text(l->ctx, i), l->query)) {
            l->sel = i;
            return;
        }
    }
    beep();
}

int
ui_list_key(struct ui_list *l, int key, int page, bool letters)
{
    size_t step = page > 1 ? (size_t)page - 1 : 1;
    size_t last = l->n > 0 ? l->n - 1 : 0;

    switch (ui_key_action(letters ? &nav_letter_map : &nav_map, key, 0)) {
    case NAV_DOWN:
        l->sel = l->sel < last ? l->sel + 1 : last;
        break;
    case NAV_UP:
        l->sel = l->sel > 0 ? l->sel - 1 : 0;
        break;
    case NAV_PAGE_DOWN:
        l->sel = l->sel + step < last ? l->sel + step : last;
        break;
    case NAV_PAGE_UP:
        l->sel = l->sel > step ? l->sel - step : 0;
        break;
    case NAV_HOME:
        l->sel = 0;
        break;
    case NAV_END:
        l->sel = last;
        break;
    case NAV_SEARCH:
        if (l->text == NULL || l->app == NULL)
            return 0;
        search(l);
        break;
    default:
        return 0;
    }
    return UI_REDRAW;
}

void
ui_list_fit(struct ui_list *l, int rows)
{
    size_t r = rows > 0 ? (size_t)rows : 1;

    if (l->n == 0) {
        l->sel = l->top = 0;
        return;
    }
    if (l->sel >= l->n)
        l->sel = l->n - 1;
    if (l->sel < l->top)
        l->top = l->sel;
    if (l->sel >= l->top + r)
        l->top = l->sel - r + 1;
    /* No empty rows below while there is more above. */
    if (l->top > 0 && l->top + r > l->n)
        l->top = l->n > r ? l->n - r : 0;
}
