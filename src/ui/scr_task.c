/* scr_task.c - doing a training task: per image, pick the most specific
 * class (class browser or search), confirm or clear the selection, flag
 * the use of external resources; in training mode a result panel then
 * compares the answer with the gold, and the reviewer may suggest a
 * correction (stored for adjudication). Each part of ten ends with its
 * score and mistakes. Every answer is committed as it is confirmed, so
 * quitting mid-part resumes at the same image. */
#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/review.h"
#include "relabel/training.h"
#include "ui/term.h"

#define IDLE_CAP_MS 60000.0

static const char INSTRUCTION[] =
    "Select the most specific class for the image; if there are several "
    "objects of similar size, select the most specific class of any of "
    "them.";

enum phase {
    P_ANSWER,              /* choosing a class */
    P_FEEDBACK,            /* result against the gold */
    P_PART,                /* end of a part: score and mistakes */
    P_DONE                 /* every image answered: the answers, listed */
};

/* Modes of the key table: one bit per phase. */
#define M_ANSWER (1u << P_ANSWER)
#define M_FEEDBACK (1u << P_FEEDBACK)
#define M_PART (1u << P_PART)
#define M_DONE (1u << P_DONE)

enum {
    T_PICK = 1, T_CONFIRM, T_NONE, T_CLEAR, T_EXTERNAL, T_GUIDE, T_UNDO,
    T_SUGGEST, T_S_CORRECT, T_S_WRONG, T_S_UNCLEAR, T_S_DONTKNOW, T_S_NONE,
    T_PROBLEM, T_NEXT, T_NEXT_PART, T_OPEN, T_HELP, T_HOME
};

static const struct ui_key task_key_table[] = {
    { T_PICK, { '+', '/', 'b' }, "+ / b",
      "pick a class: search it, or browse the hierarchy", "pick a class",
      M_ANSWER },
    { T_CONFIRM, { '\n', '\r', KEY_ENTER }, "Enter",
      "confirm your label (saved at once)", "confirm", M_ANSWER },
    { T_NONE, { '0' }, "0",
      "no class applies / not in ImageNet (Enter confirms it)",
      "no class", M_ANSWER },
    { T_CLEAR, { 'x' }, "x", "clear the selection", NULL, M_ANSWER },
    { T_EXTERNAL, { 'e' }, "e", "toggle: I used external resources",
      "external", M_ANSWER },
    { T_GUIDE, { 'g' }, "g", "the labeling guide for your label", "guide",
      M_ANSWER },
    { T_UNDO, { 'z' }, "z",
      "undo: take back the last answer and give it again", "undo",
      M_ANSWER | M_FEEDBACK },
    { T_SUGGEST, { 0 }, "c w u d 0", NULL, "suggest", M_FEEDBACK },
    { T_S_CORRECT, { 'c' }, "c",
      "suggest that your label is Correct for this image (stored for "
      "adjudication; the gold is not changed)", NULL, M_FEEDBACK },
    { T_S_WRONG, { 'w' }, "w", "suggest that your label is Wrong", NULL,
      M_FEEDBACK },
    { T_S_UNCLEAR, { 'u' }, "u", "suggest that your label is Unclear", NULL,
      M_FEEDBACK },
    { T_S_DONTKNOW, { 'd' }, "d", "suggest Don't know", NULL, M_FEEDBACK },
    { T_S_NONE, { '0' }, "0", "no suggestion", NULL, M_FEEDBACK },
    { T_PROBLEM, { 'p' }, "p", "suggest that the image is problematic",
      "problematic", M_FEEDBACK },
    { T_NEXT, { '\n', '\r', KEY_ENTER, 'n' }, "Enter n",
      "the next image (or back to the answers, when opened from them)",
      "next image", M_FEEDBACK },
    { T_NEXT_PART, { '\n', '\r', KEY_ENTER, 'n' }, "Enter n",
      "the next part", "next part", M_PART },
    { T_OPEN, { '\n', '\r', KEY_ENTER }, "Enter",
      "the selected answer: its image, the gold, your suggestion", "open",
      M_DONE },
    { T_HELP, { '?' }, "?", "all keys", "help", 0 },
    { T_HOME, { 'q' }, "q", "back to the home screen (answers are saved)",
      "home", 0 },
};

