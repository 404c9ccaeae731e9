/* test_tally.c - the counters `relabel stats` reads (src/core/tally.c):
 * after every step of random mixes of marks, bulk marks, flags,
 * confirmations, notes, added candidates, undo, redo, imports of labels,
 * predictions and reviews (good and refused), journal applies and merges
 * by three reviewers, every counter equals its COUNT query
 * (rl_store_tally_verify); a schema-4 project and the schema-3 fixture
 * migrate with the right counts; a tampered counter is found, and a
 * recount mends it. */
#include "relabel/store.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/journal.h"
#include "relabel/review.h"
#include "relabel/team.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

static const char *const WNIDS[] = { "n01751748", "n01737021", "n01728572",
                                     "n09193705", "n09468604", "n01440764",
                                     "n02085620", "n01443537" };
#define N_WNIDS (sizeof WNIDS / sizeof *WNIDS)
static const char *const WHO[] = { "alice", "bob", "carol" };

static uint64_t rng = 0x16d1ce5eedULL;
static int n_fresh;                    /* images imports added: img_d0 .. */
static int n_models = 1;               /* m1 and those imports made */
static long n_journaled;               /* marks that waited in a journal */

static unsigned
rnd(unsigned n)
{
    return fx_rnd(&rng, n);
}

/* Opens p->path as the review screen does: a mark never waits for
 * another connection's lock (it goes to the journal). */
static void
proj_open(struct fx_proj *p)
{
    fx_proj_open(p);
    rl_store_set_wait(p->s, 0, NULL, NULL);
}

