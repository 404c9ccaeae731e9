/* scr_examples.c - known examples of a class beside the image under review:
 * the files of EXAMPLES/<wnid>/ (for instance a local copy of ImageNet's
 * train set), one at a time at the panel's full width in the session's
 * picture mode, with its file name and place; n and N page through them,
 * any other key returns. The review image stays on the left. */
#include "ui/ui.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/file.h"
#include "ui/term.h"

#define MAX_FILES 1000        /* example files listed per class */

struct examples {
    struct ui_app *app;
    struct ui_examples_arg arg;
    char **files;              /* every example file, sorted by name */
    size_t n, cur;             /* how many; the one shown */
    rl_cells *cells;           /* files[cur] at the panel size, or NULL */
    char msg[160];             /* why files[cur] is not shown */
    bool dirty;                /* the picture must be written again */
    int rows, cols, pane_w, panel_x, panel_w, panel_h;
    char status[200];
};

enum { E_BACK = 1, E_ALL, E_NEXT, E_PREV };

static const struct ui_key examples_key_table[] = {
    { E_NEXT, { 'n' }, "n N", "next / previous example file", "next", 0 },
    { E_PREV, { 'N' }, "N", NULL, NULL, 0 },
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

/* Renders files[cur] at the panel's full width. */
static void
load_cur(struct examples *ex)
{
    rl_err e;

    rl_cells_free(ex->cells);
    ex->cells = NULL;
    ex->msg[0] = '\0';
    ex->dirty = true;
    if (ex->n == 0 || ex->panel_w < 4 || ex->panel_h < 2)
        return;
    ex->cells = ui_image_file(ex->app, ex->files[ex->cur], ex->panel_w,
                              ex->panel_h, false, &e);
    if (ex->cells == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        snprintf(ex->msg, sizeof ex->msg, "%.150s", safe);
        free(safe);
    }
}

static void *
examples_open(struct ui_app *app, void *argp)
{
    struct examples *ex = rl_xcalloc(1, sizeof *ex);
    char *dir;
    DIR *d;
    struct dirent *de;
    size_t cap = 0, outside = 0;

    ex->app = app;
    ex->arg = *(struct ui_examples_arg *)argp;
    dir = rl_xasprintf("%s/%s", app->examples_dir, ex->arg.cls->wnid);
    if ((d = opendir(dir)) == NULL) {
        snprintf(ex->status, sizeof ex->status, "no folder %s/ in the "
                 "examples folder", ex->arg.cls->wnid);
    } else {
        while ((de = readdir(d)) != NULL && ex->n < MAX_FILES) {
            char *f, *real;

            if (de->d_name[0] == '.' || !jpeg_name(de->d_name))
                continue;
            /* A symlink out of the examples folder is not an example. */
            f = rl_xasprintf("%s/%s", dir, de->d_name);
            real = rl_file_inside(f, app->examples_dir);
            free(f);
            if (real == NULL) {
                outside++;
                continue;
            }
            rl_grow(&ex->files, &cap, ex->n + 1, sizeof *ex->files);
            ex->files[ex->n++] = real;
        }
        closedir(d);
        if (ex->n > 1)
            qsort(ex->files, ex->n, sizeof *ex->files, cmp_str);
        if (ex->n == 0 && outside > 0)
            snprintf(ex->status, sizeof ex->status, "the %zu JPEG files in "
                     "%s/ lead outside the examples folder", outside,
                     ex->arg.cls->wnid);
        else if (ex->n == 0)
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

    for (i = 0; i < ex->n; i++)
        free(ex->files[i]);
    free(ex->files);
    rl_cells_free(ex->cells);
    free(ex);
}

/* The review image stays on the left when there is room; the example
 * takes the rest of the width, under two title rows, above the keys. */
static void
examples_layout(void *p, int rows, int cols)
{
    struct examples *ex = p;

    ex->rows = rows;
    ex->cols = cols;
    ex->pane_w = ex->arg.cells != NULL && ex->arg.cells->cols < cols / 2
                 ? ex->arg.cells->cols : 0;
    ex->panel_x = ex->pane_w + 1;
    ex->panel_w = cols - ex->panel_x - 1;
    ex->panel_h = rows - 5;
    load_cur(ex);
}

static void
examples_draw(void *p)
{
    struct examples *ex = p;
    char line[512];
    const char *base;

    snprintf(line, sizeof line, "Examples of %s %s", ex->arg.cls->wnid,
             ex->arg.cls->names);
    ui_text(0, ex->panel_x, ex->panel_w, line, ui_attr(UI_C_TITLE));
    ui_wrap(1, ex->panel_x, ex->panel_w, 1, ex->arg.cls->gloss,
            ui_attr(UI_C_DIM));
    if (ex->pane_w > 0)
        ui_pane_draw(ex->app, ex->arg.cells, 0, 0);
    if (ex->n > 0) {
        base = strrchr(ex->files[ex->cur], '/');
        snprintf(line, sizeof line, "%zu/%zu  %s", ex->cur + 1, ex->n,
                 base != NULL ? base + 1 : ex->files[ex->cur]);
        ui_text(2, ex->panel_x, ex->panel_w, line, A_BOLD);
    }
    if (ex->cells != NULL)
        ui_pane_draw(ex->app, ex->cells, 3, ex->panel_x);
    else if (ex->msg[0] != '\0')
        ui_text(3, ex->panel_x, ex->panel_w, ex->msg, ui_attr(UI_C_ERROR));
    if (ex->status[0] != '\0')
        ui_text(3, ex->panel_x, ex->panel_w, ex->status,
                ui_attr(UI_C_ERROR));
    ui_footer(&examples_keys, 0, ex->rows - 1, ex->cols);
}

static void
examples_paint(void *p)
{
    struct examples *ex = p;

    if (!ex->dirty && !ex->app->need_paint)
        return;
    rl_buf_reset(&ex->app->out);
    if (ex->pane_w > 0)
        ui_pane_paint(ex->app, ex->arg.cells, 0, 0);
    ui_pane_paint(ex->app, ex->cells, 3, ex->panel_x);
    ui_pane_flush(ex->app);
    ex->dirty = false;
}

static int
examples_key(void *p, int key)
{
    struct examples *ex = p;
    int a = ui_key_action(&examples_keys, key, 0);

    if ((a == E_NEXT || a == E_PREV) && ex->n > 1) {
        ex->cur = a == E_NEXT ? (ex->cur + 1) % ex->n
                              : (ex->cur + ex->n - 1) % ex->n;
        load_cur(ex);
        return UI_REDRAW;
    }
    return a == E_ALL ? UI_POP_ALL : UI_POP;
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