static const struct ui_keymap task_keys = {
    "Keys of the training task", task_key_table,
    sizeof task_key_table / sizeof task_key_table[0], M_DONE, true,
    "In the result panel, a suggestion is about your label on this image; "
    "the adjudicator sees it. Answers are committed as you confirm them."
};

struct task {
    struct ui_app *app;
    int64_t id;
    char *name;
    int part_size;
    long size, pos;
    enum phase phase;
    rl_task_item item;
    rl_image *img;          /* name, original label, path */
    const rl_class *choice; /* current selection */
    bool none;              /* the selection is "no class applies" */
    bool external;
    rl_gold gold[64];
    size_t ngold;
    bool last_correct;
    rl_part_score score;
    struct ui_list done;    /* P_DONE: the answers, one row each */
    char done_text[256];    /* the row the list search asked for */
    bool reviewing;         /* P_FEEDBACK opened from the P_DONE list */
    rl_prefetch *pf;
    rl_cells *cells;
    char img_msg[200];
    bool img_dirty;
    int rows, cols, pane_rows, pane_cols, tx, tw;
    double key_at, active;
    char status[320];
    bool status_err;
};

static bool
evaluation(const struct task *t)
{
    return t->app->feedback == 2;
}

static void
load_cells(struct task *t)
{
    rl_cells_free(t->cells);
    t->cells = NULL;
    t->img_msg[0] = '\0';
    t->img_dirty = true;
    if (t->img == NULL || t->pane_cols < 4 || t->pane_rows < 2)
        return;
    t->cells = ui_pane_cells(t->app, t->pf, t->img->path, t->pane_cols,
                             t->pane_rows, t->img_msg, sizeof t->img_msg);
}

static void
prefetch_next(struct task *t)
{
    rl_task_item it;
    rl_image *n;

    if (t->pos + 1 >= t->size
        || rl_task_item_load(t->app->store, t->app->cat, t->id,
                             t->app->reviewer, t->pos + 1, &it, NULL) != 0)
        return;
    n = rl_image_load(t->app->store, t->app->cat, t->app->reviewer, it.image,
                      NULL);
    if (n != NULL)
        ui_pane_want(t->app, t->pf, n->path, t->pane_cols, t->pane_rows);
    rl_image_free(n);
}

static void
go(struct task *t, long pos)
{
    rl_err e;

    t->status[0] = '\0';
    if (pos >= t->size) {
        t->phase = P_DONE;
        t->pos = t->size;
        t->reviewing = false;
        if (rl_task_part_score(t->app->store, t->app->cat, t->id,
                               t->app->reviewer, 0, (int)t->size, &t->score,
                               &e) != 0)
            memset(&t->score, 0, sizeof t->score);
        return;
    }
    if (rl_task_item_load(t->app->store, t->app->cat, t->id,
                          t->app->reviewer, pos, &t->item, &e) != 0) {
        snprintf(t->status, sizeof t->status, "%s", e.msg);
        t->status_err = true;
        return;
    }
    rl_image_free(t->img);
    t->img = rl_image_load(t->app->store, t->app->cat, t->app->reviewer,
                           t->item.image, NULL);
    t->pos = pos;
    t->phase = P_ANSWER;
    t->choice = t->item.answer;
    t->none = t->item.answered && t->item.answer == NULL;
    t->external = t->item.external;
    t->key_at = rl_mono_ms();
    t->active = 0;
    t->ngold = rl_task_gold(t->app->store, t->app->cat, t->id,
                            t->item.image, t->gold, 64);
    load_cells(t);
    prefetch_next(t);
}

/* Answer row i as the list search sees it: its image's name. */
static const char *
done_text(void *ctx, size_t i)
{
    struct task *t = ctx;
    rl_task_item it;
    rl_image *img;

    t->done_text[0] = '\0';
    if (rl_task_item_load(t->app->store, t->app->cat, t->id,
                          t->app->reviewer, (long)i, &it, NULL) == 0
        && (img = rl_image_load(t->app->store, t->app->cat,
                                t->app->reviewer, it.image, NULL)) != NULL) {
        snprintf(t->done_text, sizeof t->done_text, "%s", img->name);
        rl_image_free(img);
    }
    return t->done_text;
}

