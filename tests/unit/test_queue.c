/* test_queue.c - the lazy review queue (rl_queue_open, rl_queue_fill,
 * on-demand fills in rl_queue_at and rl_queue_step) gives the same
 * answers as the complete queue the old single query loaded: on seeded
 * random projects (names not in id order, three reviewers who disagree,
 * flags, sometimes assignments), every item, every filter's count and
 * rank, every step from every position both ways, find, and the orders
 * (sorted in memory, and opened from the keys the imports store, also
 * when those are stale);
 * also after marks made while the queue was half filled. */
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
#include "relabel/order.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

static uint64_t rng;

static unsigned
rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

static const char *const REVIEWERS[] = { "ann", "bob", "cy" };
/* Verdicts are stored as codes (schema 7): correct 0, wrong 1, unclear 2,
 * dont_know 3. */

static void
exec_sql(sqlite3 *h, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        printf("Bail out! %s: %s\n", sql, msg);
        exit(1);
    }
}

/* A random project of `n` images at tmpdir/name: labels and predictions
 * imported as a user would, then reviews, flags and (with `assign`)
 * assignments of some images to ann written in SQL. */
static void
make_project(const char *name, unsigned n, bool assign)
{
    rl_catalog *cat;
    rl_store *s = fx_project(name, &cat);
    rl_buf lab = {0}, pred = {0};
    char *path = tpath(name), *sql;
    sqlite3 *h;
    sqlite3_stmt *st;
    unsigned i, k, m;
    rl_err err;
    char wnid[64][16];
    unsigned n_wnid = 0;

    if (sqlite3_open(path, &h) != SQLITE_OK)
        exit(1);
    sqlite3_prepare_v2(h, "SELECT wnid FROM class WHERE idx IS NOT NULL"
                       " ORDER BY idx LIMIT 12", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && n_wnid < 64)
        snprintf(wnid[n_wnid++], sizeof wnid[0], "%s",
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);

    /* Names whose order is not the import (id) order. */
    rl_buf_printf(&lab, "image,wnid\n");
    rl_buf_printf(&pred, "image,model,rank,wnid,score\n");
    for (i = 0; i < n; i++) {
        unsigned key = (i * 37 + 11) % 1000;

        rl_buf_printf(&lab, "im_%03u_%u.JPEG,%s\n", key, i,
                      wnid[rnd(n_wnid)]);
        for (m = 0; m < 3; m++) {
            unsigned start = rnd(n_wnid), ranks = 1 + rnd(3);

            if (rnd(5) == 0)
                continue;             /* this model skipped the image */
            for (k = 0; k < ranks; k++)
                rl_buf_printf(&pred, "im_%03u_%u.JPEG,m%u,%u,%s,0.%u\n",
                              key, i, m, k + 1,
                              wnid[(start + k) % n_wnid], 9 - k * 3);
        }
    }
    fx_import(s, cat, "labels", "labels.csv", rl_buf_str(&lab));
    fx_import(s, cat, "predictions", "pred.csv", rl_buf_str(&pred));
    rl_buf_free(&lab);
    rl_buf_free(&pred);
    rl_catalog_free(cat);
    rl_store_close(s);

    exec_sql(h, "BEGIN");
    sqlite3_prepare_v2(h, "SELECT image, class FROM candidate", -1, &st,
                       NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (k = 0; k < 3; k++) {
            if (rnd(3) == 0)
                continue;
            sql = rl_xasprintf("INSERT INTO review(image, class, reviewer,"
                               " state_code, updated_at) VALUES(%lld, %lld,"
                               " '%s', %d, 0)",
                               (long long)sqlite3_column_int64(st, 0),
                               (long long)sqlite3_column_int64(st, 1),
                               REVIEWERS[k], (int)(rnd(2) ? 0 : rnd(4)));
            exec_sql(h, sql);
            free(sql);
        }
    sqlite3_finalize(st);
    for (i = 1; i <= n; i++) {
        if (rnd(6) == 0) {
            sql = rl_xasprintf("INSERT INTO flag(image, reviewer, problematic,"
                               " updated_at) VALUES(%u, '%s', 1, 0)", i,
                               REVIEWERS[rnd(3)]);
            exec_sql(h, sql);
            free(sql);
        }
        if (assign && rnd(2) == 0) {
            sql = rl_xasprintf("INSERT INTO assignment(image, reviewer) VALUES(%u, 'ann')", i);
            exec_sql(h, sql);
            free(sql);
        }
    }
    exec_sql(h, "COMMIT");
    sqlite3_close(h);
    /* The rows above bypassed the counters: recount them, as every bulk
     * writer does (the queue reads its reviewers from them). */
    s = rl_store_open(path, 0, &err);
    if (s == NULL || rl_store_tally_recount(s, &err) != 0)
        die("recounting", &err);
    rl_store_close(s);
    free(path);
}

/* The complete queue as the old rl_queue_load built it: one query for
 * every count, then the disagreement scan. */
static void
old_load(rl_store *s, sqlite3 *h, const char *reviewer, rl_queue *q)
{
    static const char sql[] =
        "SELECT i.id,"
        " (SELECT count(*) FROM candidate c WHERE c.image = i.id),"
        " (SELECT count(*) FROM review r WHERE r.image = i.id"
        "   AND r.reviewer = ?1),"
        " EXISTS (SELECT 1 FROM flag f WHERE f.image = i.id"
        "   AND f.problematic),"
        " EXISTS (SELECT 1 FROM review r WHERE r.image = i.id"
        "   AND r.reviewer <> ?1)"
        " FROM image i WHERE NOT EXISTS (SELECT 1 FROM assignment a"
        "   WHERE a.reviewer = ?1)"
        " OR EXISTS (SELECT 1 FROM assignment a WHERE a.reviewer = ?1"
        "   AND a.image = i.id)"
        " ORDER BY i.name";
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0, i, j;
    rl_err err;

    memset(q, 0, sizeof *q);
    sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_qitem *it;

        rl_grow(&q->items, &q->cap, q->n + 1, sizeof *q->items);
        it = &q->items[q->n++];
        memset(it, 0, sizeof *it);
        it->id = sqlite3_column_int64(st, 0);
        it->n_cand = sqlite3_column_int(st, 1);
        it->n_mine = sqlite3_column_int(st, 2);
        it->problematic = sqlite3_column_int(st, 3) != 0;
        it->others = sqlite3_column_int(st, 4) != 0;
        it->known = true;
    }
    sqlite3_finalize(st);
    if (rl_consensus_disagreement_images(s, true, &ids, &n, &err) != 0)
        die("disagreements", &err);
    for (i = 0; i < n; i++)
        for (j = 0; j < q->n; j++)
            if (q->items[j].id == ids[i])
                q->items[j].disagree = true;
    free(ids);
    q->n_known = q->n;
    q->disagree_known = true;
    q->reviewer = rl_xstrdup(reviewer);
    q->store = s;
}

