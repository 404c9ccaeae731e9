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

#define IMG_ROWS 12            /* rows a guide image may take at least */

enum {
    G_DOWN = 1, G_UP, G_PAGE_DOWN, G_PAGE_UP, G_NEXT, G_PREV, G_SEARCH,
    G_EDIT, G_BACK, G_HELP, G_ALL
};

static const struct ui_key guide_key_table[] = {
    { G_DOWN, { 'j', KEY_DOWN }, "j/k Down/Up", "scroll down / up",
      "scroll", 0 },
    { G_UP, { 'k', KEY_UP }, "k", NULL, NULL, 0 },
    { G_PAGE_DOWN, { ' ', KEY_NPAGE }, "Space PgDn / PgUp",
      "a page down / up", NULL, 0 },
    { G_PAGE_UP, { KEY_PPAGE }, "PgUp", NULL, NULL, 0 },
    { G_NEXT, { '\t', 'n' }, "Tab n / S-Tab N", "the next / previous entry",
      "next entry", 0 },
    { G_PREV, { KEY_BTAB, 'N' }, "N", NULL, NULL, 0 },
    { G_SEARCH, { '/' }, "/",
      "search the guide: words, or a wnid or its first digits; matches "
      "are highlighted and the entry opens at the first", "search", 0 },
    { G_EDIT, { 'E' }, "E", "edit the entry in $VISUAL or $EDITOR, then "
      "reload the guide", "edit", 0 },
    { G_BACK, { 27, 'g' }, "Esc g", "close the guide (only the guide)",
      "back", 0 },
    { G_HELP, { '?' }, "?", "all keys", "help", 0 },
    { G_ALL, { 'q' }, "q", "close every overlay, back to the work",
      "close all", 0 },
};

static const struct ui_keymap guide_keys = {
    "Keys of the labeling guide", guide_key_table,
    sizeof guide_key_table / sizeof guide_key_table[0], 0, false, NULL
};

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
    bool status_ok;            /* the status is news, not an error */
    bool search_results;       /* entries come from a search */
    char **words;              /* the search's words, lower-cased, shown
                                  highlighted; NULL-terminated or NULL */
};

/* Forgets the last search's words. */
static void
free_words(struct guide *gs)
{
    size_t i;

    for (i = 0; gs->words != NULL && gs->words[i] != NULL; i++)
        free(gs->words[i]);
    free(gs->words);
    gs->words = NULL;
}

/* Splits `q` at blanks into lower-cased words (ASCII, as the search). */
static void
set_words(struct guide *gs, const char *q)
{
    char *copy = rl_xstrdup(q), *save = NULL, *w, *c;
    size_t n = 0;

    free_words(gs);
    gs->words = rl_xcalloc(strlen(q) / 2 + 2, sizeof *gs->words);
    for (w = strtok_r(copy, " \t", &save); w != NULL;
         w = strtok_r(NULL, " \t", &save)) {
        for (c = w; *c != '\0'; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        gs->words[n++] = rl_xstrdup(w);
    }
    free(copy);
}

/* Where the earliest search word occurs in `text` (ASCII case-insensitive)
 * at or after `from`: its offset, or SIZE_MAX; its length in *len. */
static size_t
find_word(char *const *words, const char *text, size_t from, size_t *len)
{
    size_t best = SIZE_MAX, i, j, k, n = strlen(text);

    for (i = 0; words != NULL && words[i] != NULL; i++) {
        size_t wl = strlen(words[i]);

        for (j = from; wl > 0 && j + wl <= n && j < best; j++) {
            for (k = 0; k < wl; k++) {
                char c = text[j + k];

                if (c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                if (c != words[i][k])
                    break;
            }
            if (k == wl) {
                best = j;
                *len = wl;
            }
        }
    }
    return best;
}

/* The first doc line holding a search word, or SIZE_MAX. */
static size_t
first_match_line(const struct guide *gs)
{
    size_t i, j, len;

    for (i = 0; gs->doc != NULL && i < gs->doc->n; i++)
        for (j = 0; j < gs->doc->lines[i].n; j++)
            if (find_word(gs->words, gs->doc->lines[i].spans[j].text, 0,
                          &len) != SIZE_MAX)
                return i;
    return SIZE_MAX;
}

/* Scrolls to the first match of the search, two lines above it. */
static void
scroll_to_match(struct guide *gs)
{
    size_t i = first_match_line(gs);
    int max = gs->total_rows - (gs->rows - 3);

    if (i == SIZE_MAX || gs->line_y == NULL)
        return;
    gs->scroll = gs->line_y[i] > 2 ? gs->line_y[i] - 2 : 0;
    if (gs->scroll > max)
        gs->scroll = max > 0 ? max : 0;
}

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

/* Rows a guide image may take: the body less a line of text. */
static int
img_max_rows(const struct guide *gs)
{
    int body = gs->rows - 4;

    return body < IMG_ROWS ? IMG_ROWS : body;
}

/* Rows image line `g` takes in the document. */
static int
img_rows(const struct gimg *g)
{
    return g->cells != NULL ? g->cells->rows : 1;
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
    /* the panel's full width, and the rows that takes (so a sketch's
     * labels are readable), within one screen of guide text */
    g->cells = ui_image_file(gs->app, path, gs->text_w, img_max_rows(gs),
                             true, &e);
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
            y += img_rows(image_for(gs, gs->doc->lines[i].image)) + 1;
        } else {
            y++;
        }
    }
    gs->total_rows = y;
    /* A resize keeps the place, within the new length. */
    if (gs->scroll > gs->total_rows - (gs->rows - 3))
        gs->scroll = gs->total_rows - (gs->rows - 3);
    if (gs->scroll < 0)
        gs->scroll = 0;
}

