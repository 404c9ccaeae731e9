/* fixture.h - what the unit tests share besides t.h: a private temporary
 * folder and small helpers around it. Include after the system headers
 * and relabel/util.h, relabel/err.h. */
#ifndef RL_FIXTURE_H
#define RL_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "../../src/core/predpack.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
/* Takes a schema-8 project's packed predictions back to schema 4-7's one
 * row per prediction (run on a connection with predpack_register_all). */
#define FX_UNDO_V8 \
    "CREATE TABLE prediction_v4(image INTEGER NOT NULL, model INTEGER" \
    " NOT NULL, rank INTEGER NOT NULL, class INTEGER NOT NULL, score6," \
    " score REAL GENERATED ALWAYS AS (CASE WHEN typeof(score6) =" \
    " 'integer' THEN score6 / 1000000.0 ELSE score6 END) VIRTUAL," \
    " PRIMARY KEY(image, model, rank)) WITHOUT ROWID;" \
    "INSERT INTO prediction_v4(image, model, rank, class, score6)" \
    " SELECT image, model, rank, class, CASE WHEN score IS NOT NULL" \
    " AND round(score * 1000000) / 1000000.0 = score THEN" \
    " CAST(round(score * 1000000) AS INTEGER) ELSE score END" \
    " FROM prediction;" \
    "DROP VIEW prediction; DROP TABLE pred;" \
    "ALTER TABLE prediction_v4 RENAME TO prediction;"

/* The shipped catalog (share/relabel in the source tree). */
#define FX_CATALOG_DIR RL_TEST_DATA "/../../share/relabel"

/* The test's temporary folder: mkdtemp() it from a "/tmp/...-XXXXXX"
 * pattern at the start, remove it with nftw(tmpdir, rm_one, ...) at the
 * end. */
static char tmpdir[64];

/* nftw callback removing one entry (use with FTW_DEPTH | FTW_PHYS). */
static inline int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *f)
{
    (void)sb; (void)type; (void)f;
    return remove(p);
}

/* tmpdir/name, for the caller to free. */
static inline char *
tpath(const char *name)
{
    return rl_xasprintf("%s/%s", tmpdir, name);
}

/* Writes `text` to tmpdir/name, or bails out. */
static inline void
spew(const char *name, const char *text)
{
    char *p = tpath(name);
    FILE *f = fopen(p, "wb");

    if (f == NULL || fputs(text, f) < 0) {
        perror(p);
        exit(1);
    }
    fclose(f);
    free(p);
}

/* A setup step failed: TAP "Bail out!" and exit. */
static inline void
die(const char *what, const rl_err *err)
{
    printf("Bail out! %s: %s\n", what, err->msg);
    exit(1);
}

/* A new project at tmpdir/name holding the shipped catalog, or bails
 * out. *cat receives its catalog (free it before closing the store). */
static inline rl_store *
fx_project(const char *name, rl_catalog **cat)
{
    char *db = tpath(name);
    rl_err err;
    rl_store *s = rl_store_open(db, RL_STORE_CREATE, &err);

    free(db);
    if (s == NULL || rl_catalog_install(s, FX_CATALOG_DIR, &err) != 0
        || (*cat = rl_catalog_load(s, &err)) == NULL)
        die("set up", &err);
    return s;
}

/* Writes `text` to tmpdir/file and imports it as `kind` ("labels",
 * "images", "predictions" or "reviews") with default options, or bails
 * out naming the kind. */
static inline void
fx_import(rl_store *s, const rl_catalog *cat, const char *kind,
          const char *file, const char *text)
{
    char *f = tpath(file);
    rl_err err;
    int rc;

    spew(file, text);
    rc = kind[0] == 'l' ? rl_import_labels(s, cat, f, NULL, NULL, &err)
         : kind[0] == 'i' ? rl_import_images(s, cat, f, NULL, NULL, &err)
         : kind[0] == 'p' ? rl_import_predictions(s, cat, f, NULL, NULL,
                                                  &err)
         : rl_import_reviews(s, cat, f, NULL, NULL, &err);
    free(f);
    if (rc != 0)
        die(kind, &err);
}

/* The integer of a one-row query on file `path`, through a connection
 * of its own (so a reader's view), or -999 (a failed prepare is said as
 * a TAP comment). */
