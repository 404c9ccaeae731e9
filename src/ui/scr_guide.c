/* scr_guide.c - the labeling guide beside the image: the entries covering
 * the current image's candidates (the general entry last), rendered from
 * Markdown by rl_guide_render, with the guide's own images drawn by the
 * same chafa path as the review image. `/` searches the guide, `E` opens
 * the entry in $EDITOR and reloads it afterwards. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relabel/guide.h"
#include "ui/term.h"

#define IMG_ROWS 12            /* rows an image of the guide takes */

struct gimg {
    char *path;                /* image file */
    rl_cells *cells;           /* rendered at the text width */
    char msg[160];             /* why it could not be shown */
};

struct guide {
    struct ui_app *app;
    struct ui_guide_arg arg;   /* arg.wnids points at `wnids` below */
    char **wnids;              /* own copies: the caller's array is gone
                                * once ui_push returns */
    size_t *entries;           /* guide entry indices to page through */
    size_t n, cur;             /* how many, which is shown */
    rl_doc *doc;               /* the current entry at the text width */
    struct gimg *imgs;         /* images of doc, by first appearance */
    size_t nimgs;
    int *line_y;               /* first virtual row of each doc line */
    int total_rows;            /* virtual rows of the whole doc */
    int scroll;                /* first virtual row shown */
    int rows, cols, text_x, text_w, pane_w;
    char status[200];
    bool search_results;       /* entries come from a search */
};

static rl_guide *
guide_of(struct guide *gs)
{
    return gs->app->guide;
}

static void
free_doc(struct guide *gs)
{
    size_t i;

    rl_doc_free(gs->doc);
    gs->doc = NULL;
    for (i = 0; i < gs->nimgs; i++) {
        free(gs->imgs[i].path);
        rl_cells_free(gs->imgs[i].cells);
    }
    free(gs->imgs);
    gs->imgs = NULL;
    gs->nimgs = 0;
    free(gs->line_y);
    gs->line_y = NULL;
}

static struct gimg *
image_for(struct guide *gs, const char *path)
{
    size_t i;
    struct gimg *g;
    rl_err e;

    for (i = 0; i < gs->nimgs; i++)
        if (strcmp(gs->imgs[i].path, path) == 0)
            return &gs->imgs[i];
    gs->imgs = rl_xrealloc(gs->imgs, (gs->nimgs + 1) * sizeof *gs->imgs);
    g = &gs->imgs[gs->nimgs++];
    memset(g, 0, sizeof *g);
    g->path = rl_xstrdup(path);
    g->cells = rl_render_file(path, gs->text_w, IMG_ROWS,
                              ui_render_mode(gs->app), gs->app->colors, NULL,
                              &e);
    if (g->cells == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        snprintf(g->msg, sizeof g->msg, "[image not shown: %s]", safe);
        free(safe);
    }
    return g;
}

static void
load_doc(struct guide *gs)
{
    const rl_guide_entry *en;
    rl_err e;
    size_t i;
    int y = 0;

    free_doc(gs);
    gs->scroll = 0;
    if (gs->n == 0 || gs->text_w < 10)
        return;
    en = rl_guide_entry_at(guide_of(gs), gs->entries[gs->cur]);
    gs->doc = rl_guide_render_file(en->path, gs->text_w, &e);
    if (gs->doc == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        snprintf(gs->status, sizeof gs->status, "%s", safe);
        free(safe);
        return;
    }
    gs->line_y = rl_xcalloc(gs->doc->n + 1, sizeof *gs->line_y);
    for (i = 0; i < gs->doc->n; i++) {
        gs->line_y[i] = y;
        if (gs->doc->lines[i].image != NULL) {
            image_for(gs, gs->doc->lines[i].image);
            y += IMG_ROWS + 1;
        } else {
            y++;
        }
    }
    gs->total_rows = y;
}

static void
set_entries_for(struct guide *gs)
{
    rl_guide *g = guide_of(gs);

    free(gs->entries);
    gs->entries = rl_xcalloc(rl_guide_count(g) + 1, sizeof *gs->entries);
    gs->n = rl_guide_for(g, gs->arg.wnids, gs->arg.n, gs->entries);
    gs->cur = 0;
    gs->search_results = false;
}

