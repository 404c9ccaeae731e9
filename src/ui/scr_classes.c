/* scr_classes.c - the class browser: the WordNet hierarchy of the label set
 * as a folding tree, and search as you type over names, lemmas, glosses,
 * wnids and indices. Used alone (`b` in review) or as a picker (`+`),
 * which hands the chosen class back through a callback.
 *
 * The tree is flattened into rows on every change of folding. Chains of
 * inner nodes with a single child show as one row ("a > b > c"); a class
 * under several hypernyms appears under each. Folding is kept per node. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/search.h"
#include "ui/term.h"

#define MAX_HITS 200

struct row {
    size_t pos;            /* catalog position shown (end of a chain) */
    size_t head;           /* first node of the chain */
    int depth;             /* indentation level */
};

/* Modes of the key table. */
#define M_BROWSE 1u            /* b: browsing */
#define M_PICK 2u              /* +: picking a class to add or answer */

enum {
    C_TYPE = 1, C_OPEN, C_ADD, C_UNFOLD, C_FOLD, C_NEIGHBOURS, C_GUIDE,
    C_ERASE, C_CLEAR, C_HELP, C_BACK
};

static const struct ui_key classes_key_table[] = {
    { C_TYPE, { 0 }, "type",
      "search: names, glosses, a wnid, a class index; a typo is forgiven",
      "to search", 0 },
    { C_ADD, { '\n', '\r', KEY_ENTER }, "Enter", "pick the selected class",
      "pick", M_PICK },
    { C_OPEN, { '\n', '\r', KEY_ENTER }, "Enter",
      "show a search hit in the tree; fold or unfold a node", "show",
      M_BROWSE },
    { C_UNFOLD, { KEY_RIGHT }, "Right/Left",
      "unfold / fold a node (Left on a leaf: its parent)", "fold", 0 },
    { C_FOLD, { KEY_LEFT }, "Left", NULL, NULL, 0 },
    { C_NEIGHBOURS, { '\t' }, "Tab",
      "the neighbours: the classes under the same parent", "neighbours", 0 },
    { C_GUIDE, { 7 }, "^G", "the guide entry of the selected class",
      "guide", 0 },
    { C_ERASE, { KEY_BACKSPACE, 127, 8 }, "Backspace",
      "erase a character (nothing typed: leave the neighbours)", NULL, 0 },
    { C_CLEAR, { 21 }, "^U", "clear the search and the neighbours", NULL,
      0 },
    { C_HELP, { '?' }, "?", "all keys", "help", 0 },
    { C_BACK, { 27 }, "Esc", "close the browser (only the browser)", "back",
      0 },
};

static const struct ui_keymap classes_keys = {
    "Keys of the class browser", classes_key_table,
    sizeof classes_key_table / sizeof classes_key_table[0], UI_MODES_ALL,
    false, NULL
};

struct classes {
    struct ui_app *app;
    struct ui_classes_arg arg;
    rl_search *idx;
    rl_buf query;          /* what has been typed */
    rl_hit hits[MAX_HITS];
    size_t nhits, total;   /* shown, and all matches */
    bool *open;            /* per catalog position: unfolded */
    struct row *rows;      /* visible tree rows */
    size_t nrows, cap;
    bool siblings;         /* list shows the neighbours of `anchor` */
    size_t anchor;
    size_t sib[256];
    size_t nsib;
    size_t sel, top;
    int rows_h, cols;
    char status[160];
};

static const rl_class *
node(const struct classes *cs, size_t pos)
{
    return rl_catalog_at(cs->app->cat, pos);
}

/* Follows single-child inner nodes down from `pos`. */
static size_t
chain_end(const struct classes *cs, size_t pos)
{
    const rl_class *k = node(cs, pos);

    while (k->idx < 0 && k->n_children == 1) {
        pos = k->children[0];
        k = node(cs, pos);
    }
    return pos;
}

static void
add_rows(struct classes *cs, size_t pos, int depth)
{
    size_t end = chain_end(cs, pos), i;
    const rl_class *k = node(cs, end);
    struct row *r;

    if (depth > 40)
        return;
    rl_grow(&cs->rows, &cs->cap, cs->nrows + 1, sizeof *cs->rows);
    r = &cs->rows[cs->nrows++];
    r->pos = end;
    r->head = pos;
    r->depth = depth;
    if (cs->open[end])
        for (i = 0; i < k->n_children; i++)
            add_rows(cs, k->children[i], depth + 1);
}

