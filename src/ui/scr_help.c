/* scr_help.c - every key of the review screen, drawn from the keymap
 * table. Any key closes it. */
#include "ui/ui.h"

#include <stdlib.h>

#include "ui/term.h"

struct help {
    int rows, cols;
};

static void *
help_open(struct ui_app *app, void *arg)
{
    (void)app;
    (void)arg;
    return rl_xcalloc(1, sizeof(struct help));
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

static void
help_draw(void *p)
{
    struct help *h = p;
    size_t n, i;
    const struct ui_action_info *a = ui_keymap_actions(&n);
    int y = 0;

    ui_text(y++, 1, h->cols - 2, "Keys of the review screen", A_BOLD);
    y++;
    for (i = 0; i < n && y < h->rows - 2; i++, y++) {
        ui_text(y, 2, 16, a[i].keys, ui_attr(UI_C_KEY));
        ui_text(y, 20, h->cols - 21, a[i].help, A_NORMAL);
    }
    y++;
    if (y < h->rows - 1)
        ui_text(y, 1, h->cols - 2, "Markers: [C] Correct  [W] Wrong  "
                "[U] Unclear  [D] Don't know  [.] Unreviewed", A_NORMAL);
    ui_text(h->rows - 1, 1, h->cols - 2, "Any key returns.",
            ui_attr(UI_C_DIM));
}

static int
help_key(void *p, int key)
{
    (void)p;
    (void)key;
    return UI_POP;
}

const struct ui_screen scr_help = {
    .name = "help",
    .open = help_open,
    .close = help_close,
    .layout = help_layout,
    .draw = help_draw,
    .key = help_key,
};