static void *
task_open(struct ui_app *app, void *arg)
{
    struct task *t = rl_xcalloc(1, sizeof *t);
    rl_task_list l;
    rl_err e;
    size_t i;

    t->app = app;
    t->done.text = done_text;
    t->done.ctx = t;
    t->done.app = app;
    t->id = *(int64_t *)arg;
    t->part_size = 10;
    if (rl_task_list_load(app->store, app->reviewer, &l, &e) == 0) {
        for (i = 0; i < l.n; i++)
            if (l.items[i].id == t->id) {
                t->name = rl_xstrdup(l.items[i].name);
                t->part_size = l.items[i].part_size;
            }
        rl_task_list_free(&l);
    }
    if (t->name == NULL)
        t->name = rl_xstrdup("?");
    t->size = rl_task_size(app->store, t->id);
    t->pf = rl_prefetch_new(8);
    t->pos = rl_task_resume(app->store, t->id, app->reviewer);
    return t;
}

static void
task_close(void *p)
{
    struct task *t = p;

    rl_image_free(t->img);
    rl_cells_free(t->cells);
    rl_prefetch_free(t->pf);
    free(t->name);
    free(t);
}

/* The text column: beside the image while one is shown, the whole width
 * for a part's score and the list of answers. */
static void
text_area(struct task *t)
{
    bool image = t->phase == P_ANSWER || t->phase == P_FEEDBACK;

    t->tx = image ? t->pane_cols + 1 : 1;
    t->tw = t->cols - t->tx - 1;
}

static void
task_layout(void *p, int rows, int cols)
{
    struct task *t = p;
    bool first = t->img == NULL && t->phase == P_ANSWER;

    t->rows = rows;
    t->cols = cols;
    t->pane_cols = cols * 2 / 5;
    t->pane_rows = rows - 2;
    text_area(t);
    if (first)
        go(t, t->pos);
    else
        load_cells(t);
}

static void
class_line(char *buf, size_t size, const rl_class *k)
{
    if (k == NULL)
        snprintf(buf, size, "(none)");
    else
        snprintf(buf, size, "%s %s", k->wnid, k->names);
}

static const char NONE_LABEL[] = "no class applies / not in ImageNet";

/* The reviewer's label: a class, the explicit none, or nothing yet. */
static void
choice_line(const struct task *t, char *buf, size_t size)
{
    if (t->none)
        snprintf(buf, size, "(%s)", NONE_LABEL);
    else
        class_line(buf, size, t->choice);
}

static int
draw_header(struct task *t)
{
    char line[300];
    long part = t->pos / t->part_size, parts = (t->size + t->part_size - 1)
                / t->part_size;

    snprintf(line, sizeof line, "Task: %s", t->name);
    ui_text(0, t->tx, t->tw, line, ui_attr(UI_C_TITLE));
    snprintf(line, sizeof line, "image %ld of %ld, part %ld of %ld  (%s)",
             (t->pos < t->size ? t->pos : t->size - 1) + 1, t->size,
             (part < parts ? part : parts - 1) + 1, parts,
             evaluation(t) ? "evaluation: no feedback" : "training");
    ui_text(1, t->tx, t->tw, line, ui_attr(UI_C_DIM));
    return 3;
}

static void
draw_answer(struct task *t, int y)
{
    char line[400];

    y += ui_wrap(y, t->tx, t->tw, 4, INSTRUCTION, A_NORMAL) + 1;
    choice_line(t, line, sizeof line);
    ui_text(y, t->tx, 12, "Your label: ", A_BOLD);
    ui_text(y++, t->tx + 12, t->tw - 12, line, t->choice || t->none
            ? ui_attr(UI_C_KEY) : ui_attr(UI_C_DIM));
    if (t->choice != NULL)
        y += ui_wrap(y, t->tx + 2, t->tw - 2, 3, t->choice->gloss,
                     ui_attr(UI_C_DIM));
    y++;
    snprintf(line, sizeof line, "[%c] used external resources (e toggles)",
             t->external ? 'x' : ' ');
    ui_text(y++, t->tx, t->tw, line, A_NORMAL);
    if (t->item.answered) {
        y++;
        ui_text(y++, t->tx, t->tw, "answered before; Enter keeps or changes "
                "the answer", ui_attr(UI_C_DIM));
    }
}

