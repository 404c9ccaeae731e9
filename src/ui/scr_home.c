/* scr_home.c - the home screen: training tasks with this reviewer's
 * progress ("Completed 100 out of 236 images (10 out of 24 parts)"), the
 * feedback setting, and the review queue. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/review.h"
#include "relabel/training.h"
#include "ui/term.h"

enum {
    H_OPEN = 1, H_REVIEW, H_MODE, H_HELP, H_QUIT
};

static const struct ui_key home_key_table[] = {
    { H_OPEN, { '\n', '\r', KEY_ENTER }, "Enter",
      "start, continue or review the answers of the selected task; on the "
      "review queue row, review", "start or continue", 0 },
    { H_REVIEW, { 'r' }, "r", "the review queue", "review queue", 0 },
    { H_MODE, { 'm' }, "m",
      "training mode: feedback always, on error only, or evaluation (none)",
      "feedback mode", 0 },
    { H_HELP, { '?' }, "?", "all keys", "help", 0 },
    { H_QUIT, { 'q' }, "q", "quit", "quit", 0 },
};

static const struct ui_keymap home_keys = {
    "Keys of the home screen", home_key_table,
    sizeof home_key_table / sizeof home_key_table[0], UI_MODES_ALL, true,
    NULL
};

struct home {
    struct ui_app *app;
    rl_task_list tasks;
    struct ui_list list;   /* rows: the tasks, then the review queue */
    rl_queue q;            /* the review queue, counted in home_idle */
    long q_images, q_open; /* review queue: images, needing my review
                              (q_open -1: still counting) */
    int rows, cols;
    char status[320];
};

static const char *const feedback_names[] = {
    "training, feedback always", "training, feedback on error only",
    "evaluation, no feedback"
};

#define FILL_SLICE_MS 30.0    /* queue counting between two looks at keys */

/* Counts the images needing my review once the queue is complete. */
static void
count_open(struct home *h)
{
    h->q_open = (long)rl_queue_count(&h->q, RL_FILTER_UNREVIEWED, SIZE_MAX,
                                     NULL);
}

static void
reload(struct home *h)
{
    rl_err e;

    rl_task_list_free(&h->tasks);
    if (rl_task_list_load(h->app->store, h->app->reviewer, &h->tasks, &e)
        != 0)
        snprintf(h->status, sizeof h->status, "%s", e.msg);
    /* The ids now, the counts in home_idle: the screen comes first. */
    h->q_open = -1;
    h->q_images = 0;
    if (rl_queue_open(h->app->store, h->app->reviewer, &h->q, &e) == 0)
        h->q_images = (long)h->q.n;
    else
        snprintf(h->status, sizeof h->status, "%s", e.msg);
    if (rl_queue_complete(&h->q, RL_FILTER_UNREVIEWED))
        count_open(h);
    h->list.n = h->tasks.n + 1;
    ui_list_fit(&h->list, (int)h->list.n);
}

/* Between keys: the queue's counts, a slice at a time. */
static int
home_idle(void *p)
{
    struct home *h = p;
    double until = rl_mono_ms() + FILL_SLICE_MS;
    rl_err e;

    if (h->q_open >= 0 || h->q.store == NULL)
        return 0;
    while (!rl_queue_complete(&h->q, RL_FILTER_UNREVIEWED)
           && rl_mono_ms() < until)
        if (rl_queue_fill(&h->q, 512, false, &e) < 0) {
            snprintf(h->status, sizeof h->status, "counting the queue: %s",
                     e.msg);
            h->q.store = NULL;     /* stop trying */
            return UI_REDRAW;
        }
    if (!rl_queue_complete(&h->q, RL_FILTER_UNREVIEWED))
        return UI_AGAIN;
    count_open(h);
    return UI_REDRAW;
}

/* Row i as the search sees it: a task's name, or the review queue. */
static const char *
row_text(void *ctx, size_t i)
{
    struct home *h = ctx;

    return i < h->tasks.n ? h->tasks.items[i].name : "review queue";
}

static void *
home_open(struct ui_app *app, void *arg)
{
    struct home *h = rl_xcalloc(1, sizeof *h);

    (void)arg;
    h->app = app;
    h->list.text = row_text;
    h->list.ctx = h;
    h->list.app = app;
    return h;
}

static void
home_close(void *p)
{
    struct home *h = p;

    rl_task_list_free(&h->tasks);
    rl_queue_free(&h->q);
    free(h);
}

