/* team.c - `relabel assign` and `relabel merge`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/store.h"
#include "relabel/team.h"
#include "relabel/util.h"

static const char ASSIGN_HELP[] =
    "Splits the images among the named reviewers (round robin in image-name\n"
    "order, or shuffled with --seed), or with --k K gives every image to K\n"
    "of them, for agreement studies. Each reviewer's review queue then holds\n"
    "only their images; a reviewer with no assignment sees every image.\n";

static const char MERGE_HELP[] =
    "Brings the reviews, flags, timings and history (event log) made in\n"
    "another copy of this project (say, a laptop) into this one, in one\n"
    "transaction. Images are matched by name, classes by wnid, history by\n"
    "unique step ids: merging the same copy twice adds nothing. Where the\n"
    "same reviewer gave the same candidate (or flag) different values in\n"
    "the two copies, nothing is changed: the conflicts are listed as CSV\n"
    "(image,wnid,reviewer,field,here,there) on stdout or in FILE, and the\n"
    "exit status is 3. OTHER.db is only read.\n";

static int
cmd_assign(const cli *c, const struct cmd_args *a)
{
    const char *const *who = (const char *const *)a->argv;
    const char *ks = cmd_get(a, "k"), *seeds = cmd_get(a, "seed");
    bool replace = cmd_has(a, "replace"), clear = cmd_has(a, "clear");
    size_t n = (size_t)a->argc;
    long k = 1, seed = 0;
    rl_store *s = NULL;
    rl_err e;
    int rc = 0;

    if (ks != NULL && (rl_parse_long(ks, &k) != 0 || k < 1)) {
        rc = usage_error("assign", "--k: a positive number");
        goto done;
    }
    if (seeds != NULL && rl_parse_long(seeds, &seed) != 0) {
        rc = usage_error("assign", "--seed: a number");
        goto done;
    }
    if (!clear && n == 0) {
        rc = usage_error("assign", "name the reviewers");
        goto done;
    }
    if ((rc = cmd_open(c, a->cmd, 0, &s, NULL)) != 0)
        goto done;
    if (clear ? rl_assign_clear(s, &e)
        : rl_assign(s, who, n, (int)k, (uint64_t)seed, replace, &e)) {
        print_err(&e);
        rc = 1;
    } else if (!clear) {
        printf("assigned every image to %ld of %zu reviewers\n", k, n);
    } else {
        printf("cleared every assignment\n");
    }
done:
    rl_store_close(s);
    return rc;
}

static int
cmd_merge(const cli *c, const struct cmd_args *a)
{
    const char *other = cmd_arg(a, 0);
    const char *cfile = cmd_output(cmd_get(a, "conflicts"));
    rl_merge_report r;
    rl_store *s = NULL;
    FILE *cf = stdout;
    rl_err e;
    int rc;

    if (other == NULL)
        return usage_error("merge", "give the OTHER.db to merge");
    if ((rc = cmd_open(c, a->cmd, 0, &s, NULL)) != 0)
        return rc;
    if (cfile != NULL && (cf = fopen(cfile, "w")) == NULL) {
        perror(cfile);
        rl_store_close(s);
        return 1;
    }
    rc = rl_merge(s, other, cf, &r, &e);
    if (cf != stdout)
        fclose(cf);
    rl_store_close(s);
    if (rc != 0) {
        print_err(&e);
        return 1;
    }
    fprintf(stderr, "merged: %ld images, %ld candidates, %ld reviews (%ld "
            "already identical), %ld flags, %ld timings, %ld steps with %ld "
            "events; %ld conflicts%s\n", r.images, r.candidates, r.reviews,
            r.same, r.flags, r.timings, r.steps, r.events, r.conflicts,
            r.conflicts ? " (listed; nothing changed for them)" : "");
    return r.conflicts > 0 ? 3 : 0;
}

static const struct cmd_arg assign_args[] = {
    { "REVIEWER", CMD_TEXT, NULL },
    { 0 }
};

static const struct cmd_opt assign_opts[] = {
    { .name = "k", .type = CMD_NUMBER, .meta = "K",
      .help = "give every image to K of the reviewers (default 1)" },
    { .name = "seed", .type = CMD_NUMBER, .meta = "N",
      .help = "shuffle the images with this seed instead of round robin" },
    { .name = "replace", .type = CMD_FLAG,
      .help = "drop the reviewers' earlier assignments first" },
    { .name = "clear", .type = CMD_FLAG,
      .help = "remove all assignments (no REVIEWER)" },
    { 0 }
};

const struct cmd_entry cmd_assign_entry = {
    .name = "assign", .summary = "split the images among reviewers",
    .usage = "REVIEWER...", .args = assign_args, .max_args = -1,
    .flags = CMD_DB, .opts = assign_opts, .text = ASSIGN_HELP,
    .run = cmd_assign,
};

static const struct cmd_arg merge_args[] = {
    { "OTHER.db", CMD_FILE, NULL },
    { 0 }
};

static const struct cmd_opt merge_opts[] = {
    { .name = "conflicts", .type = CMD_FILE, .meta = "FILE",
      .help = "write the conflicts to FILE (default, or -: standard "
              "output)" },
    { 0 }
};

const struct cmd_entry cmd_merge_entry = {
    .name = "merge",
    .summary = "bring in the reviews made in another copy of the project",
    .usage = "OTHER.db", .args = merge_args, .max_args = 1,
    .flags = CMD_DB, .opts = merge_opts, .text = MERGE_HELP,
    .run = cmd_merge,
};