static void
draw_feedback(struct task *t, int y)
{
    char line[400];
    size_t i;

    bool scored = t->ngold > 0 && t->gold[0].state == RL_STATE_CORRECT;

    ui_text(y++, t->tx, t->tw, t->last_correct ? "Counts as correct"
            : !scored && t->none ? "Agrees with the gold: no class applies "
              "(not scored)"
            : !scored ? "Not scored: the gold has no correct class"
            : "Not correct", t->last_correct || (!scored && t->none)
            ? ui_attr(UI_C_CORRECT) : ui_attr(UI_C_WRONG));
    y++;
    choice_line(t, line, sizeof line);
    ui_text(y, t->tx, 16, "Your label:", A_BOLD);
    ui_text(y++, t->tx + 16, t->tw - 16, line, A_NORMAL);
    class_line(line, sizeof line, t->img != NULL ? t->img->label : NULL);
    ui_text(y, t->tx, 16, "Original label:", A_BOLD);
    ui_text(y++, t->tx + 16, t->tw - 16, line, A_NORMAL);
    ui_text(y++, t->tx, t->tw, "Gold labels:", A_BOLD);
    for (i = 0; i < t->ngold && y < t->rows - 6; i++) {
        snprintf(line, sizeof line, "[%c] %s %s",
                 rl_state_letter(t->gold[i].state), t->gold[i].cls->wnid,
                 t->gold[i].cls->names);
        ui_text(y++, t->tx + 2, t->tw - 2, line,
                t->gold[i].state == RL_STATE_CORRECT ? ui_attr(UI_C_CORRECT)
                : t->gold[i].state == RL_STATE_WRONG ? ui_attr(UI_C_WRONG)
                : ui_attr(UI_C_UNCLEAR));
    }
    if (t->ngold == 0)
        ui_text(y++, t->tx + 2, t->tw - 2, "(none: no class applies)",
                ui_attr(UI_C_DIM));
    y++;
    snprintf(line, sizeof line, "Your suggestion: %s%s",
             t->item.suggestion == RL_STATE_NONE ? "none"
             : rl_state_label(t->item.suggestion),
             t->item.suggest_problematic ? ", image problematic" : "");
    ui_text(y++, t->tx, t->tw, line, A_NORMAL);
    ui_wrap(y, t->tx, t->tw, 3, "Suggest your label as c correct, w wrong, "
            "u unclear, d don't know, 0 no suggestion; p: the image is "
            "problematic. Stored for adjudication; the gold is not changed.",
            ui_attr(UI_C_DIM));
}

static void
draw_part(struct task *t, int y)
{
    char line[400];
    size_t i;

    snprintf(line, sizeof line, "Part %ld of %ld done", t->score.part + 1,
             (t->size + t->part_size - 1) / t->part_size);
    ui_text(y++, t->tx, t->tw, line, A_BOLD);
    if (evaluation(t)) {
        ui_text(y++, t->tx, t->tw, "(evaluation mode: no score shown)",
                ui_attr(UI_C_DIM));
        return;
    }
    snprintf(line, sizeof line, "Score: %ld of %ld correct (%ld answered, "
             "%ld without a correct gold class)", t->score.correct,
             t->score.scored, t->score.answered,
             t->score.answered - t->score.scored);
    ui_text(y++, t->tx, t->tw, line, ui_attr(UI_C_TITLE));
    y++;
    if (t->score.n_wrong > 0)
        ui_text(y++, t->tx, t->tw, "Mistakes:", A_BOLD);
    for (i = 0; i < t->score.n_wrong && y < t->rows - 3; i++) {
        rl_task_item it;
        rl_gold g[64];
        size_t n, k;
        rl_image *img;
        rl_buf b = {0};

        if (rl_task_item_load(t->app->store, t->app->cat, t->id,
                              t->app->reviewer, t->score.wrong_pos[i], &it,
                              NULL) != 0)
            continue;
        img = rl_image_load(t->app->store, t->app->cat, t->app->reviewer,
                            it.image, NULL);
        n = rl_task_gold(t->app->store, t->app->cat, t->id, it.image, g, 64);
        rl_buf_printf(&b, "%s: yours ", img ? img->name : "?");
        if (it.answer != NULL)
            rl_buf_printf(&b, "%s (%s)", it.answer->names,
                          it.answer->gloss);
        else
            rl_buf_adds(&b, NONE_LABEL);
        rl_buf_adds(&b, "; right:");
        for (k = 0; k < n && g[k].state == RL_STATE_CORRECT; k++)
            rl_buf_printf(&b, "%s %s (%s)", k > 0 ? ";" : "",
                          g[k].cls->names, g[k].cls->gloss);
        y += ui_wrap(y, t->tx + 2, t->tw - 2, 3, rl_buf_str(&b), A_NORMAL);
        rl_buf_free(&b);
        rl_image_free(img);
    }
}