/* The name of a random image of the project. */
static void
pick_image(struct fx_proj *p, char *buf, size_t size)
{
    long long n = fx_q_int(p->s, "SELECT count(*) FROM image");
    char *sql = rl_xasprintf("SELECT substr(name, 5, 1) || CASE WHEN name"
                             " LIKE 'img_d%%' THEN substr(name, 6,"
                             " instr(name, '.') - 6) ELSE '' END FROM image"
                             " ORDER BY id LIMIT 1 OFFSET %u",
                             rnd((unsigned)n));
    sqlite3 *db;
    sqlite3_stmt *st;

    /* img_a.JPEG .. img_c.JPEG, img_d0.JPEG ..: the letter and number. */
    snprintf(buf, size, "img_a.JPEG");
    if (sqlite3_open_v2(rl_store_path(p->s), &db, SQLITE_OPEN_READONLY, NULL)
        == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL)
        == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(buf, size, "img_%s.JPEG", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    free(sql);
}

/* The counters against the tables: 0 when they agree; else says which
 * drifted after `what`. */
static int
drifted(rl_store *s, const char *what)
{
    char *report = NULL;
    rl_err err;
    int r = rl_store_tally_verify(s, &report, &err);

    long long off;

    if (r < 0)
        printf("# verify after %s: %s\n", what, err.msg);
    else if (r > 0)
        printf("# after %s: %s\n", what, report);
    free(report);
    /* The per-reviewer verdict counters, against plain SQL: verify counts
     * them with tally.c's own scan, which must not be its own judge. */
    off = fx_q_int(s, "SELECT count(*) FROM (SELECT reviewer, count(*) AS a,"
                   " count(DISTINCT image) AS b FROM review GROUP BY reviewer)"
                   " r FULL JOIN (SELECT reviewer, max(CASE name WHEN"
                   " 'reviewer_reviews' THEN n END) AS a, max(CASE name WHEN"
                   " 'reviewer_images' THEN n END) AS b FROM tally WHERE name"
                   " IN ('reviewer_reviews', 'reviewer_images') AND n <> 0"
                   " GROUP BY reviewer) t USING (reviewer)"
                   " WHERE r.a IS NOT t.a OR r.b IS NOT t.b");
    if (off != 0)
        printf("# after %s: %lld reviewers' verdict counters differ from"
               " GROUP BY reviewer\n", what, off);
    return r != 0 || off != 0;
}

static int
import_file(struct fx_proj *p, const char *kind, const char *text,
            rl_err *err)
{
    char *f = tpath("in.csv");
    int rc;

    spew("in.csv", text);
    rc = kind[0] == 'l' ? rl_import_labels(p->s, p->cat, f, NULL, NULL, err)
         : kind[0] == 'i' ? rl_import_images(p->s, p->cat, f, NULL, NULL,
                                             err)
         : kind[0] == 'p' ? rl_import_predictions(p->s, p->cat, f, NULL,
                                                  NULL, err)
         : rl_import_reviews(p->s, p->cat, f, NULL, NULL, err);
    free(f);
    return rc;
}

/* A live action on one image by `who`. -1 when it failed. */
static int
live_action(struct fx_proj *p, const char *who, const char *name, unsigned op,
            char *what, size_t size)
{
    static const rl_state states[] = { RL_STATE_NONE, RL_STATE_CORRECT,
                                       RL_STATE_WRONG, RL_STATE_UNCLEAR,
                                       RL_STATE_DONT_KNOW };
    rl_err err;
    rl_image *img = rl_image_load(p->s, p->cat, who, rl_image_find(p->s,
                                  name), &err);
    int rc = 0;

    if (img == NULL) {
        snprintf(what, size, "%s loads %s", who, name);
        printf("# %s: %s\n", what, err.msg);
        return -1;
    }
    rl_err_clear(&err);
    if (op < 5 && img->n > 0) {
        size_t i = rnd((unsigned)img->n);
        rl_state st = states[rnd(5)];

        snprintf(what, size, "%s marks %s #%zu %s", who, name, i,
                 rl_state_name(st));
        rc = rl_review_set(p->s, img, who, i, st, &err);
    } else if (op == 5) {
        snprintf(what, size, "%s bulk-marks %s", who, name);
        rc = rl_review_set_rest(p->s, img, who, states[1 + rnd(4)], &err)
             < 0 ? -1 : 0;
    } else if (op == 6) {
        snprintf(what, size, "%s flags %s", who, name);
        rc = rl_review_set_problematic(p->s, img, who, !img->problematic,
                                       &err);
    } else if (op == 7) {
        snprintf(what, size, "%s confirms %s", who, name);
        rc = rl_review_confirm(p->s, img, who, &err);
        if (rc != 0 && err.code == RL_E_RANGE)
            rc = 0;                    /* open candidates: refused */
    } else if (op == 8) {
        const rl_class *k = rl_catalog_by_wnid(p->cat, WNIDS[rnd(N_WNIDS)]);
        size_t pos;

        snprintf(what, size, "%s adds %s to %s", who, k->wnid, name);
        rc = rl_review_add(p->s, p->cat, &img, who, k, &pos, &err);
        if (rc != 0 && err.code == RL_E_DUP)
            rc = 0;                    /* a candidate already */
    } else {
        snprintf(what, size, "%s notes %s", who, name);
        rc = rl_review_set_note(p->s, img, who, rnd(2) ? "look" : "", &err);
    }
    if (rc != 0)
        printf("# %s: %s\n", what, err.msg);
    rl_image_free(img);
    return rc;
}

/* An import: reviews (maybe adding a class), labels (a new image with a
 * file, or a new label) or predictions (a new model), or a refused file.
 * -1 when a good one failed or a bad one passed. */
static int
import_action(struct fx_proj *p, const char *who, const char *name,
              unsigned op, char *what, size_t size)
{
    char text[512];
    rl_err err;
    int rc;

    if (op == 0) {
        snprintf(text, sizeof text, "image,wnid,state,reviewer,problematic\n"
                 "%s,%s,%s,%s,%u\n", name, WNIDS[rnd(N_WNIDS)],
                 rnd(2) ? "wrong" : "correct", who, rnd(2));
        snprintf(what, size, "import reviews %.120s", text + 38);
        rc = import_file(p, "reviews", text, &err);
    } else if (op == 1 && rnd(2)) {
        snprintf(text, sizeof text, "image,wnid,path\nimg_d%d.JPEG,%s,%s\n",
                 n_fresh++, WNIDS[rnd(N_WNIDS)], rnd(2) ? "pics/x.JPEG" : "");
        snprintf(what, size, "import labels %.120s", text + 16);
        rc = import_file(p, "labels", text, &err);
    } else if (op == 1) {
        snprintf(text, sizeof text, "image,path\n%s,pics/%u.JPEG\n", name,
                 rnd(9));
        snprintf(what, size, "import images %.120s", text + 11);
        rc = import_file(p, "images", text, &err);
    } else if (op == 2) {
        n_models++;
        snprintf(text, sizeof text, "image,model,rank,wnid\n"
                 "%s,m%d,1,%s\n%s,m%d,2,%s\n", name, n_models,
                 WNIDS[rnd(4)], name, n_models, WNIDS[4 + rnd(4)]);
        snprintf(what, size, "import predictions %.120s", text + 22);
        rc = import_file(p, "predictions", text, &err);
    } else {
        /* The second row is bad: nothing of the file is stored. */
        snprintf(text, sizeof text, "image,wnid,state,reviewer\n"
                 "%s,%s,wrong,%s\n%s,n00000000,wrong,%s\n", name,
                 WNIDS[rnd(N_WNIDS)], who, name, who);
        snprintf(what, size, "refused import");
        rc = import_file(p, "reviews", text, &err) == 0 ? -1 : 0;
        if (rc != 0)
            snprintf(err.msg, sizeof err.msg, "a bad file was imported");
    }
    if (rc != 0)
        printf("# %s: %s\n", what, err.msg);
    return rc;
}

/* Marks made while another connection holds the write lock go to the
 * journal; applying it brings them in. -1 when that failed. */
static int
journal_action(struct fx_proj *p, const char *who, const char *name,
               char *what, size_t size)
{
    sqlite3 *lock = NULL;
    char one[200];
    rl_err err;
    int rc, n = (int)rnd(3) + 1, i;

    snprintf(what, size, "%d journaled marks by %s on %s, applied", n, who,
             name);
    if (sqlite3_open(p->path, &lock) != SQLITE_OK
        || sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL)
        != SQLITE_OK) {
        printf("# cannot take the lock: %s\n", sqlite3_errmsg(lock));
        sqlite3_close(lock);
        return -1;
    }
    for (i = 0, rc = 0; rc == 0 && i < n; i++)
        rc = live_action(p, who, name, rnd(8), one, sizeof one);
    sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(lock);
    {
        rl_journal_info info;

        if (rl_journal_info_get(p->path, &info, &err) == 0)
            n_journaled += info.pending;
    }
    if (rc == 0 && rl_journal_apply(p->s, -1, &err) != 0) {
        printf("# applying the journal: %s\n", err.msg);
        rc = -1;
    }
    return rc;
}

