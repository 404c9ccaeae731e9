/* review.c - `relabel review` and `relabel train`: options, then the
 * terminal interface on the review screen or the home screen. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/store.h"
#include "relabel/training.h"
#include "relabel/util.h"
#include "ui/ui.h"

static const char REVIEW_HELP[] =
    "Opens the review screen: the image on the left, its candidate labels\n"
    "on the right; one key marks the selected candidate Correct (c),\n"
    "Wrong (w), Unclear (u) or Don't know (d); ? lists every key. Each mark\n"
    "is committed before the status line says \"saved\".\n";

static const char TRAIN_HELP[] =
    "Opens the home screen: the training tasks with your progress, and the\n"
    "review queue; or, given a TASK name, that task at the first image you\n"
    "have not answered. Per image you pick the most specific class (+ or /\n"
    "opens the class search); in training mode a result panel compares it\n"
    "with the gold labels.\n";

static const char TERMINAL_EPILOG[] =
    "The terminal options default to auto: what the terminal answers to\n"
    "its queries, the environment and terminfo decide (relabel doctor says\n"
    "what and why). ~/.config/relabel/config (or $XDG_CONFIG_HOME) may set\n"
    "them once: pixels = ..., colors = ..., color = ... lines.\n";

/* The display options of review, train and demo, read by ui_options(). */
const struct cmd_opt cmd_ui_opts[] = {
    { .include = cmd_term_opts },
    { .name = "cell", .type = CMD_TEXT, .meta = "WxH",
      .help = "pixels of one terminal cell (default: asked of the terminal, "
              "else 10x20)" },
    { .name = "detail", .type = CMD_CHOICE, .choices = "full|low",
      .help = "low, for slow links: images at half size, about a third of "
              "the bytes (ssh -C saves more, losslessly)" },
    { .name = "print-terminal", .type = CMD_FLAG,
      .help = "print what was detected of the terminal and why, and exit" },
    { 0 }
};

const struct cmd_opt cmd_review_opts[] = {
    { .name = "start", .type = CMD_IMAGE, .meta = "IMAGE",
      .help = "open this image first (default: the first image this "
              "reviewer has not finished)" },
    { .include = cmd_ui_opts },
    { .name = "order", .type = CMD_TEXT, .meta = "ORDER",
      .help = "the queue's order: name (default), disagree (images whose "
              "original label the models doubt most first), margin (images "
              "the models are least sure of first) or random:SEED; O cycles "
              "them on the screen" },
    { .name = "hide-names", .type = CMD_FLAG,
      .help = "start with image names hidden (they can leak labels)" },
    { .name = "adjudicate", .type = CMD_FLAG,
      .help = "mark as an adjudicator: start on the images where reviewers "
              "disagree (F also cycles to that filter); your verdicts are "
              "recorded with the adjudicator role and settle those pairs "
              "under every consensus rule" },
    { 0 }
};

const struct cmd_opt cmd_train_opts[] = {
    { .name = "feedback", .type = CMD_CHOICE, .choices = "always|error|never",
      .help = "always (default) shows the result panel after every image, "
              "error only after a wrong answer, never is evaluation mode (no "
              "feedback; the answers measure accuracy: relabel eval "
              "--humans)" },
    { .include = cmd_ui_opts },
    { 0 }
};

/* The display options shared by review and train, into app->opt and
 * app->term_opt. 0, or an exit status after a usage message. */
static int
ui_options(const struct cmd_args *a, struct ui_app *app)
{
    const char *v;

    cmd_term_options(a, &app->term_opt);
    app->opt.print_terminal = cmd_has(a, "print-terminal");
    if ((v = cmd_get(a, "detail")) != NULL)
        app->opt.low_detail = strcmp(v, "low") == 0;
    if ((v = cmd_get(a, "cell")) != NULL) {
        int w, h;
        char end;

        if (sscanf(v, "%dx%d%c", &w, &h, &end) != 2 || w < 1 || h < 1
            || w > 200 || h > 400)
            return usage_error(a->cmd, "--cell: WxH pixels of one cell, "
                               "e.g. 10x20, not '%s'", v);
        app->opt.cell_w = w;
        app->opt.cell_h = h;
    }
    return 0;
}

