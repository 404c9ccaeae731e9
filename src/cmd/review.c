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
#include "relabel/termcaps.h"
#include "relabel/training.h"
#include "relabel/util.h"
#include "ui/ui.h"

#define TERMINAL_HELP \
    "\n" \
    "Terminal options (default auto: detected, see relabel doctor; also\n" \
    "set in ~/.config/relabel/config as pixels = ..., colors = ...):\n" \
    "  --pixels MODE   auto, kitty, iterm, sixel, symbols or ascii\n" \
    "  --render MODE   symbols or ascii (plain characters, no colour:\n" \
    "                  stable captures)\n" \
    "  --colors N      colours of symbol pictures: auto, full (24-bit),\n" \
    "                  256, 16, 8 or none; auto is full wherever the terminal\n" \
    "                  has it (16 or 8 send fewer bytes over slow links)\n" \
    "  --color WHEN    colour in text: never, auto (off under NO_COLOR) or\n" \
    "                  always; pictures keep their colours\n" \
    "  --print-terminal  print what was detected and why, and exit\n"

static const char REVIEW_HELP[] =
    "usage: relabel --db FILE review [--start IMAGE] [--detail full|low]\n"
    "                                [--hide-names] [--adjudicate]\n"
    "                                [TERMINAL OPTIONS]\n"
    "\n"
    "Opens the review screen: the image on the left, its candidate labels\n"
    "on the right; one key marks the selected candidate Correct (c),\n"
    "Wrong (w), Unclear (u) or Don't know (d); ? lists every key. Each mark\n"
    "is committed before the status line says \"saved\".\n"
    "\n"
    "  --start IMAGE   open this image first (default: the first image this\n"
    "                  reviewer has not finished)\n"
    "  --detail low    for slow links: images at half size, about a third\n"
    "                  of the bytes (ssh -C saves more, losslessly)\n"
    "  --hide-names    start with image names hidden (they can leak labels)\n"
    "  --adjudicate    mark as an adjudicator: start on the images where\n"
    "                  reviewers disagree (F also cycles to that filter);\n"
    "                  your verdicts are recorded with the adjudicator role\n"
    "                  and settle those pairs under every consensus rule\n"
    TERMINAL_HELP;

static const char TRAIN_HELP[] =
    "usage: relabel --db FILE train [TASK] [--feedback always|error|never]\n"
    "                               [--detail full|low] [TERMINAL OPTIONS]\n"
    "\n"
    "Opens the home screen: the training tasks with your progress, and the\n"
    "review queue; or, given a TASK name, that task at the first image you\n"
    "have not answered. Per image you pick the most specific class (+ or /\n"
    "opens the class search); in training mode a result panel compares it\n"
    "with the gold labels. --feedback always (default) shows it after every\n"
    "image, error only after a wrong answer, never is evaluation mode (no\n"
    "feedback; the answers measure accuracy: relabel eval --humans).\n"
    TERMINAL_HELP;

/* The terminal options with a value each, and what they accept. */
static const struct {
    const char *name;
    int (*parse)(const char *);    /* -1 unknown, -2 auto, else value */
    size_t off;                    /* the rl_termopts field */
    const char *values;
} term_opts[] = {
    { "--pixels", rl_termcaps_pixmode_parse, offsetof(rl_termopts, pixels),
      "auto, kitty, iterm, sixel, symbols or ascii" },
    { "--colors", rl_termcaps_colors_parse, offsetof(rl_termopts, colors),
      "auto, full, 256, 16, 8 or none" },
    { "--color", rl_termcaps_color_parse, offsetof(rl_termopts, color),
      "never, auto or always" },
};

