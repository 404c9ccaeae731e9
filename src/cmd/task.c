/* task.c - `relabel task create|list|export`: training tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/csv.h"
#include "relabel/store.h"
#include "relabel/training.h"
#include "relabel/util.h"

static const char TASK_HELP[] =
    "usage: relabel --db FILE task create NAME [--description TEXT]\n"
    "                    (--gold FILE [--images FILE] |\n"
    "                     --pair A B [--pair-in-gold] |\n"
    "                     --split dog|organism|object [--sample N]\n"
    "                     [--seed K]) [--part-size N]\n"
    "       relabel --db FILE task list\n"
    "       relabel --db FILE task export NAME [--answers] [-o FILE]\n"
    "\n"
    "A task is an ordered list of images with gold labels, done in parts of\n"
    "ten (relabel train). --gold reads CSV image,wnid,state (correct, wrong\n"
    "or unclear); --images CSV image sets the order (default: the gold\n"
    "file's order). --pair makes a task of every image whose candidates\n"
    "hold both classes (e.g. stingray and electric ray): a model proposed\n"
    "them, or one is the original label, whatever the reviews say, so\n"
    "many such images may have neither class Correct; --pair-in-gold\n"
    "keeps only the images whose gold has one of the two Correct.\n"
    "--split makes a seeded random sample of reviewed images of a split.\n"
    "Both take their gold from the project's reviews (the majority per\n"
    "class; Don't know left out).\n"
    "export writes the gold (re-importable with --gold) or, with --answers,\n"
    "every answer given in the task.\n";

static int
task_create(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 2, "task create" };
    rl_task_spec spec;
    const char *part = NULL, *sample = NULL, *seed = NULL;
    bool bad = false;
    rl_store *s;
    rl_catalog *cat;
    int64_t id;
    long v;
    rl_err e;
    int rc = 0;

    memset(&spec, 0, sizeof spec);
    while (a.i < argc) {
        if (arg_opt(&a, "--description", &spec.description, &bad)
            || arg_opt(&a, "--images", &spec.images, &bad)
            || arg_opt(&a, "--gold", &spec.gold, &bad)
            || arg_opt(&a, "--split", &spec.split, &bad)
            || arg_opt(&a, "--sample", &sample, &bad)
            || arg_opt(&a, "--seed", &seed, &bad)
            || arg_opt(&a, "--part-size", &part, &bad)
            || (arg_flag(&a, "--pair-in-gold")
                && (spec.pair_in_gold = true))) {
            if (bad)
                return 2;
            continue;
        }
        if (strcmp(argv[a.i], "--pair") == 0) {
            if (a.i + 2 >= argc)
                return usage_error("task create", "--pair needs two classes");
            spec.pair[0] = argv[a.i + 1];
            spec.pair[1] = argv[a.i + 2];
            a.i += 3;
            continue;
        }
        if (argv[a.i][0] == '-')
            return usage_error("task create", "unknown option '%s'",
                               argv[a.i]);
        if (spec.name != NULL)
            return usage_error("task create", "unexpected '%s'", argv[a.i]);
        spec.name = argv[a.i++];
    }
    if (spec.name == NULL)
        return usage_error("task create", "give the task a NAME");
    if (part != NULL) {
        if (rl_parse_long(part, &v) != 0 || v < 1 || v > 1000)
            return usage_error("task create", "--part-size: 1 to 1000");
        spec.part_size = (int)v;
    }
    if (sample != NULL) {
        if (rl_parse_long(sample, &v) != 0 || v < 1)
            return usage_error("task create", "--sample: a positive number");
        spec.sample = v;
    }
    if (seed != NULL) {
        if (rl_parse_long(seed, &v) != 0)
            return usage_error("task create", "--seed: a number");
        spec.seed = (uint64_t)v;
    }
    if (spec.pair_in_gold && spec.pair[0] == NULL)
        return usage_error("task create", "--pair-in-gold goes with --pair");
    if ((spec.gold != NULL) + (spec.pair[0] != NULL) + (spec.split != NULL)
        != 1)
        return usage_error("task create", "give one of --gold, --pair or "
                           "--split");
    if (c->db == NULL)
        return usage_error("task create", "no project given: use --db FILE");
    s = rl_store_open(c->db, 0, &e);
    cat = s != NULL ? rl_catalog_load(s, &e) : NULL;
    if (cat == NULL) {
        print_err(&e);
        rl_store_close(s);
        return 1;
    }
    if (rl_task_create(s, cat, &spec, &id, &e) != 0) {
        print_err(&e);
        fprintf(stderr, "relabel: no task was created\n");
        rc = 1;
    } else {
        printf("created task '%s': %ld images\n", spec.name,
               rl_task_size(s, id));
    }
    rl_catalog_free(cat);
    rl_store_close(s);
    return rc;
}

static int
task_list(const cli *c)
{
    rl_task_list l;
    rl_store *s;
    rl_err e;
    size_t i;

    if (c->db == NULL)
        return usage_error("task list", "no project given: use --db FILE");
    if ((s = rl_store_open(c->db, RL_STORE_READONLY, &e)) == NULL
        || rl_task_list_load(s, c->reviewer, &l, &e) != 0) {
        print_err(&e);
        rl_store_close(s);
        return 1;
    }
    for (i = 0; i < l.n; i++) {
        const rl_task_info *t = &l.items[i];
        char *name = rl_utf8_sanitize(t->name);
        char *desc = rl_utf8_sanitize(t->description);

        printf("%s\n    %s\n    Completed %ld out of %ld images (%ld out of "
               "%ld parts); %ld correct\n", name, desc, t->answered,
               t->n_images, t->parts_done, t->parts, t->correct);
        free(name);
        free(desc);
    }
    if (l.n == 0)
        printf("no tasks (relabel task create NAME --gold FILE)\n");
    rl_task_list_free(&l);
    rl_store_close(s);
    return 0;
}

static int
task_export(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 2, "task export" };
    const char *name = NULL, *out = NULL;
    bool bad = false, answers = false;
    rl_store *s;
    FILE *fp = stdout;
    int64_t id;
    rl_err e;
    int rc;

    while (a.i < argc) {
        if (arg_flag(&a, "--answers")) {
            answers = true;
            continue;
        }
        if (arg_opt(&a, "-o", &out, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        if (name != NULL || argv[a.i][0] == '-')
            return usage_error("task export", "unexpected '%s'", argv[a.i]);
        name = argv[a.i++];
    }
    if (name == NULL)
        return usage_error("task export", "give the task's NAME");
    if (c->db == NULL)
        return usage_error("task export", "no project given: use --db FILE");
    if ((s = rl_store_open(c->db, RL_STORE_READONLY, &e)) == NULL) {
        print_err(&e);
        return 1;
    }
    if ((id = rl_task_find(s, name)) < 0) {
        char *safe = rl_utf8_sanitize(name);

        fprintf(stderr, "relabel: no task named '%s'\n", safe);
        free(safe);
        rl_store_close(s);
        return 1;
    }
    if (out != NULL && (fp = fopen(out, "w")) == NULL) {
        perror(out);
        rl_store_close(s);
        return 1;
    }
    rc = rl_task_export(s, id, answers, fp, &e);
    if (fp != stdout && fclose(fp) != 0)
        rc = -1;
    if (rc != 0)
        print_err(&e);
    rl_store_close(s);
    return rc != 0;
}

int
cmd_task(const cli *c, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(TASK_HELP, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("relabel %s\n", RL_VERSION);
            return 0;
        }
    }
    if (argc < 2)
        return usage_error("task", "give create, list or export");
    if (strcmp(argv[1], "create") == 0)
        return task_create(c, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return argc == 2 ? task_list(c)
               : usage_error("task list", "unexpected '%s'", argv[2]);
    if (strcmp(argv[1], "export") == 0)
        return task_export(c, argc, argv);
    return usage_error("task", "unknown subcommand '%s'", argv[1]);
}

/* `relabel eval --humans [--format text|csv]`: each reviewer's multi-label
 * accuracy on tasks done in evaluation mode, as the rows of Shankar et
 * al.'s table, with the median time per image. */