/* Shows entry gs->cur from its top, or at the search's first match. */
static void
show_entry(struct guide *gs)
{
    gs->scroll = 0;
    load_doc(gs);
    scroll_to_match(gs);
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
    free_words(gs);
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

/* One span at (y, x), the search's words in reverse video; returns the
 * columns used. */
static int
draw_span(struct guide *gs, int y, int x, const char *text, int attr)
{
    int x0 = x, end = gs->text_x + gs->text_w;
    size_t at = 0, len = 0, m;
    char *part;

    while ((m = find_word(gs->words, text, at, &len)) != SIZE_MAX
           && x < end) {
        part = rl_xstrndup(text + at, m - at);
        x += ui_text(y, x, end - x, part, attr);
        free(part);
        part = rl_xstrndup(text + m, len);
        x += ui_text(y, x, end - x, part, attr | A_REVERSE);
        free(part);
        at = m + len;
    }
    if (x < end)
        x += ui_text(y, x, end - x, text + at, attr);
    return x - x0;
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
        x += draw_span(gs, y, x, l->spans[i].text, attr);
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

            if (g->cells != NULL && y + img_rows(g) <= body + 1) {
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
                    gs->status_ok ? ui_attr(UI_C_DIM) : ui_attr(UI_C_ERROR));
    ui_footer(&guide_keys, 0, gs->rows - 1, gs->cols);
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

        if (gs->doc->lines[i].image == NULL || y < 1)
            continue;
        g = image_for(gs, gs->doc->lines[i].image);
        if (y + img_rows(g) > body + 1)
            continue;
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
    gs->status_ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    snprintf(gs->status, sizeof gs->status, gs->status_ok ? "guide reloaded"
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
    if (n == 0) {
        snprintf(gs->status, sizeof gs->status, "nothing in the guide "
                 "matches");
        set_entries_for(gs);
        free_words(gs);
    } else {
        gs->n = n;
        gs->cur = 0;
        gs->search_results = true;
        set_words(gs, q);
        gs->status_ok = true;
        snprintf(gs->status, sizeof gs->status, n == 1 ? "1 entry matches"
                 : "%zu entries match; Tab: the next", n);
    }
    free(q);
    show_entry(gs);
    return UI_RELAYOUT;
}

static int
guide_key(void *p, int key)
{
    struct guide *gs = p;
    int body = gs->rows - 3, max = gs->total_rows - body;
    struct ui_help_arg help = { &guide_keys, 0 };

    if (max < 0)
        max = 0;
    gs->status[0] = '\0';
    gs->status_ok = false;
    switch (ui_key_action(&guide_keys, key, 0)) {
    case G_BACK:
        return UI_POP;
    case G_ALL:
        return UI_POP_ALL;
    case G_DOWN:
        gs->scroll = gs->scroll < max ? gs->scroll + 1 : max;
        return UI_REDRAW;
    case G_UP:
        gs->scroll = gs->scroll > 0 ? gs->scroll - 1 : 0;
        return UI_REDRAW;
    case G_PAGE_DOWN:
        gs->scroll = gs->scroll + body < max ? gs->scroll + body : max;
        return UI_REDRAW;
    case G_PAGE_UP:
        gs->scroll = gs->scroll > body ? gs->scroll - body : 0;
        return UI_REDRAW;
    case G_NEXT:
    case G_PREV:
        if (gs->n > 1) {
            gs->cur = (gs->cur + (ui_key_action(&guide_keys, key, 0)
                                  == G_NEXT ? 1 : gs->n - 1)) % gs->n;
            show_entry(gs);
        }
        return UI_RELAYOUT;
    case G_SEARCH:
        return search_guide(gs);
    case G_EDIT:
        return edit_entry(gs);
    case G_HELP:
        return ui_push(gs->app, &scr_help, &help);
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