/* Rows of the P_DONE answer list. */
static int
done_rows(const struct task *t, int y)
{
    return t->rows - 3 - y;
}

/* Every answer of the finished task, one row each: right or not, the
 * image, the answer and the gold's correct classes; Enter opens one. */
static void
draw_done(struct task *t, int y)
{
    char line[400];
    int rows;
    long i;

    snprintf(line, sizeof line, "Task complete: %ld answered, %ld of %ld "
             "scored answers correct", t->score.answered, t->score.correct,
             t->score.scored);
    ui_text(y++, t->tx, t->tw, line, A_BOLD);
    if (evaluation(t)) {
        ui_text(y++, t->tx, t->tw, "(evaluation mode: answers are not shown)",
                ui_attr(UI_C_DIM));
        return;
    }
    ui_text(y++, t->tx, t->tw, "Your answers ([ok] right, [no] a mistake, "
            "[--] not scored; Enter opens one):", ui_attr(UI_C_DIM));
    rows = done_rows(t, y);
    if (rows < 1)
        return;
    t->done.n = (size_t)t->size;
    ui_list_fit(&t->done, rows);
    for (i = (long)t->done.top; i < t->size && i < (long)t->done.top + rows;
         i++) {
        rl_task_item it;
        rl_gold g[64];
        size_t n, k;
        rl_image *img;
        rl_buf b = {0};
        bool sel = i == (long)t->done.sel, right, scored;
        int attr;

        if (rl_task_item_load(t->app->store, t->app->cat, t->id,
                              t->app->reviewer, i, &it, NULL) != 0)
            continue;
        img = rl_image_load(t->app->store, t->app->cat, t->app->reviewer,
                            it.image, NULL);
        n = rl_task_gold(t->app->store, t->app->cat, t->id, it.image, g, 64);
        right = rl_task_is_correct(g, n, it.answer);
        scored = n > 0 && g[0].state == RL_STATE_CORRECT;
        rl_buf_printf(&b, "%s%s %2ld %s: yours %s", sel ? ">" : " ",
                      !it.answered ? "[  ]" : right ? "[ok]" : !scored
                      ? "[--]" : "[no]", i + 1,
                      img != NULL ? img->name : "?",
                      it.answer != NULL ? it.answer->names : NONE_LABEL);
        rl_buf_adds(&b, scored ? "; gold:" : "; not scored: no class "
                    "applies");
        for (k = 0; k < n && g[k].state == RL_STATE_CORRECT; k++)
            rl_buf_printf(&b, "%s %s", k > 0 ? ";" : "", g[k].cls->names);
        attr = sel ? ui_attr(UI_C_SELECTED) : right || !scored
               ? (int)A_NORMAL : ui_attr(UI_C_WRONG);
        if (sel) {
            attron(attr);
            mvhline(y, t->tx, ' ', t->tw);
            attroff(attr);
        }
        ui_text_cut(y++, t->tx, t->tw, rl_buf_str(&b), attr);
        rl_buf_free(&b);
        rl_image_free(img);
    }
}

