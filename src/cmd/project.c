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
#include "cmd/ttyout.h"
#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/export.h"
#include "relabel/import_json.h"
#include "relabel/journal.h"
#include "relabel/store.h"
#include "relabel/training.h"
#include "relabel/util.h"

/* ---- init ---------------------------------------------------------- */

static const char INIT_HELP[] =
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

static int
cmd_init(const cli *c, const struct cmd_args *a)
{
    const char *classes = cmd_get(a, "classes");
    rl_err e;
    char *dflt = NULL;
    int rc;

    if ((rc = cmd_need_db(c, a->cmd)) != 0)
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

static const struct cmd_opt init_opts[] = {
    { .name = "classes", .type = CMD_DIR, .meta = "DIR",
      .help = "the label set (default: the shipped ImageNet-1k catalog)" },
    { 0 }
};

const struct cmd_entry cmd_init_entry = {
    .name = "init", .summary = "create a project with the ImageNet-1k catalog",
    .max_args = 0, .flags = CMD_DB, .opts = init_opts, .text = INIT_HELP,
    .run = cmd_init,
};

/* ---- import -------------------------------------------------------- */

static const char IMPORT_HELP[] =
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
    "  reviews      the long export's columns: image,wnid[,state][,reviewer]\n"
    "               [,role][,main][,problematic][,note][,done][,added_by]\n"
    "               [,updated_at][,first_shown,last_change,active_ms], any\n"
    "               number of reviewers in one file (rows with an empty\n"
    "               wnid carry a reviewer's flags and timing; a timing\n"
    "               met again is merged as merge does);\n"
    "               or the wide export's columns; a FILE.json is\n"
    "               TFDS's human_accuracy JSON (one reviewer: --reviewer)\n"
    "               or a Label Studio export (one reviewer per annotation)\n"
    "A class is a wnid (n02085620) or a class index (151). A FILE of -\n"
    "is standard input.\n";

static const char IMPORT_EPILOG[] =
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
    FILE *raw = ttyout_raw(stderr);    /* the '\r' is meant */
    char *safe = rl_utf8_sanitize(path);

    p->last = now;
    p->shown = true;
    fprintf(raw, "\r%s: %ld rows", safe, rows);
    fflush(raw);
    free(safe);
}

static int
cmd_import(const cli *c, const struct cmd_args *a)
{
    rl_import_opts o = { 0 };
    rl_import_result res;
    const char *kind = cmd_arg(a, 0), *file = cmd_arg(a, 1), *path;
    const char *jfmt = cmd_get(a, "format");
    struct progress prog = { 0 };
    rl_store *s;
    rl_catalog *cat;
    rl_err e, je;
    int rc;

    o.dry_run = cmd_has(a, "dry-run");
    o.dataset = cmd_get(a, "dataset");
    o.root = cmd_get(a, "root");
    o.model = cmd_get(a, "model");
    o.state = cmd_get(a, "state");
    if (kind == NULL || file == NULL)
        return usage_error("import", "give a KIND and a FILE");
    if (strcmp(kind, "labels") != 0 && strcmp(kind, "images") != 0
        && strcmp(kind, "predictions") != 0 && strcmp(kind, "reviews") != 0)
        return usage_error("import", "unknown kind '%s' (labels, images, "
                           "predictions or reviews)", kind);
    if (jfmt != NULL && strcmp(kind, "reviews") != 0)
        return usage_error("import", "--format: tfds-multilabel or "
                           "label-studio, with import reviews");
    /* "-" is standard input; its relative image paths are relative to
     * the current folder. */
    path = cmd_input(file);
    if (strcmp(file, "-") == 0) {
        file = "standard input";
        if (o.root == NULL)
            o.root = ".";
    }
    if ((rc = cmd_open(c, a->cmd, 0, &s, &cat)) != 0)
        return rc;
    o.reviewer = c->reviewer;
    if (isatty(STDERR_FILENO)) {
        prog.start = rl_mono_ms();
        o.progress = on_progress;
        o.ctx = &prog;
    }
    if (strcmp(kind, "labels") == 0)
        rc = rl_import_labels(s, cat, path, &o, &res, &e);
    else if (strcmp(kind, "images") == 0)
        rc = rl_import_images(s, cat, path, &o, &res, &e);
    else if (strcmp(kind, "predictions") == 0)
        rc = rl_import_predictions(s, cat, path, &o, &res, &e);
    else if (jfmt != NULL || (strlen(path) > 5
                              && strcmp(path + strlen(path) - 5, ".json") == 0))
        rc = rl_import_reviews_json(s, cat, path, jfmt == NULL
                                    ? RL_JSON_DETECT : jfmt[0] == 't'
                                    ? RL_JSON_TFDS : RL_JSON_LABELSTUDIO,
                                    &o, &res, &e);
    else
        rc = rl_import_reviews(s, cat, path, &o, &res, &e);
    if (prog.shown)
        fputc('\n', stderr);
    /* Marks journaled while this import held the lock: now, after it. */
    if (rc == 0 && !o.dry_run && rl_journal_apply(s, -1, &je) < 0)
        print_err(&je);
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
    if (strcmp(kind, "reviews") == 0)
        printf("%s: %ld verdicts, %ld roles, %ld main objects, %ld "
               "problematic flags, %ld notes, %ld confirmations, %ld added "
               "candidates, %ld timings\n",
               o.dry_run ? "would store" : "stored", res.verdicts, res.roles,
               res.mains, res.flags, res.notes, res.confirmed, res.added,
               res.timings);
    return 0;
}

