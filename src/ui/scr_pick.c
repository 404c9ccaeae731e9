/* scr_pick.c - a list to choose one row from (struct ui_pick_arg): the
 * images several matched by `:`, and any other short choice. Rows are
 * copied and drawn sanitised; the shared list keys move, Enter picks,
 * Esc closes. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>

#include "ui/term.h"

enum { K_PICK = 1, K_HELP, K_BACK };

static const struct ui_key pick_key_table[] = {
    { K_PICK, { '\n', '\r', KEY_ENTER }, "Enter", "take the selected row",
      "pick", 0 },
    { K_HELP, { '?' }, "?", "all keys", "help", 0 },
    { K_BACK, { 27, 'q' }, "Esc q", "close the list, choosing nothing",
      "back", 0 },
};

static const struct ui_keymap pick_keys = {
    "Keys of a pick list", pick_key_table,
    sizeof pick_key_table / sizeof pick_key_table[0], UI_MODES_ALL, true,
    NULL
};

struct pick {
    struct ui_app *app;
    struct ui_pick_arg arg;    /* arg.rows points at `rows` below */
    char **rows;               /* own copies */
    char *title;
    struct ui_list list;
    int nrows, ncols;          /* terminal */
};

static const char *
row_text(void *ctx, size_t i)
{
    return ((struct pick *)ctx)->rows[i];
}

static void *
pick_open(struct ui_app *app, void *argp)
{
    const struct ui_pick_arg *a = argp;
    struct pick *pk = rl_xcalloc(1, sizeof *pk);
    size_t i;

    pk->app = app;
    pk->arg = *a;
    pk->title = rl_xstrdup(a->title);
    pk->rows = rl_xcalloc(a->n + 1, sizeof *pk->rows);
    for (i = 0; i < a->n; i++)
        pk->rows[i] = rl_xstrdup(a->rows[i]);
    pk->arg.rows = (const char *const *)pk->rows;
    pk->list.n = a->n;
    pk->list.text = row_text;
    pk->list.ctx = pk;
    pk->list.app = app;
    return pk;
}

static void
pick_close(void *p)
{
    struct pick *pk = p;
    size_t i;

    for (i = 0; i < pk->arg.n; i++)
        free(pk->rows[i]);
    free(pk->rows);
    free(pk->title);
    free(pk);
}

static void
pick_layout(void *p, int rows, int cols)
{
    struct pick *pk = p;

    pk->nrows = rows;
    pk->ncols = cols;
}

static int
body_rows(const struct pick *pk)
{
    return pk->nrows - 4;
}

static void
pick_draw(void *p)
{
    struct pick *pk = p;
    int y = 2, body = body_rows(pk), sel_attr = ui_attr(UI_C_SELECTED);
    size_t i;

    ui_text(0, 1, pk->ncols - 2, pk->title, A_BOLD);
    ui_list_fit(&pk->list, body);
    for (i = pk->list.top; i < pk->arg.n && y < 2 + body; i++, y++) {
        bool sel = i == pk->list.sel;
        char line[32];

        if (sel) {
            attron(sel_attr);
            mvhline(y, 1, ' ', pk->ncols - 2);
            attroff(sel_attr);
        }
        snprintf(line, sizeof line, "%s%3zu ", sel ? ">" : " ", i + 1);
        ui_text(y, 1, 5, line, sel ? sel_attr : (int)A_NORMAL);
        ui_text(y, 6, pk->ncols - 7, pk->rows[i], sel ? sel_attr
                : (int)A_NORMAL);
    }
    ui_footer(&pick_keys, 0, pk->nrows - 1, pk->ncols);
}

static int
pick_key(void *p, int key)
{
    struct pick *pk = p;
    struct ui_help_arg help = { &pick_keys, 0 };

    if (ui_list_key(&pk->list, key, body_rows(pk), true) != 0)
        return UI_REDRAW;
    switch (ui_key_action(&pick_keys, key, 0)) {
    case K_PICK:
        if (pk->arg.n > 0)
            pk->arg.pick(pk->arg.ctx, pk->list.sel);
        return UI_POP;
    case K_HELP:
        return ui_push(pk->app, &scr_help, &help);
    case K_BACK:
        return UI_POP;
    }
    return 0;
}

const struct ui_screen scr_pick = {
    .name = "pick",
    .open = pick_open,
    .close = pick_close,
    .layout = pick_layout,
    .draw = pick_draw,
    .key = pick_key,
    .overlay = true,
};