int
eval_humans(const cli *c, bool csv)
{
    rl_human_eval he;
    rl_store *s;
    rl_catalog *cat;
    rl_err e;
    size_t i;

    if (c->db == NULL)
        return usage_error("eval", "no project given: use --db FILE");
    s = rl_store_open(c->db, RL_STORE_READONLY, &e);
    cat = s != NULL ? rl_catalog_load(s, &e) : NULL;
    if (cat == NULL || rl_human_eval_run(s, cat, &he, &e) != 0) {
        print_err(&e);
        rl_catalog_free(cat);
        rl_store_close(s);
        return 1;
    }
    if (csv)
        printf("reviewer,subset,n,multilabel,multilabel_unclear,"
               "median_seconds\n");
    else
        printf("Human accuracy on tasks done in evaluation mode (answers on "
               "images whose gold has a correct class; %ld left out)\n\n"
               "%-16s %-14s %6s %11s %16s %10s\n", he.left_out, "reviewer",
               "subset", "images", "multi-label", "unclear counted",
               "median s");
    for (i = 0; i < he.n; i++) {
        const rl_human_row *r = &he.rows[i];
        char *name = rl_utf8_sanitize(r->reviewer);
        double acc = r->n ? (double)r->correct / (double)r->n : 0;
        double accu = r->n ? (double)r->correct_unclear / (double)r->n : 0;

        if (csv) {
            rl_buf b = {0};

            rl_csv_write_field(&b, r->reviewer, ',');
            printf("%s,%s,%ld,%.6f,%.6f,%.3f\n", rl_buf_str(&b), r->subset,
                   r->n, acc, accu, r->median_s);
            rl_buf_free(&b);
        } else {
            printf("%-16s %-14s %6ld %10.2f%% %15.2f%% %10.1f\n", name,
                   r->subset, r->n, 100 * acc, 100 * accu, r->median_s);
        }
        free(name);
    }
    if (he.n == 0 && !csv)
        printf("no answers in evaluation mode yet (relabel train --feedback "
               "never)\n");
    rl_human_eval_free(&he);
    rl_catalog_free(cat);
    rl_store_close(s);
    return 0;
}