static inline long long
fx_file_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -999;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL)
        != SQLITE_OK) {
        sqlite3_close(db);
        return v;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        printf("# %s\n", sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

/* The same on the project file of `s`. */
static inline long long
fx_q_int(rl_store *s, const char *sql)
{
    return fx_file_int(rl_store_path(s), sql);
}

/* Runs `sql` on a connection of its own to file `path`: SQLite's result
 * code (-1 when it cannot be opened); its message into msg[size] when
 * msg is not NULL ("" on success). */
static inline int
fx_file_exec(const char *path, const char *sql, char *msg, size_t size)
{
    sqlite3 *db;
    char *e = NULL;
    int rc = -1;

    if (sqlite3_open(path, &db) == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &e);
    if (msg != NULL)
        snprintf(msg, size, "%s", e != NULL ? e : "");
    sqlite3_free(e);
    sqlite3_close(db);
    return rc;
}

/* Values where the newest event (per reviewer, image, class, field)
 * disagrees with the tables, plus table values no event explains: 0 when
 * the event log replays to the tables. */
static inline long long
fx_replay_diff(rl_store *s)
{
    static const char sql[] =
    "WITH last AS (SELECT e.image, e.class, e.field, s.reviewer, e.after,"
    "  max(e.id) FROM event e JOIN step s ON s.id = e.step"
    "  WHERE e.field <> 'candidate'"
    "  GROUP BY e.image, e.class, e.field, s.reviewer)"
    " SELECT (SELECT count(*) FROM last l WHERE l.field = 'state'"
    "  AND coalesce(l.after, '') IS NOT coalesce((SELECT state FROM review r"
    "   WHERE r.image = l.image AND r.class = l.class"
    "   AND r.reviewer = l.reviewer), ''))"
    " + (SELECT count(*) FROM review r WHERE NOT EXISTS (SELECT 1 FROM last l"
    "  WHERE l.field = 'state' AND l.image = r.image AND l.class = r.class"
    "  AND l.reviewer = r.reviewer))"
    " + (SELECT count(*) FROM last l WHERE l.field IN ('problematic', 'done')"
    "  AND coalesce(nullif(l.after, ''), '0') IS NOT coalesce((SELECT"
    "   CASE l.field WHEN 'done' THEN f.done ELSE f.problematic END"
    "   FROM flag f WHERE f.image = l.image AND f.reviewer = l.reviewer)"
    "   || '', '0'))"
    " + (SELECT count(*) FROM last l WHERE l.field = 'note'"
    "  AND coalesce(l.after, '') IS NOT coalesce((SELECT note FROM flag f"
    "   WHERE f.image = l.image AND f.reviewer = l.reviewer), ''))"
    " + (SELECT count(*) FROM last l WHERE l.field = 'main'"
    "  AND coalesce(nullif(l.after, '0'), '') IS NOT coalesce((SELECT"
    "   main || '' FROM flag f WHERE f.image = l.image"
    "   AND f.reviewer = l.reviewer), ''))"
    " + (SELECT count(*) FROM flag f WHERE (f.problematic OR f.done"
    "  OR f.note <> '' OR f.main IS NOT NULL) AND NOT EXISTS (SELECT 1"
    "  FROM last l WHERE l.image = f.image AND l.reviewer = f.reviewer"
    "  AND l.field <> 'state'))";

    return fx_q_int(s, sql);
}

/* The small project of the review-log tests: three images with original
 * labels (one by class index), one model's predictions. */
#define FX_LOG_LABELS \
    "image,wnid\n" \
    "img_a.JPEG,n01751748\n" \
    "img_b.JPEG,n09193705\n" \
    "img_c.JPEG,151\n"
#define FX_LOG_PREDS \
    "image,model,rank,wnid\n" \
    "img_a.JPEG,m1,1,n01737021\n" \
    "img_a.JPEG,m1,2,n01728572\n" \
    "img_b.JPEG,m1,1,n09468604\n" \
    "img_c.JPEG,m1,1,n01440764\n"

/* A project file with its open store and catalog (both NULL when
 * closed). */
struct fx_proj {
    char *path;                        /* owned by the test */
    rl_store *s;
    rl_catalog *cat;
};

/* Opens p->path, or bails out. */
static inline void
fx_proj_open(struct fx_proj *p)
{
    rl_err err;

    if ((p->s = rl_store_open(p->path, 0, &err)) == NULL
        || (p->cat = rl_catalog_load(p->s, &err)) == NULL)
        die("open", &err);
}

static inline void
fx_proj_close(struct fx_proj *p)
{
    rl_catalog_free(p->cat);
    rl_store_close(p->s);
    p->s = NULL;
    p->cat = NULL;
}

/* tmpdir/name made with FX_LOG_LABELS and FX_LOG_PREDS, left open. */
static inline void
fx_proj_make(struct fx_proj *p, const char *name)
{
    p->path = tpath(name);
    p->s = fx_project(name, &p->cat);
    fx_import(p->s, p->cat, "labels", "labels.csv", FX_LOG_LABELS);
    fx_import(p->s, p->cat, "predictions", "preds.csv", FX_LOG_PREDS);
}

/* xorshift64: the next of the sequence `*x` (seeded non-zero), mod n. */
static inline unsigned
fx_rnd(uint64_t *x, unsigned n)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (unsigned)(*x % n);
}

/* Appends each row of `st` to `b` as text, columns joined by '|', NULL
 * as "NULL", one line a row; finalizes nothing (the caller owns `st`).
 * The text digests the tests compare tables by. */
static inline void
fx_rows_text(sqlite3_stmt *st, rl_buf *b)
{
    int i;

    while (sqlite3_step(st) == SQLITE_ROW) {
        for (i = 0; i < sqlite3_column_count(st); i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);

            rl_buf_printf(b, "%s%s", i ? "|" : "", t ? t : "NULL");
        }
        rl_buf_addc(b, '\n');
    }
}

#endif