static void
home_layout(void *p, int rows, int cols)
{
    struct home *h = p;

    h->rows = rows;
    h->cols = cols;
    reload(h);             /* back from a task: fresh progress */
}

static void
home_draw(void *p)
{
    struct home *h = p;
    char line[512];
    int y = 0, w = h->cols - 4;
    size_t i;

    snprintf(line, sizeof line, "relabel - %s - reviewer %s",
             rl_store_path(h->app->store), h->app->reviewer);
    ui_text(y++, 1, h->cols - 2, line, ui_attr(UI_C_TITLE));
    y++;
    snprintf(line, sizeof line, "Training tasks   (mode: %s; m changes)",
             feedback_names[h->app->feedback]);
    ui_text(y++, 1, h->cols - 2, line, A_BOLD);
    if (h->tasks.n == 0)
        ui_text(y++, 3, w, "no tasks yet: relabel task create NAME --gold "
                "FILE", ui_attr(UI_C_DIM));
    for (i = 0; i < h->tasks.n && y < h->rows - 6; i++) {
        const rl_task_info *t = &h->tasks.items[i];
        bool sel = i == h->list.sel;
        int attr = sel ? ui_attr(UI_C_SELECTED) : (int)A_NORMAL;

        if (sel) {
            attron(attr);
            mvhline(y, 1, ' ', h->cols - 2);
            attroff(attr);
        }
        snprintf(line, sizeof line, "%s %s", sel ? ">" : " ", t->name);
        ui_text(y++, 1, h->cols - 2, line, attr | A_BOLD);
        if (t->description[0] != '\0')
            y += ui_wrap(y, 5, w - 2, 2, t->description, ui_attr(UI_C_DIM));
        snprintf(line, sizeof line, "Completed %ld out of %ld images (%ld out"
                 " of %ld parts)   %s", t->answered, t->n_images,
                 t->parts_done, t->parts, t->answered == 0 ? "Enter: start"
                 : t->answered < t->n_images ? "Enter: continue"
                 : "Enter: review answers");
        ui_text(y++, 5, w - 2, line, A_NORMAL);
        y++;
    }
    ui_text(y++, 1, h->cols - 2, "Review queue", A_BOLD);
    {
        bool sel = h->list.sel == h->tasks.n;
        int attr = sel ? ui_attr(UI_C_SELECTED) : (int)A_NORMAL;

        if (sel) {
            attron(attr);
            mvhline(y, 1, ' ', h->cols - 2);
            attroff(attr);
        }
        if (h->q_open < 0)
            snprintf(line, sizeof line, "%s %ld images, counting...   "
                     "Enter or r: review", sel ? ">" : " ", h->q_images);
        else
            snprintf(line, sizeof line, "%s %ld images, %ld need your "
                     "review   Enter or r: review", sel ? ">" : " ",
                     h->q_images, h->q_open);
        ui_text(y++, 1, h->cols - 2, line, attr);
    }
    if (h->status[0] != '\0')
        ui_text_cut(h->rows - 2, 1, h->cols - 2, h->status,
                    ui_attr(UI_C_ERROR));
    ui_footer(&home_keys, 0, h->rows - 1, h->cols);
}

static int
home_key(void *p, int key)
{
    struct home *h = p;
    struct ui_help_arg help = { &home_keys, 0 };

    h->status[0] = '\0';
    if (ui_list_key(&h->list, key, 5, true) != 0)
        return UI_REDRAW;
    switch (ui_key_action(&home_keys, key, 0)) {
    case H_MODE:
        h->app->feedback = (h->app->feedback + 1) % 3;
        return UI_REDRAW;
    case H_REVIEW:
        return ui_push(h->app, &scr_review, NULL);
    case H_OPEN:
        if (h->list.sel == h->tasks.n)
            return ui_push(h->app, &scr_review, NULL);
        return ui_push(h->app, &scr_task, &h->tasks.items[h->list.sel].id);
    case H_HELP:
        return ui_push(h->app, &scr_help, &help);
    case H_QUIT:
        return UI_QUIT;
    }
    return 0;
}

const struct ui_screen scr_home = {
    .name = "home",
    .open = home_open,
    .close = home_close,
    .layout = home_layout,
    .draw = home_draw,
    .key = home_key,
    .idle = home_idle,
};
