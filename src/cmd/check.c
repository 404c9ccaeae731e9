/* check.c - `relabel check [--repair [--to FILE] | --recount]`: is the
 * project file sound (PRAGMA integrity_check) and do the counters stats
 * reads agree with the tables; a copy of what is readable when it is not
 * sound. The project file itself is only read, but by --recount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/journal.h"
#include "relabel/store.h"
#include "relabel/util.h"

static const char CHECK_HELP[] =
    "Runs SQLite's integrity check on the project file and says whether it\n"
    "is sound (exit 0) or damaged (exit 1). Every command that writes\n"
    "refuses a damaged file. --repair writes what is readable to a new\n"
    "project (default FILE.repaired): a VACUUM INTO copy when the whole\n"
    "file reads, otherwise table by table up to the damage. The damaged\n"
    "file is kept as it is; check the copy, then move it into place.\n"
    "It also checks the journal of marks beside the project (FILE-marks:\n"
    "marks saved while another process held the project's write lock) and\n"
    "says how many wait to be applied.\n"
    "Then it counts the tables and compares the counts with the counters\n"
    "`relabel stats` reads (kept by every write); a counter that drifted is\n"
    "named (exit 1). --recount sets every counter to its count, in one\n"
    "transaction (the only option that writes the project file); a\n"
    "repaired copy has its counters recounted too.\n";

/* What the journal of marks beside the project holds; 0, or 1 when it
 * is damaged or unreadable. */
static int
journal_report(const char *db)
{
    rl_journal_info info;
    rl_err e;

    if (rl_journal_info_get(db, &info, &e) != 0) {
        print_err(&e);
        return 1;
    }
    if (!info.exists)
        return 0;
    if (info.pending == 0)
        printf("%s-marks: sound, no marks waiting\n", db);
    else
        printf("%s-marks: sound; %ld mark%s of %ld reviewer%s saved while "
               "another process held the project's lock, waiting for it (the "
               "next write that finds the lock free applies them)\n", db,
               info.pending, info.pending == 1 ? "" : "s", info.reviewers,
               info.reviewers == 1 ? "" : "s");
    return 0;
}

/* Whether the counters of `stats` agree with the tables: 0, or 1 when
 * they drifted (named on stderr) or could not be counted. */
static int
tally_report(rl_store *s, const char *db)
{
    char *report = NULL;
    rl_err e;
    int r = rl_store_tally_verify(s, &report, &e);

    if (r < 0) {
        print_err(&e);
        return 1;
    }
    if (r == 0) {
        printf("%s: the statistics counters agree with the tables\n", db);
        return 0;
    }
    fprintf(stderr, "relabel: %s: the statistics counters drifted from the "
            "tables (%s); `relabel --db %s check --recount` recounts them\n",
            db, report, db);
    free(report);
    return 1;
}

/* check --recount: every counter to its count. 0, or 1. */
static int
recount(const char *db)
{
    rl_store *s;
    rl_err e;
    int rc;

    if ((s = rl_store_open(db, 0, &e)) == NULL) {
        print_err(&e);
        return 1;
    }
    rc = rl_store_tally_recount(s, &e);
    rl_store_close(s);
    if (rc != 0) {
        print_err(&e);
        return 1;
    }
    printf("%s: the statistics counters were recounted\n", db);
    return 0;
}

static int
cmd_check(const cli *c, const struct cmd_args *a)
{
    const char *to = cmd_get(a, "to");
    bool repair = cmd_has(a, "repair"), again = cmd_has(a, "recount");
    char *dest = NULL;
    rl_store *s;
    rl_err e;
    long cut = 0;
    int rc, drift = 0;

    if (to != NULL && !repair)
        return usage_error(a->cmd, "--to goes with --repair");
    if (repair && again)
        return usage_error(a->cmd, "--recount and --repair exclude each "
                           "other (a repaired copy is recounted)");
    if ((rc = cmd_need_db(c, a->cmd)) != 0)
        return rc;
    if ((s = rl_store_open(c->db, RL_STORE_READONLY, &e)) == NULL) {
        print_err(&e);
        return 1;
    }
    rc = rl_store_check(s, &e);
    if (rc == 0)
        printf("%s: sound (integrity check ok)\n", c->db);
    if (rc == 0 && !again)
        drift = tally_report(s, c->db);
    rl_store_close(s);
    if (rc == 0) {
        if (journal_report(c->db) != 0)
            return 1;
        if (again)
            return recount(c->db);
        if (!repair)
            return drift;
    } else {
        print_err(&e);
        if (!repair) {
            fprintf(stderr, "relabel: the file is damaged; `relabel --db %s "
                    "check --repair` copies what is readable to a new file\n",
                    c->db);
            return 1;
        }
    }
    dest = to != NULL ? rl_xstrdup(to) : rl_xasprintf("%s.repaired", c->db);
    if (rl_store_repair(c->db, dest, &cut, &e) != 0) {
        print_err(&e);
        free(dest);
        return 1;
    }
    if (cut == 0)
        printf("repaired copy: %s (every table read whole); %s is "
               "unchanged\n", dest, c->db);
    else
        printf("repaired copy: %s (%ld table%s cut short at the damage: "
               "rows past it are lost); %s is unchanged\n", dest, cut,
               cut == 1 ? "" : "s", c->db);
    free(dest);
    return 0;
}

static const struct cmd_opt check_opts[] = {
    { .name = "repair", .type = CMD_FLAG,
      .help = "write what is readable to a new project (the damaged file "
              "is kept)" },
    { .name = "recount", .type = CMD_FLAG,
      .help = "set the statistics counters to their counts over the tables"
    },
    { .name = "to", .type = CMD_FILE, .meta = "NEW.db",
      .help = "with --repair: the new project's file (default "
              "FILE.repaired)" },
    { 0 }
};

const struct cmd_entry cmd_check_entry = {
    .name = "check",
    .summary = "is the project file sound; --repair copies what is readable",
    .max_args = 0, .flags = CMD_DB, .opts = check_opts, .text = CHECK_HELP,
    .run = cmd_check,
};
