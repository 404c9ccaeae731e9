/* scr_review.c - the review screen: the image on the left, the image's
 * candidate labels on the right, one key per decision.
 *
 * View state only: the queue position, the selected candidate, the cached
 * cell grid of the image and layout. Every mark goes through the core
 * (rl_review_*), which commits before returning; only then does the status
 * line say "saved". The image pane is written directly to the terminal in
 * symbols mode, and only when the image or the layout changes; curses
 * holds invisible placeholders there so that it never paints over it. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/review.h"
#include "ui/term.h"

#define MIN_COLS 60
#define MIN_ROWS 15
#define IDLE_CAP_MS 60000.0   /* longer pauses do not count as work */
#define TEXT_MIN 48           /* columns of candidate text, at least ... */
#define TEXT_MAX 72           /* ... and at most (a gloss line wraps) */
#define FILL_SLICE_MS 30.0    /* queue counting between two looks at keys */
#define KEY_FILL 256          /* queue items counted after every key */
#define MAX_MATCHES 200       /* images a `:` pick list offers */
#define CAND_INDENT 7         /* a candidate's gloss and path, under its
                                 wnid: ">[C] G n0..." */

struct review {
    struct ui_app *app;
    rl_queue q;            /* every image, in `order` */
    rl_order order;        /* of the queue: by name, or doubt first */
    size_t pos;            /* position of img in q */
    rl_filter filter;
    rl_image *img;         /* the image under review */
    size_t sel;            /* selected candidate */
    size_t top;            /* first candidate row shown */
    rl_prefetch *pf;       /* decoded and rendered images */
    rl_cells *cells;       /* grid for img at the pane size, or NULL */
    char img_msg[200];     /* why there is no grid, or a decode warning */
    bool img_dirty;        /* pane must be written again */
    int rows, cols;        /* terminal */
    int pane_rows, pane_cols, text_x, text_w;
    bool too_small, full, hide_name;
    rl_view view;          /* full screen: zoom window (1x = whole) */
    char status[200];      /* last message */
    bool status_err;       /* message is an error */
    bool status_filter;    /* message is F's exact answer: it names the
                              filter and its count */
    bool saved;            /* last change committed */
    double key_at;         /* monotonic ms of the last key on this image */
    double refreshed_at;   /* last look for other reviewers' changes */
    double active;         /* ms of attention on this image so far */
    int64_t matches[MAX_MATCHES]; /* `:`: the images its pick list shows */
    size_t n_matches;
};

/* ---- image pane ----------------------------------------------------- */

static const char *
path_of(const struct review *rs, size_t pos)
{
    (void)pos;
    return rs->img != NULL ? rs->img->path : NULL;
}

/* Renders the current image at the pane size (from the prefetch cache
 * when it is there), then asks for its neighbours in the background. */
static void
load_cells(struct review *rs)
{
    rl_cells_free(rs->cells);
    rs->cells = NULL;
    rs->img_msg[0] = '\0';
    rs->img_dirty = true;
    if (rs->too_small || rs->pane_rows <= 0 || rs->pane_cols <= 0)
        return;
    rs->cells = ui_pane_cells_view(rs->app, rs->pf, path_of(rs, rs->pos),
                                   rs->pane_cols, rs->pane_rows,
                                   rs->full ? &rs->view : NULL, rs->img_msg,
                                   sizeof rs->img_msg);
}

/* Queues the images before and after this one under the filter. */
static void
prefetch_neighbours(struct review *rs)
{
    int dir;

    if (rs->too_small)
        return;
    for (dir = 1; dir >= -1; dir -= 2) {
        size_t p = rl_queue_step(&rs->q, rs->pos, dir, rs->filter);
        rl_image *n;

        if (p == SIZE_MAX || p == rs->pos)
            continue;
        n = rl_image_load(rs->app->store, rs->app->cat, rs->app->reviewer,
                          rs->q.items[p].id, NULL);
        if (n != NULL)
            ui_pane_want(rs->app, rs->pf, n->path, rs->pane_cols,
                         rs->pane_rows);
        rl_image_free(n);
    }
}

/* ---- status and time ------------------------------------------------ */

static void
say(struct review *rs, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct review *rs, bool error, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rs->status, sizeof rs->status, fmt, ap);
    va_end(ap);
    rs->status_err = error;
    rs->status_filter = false;
    if (error)
        rs->saved = false;
}

static void
count_attention(struct review *rs)
{
    double now = rl_mono_ms(), gap = now - rs->key_at;

    rs->active += gap < IDLE_CAP_MS ? gap : IDLE_CAP_MS;
    rs->key_at = now;
}

/* Leaves the current image: records the attention it got. */
static void
leave_image(struct review *rs)
{
    if (rs->img == NULL)
        return;
    count_attention(rs);
    rl_review_touch(rs->app->store, rs->app->reviewer, rs->img->id,
                    (int64_t)rs->active, NULL);
    rs->active = 0;
}

static void
sync_queue_item(struct review *rs)
{
    rl_qitem *it;

    if (rs->img == NULL || rs->pos >= rs->q.n)
        return;
    it = rl_queue_edit(&rs->q, rs->pos);
    it->n_cand = (int)rs->img->n;
    it->n_mine = (int)(rs->img->n - rl_image_unreviewed(rs->img));
    if (rs->img->problematic)
        it->problematic = true;
}

static size_t
first_unreviewed(const rl_image *img, size_t from)
{
    size_t k;

    for (k = 0; k < img->n; k++) {
        size_t i = (from + k) % img->n;

        if (img->cand[i].state == RL_STATE_NONE)
            return i;
    }
    return SIZE_MAX;
}

/* Shows image at queue position `pos`. */
static int
show(struct review *rs, size_t pos)
{
    rl_image *img;
    rl_err e;

    if (pos >= rs->q.n)
        return UI_REDRAW;
    img = rl_image_load(rs->app->store, rs->app->cat, rs->app->reviewer,
                        rs->q.items[pos].id, &e);
    if (img == NULL) {
        say(rs, true, "%s", e.msg);
        return UI_REDRAW;
    }
    leave_image(rs);
    rl_image_free(rs->img);
    rs->img = img;
    rs->pos = pos;
    rs->top = 0;
    rs->sel = first_unreviewed(img, 0);
    if (rs->sel == SIZE_MAX)
        rs->sel = 0;
    rs->key_at = rl_mono_ms();
    rs->active = 0;
    rl_review_touch(rs->app->store, rs->app->reviewer, img->id, 0, NULL);
    sync_queue_item(rs);
    load_cells(rs);
    prefetch_neighbours(rs);
    return UI_REDRAW;
}