static void
flatten(struct classes *cs)
{
    const size_t *roots;
    size_t n = rl_catalog_roots(cs->app->cat, &roots), i;

    cs->nrows = 0;
    for (i = 0; i < n; i++)
        add_rows(cs, roots[i], 0);
}

/* Unfolds every ancestor on the first path to `pos` and selects it. */
static void
reveal(struct classes *cs, size_t pos)
{
    const rl_class *path[64];
    size_t n = rl_catalog_path(cs->app->cat, node(cs, pos), path, 64), i;

    for (i = 0; i + 1 < n && i < 64; i++)
        cs->open[rl_catalog_pos(cs->app->cat, path[i])] = true;
    flatten(cs);
    for (i = 0; i < cs->nrows; i++)
        if (cs->rows[i].pos == pos) {
            cs->sel = i;
            return;
        }
}

static void
run_search(struct classes *cs)
{
    cs->siblings = false;
    cs->sel = cs->top = 0;
    if (cs->query.len == 0) {
        cs->nhits = cs->total = 0;
        return;
    }
    cs->total = rl_search_run(cs->idx, rl_buf_str(&cs->query),
                              cs->arg.pick != NULL, cs->hits, MAX_HITS);
    cs->nhits = cs->total < MAX_HITS ? cs->total : MAX_HITS;
}

/* The other children of the selected class's parents: its confusable
 * neighbours. */
static void
show_siblings(struct classes *cs, size_t pos)
{
    const rl_class *k = node(cs, pos);
    size_t i, j;

    cs->nsib = 0;
    cs->anchor = pos;
    for (i = 0; i < k->n_parents; i++) {
        const rl_class *p = node(cs, k->parents[i]);

        for (j = 0; j < p->n_children && cs->nsib < 256; j++)
            if (p->children[j] != pos)
                cs->sib[cs->nsib++] = p->children[j];
    }
    cs->siblings = true;
    cs->sel = cs->top = 0;
}

static size_t
list_len(const struct classes *cs)
{
    if (cs->siblings)
        return cs->nsib;
    return cs->query.len > 0 ? cs->nhits : cs->nrows;
}

static size_t
selected_pos(const struct classes *cs)
{
    if (list_len(cs) == 0)
        return SIZE_MAX;
    if (cs->siblings)
        return cs->sib[cs->sel];
    if (cs->query.len > 0)
        return rl_catalog_pos(cs->app->cat, cs->hits[cs->sel].cls);
    return cs->rows[cs->sel].pos;
}

static void *
classes_open(struct ui_app *app, void *argp)
{
    struct classes *cs = rl_xcalloc(1, sizeof *cs);
    const struct ui_classes_arg *arg = argp;

    cs->app = app;
    if (arg != NULL)
        cs->arg = *arg;
    cs->idx = rl_search_new(app->cat);
    cs->open = rl_xcalloc(rl_catalog_count(app->cat) + 1, sizeof *cs->open);
    flatten(cs);
    if (cs->arg.start != NULL)
        reveal(cs, rl_catalog_pos(app->cat, cs->arg.start));
    return cs;
}

static void
classes_close(void *p)
{
    struct classes *cs = p;

    rl_search_free(cs->idx);
    rl_buf_free(&cs->query);
    free(cs->open);
    free(cs->rows);
    free(cs);
}

static void
classes_layout(void *p, int rows, int cols)
{
    struct classes *cs = p;

    cs->rows_h = rows;
    cs->cols = cols;
}

