/* tally.c - the counters behind `relabel stats` (schema 5, table tally),
 * their recount and their check against the tables.
 *
 * Invariant: at every commit each counter equals its count over the
 * tables, the COUNT query of its source in `sources` below (the one
 * place that says what a counter means; the per-reviewer verdict counts
 * are count_merge's, each reviewer's rows and distinct images in review).
 * Who keeps it so:
 *   - live steps of the review log (marks, bulk marks, undo, redo, a
 *     journal's marks applied): log.c takes a tally_snap of the image and
 *     reviewer before and after each change and adds the difference
 *     (tally_change), in the step's transaction;
 *   - the labels and images imports: tally_staged of the existing images
 *     they change, before and after, and their new images and
 *     candidates (csvio.c apply_labels), in their transaction;
 *   - the other bulk writers (the predictions and reviews imports,
 *     merge, the schema 5 migration, a repaired copy):
 *     store_tally_recount of the counters they may have changed, at the
 *     end of their transaction.
 * A counter with no row counts 0. Counts of classes and models are not
 * kept: their tables are small and indexed, so stats counts them. */
#include "relabel/store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"
#include "internal.h"

/* What the counters count, as sources: each is one pass over a table (or
 * two) giving rows (name, reviewer, n) for the counters it names, with
 * reviewer '' for a global counter. The merge source takes its values as
 * parameters ?1..?3 from count_merge (the same counts as joins in SQL
 * cost five times as much); the per-reviewer verdict counts come from
 * the same pass, through temp.tally_reviewer. */
static const struct source {
    unsigned what;                     /* TALLY_* groups it counts */
    const char *names;                 /* its counters, as an SQL list */
    const char *sql;                   /* rows (name, reviewer, n) */
} sources[] = {
    { TALLY_IMAGES, "'images', 'with_path'",
      "SELECT 'images' AS name, '' AS reviewer, count(*) AS n FROM image"
      " UNION ALL SELECT 'with_path', '', count(*) FROM image"
      " WHERE path IS NOT NULL" },
    { TALLY_PREDICTIONS, "'predictions'",
      "SELECT 'predictions' AS name, '' AS reviewer, count(*) AS n"
      " FROM prediction" },
    { TALLY_CANDIDATES | TALLY_REVIEWS,
      "'candidates', 'reviewed_candidates', 'reviewed_images'",
      "SELECT 'candidates' AS name, '' AS reviewer, ?1 AS n"
      " UNION ALL SELECT 'reviewed_candidates', '', ?2"
      " UNION ALL SELECT 'reviewed_images', '', ?3" },
    { TALLY_FLAGS, "'problematic_images'",
      "SELECT 'problematic_images' AS name, '' AS reviewer,"
      " count(DISTINCT image) AS n FROM flag WHERE problematic" },
    { TALLY_EVENTS, "'events'",
      "SELECT 'events' AS name, '' AS reviewer, count(*) AS n FROM event" },
    /* Counted by count_merge's scan of review, in temp.tally_reviewer:
     * review has no index by reviewer (schema 10), and a GROUP BY
     * reviewer would sort every verdict. */
    { TALLY_REVIEWS, "'reviewer_reviews', 'reviewer_images'",
      "SELECT 'reviewer_reviews' AS name, reviewer, a AS n"
      " FROM temp.tally_reviewer UNION ALL"
      " SELECT 'reviewer_images', reviewer, b FROM temp.tally_reviewer" },
    { TALLY_FLAGS, "'reviewer_done', 'reviewer_problematic'",
      "SELECT 'reviewer_done' AS name, reviewer, count(*) AS n FROM flag"
      " WHERE done GROUP BY reviewer UNION ALL SELECT"
      " 'reviewer_problematic', reviewer, count(*) FROM flag"
      " WHERE problematic GROUP BY reviewer" },
};
#define N_SOURCES (sizeof sources / sizeof *sources)

static const char SQL_ADD[] =
    "INSERT INTO tally(name, reviewer, n) VALUES(?1, ?2, ?3)"
    " ON CONFLICT(name, reviewer) DO UPDATE SET n = n + excluded.n";

/* One reviewer's verdicts while count_merge scans them. */
struct rev_count {
    char *name;
    int64_t reviews, images, last_image;
};

