/* test_log.c - the review log (src/core/log.c) through its callers: every
 * step kind (mark, bulk, adjudication, undo, redo, import, merge) leaves
 * a step and events; undo and redo never clobber a value changed since
 * (they keep it and name the step that set it); and the event log replays
 * to the tables, checked after each step of random mixes of marks,
 * bulks, undos, redos, imports and merges by three reviewers. Timings an
 * import or a merge brings meet stored ones under one rule. */
#include "relabel/review.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/team.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"
#include "../../src/core/internal.h"
#include "../../src/core/log.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif

static const char *const IMAGES[] = { "img_a.JPEG", "img_b.JPEG",
                                      "img_c.JPEG" };
static const char *const WNIDS[] = { "n01751748", "n01737021", "n01728572",
                                     "n09193705", "n09468604", "n01440764" };
static const char *const WHO[] = { "alice", "bob", "carol" };

/* Undo and redo events (after the event id saved as meta test_mark)
 * whose `before` is not the value the previous event on that value left:
 * an undo that clobbered a later change. Checked per action, as merged
 * copies interleave two histories. */
#define NORM(v) "CASE WHEN e.field IN ('problematic', 'done') THEN" \
    " coalesce(nullif(" v ", ''), '0') WHEN e.field = 'main' THEN" \
    " coalesce(nullif(" v ", '0'), '') ELSE coalesce(" v ", '') END"
static const char SQL_CLOBBERED[] =
    "SELECT count(*) FROM event e JOIN step s ON s.id = e.step"
    " WHERE e.id > (SELECT value FROM meta WHERE key = 'test_mark')"
    " AND s.kind IN ('undo', 'redo') AND e.field <> 'candidate'"
    " AND " NORM("e.before") " IS NOT coalesce((SELECT " NORM("p.after")
    "  FROM event p JOIN step ps ON ps.id = p.step WHERE p.id < e.id"
    "  AND p.image = e.image AND p.class IS e.class AND p.field = e.field"
    "  AND ps.reviewer = s.reviewer ORDER BY p.id DESC LIMIT 1),"
    "  " NORM("NULL") ")";

/* Steps whose row does not hold the first and last id of their events
 * (ev_first, ev_last; NULL for a step without events). */
static const char SQL_BAD_RANGES[] =
    "SELECT count(*) FROM step s WHERE ev_first IS NOT (SELECT min(id)"
    " FROM event e WHERE e.step = s.id) OR ev_last IS NOT (SELECT max(id)"
    " FROM event e WHERE e.step = s.id)";

static rl_image *
load(struct fx_proj *p, const char *who, const char *name)
{
    rl_err err;
    rl_image *img = rl_image_load(p->s, p->cat, who, rl_image_find(p->s,
                                  name), &err);

    if (img == NULL)
        die("load", &err);
    return img;
}

static size_t
pos_of(const rl_image *img, const char *wnid)
{
    size_t i;

    for (i = 0; i < img->n; i++)
        if (strcmp(img->cand[i].cls->wnid, wnid) == 0)
            return i;
    return SIZE_MAX;
}

static int
import_text(struct fx_proj *p, const char *text, rl_import_result *res,
            rl_err *err)
{
    char *f;
    int rc;

    spew("rev.csv", text);
    f = tpath("rev.csv");
    rc = rl_import_reviews(p->s, p->cat, f, NULL, res, err);
    free(f);
    return rc;
}