static void
draw_row(struct classes *cs, int y, size_t i, bool sel)
{
    char line[512], lead[96];
    const rl_class *k;
    int attr = sel ? ui_attr(UI_C_SELECTED) : (int)A_NORMAL, x = 0;

    if (sel) {
        attron(attr);
        mvhline(y, 0, ' ', cs->cols);
        attroff(attr);
    }
    if (cs->siblings || cs->query.len > 0) {
        k = node(cs, cs->siblings ? cs->sib[i]
                 : rl_catalog_pos(cs->app->cat, cs->hits[i].cls));
        if (k->idx >= 0)
            snprintf(line, sizeof line, "%s %4d  %s", k->wnid, k->idx,
                     k->names);
        else
            snprintf(line, sizeof line, "%s    -  %s (%d classes)", k->wnid,
                     k->names, k->n_below);
        x = ui_text(y, 1, cs->cols - 2, line, attr);
        if (x + 3 < cs->cols - 2) {
            snprintf(line, sizeof line, " - %s", k->gloss);
            ui_text(y, 1 + x, cs->cols - 2 - x, line,
                    sel ? attr : ui_attr(UI_C_DIM));
        }
        return;
    }
    {
        const struct row *r = &cs->rows[i];
        size_t at = r->head;
        rl_buf b = {0};

        k = node(cs, r->pos);
        snprintf(lead, sizeof lead, "%*s%s ", r->depth * 2, "",
                 k->idx >= 0 ? " " : cs->open[r->pos] ? "-" : "+");
        rl_buf_adds(&b, lead);
        /* A collapsed chain: every node's first name, then the last. */
        for (;;) {
            char name[80];

            rl_class_short(node(cs, at), name, sizeof name);
            rl_buf_adds(&b, name);
            if (at == r->pos)
                break;
            rl_buf_adds(&b, " > ");
            at = node(cs, at)->children[0];
        }
        if (k->idx >= 0)
            rl_buf_printf(&b, "  %s %d", k->wnid, k->idx);
        else
            rl_buf_printf(&b, "  (%d classes)", k->n_below);
        ui_text(y, 1, cs->cols - 2, rl_buf_str(&b),
                k->idx >= 0 ? attr : (int)(attr | A_BOLD));
        rl_buf_free(&b);
    }
}

static void
classes_draw(void *p)
{
    struct classes *cs = p;
    int list_h = cs->rows_h - 8, y;
    size_t n = list_len(cs), i, pos;
    char line[256];

    if (list_h < 3)
        list_h = 3;
    snprintf(line, sizeof line, "%s  Search: ", cs->arg.pick != NULL
             ? "Pick a class" : "Classes");
    y = ui_text(0, 1, cs->cols - 2, line, ui_attr(UI_C_TITLE));
    ui_text(0, 1 + y, cs->cols - 2 - y, rl_buf_str(&cs->query), A_BOLD);
    if (cs->siblings) {
        const rl_class *a = node(cs, cs->anchor);

        snprintf(line, sizeof line, "neighbours of %s %s (same parent): %zu",
                 a->wnid, a->names, cs->nsib);
    } else if (cs->query.len > 0) {
        snprintf(line, sizeof line, "%zu match%s%s", cs->total,
                 cs->total == 1 ? "" : "es",
                 cs->total > cs->nhits ? " (first 200 shown)" : "");
    } else {
        snprintf(line, sizeof line, "%zu classes, %zu nodes: type to search,"
                 " Right/Left unfold/fold", rl_catalog_nclasses(cs->app->cat),
                 rl_catalog_count(cs->app->cat));
    }
    ui_text(1, 1, cs->cols - 2, line, ui_attr(UI_C_DIM));
    if (cs->sel >= n && n > 0)
        cs->sel = n - 1;
    if (cs->sel < cs->top)
        cs->top = cs->sel;
    if (cs->sel >= cs->top + (size_t)list_h)
        cs->top = cs->sel - (size_t)list_h + 1;
    for (i = cs->top, y = 2; i < n && y < 2 + list_h; i++, y++)
        draw_row(cs, y, i, i == cs->sel);

    pos = selected_pos(cs);
    y = 2 + list_h;
    if (pos != SIZE_MAX) {
        const rl_class *k = node(cs, pos);
        char *path = rl_catalog_path_str(cs->app->cat, k);

        mvhline(y++, 0, ACS_HLINE, cs->cols);
        snprintf(line, sizeof line, "%s %s%s", k->wnid, k->names,
                 k->idx >= 0 ? "" : " (inner node)");
        ui_text(y++, 1, cs->cols - 2, line, A_BOLD);
        y += ui_wrap(y, 1, cs->cols - 2, 2, k->gloss, A_NORMAL);
        ui_wrap(y, 1, cs->cols - 2, 1, path, ui_attr(UI_C_DIM));
        free(path);
    }
    if (cs->status[0] != '\0')
        ui_text_cut(cs->rows_h - 2, 1, cs->cols - 2, cs->status,
                    ui_attr(UI_C_ERROR));
    ui_footer(&classes_keys, cs->arg.pick != NULL ? M_PICK : M_BROWSE,
              cs->rows_h - 1, cs->cols);
}