static void
reload_image(struct review *rs)
{
    rl_image *img = rl_image_load(rs->app->store, rs->app->cat,
                                  rs->app->reviewer, rs->img->id, NULL);

    if (img == NULL)
        return;
    rl_image_free(rs->img);
    rs->img = img;
    if (rs->sel >= img->n)
        rs->sel = img->n > 0 ? img->n - 1 : 0;
    sync_queue_item(rs);
}

/* ---- screen callbacks ----------------------------------------------- */

/* Opens the queue in the screen's order (a failed order leaves name
 * order and says why). 0, or -1 with `err` set. */
static int
load_queue(struct review *rs, rl_err *err)
{
    rl_err e;

    /* The ids only, from the order keys stored at import: the counts
     * come in review_idle, after the first frame, and item by item where
     * a step needs them. */
    if (rl_order_open(rs->app->store, rs->app->reviewer, &rs->order, &rs->q,
                      &e) == 0)
        return 0;
    if (rl_queue_open(rs->app->store, rs->app->reviewer, &rs->q, err) != 0)
        return -1;
    if (rs->order.kind != RL_ORDER_NAME)
        say(rs, true, "queue left in name order: %s", e.msg);
    rs->order.kind = RL_ORDER_NAME;
    return 0;
}

/* O: the next order; the image on screen stays, at its new place. */
static int
cycle_order(struct review *rs)
{
    int64_t id = rs->img != NULL ? rs->img->id : -1;
    char name[32];
    rl_err e;
    size_t p;

    rs->order = rl_order_next(&rs->order);
    if (load_queue(rs, &e) != 0) {
        say(rs, true, "%s", e.msg);
        return UI_REDRAW;
    }
    if ((p = rl_queue_find(&rs->q, id)) != SIZE_MAX)
        rs->pos = p;
    rl_order_format(&rs->order, name, sizeof name);
    say(rs, false, "order: %s%s", name,
        rs->order.kind == RL_ORDER_DISAGREE
        ? " (models against the original label first)"
        : rs->order.kind == RL_ORDER_MARGIN ? " (models unsure first)"
        : rs->order.kind == RL_ORDER_RANDOM ? " (a seeded shuffle)" : "");
    prefetch_neighbours(rs);
    return UI_REDRAW;
}

static void *
review_open(struct ui_app *app, void *arg)
{
    struct review *rs = rl_xcalloc(1, sizeof *rs);
    const char *start = arg;
    rl_err e;
    size_t pos = SIZE_MAX;

    rs->app = app;
    rs->hide_name = app->opt.hide_names;
    rs->order = app->opt.order;
    if (load_queue(rs, &e) != 0) {
        endwin();
        fprintf(stderr, "relabel: %s\n", e.msg);
        free(rs);
        return NULL;
    }
    if (rs->q.n == 0) {
        endwin();
        fprintf(stderr, "relabel: the project has no images yet (relabel "
                "import labels FILE)\n");
        rl_queue_free(&rs->q);
        free(rs);
        return NULL;
    }
    rs->pf = rl_prefetch_new(24);
    if (start != NULL) {
        int64_t id = rl_image_find(app->store, start);

        pos = id >= 0 ? rl_queue_find(&rs->q, id) : SIZE_MAX;
        if (pos == SIZE_MAX) {
            char *safe = rl_utf8_sanitize(start);

            say(rs, true, "no image named '%s'", safe);
            free(safe);
        }
    }
    if (app->opt.adjudicate) {
        rs->filter = RL_FILTER_DISAGREE;
        if (pos == SIZE_MAX)
            pos = rl_queue_step(&rs->q, SIZE_MAX, 1, RL_FILTER_DISAGREE);
        if (pos == SIZE_MAX && rs->status[0] == '\0')
            say(rs, false, "no open disagreements");
    }
    if (pos == SIZE_MAX) {
        /* The first image this reviewer has not finished. */
        pos = rl_queue_step(&rs->q, SIZE_MAX, 1, RL_FILTER_UNREVIEWED);
        if (pos == SIZE_MAX) {
            pos = 0;
            if (rs->status[0] == '\0')
                say(rs, false, "every image is reviewed");
        }
    }
    rs->pos = pos;
    rs->key_at = rl_mono_ms();
    return rs;
}

static void
review_close(void *p)
{
    struct review *rs = p;

    leave_image(rs);
    rl_image_free(rs->img);
    rl_cells_free(rs->cells);
    rl_prefetch_free(rs->pf);
    rl_queue_free(&rs->q);
    free(rs);
}

static void
review_layout(void *p, int rows, int cols)
{
    struct review *rs = p;
    bool first = rs->img == NULL;

    rs->rows = rows;
    rs->cols = cols;
    rs->too_small = rows < MIN_ROWS || cols < MIN_COLS;
    if (rs->full) {
        /* the picture over everything but the status and key rows */
        rs->pane_cols = cols;
        rs->pane_rows = rows - 2;
        rs->text_x = cols;
        rs->text_w = 0;
    } else {
        /* The text gets what candidate lines need (3/5 of a narrow
         * terminal, never under TEXT_MIN nor over TEXT_MAX columns); the
         * picture takes the rest: 2/5 up to 120 columns, 64% at 200. */
        int text = cols * 3 / 5;

        text = text < TEXT_MIN ? TEXT_MIN : text > TEXT_MAX ? TEXT_MAX : text;
        rs->pane_cols = cols - text;
        rs->pane_rows = rows - 2;
        rs->text_x = rs->pane_cols + 1;
        rs->text_w = cols - rs->text_x;
    }
    if (first && !rs->too_small)
        show(rs, rs->pos);
    else
        load_cells(rs);      /* a resize re-renders from cached pixels */
    if (first && rs->too_small)
        rs->img_dirty = true;
}