static bool
same_item(const rl_qitem *a, const rl_qitem *b)
{
    return a->id == b->id && a->n_cand == b->n_cand
           && a->n_mine == b->n_mine && a->problematic == b->problematic
           && a->others == b->others && a->disagree == b->disagree
           && a->known == b->known;
}

/* Every answer of `lazy` (filling as it goes) equals that of `ref`. */
static void
compare(rl_queue *lazy, rl_queue *ref, const char *what)
{
    size_t pos, f, bad_step = 0, bad_item = 0, bad_count = 0, bad_find = 0;
    int dir;

    /* Steps first: they fill the lazy queue on demand. */
    for (f = 0; f < RL_FILTER_COUNT; f++)
        for (dir = -1; dir <= 1; dir += 2) {
            if (rl_queue_step(lazy, SIZE_MAX, dir, (rl_filter)f)
                != rl_queue_step(ref, SIZE_MAX, dir, (rl_filter)f))
                bad_step++;
            for (pos = 0; pos < ref->n;
                 pos += 1 + rnd(ref->n > 1000 ? 60 : 3))
                if (rl_queue_step(lazy, pos, dir, (rl_filter)f)
                    != rl_queue_step(ref, pos, dir, (rl_filter)f))
                    bad_step++;
        }
    ok(bad_step == 0, "%s: every step as the complete queue (%zu differ)", what,
       bad_step);
    ok(rl_queue_fill(lazy, SIZE_MAX, true, NULL) == 1, "%s: filled", what);
    ok(lazy->n == ref->n, "%s: %zu images", what, ref->n);
    for (pos = 0; pos < ref->n && pos < lazy->n; pos++) {
        if (!same_item(&lazy->items[pos], &ref->items[pos]))
            bad_item++;
        if (rl_queue_find(lazy, ref->items[pos].id) != pos)
            bad_find++;
    }
    ok(bad_item == 0, "%s: every item's counts and flags (%zu differ)", what,
       bad_item);
    ok(bad_find == 0, "%s: find gives every position", what);
    for (f = 0; f < RL_FILTER_COUNT; f++) {
        ok(rl_queue_complete(lazy, (rl_filter)f), "%s: complete under %s",
           what, rl_filter_name((rl_filter)f));
        for (pos = 0; pos < ref->n; pos += ref->n > 1000 ? 7 : 1) {
            size_t r1, r2;

            if (rl_queue_count(lazy, (rl_filter)f, pos, &r1)
                != rl_queue_count(ref, (rl_filter)f, pos, &r2) || r1 != r2)
                bad_count++;
        }
    }
    ok(bad_count == 0, "%s: every count and rank (%zu differ)", what,
       bad_count);
    /* The per-block cache against a plain walk of the items. */
    bad_count = 0;
    for (f = 0; f < RL_FILTER_COUNT; f++)
        for (pos = 0; pos < lazy->n; pos += lazy->n > 1000 ? 97 : 1) {
            size_t i, n = 0, r = 0, got_r;

            for (i = 0; i < lazy->n; i++)
                if (rl_queue_match(&lazy->items[i], (rl_filter)f)) {
                    n++;
                    if (i == pos)
                        r = n;
                }
            if (rl_queue_count(lazy, (rl_filter)f, pos, &got_r) != n
                || got_r != r)
                bad_count++;
        }
    ok(bad_count == 0, "%s: counts as a walk of the items counts (%zu "
       "differ)", what, bad_count);
}

