/* project.c - init, import, export, stats and demo: the commands that work
 * on a project without the terminal interface. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/store.h"
#include "relabel/training.h"
#include "relabel/util.h"

static bool
is_dir(const char *p)
{
    struct stat sb;

    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *
share_dir(void)
{
    static char found[PATH_MAX];
    char exe[PATH_MAX], *slash;
    const char *env = getenv("RELABEL_SHARE");
    ssize_t n;

    if (found[0] != '\0')
        return found;
    if (env != NULL && is_dir(env)) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    /* Installed next to the binary: PREFIX/bin/relabel and
     * PREFIX/share/relabel. */
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            char *cand;

            *slash = '\0';
            cand = rl_xasprintf("%s/../share/relabel", exe);
            if (strlen(cand) < sizeof found && is_dir(cand)) {
                memcpy(found, cand, strlen(cand) + 1);
                free(cand);
                return found;
            }
            free(cand);
        }
    }
    snprintf(found, sizeof found, "%s", RL_DATADIR);
    if (is_dir(found))
        return found;
    snprintf(found, sizeof found, "%s", RL_SRC_SHARE);
    return found;
}

static int
need_db(const cli *c, const char *cmd)
{
    if (c->db == NULL || *c->db == '\0')
        return usage_error(cmd, "no project given: use --db FILE or set "
                           "RELABEL_DB");
    return 0;
}

/* Opens the project and its catalog, or prints why not. */
static int
open_project(const cli *c, int flags, rl_store **s, rl_catalog **cat)
{
    rl_err e;

    *s = rl_store_open(c->db, flags, &e);
    if (*s == NULL) {
        print_err(&e);
        return 1;
    }
    if (cat != NULL && (*cat = rl_catalog_load(*s, &e)) == NULL) {
        print_err(&e);
        rl_store_close(*s);
        *s = NULL;
        return 1;
    }
    return 0;
}

/* ---- init ---------------------------------------------------------- */

static const char INIT_HELP[] =
    "usage: relabel --db FILE init [--classes DIR]\n"
    "\n"
    "Creates a new project file with a label set: by default the shipped\n"
    "ImageNet-1k catalog (1000 classes, the WordNet hierarchy above them,\n"
    "the dog / organism / object split). DIR must hold classes.tsv (index,\n"
    "wnid, names, gloss) and may hold nodes.tsv and superclasses.tsv.\n";

static int
init_project(const char *db, const char *classes, rl_err *e)
{
    rl_store *s = rl_store_open(db, RL_STORE_CREATE, e);
    char when[40];

    if (s == NULL)
        return -1;
    rl_time_format(rl_now_ms(), when, sizeof when);
    if (rl_catalog_install(s, classes, e) != 0
        || rl_store_meta_set(s, "created_at", when, e) != 0) {
        rl_store_close(s);
        unlink(db);
        return -1;
    }
    rl_store_close(s);
    return 0;
}

