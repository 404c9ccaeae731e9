/* scr_help.c - `?`: every key of the screen below, drawn from its key
 * table (struct ui_help_arg), the shared list keys with it where the
 * screen is a list. Up/Down and PgUp/PgDn scroll when it is longer than
 * the terminal; q closes every overlay; any other key closes the help. */
#include "ui/ui.h"

#include <stdlib.h>

#include "ui/term.h"

#define M_SHORT 1u             /* the help fits */
#define M_LONG 2u              /* it scrolls */

enum { H_SCROLL = 1, H_BACK, H_ALL };

static const struct ui_key help_key_table[] = {
    { H_SCROLL, { 0 }, "Up/Down", "scroll (PgUp/PgDn, Home/End too)",
      "scroll", M_LONG },
    { H_BACK, { 0 }, "any other key", "back", "returns", 0 },
    { H_ALL, { 'q' }, "q", "close every overlay", "close every overlay", 0 },
};

static const struct ui_keymap help_keys = {
    "Keys of the help", help_key_table,
    sizeof help_key_table / sizeof help_key_table[0], 0, false, NULL
};

struct help {
    struct ui_help_arg arg;
    struct ui_list list;   /* rows: one per help line; sel is the top */
    int rows, cols;
};

/* The lines of the help, in order: the screen's keys, then the list keys.
 * Returns the count; fills `out` when not NULL. */
static size_t
lines(const struct help *h, const struct ui_key **out)
{
    const struct ui_keymap *m = h->arg.keys;
    const struct ui_key *nav;
    size_t i, n = 0, nn;

    for (i = 0; i < m->n; i++) {
        const struct ui_key *k = &m->keys[i];

        if (k->help == NULL
            || (k->when != 0 && (k->when & h->arg.when) == 0))
            continue;
        if (out != NULL)
            out[n] = k;
        n++;
    }
    if ((m->nav & (h->arg.when != 0 ? h->arg.when : UI_MODES_ALL)) == 0)
        return n;
    nav = ui_list_keys(m->nav_letters, &nn);
    for (i = 0; i < nn; i++)
        if (nav[i].help != NULL) {
            if (out != NULL)
                out[n] = &nav[i];
            n++;
        }
    return n;
}

static void *
help_open(struct ui_app *app, void *arg)
{
    struct help *h = rl_xcalloc(1, sizeof *h);

    (void)app;
    h->arg = *(struct ui_help_arg *)arg;
    h->list.n = lines(h, NULL);
    return h;
}

static void
help_close(void *p)
{
    free(p);
}

static void
help_layout(void *p, int rows, int cols)
{
    struct help *h = p;

    h->rows = rows;
    h->cols = cols;
}

/* Rows for key lines: all but the title, a blank, the note and footer. */
static int
body_rows(const struct help *h)
{
    return h->rows - 4 - (h->arg.keys->note != NULL ? 2 : 0);
}

static void
help_draw(void *p)
{
    struct help *h = p;
    const struct ui_key **k = rl_xcalloc(h->list.n + 1, sizeof *k);
    int y = 0, body = body_rows(h), kw = 6;
    size_t i;

    lines(h, k);
    /* The key column as wide as its longest label, within a third. */
    for (i = 0; i < h->list.n; i++)
        if (rl_utf8_width(k[i]->label) + 4 > kw)
            kw = rl_utf8_width(k[i]->label) + 4;
    if (kw > h->cols / 3)
        kw = h->cols / 3;
    ui_text(y++, 1, h->cols - 2, h->arg.keys->title, A_BOLD);
    y++;
    if (h->list.sel + (size_t)body > h->list.n)
        h->list.sel = h->list.n > (size_t)body ? h->list.n - (size_t)body
                      : 0;
    for (i = h->list.sel; i < h->list.n && y < 2 + body; i++, y++) {
        ui_text(y, 2, kw - 2, k[i]->label, ui_attr(UI_C_KEY));
        ui_text_cut(y, kw, h->cols - kw - 1, k[i]->help, A_NORMAL);
    }
    if (h->arg.keys->note != NULL)
        ui_wrap(++y, 1, h->cols - 2, 2, h->arg.keys->note, A_NORMAL);
    ui_footer(&help_keys, h->list.n > (size_t)body ? M_LONG : M_SHORT,
              h->rows - 1, h->cols);
    free(k);
}

static int
help_key(void *p, int key)
{
    struct help *h = p;
    int body = body_rows(h);

    if (ui_key_action(&help_keys, key, 0) == H_ALL)
        return UI_POP_ALL;
    if (h->list.n > (size_t)body) {
        /* Scrolling is list navigation over the possible top lines. */
        struct ui_list top = { .n = h->list.n - (size_t)body + 1,
                               .sel = h->list.sel };

        if (ui_list_key(&top, key, body + 1, false) != 0) {
            h->list.sel = top.sel;
            return UI_REDRAW;
        }
    }
    return UI_POP;
}

const struct ui_screen scr_help = {
    .name = "help",
    .open = help_open,
    .close = help_close,
    .layout = help_layout,
    .draw = help_draw,
    .key = help_key,
    .overlay = true,
};
