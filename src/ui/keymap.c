/* keymap.c - key tables: each screen's bindings are one table (struct
 * ui_keymap), from which its key handler, its footer and its `?` help
 * are all drawn, so that no key is described twice. The review screen's
 * table lives here; the others live beside their screens. These
 * bindings are a contract: the tests and the documentation rely on them.
 * An entry whose help is NULL shares the help line of the entry before
 * it (Up beside Down). */
#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "ui/term.h"

static const struct ui_key review_keys[] = {
    { UI_A_DOWN, { 'j', KEY_DOWN }, "j k / Down Up",
      "select the next / previous candidate", NULL, 0 },
    { UI_A_UP, { 'k', KEY_UP }, "k", NULL, NULL, 0 },
    { UI_A_CORRECT, { 'c', '1' }, "c 1",
      "mark Correct, go to the next unreviewed", "Correct", 0 },
    { UI_A_WRONG, { 'w', '2' }, "w 2",
      "mark Wrong, go to the next unreviewed", "Wrong", 0 },
    { UI_A_UNCLEAR, { 'u', '3' }, "u 3",
      "mark Unclear, go to the next unreviewed", "Unclear", 0 },
    { UI_A_DONTKNOW, { 'd', '4' }, "d 4",
      "mark Don't know, go to the next unreviewed", "Don't know", 0 },
    { UI_A_UNREVIEW, { 'x', '0' }, "x 0", "back to Unreviewed", NULL, 0 },
    { UI_A_REST_WRONG, { 'W' }, "W",
      "set all unreviewed candidates to Wrong", "rest Wrong", 0 },
    { UI_A_ASSIGNED, { 'A' }, "A",
      "set the assigned (original) label to Correct", "orig Correct", 0 },
    { UI_A_MAIN, { 'm' }, "m",
      "make the selected (Correct) candidate the main object", NULL, 0 },
    { UI_A_PROBLEMATIC, { 'p' }, "p", "toggle Problematic", "problematic",
      0 },
    { UI_A_NOTE, { 'P' }, "P", "edit the Problematic note", NULL, 0 },
    { UI_A_CONFIRM, { '\n', '\r', KEY_ENTER }, "Enter",
      "confirm this image, go to the next needing review", "confirm", 0 },
    { UI_A_NEXT, { 'n' }, "n N", "next / previous image in the queue",
      "next", 0 },
    { UI_A_PREV, { 'N' }, "N", NULL, NULL, 0 },
    { UI_A_GOTO, { ':' }, ":",
      "go to an image: its name, a prefix, a part of it, or its number",
      NULL, 0 },
    { UI_A_FILTER, { 'F' }, "F",
      "cycle the filter: all, unreviewed, problematic, others", NULL, 0 },
    { UI_A_ORDER, { 'O' }, "O",
      "cycle the queue order: name, disagree (models against the original "
      "label first), margin (models unsure first), random", NULL, 0 },
    { UI_A_UNDO, { 'z' }, "z Z",
      "undo / redo one step: a mark, a W, an Enter (across images and "
      "restarts)", "undo", 0 },
    { UI_A_REDO, { 'Z' }, "Z", NULL, NULL, 0 },
    { UI_A_ADD, { '+' }, "+",
      "add a class no model proposed (search, wnid or index)", NULL, 0 },
    { UI_A_NAME, { 'i' }, "i", "hide / show the image name", NULL, 0 },
    { UI_A_FULL, { 'f' }, "f", "full-screen image (f or Esc returns)",
      NULL, 0 },
    { UI_A_ZOOM_IN, { 0 }, "+ - 0",
      "full screen: zoom in 2x (to 8x) / out / fit", NULL, 0 },
    { UI_A_PAN_LEFT, { 0 }, "h j k l / arrows",
      "full screen: pan a quarter of the view", NULL, 0 },
    { UI_A_GUIDE, { 'g' }, "g",
      "labeling guide for these candidates (G marks them)", "guide", 0 },
    { UI_A_BROWSE, { 'b' }, "b", "browse and search the class hierarchy",
      NULL, 0 },
    { UI_A_EXAMPLES, { 'e' }, "e",
      "example images of the selected candidate", NULL, 0 },
    { UI_A_HELP, { '?' }, "?", "all keys", "help", 0 },
    { UI_A_QUIT, { 'q' }, "q", "quit", "quit", 0 },
};

const struct ui_keymap ui_review_keys = {
    "Keys of the review screen", review_keys,
    sizeof review_keys / sizeof review_keys[0], 0, false,
    "Markers: [C] Correct  [W] Wrong  [U] Unclear  [D] Don't know  "
    "[.] Unreviewed   G: the guide has an entry"
};

