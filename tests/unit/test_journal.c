/* test_journal.c - the side journal of marks (src/core/journal.c): a mark
 * made while another connection holds the project's write lock is saved
 * at once to PATH-marks, shown on the reviewer's own image and queue, and
 * applied to the project in order by the review log once the lock is
 * free, with its original uid and time; after a simulated crash between
 * "applied" and "removed from the journal" it is not applied twice; an
 * undo waits for the lock; the event log still replays to the tables. */
#include "relabel/journal.h"

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
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

static const char LABELS[] =
    "image,wnid\n"
    "img_a.JPEG,n01751748\n"
    "img_b.JPEG,n09193705\n";
static const char PREDS[] =
    "image,model,rank,wnid\n"
    "img_a.JPEG,m1,1,n01737021\n"
    "img_a.JPEG,m1,2,n01728572\n"
    "img_b.JPEG,m1,1,n09468604\n";

/* Another process's writer: holds the project's write lock. */
static sqlite3 *
hold_lock(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open(path, &db) != SQLITE_OK
        || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
        != SQLITE_OK) {
        printf("Bail out! cannot take the lock: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    return db;
}

static void
release(sqlite3 *db)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
}

/* SQL on the journal file of `project`, as a separate process would. */
static int
journal_exec(const char *project, const char *sql)
{
    char *path = rl_xasprintf("%s-marks", project);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)
             == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, NULL)
             == SQLITE_OK ? 0 : -1;

    if (rc != 0)
        printf("# journal: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    free(path);
    return rc;
}

static long
pending(const char *project)
{
    rl_journal_info info;
    rl_err err;

    if (rl_journal_info_get(project, &info, &err) != 0) {
        printf("# %s\n", err.msg);
        return -1;
    }
    return info.pending;
}

static rl_image *
load(rl_store *s, const rl_catalog *cat, const char *who, const char *name)
{
    rl_err err;
    rl_image *img = rl_image_load(s, cat, who, rl_image_find(s, name), &err);

    if (img == NULL)
        die("load", &err);
    return img;
}