static int
random_action(struct fx_proj *p, char *what, size_t size)
{
    const char *who = WHO[rnd(3)];
    char name[32];
    unsigned op = rnd(20);
    int64_t id;
    rl_err err;
    int rc;

    pick_image(p, name, sizeof name);
    if (op < 10)
        return live_action(p, who, name, op, what, size);
    if (op < 13) {
        snprintf(what, size, "%s undo", who);
        rc = rl_review_undo(p->s, who, &id, &err) < 0 ? -1 : 0;
    } else if (op < 15) {
        snprintf(what, size, "%s redo", who);
        rc = rl_review_redo(p->s, who, &id, &err) < 0 ? -1 : 0;
    } else if (op < 19) {
        return import_action(p, who, name, op - 15, what, size);
    } else {
        return journal_action(p, who, name, what, size);
    }
    if (rc != 0)
        printf("# %s: %s\n", what, err.msg);
    return rc;
}

static void
test_property(struct fx_proj *p)
{
    struct fx_proj copy = { 0 };
    char what[400];
    int round, i, failed = 0, drifts = 0, steps = 0;

    ok(!drifted(p->s, "the first imports"), "the counters agree after the "
       "first imports");
    copy.path = tpath("copy.db");
    for (round = 0; round < 8; round++) {
        char *cmd;

        /* Work here and on a copy, then merge the copy in. */
        fx_proj_close(p);
        cmd = rl_xasprintf("rm -f %s-wal %s-shm %s-marks*; cp %s %s",
                           copy.path, copy.path, copy.path, p->path,
                           copy.path);
        if (system(cmd) != 0)
            failed++;
        free(cmd);
        proj_open(p);
        proj_open(&copy);
        for (i = 0; i < 40; i++) {
            struct fx_proj *on = rnd(3) ? p : &copy;

            what[0] = '\0';
            if (random_action(on, what, sizeof what) != 0)
                failed++;
            if (drifted(on->s, what))
                drifts++;
            steps++;
        }
        fx_proj_close(&copy);
        {
            rl_merge_report rep;
            rl_err err;
            FILE *devnull = fopen("/dev/null", "w");

            if (rl_merge(p->s, copy.path, devnull, &rep, &err) != 0) {
                printf("# merge: %s\n", err.msg);
                failed++;
            }
            fclose(devnull);
        }
        if (drifted(p->s, "a merge"))
            drifts++;
        steps++;
    }
    is_int(failed, 0, "320 random actions by 3 reviewers and 8 merges all "
           "succeed");
    is_int(drifts, 0, "after each, every counter equals its count");
    {
        static const char *const mix[] = {
            "SELECT count(*) FROM step WHERE kind = 'undo'",
            "SELECT count(*) FROM step WHERE kind = 'redo'",
            "SELECT count(*) FROM candidate WHERE added_by IS NOT NULL",
            "SELECT count(*) FROM flag WHERE done",
            "SELECT count(*) FROM flag WHERE problematic",
            "SELECT count(*) FROM image WHERE path IS NOT NULL",
            "SELECT count(*) - 1 FROM model",
            "SELECT count(*) - 3 FROM image",
            "SELECT count(*) FROM step WHERE what = 'merge: kept this"
            " project''s value'",
        };
        size_t k;

        ok(n_journaled > 5, "marks waited in the journal (%ld)",
           n_journaled);
        for (k = 0; k < sizeof mix / sizeof *mix; k++) {
            long long n = fx_q_int(p->s, mix[k]);

            ok(n > 0, "the mix made some: %s (%lld)", mix[k], n);
        }
    }
    free(copy.path);
}