/* The entry of `name` in `rv` (`n` of them, growing), found from the
 * last one used: verdicts come in runs of one image's reviewers. */
static struct rev_count *
rev_entry(struct rev_count **rv, size_t *n, size_t *cap, size_t *last,
          const char *name)
{
    size_t i;

    if (*n > 0 && strcmp((*rv)[*last].name, name) == 0)
        return &(*rv)[*last];
    for (i = 0; i < *n; i++)
        if (strcmp((*rv)[i].name, name) == 0)
            return &(*rv)[*last = i];
    rl_grow(rv, cap, *n + 1, sizeof **rv);
    (*rv)[*n] = (struct rev_count){ rl_xstrdup(name), 0, 0, -1 };
    *last = *n;
    return &(*rv)[(*n)++];
}

/* Writes the reviewers' counts into temp.tally_reviewer, afresh. */
static int
rev_store(rl_store *s, const struct rev_count *rv, size_t n, rl_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc = -1;

    if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS tally_reviewer("
                   "reviewer TEXT PRIMARY KEY, a INTEGER, b INTEGER);"
                   "DELETE FROM temp.tally_reviewer", err) != 0)
        return -1;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO temp.tally_reviewer"
                           " VALUES(?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        goto out;
    for (i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, rv[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rv[i].reviews);
        sqlite3_bind_int64(st, 3, rv[i].images);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto out;
        sqlite3_reset(st);
    }
    rc = 0;
out:
    if (rc != 0)
        store_dberr(s, err, "counting");
    sqlite3_finalize(st);
    return rc;
}

/* The candidates, the candidates with a verdict by someone, and the
 * images whose every candidate has one, into m[0..2]: a merge of two
 * scans in image order. With `reviewers`, the same scan of review counts
 * each reviewer's verdicts and images into temp.tally_reviewer. 0 or -1
 * with `err` set. */
static int
count_merge(rl_store *s, int64_t m[3], bool reviewers, rl_err *err)
{
    sqlite3_stmt *c = NULL, *r = NULL;
    struct rev_count *rv = NULL;
    size_t n_rv = 0, cap_rv = 0, last_rv = 0, i;
    int rc_c, rc_r, rc = -1;

    m[0] = m[1] = m[2] = 0;
    /* review in key order (image, class, reviewer): an image's classes
     * are counted as they change. */
    if (sqlite3_prepare_v2(s->db, "SELECT image, count(*) FROM candidate"
                           " GROUP BY image ORDER BY image", -1, &c, NULL)
        != SQLITE_OK
        || sqlite3_prepare_v2(s->db, "SELECT image, class, reviewer"
                              " FROM review ORDER BY image, class, reviewer",
                              -1, &r, NULL) != SQLITE_OK) {
        store_dberr(s, err, "counting");
        goto out;
    }
    rc_c = sqlite3_step(c);
    rc_r = sqlite3_step(r);
    while (rc_c == SQLITE_ROW || rc_r == SQLITE_ROW) {
        int64_t ic = rc_c == SQLITE_ROW ? sqlite3_column_int64(c, 0)
                                        : INT64_MAX;
        int64_t ir = rc_r == SQLITE_ROW ? sqlite3_column_int64(r, 0)
                                        : INT64_MAX;
        int64_t classes = 0, cls = 0;

        /* Image ir's verdicts: its distinct classes, and each reviewer's
         * share. */
        while (ir <= ic && rc_r == SQLITE_ROW
               && sqlite3_column_int64(r, 0) == ir) {
            if (classes == 0 || sqlite3_column_int64(r, 1) != cls) {
                cls = sqlite3_column_int64(r, 1);
                classes++;
            }
            if (reviewers) {
                struct rev_count *e = rev_entry(&rv, &n_rv, &cap_rv,
                    &last_rv, (const char *)sqlite3_column_text(r, 2));

                e->reviews++;
                if (e->last_image != ir) {
                    e->images++;
                    e->last_image = ir;
                }
            }
            rc_r = sqlite3_step(r);
        }
        if (ic == ir && sqlite3_column_int64(c, 1) == classes)
            m[2]++;
        if (ic <= ir) {
            m[0] += sqlite3_column_int64(c, 1);
            rc_c = sqlite3_step(c);
        }
        m[1] += classes;
    }
    if (rc_c != SQLITE_DONE || rc_r != SQLITE_DONE) {
        store_dberr(s, err, "counting");
        goto out;
    }
    rc = reviewers ? rev_store(s, rv, n_rv, err) : 0;
out:
    for (i = 0; i < n_rv; i++)
        free(rv[i].name);
    free(rv);
    sqlite3_finalize(c);
    sqlite3_finalize(r);
    return rc;
}