static const struct cmd_arg import_args[] = {
    { "KIND", CMD_CHOICE, "labels|images|predictions|reviews" },
    { "FILE", CMD_FILE, NULL },
    { 0 }
};

static const struct cmd_opt import_opts[] = {
    { .name = "dry-run", .type = CMD_FLAG,
      .help = "check everything, store nothing" },
    { .name = "dataset", .type = CMD_TEXT, .meta = "TAG",
      .help = "dataset of labelled images without a dataset column" },
    { .name = "root", .type = CMD_DIR, .meta = "DIR",
      .help = "base folder of relative image paths" },
    { .name = "model", .type = CMD_TEXT, .meta = "NAME",
      .help = "model of predictions without a model column (default: the "
              "file name)" },
    { .name = "state", .type = CMD_TEXT, .meta = "STATE",
      .help = "state of reviews without a state column" },
    { .name = "format", .type = CMD_CHOICE,
      .choices = "tfds-multilabel|label-studio",
      .help = "reviews in JSON (default for FILE.json: told by its "
              "content)" },
    { 0 }
};

const struct cmd_entry cmd_import_entry = {
    .name = "import",
    .summary = "import labels, images, predictions or reviews (CSV)",
    .usage = "KIND FILE", .args = import_args, .max_args = 2,
    .flags = CMD_DB, .opts = import_opts, .text = IMPORT_HELP,
    .epilog = IMPORT_EPILOG, .run = cmd_import,
};

/* ---- export -------------------------------------------------------- */

static const char EXPORT_HELP[] =
    "Formats:\n"
    "  long       every stored verdict, flag and timing, re-importable\n"
    "             without loss: image,wnid,state,reviewer,role,main,\n"
    "             problematic,note,done,added_by,updated_at,first_shown,\n"
    "             last_change,active_ms. A verdict row per (image, class,\n"
    "             reviewer): state, role (reviewer|adjudicator), added_by\n"
    "             (who added the class when no model proposed it); then an\n"
    "             image row (empty wnid and state) per reviewer with a flag\n"
    "             or a timing: main (wnid), problematic, note, done (1/0),\n"
    "             first look and last change (times), attention (ms).\n"
    "             Notes are written as stored, CSV-quoted\n"
    "  wide       image,original,correct,wrong,unclear,dont_know,\n"
    "             problematic,main: one row per image, class lists\n"
    "             space-separated in class-index order (re-importable)\n"
    "  real-json  the layout of ImageNet-ReaL's real.json, by image number:\n"
    "             list i holds the class indices marked correct on\n"
    "             ILSVRC2012_val_{i+1:08d}.JPEG; 50000 lists or --count N;\n"
    "             an image absent or without a verdict is [] (stderr counts\n"
    "             them); other image names are refused\n"
    "  tfds-multilabel  TFDS imagenet2012_multilabel's\n"
    "             human_accuracy_v3.0.0.json: initial_annots,\n"
    "             problematic_images (reasons from the notes), imagenet_m\n"
    "  label-studio  Label Studio JSON tasks (data.image, predictions per\n"
    "             model, annotations per reviewer and the consensus) for\n"
    "             the labeling config share/relabel/labelstudio.xml\n"
    "\n"
    "wide, real-json, tfds-multilabel and the consensus of label-studio\n"
    "combine reviewers by --consensus: majority (default; a tie is\n"
    "unclear), reviewer:NAME (one reviewer's marks) or dawid-skene[:T]. The\n"
    "main object is the one most reviewers chose among the classes the\n"
    "consensus makes correct (a tie: the lower class index). long takes\n"
    "reviewer:NAME (that reviewer's rows) and refuses the combining rules.\n"
    "The output is written to FILE atomically (default, or -: standard\n"
    "output).\n";