static int
state_color(rl_state st)
{
    switch (st) {
    case RL_STATE_CORRECT: return ui_attr(UI_C_CORRECT);
    case RL_STATE_WRONG: return ui_attr(UI_C_WRONG);
    case RL_STATE_UNCLEAR: return ui_attr(UI_C_UNCLEAR);
    case RL_STATE_DONT_KNOW: return ui_attr(UI_C_DONTKNOW);
    default: return ui_attr(UI_C_DIM);
    }
}

static void
draw_pane(struct review *rs)
{
    ui_pane_draw(rs->app, rs->cells, 0, 0);
    if (rs->img_msg[0] != '\0') {
        int y = rs->cells != NULL ? rs->pane_rows - 1 : rs->pane_rows / 2;

        if (rs->cells == NULL)
            ui_wrap(y, 1, rs->pane_cols - 2, 3, rs->img_msg,
                    ui_attr(UI_C_ERROR));
        else
            ui_text(y, 0, rs->pane_cols, rs->img_msg, ui_attr(UI_C_ERROR));
    }
}

/* Hypernym paths of the candidates: how many leading nodes they all
 * share (at least one node of each path is left as its own part). */
static size_t
shared_depth(const struct review *rs)
{
    const rl_class *first[64], *p[64];
    size_t n0, k = SIZE_MAX, i, j, n;

    if (rs->img->n == 0)
        return 0;
    n0 = rl_catalog_path(rs->app->cat, rs->img->cand[0].cls, first, 64);
    for (i = 0; i < rs->img->n; i++) {
        n = rl_catalog_path(rs->app->cat, rs->img->cand[i].cls, p, 64);
        for (j = 0; j < n && j < n0 && j < 64 && p[j] == first[j]; j++)
            ;
        if (j >= n)
            j = n - 1;
        if (j < k)
            k = j;
    }
    return k;
}

/* One candidate's second and third lines: its own part of the path,
 * who proposed it, and whether others marked it. */
static void
cand_detail(const struct review *rs, const rl_cand *c, size_t shared,
            rl_buf *b)
{
    const rl_class *p[64];
    size_t n = rl_catalog_path(rs->app->cat, c->cls, p, 64), i;
    char name[80];

    rl_buf_reset(b);
    rl_buf_printf(b, "class %d | %s", c->cls->idx, shared > 0 ? "... > " : "");
    for (i = shared; i < n && i < 64; i++) {
        rl_class_short(p[i], name, sizeof name);
        rl_buf_printf(b, "%s%s", i > shared ? " > " : "", name);
    }
    if (c->n_models > 0)
        rl_buf_printf(b, " | by %s (mean rank %.1f)", c->models,
                      c->mean_rank);
    else if (c->added_by != NULL)
        rl_buf_printf(b, " | added by %s", c->added_by);
    else
        rl_buf_adds(b, " | original label, no model proposed it");
    if (c->n_others > 0)
        rl_buf_printf(b, " | marked by %d other%s", c->n_others,
                      c->n_others == 1 ? "" : "s");
}

/* Rows candidate i takes: its row, its gloss, its detail. */
static int
cand_rows(const struct review *rs, size_t i, size_t shared, rl_buf *b)
{
    int w = rs->text_w - CAND_INDENT;

    cand_detail(rs, &rs->img->cand[i], shared, b);
    return 1 + ui_wrap_rows(w, 3, rs->img->cand[i].cls->gloss)
           + ui_wrap_rows(w, 2, rl_buf_str(b));
}

/* Every candidate with its full gloss and its part of the WordNet path,
 * so that moving the selection only moves the highlight (a few dozen
 * bytes), and a reviewer compares the definitions at a glance. */
static void
draw_candidates(struct review *rs, int *yp, int maxy, size_t shared)
{
    const rl_image *img = rs->img;
    int x = rs->text_x, w = rs->text_w, y = *yp, used, sum;
    size_t i;
    rl_buf b = {0};

    if (maxy - y < 1 || img->n == 0)
        return;
    /* Keep the selected candidate's whole block on screen. */
    if (rs->sel < rs->top)
        rs->top = rs->sel;
    for (;;) {
        for (sum = 0, i = rs->top; i <= rs->sel && i < img->n; i++)
            sum += cand_rows(rs, i, shared, &b);
        if (sum <= maxy - y || rs->top >= rs->sel)
            break;
        rs->top++;
    }
    /* Scroll back while the rows below would otherwise stay empty (after
     * a resize to a taller terminal, or a shorter list). */
    while (rs->top > 0) {
        for (sum = 0, i = rs->top - 1; i < img->n; i++)
            sum += cand_rows(rs, i, shared, &b);
        if (sum > maxy - y)
            break;
        rs->top--;
    }
    for (i = rs->top; i < img->n && y < maxy; i++) {
        const rl_cand *c = &img->cand[i];
        bool sel = i == rs->sel;
        char head[64], tail[96];
        int sattr = ui_attr(UI_C_SELECTED);

        /* Columns: selection, state marker, G (a guide entry covers the
         * class), wnid; each its own, so none runs into the next. */
        snprintf(head, sizeof head, "%s[%c] %c ", sel ? ">" : " ",
                 rl_state_letter(c->state), rs->app->guide != NULL
                 && rl_guide_covers(rs->app->guide, c->cls->wnid) ? 'G'
                 : ' ');
        used = ui_text(y, x, w, head, sel ? sattr : state_color(c->state));
        used += ui_text(y, x + used, w - used, c->cls->wnid,
                        sel ? sattr : ui_attr(UI_C_DIM));
        used += ui_text(y, x + used, w - used, " ", A_NORMAL);
        if (c->n_models > 0)
            snprintf(tail, sizeof tail, " %d model%s%s%s", c->n_models,
                     c->n_models == 1 ? "" : "s", c->original ? " ORIG" : "",
                     img->main == c->cls ? " MAIN" : "");
        else
            snprintf(tail, sizeof tail, " %s%s", c->original ? "ORIG"
                     : "added", img->main == c->cls ? " MAIN" : "");
        {
            int tw = rl_utf8_width(tail), nw = w - used - tw;

            if (nw > 4) {
                ui_text(y, x + used, nw, c->cls->names, A_BOLD);
                ui_text(y, x + w - tw, tw, tail, ui_attr(UI_C_DIM));
            } else {
                ui_text(y, x + used, w - used, c->cls->names, A_BOLD);
            }
        }
        y++;
        if (y < maxy)
            y += ui_wrap(y, x + CAND_INDENT, w - CAND_INDENT,
                         maxy - y < 3 ? maxy - y : 3,
                         c->cls->gloss, A_NORMAL);
        if (y < maxy) {
            cand_detail(rs, c, shared, &b);
            y += ui_wrap(y, x + CAND_INDENT, w - CAND_INDENT,
                         maxy - y < 2 ? maxy - y : 2,
                         rl_buf_str(&b), ui_attr(UI_C_DIM));
        }
    }
    if (i < img->n)
        ui_text(maxy, x + w - 14, 14, "(more below)", ui_attr(UI_C_DIM));
    rl_buf_free(&b);
    *yp = y;
}