static void
test_kinds(struct fx_proj *p)
{
    rl_image *img = load(p, "alice", "img_a.JPEG");
    rl_import_result res;
    rl_merge_report rep;
    struct fx_proj copy = { 0 };
    rl_err err;
    int64_t id;
    char *cmd;

    ok(rl_review_set(p->s, img, "alice", 0, RL_STATE_CORRECT, &err) == 0,
       "mark");
    ok(rl_review_set_rest(p->s, img, "alice", RL_STATE_WRONG, &err) == 2,
       "bulk");
    rl_store_set_adjudicator(p->s, true);
    rl_image_free(img);
    img = load(p, "dora", "img_a.JPEG");
    ok(rl_review_set(p->s, img, "dora", 0, RL_STATE_UNCLEAR, &err) == 0,
       "adjudication");
    rl_store_set_adjudicator(p->s, false);
    rl_image_free(img);
    ok(rl_review_undo(p->s, "alice", &id, &err) == 1, "undo");
    ok(rl_review_redo(p->s, "alice", &id, &err) == 1, "redo");
    ok(import_text(p, "image,wnid,state,reviewer\n"
                   "img_b.JPEG,n09193705,correct,bob\n", &res, &err) == 0,
       "import: %s", err.msg);

    /* A copy where carol works, merged back. */
    fx_proj_close(p);
    copy.path = tpath("copy.db");
    cmd = rl_xasprintf("cp %s %s", p->path, copy.path);
    ok(system(cmd) == 0, "copy the project");
    free(cmd);
    fx_proj_open(p);
    fx_proj_open(&copy);
    img = load(&copy, "carol", "img_c.JPEG");
    ok(rl_review_set(copy.s, img, "carol", 0, RL_STATE_WRONG, &err) == 0,
       "carol marks in the copy");
    rl_image_free(img);
    fx_proj_close(&copy);
    ok(rl_merge(p->s, copy.path, NULL, &rep, &err) == 0
       && rep.reviews == 1, "merge: %s", err.msg);
    free(copy.path);

    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE kind = 'do' AND"
                 " what = 'mark'"), 2, "mark steps (alice's, carol's merged)");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE what = 'bulk'"), 1,
           "bulk step");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE what = 'adjudicate'"
                 " AND reviewer = 'dora'"), 1, "adjudication step");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review WHERE reviewer = 'dora'"
                 " AND role = 'adjudicator'"), 1, "adjudicator role stored");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE kind = 'undo'"), 1,
           "undo step");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE kind = 'redo'"), 1,
           "redo step");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step s WHERE kind = 'import'"
                 " AND reviewer = 'bob' AND EXISTS (SELECT 1 FROM event e"
                 " WHERE e.step = s.id)"), 1, "import step with its event");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review WHERE reviewer ="
                 " 'carol'"), 1, "merged verdict");
    is_int(fx_replay_diff(p->s), 0, "after every kind: the log replays to the "
           "tables");
    is_int(fx_q_int(p->s, SQL_BAD_RANGES), 0, "after every kind: each step "
           "row holds the first and last id of its events");
}

/* Alice marks; an import changes her verdict; her undo keeps it. */
static void
test_conflict_undo(struct fx_proj *p)
{
    rl_image *img = load(p, "erin", "img_b.JPEG");
    size_t k = pos_of(img, "n09468604");
    rl_import_result res;
    rl_err err;
    int64_t id;

    ok(rl_review_set(p->s, img, "erin", k, RL_STATE_CORRECT, &err) == 0,
       "erin marks valley Correct");
    ok(rl_review_set(p->s, img, "erin", pos_of(img, "n09193705"),
                     RL_STATE_CORRECT, &err) == 0, "and alp Correct");
    rl_image_free(img);
    ok(import_text(p, "image,wnid,state,reviewer\n"
                   "img_b.JPEG,n09193705,wrong,erin\n", &res, &err) == 0
       && res.changed == 1, "an import sets her alp verdict to Wrong");
    ok(rl_review_undo(p->s, "erin", &id, &err) == 1, "erin undoes");
    ok(strstr(err.msg, "n09193705") != NULL
       && strstr(err.msg, "import rev.csv") != NULL
       && strstr(err.msg, "erin") != NULL && err.code == RL_E_OK,
       "the undo names the kept value and the import: %s", err.msg);
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review r JOIN class c ON c.id ="
                 " r.class WHERE r.reviewer = 'erin' AND c.wnid ="
                 " 'n09193705' AND r.state = 'wrong'"), 1,
           "the imported Wrong is kept, not deleted");
    is_int(fx_replay_diff(p->s), 0, "and the log still replays to the table");
    ok(rl_review_undo(p->s, "erin", &id, &err) == 1 && err.msg[0] == '\0',
       "the older mark undoes cleanly");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review r WHERE r.reviewer ="
                 " 'erin'"), 1, "valley verdict removed, alp kept");
    ok(rl_review_redo(p->s, "erin", &id, &err) == 1, "redo");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review r WHERE r.reviewer ="
                 " 'erin'"), 2, "valley back");
    ok(rl_review_redo(p->s, "erin", &id, &err) == 1
       && strstr(err.msg, "n09193705") != NULL,
       "redoing the alp mark keeps the import's Wrong too: %s", err.msg);
    is_int(fx_q_int(p->s, "SELECT count(*) FROM review r JOIN class c ON c.id ="
                 " r.class WHERE r.reviewer = 'erin' AND c.wnid ="
                 " 'n09193705' AND r.state = 'wrong'"), 1, "still Wrong");
    is_int(fx_replay_diff(p->s), 0, "log replays to the table");
}

/* Two adjudicators on one pair, Wrong then Correct: every consumer of the
 * consensus (export, consensus, the queue's filter) says Correct. */
