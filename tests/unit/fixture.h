/* fixture.h - what the unit tests share besides t.h: a private temporary
 * folder and small helpers around it. Include after the system headers
 * and relabel/util.h, relabel/err.h. */
#ifndef RL_FIXTURE_H
#define RL_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
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

/* The integer of a one-row query on the project file of `s`, through a
 * connection of its own (so a reader's view), or -999. */
static inline long long
fx_q_int(rl_store *s, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -999;

    if (sqlite3_open_v2(rl_store_path(s), &db, SQLITE_OPEN_READONLY, NULL)
        != SQLITE_OK)
        return v;
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

#endif