/* The part of the path every candidate shares, once, above them. */
static int
draw_shared(struct review *rs, int y, int maxrows, size_t k)
{
    const rl_class *p[64];
    size_t i;
    char name[80];
    rl_buf b = {0};
    int rows;

    if (k == 0 || rs->img->n == 0)
        return 0;
    rl_catalog_path(rs->app->cat, rs->img->cand[0].cls, p, 64);
    rl_buf_adds(&b, "all under: ");
    for (i = 0; i < k && i < 64; i++) {
        rl_class_short(p[i], name, sizeof name);
        rl_buf_printf(&b, "%s%s", i ? " > " : "", name);
    }
    rows = ui_wrap(y, rs->text_x + 2, rs->text_w - 2, maxrows,
                   rl_buf_str(&b), ui_attr(UI_C_DIM));
    rl_buf_free(&b);
    return rows;
}

static void
draw_status(struct review *rs)
{
    size_t rank = 0, n = rl_queue_count(&rs->q, rs->filter, rs->pos, &rank);
    /* F's answer names the filter and its count: the line does not say
     * them again (twice would not fit 80 columns). */
    bool said = rs->status_filter && rs->status[0] != '\0';
    const char *f = rl_filter_name(rs->filter);
    char left[200];
    int y = rs->rows - 2, used, need, room;

    if (!rl_queue_complete(&rs->q, rs->filter))
        snprintf(left, sizeof left, " image %zu of %zu in all%s%s%s",
                 rs->pos + 1, rs->q.n, said ? "" : " (filter ",
                 said ? "" : f, said ? "" : ": counting...)");
    else if (rank == 0 && said)
        snprintf(left, sizeof left, " image %zu of %zu (not in filter)",
                 rs->pos + 1, rs->q.n);
    else if (rank == 0)
        snprintf(left, sizeof left, " image %zu of %zu (not in filter %s:"
                 " %zu)", rs->pos + 1, rs->q.n, f, n);
    else if (rs->filter == RL_FILTER_ALL)
        snprintf(left, sizeof left, " image %zu of %zu", rank, n);
    else if (said)
        snprintf(left, sizeof left, " image %zu of %zu (%zu in all)", rank,
                 n, rs->q.n);
    else
        snprintf(left, sizeof left, " image %zu of %zu (filter %s; %zu in "
                 "all)", rank, n, f, rs->q.n);
    /* Another filter is named in the count above; "all" only here. */
    snprintf(left + strlen(left), sizeof left - strlen(left),
             " | %zu unreviewed%s%s", rl_image_unreviewed(rs->img),
             said || rs->filter != RL_FILTER_ALL ? "" : " | filter: all",
             rs->app->opt.adjudicate ? " | ADJUDICATING" : "");
    /* O's answer names the order: not twice either. */
    if (rs->order.kind != RL_ORDER_NAME
        && strncmp(rs->status, "order: ", 7) != 0) {
        char name[32];

        snprintf(left + strlen(left), sizeof left - strlen(left),
                 " | order: %s", rl_order_format(&rs->order, name,
                                                 sizeof name));
    }
    attron(ui_attr(UI_C_STATUS));
    mvhline(y, 0, ' ', rs->cols);
    attroff(ui_attr(UI_C_STATUS));
    /* "saved" and the answer to the last key are what a reviewer looks
     * for: the counts before them are cut (to a quarter of the line at
     * least) so that they show whole where they can. */
    need = rs->status[0] != '\0' ? 3 + rl_utf8_width(rs->status)
           : rs->saved ? 8 : 0;
    room = rs->cols - need < rs->cols / 4 ? rs->cols / 4 : rs->cols - need;
    used = ui_text_cut(y, 0, room, left, ui_attr(UI_C_STATUS));
    if (rs->saved && rs->status[0] == '\0')
        ui_text(y, used, rs->cols - used, " | saved", ui_attr(UI_C_STATUS));
    else if (rs->status[0] != '\0')
        ui_text(y, used, rs->cols - used, " | ", ui_attr(UI_C_STATUS)),
        ui_text_cut(y, used + 3, rs->cols - used - 3, rs->status,
                    rs->status_err ? ui_attr(UI_C_ERROR)
                    : ui_attr(UI_C_STATUS));
}

/* The footer: as many keys as fit, from the key table. */
static void
draw_footer(struct review *rs)
{
    ui_footer(&ui_review_keys, 0, rs->rows - 1, rs->cols);
}

/* Full screen's own key row: the zoom, then the full-screen key table. */
static void
draw_full_footer(struct review *rs)
{
    char line[32];
    int x, y = rs->rows - 1;

    snprintf(line, sizeof line, "zoom %dx  ", rs->view.zoom);
    x = ui_text(y, 0, rs->cols, line, A_BOLD);
    ui_footer_at(&ui_review_full_keys, 0, y, x, rs->cols);
}