static void
test_two_adjudicators(struct fx_proj *p)
{
    rl_consensus_opts co = { .rule = RL_CONSENSUS_MAJORITY };
    rl_consensus c = { 0 };
    rl_image *img;
    const rl_cpair *pair;
    size_t k, len = 0;
    char *buf = NULL;
    FILE *out;
    rl_err err;
    bool open = true;

    rl_store_set_adjudicator(p->s, true);
    img = load(p, "judge1", "img_c.JPEG");
    k = pos_of(img, "n01440764");
    ok(rl_review_set(p->s, img, "judge1", k, RL_STATE_WRONG, &err) == 0,
       "judge1 adjudicates tench Wrong");
    rl_image_free(img);
    img = load(p, "judge2", "img_c.JPEG");
    ok(rl_review_set(p->s, img, "judge2", k, RL_STATE_CORRECT, &err) == 0,
       "judge2, later, Correct");
    rl_image_free(img);
    rl_store_set_adjudicator(p->s, false);

    ok(rl_consensus_compute(p->s, &co, &c, &err) == 0, "consensus");
    pair = rl_consensus_find(&c, rl_image_find(p->s, "img_c.JPEG"),
                             rl_catalog_by_wnid(p->cat, "n01440764")->id);
    ok(pair != NULL && pair->state == RL_STATE_CORRECT,
       "consensus: the later adjudication is final");
    rl_consensus_free(&c);
    out = open_memstream(&buf, &len);
    ok(rl_export(p->s, p->cat, RL_EXPORT_WIDE, NULL, out, &err) == 0,
       "wide export");
    fclose(out);
    ok(buf != NULL && strstr(buf, "img_c.JPEG,n02085620,n01440764") != NULL,
       "the wide export says Correct too (not Unclear)");
    if (buf != NULL && strstr(buf, "img_c.JPEG") != NULL)
        printf("# %.*s\n", (int)strcspn(strstr(buf, "img_c.JPEG"), "\n"),
               strstr(buf, "img_c.JPEG"));
    free(buf);
    ok(rl_consensus_image_disputed(p->s, rl_image_find(p->s, "img_c.JPEG"),
                                   true, &open, &err) == 0 && !open,
       "and the queue's filter sees no open disagreement");
}

static uint64_t rng = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
    return fx_rnd(&rng, n);
}

/* One random action by a random reviewer on `p`; a short description in
 * `what`. -1 when it failed. */
static int
random_action(struct fx_proj *p, char *what, size_t size)
{
    static const rl_state states[] = { RL_STATE_NONE, RL_STATE_CORRECT,
                                       RL_STATE_WRONG, RL_STATE_UNCLEAR,
                                       RL_STATE_DONT_KNOW };
    const char *who = WHO[rnd(3)];
    const char *name = IMAGES[rnd(3)];
    unsigned op = rnd(10);
    rl_err err;
    int64_t id;
    int rc = 0;

    rl_err_clear(&err);
    if (op < 4) {
        rl_image *img = load(p, who, name);
        size_t i = rnd((unsigned)img->n);
        rl_state st = states[rnd(5)];

        snprintf(what, size, "%s marks %s #%zu %s", who, name, i,
                 rl_state_name(st));
        rc = rl_review_set(p->s, img, who, i, st, &err);
        rl_image_free(img);
    } else if (op == 4) {
        rl_image *img = load(p, who, name);

        snprintf(what, size, "%s bulk %s", who, name);
        rc = rl_review_set_rest(p->s, img, who, RL_STATE_WRONG, &err) < 0
             ? -1 : 0;
        if (rc == 0 && rnd(2))
            rc = rl_review_set_problematic(p->s, img, who,
                                           !img->problematic, &err);
        rl_image_free(img);
    } else if (op < 7) {
        snprintf(what, size, "%s undo", who);
        rc = rl_review_undo(p->s, who, &id, &err) < 0 ? -1 : 0;
    } else if (op < 9) {
        snprintf(what, size, "%s redo", who);
        rc = rl_review_redo(p->s, who, &id, &err) < 0 ? -1 : 0;
    } else {
        char text[256];
        rl_import_result res;

        snprintf(text, sizeof text, "image,wnid,state,reviewer,problematic\n"
                 "%s,%s,%s,%s,%u\n", name, WNIDS[rnd(6)],
                 rl_state_name(states[1 + rnd(4)]), who, rnd(2));
        snprintf(what, size, "import %.150s", text + 37);
        rc = import_text(p, text, &res, &err);
    }
    if (rc != 0)
        printf("# %s: %s\n", what, err.msg);
    return rc;
}