static void
one_project(unsigned seed, unsigned n, bool assign)
{
    char name[32], *path;
    rl_catalog *cat;
    rl_store *s;
    sqlite3 *h;
    rl_queue lazy = {0}, ref = {0}, orig = {0};
    rl_err err;
    rl_order o;
    const char *rv = REVIEWERS[seed % 3];
    size_t i, f, before;
    char what[64];

    rng = seed;
    snprintf(name, sizeof name, "q%u.db", seed);
    make_project(name, n, assign);
    path = tpath(name);
    s = rl_store_open(path, 0, &err);
    if (s == NULL || (cat = rl_catalog_load(s, &err)) == NULL)
        die("open", &err);
    sqlite3_open(path, &h);

    /* Opened lazily: ids only, in name order, nothing counted. */
    old_load(s, h, rv, &ref);
    ok(rl_queue_open(s, rv, &lazy, &err) == 0 && lazy.n == ref.n
       && lazy.n_known == 0, "seed %u: opened with %zu ids, none counted",
       seed, ref.n);
    for (i = 0; i < ref.n && i < lazy.n; i++)
        if (lazy.items[i].id != ref.items[i].id)
            break;
    ok(i == ref.n, "seed %u: ids in name order", seed);
    ok(rl_queue_complete(&lazy, RL_FILTER_ALL)
       && !rl_queue_complete(&lazy, RL_FILTER_UNREVIEWED)
       && !rl_queue_complete(&lazy, RL_FILTER_DISAGREE),
       "seed %u: only the all filter is exact before counting", seed);
    if (lazy.n > 3) {
        const rl_qitem *it = rl_queue_at(&lazy, 3);

        ok(it->known && it->n_cand == ref.items[3].n_cand
           && it->n_mine == ref.items[3].n_mine
           && it->problematic == ref.items[3].problematic
           && it->others == ref.items[3].others && lazy.n_known == 1, "seed %u: one item filled on demand",
           seed);
    }
    {
        int rc = rl_queue_fill(&lazy, 5, true, &err);

        /* A slice counts whole chunks of ids (2048). */
        ok(rc >= 0 && lazy.n_known >= (lazy.n > 6 ? 6 : lazy.n)
           && (lazy.n < 3000 || (rc == 0 && lazy.n_known < lazy.n)),
           "seed %u: a slice of five or more", seed);
    }
    snprintf(what, sizeof what, "seed %u half filled", seed);
    compare(&lazy, &ref, what);

    /* Marks made while a fresh queue is half counted: refresh and the
     * fill together give the complete queue's answers. */
    rl_queue_open(s, rv, &lazy, &err);
    rl_queue_fill(&lazy, lazy.n / 2, false, &err);
    for (i = 0; i < 6 && lazy.n > 0; i++) {
        size_t p = rnd((unsigned)lazy.n);
        rl_image *img = rl_image_load(s, cat, rv, lazy.items[p].id, &err);

        if (img == NULL)
            die("image", &err);
        if (img->n > 0)
            rl_review_set(s, img, rv, rnd((unsigned)img->n),
                          rnd(2) ? RL_STATE_WRONG : RL_STATE_NONE, &err);
        rl_review_set_problematic(s, img, rv, !img->problematic, &err);
        rl_image_free(img);
    }
    {
        int64_t changed[16];
        size_t n_changed;

        ok(rl_queue_refresh(s, rv, &lazy, changed, 16, &n_changed, &err)
           == 0, "seed %u: refresh after marks", seed);
    }
    rl_queue_free(&ref);
    old_load(s, h, rv, &ref);
    snprintf(what, sizeof what, "seed %u after marks", seed);
    compare(&lazy, &ref, what);

    /* Each order sorts the lazy queue as it sorts the complete one. */
    for (f = 0; f < RL_ORDER_COUNT; f++) {
        static const char *const orders[] = { "name", "disagree", "margin",
                                              "random:7" };

        rl_order_parse(orders[f], &o, &err);
        rl_queue_open(s, rv, &lazy, &err);
        rl_queue_fill(&lazy, 3, false, &err);
        before = lazy.n_known;
        rl_queue_free(&orig);
        old_load(s, h, rv, &orig);
        ok(rl_order_apply(s, &o, &lazy, &err) == 0
           && rl_order_apply(s, &o, &orig, &err) == 0
           && lazy.n_known == before, "seed %u: %s applied", seed,
           orders[f]);
        snprintf(what, sizeof what, "seed %u order %s", seed, orders[f]);
        compare(&lazy, &orig, what);
        /* Opened in order from the keys the imports stored: the same. */
        rl_queue_free(&orig);
        old_load(s, h, rv, &orig);
        rl_order_apply(s, &o, &orig, &err);
        ok(rl_order_open(s, rv, &o, &lazy, &err) == 0 && lazy.n_known == 0,
           "seed %u: %s opened from the stored keys", seed, orders[f]);
        snprintf(what, sizeof what, "seed %u stored %s", seed, orders[f]);
        compare(&lazy, &orig, what);
    }

    /* Keys older than the data: an image with image 1's predictions and
     * no label, written behind the imports' back (the stamp sees it);
     * then a labels import gives it a label (the import computes the
     * keys again). Each time the stored order is the full one. */
    {
        rl_buf lab = {0};
        sqlite3_stmt *st;

        exec_sql(h, "BEGIN; INSERT INTO image(name) VALUES('im_000_zz.JPEG');"
                 "INSERT INTO pred(image, model, preds)"
                 " SELECT last_insert_rowid(), model, preds"
                 " FROM pred WHERE image = 1; COMMIT");
        rl_buf_adds(&lab, "image,wnid\n");
        sqlite3_prepare_v2(h, "SELECT c.wnid FROM class c WHERE c.id ="
                           " (SELECT max(class) FROM prediction WHERE"
                           " image = 1)", -1, &st, NULL);
        if (sqlite3_step(st) == SQLITE_ROW)
            rl_buf_printf(&lab, "im_000_zz.JPEG,%s\n",
                          sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        for (i = 0; i < 2; i++) {
            for (f = 0; f < RL_ORDER_COUNT; f++) {
                static const char *const orders[] = { "name", "disagree",
                                                      "margin", "random:3" };

                rl_order_parse(orders[f], &o, &err);
                rl_queue_free(&orig);
                old_load(s, h, rv, &orig);
                rl_order_apply(s, &o, &orig, &err);
                ok(rl_order_open(s, rv, &o, &lazy, &err) == 0,
                   "seed %u: %s opened (%s)", seed, orders[f],
                   i ? "labels changed" : "stale keys");
                snprintf(what, sizeof what, "seed %u %s %s", seed,
                         i ? "relabeled" : "stale", orders[f]);
                compare(&lazy, &orig, what);
            }
            if (i == 0)
                fx_import(s, cat, "labels", "relabel.csv", rl_buf_str(&lab));
        }
        rl_buf_free(&lab);
    }

    rl_queue_free(&lazy);
    rl_queue_free(&ref);
    rl_queue_free(&orig);
    sqlite3_close(h);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(path);
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-test-queue-XXXXXX");
    predpack_register_all();
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    one_project(1, 40, false);
    one_project(2, 60, true);
    one_project(3, 25, false);
    one_project(4, 4500, false);  /* past STEP_FILLS: a step fills all */
    one_project(6, 80, true);     /* ann: her assigned images only */
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