/* stats as the counting queries say, field by field. */
static void
stats_are_counts(rl_store *s, const char *what)
{
    rl_stats st;
    rl_err err;
    char name[128];

    if (!ok(rl_store_stats(s, &st, &err) == 0, "%s: stats", what))
        return;
    snprintf(name, sizeof name, "%s: images", what);
    is_int(st.images, fx_q_int(s, "SELECT count(*) FROM image"), name);
    snprintf(name, sizeof name, "%s: predictions", what);
    is_int(st.predictions, fx_q_int(s, "SELECT count(*) FROM prediction"),
           name);
    snprintf(name, sizeof name, "%s: candidates", what);
    is_int(st.candidates, fx_q_int(s, "SELECT count(*) FROM candidate"),
           name);
    snprintf(name, sizeof name, "%s: events", what);
    is_int(st.events, fx_q_int(s, "SELECT count(*) FROM event"), name);
    snprintf(name, sizeof name, "%s: reviewers with verdicts", what);
    is_int((long long)st.n_rev, fx_q_int(s, "SELECT count(DISTINCT"
           " reviewer) FROM review"), name);
    snprintf(name, sizeof name, "%s: verdicts of the first reviewer", what);
    is_int(st.n_rev > 0 ? st.rev[0].reviews : -1, fx_q_int(s, "SELECT"
           " count(*) FROM review GROUP BY reviewer ORDER BY reviewer"
           " LIMIT 1"), name);
    rl_stats_free(&st);
}

/* A schema-4 project (this one without its tally, at user_version 4, as
 * relabel before schema 5 left it) migrates with the right counts. */