static void
test_property(struct fx_proj *p)
{
    struct fx_proj copy = { 0 };
    char what[200];
    int round, i, bad_steps = 0, failed = 0, clobbers = 0;
    char *cmd;

    copy.path = tpath("prop_copy.db");
    for (round = 0; round < 6; round++) {
        /* Work on a fresh copy and here, then merge the copy in. */
        fx_proj_close(p);
        cmd = rl_xasprintf("rm -f %s-wal %s-shm; cp %s %s", copy.path,
                           copy.path, p->path, copy.path);
        if (system(cmd) != 0)
            failed++;
        free(cmd);
        fx_proj_open(p);
        fx_proj_open(&copy);
        for (i = 0; i < 25; i++) {
            struct fx_proj *on = rnd(2) ? p : &copy;

            char mark[32];
            rl_err err;

            snprintf(mark, sizeof mark, "%lld", fx_q_int(on->s, "SELECT"
                     " coalesce(max(id), 0) FROM event"));
            if (rl_store_meta_set(on->s, "test_mark", mark, &err) != 0)
                failed++;
            if (random_action(on, what, sizeof what) != 0)
                failed++;
            if (fx_q_int(on->s, SQL_CLOBBERED) != 0 && clobbers++ < 3)
                printf("# clobbered a later value: %s\n", what);
            if (fx_replay_diff(on->s) != 0) {
                if (bad_steps++ < 3)
                    printf("# log and tables differ after: %s\n", what);
            }
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
        if (fx_replay_diff(p->s) != 0 && bad_steps++ < 3)
            printf("# log and tables differ after merge %d\n", round);
    }
    is_int(failed, 0, "300 random marks, bulks, undos, redos, imports and "
           "6 merges by 3 reviewers all succeed");
    is_int(bad_steps, 0, "after each, the event log replays to the tables");
    is_int(clobbers, 0, "no undo or redo overwrote a value changed after "
           "the step it reverted");
    ok(fx_q_int(p->s, "SELECT count(DISTINCT reviewer) FROM review WHERE"
             " reviewer IN ('alice', 'bob', 'carol')") == 3,
       "all three reviewers have verdicts");
    free(copy.path);
}

/* What the progress callback of test_mark_meanwhile does: a mark by
 * dora through a second connection while the import still reads. */
struct meanwhile {
    struct fx_proj *p;
    int marks;
};

static void
mark_meanwhile(void *ctx, const char *path, long rows)
{
    struct meanwhile *m = ctx;
    rl_store *s;
    rl_catalog *cat;
    rl_image *img;
    rl_err err;

    (void)path;
    if (rows != 5000 || m->marks > 0)
        return;
    s = rl_store_open(m->p->path, 0, &err);
    cat = s != NULL ? rl_catalog_load(s, &err) : NULL;
    img = cat != NULL ? rl_image_load(s, cat, "dora", rl_image_find(s,
                                      "img_c.JPEG"), &err) : NULL;
    if (img != NULL && rl_review_set(s, img, "dora", pos_of(img,
                                     "n01440764"), RL_STATE_UNCLEAR,
                                     &err) == 0)
        m->marks++;
    rl_image_free(img);
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* An import reads without the write lock; a mark made meanwhile on a
 * value it sets is logged as the import's event's `before`, so the log
 * still explains every value. The file's 6,000 rows: dora's verdict,
 * then a verdict each by 5,999 other reviewers on the same candidate;
 * counted new / changed / unchanged against the project as read. */
static void
test_mark_meanwhile(struct fx_proj *p)
{
    struct meanwhile m = { p, 0 };
    rl_import_opts o = { .progress = mark_meanwhile, .ctx = &m };
    rl_import_result res;
    rl_buf b = {0};
    rl_err err;
    char *f;
    int i;

    rl_buf_adds(&b, "image,wnid,state,reviewer\n"
                "img_c.JPEG,n01440764,wrong,dora\n");
    for (i = 1; i < 6000; i++)
        rl_buf_printf(&b, "img_c.JPEG,n01440764,correct,bot%d\n", i);
    spew("meanwhile.csv", rl_buf_str(&b));
    rl_buf_free(&b);
    f = tpath("meanwhile.csv");
    ok(rl_import_reviews(p->s, p->cat, f, &o, &res, &err) == 0,
       "an import with a mark made while it reads: %s", err.msg);
    free(f);
    is_int(m.marks, 1, "(dora marked Unclear meanwhile)");
    is_int(res.created, 6000, "every row counted new, as the file was read");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM event e JOIN step s ON"
                 " s.id = e.step WHERE s.kind = 'import' AND s.reviewer ="
                 " 'dora' AND e.field = 'state' AND e.before = 'unclear'"
                 " AND e.after = 'wrong'"), 1,
           "the import's event says it changed her Unclear to Wrong");
    is_int(fx_q_int(p->s, "SELECT count(*) FROM step WHERE kind = 'import'"
                 " AND what = 'import meanwhile.csv'"), 6000,
           "one import step per reviewer");
    is_int(fx_replay_diff(p->s), 0, "the log replays to the tables");
}