/* The JSON formats that ask the consensus module for their labels. */
static int
export_json(rl_store *s, const rl_catalog *cat, const char *fmt,
            const rl_consensus_opts *co, long count, FILE *fp, rl_err *e)
{
    rl_real_json_stats st;

    if (strcmp(fmt, "tfds-multilabel") == 0)
        return rl_export_tfds(s, cat, co, fp, e);
    if (strcmp(fmt, "label-studio") == 0)
        return rl_export_labelstudio(s, cat, co, fp, e);
    if (rl_export_real_json(s, cat, co, count, fp, &st, e) != 0)
        return -1;
    if (st.absent + st.no_verdict + st.no_correct > 0)
        fprintf(stderr, "relabel: real-json: %ld of %ld lists written empty"
                " ([]): %ld images not in the project, %ld without a "
                "verdict, %ld with no class marked correct\n",
                st.absent + st.no_verdict + st.no_correct, st.written,
                st.absent, st.no_verdict, st.no_correct);
    return 0;
}

static int
cmd_export(const cli *c, const struct cmd_args *a)
{
    const char *fmt = "long", *out = cmd_get(a, "output");
    const char *cons = "majority";
    const char *count_s = cmd_get(a, "count");
    rl_consensus_opts co;
    long count = RL_REAL_JSON_COUNT;
    bool json = false;
    rl_export_format f;
    rl_store *s;
    rl_catalog *cat;
    char *tmp = NULL;
    FILE *fp = stdout;
    rl_err e;
    int rc;

    if (cmd_has(a, "format"))
        fmt = cmd_get(a, "format");
    if (cmd_has(a, "consensus"))
        cons = cmd_get(a, "consensus");
    if (strcmp(fmt, "long") == 0)
        f = RL_EXPORT_LONG;
    else if (strcmp(fmt, "wide") == 0)
        f = RL_EXPORT_WIDE;
    else if (strcmp(fmt, "real-json") == 0 || strcmp(fmt, "label-studio") == 0
             || strcmp(fmt, "tfds-multilabel") == 0) {
        f = RL_EXPORT_REAL_JSON;   /* unused: export_json picks the writer */
        json = true;
    } else
        return usage_error("export", "unknown format '%s' (long, wide, "
                           "real-json, tfds-multilabel or label-studio)", fmt);
    if (rl_consensus_parse(cons, &co, &e) != 0)
        return usage_error("export", "--consensus: %s", e.msg);
    /* majority is also the default: given by name, it is refused too
     * rather than ignored. */
    if (f == RL_EXPORT_LONG && cmd_has(a, "consensus")
        && co.rule != RL_CONSENSUS_REVIEWER)
        return usage_error("export", "--consensus %s: the long format is "
                           "every reviewer's own rows, combined by no rule "
                           "(reviewer:NAME keeps one reviewer's; wide and "
                           "the JSON formats take any rule)", cons);
    if (count_s != NULL && (strcmp(fmt, "real-json") != 0
                            || rl_parse_long(count_s, &count) != 0
                            || count < 1 || count > 99999999))
        return usage_error("export", "--count: a number of images from 1, "
                           "with --format real-json");
    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, &cat)) != 0)
        return rc;
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
    rc = json ? export_json(s, cat, fmt, &co, count, fp, &e)
              : rl_export(s, cat, f, &co, fp, &e);
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

static const struct cmd_opt export_opts[] = {
    { .name = "format", .type = CMD_CHOICE,
      .choices = "long|wide|real-json|tfds-multilabel|label-studio",
      .help = "the layout (default long)" },
    { .name = "consensus", .type = CMD_TEXT,
      .meta = "RULE",
      .help = "how wide and the JSON formats combine reviewers: majority "
              "(default), reviewer:NAME, or dawid-skene[:T]" },
    { .name = "count", .type = CMD_NUMBER, .meta = "N",
      .help = "real-json: the number of lists (default 50000)" },
    { .name = "output", .letter = 'o', .type = CMD_FILE, .meta = "FILE",
      .help = "write to FILE, replaced atomically (default, or -: standard "
              "output)" },
    { 0 }
};