static void
review_draw(void *p)
{
    struct review *rs = p;
    const rl_image *img = rs->img;
    int x = rs->text_x, w = rs->text_w, y = 0, maxy = rs->rows - 2;
    int head_y, used;
    char line[512];

    if (rs->too_small) {
        snprintf(line, sizeof line, "Terminal too small: relabel needs at "
                 "least %dx%d (now %dx%d).", MIN_COLS, MIN_ROWS, rs->cols,
                 rs->rows);
        ui_wrap(0, 0, rs->cols, rs->rows, line, A_BOLD);
        return;
    }
    if (img == NULL)
        return;
    draw_pane(rs);
    if (rs->full) {
        draw_status(rs);
        draw_full_footer(rs);
        return;
    }

    snprintf(line, sizeof line, "Image: %s%s%s%s", rs->hide_name
             ? "(name hidden: i shows it)" : img->name,
             img->dataset ? "  [" : "", img->dataset ? img->dataset : "",
             img->dataset ? "]" : "");
    ui_text(y, x, w, line, ui_attr(UI_C_TITLE));
    if (img->problematic) {
        ui_text(y, x + w - 13, 13, " PROBLEMATIC ", ui_attr(UI_C_FLAG));
    }
    y++;
    if (img->label != NULL) {
        snprintf(line, sizeof line, "Original: %s %s", img->label->wnid,
                 img->label->names);
        y += ui_wrap(y, x, w, 2, line, A_BOLD);
        y += ui_wrap(y, x + 2, w - 2, 2, img->label->gloss,
                     ui_attr(UI_C_DIM));
    } else {
        ui_text(y++, x, w, "Original: (none)", A_BOLD);
    }
    if (img->problematic && img->note[0] != '\0') {
        snprintf(line, sizeof line, "Note: %s", img->note);
        y += ui_wrap(y, x, w, 2, line, ui_attr(UI_C_FLAG));
    }
    y++;
    head_y = y++;
    if (img->n == 0)
        ui_text(y++, x, w, "  no candidates: + adds a class", A_NORMAL);
    {
        size_t shared = shared_depth(rs);

        y += draw_shared(rs, y, 2, shared);
        draw_candidates(rs, &y, maxy - 1, shared);
    }
    /* The header after the list, which decides the scroll: "(more
     * above)" goes on the header's own row, never over other text. */
    snprintf(line, sizeof line, "Candidates (%zu)%s", img->n,
             img->n_other_reviewers > 0 ? "  - reviewed by others too" : "");
    used = ui_text(head_y, x, w, line, A_BOLD);
    if (rs->top > 0) {
        snprintf(line, sizeof line, "  (%zu more above)", rs->top);
        ui_text(head_y, x + used, w - used, line, ui_attr(UI_C_DIM));
    }
    draw_status(rs);
    draw_footer(rs);
}

static void
review_paint(void *p)
{
    struct review *rs = p;

    if (rs->too_small || rs->cells == NULL)
        return;
    if (!rs->img_dirty && !rs->app->need_paint)
        return;
    rl_buf_reset(&rs->app->out);
    ui_pane_paint(rs->app, rs->cells, 0, 0);
    if (rs->img_msg[0] != '\0' && rs->app->out.len > 0) {
        /* The grid covers the whole pane, the warning's row included
         * (draw_pane put it there for curses): write it again on top. */
        char *safe = rl_utf8_sanitize(rs->img_msg);

        safe[rl_utf8_fit(safe, rs->pane_cols)] = '\0';
        rl_buf_printf(&rs->app->out, "\x1b[%d;1H%s%s\x1b[0m",
                      rs->pane_rows, rs->app->color_ok ? "\x1b[0;1;37;41m"
                      : "\x1b[0;1m", safe);
        free(safe);
    }
    ui_pane_flush(rs->app);
    rs->img_dirty = false;
}

/* ---- actions -------------------------------------------------------- */

static int
marked(struct review *rs, int rc, rl_err *e, bool advance)
{
    if (rc < 0) {
        say(rs, true, "not saved: %s", e->msg);
        return UI_REDRAW;
    }
    rs->status[0] = '\0';
    rs->saved = true;
    sync_queue_item(rs);
    if (advance) {
        size_t nx = first_unreviewed(rs->img, rs->sel + 1);

        if (nx != SIZE_MAX)
            rs->sel = nx;
    }
    return UI_REDRAW;
}

static int
set_state(struct review *rs, rl_state st)
{
    rl_err e;
    int rc;

    if (rs->img->n == 0) {
        say(rs, true, "no candidates: + adds a class");
        return UI_REDRAW;
    }
    rc = rl_review_set(rs->app->store, rs->img, rs->app->reviewer, rs->sel,
                       st, &e);
    return marked(rs, rc, &e, st != RL_STATE_NONE);
}

static int
go_image(struct review *rs, int64_t id)
{
    size_t p = rl_queue_find(&rs->q, id);

    if (p == SIZE_MAX) {
        /* A new image (another reviewer's import): reload the queue. */
        load_queue(rs, NULL);
        p = rl_queue_find(&rs->q, id);
    }
    if (p == SIZE_MAX)
        return UI_REDRAW;
    if (rs->img != NULL && rs->img->id == id) {
        reload_image(rs);
        return UI_REDRAW;
    }
    return show(rs, p);
}

/* What a step was, for "undone: ..." in the status line. */
static void
step_words(const rl_step_info *info, char *buf, size_t size)
{
    const char *w = info->what;

    if (strcmp(w, "bulk") == 0)
        snprintf(buf, size, "bulk mark of %zu candidate%s", info->n_marks,
                 info->n_marks == 1 ? "" : "s");
    else if (strcmp(w, "confirm") == 0)
        snprintf(buf, size, "confirmation");
    else if (strcmp(w, "flag") == 0)
        snprintf(buf, size, "Problematic flag");
    else if (strcmp(w, "note") == 0)
        snprintf(buf, size, "note");
    else if (strcmp(w, "main") == 0)
        snprintf(buf, size, "main-object choice");
    else if (strcmp(w, "add") == 0)
        snprintf(buf, size, "added class");
    else
        snprintf(buf, size, "mark");
}