/* Enter: pick a class, show a search hit in the tree, or fold a node. */
static int
enter(struct classes *cs, size_t pos)
{
    if (pos == SIZE_MAX)
        return 0;
    if (cs->arg.pick != NULL && node(cs, pos)->idx >= 0) {
        cs->arg.pick(cs->arg.ctx, node(cs, pos));
        return UI_POP;
    }
    if (cs->query.len > 0 || cs->siblings) {
        rl_buf_reset(&cs->query);
        cs->siblings = false;
        reveal(cs, pos);
        return UI_REDRAW;
    }
    if (node(cs, pos)->idx < 0) {
        cs->open[pos] = !cs->open[pos];
        flatten(cs);
    } else if (cs->arg.pick != NULL) {
        snprintf(cs->status, sizeof cs->status, "pick a class, not an "
                 "inner node");
    }
    return UI_REDRAW;
}

/* Right / Left: unfold, fold, or go to the parent's row. */
static int
fold(struct classes *cs, size_t pos, bool open)
{
    if (cs->query.len > 0 || cs->siblings || pos == SIZE_MAX)
        return 0;
    if (open && node(cs, pos)->idx < 0) {
        cs->open[pos] = true;
    } else if (!open && cs->open[pos]) {
        cs->open[pos] = false;
    } else if (!open) {
        int d = cs->rows[cs->sel].depth;

        while (cs->sel > 0 && cs->rows[cs->sel].depth >= d)
            cs->sel--;
        return UI_REDRAW;
    }
    flatten(cs);
    return UI_REDRAW;
}

static int
open_guide(struct classes *cs, size_t pos)
{
    const char *w[1];
    struct ui_guide_arg ga = { w, 1, NULL };

    if (pos == SIZE_MAX || cs->app->guide == NULL)
        return 0;
    if (!rl_guide_covers(cs->app->guide, node(cs, pos)->wnid))
        snprintf(cs->status, sizeof cs->status, "no guide entry for %s; the "
                 "general entry opens", node(cs, pos)->wnid);
    w[0] = node(cs, pos)->wnid;
    return ui_push(cs->app, &scr_guide, &ga);
}

/* Backspace: one character off the search, or out of the neighbours. */
static int
backspace(struct classes *cs)
{
    if (cs->query.len == 0 && cs->siblings) {
        cs->siblings = false;
        cs->sel = 0;
        return UI_REDRAW;
    }
    while (cs->query.len > 0) {
        unsigned char last = (unsigned char)cs->query.data[--cs->query.len];

        if ((last & 0xC0) != 0x80)
            break;
    }
    if (cs->query.data != NULL)
        cs->query.data[cs->query.len] = '\0';
    run_search(cs);
    return UI_REDRAW;
}

static int
classes_key(void *p, int key)
{
    struct classes *cs = p;
    size_t pos = selected_pos(cs);
    int page = cs->rows_h - 10 > 1 ? cs->rows_h - 10 : 1;
    unsigned mode = cs->arg.pick != NULL ? M_PICK : M_BROWSE;
    struct ui_list l = { .n = list_len(cs), .sel = cs->sel, .top = cs->top };
    struct ui_help_arg help = { &classes_keys, mode };

    cs->status[0] = '\0';
    if (ui_list_key(&l, key, page, false) != 0) {
        cs->sel = l.sel;
        return UI_REDRAW;
    }
    switch (ui_key_action(&classes_keys, key, mode)) {
    case C_BACK:            /* one Esc closes this overlay, whatever it
                               shows (issue 15) */
        return UI_POP;
    case C_CLEAR:
        cs->siblings = false;
        cs->sel = 0;
        rl_buf_reset(&cs->query);
        run_search(cs);
        return UI_REDRAW;
    case C_UNFOLD:
        return fold(cs, pos, true);
    case C_FOLD:
        return fold(cs, pos, false);
    case C_NEIGHBOURS:
        if (pos != SIZE_MAX && node(cs, pos)->n_parents > 0)
            show_siblings(cs, pos);
        return UI_REDRAW;
    case C_GUIDE:
        return open_guide(cs, pos);
    case C_ADD:
    case C_OPEN:
        return enter(cs, pos);
    case C_ERASE:
        return backspace(cs);
    case C_HELP:
        return ui_push(cs->app, &scr_help, &help);
    }
    if (key >= 0x20 && key < 0x7f && cs->query.len < 100) {
        rl_buf_addc(&cs->query, (char)key);
        run_search(cs);
        return UI_REDRAW;
    }
    return 0;
}

const struct ui_screen scr_classes = {
    .name = "classes",
    .open = classes_open,
    .close = classes_close,
    .layout = classes_layout,
    .draw = classes_draw,
    .key = classes_key,
    .overlay = true,
};
