/* team.c - `relabel assign` and `relabel merge`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/store.h"
#include "relabel/team.h"
#include "relabel/util.h"

static const char ASSIGN_HELP[] =
    "usage: relabel --db FILE assign REVIEWER... [--k K] [--seed N]\n"
    "                                [--replace]\n"
    "       relabel --db FILE assign --clear\n"
    "\n"
    "Splits the images among the named reviewers (round robin in image-name\n"
    "order, or shuffled with --seed), or with --k K gives every image to K\n"
    "of them, for agreement studies. Each reviewer's review queue then holds\n"
    "only their images; a reviewer with no assignment sees every image.\n"
    "--replace drops the reviewers' earlier assignments first; --clear\n"
    "removes all assignments.\n";

static const char MERGE_HELP[] =
    "usage: relabel --db FILE merge OTHER.db [--conflicts FILE]\n"
    "\n"
    "Brings the reviews, flags, timings and history (event log) made in\n"
    "another copy of this project (say, a laptop) into this one, in one\n"
    "transaction. Images are matched by name, classes by wnid, history by\n"
    "unique step ids: merging the same copy twice adds nothing. Where the\n"
    "same reviewer gave the same candidate (or flag) different values in\n"
    "the two copies, nothing is changed: the conflicts are listed as CSV\n"
    "(image,wnid,reviewer,field,here,there) on stdout or in FILE, and the\n"
    "exit status is 3. OTHER.db is only read.\n";

static int
open_rw(const cli *c, const char *cmd, rl_store **s)
{
    rl_err e;

    if (c->db == NULL || *c->db == '\0')
        return usage_error(cmd, "no project given: use --db FILE");
    if ((*s = rl_store_open(c->db, 0, &e)) == NULL) {
        print_err(&e);
        return 1;
    }
    return 0;
}

int
cmd_assign(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "assign" };
    const char **who = rl_xcalloc((size_t)argc + 1, sizeof *who);
    const char *ks = NULL, *seeds = NULL;
    bool bad = false, replace = false, clear = false;
    size_t n = 0;
    long k = 1, seed = 0;
    rl_store *s = NULL;
    rl_err e;
    int rc = 0;

    while (a.i < argc) {
        if (arg_info(&a, ASSIGN_HELP))
            goto done;
        if (arg_flag(&a, "--replace")) {
            replace = true;
            continue;
        }
        if (arg_flag(&a, "--clear")) {
            clear = true;
            continue;
        }
        if (arg_opt(&a, "--k", &ks, &bad) || arg_opt(&a, "--seed", &seeds,
                                                      &bad)) {
            if (bad) {
                rc = 2;
                goto done;
            }
            continue;
        }
        if (argv[a.i][0] == '-') {
            rc = usage_error("assign", "unknown option '%s'", argv[a.i]);
            goto done;
        }
        who[n++] = argv[a.i++];
    }
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
    if ((rc = open_rw(c, "assign", &s)) != 0)
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
    free(who);
    return rc;
}

int
cmd_merge(const cli *c, int argc, char **argv)
{
    argscan a = { argc, argv, 1, "merge" };
    const char *other = NULL, *cfile = NULL;
    bool bad = false;
    rl_merge_report r;
    rl_store *s = NULL;
    FILE *cf = stdout;
    rl_err e;
    int rc;

    while (a.i < argc) {
        if (arg_info(&a, MERGE_HELP))
            return 0;
        if (arg_opt(&a, "--conflicts", &cfile, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        if (other != NULL || argv[a.i][0] == '-')
            return usage_error("merge", "unexpected '%s'", argv[a.i]);
        other = argv[a.i++];
    }
    if (other == NULL)
        return usage_error("merge", "give the OTHER.db to merge");
    if ((rc = open_rw(c, "merge", &s)) != 0)
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