/* --pixels, --render, --colors, --color into `o`. */
int
term_option(argscan *a, rl_termopts *o, const char *cmd, bool *took)
{
    const char *v = NULL;
    bool bad = false;
    size_t k;

    *took = true;
    if (arg_opt(a, "--render", &v, &bad)) {
        if (bad)
            return 2;
        if (strcmp(v, "ascii") == 0)
            o->pixels = RL_PIX_ASCII;
        else if (strcmp(v, "symbols") == 0)
            o->pixels = RL_PIX_SYMBOLS;
        else
            return usage_error(cmd, "--render: symbols or ascii, not '%s'",
                               v);
        return 0;
    }
    for (k = 0; k < sizeof term_opts / sizeof term_opts[0]; k++) {
        int *field = (int *)((char *)o + term_opts[k].off);

        if (!arg_opt(a, term_opts[k].name, &v, &bad))
            continue;
        if (bad)
            return 2;
        if ((*field = term_opts[k].parse(v)) == -1)
            return usage_error(cmd, "%s: %s, not '%s'", term_opts[k].name,
                               term_opts[k].values, v);
        return 0;
    }
    *took = false;
    return 0;
}

/* Options shared by review and train; returns 0, or an exit status. */
static int
ui_option(argscan *a, struct ui_app *app, const char *cmd, bool *took)
{
    const char *v = NULL;
    bool bad = false;
    int rc;

    *took = true;
    if (arg_flag(a, "--hide-names")) {
        app->opt.hide_names = true;
        return 0;
    }
    if ((rc = term_option(a, &app->term_opt, cmd, took)) != 0 || *took)
        return rc;
    *took = true;
    if (arg_flag(a, "--print-terminal")) {
        app->opt.print_terminal = true;
        return 0;
    }
    if (arg_opt(a, "--detail", &v, &bad)) {
        if (bad)
            return 2;
        if (strcmp(v, "low") == 0)
            app->opt.low_detail = true;
        else if (strcmp(v, "full") == 0)
            app->opt.low_detail = false;
        else
            return usage_error(cmd, "--detail: full or low, not '%s'", v);
        return 0;
    }
    *took = false;
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
    rl_err e;
    int rc;
    int64_t task_id;

    if (app->opt.print_terminal)
        return doctor_print(&app->term_opt);
    if (c->db == NULL || *c->db == '\0')
        return usage_error(cmd, "no project given: use --db FILE or set "
                           "RELABEL_DB");
    app->store = rl_store_open(c->db, 0, &e);
    if (app->store == NULL || (app->cat = rl_catalog_load(app->store, &e))
        == NULL) {
        print_err(&e);
        rl_store_close(app->store);
        return 1;
    }
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
cmd_review(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "review" };
    struct ui_app app;
    bool bad = false, took;
    int rc;

    memset(&app, 0, sizeof app);
    app.term_opt = (rl_termopts)RL_TERMOPTS_AUTO;
    app.term_opt.source = "command line";
    while (a.i < argc) {
        if (arg_info(&a, REVIEW_HELP))
            return 0;
        if ((rc = ui_option(&a, &app, "review", &took)) != 0)
            return rc;
        if (took)
            continue;
        if (arg_flag(&a, "--adjudicate")) {
            app.opt.adjudicate = true;
            continue;
        }
        if (arg_opt(&a, "--start", &app.opt.start, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        return usage_error("review", "unexpected argument '%s'", argv[a.i]);
    }
    return run(c, &app, "review", &scr_review, (void *)app.opt.start, NULL);
}

int
cmd_train(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "train" };
    struct ui_app app;
    const char *task = NULL, *fb = NULL;
    bool bad = false, took;
    int rc;

    memset(&app, 0, sizeof app);
    app.term_opt = (rl_termopts)RL_TERMOPTS_AUTO;
    app.term_opt.source = "command line";
    while (a.i < argc) {
        if (arg_info(&a, TRAIN_HELP))
            return 0;
        if ((rc = ui_option(&a, &app, "train", &took)) != 0)
            return rc;
        if (took)
            continue;
        if (arg_opt(&a, "--feedback", &fb, &bad)) {
            if (bad)
                return 2;
            if (strcmp(fb, "always") == 0)
                app.feedback = 0;
            else if (strcmp(fb, "error") == 0)
                app.feedback = 1;
            else if (strcmp(fb, "never") == 0)
                app.feedback = 2;
            else
                return usage_error("train", "--feedback: always, error or "
                                   "never, not '%s'", fb);
            continue;
        }
        if (argv[a.i][0] == '-' || task != NULL)
            return usage_error("train", "unexpected argument '%s'",
                               argv[a.i]);
        task = argv[a.i++];
    }
    return run(c, &app, "train", task ? &scr_task : &scr_home, NULL, task);
}