static int
undo_redo(struct review *rs, bool undo)
{
    rl_step_info info;
    rl_err e;
    int rc = rl_review_revert(rs->app->store, rs->app->reviewer, !undo,
                              &info, &e);
    int64_t image = info.image;
    const rl_class *changed = NULL;
    const char *kept;
    char what[64], *name;

    if (rc < 0) {
        say(rs, true, "%s failed: %s", undo ? "undo" : "redo", e.msg);
        return UI_REDRAW;
    }
    if (rc == 0) {
        say(rs, false, "nothing to %s", undo ? "undo" : "redo");
        return UI_REDRAW;
    }
    {
        /* On the same image, select the candidate the step changed. */
        const rl_class *was[128];
        rl_state st[128];
        size_t n = 0, i, j;
        bool same = rs->img != NULL && rs->img->id == image;

        for (i = 0; same && i < rs->img->n && n < 128; i++, n++) {
            was[n] = rs->img->cand[i].cls;
            st[n] = rs->img->cand[i].state;
        }
        rc = go_image(rs, image);
        for (i = 0; same && i < rs->img->n; i++)
            for (j = 0; j < n; j++)
                if (was[j] == rs->img->cand[i].cls
                    && st[j] != rs->img->cand[i].state) {
                    rs->sel = i;
                    changed = rs->img->cand[i].cls;
                    i = rs->img->n;
                    break;
                }
    }
    rs->saved = true;
    /* e.msg names the values kept because someone changed them since. */
    kept = e.msg;
    if (changed == NULL && info.cls != 0)
        changed = rl_catalog_by_id(rs->app->cat, info.cls);
    step_words(&info, what, sizeof what);
    name = rl_utf8_sanitize(rs->img != NULL ? rs->img->name : "");
    if (changed != NULL && strcmp(info.what, "bulk") != 0) {
        char cls[48];

        rl_class_short(changed, cls, sizeof cls);
        say(rs, false, "%s: %s on %s (%s), saved%s%s", undo ? "undone"
            : "redone", what, cls, name, kept[0] != '\0' ? "; " : "", kept);
    } else {
        say(rs, false, "%s: %s (%s), saved%s%s", undo ? "undone" : "redone",
            what, name, kept[0] != '\0' ? "; " : "", kept);
    }
    free(name);
    return rc;
}

static int
step_image(struct review *rs, int dir)
{
    size_t from = rs->pos, p = rl_queue_step(&rs->q, from, dir, rs->filter);
    int rc;

    if (p == SIZE_MAX) {
        say(rs, false, "no %s image in filter %s", dir > 0 ? "next"
            : "previous", rl_filter_name(rs->filter));
        return UI_REDRAW;
    }
    rs->status[0] = '\0';
    rs->saved = false;
    rc = show(rs, p);
    /* rl_queue_step wraps around once: say so, or a reviewer takes the
     * first image for a new one. */
    if (dir > 0 ? p <= from : p >= from)
        say(rs, false, "wrapped to the %s image%s%s", dir > 0 ? "first"
            : "last", rs->filter == RL_FILTER_ALL ? "" : " in filter ",
            rs->filter == RL_FILTER_ALL ? "" : rl_filter_name(rs->filter));
    return rc;
}

static int
confirm(struct review *rs)
{
    rl_err e;
    size_t p;

    if (rl_review_confirm(rs->app->store, rs->img, rs->app->reviewer, &e)
        != 0) {
        say(rs, true, "%s", e.msg);
        return UI_REDRAW;
    }
    p = rl_queue_step(&rs->q, rs->pos, 1, RL_FILTER_UNREVIEWED);
    if (p == SIZE_MAX) {
        rs->saved = true;
        say(rs, false, "confirmed, saved; every image is reviewed");
        return UI_REDRAW;
    }
    show(rs, p);
    rs->saved = true;
    rs->status[0] = '\0';
    return UI_REDRAW;
}

/* Goes to image `id`, showing every image again when the filter hides
 * it (or the queue does not hold it yet: go_image reloads). */
static int
goto_id(struct review *rs, int64_t id)
{
    size_t p = rl_queue_find(&rs->q, id);

    if (p == SIZE_MAX || !rl_queue_match(rl_queue_at(&rs->q, p), rs->filter))
        rs->filter = RL_FILTER_ALL;
    rs->status[0] = '\0';
    return go_image(rs, id);
}

/* A pick list's choice: the ids are in rs->matches. */
static void
goto_picked(void *ctx, size_t i)
{
    struct review *rs = ctx;

    if (i < rs->n_matches)
        goto_id(rs, rs->matches[i]);
}

/* `:` with a number: the k-th image as the status line counts them. */
static int
goto_number(struct review *rs, const char *q)
{
    size_t k = (size_t)strtoull(q, NULL, 10), n, p, rank = 0;
    rl_err e;

    /* The k-th under a filter needs every count. */
    if (!rl_queue_complete(&rs->q, rs->filter)
        && rl_queue_fill(&rs->q, SIZE_MAX, rs->filter == RL_FILTER_DISAGREE,
                         &e) < 0) {
        say(rs, true, "%s", e.msg);
        return UI_REDRAW;
    }
    n = rl_queue_count(&rs->q, rs->filter, SIZE_MAX, NULL);
    if (k == 0 || k > n) {
        say(rs, true, "no image %s: %s%zu image%s", q, rs->filter
            == RL_FILTER_ALL ? "the queue has " : "the filter has ", n,
            n == 1 ? "" : "s");
        return UI_REDRAW;
    }
    for (p = rl_queue_step(&rs->q, SIZE_MAX, 1, rs->filter); p != SIZE_MAX;
         p = rl_queue_step(&rs->q, p, 1, rs->filter))
        if (++rank == k)
            break;
    rs->status[0] = '\0';
    return show(rs, p);
}