/* Runs `sql` with the merge counts `m` bound as ?1..?3 (when it has
 * them), calling `row` for each result row when given. 0 or -1. */
static int
run_source(rl_store *s, const char *sql, const int64_t m[3],
           void (*row)(void *, sqlite3_stmt *), void *ctx, rl_err *err)
{
    sqlite3_stmt *st;
    int r, i;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "counting");
        return -1;
    }
    for (i = 0; i < 3 && i < sqlite3_bind_parameter_count(st); i++)
        sqlite3_bind_int64(st, i + 1, m[i]);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (row != NULL)
            row(ctx, st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "counting");
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* The merge counts, when a source of groups `what` needs them. */
static int
merge_if(rl_store *s, unsigned what, int64_t m[3], rl_err *err)
{
    m[0] = m[1] = m[2] = 0;
    return (what & (TALLY_CANDIDATES | TALLY_REVIEWS))
           ? count_merge(s, m, (what & TALLY_REVIEWS) != 0, err) : 0;
}

int
store_tally_recount(rl_store *s, unsigned what, rl_err *err)
{
    int64_t m[3];
    size_t i;
    int rc;

    rc = merge_if(s, what, m, err);
    for (i = 0; rc == 0 && i < N_SOURCES; i++) {
        const struct source *c = &sources[i];
        char *del, *ins;

        if (!(c->what & what))
            continue;
        del = rl_xasprintf("DELETE FROM tally WHERE name IN (%s)",
                           c->names);
        ins = rl_xasprintf("INSERT INTO tally(name, reviewer, n) SELECT"
                           " name, reviewer, n FROM (%s) WHERE n <> 0",
                           c->sql);
        rc = run_source(s, del, m, NULL, NULL, err);
        if (rc == 0)
            rc = run_source(s, ins, m, NULL, NULL, err);
        free(del);
        free(ins);
    }
    if (rc != 0)
        rl_err_prefix(err, "recounting the statistics");
    return rc;
}

int
rl_store_tally_recount(rl_store *s, rl_err *err)
{
    if (rl_store_begin(s, err) != 0)
        return -1;
    return rl_store_end(s, store_tally_recount(s, TALLY_ALL, err), err);
}

/* ---- checking them --------------------------------------------------- */

struct drift {
    rl_buf report;                     /* "name of reviewer: kept K,
                                          counted N" per drift, by "; " */
    long n;                            /* counters that drifted */
};

static void
drift_row(void *p, sqlite3_stmt *st)
{
    struct drift *d = p;
    const char *rev = (const char *)sqlite3_column_text(st, 1);
    char *safe = rl_utf8_sanitize(rev != NULL ? rev : "");

    rl_buf_printf(&d->report, "%s%s%s%s: kept %lld, counted %lld",
                  d->n > 0 ? "; " : "",
                  (const char *)sqlite3_column_text(st, 0),
                  *safe != '\0' ? " of " : "", safe,
                  (long long)sqlite3_column_int64(st, 3),
                  (long long)sqlite3_column_int64(st, 2));
    free(safe);
    d->n++;
}