const struct cmd_entry cmd_export_entry = {
    .name = "export",
    .summary = "export reviews as CSV (long, wide) or ReaL JSON",
    .max_args = 0, .flags = CMD_DB, .opts = export_opts, .text = EXPORT_HELP,
    .run = cmd_export,
};

/* ---- stats --------------------------------------------------------- */

static const char STATS_HELP[] =
    "Counts of classes, images, predictions, candidates and reviews, and per\n"
    "reviewer the images and candidates reviewed. --agreement adds Cohen's\n"
    "kappa for each pair of reviewers and Fleiss' kappa over all, on the\n"
    "four states and on correct-vs-not. The counts come from counters that\n"
    "every write keeps, so stats scans nothing at any size; `relabel check`\n"
    "compares them with counts of the tables.\n";

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

static int
cmd_stats(const cli *c, const struct cmd_args *a)
{
    rl_store *s;
    bool agreement = cmd_has(a, "agreement");
    int rc;

    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, NULL)) != 0)
        return rc;
    rc = print_stats(s);
    if (rc == 0 && agreement)
        rc = eval_print_agreement(s);
    rl_store_close(s);
    return rc;
}

static const struct cmd_opt stats_opts[] = {
    { .name = "agreement", .type = CMD_FLAG,
      .help = "add the reviewers' agreement (Cohen's and Fleiss' kappa)" },
    { 0 }
};

const struct cmd_entry cmd_stats_entry = {
    .name = "stats",
    .summary = "counts of images, candidates and reviews per reviewer",
    .max_args = 0, .flags = CMD_DB, .opts = stats_opts, .text = STATS_HELP,
    .run = cmd_stats,
};

/* ---- demo ---------------------------------------------------------- */

static const char DEMO_HELP[] =
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

/* demo, demo review, demo train: the demo project, built on first use,
 * then opened as `review` or `train` opens a project. */
static int
demo_run(const cli *c, const struct cmd_args *a, bool train)
{
    char *db = demo_path();
    struct stat sb;
    cli dc = *c;
    rl_err e;
    int rc;

    if (db == NULL)
        return 1;
    if (cmd_has(a, "where")) {
        printf("%s\n", db);
        free(db);
        return 0;
    }
    if (stat(db, &sb) != 0) {
        if (build_demo(db, c->reviewer, &e) != 0) {
            print_err(&e);
            free(db);
            return 1;
        }
        fprintf(stderr, "relabel: created the demo project %s\n", db);
    }
    dc.db = db;
    rc = train ? cmd_train(&dc, a) : cmd_review(&dc, a);
    free(db);
    return rc;
}

static int
demo_review(const cli *c, const struct cmd_args *a)
{
    return demo_run(c, a, false);
}

static int
demo_train(const cli *c, const struct cmd_args *a)
{
    return demo_run(c, a, true);
}

static const struct cmd_opt demo_review_opts[] = {
    { .name = "where", .type = CMD_FLAG,
      .help = "print the demo project's path and stop" },
    { .include = cmd_review_opts },
    { 0 }
};

static const struct cmd_opt demo_train_opts[] = {
    { .name = "where", .type = CMD_FLAG,
      .help = "print the demo project's path and stop" },
    { .include = cmd_train_opts },
    { 0 }
};

static const struct cmd_arg demo_train_args[] = {
    { "TASK", CMD_TASK, NULL },
    { 0 }
};

static const struct cmd_entry demo_review_entry = {
    .name = "review", .summary = "open the demo in the review screen "
    "(the default)", .max_args = 0, .opts = demo_review_opts,
    .text = DEMO_HELP, .run = demo_review,
};

static const struct cmd_entry demo_train_entry = {
    .name = "train", .summary = "open the demo's home screen of training "
    "tasks", .usage = "[TASK]", .args = demo_train_args, .max_args = 1,
    .opts = demo_train_opts, .text = DEMO_HELP, .run = demo_train,
};

static const struct cmd_entry *const demo_subs[] = {
    &demo_review_entry, &demo_train_entry, NULL
};

const struct cmd_entry cmd_demo_entry = {
    .name = "demo", .summary = "create (first time) and open the demo "
    "project", .max_args = 0, .opts = demo_review_opts, .text = DEMO_HELP,
    .run = demo_review, .subs = demo_subs,
};