static void *
guide_open(struct ui_app *app, void *argp)
{
    struct guide *gs;

    if (app->guide == NULL)
        return NULL;
    gs = rl_xcalloc(1, sizeof *gs);
    gs->app = app;
    if (argp != NULL) {
        const struct ui_guide_arg *a = argp;
        size_t i;

        gs->arg = *a;
        gs->wnids = rl_xcalloc(a->n + 1, sizeof *gs->wnids);
        for (i = 0; i < a->n; i++)
            gs->wnids[i] = rl_xstrdup(a->wnids[i]);
        gs->arg.wnids = (const char *const *)gs->wnids;
    }
    set_entries_for(gs);
    return gs;
}

static void
guide_close(void *p)
{
    struct guide *gs = p;

    size_t i;

    free_doc(gs);
    free(gs->entries);
    for (i = 0; gs->wnids != NULL && i < gs->arg.n; i++)
        free(gs->wnids[i]);
    free(gs->wnids);
    free(gs);
}

static void
guide_layout(void *p, int rows, int cols)
{
    struct guide *gs = p;

    gs->rows = rows;
    gs->cols = cols;
    gs->pane_w = gs->arg.cells != NULL && cols >= 100 ? gs->arg.cells->cols
                 : 0;
    if (gs->pane_w > cols / 2)
        gs->pane_w = 0;
    gs->text_x = gs->pane_w > 0 ? gs->pane_w + 1 : 1;
    gs->text_w = cols - gs->text_x - 1;
    load_doc(gs);
}

static void
draw_line(struct guide *gs, const rl_line *l, int y)
{
    int x = gs->text_x + l->indent;
    size_t i;

    for (i = 0; i < l->n && x < gs->text_x + gs->text_w; i++) {
        int st = l->spans[i].style, attr = A_NORMAL;

        if (st & RL_SPAN_BOLD)
            attr |= A_BOLD;
        if (st & RL_SPAN_ITALIC)
            attr |= A_ITALIC;
        if (st & RL_SPAN_CODE)
            attr |= ui_attr(UI_C_KEY);
        if (st & RL_SPAN_LINK)
            attr |= A_UNDERLINE;
        if (st & RL_SPAN_URL)
            attr |= ui_attr(UI_C_DIM);
        if (st & RL_SPAN_HEADING)
            attr |= ui_attr(UI_C_TITLE);
        if (st & RL_SPAN_QUOTE)
            attr |= ui_attr(UI_C_DIM);
        x += ui_text(y, x, gs->text_x + gs->text_w - x, l->spans[i].text,
                     attr);
    }
}

static void
guide_draw(void *p)
{
    struct guide *gs = p;
    int body = gs->rows - 3, y;
    char line[256];
    size_t i;

    if (gs->pane_w > 0)
        ui_pane_draw(gs->app, gs->arg.cells, 0, 0);
    if (gs->n == 0) {
        ui_text(0, gs->text_x, gs->text_w, "No guide entry covers these "
                "classes; / searches the guide.", A_BOLD);
    } else {
        const rl_guide_entry *en = rl_guide_entry_at(guide_of(gs),
                                                     gs->entries[gs->cur]);

        snprintf(line, sizeof line, "Guide %zu/%zu%s: %s", gs->cur + 1, gs->n,
                 gs->search_results ? " (search)" : "", en->title);
        ui_text(0, gs->text_x, gs->text_w, line, ui_attr(UI_C_STATUS));
    }
    for (i = 0; gs->doc != NULL && i < gs->doc->n; i++) {
        const rl_line *l = &gs->doc->lines[i];

        y = gs->line_y[i] - gs->scroll + 1;
        if (y < 1 || y > body)
            continue;
        if (l->image != NULL) {
            struct gimg *g = image_for(gs, l->image);

            if (g->cells != NULL && y + IMG_ROWS <= body + 1) {
                ui_pane_draw(gs->app, g->cells, y, gs->text_x);
            } else if (g->cells == NULL) {
                ui_text(y, gs->text_x, gs->text_w, g->msg,
                        ui_attr(UI_C_ERROR));
            }
            continue;
        }
        draw_line(gs, l, y);
    }
    if (gs->status[0] != '\0')
        ui_text_cut(gs->rows - 2, 1, gs->cols - 2, gs->status,
                    ui_attr(UI_C_ERROR));
    ui_text(gs->rows - 1, 1, gs->cols - 2,
            "j/k scroll  Tab next entry  / search  E edit  Esc back",
            ui_attr(UI_C_KEY));
}

