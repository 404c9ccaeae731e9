/* review.c - `relabel review`: options, then the terminal interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "ui/ui.h"

static const char REVIEW_HELP[] =
    "usage: relabel --db FILE review [--start IMAGE] [--render symbols|ascii]\n"
    "                                [--colors auto|8|16|256|full]\n"
    "                                [--hide-names]\n"
    "\n"
    "Opens the review screen: the image on the left, its candidate labels\n"
    "on the right; one key marks the selected candidate Correct (c),\n"
    "Wrong (w), Unclear (u) or Don't know (d); ? lists every key. Each mark\n"
    "is committed before the status line says \"saved\".\n"
    "\n"
    "  --start IMAGE   open this image first (default: the first image this\n"
    "                  reviewer has not finished)\n"
    "  --render MODE   symbols (default): the image drawn with chafa cells;\n"
    "                  ascii: plain characters, no colour (stable captures)\n"
    "  --colors N      colours for images (default auto: 256 where the\n"
    "                  terminal has them); full is 24-bit, opt-in\n"
    "  --hide-names    start with image names hidden (they can leak labels)\n";

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

int
cmd_review(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "review" };
    struct ui_app app;
    const char *render = "symbols", *colors = "auto";
    bool bad = false;
    rl_err e;
    int rc;

    memset(&app, 0, sizeof app);
    while (a.i < argc) {
        if (arg_flag(&a, "--help")) {
            fputs(REVIEW_HELP, stdout);
            return 0;
        }
        if (arg_flag(&a, "--version")) {
            printf("relabel %s\n", RL_VERSION);
            return 0;
        }
        if (arg_flag(&a, "--hide-names")) {
            app.opt.hide_names = true;
            continue;
        }
        if (arg_opt(&a, "--start", &app.opt.start, &bad)
            || arg_opt(&a, "--render", &render, &bad)
            || arg_opt(&a, "--colors", &colors, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        return usage_error("review", "unexpected argument '%s'", argv[a.i]);
    }
    if (strcmp(render, "ascii") == 0)
        app.opt.pixels = UI_PIXELS_ASCII;
    else if (strcmp(render, "symbols") != 0)
        return usage_error("review", "--render: symbols or ascii, not '%s'",
                           render);
    if (strcmp(colors, "auto") == 0)
        app.opt.colors = RL_COLORS_NONE;
    else if (strcmp(colors, "8") == 0)
        app.opt.colors = RL_COLORS_8;
    else if (strcmp(colors, "16") == 0)
        app.opt.colors = RL_COLORS_16;
    else if (strcmp(colors, "256") == 0)
        app.opt.colors = RL_COLORS_256;
    else if (strcmp(colors, "full") == 0)
        app.opt.colors = RL_COLORS_FULL;
    else
        return usage_error("review", "--colors: auto, 8, 16, 256 or full, "
                           "not '%s'", colors);
    if (c->db == NULL || *c->db == '\0')
        return usage_error("review", "no project given: use --db FILE or "
                           "set RELABEL_DB");
    app.store = rl_store_open(c->db, 0, &e);
    if (app.store == NULL || (app.cat = rl_catalog_load(app.store, &e))
        == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        fprintf(stderr, "relabel: %s\n", safe);
        free(safe);
        rl_store_close(app.store);
        return 1;
    }
    app.reviewer = c->reviewer;
    load_guide(&app);
    app.examples_dir = rl_store_meta_get(app.store, "examples");
    app.colors = app.opt.colors;
    rc = ui_run(&app, &scr_review, (void *)app.opt.start);
    rl_guide_free(app.guide);
    free(app.guide_dir);
    free(app.examples_dir);
    rl_catalog_free(app.cat);
    rl_store_close(app.store);
    return rc;
}