int
rl_store_tally_verify(rl_store *s, char **report, rl_err *err)
{
    struct drift d = { { 0 }, 0 };
    bool reading;
    int64_t m[3];
    size_t i;
    int rc = -1;

    *report = NULL;
    if (store_begin_read(s, &reading, err) != 0)
        return -1;
    if (merge_if(s, TALLY_ALL, m, err) != 0)
        goto out;
    for (i = 0; i < N_SOURCES; i++) {
        char *sql;
        int r;

        /* Both sides as (name, reviewer, n) rows, a missing one as 0. */
        sql = rl_xasprintf("SELECT name, reviewer, sum(c), sum(k) FROM"
                           " (SELECT name, reviewer, n AS c, 0 AS k FROM"
                           " (%s) UNION ALL SELECT name, reviewer, 0, n"
                           " FROM tally WHERE name IN (%s))"
                           " GROUP BY name, reviewer HAVING sum(c) <> sum(k)"
                           " ORDER BY name, reviewer", sources[i].sql,
                           sources[i].names);
        r = run_source(s, sql, m, drift_row, &d, err);
        free(sql);
        if (r != 0)
            goto out;
    }
    rc = d.n > 0 ? 1 : 0;
    if (rc > 0)
        *report = rl_xstrdup(rl_buf_str(&d.report));
out:
    rl_buf_free(&d.report);
    if (reading)
        store_exec(s, "COMMIT", NULL);
    return rc;
}

/* ---- keeping them, change by change ---------------------------------- */

/* Whether an image counts as reviewed: it has candidates and each has a
 * verdict by someone (as count_merge counts). */
static int
all_reviewed(const struct tally_snap *t)
{
    return t->candidates > 0 && t->candidates == t->reviewed;
}

int
tally_staged(rl_store *s, struct tally_staged *t, rl_err *err)
{
    /* all_reviewed in SQL, image by image: indexed lookups. */
    static const char sql[] =
        "SELECT count(*), count(path), coalesce(sum(nc > 0 AND nc = nr), 0)"
        " FROM (SELECT i.path,"
        " (SELECT count(*) FROM candidate c WHERE c.image = i.id) AS nc,"
        " (SELECT count(DISTINCT class) FROM review r WHERE r.image = i.id)"
        " AS nr FROM temp.stage_label t JOIN main.image i ON i.id = t.id"
        " WHERE t.change)";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    int r;

    if (st == NULL)
        return -1;
    if ((r = sqlite3_step(st)) == SQLITE_ROW) {
        t->images = sqlite3_column_int64(st, 0);
        t->with_path = sqlite3_column_int64(st, 1);
        t->reviewed_images = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        store_dberr(s, err, "counting");
        return -1;
    }
    return 0;
}

int
tally_snap(rl_store *s, int64_t image, const char *reviewer,
           struct tally_snap *t, rl_err *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM candidate WHERE image = ?1),"
        " (SELECT count(DISTINCT class) FROM review WHERE image = ?1),"
        " (SELECT count(*) FROM review WHERE image = ?1 AND reviewer = ?2),"
        " (SELECT count(*) FROM flag WHERE image = ?1 AND problematic),"
        " (SELECT count(*) FROM flag WHERE image = ?1 AND reviewer = ?2"
        "  AND done),"
        " (SELECT count(*) FROM flag WHERE image = ?1 AND reviewer = ?2"
        "  AND problematic)";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    int r;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    if ((r = sqlite3_step(st)) == SQLITE_ROW) {
        t->candidates = sqlite3_column_int64(st, 0);
        t->reviewed = sqlite3_column_int64(st, 1);
        t->reviews = sqlite3_column_int64(st, 2);
        t->problematic_any = sqlite3_column_int64(st, 3);
        t->done = sqlite3_column_int64(st, 4);
        t->problematic = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        store_dberr(s, err, "counting");
        return -1;
    }
    return 0;
}

int
tally_add(rl_store *s, const char *name, const char *reviewer, int64_t d,
          rl_err *err)
{
    sqlite3_stmt *st;

    if (d == 0)
        return 0;
    if ((st = store_stmt(s, SQL_ADD, err)) == NULL)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, d);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "counting");
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}


int
tally_change(rl_store *s, const char *reviewer, const struct tally_snap *a,
             const struct tally_snap *b, rl_err *err)
{
    const struct {
        const char *name;
        bool mine;                     /* a counter of `reviewer` */
        int64_t d;
    } ch[] = {
        { "candidates", false, b->candidates - a->candidates },
        { "reviewed_candidates", false, b->reviewed - a->reviewed },
        { "reviewed_images", false, all_reviewed(b) - all_reviewed(a) },
        { "problematic_images", false, (b->problematic_any > 0)
                                       - (a->problematic_any > 0) },
        { "reviewer_reviews", true, b->reviews - a->reviews },
        { "reviewer_images", true, (b->reviews > 0) - (a->reviews > 0) },
        { "reviewer_done", true, b->done - a->done },
        { "reviewer_problematic", true, b->problematic - a->problematic },
    };
    size_t i;

    for (i = 0; i < sizeof ch / sizeof *ch; i++)
        if (tally_add(s, ch[i].name, ch[i].mine ? reviewer : "", ch[i].d,
                      err) != 0)
            return -1;
    return 0;
}