static void
task_draw(void *p)
{
    struct task *t = p;
    int y;

    if (t->rows < 15 || t->cols < 60) {
        ui_wrap(0, 0, t->cols, t->rows, "Terminal too small: relabel needs "
                "at least 60x15.", A_BOLD);
        return;
    }
    text_area(t);
    if (t->phase == P_ANSWER || t->phase == P_FEEDBACK) {
        ui_pane_draw(t->app, t->cells, 0, 0);
        if (t->img_msg[0] != '\0')
            ui_wrap(t->cells ? t->pane_rows - 1 : t->pane_rows / 2, 1,
                    t->pane_cols - 2, 2, t->img_msg, ui_attr(UI_C_ERROR));
    }
    y = draw_header(t);
    switch (t->phase) {
    case P_ANSWER:
        draw_answer(t, y);
        break;
    case P_FEEDBACK:
        draw_feedback(t, y);
        break;
    case P_PART:
        draw_part(t, y);
        break;
    default:
        draw_done(t, y);
        break;
    }
    if (t->status[0] != '\0')
        ui_text_cut(t->rows - 2, t->tx, t->tw, t->status, t->status_err
                ? ui_attr(UI_C_ERROR) : ui_attr(UI_C_DIM));
    ui_footer(&task_keys, 1u << t->phase, t->rows - 1, t->cols);
}

static void
task_paint(void *p)
{
    struct task *t = p;

    if ((t->phase != P_ANSWER && t->phase != P_FEEDBACK) || t->cells == NULL
        || (!t->img_dirty && !t->app->need_paint))
        return;
    rl_buf_reset(&t->app->out);
    ui_pane_paint(t->app, t->cells, 0, 0);
    ui_pane_flush(t->app);
    t->img_dirty = false;
}

static void
picked(void *ctx, const rl_class *k)
{
    struct task *t = ctx;

    t->choice = k;
    t->none = false;
}

/* After an answer: feedback, the end of a part, or the next image. */
static int
advance(struct task *t)
{
    long next = t->pos + 1;
    rl_err e;

    if (next % t->part_size == 0 || next >= t->size) {
        if (rl_task_part_score(t->app->store, t->app->cat, t->id,
                               t->app->reviewer, t->pos / t->part_size,
                               t->part_size, &t->score, &e) == 0) {
            t->phase = P_PART;
            return UI_RELAYOUT;
        }
    }
    go(t, rl_task_resume(t->app->store, t->id, t->app->reviewer));
    return UI_RELAYOUT;
}

static int
confirm(struct task *t)
{
    double now = rl_mono_ms(), gap = now - t->key_at;
    rl_err e;
    bool show;

    if (t->choice == NULL && !t->none) {
        snprintf(t->status, sizeof t->status, "pick a class first (+ or /),"
                 " or 0: no class applies");
        t->status_err = true;
        return UI_REDRAW;
    }
    t->active += gap < IDLE_CAP_MS ? gap : IDLE_CAP_MS;
    if (rl_task_answer(t->app->store, t->id, t->item.image, t->app->reviewer,
                       t->choice, evaluation(t) ? RL_TRAIN_EVALUATION
                       : RL_TRAIN_TRAINING, t->external, (int64_t)t->active,
                       &e) != 0) {
        snprintf(t->status, sizeof t->status, "not saved: %s", e.msg);
        t->status_err = true;
        return UI_REDRAW;
    }
    t->item.answered = true;
    t->item.answer = t->choice;
    t->item.suggestion = RL_STATE_NONE;
    t->item.suggest_problematic = false;
    t->last_correct = rl_task_is_correct(t->gold, t->ngold, t->choice);
    show = t->app->feedback == 0 || (t->app->feedback == 1
                                     && !t->last_correct);
    if (show) {
        t->phase = P_FEEDBACK;
        snprintf(t->status, sizeof t->status, "saved");
        t->status_err = false;
        return UI_REDRAW;
    }
    return advance(t);
}

static int
suggest(struct task *t, rl_state st, bool toggle_problem)
{
    rl_err e;
    bool prob = t->item.suggest_problematic ^ toggle_problem;
    rl_state s = toggle_problem ? t->item.suggestion : st;

    if (rl_task_suggest(t->app->store, t->id, t->item.image,
                        t->app->reviewer, s, prob, &e) != 0) {
        snprintf(t->status, sizeof t->status, "not saved: %s", e.msg);
        t->status_err = true;
        return UI_REDRAW;
    }
    t->item.suggestion = s;
    t->item.suggest_problematic = prob;
    snprintf(t->status, sizeof t->status, "suggestion saved");
    t->status_err = false;
    return UI_REDRAW;
}

/* z: takes back the answer on this image (result panel) or on the one
 * before (answering), and asks for it again. */