int
cmd_init(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "init" };
    const char *classes = NULL;
    bool bad = false;
    rl_err e;
    char *dflt = NULL;
    int rc;

    while (a.i < argc) {
        if (arg_info(&a, INIT_HELP))
            return 0;
        if (arg_opt(&a, "--classes", &classes, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        return usage_error("init", "unexpected argument '%s'", argv[a.i]);
    }
    if ((rc = need_db(c, "init")) != 0)
        return rc;
    if (classes == NULL)
        classes = dflt = rl_xasprintf("%s", share_dir());
    rc = init_project(c->db, classes, &e);
    free(dflt);
    if (rc != 0) {
        print_err(&e);
        return 1;
    }
    printf("created %s\n", c->db);
    return 0;
}

/* ---- import -------------------------------------------------------- */

static const char IMPORT_HELP[] =
    "usage: relabel --db FILE import KIND FILE [options]\n"
    "\n"
    "KIND and the CSV columns it reads (by header name, any order):\n"
    "  labels       image,wnid[,dataset]   original label of each image;\n"
    "               creates the images\n"
    "  images       image,path             image files; paths are relative\n"
    "               to the CSV's folder unless --root is given. FILE may be\n"
    "               a folder: every .jpg/.jpeg below it is registered under\n"
    "               its file name; a folder named by a wnid labels its files\n"
    "  predictions  image,wnid[,model][,rank][,score]   model predictions;\n"
    "               candidates are the unique classes over all models plus\n"
    "               the original label\n"
    "  reviews      image,wnid,state[,reviewer][,problematic][,updated_at]\n"
    "               [,note], or the wide export's columns\n"
    "A class is a wnid (n02085620) or a class index (151).\n"
    "\n"
    "Options:\n"
    "  --dry-run         check everything, store nothing\n"
    "  --dataset TAG     dataset of labelled images without a dataset column\n"
    "  --root DIR        base folder of relative image paths\n"
    "  --model NAME      model of predictions without a model column\n"
    "                    (default: the file name)\n"
    "  --state STATE     state of reviews without a state column\n"
    "\n"
    "An import is one transaction: a bad row stops it with FILE:LINE: field:\n"
    "what is wrong, exit status 1, and nothing from the file is stored.\n";

struct progress {
    double start;          /* rl_mono_ms at the start */
    double last;           /* last print */
    bool shown;
};

static void
on_progress(void *ctx, const char *path, long rows)
{
    struct progress *p = ctx;
    double now = rl_mono_ms();

    if (now - p->start < 1000 || now - p->last < 200)
        return;
    p->last = now;
    p->shown = true;
    fprintf(stderr, "\r%s: %ld rows", path, rows);
    fflush(stderr);
}

int
cmd_import(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "import" };
    rl_import_opts o = { 0 };
    rl_import_result res;
    const char *kind = NULL, *file = NULL;
    struct progress prog = { 0 };
    rl_store *s;
    rl_catalog *cat;
    bool bad = false;
    rl_err e;
    int rc;

    while (a.i < argc) {
        if (arg_info(&a, IMPORT_HELP))
            return 0;
        if (arg_flag(&a, "--dry-run")) {
            o.dry_run = true;
            continue;
        }
        if (arg_opt(&a, "--dataset", &o.dataset, &bad)
            || arg_opt(&a, "--root", &o.root, &bad)
            || arg_opt(&a, "--model", &o.model, &bad)
            || arg_opt(&a, "--state", &o.state, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        if (argv[a.i][0] == '-' && argv[a.i][1] != '\0')
            return usage_error("import", "unknown option '%s'", argv[a.i]);
        if (kind == NULL)
            kind = argv[a.i++];
        else if (file == NULL)
            file = argv[a.i++];
        else
            return usage_error("import", "unexpected argument '%s'",
                               argv[a.i]);
    }
    if (kind == NULL || file == NULL)
        return usage_error("import", "give a KIND and a FILE");
    if (strcmp(kind, "labels") != 0 && strcmp(kind, "images") != 0
        && strcmp(kind, "predictions") != 0 && strcmp(kind, "reviews") != 0)
        return usage_error("import", "unknown kind '%s' (labels, images, "
                           "predictions or reviews)", kind);
    if ((rc = need_db(c, "import")) != 0)
        return rc;
    if (open_project(c, 0, &s, &cat) != 0)
        return 1;
    o.reviewer = c->reviewer;
    if (isatty(STDERR_FILENO)) {
        prog.start = rl_mono_ms();
        o.progress = on_progress;
        o.ctx = &prog;
    }
    if (strcmp(kind, "labels") == 0)
        rc = rl_import_labels(s, cat, file, &o, &res, &e);
    else if (strcmp(kind, "images") == 0)
        rc = rl_import_images(s, cat, file, &o, &res, &e);
    else if (strcmp(kind, "predictions") == 0)
        rc = rl_import_predictions(s, cat, file, &o, &res, &e);
    else
        rc = rl_import_reviews(s, cat, file, &o, &res, &e);
    if (prog.shown)
        fputc('\n', stderr);
    rl_catalog_free(cat);
    rl_store_close(s);
    if (rc != 0) {
        print_err(&e);
        fprintf(stderr, "relabel: nothing from %s was stored\n", file);
        return 1;
    }
    printf("%s%s: %ld rows: %ld new, %ld changed, %ld empty (no label), "
           "%ld unchanged\n", o.dry_run ? "dry run, nothing stored: " : "",
           file, res.rows, res.created, res.changed, res.empty,
           res.unchanged);
    return 0;
}

/* ---- export -------------------------------------------------------- */

static const char EXPORT_HELP[] =
    "usage: relabel --db FILE export [--format long|wide|real-json]\n"
    "                                [--consensus majority|reviewer:NAME]\n"
    "                                [-o FILE]\n"
    "\n"
    "  long       image,wnid,state,reviewer,updated_at: every stored review\n"
    "  wide       image,original,correct,wrong,unclear,dont_know,\n"
    "             problematic,main: one row per image, class lists\n"
    "             space-separated in class-index order (re-importable)\n"
    "  real-json  the layout of ImageNet-ReaL's real.json: a list, in image\n"
    "             name order, of the class indices marked correct\n"
    "\n"
    "wide and real-json combine reviewers by majority (a tie is unclear), or\n"
    "take one reviewer's marks with --consensus reviewer:NAME. The output is\n"
    "written to FILE atomically (default: standard output).\n";

int
cmd_export(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "export" };
    const char *fmt = "long", *out = NULL, *cons = "majority";
    const char *reviewer = NULL;
    rl_export_format f;
    rl_store *s;
    rl_catalog *cat;
    bool bad = false;
    char *tmp = NULL;
    FILE *fp = stdout;
    rl_err e;
    int rc;

    while (a.i < argc) {
        if (arg_info(&a, EXPORT_HELP))
            return 0;
        if (arg_opt(&a, "--format", &fmt, &bad)
            || arg_opt(&a, "-o", &out, &bad)
            || arg_opt(&a, "--output", &out, &bad)
            || arg_opt(&a, "--consensus", &cons, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        return usage_error("export", "unexpected argument '%s'", argv[a.i]);
    }
    if (strcmp(fmt, "long") == 0)
        f = RL_EXPORT_LONG;
    else if (strcmp(fmt, "wide") == 0)
        f = RL_EXPORT_WIDE;
    else if (strcmp(fmt, "real-json") == 0)
        f = RL_EXPORT_REAL_JSON;
    else
        return usage_error("export", "unknown format '%s' (long, wide or "
                           "real-json)", fmt);
    if (strncmp(cons, "reviewer:", 9) == 0 && cons[9] != '\0')
        reviewer = cons + 9;
    else if (strcmp(cons, "majority") != 0)
        return usage_error("export", "unknown consensus '%s' (majority or "
                           "reviewer:NAME)", cons);
    if ((rc = need_db(c, "export")) != 0)
        return rc;
    if (open_project(c, RL_STORE_READONLY, &s, &cat) != 0)
        return 1;
    if (out != NULL && strcmp(out, "-") != 0) {
        struct stat sb;

        /* A regular file is replaced atomically (a temporary file renamed
         * over it); a pipe or device is written to as it is. */
        if (stat(out, &sb) == 0 && !S_ISREG(sb.st_mode))
            fp = fopen(out, "w");
        else
            fp = fopen(tmp = rl_xasprintf("%s.tmp.%ld", out, (long)getpid()),
                       "w");
        if (fp == NULL) {
            fprintf(stderr, "relabel: %s: %s\n", out, strerror(errno));
            free(tmp);
            rl_catalog_free(cat);
            rl_store_close(s);
            return 1;
        }
    }
    rc = rl_export(s, cat, f, reviewer, fp, &e);
    if (fp != stdout) {
        if (fclose(fp) != 0 && rc == 0) {
            rl_err_set(&e, RL_E_IO, "%s: %s", out, strerror(errno));
            rc = -1;
        }
        if (tmp != NULL && rc == 0 && rename(tmp, out) != 0) {
            rl_err_set(&e, RL_E_IO, "%s: %s", out, strerror(errno));
            rc = -1;
        }
        if (tmp != NULL && rc != 0)
            unlink(tmp);
        free(tmp);
    }
    rl_catalog_free(cat);
    rl_store_close(s);
    if (rc != 0) {
        print_err(&e);
        return 1;
    }
    return 0;
}

/* ---- stats --------------------------------------------------------- */

static const char STATS_HELP[] =
    "usage: relabel --db FILE stats [--agreement]\n"
    "\n"
    "Counts of classes, images, predictions, candidates and reviews, and per\n"
    "reviewer the images and candidates reviewed. --agreement adds Cohen's\n"
    "kappa for each pair of reviewers and Fleiss' kappa over all, on the\n"
    "four states and on correct-vs-not.\n";

static int
print_stats(rl_store *s)
{
    rl_stats st;
    rl_err e;
    size_t i;

    if (rl_store_stats(s, &st, &e) != 0) {
        print_err(&e);
        return 1;
    }
    printf("classes              %ld\n", st.classes);
    printf("images               %ld (%ld with a file)\n", st.images,
           st.with_path);
    printf("models               %ld\n", st.models);
    printf("predictions          %ld\n", st.predictions);
    printf("candidates           %ld\n", st.candidates);
    printf("reviewed candidates  %ld\n", st.reviewed_candidates);
    printf("unreviewed           %ld\n", st.unreviewed_candidates);
    printf("images all reviewed  %ld\n", st.reviewed_images);
    printf("problematic images   %ld\n", st.problematic_images);
    printf("events logged        %ld\n", st.events);
    if (st.n_rev > 0) {
        printf("\n%-20s %8s %9s %9s %11s\n", "reviewer", "images", "reviews",
               "confirmed", "problematic");
        for (i = 0; i < st.n_rev; i++) {
            char *safe = rl_utf8_sanitize(st.rev[i].name);

            printf("%-20s %8ld %9ld %9ld %11ld\n", safe, st.rev[i].images,
                   st.rev[i].reviews, st.rev[i].done, st.rev[i].problematic);
            free(safe);
        }
    }
    rl_stats_free(&st);
    return 0;
}

int
cmd_stats(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "stats" };
    rl_store *s;
    bool agreement = false;
    int rc;

    while (a.i < argc) {
        if (arg_info(&a, STATS_HELP))
            return 0;
        if (arg_flag(&a, "--agreement")) {
            agreement = true;
            continue;
        }
        return usage_error("stats", "unexpected argument '%s'", argv[a.i]);
    }
    if ((rc = need_db(c, "stats")) != 0)
        return rc;
    if (open_project(c, RL_STORE_READONLY, &s, NULL) != 0)
        return 1;
    rc = print_stats(s);
    if (rc == 0 && agreement)
        rc = eval_print_agreement(s);
    rl_store_close(s);
    return rc;
}

/* ---- demo ---------------------------------------------------------- */

static const char DEMO_HELP[] =
    "usage: relabel demo [review|train] [--where] [options]\n"
    "\n"
    "Creates the demo project on first use, in $XDG_DATA_HOME/relabel/\n"
    "(default ~/.local/share/relabel/demo.db): ten freely licensed photos\n"
    "(see SOURCES.md beside them), three models' predictions and an original\n"
    "label for each, and a training task on them; then opens it in the\n"
    "review screen (or, with train, the home screen of training tasks).\n"
    "Running it again reopens the same project. --where prints its path.\n";

static int
mkdir_p(const char *path)
{
    char buf[PATH_MAX], *p;

    snprintf(buf, sizeof buf, "%s", path);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static char *
demo_path(void)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char *dir, *db;

    if (xdg != NULL && xdg[0] == '/')
        dir = rl_xasprintf("%s/relabel", xdg);
    else
        dir = rl_xasprintf("%s/.local/share/relabel",
                           home != NULL && *home ? home : ".");
    if (mkdir_p(dir) != 0) {
        fprintf(stderr, "relabel: %s: %s\n", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    db = rl_xasprintf("%s/demo.db", dir);
    free(dir);
    return db;
}

static int
build_demo(const char *db, const char *reviewer, rl_err *e)
{
    const char *share = share_dir();
    char *demo = rl_xasprintf("%s/demo", share);
    char *labels = rl_xasprintf("%s/labels.csv", demo);
    char *images = rl_xasprintf("%s/images.csv", demo);
    char *preds = rl_xasprintf("%s/predictions.csv", demo);
    char *timgs = rl_xasprintf("%s/task_images.csv", demo);
    char *gold = rl_xasprintf("%s/task_gold.csv", demo);
    rl_task_spec task = {
        .name = "Demo: confusable classes",
        .description = "Ten photos (none from ImageNet): pick the most "
                       "specific class of each; the gold marks near-"
                       "duplicates such as tabby and tiger cat.",
        .images = timgs, .gold = gold,
    };
    rl_import_opts o = { .reviewer = reviewer };
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    int rc = -1;

    if (init_project(db, share, e) != 0)
        goto out;
    if ((s = rl_store_open(db, 0, e)) == NULL
        || (cat = rl_catalog_load(s, e)) == NULL)
        goto out;
    if (rl_import_labels(s, cat, labels, &o, NULL, e) != 0
        || rl_import_images(s, cat, images, &o, NULL, e) != 0
        || rl_import_predictions(s, cat, preds, &o, NULL, e) != 0
        || rl_task_create(s, cat, &task, NULL, e) != 0)
        goto out;
    rc = 0;
out:
    rl_catalog_free(cat);
    rl_store_close(s);
    if (rc != 0)
        unlink(db);
    free(demo);
    free(labels);
    free(images);
    free(preds);
    free(timgs);
    free(gold);
    return rc;
}

int
cmd_demo(const cli *c, int argc, char **argv)
{
    char *db = demo_path();
    struct stat sb;
    cli dc = *c;
    rl_err e;
    int rc, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(DEMO_HELP, stdout);
            free(db);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("relabel %s\n", RL_VERSION);
            free(db);
            return 0;
        }
        if (strcmp(argv[i], "--where") == 0) {
            if (db != NULL)
                printf("%s\n", db);
            free(db);
            return db != NULL ? 0 : 1;
        }
    }
    if (db == NULL)
        return 1;
    if (stat(db, &sb) != 0) {
        if (build_demo(db, c->reviewer, &e) != 0) {
            print_err(&e);
            free(db);
            return 1;
        }
        fprintf(stderr, "relabel: created the demo project %s\n", db);
    }
    dc.db = db;
    if (argc > 1 && strcmp(argv[1], "train") == 0) {
        rc = cmd_train(&dc, argc - 1, argv + 1);
    } else {
        if (argc > 1 && strcmp(argv[1], "review") == 0) {
            argc--;
            argv++;
        }
        argv[0] = (char *)"review";
        rc = cmd_review(&dc, argc, argv);
    }
    free(db);
    return rc;
}
