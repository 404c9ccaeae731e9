/* scr_examples.c - known examples of a class beside the image under review:
 * up to four files of EXAMPLES/<wnid>/ (for instance a local copy of
 * ImageNet's train set), rendered like the review image. Any key returns. */
#include "ui/ui.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/term.h"

#define NEX 4

struct examples {
    struct ui_app *app;
    struct ui_examples_arg arg;
    char *files[NEX];          /* chosen files, sorted by name */
    size_t n;
    rl_cells *cells[NEX];      /* rendered at the current layout */
    char msg[NEX][120];        /* why an example is not shown */
    int rows, cols, pane_w, cell_w, cell_h;
    char status[200];
};

enum { E_BACK = 1, E_ALL };

static const struct ui_key examples_key_table[] = {
    { E_BACK, { 0 }, "any key", "back to the image", "returns", 0 },
    { E_ALL, { 'q' }, "q", "close every overlay", "close all", 0 },
};

static const struct ui_keymap examples_keys = {
    "Keys of the examples", examples_key_table,
    sizeof examples_key_table / sizeof examples_key_table[0], 0, false, NULL
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
jpeg_name(const char *n)
{
    const char *dot = strrchr(n, '.');

    return dot != NULL && (rl_strcasecmp(dot, ".jpeg") == 0
                           || rl_strcasecmp(dot, ".jpg") == 0);
}

static void *
examples_open(struct ui_app *app, void *argp)
{
    struct examples *ex = rl_xcalloc(1, sizeof *ex);
    char *dir;
    DIR *d;
    struct dirent *de;
    char **all = NULL;
    size_t n = 0, cap = 0, i;

    ex->app = app;
    ex->arg = *(struct ui_examples_arg *)argp;
    dir = rl_xasprintf("%s/%s", app->examples_dir, ex->arg.cls->wnid);
    if ((d = opendir(dir)) == NULL) {
        snprintf(ex->status, sizeof ex->status, "no folder %s/ in the "
                 "examples folder", ex->arg.cls->wnid);
    } else {
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.' || !jpeg_name(de->d_name))
                continue;
            rl_grow(&all, &cap, n + 1, sizeof *all);
            all[n++] = rl_xasprintf("%s/%s", dir, de->d_name);
        }
        closedir(d);
        if (n > 1)
            qsort(all, n, sizeof *all, cmp_str);
        for (i = 0; i < n; i++) {
            if (i < NEX)
                ex->files[ex->n++] = all[i];
            else
                free(all[i]);
        }
        free(all);
        if (ex->n == 0)
            snprintf(ex->status, sizeof ex->status, "no JPEG files in %s/",
                     ex->arg.cls->wnid);
    }
    free(dir);
    return ex;
}

static void
examples_close(void *p)
{
    struct examples *ex = p;
    size_t i;

    for (i = 0; i < NEX; i++) {
        free(ex->files[i]);
        rl_cells_free(ex->cells[i]);
    }
    free(ex);
}

static void
examples_layout(void *p, int rows, int cols)
{
    struct examples *ex = p;
    size_t i;
    rl_err e;

    ex->rows = rows;
    ex->cols = cols;
    ex->pane_w = ex->arg.cells != NULL && ex->arg.cells->cols < cols / 2
                 ? ex->arg.cells->cols : 0;
    ex->cell_w = (cols - ex->pane_w - 2) / 2;
    ex->cell_h = (rows - 4) / 2;
    for (i = 0; i < ex->n; i++) {
        rl_cells_free(ex->cells[i]);
        ex->cells[i] = NULL;
        ex->msg[i][0] = '\0';
        if (ex->cell_w < 4 || ex->cell_h < 2)
            continue;
        ex->cells[i] = rl_render_file(ex->files[i], ex->cell_w - 1,
                                      ex->cell_h - 1,
                                      ui_render_mode(ex->app),
                                      ex->app->colors, NULL, &e);
        if (ex->cells[i] == NULL)
            snprintf(ex->msg[i], sizeof ex->msg[i], "%.110s", e.msg);
    }
}

static void
cell_origin(const struct examples *ex, size_t i, int *y, int *x)
{
    *y = 2 + (int)(i / 2) * ex->cell_h;
    *x = ex->pane_w + 1 + (int)(i % 2) * ex->cell_w;
}

static void
examples_draw(void *p)
{
    struct examples *ex = p;
    char line[256];
    size_t i;

    snprintf(line, sizeof line, "Examples of %s %s", ex->arg.cls->wnid,
             ex->arg.cls->names);
    ui_text(0, ex->pane_w + 1, ex->cols - ex->pane_w - 2, line,
            ui_attr(UI_C_TITLE));
    ui_wrap(1, ex->pane_w + 1, ex->cols - ex->pane_w - 2, 1,
            ex->arg.cls->gloss, ui_attr(UI_C_DIM));
    if (ex->pane_w > 0)
        ui_pane_draw(ex->app, ex->arg.cells, 0, 0);
    for (i = 0; i < ex->n; i++) {
        int y, x;

        cell_origin(ex, i, &y, &x);
        if (ex->cells[i] == NULL)
            ui_text(y, x, ex->cell_w - 1, ex->msg[i], ui_attr(UI_C_ERROR));
        else
            ui_pane_draw(ex->app, ex->cells[i], y, x);
    }
    if (ex->status[0] != '\0')
        ui_text(3, ex->pane_w + 1, ex->cols - ex->pane_w - 2, ex->status,
                ui_attr(UI_C_ERROR));
    ui_footer(&examples_keys, 0, ex->rows - 1, ex->cols);
}

static void
examples_paint(void *p)
{
    struct examples *ex = p;
    size_t i;

    rl_buf_reset(&ex->app->out);
    if (ex->pane_w > 0)
        ui_pane_paint(ex->app, ex->arg.cells, 0, 0);
    for (i = 0; i < ex->n; i++) {
        int y, x;

        if (ex->cells[i] == NULL)
            continue;
        cell_origin(ex, i, &y, &x);
        ui_pane_paint(ex->app, ex->cells[i], y, x);
    }
    ui_pane_flush(ex->app);
}

static int
examples_key(void *p, int key)
{
    (void)p;
    return ui_key_action(&examples_keys, key, 0) == E_ALL ? UI_POP_ALL
           : UI_POP;
}

const struct ui_screen scr_examples = {
    .name = "examples",
    .open = examples_open,
    .close = examples_close,
    .layout = examples_layout,
    .draw = examples_draw,
    .paint = examples_paint,
    .key = examples_key,
    .overlay = true,
};