/* What the progress callback of test_candidate_gone does: the class a
 * reviewer added, taken back (as undo deletes it) by a second connection
 * while the import still reads. */
static void
take_back_meanwhile(void *ctx, const char *path, long rows)
{
    struct meanwhile *m = ctx;
    sqlite3 *db;

    (void)path;
    if (rows != 5000 || m->marks > 0)
        return;
    if (sqlite3_open(m->p->path, &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        if (sqlite3_exec(db, "DELETE FROM candidate WHERE n_models = 0"
                         " AND added_by = 'dora'", NULL, NULL, NULL)
            == SQLITE_OK && sqlite3_changes(db) == 1)
            m->marks++;
    }
    sqlite3_close(db);
}

/* The apply writes with the foreign keys off; when the project changed
 * since the file was read, a verdict whose candidate went meanwhile
 * still fails the import as the foreign key would, and nothing of it is
 * stored. */
static void
test_candidate_gone(void)
{
    struct fx_proj p = { 0 };
    struct meanwhile m = { &p, 0 };
    rl_import_opts o = { .progress = take_back_meanwhile, .ctx = &m };
    rl_import_result res;
    rl_buf b = {0};
    rl_err err;
    sqlite3 *db;
    char *f;
    int i;

    fx_proj_make(&p, "gone.db");
    ok(sqlite3_open(p.path, &db) == SQLITE_OK
       && sqlite3_exec(db, "INSERT INTO candidate(image, class, n_models,"
                       " added_by) SELECT i.id, c.id, 0, 'dora' FROM image i,"
                       " class c WHERE i.name = 'img_a.JPEG'"
                       " AND c.wnid = 'n15075141'", NULL, NULL, NULL)
          == SQLITE_OK, "dora added a class to img_a");
    sqlite3_close(db);
    rl_buf_adds(&b, "image,wnid,state,reviewer\n");
    for (i = 0; i < 6000; i++)
        rl_buf_printf(&b, "img_a.JPEG,n15075141,correct,bot%d\n", i);
    spew("gone.csv", rl_buf_str(&b));
    rl_buf_free(&b);
    f = tpath("gone.csv");
    ok(rl_import_reviews(p.s, p.cat, f, &o, &res, &err) == -1
       && strstr(err.msg, "gone.csv:2: importing the reviews: FOREIGN KEY"
                 " constraint failed") != NULL,
       "a verdict on a candidate taken back meanwhile fails: %s", err.msg);
    free(f);
    is_int(m.marks, 1, "(the class was taken back meanwhile)");
    is_int(fx_q_int(p.s, "SELECT count(*) FROM review"), 0,
           "no verdict of the file is stored");
    is_int(fx_q_int(p.s, "SELECT count(*) FROM step"), 0,
           "no import step either");
    fx_proj_close(&p);
    free(p.path);
}

/* Timings brought in by an import and by a merge meet stored ones under
 * one rule (log.c's SQL_TIMING_MERGE): the earliest first look, the
 * latest change - none stays none - and the longer attention. */
static void
test_timings(void)
{
    static const char head[] =
        "image,wnid,state,reviewer,first_shown,last_change,active_ms\n";
    struct fx_proj p = { 0 }, copy = { 0 };
    rl_import_result res;
    rl_merge_report rep;
    rl_err err;
    char *cmd, *text;

    fx_proj_make(&p, "timing.db");
    text = rl_xasprintf("%simg_a.JPEG,,,ann,1000,,50\n"
                        "img_b.JPEG,,,ann,2000,2500,70\n", head);
    ok(import_text(&p, text, &res, &err) == 0 && res.timings == 2
       && res.created == 2, "import: two new timings: %s", err.msg);
    free(text);
    is_int(fx_q_int(p.s, "SELECT count(*) FROM flag"), 0,
           "rows of a timing alone store no flag");

    /* A copy looked at img_a earlier, with less attention and no change;
     * its img_b timing is within this one's. */
    fx_proj_close(&p);
    copy.path = tpath("timing-copy.db");
    cmd = rl_xasprintf("cp %s %s", p.path, copy.path);
    ok(system(cmd) == 0, "copy the project");
    free(cmd);
    fx_proj_open(&p);
    fx_proj_open(&copy);
    text = rl_xasprintf("%simg_a.JPEG,,,ann,500,,40\n"
                        "img_b.JPEG,,,ann,2100,2400,60\n", head);
    ok(import_text(&copy, text, &res, &err) == 0 && res.timings == 1
       && res.changed == 1 && res.unchanged == 1,
       "import over stored timings: one extended, one held");
    free(text);
    is_int(fx_q_int(copy.s, "SELECT first_shown * 1000 + active_ms FROM"
                    " timing WHERE image = 1"), 500050,
           "import: the earlier look, the longer attention kept");
    fx_proj_close(&copy);
    ok(rl_merge(p.s, copy.path, NULL, &rep, &err) == 0 && rep.timings == 1,
       "merge: one timing extended: %s", err.msg);
    is_int(fx_q_int(p.s, "SELECT count(*) FROM timing WHERE image = 1"
                    " AND first_shown = 500 AND last_change IS NULL"
                    " AND active_ms = 50"), 1,
           "merge: the earlier look, no change stays none, the longer "
           "attention");
    is_int(fx_q_int(p.s, "SELECT first_shown * 10000 + last_change FROM"
                    " timing WHERE image = 2"), 20002500,
           "merge: a timing within the stored one changes nothing");
    ok(rl_merge(p.s, copy.path, NULL, &rep, &err) == 0 && rep.timings == 0,
       "merging again: no timing changes");

    /* The same rule from an import, after the merge; a dry run first
     * counts it and stores nothing. */
    text = rl_xasprintf("%simg_a.JPEG,,,ann,700,900,80\n", head);
    {
        rl_import_opts o = { .dry_run = true };
        char *f;

        spew("dry.csv", text);
        f = tpath("dry.csv");
        ok(rl_import_reviews(p.s, p.cat, f, &o, &res, &err) == 0
           && res.timings == 1 && res.changed == 1, "dry run: counted");
        free(f);
        is_int(fx_q_int(p.s, "SELECT last_change IS NULL FROM timing"
                        " WHERE image = 1"), 1, "dry run: nothing stored");
    }
    ok(import_text(&p, text, &res, &err) == 0 && res.timings == 1,
       "import after the merge: %s", err.msg);
    free(text);
    is_int(fx_q_int(p.s, "SELECT count(*) FROM timing WHERE image = 1"
                    " AND first_shown = 500 AND last_change = 900"
                    " AND active_ms = 80"), 1,
           "import: the change and the longer attention taken");
    free(copy.path);
    fx_proj_close(&p);
    free(p.path);
}

/* Schema 7 codes: every state and role goes through its code and back
 * (C and SQL agree), every field and the values events hold come back as
 * the text they were logged as (codes where exact, text otherwise), and
 * a code outside the set is refused by the tables. */
static void
test_codes(void)
{
    static const char *const fields[] = { "state", "problematic", "done",
        "main", "note", "role", "candidate" };
    static const char *const values[] = { "correct", "wrong", "unclear",
        "dont_know", "reviewer", "adjudicator", "0", "1", "971", "0012",
        "-3", "", " 1", "1.5", "5", "01", "blurry, 5", "alice", "bogus" };
    static const char *const refused[] = {
        "INSERT INTO review(image, class, reviewer, state_code, updated_at)"
        " VALUES(1, 1, 'x', 4, 0)",
        "INSERT INTO review(image, class, reviewer, state_code, updated_at,"
        " role_code) VALUES(1, 1, 'x', 0, 0, 2)",
        "INSERT INTO event(step, image, field_code) VALUES(1, 1, 7)",
        "INSERT INTO event(step, image, field_code, after_code)"
        " VALUES(1, 1, 0, 4)",
        "INSERT INTO event(step, image, field_code, before_code)"
        " VALUES(1, 1, 5, 2)",
    };
    struct fx_proj q = { 0 };
    log_step sp;
    sqlite3_stmt *st;
    rl_err err;
    size_t f, v, bad = 0, coded = 0;
    int i;

    for (i = RL_STATE_CORRECT; i < RL_STATE_COUNT; i++)
        ok(log_state_code((rl_state)i) == i - 1, "%s has code %d",
           rl_state_name((rl_state)i), i - 1);
    is_int(log_state_code(RL_STATE_NONE), -1, "no state has no code");
    is_int(log_role_code("reviewer"), 0, "reviewer has code 0");
    is_int(log_role_code("adjudicator"), 1, "adjudicator has code 1");
    is_int(log_role_code("boss"), -1, "an unknown role has no code");
    is_int(log_role_code(NULL), -1, "no role has no code");

    fx_proj_make(&q, "codes.db");
    /* The SQL of the schema names the same codes. */
    if (sqlite3_prepare_v2(q.s->db, "SELECT " RL_SQL_STATE_NAME("?1") ", "
                           RL_SQL_STATE_CODE(RL_SQL_STATE_NAME("?1")) ", "
                           RL_SQL_ROLE_NAME("?1") ", "
                           RL_SQL_ROLE_CODE(RL_SQL_ROLE_NAME("?1")), -1,
                           &st, NULL) == SQLITE_OK) {
        for (i = 0; i < 5; i++) {
            const char *name;

            sqlite3_bind_int(st, 1, i);
            sqlite3_step(st);
            name = (const char *)sqlite3_column_text(st, 0);
            if (i < 4)
                ok(name != NULL && log_state_code((rl_state)(i + 1)) == i
                   && strcmp(name, rl_state_name((rl_state)(i + 1))) == 0
                   && sqlite3_column_int(st, 1) == i,
                   "state code %d is %s in SQL too", i, name ? name : "?");
            else
                ok(name == NULL, "state code 4 names nothing");
            name = (const char *)sqlite3_column_text(st, 2);
            if (i < 2)
                ok(name != NULL && log_role_code(name) == i
                   && sqlite3_column_int(st, 3) == i,
                   "role code %d is %s in SQL too", i, name ? name : "?");
            else if (i == 2)
                ok(name == NULL, "role code 2 names nothing");
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    /* Every field with every value, logged and read back. */
    if (log_begin(q.s, &sp, LOG_MARK, "alice", "mark", 0, &err) != 0)
        die("step", &err);
    for (f = 0; f < sizeof fields / sizeof *fields; f++)
        for (v = 0; v < sizeof values / sizeof *values; v++)
            if (store_event(q.s, sp.id, 1, 0, fields[f], values[v], NULL,
                            &err) != 0
                || store_event(q.s, sp.id, 1, 0, fields[f], NULL, values[v],
                               &err) != 0)
                die("event", &err);
    if (log_end(&sp, 0, &err) != 0)
        die("step end", &err);
    if (sqlite3_prepare_v2(q.s->db, "SELECT field, before, after,"
                           " typeof(before_code), typeof(after_code)"
                           " FROM event WHERE step = ?1 ORDER BY id", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, sp.id);
        for (f = 0; f < sizeof fields / sizeof *fields; f++)
            for (v = 0; v < 2 * (sizeof values / sizeof *values); v++) {
                const char *want = values[v / 2], *fl, *got;

                if (sqlite3_step(st) != SQLITE_ROW) {
                    bad++;
                    continue;
                }
                fl = (const char *)sqlite3_column_text(st, 0);
                got = (const char *)sqlite3_column_text(st, v % 2 ? 2 : 1);
                if (fl == NULL || strcmp(fl, fields[f]) != 0 || got == NULL
                    || strcmp(got, want) != 0
                    || sqlite3_column_type(st, v % 2 ? 1 : 2) != SQLITE_NULL)
                    bad++;
                coded += strcmp((const char *)sqlite3_column_text(st,
                                v % 2 ? 4 : 3), "integer") == 0;
            }
        sqlite3_finalize(st);
    }
    is_int((long long)bad, 0, "every field and value comes back as logged");
    /* Codes: 4 states, 2 roles; 0 1 971 -3 5 for problematic, done, main. */
    is_int((long long)coded, 2 * (4 + 2 + 3 * 5),
           "state and role names and whole numbers are stored as codes");
    ok(store_event(q.s, sp.id, 1, 0, "colour", "red", NULL, &err) != 0,
       "an unknown field is refused: %s", err.msg);
    for (i = 0; i < (int)(sizeof refused / sizeof *refused); i++) {
        char *msg = NULL;

        ok(sqlite3_exec(q.s->db, refused[i], NULL, NULL, &msg) != SQLITE_OK,
           "refused: %s (%s)", refused[i], msg ? msg : "stored");
        sqlite3_free(msg);
    }
    fx_proj_close(&q);
    free(q.path);
}

/* The whole of text file `path`, or NULL; the caller frees it. */
static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    rl_buf b = {0};
    int c;

    if (f == NULL)
        return NULL;
    rl_buf_adds(&b, "");
    while ((c = getc(f)) != EOF)
        rl_buf_addc(&b, (char)c);
    fclose(f);
    return b.data;
}

/* A digest of the project's tables and log through a connection of its
 * own, without times and step uids; each step's events in key order (an
 * import writes its events set by set, in no order that means anything).
 * The caller frees it. */
static char *
log_digest(const char *path)
{
    static const char *const sql[] = {
        "SELECT i.name, k.wnid, r.reviewer, r.state, r.role FROM review r"
        " JOIN image i ON i.id = r.image JOIN class k ON k.id = r.class"
        " ORDER BY 1, 2, 3",
        "SELECT i.name, f.reviewer, f.problematic, f.note, (SELECT wnid FROM"
        " class WHERE id = f.main), f.done FROM flag f JOIN image i"
        " ON i.id = f.image ORDER BY 1, 2",
        "SELECT i.name, k.wnid, c.n_models, c.rank_sum, c.added_by"
        " FROM candidate c JOIN image i ON i.id = c.image"
        " JOIN class k ON k.id = c.class ORDER BY 1, 2",
        "SELECT id, reviewer, kind, target, what FROM step ORDER BY id",
        "SELECT e.step, i.name, coalesce(k.wnid, '-'), e.field, e.before,"
        " typeof(e.before), e.after, typeof(e.after) FROM event e"
        " JOIN image i ON i.id = e.image LEFT JOIN class k ON k.id = e.class"
        " ORDER BY e.step, 2, 3, e.field, e.id",
    };
    sqlite3 *db;
    sqlite3_stmt *st;
    rl_buf b = {0};
    size_t q;

    rl_buf_adds(&b, "");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return b.data;
    for (q = 0; q < sizeof sql / sizeof *sql; q++) {
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) {
            rl_buf_printf(&b, "error: %s\n", sqlite3_errmsg(db));
            continue;
        }
        fx_rows_text(st, &b);
        sqlite3_finalize(st);
        rl_buf_adds(&b, "--\n");
    }
    sqlite3_close(db);
    return b.data;
}

/* A live mark, an import of verdicts (roles, a class added by another
 * reviewer), flags, notes that look like numbers, a main object and a
 * confirmation, then the live mark undone and redone: the tables and the
 * log are those relabel wrote before schema 7 (tests/data/log/
 * import_undo_redo.txt, written by the schema-6 code with this same
 * test), read through the generated columns. */
static void
test_import_undo_redo(void)
{
    struct fx_proj q = { 0 };
    rl_import_result res;
    rl_image *img;
    rl_err err;
    int64_t id;
    char *got, *want;

    fx_proj_make(&q, "iur.db");
    img = load(&q, "alice", "img_a.JPEG");
    ok(rl_review_set(q.s, img, "alice", pos_of(img, "n01728572"),
                     RL_STATE_CORRECT, &err) == 0, "a live mark");
    rl_image_free(img);
    ok(import_text(&q, "image,wnid,state,reviewer,role,added_by,main,"
                   "problematic,note,done\n"
                   "img_a.JPEG,n01737021,wrong,alice,,,,1,\"blurry, 5\",\n"
                   "img_a.JPEG,n01440764,unclear,bob,adjudicator,carol,1,,,\n"
                   "img_b.JPEG,n09193705,correct,bob,,,,0,01,\n"
                   "img_b.JPEG,n09468604,wrong,bob,reviewer,,,,,1\n"
                   "img_c.JPEG,n01440764,dont_know,alice,reviewer,,,,,\n"
                   "img_c.JPEG,,,alice,,,n01440764,,7,\n", &res, &err) == 0,
       "an import: %s", err.msg);
    ok(rl_review_undo(q.s, "alice", &id, &err) == 1, "the mark undone");
    ok(rl_review_redo(q.s, "alice", &id, &err) == 1, "and redone");
    is_int(fx_replay_diff(q.s), 0, "the log replays to the tables");
    is_int(fx_q_int(q.s, SQL_BAD_RANGES), 0, "each step row holds the first "
           "and last id of its events");
    got = log_digest(q.path);
    if (getenv("RL_LOG_DIGEST") != NULL)
        fputs(got, stdout);
    want = read_text(RL_TEST_DATA "/log/import_undo_redo.txt");
    is_str(got, want != NULL ? want : "(no golden file)",
           "tables and log as relabel wrote them before schema 7");
    free(got);
    free(want);
    fx_proj_close(&q);
    free(q.path);
}

int
main(void)
{
    struct fx_proj p = { 0 };

    strcpy(tmpdir, "/tmp/rl-log-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    fx_proj_make(&p, "p.db");
    test_kinds(&p);
    test_conflict_undo(&p);
    test_two_adjudicators(&p);
    test_property(&p);
    test_mark_meanwhile(&p);
    test_candidate_gone();
    test_timings();
    test_import_undo_redo();
    test_codes();
    fx_proj_close(&p);
    free(p.path);
    if (getenv("KEEP") == NULL)
        nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    else
        printf("# kept %s\n", tmpdir);
    return t_done();
}