static int
prompt_goto(struct review *rs)
{
    char *q = ui_prompt(rs->app, rs->rows - 1, "Go to image: ", NULL);
    bool exact, digits;
    size_t n, i;
    const char *c;
    int rc;

    if (q == NULL || *q == '\0') {
        free(q);
        return UI_REDRAW;
    }
    n = rl_image_lookup(rs->app->store, q, rs->matches, MAX_MATCHES, &exact);
    for (digits = true, c = q; *c != '\0'; c++)
        digits = digits && *c >= '0' && *c <= '9';
    if (!exact && digits) {
        rc = goto_number(rs, q);
    } else if (n == 1) {
        rc = goto_id(rs, rs->matches[0]);
    } else if (n == 0) {
        char *safe = rl_utf8_sanitize(q);

        say(rs, true, "no image named '%s', nor one containing it", safe);
        free(safe);
        rc = UI_REDRAW;
    } else {
        /* Several: a list to pick from, by name. */
        char **rows = rl_xcalloc(MAX_MATCHES, sizeof *rows), *safe, title[160];
        struct ui_pick_arg a = { title, NULL, 0, goto_picked, rs };

        rs->n_matches = n < MAX_MATCHES ? n : MAX_MATCHES;
        for (i = 0; i < rs->n_matches; i++) {
            rl_image *img = rl_image_load(rs->app->store, rs->app->cat,
                                          rs->app->reviewer, rs->matches[i],
                                          NULL);

            rows[i] = rl_xstrdup(img != NULL ? img->name : "?");
            rl_image_free(img);
        }
        safe = rl_utf8_sanitize(q);
        snprintf(title, sizeof title, n > MAX_MATCHES ? "Images matching "
                 "'%.60s' (the first %zu by name)" : "Images matching "
                 "'%.60s' (%zu)", safe, rs->n_matches);
        free(safe);
        a.rows = (const char *const *)rows;
        a.n = rs->n_matches;
        rc = ui_push(rs->app, &scr_pick, &a);
        for (i = 0; i < rs->n_matches; i++)
            free(rows[i]);
        free(rows);
    }
    free(q);
    return rc;
}

static void
picked(void *ctx, const rl_class *k)
{
    struct review *rs = ctx;
    size_t pos = 0;
    rl_err e;

    if (rl_review_add(rs->app->store, rs->app->cat, &rs->img,
                      rs->app->reviewer, k, &pos, &e) != 0) {
        say(rs, true, "%s", e.msg);
        return;
    }
    rs->sel = pos;
    rs->saved = true;
    say(rs, false, "added %s, saved; mark it with c w u d", k->wnid);
    sync_queue_item(rs);
}

/* `+`: the class picker; typing a wnid or index finds it as well. */
static int
pick_class(struct review *rs)
{
    struct ui_classes_arg arg = { NULL, picked, rs };

    return ui_push(rs->app, &scr_classes, &arg);
}

static int
browse(struct review *rs)
{
    struct ui_classes_arg arg = { NULL, NULL, NULL };

    if (rs->img->n > 0 && rs->sel < rs->img->n)
        arg.start = rs->img->cand[rs->sel].cls;
    return ui_push(rs->app, &scr_classes, &arg);
}

static int
open_guide(struct review *rs)
{
    const char *wnids[128];
    struct ui_guide_arg arg = { wnids, 0, rs->cells };
    size_t i;

    if (rs->app->guide == NULL) {
        say(rs, true, "no labeling guide found (relabel config guides DIR)");
        return UI_REDRAW;
    }
    /* The selected candidate first, so its entry opens first. */
    if (rs->sel < rs->img->n)
        wnids[arg.n++] = rs->img->cand[rs->sel].cls->wnid;
    for (i = 0; i < rs->img->n && arg.n < 128; i++)
        if (i != rs->sel)
            wnids[arg.n++] = rs->img->cand[i].cls->wnid;
    if (rs->img->label != NULL && arg.n < 128)
        wnids[arg.n++] = rs->img->label->wnid;
    return ui_push(rs->app, &scr_guide, &arg);
}

static int
examples(struct review *rs)
{
    struct ui_examples_arg arg;

    if (ui_examples_dir(rs->app) == NULL) {
        say(rs, true, "no example images: relabel config examples DIR "
            "sets them (DIR/<wnid>/*.JPEG, e.g. ImageNet's train folder)");
        return UI_REDRAW;
    }
    if (rs->img->n == 0)
        return UI_REDRAW;
    arg.cls = rs->img->cand[rs->sel].cls;
    arg.cells = rs->cells;
    return ui_push(rs->app, &scr_examples, &arg);
}

static int
prompt_note(struct review *rs)
{
    char *note = ui_prompt(rs->app, rs->rows - 1, "Problematic note: ",
                           rs->img->note);
    rl_err e;
    int rc;

    if (note == NULL)
        return UI_REDRAW;
    rc = rl_review_set_note(rs->app->store, rs->img, rs->app->reviewer, note,
                            &e);
    free(note);
    if (rc == 0 && rs->img->note[0] != '\0' && !rs->img->problematic)
        rc = rl_review_set_problematic(rs->app->store, rs->img,
                                       rs->app->reviewer, true, &e);
    return marked(rs, rc, &e, false);
}

/* Full screen: zoom by 2 about the centre of the view, pan by a quarter
 * of the view, fit, back. Returns 0 for keys it leaves to the table. Only
 * a changed view fetches (and so paints) the picture again. */
static int
full_key(struct review *rs, int key)
{
    rl_view v = rs->view;
    double step = 0.25 / v.zoom;

    switch (ui_key_action(&ui_review_full_keys, key, 0)) {
    case UI_A_ZOOM_IN: v.zoom *= 2; break;
    case UI_A_ZOOM_OUT: v.zoom /= 2; break;
    case UI_A_ZOOM_FIT: v = RL_VIEW_FIT; break;
    case UI_A_PAN_LEFT: v.cx -= step; break;
    case UI_A_PAN_RIGHT: v.cx += step; break;
    case UI_A_PAN_UP: v.cy -= step; break;
    case UI_A_PAN_DOWN: v.cy += step; break;
    case UI_A_FULL:
        rs->full = false;
        rs->view = RL_VIEW_FIT;
        return UI_RELAYOUT;
    default:
        return 0;
    }
    rl_view_clamp(&v);
    if (v.zoom == rs->view.zoom && v.cx == rs->view.cx
        && v.cy == rs->view.cy)
        return UI_HANDLED;
    rs->view = v;
    load_cells(rs);
    return UI_REDRAW;
}

static int fill_some(struct review *rs);