static void
test_migrate_v4(struct fx_proj *p)
{
    struct fx_proj old = { 0 };
    char *cmd;
    sqlite3 *db;
    rl_err err;

    old.path = tpath("v4.db");
    fx_proj_close(p);
    cmd = rl_xasprintf("cp %s %s", p->path, old.path);
    ok(system(cmd) == 0, "(copied the project)");
    free(cmd);
    proj_open(p);
    ok(sqlite3_open(old.path, &db) == SQLITE_OK
       && sqlite3_exec(db, FX_UNDO_V8 "DROP TABLE tally;"
                       " DROP TABLE queue_ids;"
                       " PRAGMA user_version = 4",
                       NULL, NULL, NULL) == SQLITE_OK,
       "(made it a schema-4 project)");
    sqlite3_close(db);
    proj_open(&old);
    is_int(fx_q_int(old.s, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "a schema-4 project opens at the current schema");
    ok(fx_q_int(old.s, "SELECT count(*) FROM tally") > 10,
       "its counters are there");
    ok(!drifted(old.s, "the migration"), "each equals its count");
    stats_are_counts(old.s, "schema 4 migrated");
    ok(rl_review_undo(old.s, "alice", &(int64_t){ 0 }, &err) >= 0
       && !drifted(old.s, "an undo after it"),
       "and an undo after it keeps them");
    fx_proj_close(&old);
    free(old.path);
}

/* The schema-3 fixture of test_store migrates through 4 to 5. */
static void
test_migrate_v3(void)
{
    const char *fix = RL_TEST_DATA "/store/v3.sqlite";
    char *p = tpath("v3.db"), *cmd = rl_xasprintf("cp %s %s", fix, p);
    rl_store *s;
    rl_err err;

    ok(system(cmd) == 0, "(copied the schema-3 fixture)");
    free(cmd);
    s = rl_store_open(p, 0, &err);
    ok(s != NULL, "the schema-3 fixture opens: %s", s ? "" : err.msg);
    if (s != NULL) {
        ok(fx_q_int(s, "SELECT count(*) FROM review") > 0,
           "(it holds reviews)");
        ok(!drifted(s, "migrating from schema 3"),
           "its counters equal their counts");
        stats_are_counts(s, "schema 3 migrated");
    }
    rl_store_close(s);
    free(p);
}

/* A counter changed behind relabel's back is found and recounted. */
static void
test_tamper(struct fx_proj *p)
{
    char *report = NULL;
    rl_err err;
    sqlite3 *db;
    long long n = fx_q_int(p->s, "SELECT count(*) FROM candidate");

    ok(sqlite3_open(p->path, &db) == SQLITE_OK
       && sqlite3_exec(db, "UPDATE tally SET n = n + 2 WHERE name ="
                       " 'candidates'; DELETE FROM tally WHERE name ="
                       " 'reviewer_done' AND reviewer = (SELECT min(reviewer)"
                       " FROM flag WHERE done)", NULL, NULL, NULL)
       == SQLITE_OK, "(tampered with two counters)");
    sqlite3_close(db);
    is_int(rl_store_tally_verify(p->s, &report, &err), 1,
           "the drift is found");
    {
        char want[64];

        snprintf(want, sizeof want, "candidates: kept %lld, counted %lld",
                 n + 2, n);
        ok(report != NULL && strstr(report, want) != NULL,
           "the report names the counter, kept and counted: %s",
           report ? report : "(none)");
        ok(report != NULL && strstr(report, "reviewer_done of ") != NULL
       && strstr(report, "kept 0, counted ") != NULL,
           "and the reviewer's missing one");
    }
    free(report);
    ok(rl_store_tally_recount(p->s, &err) == 0, "a recount");
    ok(!drifted(p->s, "the recount"), "mends them");
}

/* A labels import adds to the counters what it changed: here it gives a
 * label to an image whose only candidate (a model's) alice reviewed, so
 * that image is no longer reviewed, and adds an image. */
static void
test_labels_delta(void)
{
    struct fx_proj p = { 0 };

    p.path = tpath("delta.db");
    p.s = fx_project("delta.db", &p.cat);
    fx_import(p.s, p.cat, "labels", "l1.csv", "image,wnid\n"
              "img_a.JPEG,n01751748\n");
    fx_import(p.s, p.cat, "images", "i1.csv", "image,path\n"
              "img_n.JPEG,pics/1.JPEG\n");
    fx_import(p.s, p.cat, "predictions", "p1.csv", "image,model,rank,wnid\n"
              "img_n.JPEG,m1,1,n01737021\n");
    fx_import(p.s, p.cat, "reviews", "r1.csv", "image,wnid,state,reviewer\n"
              "img_n.JPEG,n01737021,correct,alice\n");
    ok(fx_q_int(p.s, "SELECT n FROM tally WHERE name = 'reviewed_images'")
       == 1, "img_n counts as reviewed");
    fx_import(p.s, p.cat, "labels", "l2.csv", "image,wnid\n"
              "img_n.JPEG,n09193705\nimg_m.JPEG,n09193705\n");
    ok(fx_q_int(p.s, "SELECT coalesce((SELECT n FROM tally WHERE name ="
                " 'reviewed_images'), 0)") == 0,
       "its new label is an open candidate: not reviewed");
    ok(fx_q_int(p.s, "SELECT n FROM tally WHERE name = 'candidates'") == 4
       && fx_q_int(p.s, "SELECT n FROM tally WHERE name = 'images'") == 3
       && fx_q_int(p.s, "SELECT n FROM tally WHERE name = 'with_path'")
       == 1, "candidates, images and paths as counted");
    ok(!drifted(p.s, "a labels import"), "every counter equals its count");
    fx_proj_close(&p);
    free(p.path);
}

int
main(void)
{
    struct fx_proj p = { 0 };

    predpack_register_all();

    strcpy(tmpdir, "/tmp/rl-tally-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    {
        char *dir = tpath("pics"), f[32];
        int i;

        mkdir(dir, 0755);
        free(dir);
        for (i = 0; i < 9; i++) {
            snprintf(f, sizeof f, "pics/%d.JPEG", i);
            spew(f, "");
        }
        spew("pics/x.JPEG", "");
    }
    fx_proj_make(&p, "p.db");
    rl_store_set_wait(p.s, 0, NULL, NULL);
    test_property(&p);
    stats_are_counts(p.s, "after the mix");
    test_migrate_v4(&p);
    test_migrate_v3();
    test_tamper(&p);
    test_labels_delta();
    fx_proj_close(&p);
    free(p.path);
    nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