/* The project's guide folder, else the shipped one (installed, or in the
 * source tree). A broken guide is reported and the session goes on. */
static void
load_guide(struct ui_app *app)
{
    char *dir = rl_store_meta_get(app->store, "guides");
    struct stat sb;
    rl_err e;

    if (dir == NULL || *dir == '\0') {
        free(dir);
        dir = rl_xasprintf("%s/guides", share_dir());
        if (stat(dir, &sb) != 0) {
            free(dir);
            dir = rl_xstrdup(RL_SRC_GUIDES);
        }
    }
    app->guide = rl_guide_open(dir, &e);
    if (app->guide == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        fprintf(stderr, "relabel: labeling guide not loaded: %s\n", safe);
        free(safe);
    }
    app->guide_dir = dir;
}

static int
run(const cli *c, struct ui_app *app, const char *cmd,
    const struct ui_screen *first, void *arg, const char *task)
{
    int rc;
    int64_t task_id;

    if (app->opt.print_terminal)
        return doctor_print(&app->term_opt);
    if ((rc = cmd_open(c, cmd, 0, &app->store, &app->cat)) != 0)
        return rc;
    if (task != NULL) {
        if ((task_id = rl_task_find(app->store, task)) < 0) {
            char *safe = rl_utf8_sanitize(task);

            fprintf(stderr, "relabel: no task named '%s' (relabel task "
                    "list)\n", safe);
            free(safe);
            rl_catalog_free(app->cat);
            rl_store_close(app->store);
            return 1;
        }
        arg = &task_id;
    }
    app->reviewer = c->reviewer;
    rl_store_set_adjudicator(app->store, app->opt.adjudicate);
    load_guide(app);
    app->examples_dir = rl_store_meta_get(app->store, "examples");
    rc = ui_run(app, first, arg);
    rl_guide_free(app->guide);
    free(app->guide_dir);
    free(app->examples_dir);
    rl_catalog_free(app->cat);
    rl_store_close(app->store);
    return rc;
}

int
cmd_review(const cli *c, const struct cmd_args *a)
{
    struct ui_app app;
    int rc;

    memset(&app, 0, sizeof app);
    if ((rc = ui_options(a, &app)) != 0)
        return rc;
    app.opt.hide_names = cmd_has(a, "hide-names");
    if (cmd_has(a, "order")) {
        rl_err e;

        if (rl_order_parse(cmd_get(a, "order"), &app.opt.order, &e) != 0)
            return usage_error(a->cmd, "--order: %s", e.msg);
    }
    app.opt.adjudicate = cmd_has(a, "adjudicate");
    app.opt.start = cmd_get(a, "start");
    return run(c, &app, a->cmd, &scr_review, (void *)app.opt.start, NULL);
}

int
cmd_train(const cli *c, const struct cmd_args *a)
{
    struct ui_app app;
    const char *task = cmd_arg(a, 0), *fb = cmd_get(a, "feedback");
    int rc;

    memset(&app, 0, sizeof app);
    if ((rc = ui_options(a, &app)) != 0)
        return rc;
    if (fb != NULL)
        app.feedback = strcmp(fb, "never") == 0 ? 2
                       : strcmp(fb, "error") == 0 ? 1 : 0;
    return run(c, &app, a->cmd, task ? &scr_task : &scr_home, NULL, task);
}

static const struct cmd_arg train_args[] = {
    { "TASK", CMD_TASK, NULL },
    { 0 }
};

const struct cmd_entry cmd_review_entry = {
    .name = "review", .summary = "open the review screen",
    .max_args = 0, .flags = CMD_DB, .opts = cmd_review_opts,
    .text = REVIEW_HELP, .epilog = TERMINAL_EPILOG, .run = cmd_review,
};

const struct cmd_entry cmd_train_entry = {
    .name = "train",
    .summary = "the home screen: training tasks and the review queue",
    .usage = "[TASK]", .args = train_args, .max_args = 1, .flags = CMD_DB,
    .opts = cmd_train_opts, .text = TRAIN_HELP, .epilog = TERMINAL_EPILOG,
    .run = cmd_train,
};