/* Writes the image pane and the guide's visible images. */
static void
guide_paint(void *p)
{
    struct guide *gs = p;
    size_t i;
    int body = gs->rows - 3;

    rl_buf_reset(&gs->app->out);
    if (gs->pane_w > 0)
        ui_pane_paint(gs->app, gs->arg.cells, 0, 0);
    for (i = 0; gs->doc != NULL && i < gs->doc->n; i++) {
        int y = gs->line_y[i] - gs->scroll + 1;
        struct gimg *g;

        if (gs->doc->lines[i].image == NULL || y < 1
            || y + IMG_ROWS > body + 1)
            continue;
        g = image_for(gs, gs->doc->lines[i].image);
        ui_pane_paint(gs->app, g->cells, y, gs->text_x);
    }
    ui_pane_flush(gs->app);
}

static int
edit_entry(struct guide *gs)
{
    const rl_guide_entry *en;
    const char *editor = getenv("VISUAL");
    rl_guide *fresh;
    rl_err e;
    pid_t pid;
    int status = 0;

    if (gs->n == 0)
        return UI_REDRAW;
    en = rl_guide_entry_at(guide_of(gs), gs->entries[gs->cur]);
    if (editor == NULL || *editor == '\0')
        editor = getenv("EDITOR");
    if (editor == NULL || *editor == '\0')
        editor = "vi";
    def_prog_mode();
    endwin();
    pid = fork();
    if (pid == 0) {
        execlp("/bin/sh", "sh", "-c", "exec $0 \"$1\"", editor, en->path,
               (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, &status, 0);
    reset_prog_mode();
    /* Reload the whole guide: the header block may have changed. */
    fresh = rl_guide_open(gs->app->guide_dir, &e);
    if (fresh == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        snprintf(gs->status, sizeof gs->status, "guide not reloaded: %s",
                 safe);
        free(safe);
        return UI_RELAYOUT;
    }
    rl_guide_free(gs->app->guide);
    gs->app->guide = fresh;
    set_entries_for(gs);
    snprintf(gs->status, sizeof gs->status, pid > 0 && WIFEXITED(status)
             && WEXITSTATUS(status) == 0 ? "guide reloaded"
             : "the editor failed; guide reloaded");
    return UI_RELAYOUT;
}

static int
search_guide(struct guide *gs)
{
    char *q = ui_prompt(gs->app, gs->rows - 1, "Search the guide: ", NULL);
    size_t n;

    if (q == NULL)
        return UI_REDRAW;
    free(gs->entries);
    gs->entries = rl_xcalloc(rl_guide_count(guide_of(gs)) + 1,
                             sizeof *gs->entries);
    n = rl_guide_search(guide_of(gs), q, gs->entries);
    free(q);
    if (n == 0) {
        snprintf(gs->status, sizeof gs->status, "nothing in the guide "
                 "matches");
        set_entries_for(gs);
    } else {
        gs->n = n;
        gs->cur = 0;
        gs->search_results = true;
        gs->status[0] = '\0';
    }
    load_doc(gs);
    return UI_RELAYOUT;
}

static int
guide_key(void *p, int key)
{
    struct guide *gs = p;
    int body = gs->rows - 3, max = gs->total_rows - body;

    if (max < 0)
        max = 0;
    gs->status[0] = '\0';
    switch (key) {
    case 27:
    case 'g':
        return UI_POP;
    case 'q':
        return UI_POP_ALL;
    case 'j':
    case KEY_DOWN:
        gs->scroll = gs->scroll < max ? gs->scroll + 1 : max;
        return UI_REDRAW;
    case 'k':
    case KEY_UP:
        gs->scroll = gs->scroll > 0 ? gs->scroll - 1 : 0;
        return UI_REDRAW;
    case ' ':
    case KEY_NPAGE:
        gs->scroll = gs->scroll + body < max ? gs->scroll + body : max;
        return UI_REDRAW;
    case KEY_PPAGE:
        gs->scroll = gs->scroll > body ? gs->scroll - body : 0;
        return UI_REDRAW;
    case '\t':
    case 'n':
        if (gs->n > 1) {
            gs->cur = (gs->cur + 1) % gs->n;
            load_doc(gs);
        }
        return UI_RELAYOUT;
    case KEY_BTAB:
    case 'N':
        if (gs->n > 1) {
            gs->cur = (gs->cur + gs->n - 1) % gs->n;
            load_doc(gs);
        }
        return UI_RELAYOUT;
    case '/':
        return search_guide(gs);
    case 'E':
        return edit_entry(gs);
    }
    return 0;
}

const struct ui_screen scr_guide = {
    .name = "guide",
    .open = guide_open,
    .close = guide_close,
    .layout = guide_layout,
    .draw = guide_draw,
    .paint = guide_paint,
    .key = guide_key,
    .overlay = true,
};
