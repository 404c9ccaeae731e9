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
    "A task is an ordered list of images with gold labels, done in parts of\n"
    "ten (relabel train).\n";

static const char CREATE_HELP[] =
    "Creates a training task from one of --gold, --pair or --split.\n"
    "--gold reads CSV image,wnid,state (correct, wrong or unclear); --images\n"
    "CSV image sets the order (default: the gold file's order). --pair makes\n"
    "a task of every image whose candidates hold both classes (e.g.\n"
    "stingray and electric ray): a model proposed them, or one is the\n"
    "original label, whatever the reviews say, so many such images may have\n"
    "neither class Correct; --pair-in-gold keeps only the images whose gold\n"
    "has one of the two Correct. --split makes a seeded random sample of\n"
    "reviewed images of a split. Both take their gold from the project's\n"
    "reviews (the majority per class; Don't know left out).\n";

static const char EXPORT_HELP[] =
    "Writes the task's gold (re-importable with task create --gold) or, with\n"
    "--answers, every answer given in the task.\n";

static int
task_create(const cli *c, const struct cmd_args *a)
{
    rl_task_spec spec;
    const char *part = cmd_get(a, "part-size");
    const char *sample = cmd_get(a, "sample"), *seed = cmd_get(a, "seed");
    rl_store *s;
    rl_catalog *cat;
    int64_t id;
    long v;
    rl_err e;
    int rc = 0;

    memset(&spec, 0, sizeof spec);
    spec.name = cmd_arg(a, 0);
    spec.description = cmd_get(a, "description");
    spec.images = cmd_input(cmd_get(a, "images"));
    spec.gold = cmd_input(cmd_get(a, "gold"));
    spec.split = cmd_get(a, "split");
    spec.pair[0] = cmd_val(a, "pair", 0);
    spec.pair[1] = cmd_val(a, "pair", 1);
    spec.pair_in_gold = cmd_has(a, "pair-in-gold");
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
    if ((rc = cmd_open(c, a->cmd, 0, &s, &cat)) != 0)
        return rc;
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
task_list(const cli *c, const struct cmd_args *a)
{
    rl_task_list l;
    rl_store *s;
    rl_err e;
    size_t i;
    int rc;

    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, NULL)) != 0)
        return rc;
    if (rl_task_list_load(s, c->reviewer, &l, &e) != 0) {
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
task_export(const cli *c, const struct cmd_args *a)
{
    const char *name = cmd_arg(a, 0);
    const char *out = cmd_output(cmd_get(a, "output"));
    bool answers = cmd_has(a, "answers");
    rl_store *s;
    FILE *fp = stdout;
    int64_t id;
    rl_err e;
    int rc;

    if (name == NULL)
        return usage_error("task export", "give the task's NAME");
    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, NULL)) != 0)
        return rc;
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

static const struct cmd_arg name_args[] = {
    { "NAME", CMD_TASK, NULL },
    { 0 }
};

static const struct cmd_opt create_opts[] = {
    { .name = "description", .type = CMD_TEXT, .meta = "TEXT",
      .help = "what the task is about, shown on the home screen" },
    { .name = "gold", .type = CMD_FILE, .meta = "FILE",
      .help = "the gold labels: CSV image,wnid,state (-: standard input)" },
    { .name = "images", .type = CMD_FILE, .meta = "FILE",
      .help = "with --gold: CSV image, the images' order" },
    { .name = "pair", .type = CMD_CLASS, .meta = "A B", .nvals = 2,
      .help = "every image whose candidates hold both classes A and B" },
    { .name = "pair-in-gold", .type = CMD_FLAG,
      .help = "with --pair: only the images whose gold has A or B "
              "Correct" },
    { .name = "split", .type = CMD_CHOICE, .choices = "dog|organism|object",
      .help = "a seeded random sample of reviewed images of a split" },
    { .name = "sample", .type = CMD_NUMBER, .meta = "N",
      .help = "with --split: how many images" },
    { .name = "seed", .type = CMD_NUMBER, .meta = "K",
      .help = "with --split: the random seed" },
    { .name = "part-size", .type = CMD_NUMBER, .meta = "N",
      .help = "images per part, 1 to 1000 (default 10)" },
    { 0 }
};

static const struct cmd_opt list_opts[] = {
    { 0 }
};

static const struct cmd_opt export_opts[] = {
    { .name = "answers", .type = CMD_FLAG,
      .help = "every answer given in the task instead of the gold" },
    { .name = "output", .letter = 'o', .type = CMD_FILE, .meta = "FILE",
      .help = "write to FILE (default, or -: standard output)" },
    { 0 }
};

static const struct cmd_entry create_entry = {
    .name = "create", .summary = "create a training task",
    .usage = "NAME", .args = name_args, .max_args = 1,
    .flags = CMD_DB, .opts = create_opts, .text = CREATE_HELP,
    .run = task_create,
};

static const struct cmd_entry list_entry = {
    .name = "list", .summary = "the tasks with your progress",
    .max_args = 0, .flags = CMD_DB, .opts = list_opts, .run = task_list,
};

static const struct cmd_entry export_entry = {
    .name = "export", .summary = "write a task's gold or its answers (CSV)",
    .usage = "NAME", .args = name_args, .max_args = 1,
    .flags = CMD_DB, .opts = export_opts, .text = EXPORT_HELP,
    .run = task_export,
};

static const struct cmd_entry *const task_subs[] = {
    &create_entry, &list_entry, &export_entry, NULL
};

static const struct cmd_opt task_opts[] = {
    { 0 }
};

const struct cmd_entry cmd_task_entry = {
    .name = "task", .summary = "create, list and export training tasks",
    .max_args = -1, .flags = CMD_DB, .opts = task_opts, .text = TASK_HELP,
    .subs = task_subs,
};

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
    int rc;

    if ((rc = cmd_open(c, "eval", RL_STORE_READONLY, &s, &cat)) != 0)
        return rc;
    if (rl_human_eval_run(s, cat, &he, &e) != 0) {
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