/* Full screen (f): looked up before the table above. */
static const struct ui_key full_keys[] = {
    { UI_A_ZOOM_IN, { '+', '=' }, "+", "zoom in 2x about the centre (to 8x)",
      "zoom in", 0 },
    { UI_A_ZOOM_OUT, { '-' }, "-", "zoom out 2x", "out", 0 },
    { UI_A_ZOOM_FIT, { '0' }, "0", "fit the whole image", "fit", 0 },
    { UI_A_PAN_LEFT, { 'h', KEY_LEFT }, "h j k l / arrows",
      "pan a quarter of the view", "pan", 0 },
    { UI_A_PAN_DOWN, { 'j', KEY_DOWN }, "j", NULL, NULL, 0 },
    { UI_A_PAN_UP, { 'k', KEY_UP }, "k", NULL, NULL, 0 },
    { UI_A_PAN_RIGHT, { 'l', KEY_RIGHT }, "l", NULL, NULL, 0 },
    { UI_A_FULL, { 'f', 27 }, "f Esc", "back to the review screen", "back",
      0 },
};

const struct ui_keymap ui_review_full_keys = {
    "Keys of the full-screen image", full_keys,
    sizeof full_keys / sizeof full_keys[0], 0, false, NULL
};

static bool
applies(const struct ui_key *k, unsigned when)
{
    return k->when == 0 || (k->when & when) != 0;
}

static bool
bound(const struct ui_key *k, int key)
{
    size_t i;

    for (i = 0; i < sizeof k->keys / sizeof k->keys[0] && k->keys[i]; i++)
        if (k->keys[i] == key)
            return true;
    return false;
}

int
ui_key_action(const struct ui_keymap *m, int key, unsigned when)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        if (applies(&m->keys[i], when) && bound(&m->keys[i], key))
            return m->keys[i].action;
    return 0;
}

/* The help and leave keys go to the footer's right end. */
static bool
at_end(const struct ui_key *k)
{
    return bound(k, '?') || bound(k, 'q');
}

/* Columns of a footer item: its key(s), a space, its word. */
static int
footer_width(const struct ui_key *k)
{
    size_t n = k->keys[0] == 0 ? strlen(k->label) : strcspn(k->label, " ");

    return (int)n + 1 + rl_utf8_width(k->footer);
}

/* Draws "key word" at x; returns the columns used. */
static int
footer_item(const struct ui_key *k, int y, int x, int cols)
{
    char key[16];
    size_t n = strcspn(k->label, " ");
    int used;

    if (k->keys[0] == 0)
        n = strlen(k->label);     /* a summary shows all its keys */
    snprintf(key, sizeof key, "%.*s", (int)n, k->label);
    used = ui_text(y, x, cols - x, key, ui_attr(UI_C_KEY));
    used += ui_text(y, x + used, cols - x - used, " ", A_NORMAL);
    used += ui_text(y, x + used, cols - x - used, k->footer, A_NORMAL);
    return used;
}

void
ui_footer(const struct ui_keymap *m, unsigned when, int y, int cols)
{
    ui_footer_at(m, when, y, 0, cols);
}

void
ui_footer_at(const struct ui_keymap *m, unsigned when, int y, int x0,
             int cols)
{
    size_t i;
    int tail = 0, x = x0, room;

    for (i = 0; i < m->n; i++)
        if (m->keys[i].footer != NULL && applies(&m->keys[i], when)
            && at_end(&m->keys[i]))
            tail += (tail > 0 ? 2 : 0) + footer_width(&m->keys[i]);
    room = cols - tail - 2;
    if ((m->nav & (when != 0 ? when : UI_MODES_ALL)) != 0 && room > 20) {
        static const struct ui_key nav = { 1, { 0 }, "Up/Down", NULL,
                                           "select", 0 };

        x += footer_item(&nav, y, x, cols);
        x += ui_text(y, x, cols - x, "  ", A_NORMAL);
    }
    for (i = 0; i < m->n && x < room; i++) {
        const struct ui_key *k = &m->keys[i];

        if (k->footer == NULL || !applies(k, when) || at_end(k))
            continue;
        if (x + footer_width(k) + 2 > room)
            break;
        x += footer_item(k, y, x, cols);
        x += ui_text(y, x, cols - x, "  ", A_NORMAL);
    }
    x = cols - tail;
    for (i = 0; i < m->n; i++) {
        const struct ui_key *k = &m->keys[i];

        if (k->footer == NULL || !applies(k, when) || !at_end(k))
            continue;
        if (x > cols - tail)
            x += ui_text(y, x, cols - x, "  ", A_NORMAL);
        x += footer_item(k, y, x, cols);
    }
}