/* ---- reading them ---------------------------------------------------- */

/* Sets the field of `st` that global counter `name` fills. */
static void
stat_set(rl_stats *st, const char *name, long n)
{
    static const struct {
        const char *name;
        size_t off;
    } f[] = {
        { "images", offsetof(rl_stats, images) },
        { "with_path", offsetof(rl_stats, with_path) },
        { "predictions", offsetof(rl_stats, predictions) },
        { "candidates", offsetof(rl_stats, candidates) },
        { "reviewed_candidates", offsetof(rl_stats, reviewed_candidates) },
        { "reviewed_images", offsetof(rl_stats, reviewed_images) },
        { "problematic_images", offsetof(rl_stats, problematic_images) },
        { "events", offsetof(rl_stats, events) },
    };
    size_t i;

    for (i = 0; i < sizeof f / sizeof *f; i++)
        if (strcmp(f[i].name, name) == 0)
            *(long *)((char *)st + f[i].off) = n;
}

int
rl_store_stats(rl_store *s, rl_stats *st, rl_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    bool reading;
    int r, rc = -1;

    memset(st, 0, sizeof *st);
    /* One snapshot, so that the counts agree with each other. */
    if (store_begin_read(s, &reading, err) != 0)
        return -1;
    /* Small indexed tables: counted (-1: a failed query, no made-up 0). */
    st->classes = (long)store_int(s, "SELECT count(*) FROM class WHERE idx"
                                  " IS NOT NULL", -1);
    st->models = (long)store_int(s, "SELECT count(*) FROM model", -1);
    if (st->classes < 0 || st->models < 0
        || sqlite3_prepare_v2(s->db, "SELECT name, n FROM tally"
                              " WHERE reviewer = ''", -1, &q, NULL)
        != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        stat_set(st, (const char *)sqlite3_column_text(q, 0),
                 (long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    q = NULL;
    if (r != SQLITE_DONE)
        goto dberr;
    st->unreviewed_candidates = st->candidates - st->reviewed_candidates;

    /* Per reviewer: those with a verdict, by name. */
    if (sqlite3_prepare_v2(s->db,
        "SELECT reviewer,"
        " sum(n) FILTER (WHERE name = 'reviewer_images'),"
        " sum(n) FILTER (WHERE name = 'reviewer_reviews'),"
        " coalesce(sum(n) FILTER (WHERE name = 'reviewer_done'), 0),"
        " coalesce(sum(n) FILTER (WHERE name = 'reviewer_problematic'), 0)"
        " FROM tally WHERE name IN ('reviewer_images', 'reviewer_reviews',"
        " 'reviewer_done', 'reviewer_problematic') GROUP BY reviewer"
        " HAVING sum(n) FILTER (WHERE name = 'reviewer_reviews') > 0"
        " ORDER BY reviewer", -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        rl_stats_reviewer *rv;

        rl_grow(&st->rev, &cap, st->n_rev + 1, sizeof *st->rev);
        rv = &st->rev[st->n_rev++];
        rv->name = store_col_dup(q, 0);
        rv->images = sqlite3_column_int64(q, 1);
        rv->reviews = sqlite3_column_int64(q, 2);
        rv->done = sqlite3_column_int64(q, 3);
        rv->problematic = sqlite3_column_int64(q, 4);
    }
    if (r != SQLITE_DONE)
        goto dberr;
    rc = 0;
    goto out;
dberr:
    store_dberr(s, err, "stats");
    rl_stats_free(st);
out:
    sqlite3_finalize(q);
    if (reading)
        store_exec(s, "COMMIT", NULL);
    return rc;
}

void
rl_stats_free(rl_stats *st)
{
    size_t i;

    for (i = 0; i < st->n_rev; i++)
        free(st->rev[i].name);
    free(st->rev);
    st->rev = NULL;
    st->n_rev = 0;
}