static int
undo_answer(struct task *t)
{
    long pos = t->phase == P_FEEDBACK ? t->pos : t->pos - 1;
    rl_task_item it;
    rl_err e;

    if (pos < 0 || rl_task_item_load(t->app->store, t->app->cat, t->id,
                                     t->app->reviewer, pos, &it, &e) != 0
        || !it.answered) {
        snprintf(t->status, sizeof t->status, "no answer to take back");
        t->status_err = false;
        return UI_REDRAW;
    }
    if (rl_task_unanswer(t->app->store, t->id, it.image, t->app->reviewer,
                         &e) != 0) {
        snprintf(t->status, sizeof t->status, "not taken back: %s", e.msg);
        t->status_err = true;
        return UI_REDRAW;
    }
    go(t, pos);
    t->reviewing = false;
    /* Offer the old label again: Enter gives it back unchanged. */
    t->choice = it.answer;
    t->none = it.answer == NULL;
    snprintf(t->status, sizeof t->status, "answer on image %ld taken back, "
             "saved: answer it again", pos + 1);
    t->status_err = false;
    return UI_RELAYOUT;
}

/* The P_DONE list: open one answer's result panel. */
static int
open_answer(struct task *t)
{
    if (evaluation(t) || t->size == 0)
        return 0;
    go(t, (long)t->done.sel);
    if (t->phase != P_ANSWER)
        return UI_REDRAW;
    t->phase = P_FEEDBACK;
    t->reviewing = true;
    t->last_correct = rl_task_is_correct(t->gold, t->ngold, t->choice);
    snprintf(t->status, sizeof t->status, "opened from your answers: Enter "
             "returns to them");
    t->status_err = false;
    return UI_RELAYOUT;
}

static int
pick_class(struct task *t)
{
    struct ui_classes_arg arg = { t->choice, picked, t };

    return ui_push(t->app, &scr_classes, &arg);
}

static int
open_guide(struct task *t)
{
    const char *w[1];
    struct ui_guide_arg ga = { w, 0, t->cells };

    if (t->app->guide == NULL)
        return 0;
    if (t->choice != NULL)
        w[ga.n++] = t->choice->wnid;
    return ui_push(t->app, &scr_guide, &ga);
}

static int
task_key(void *p, int key)
{
    struct task *t = p;
    unsigned mode = 1u << t->phase;
    struct ui_help_arg help = { &task_keys, mode };

    if (t->phase == P_DONE) {
        t->done.n = (size_t)t->size;
        if (ui_list_key(&t->done, key, 10, true) != 0)
            return UI_REDRAW;
    }
    if (t->phase == P_ANSWER)
        t->status[0] = '\0';
    switch (ui_key_action(&task_keys, key, mode)) {
    case T_PICK: return pick_class(t);
    case T_CONFIRM: return confirm(t);
    case T_NONE:
        t->choice = NULL;
        t->none = true;
        return UI_REDRAW;
    case T_CLEAR:
        t->choice = NULL;
        t->none = false;
        return UI_REDRAW;
    case T_EXTERNAL:
        t->external = !t->external;
        return UI_REDRAW;
    case T_GUIDE: return open_guide(t);
    case T_UNDO: return undo_answer(t);
    case T_S_CORRECT: return suggest(t, RL_STATE_CORRECT, false);
    case T_S_WRONG: return suggest(t, RL_STATE_WRONG, false);
    case T_S_UNCLEAR: return suggest(t, RL_STATE_UNCLEAR, false);
    case T_S_DONTKNOW: return suggest(t, RL_STATE_DONT_KNOW, false);
    case T_S_NONE: return suggest(t, RL_STATE_NONE, false);
    case T_PROBLEM: return suggest(t, RL_STATE_NONE, true);
    case T_NEXT:
        if (t->reviewing) {
            go(t, t->size);
            return UI_RELAYOUT;
        }
        return advance(t);
    case T_NEXT_PART:
        go(t, rl_task_resume(t->app->store, t->id, t->app->reviewer));
        return UI_RELAYOUT;
    case T_OPEN: return open_answer(t);
    case T_HELP: return ui_push(t->app, &scr_help, &help);
    case T_HOME: return UI_POP;
    }
    return 0;
}

const struct ui_screen scr_task = {
    .name = "task",
    .open = task_open,
    .close = task_close,
    .layout = task_layout,
    .draw = task_draw,
    .paint = task_paint,
    .key = task_key,
};