static int
key_action(struct review *rs, int key)
{
    rl_err e;
    int rc;

    count_attention(rs);
    if (rs->too_small || rs->img == NULL)
        return key == 'q' ? UI_QUIT : 0;
    if (rs->full && (rc = full_key(rs, key)) != 0)
        return rc;
    switch (ui_key_action(&ui_review_keys, key, 0)) {
    case UI_A_DOWN:
        if (rs->sel + 1 < rs->img->n)
            rs->sel++;
        return UI_REDRAW;
    case UI_A_UP:
        if (rs->sel > 0)
            rs->sel--;
        return UI_REDRAW;
    case UI_A_CORRECT:
        return set_state(rs, RL_STATE_CORRECT);
    case UI_A_WRONG:
        return set_state(rs, RL_STATE_WRONG);
    case UI_A_UNCLEAR:
        return set_state(rs, RL_STATE_UNCLEAR);
    case UI_A_DONTKNOW:
        return set_state(rs, RL_STATE_DONT_KNOW);
    case UI_A_UNREVIEW:
        return set_state(rs, RL_STATE_NONE);
    case UI_A_REST_WRONG:
        rc = rl_review_set_rest(rs->app->store, rs->img, rs->app->reviewer,
                                RL_STATE_WRONG, &e);
        return marked(rs, rc, &e, false);
    case UI_A_ASSIGNED:
        rc = rl_review_set_assigned(rs->app->store, rs->img,
                                    rs->app->reviewer, &e);
        return marked(rs, rc, &e, false);
    case UI_A_MAIN:
        rc = rl_review_set_main(rs->app->store, rs->img, rs->app->reviewer,
                                rs->sel, &e);
        return marked(rs, rc, &e, false);
    case UI_A_PROBLEMATIC:
        rc = rl_review_set_problematic(rs->app->store, rs->img,
                                       rs->app->reviewer,
                                       !rs->img->problematic, &e);
        if (rc == 0 && !rs->img->problematic && rs->pos < rs->q.n)
            rl_queue_edit(&rs->q, rs->pos)->problematic = false;
        return marked(rs, rc, &e, false);
    case UI_A_NOTE:
        return prompt_note(rs);
    case UI_A_CONFIRM:
        return confirm(rs);
    case UI_A_NEXT:
        return step_image(rs, 1);
    case UI_A_PREV:
        return step_image(rs, -1);
    case UI_A_GOTO:
        return prompt_goto(rs);
    case UI_A_FILTER:
        /* Adjudicators also walk the disagreements. */
        rs->filter = (rl_filter)((rs->filter + 1)
                                 % (rs->app->opt.adjudicate ? RL_FILTER_COUNT
                                    : RL_FILTER_DISAGREE));
        {
            size_t n;

            /* Exact counts now when they come within one slice (every
             * project of up to some hundred thousand images). */
            if (!rl_queue_complete(&rs->q, rs->filter))
                (void)fill_some(rs);
            n = rl_queue_count(&rs->q, rs->filter, 0, NULL);
            if (!rl_queue_complete(&rs->q, rs->filter))
                say(rs, false, "filter: %s (counting...)",
                    rl_filter_name(rs->filter));
            else {
                say(rs, false, "filter: %s (%zu image%s)",
                    rl_filter_name(rs->filter), n, n == 1 ? "" : "s");
                rs->status_filter = true;
            }
        }
        prefetch_neighbours(rs);
        return UI_REDRAW;
    case UI_A_ORDER:
        return cycle_order(rs);
    case UI_A_UNDO:
        return undo_redo(rs, true);
    case UI_A_REDO:
        return undo_redo(rs, false);
    case UI_A_ADD:
        return pick_class(rs);
    case UI_A_GUIDE:
        return open_guide(rs);
    case UI_A_BROWSE:
        return browse(rs);
    case UI_A_EXAMPLES:
        return examples(rs);
    case UI_A_NAME:
        rs->hide_name = !rs->hide_name;
        return UI_REDRAW;
    case UI_A_FULL:
        rs->full = !rs->full;
        rs->view = RL_VIEW_FIT;
        return UI_RELAYOUT;
    case UI_A_HELP: {
        struct ui_help_arg h = { &ui_review_keys, 0 };

        return ui_push(rs->app, &scr_help, &h);
    }
    case UI_A_QUIT:
        return rs->app->depth > 1 ? UI_POP : UI_QUIT;
    default:
        return 0;
    }
}

/* A key, then a piece of the queue's counting: one slice of ids per key
 * and the idle work at once after it (UI_AGAIN), so that keys coming
 * faster than the idle timeout do not hold the counts back. */
static int
review_key(void *p, int key)
{
    struct review *rs = p;
    int flags = key_action(rs, key);

    if (!(flags & (UI_QUIT | UI_POP)) && rs->img != NULL
        && !rl_queue_complete(&rs->q, RL_FILTER_UNREVIEWED)) {
        (void)rl_queue_fill(&rs->q, KEY_FILL, false, NULL);
        flags |= UI_AGAIN;
    }
    return flags;
}

/* Fills the queue's counts for about FILL_SLICE_MS, between keys; asks
 * to be called again at once until they are complete, then redraws the
 * footer with the exact counts. The disagreement flags only the
 * adjudicator's filter needs: rl_queue_step fills them when it is used. */
static int
fill_some(struct review *rs)
{
    double until = rl_mono_ms() + FILL_SLICE_MS;
    rl_err e;
    int rc;

    do
        rc = rl_queue_fill(&rs->q, 2048, false, &e);
    while (rc == 0 && rl_mono_ms() < until);
    if (rc < 0) {
        say(rs, true, "counting the queue: %s", e.msg);
        return UI_REDRAW;
    }
    return rc == 1 ? UI_REDRAW : UI_AGAIN;
}

/* Every few seconds: other reviewers' progress, without a restart. */
static int
review_idle(void *p)
{
    struct review *rs = p;
    int64_t changed[64];
    size_t n = 0, i;
    double now = rl_mono_ms();

    if (rs->img != NULL && !rl_queue_complete(&rs->q, RL_FILTER_UNREVIEWED))
        return fill_some(rs);
    if (now - rs->refreshed_at < 2000 || rs->img == NULL)
        return 0;
    rs->refreshed_at = now;
    if (rl_queue_refresh(rs->app->store, rs->app->reviewer, &rs->q, changed,
                         64, &n, NULL) != 0 || n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (changed[i] == rs->img->id) {
            size_t sel = rs->sel;

            reload_image(rs);
            rs->sel = sel < rs->img->n ? sel : 0;
        }
    return UI_REDRAW;
}

const struct ui_screen scr_review = {
    .name = "review",
    .open = review_open,
    .close = review_close,
    .layout = review_layout,
    .draw = review_draw,
    .paint = review_paint,
    .key = review_key,
    .idle = review_idle,
};