int
main(void)
{
    rl_catalog *cat;
    rl_store *s, *other;
    rl_image *img, *back;
    rl_queue q = { 0 };
    rl_err err;
    sqlite3 *lock;
    char *path;
    double t;
    size_t pos, i;
    int64_t shown;

    strcpy(tmpdir, "/tmp/rl-journal-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    s = fx_project("p.db", &cat);
    fx_import(s, cat, "labels", "labels.csv", LABELS);
    fx_import(s, cat, "predictions", "preds.csv", PREDS);
    path = tpath("p.db");
    rl_store_set_wait(s, 0, NULL, NULL);       /* as the review screen */
    img = load(s, cat, "alice", "img_a.JPEG");
    ok(img->n == 3, "img_a has three candidates");
    is_int(pending(path), 0, "no journal before any busy lock");

    /* ---- marks while another connection holds the lock ---------------- */
    chmod(path, 0660);                 /* a team's project: group-writable */
    lock = hold_lock(path);
    t = rl_mono_ms();
    ok(rl_review_set(s, img, "alice", 0, RL_STATE_CORRECT, &err) == 0,
       "a mark while the lock is held is saved");
    ok(rl_mono_ms() - t < 1000, "and returns at once (%.0f ms)",
       rl_mono_ms() - t);
    ok(rl_review_set_problematic(s, img, "alice", true, &err) == 0,
       "a flag too");
    ok(rl_review_set_rest(s, img, "alice", RL_STATE_WRONG, &err) == 2,
       "a bulk mark too");
    ok(rl_review_confirm(s, img, "alice", &err) == 0, "a confirmation too");
    is_int(pending(path), 4, "four steps wait in the journal");
    {
        char *jp = rl_xasprintf("%s-marks", path);
        struct stat sb;

        ok(stat(jp, &sb) == 0 && (sb.st_mode & 0777) == 0660,
           "the journal is as writable as the project (%o)",
           (unsigned)(sb.st_mode & 0777));
        free(jp);
    }
    is_int(fx_q_int(s, "SELECT count(*) FROM step WHERE reviewer = 'alice'"),
           0, "the project has none of them yet");

    back = load(s, cat, "alice", "img_a.JPEG");
    for (i = 0; i < back->n && back->cand[i].state != RL_STATE_NONE; i++)
        ;
    ok(i == back->n && back->cand[0].state == RL_STATE_CORRECT
       && back->problematic && back->done,
       "alice's image, reloaded, shows her pending marks");
    rl_image_free(back);
    back = load(s, cat, "bob", "img_a.JPEG");
    ok(back->cand[0].state == RL_STATE_NONE && !back->problematic,
       "bob's view of it does not");
    rl_image_free(back);
    ok(rl_queue_load(s, "alice", &q, &err) == 0, "queue loads");
    pos = rl_queue_find(&q, img->id);
    ok(pos != SIZE_MAX && q.items[pos].n_mine == 3
       && q.items[pos].problematic, "her queue counts them as hers");
    ok(rl_queue_load(s, "bob", &q, &err) == 0
       && q.items[rl_queue_find(&q, img->id)].n_mine == 0,
       "bob's queue does not");

    /* An undo needs the step in the project: it waits for the lock. */
    rl_store_set_wait(s, 200, NULL, NULL);
    ok(rl_review_undo(s, "alice", &shown, &err) == -1
       && err.code == RL_E_BUSY, "undo waits for the lock (gives up at the "
       "limit: %s)", err.msg);
    rl_store_set_wait(s, 0, NULL, NULL);
    is_int(pending(path), 4, "and the journal is intact");

    /* Keep a copy of the rows to put back: a crash after the project
     * commit and before they left the journal. */
    ok(journal_exec(path, "CREATE TABLE saved_p AS SELECT * FROM pending;"
                    "CREATE TABLE saved_c AS SELECT * FROM pending_change")
       == 0, "journal rows copied aside");
    ok(rl_journal_apply(s, 0, &err) == 1, "busy: apply leaves them pending");
    release(lock);

    /* ---- the lock is free: apply, in order, once --------------------- */
    ok(rl_journal_apply(s, -1, &err) == 0, "applied");
    is_int(pending(path), 0, "the journal is empty");
    is_int(fx_q_int(s, "SELECT count(*) FROM step WHERE reviewer = 'alice'"),
           4, "the project has the four steps");
    is_int(fx_q_int(s, "SELECT count(*) FROM step s JOIN event e"
                    " ON e.step = s.id WHERE s.reviewer = 'alice'"
                    " AND s.what = 'bulk'"), 2, "the bulk step's two events");
    is_int(fx_q_int(s, "SELECT count(*) FROM review WHERE reviewer = 'alice'"),
           3, "three verdicts stored");
    is_int(fx_q_int(s, "SELECT done + 2 * problematic FROM flag"
                    " WHERE reviewer = 'alice'"), 3, "flag and confirmation");
    is_int(fx_replay_diff(s), 0, "the event log replays to the tables");

    /* Crash between apply and delete: the rows come back. */
    ok(journal_exec(path, "INSERT INTO pending SELECT * FROM saved_p;"
                    "INSERT INTO pending_change SELECT * FROM saved_c") == 0,
       "applied rows put back (a crash before their removal)");
    is_int(pending(path), 4, "four steps pending again");
    /* A writable open (another process) applies what it finds. */
    if ((other = rl_store_open(path, 0, &err)) == NULL)
        die("open", &err);
    ok(rl_journal_apply(other, RL_JOURNAL_OPEN_WAIT_MS, &err) == 0,
       "another connection applies them");
    rl_store_close(other);
    is_int(pending(path), 0, "the journal is empty again");
    is_int(fx_q_int(s, "SELECT count(*) FROM step WHERE reviewer = 'alice'"),
           4, "nothing was applied twice (step.uid)");
    is_int(fx_replay_diff(s), 0, "and the log still replays");

    /* ---- a mark during an import lands after it ---------------------- */
    rl_image_free(img);
    img = load(s, cat, "alice", "img_a.JPEG");
    lock = hold_lock(path);
    ok(rl_review_set(s, img, "alice", 1, RL_STATE_UNCLEAR, &err) == 0,
       "mark during the 'import'");
    release(lock);
    /* The import's own change to the same verdict commits first... */
    fx_import(s, cat, "reviews", "rev.csv", "image,wnid,state,reviewer\n"
              "img_a.JPEG,n01728572,correct,alice\n");
    /* ... then the importer applies the journal after its commit. */
    ok(rl_journal_apply(s, -1, &err) == 0, "importer applies the journal");
    is_int(fx_q_int(s, "SELECT count(*) FROM review r JOIN class c"
                    " ON c.id = r.class WHERE r.reviewer = 'alice'"
                    " AND r.state = 'unclear'"), 1,
           "the mark, the later act, wins");
    is_int(fx_q_int(s, "SELECT count(*) FROM event e JOIN step s"
                    " ON s.id = e.step WHERE s.reviewer = 'alice'"
                    " AND e.before = 'correct' AND e.after = 'unclear'"), 1,
           "its event starts from the imported value");
    is_int(fx_replay_diff(s), 0, "the log replays after the import");

    /* Order: a journaled mark, then a direct one on the same candidate. */
    lock = hold_lock(path);
    ok(rl_review_set(s, img, "alice", 2, RL_STATE_CORRECT, &err) == 0,
       "journaled mark");
    release(lock);
    ok(rl_review_set(s, img, "alice", 2, RL_STATE_DONT_KNOW, &err) == 0,
       "direct mark once the lock is free");
    is_int(pending(path), 0, "the direct mark applied the journal first");
    is_int(fx_q_int(s, "SELECT count(*) FROM review r WHERE r.reviewer ="
                    " 'alice' AND r.state = 'dont_know'"), 1,
           "the later mark holds");
    ok(rl_review_undo(s, "alice", &shown, &err) == 1, "undo");
    is_int(fx_q_int(s, "SELECT count(*) FROM review r WHERE r.reviewer ="
                    " 'alice' AND r.state = 'dont_know'"), 0,
           "undo reverted the direct mark ...");
    is_int(fx_q_int(s, "SELECT count(*) FROM review r JOIN class c ON"
                    " c.id = r.class WHERE r.reviewer = 'alice' AND"
                    " r.state = 'correct' AND c.wnid = 'n01751748'"), 1,
           "... back to the journaled mark");
    ok(rl_review_undo(s, "alice", &shown, &err) == 1, "undo again");
    is_int(fx_replay_diff(s), 0, "the log replays after undos");

    /* Many pending steps are applied a batch at a time by an idle tick
     * and by a mark, which joins the rest in the journal, in order. */
    lock = hold_lock(path);
    for (i = 0; i < 41; i++)
        if (rl_review_set(s, img, "alice", 0, i % 2 ? RL_STATE_CORRECT
                          : RL_STATE_WRONG, &err) != 0)
            break;
    is_int(pending(path), 41, "41 marks journaled");
    release(lock);
    {
        int r = 1, k;

        /* An idle tick waits 1 ms for the lock: try a few ticks. */
        for (k = 0; k < 20 && pending(path) == 41; k++)
            r = rl_journal_apply(s, 0, &err);
        ok(r == 1 && pending(path) == 9, "an idle tick applies a batch of "
           "32 (returns %d, %ld left)", r, pending(path));
    }
    ok(rl_review_set(s, img, "alice", 1, RL_STATE_WRONG, &err) == 0
       && pending(path) == 0, "the next mark applies the rest, then itself");
    is_int(fx_q_int(s, "SELECT count(*) FROM review r JOIN class c ON"
                    " c.id = r.class WHERE r.reviewer = 'alice' AND"
                    " r.state = 'wrong' AND c.wnid = 'n01737021'"), 1,
           "the last of the 41 holds");
    is_int(fx_replay_diff(s), 0, "the log replays after the batches");

    rl_queue_free(&q);
    rl_image_free(img);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(path);
    if (getenv("KEEP") == NULL)
        nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
