/* test_store.c - the project file: creation, refusal of files that are not
 * (or not yet, or no longer) a relabel project, leaving them untouched,
 * migration, connection settings, nested transactions, settings, the
 * append-only event log and the integrity check. Stores live in a private
 * temporary folder, since rl_store_open checks the file first. */
#include "relabel/review.h"
#include "relabel/store.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/util.h"
#include "../../src/core/internal.h"
#include "../../src/core/predpack.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#define CATALOG_DIR RL_TEST_DATA "/../../share/relabel"


static void
cleanup(void)
{
    if (tmpdir[0] != '\0')
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the private folder; static buffer per call site slot. */
static const char *
spath(const char *name)
{
    static char buf[8][256];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static bool
exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

/* Whole file into a new buffer; *n its length. NULL when unreadable. */
static char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    rl_buf b = {0};
    char chunk[8192];
    size_t k;

    if (f == NULL)
        return NULL;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        rl_buf_add(&b, chunk, k);
    fclose(f);
    rl_buf_add(&b, "", 0);
    *n = b.len;
    return b.data;
}

static void
sspew(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fwrite(data, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* True when `path` holds exactly `n` bytes equal to `orig`. */
static bool
same_bytes(const char *path, const char *orig, size_t n)
{
    size_t m;
    char *now = slurp(path, &m);
    bool same = now != NULL && m == n && memcmp(now, orig, n) == 0;

    free(now);
    return same;
}

static int64_t
conn_int(rl_store *s, const char *sql)
{
    return store_int(s, sql, -999);
}

static void
test_missing(void)
{
    const char *p = spath("missing.db");
    rl_err err;
    rl_store *s;

    rl_err_clear(&err);
    s = rl_store_open(p, 0, &err);
    ok(s == NULL, "a missing project is not opened");
    is_int(err.code, RL_E_NOTFOUND, "missing project: RL_E_NOTFOUND");
    ok(strstr(err.msg, "no such project") != NULL
       && strstr(err.msg, p) != NULL, "message names the file: %s", err.msg);
    ok(!exists(p), "no file is created for a missing project");

    s = rl_store_open(p, RL_STORE_READONLY, &err);
    ok(s == NULL && err.code == RL_E_NOTFOUND && !exists(p),
       "read-only open of a missing project fails too, creating nothing");

    s = rl_store_open(spath("no/such/dir/p.db"), RL_STORE_CREATE, &err);
    ok(s == NULL && err.code == RL_E_IO,
       "creating in a missing folder fails with RL_E_IO: %s", err.msg);

    s = rl_store_open(tmpdir, 0, &err);
    ok(s == NULL && err.code == RL_E_IO
       && strstr(err.msg, "not a regular file") != NULL,
       "a folder is refused: %s", err.msg);
    rl_store_close(NULL);
    ok(1, "rl_store_close(NULL) is a no-op");
}

static bool
count_wait(void *ctx, int64_t waited)
{
    int *n = ctx;

    (void)waited;
    return ++*n < 3;           /* give up at the third call */
}

/* A write meets another connection's write lock: it waits, tells the
 * caller every ~100 ms, and gives up only when told to. */
static void
test_wait(const char *p)
{
    rl_store *s = rl_store_open(p, 0, NULL);
    sqlite3 *other = NULL;
    rl_err err;
    int told = 0;
    int64_t t0;

    if (s == NULL || sqlite3_open(p, &other) != SQLITE_OK
        || sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL)
           != SQLITE_OK) {
        ok(0, "set up a held write lock");
        sqlite3_close(other);
        rl_store_close(s);
        return;
    }
    rl_store_set_wait(s, 0, count_wait, &told);
    t0 = rl_now_ms();
    ok(rl_store_begin(s, &err) == -1 && err.code == RL_E_BUSY,
       "a write waits for the lock, and fails busy when told to give up");
    is_int(told, 3, "the caller was told three times");
    ok(rl_now_ms() - t0 >= 250, "about 100 ms apart (%lld ms in all)",
       (long long)(rl_now_ms() - t0));
    rl_store_set_wait(s, 150, NULL, NULL);
    t0 = rl_now_ms();
    ok(rl_store_begin(s, &err) == -1 && rl_now_ms() - t0 >= 140,
       "with a limit, it gives up after it");
    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
    ok(rl_store_begin(s, &err) == 0 && rl_store_end(s, 0, &err) == 0,
       "once the lock is free, the write goes through");
    sqlite3_close(other);
    rl_store_close(s);
}

static void
test_create(void)
{
    const char *p = spath("new.db");
    char tmpl[256];
    rl_err err;
    rl_store *s;
    size_t n;
    char *before;
    int fd;

    s = rl_store_open(p, RL_STORE_CREATE, &err);
    ok(s != NULL, "create a new project");
    if (s == NULL) {
        printf("#   %s\n", err.msg);
        return;
    }
    is_str(rl_store_path(s), p, "rl_store_path is the path given");
    is_int(conn_int(s, "PRAGMA foreign_keys"), 1, "foreign keys are on");
    rl_store_close(s);
    test_wait(p);
    is_int(fx_file_int(p, "PRAGMA application_id"), RL_APPLICATION_ID,
           "application_id marks the file as relabel's");
    is_int(fx_file_int(p, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "user_version is the current schema");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE name IN"
                       " ('image','candidate','review','event','step')"), 5,
           "schema tables exist");
    {
        sqlite3 *db;
        sqlite3_stmt *st;
        char mode[16] = "";

        sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL);
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL)
            == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            snprintf(mode, sizeof mode, "%s", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        is_str(mode, "wal", "the project is in WAL mode");
    }

    /* A second create must not overwrite it, nor touch it. */
    before = slurp(p, &n);
    s = rl_store_open(p, RL_STORE_CREATE, &err);
    ok(s == NULL && err.code == RL_E_DUP, "create over a project refused: %s",
       err.msg);
    ok(same_bytes(p, before, n), "the existing project is unchanged");
    free(before);

    /* mkstemp leaves an empty file: creating into it is fine. */
    snprintf(tmpl, sizeof tmpl, "%s/stempXXXXXX", tmpdir);
    fd = mkstemp(tmpl);
    close(fd);
    s = rl_store_open(tmpl, RL_STORE_CREATE, &err);
    ok(s != NULL, "create into an empty (mkstemp) file");
    rl_store_close(s);
    s = rl_store_open(tmpl, RL_STORE_READONLY, &err);
    ok(s != NULL, "it reopens read-only");
    rl_store_close(s);
}

/* Every way of opening `path` is refused with `code` and a message
 * holding `needle`; the file keeps its bytes and no project is made. */
static void
check_refused(const char *what, const char *path, rl_errcode code,
              const char *needle)
{
    static const int modes[] = { 0, RL_STORE_READONLY, RL_STORE_CREATE };
    static const char *const mode_names[] = { "read-write", "read-only",
                                              "create" };
    size_t n, i;
    char *before = slurp(path, &n);

    for (i = 0; i < 3; i++) {
        rl_err err;
        rl_store *s;

        rl_err_clear(&err);
        s = rl_store_open(path, modes[i], &err);
        ok(s == NULL, "%s: refused (%s)", what, mode_names[i]);
        rl_store_close(s);
        if (modes[i] == RL_STORE_CREATE) {
            ok(err.code == RL_E_DUP || err.code == code,
               "%s: create will not overwrite: %s", what, err.msg);
        } else {
            is_int(err.code, code, "error code");
            ok(strstr(err.msg, needle) != NULL && strstr(err.msg, path),
               "%s: message names the file and says '%s': %s", what, needle,
               err.msg);
        }
        ok(same_bytes(path, before, n), "%s: left byte-for-byte unchanged "
           "(%s)", what, mode_names[i]);
    }
    {
        char wal[300];
        struct stat sb;

        /* A read-only connection may leave an empty log; one with
         * content would change the project at the next open. */
        snprintf(wal, sizeof wal, "%s-wal", path);
        ok(stat(wal, &sb) != 0 || sb.st_size == 0,
           "%s: nothing written to a write-ahead log beside it", what);
    }
    free(before);
}

static void
test_refuse(void)
{
    const char *p;
    char msg[200];
    rl_err err;
    rl_store *s;

    /* An SQLite database of another program, without an application id. */
    p = spath("other.db");
    fx_file_exec(p, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, 0);
    check_refused("foreign SQLite file", p, RL_E_VERSION,
                  "not a relabel project");

    /* ... and one with a different application id. */
    p = spath("otherapp.db");
    fx_file_exec(p, "PRAGMA application_id = 1234; CREATE TABLE t(x);", NULL,
                 0);
    check_refused("SQLite file with another application_id", p,
                  RL_E_VERSION, "not a relabel project");

    /* Not SQLite at all. */
    p = spath("text.db");
    sspew(p, "image,wnid\nfoo,n01440764\n", 26);
    check_refused("text file", p, RL_E_VERSION, "not a relabel project");

    /* A project from a newer relabel. */
    p = spath("newer.db");
    s = rl_store_open(p, RL_STORE_CREATE, &err);
    rl_store_close(s);
    snprintf(msg, sizeof msg, "PRAGMA user_version = %d",
             RL_SCHEMA_VERSION + 1);
    is_int(fx_file_exec(p, msg, NULL, 0), 0, "(made a newer-schema file)");
    check_refused("newer schema", p, RL_E_VERSION, "newer relabel");
}

/* A project with the catalog (many pages), corrupted three ways. */
static void
test_corrupt(void)
{
    const char *good = spath("good.db");
    rl_err err;
    rl_store *s;
    size_t n;
    char *bytes;

    s = rl_store_open(good, RL_STORE_CREATE, &err);
    if (s == NULL || rl_catalog_install(s, CATALOG_DIR, &err) != 0) {
        ok(0, "set up a project with a catalog: %s", err.msg);
        rl_store_close(s);
        return;
    }
    ok(rl_store_check(s, &err) == 0, "integrity check passes on a good "
       "project");
    rl_store_close(s);
    bytes = slurp(good, &n);
    ok(bytes != NULL && n > 20 * 4096, "(project has many pages: %zu bytes)",
       n);
    if (bytes == NULL)
        return;

    /* Garbage over the header. */
    {
        char *b = rl_xmalloc(n);

        memcpy(b, bytes, n);
        memset(b, 'x', 100);
        sspew(spath("badhdr.db"), b, n);
        free(b);
        check_refused("garbage header", spath("badhdr.db"), RL_E_VERSION,
                      "not a relabel project");
    }

    /* Cut short: the schema's own pages are gone. */
    sspew(spath("cut.db"), bytes, 3 * 4096);
    check_refused("truncated project", spath("cut.db"), RL_E_VERSION,
                  "damaged");

    /* Damage after the schema pages: the identity check cannot see it;
     * the integrity check, the statistics and the catalog load must
     * report it (no partial results), and the file must not change. */
    {
        char *b = rl_xmalloc(n);
        const char *p = spath("mid.db");
        rl_catalog *cat;
        rl_stats st;

        memcpy(b, bytes, n);
        memset(b + n / 2, 0xa5, n - n / 2);
        sspew(p, b, n);
        s = rl_store_open(p, 0, &err);
        ok(s != NULL, "a project damaged past its schema still opens");
        if (s != NULL) {
            rl_err_clear(&err);
            ok(rl_store_check(s, &err) == -1 && err.code == RL_E_DB
               && strstr(err.msg, "integrity") != NULL,
               "integrity check reports damage: %.*s",
               (int)strcspn(err.msg, "\n"), err.msg);
            rl_err_clear(&err);
            ok(rl_store_stats(s, &st, &err) == -1 && err.code == RL_E_DB,
               "statistics fail instead of counting zero: %s", err.msg);
            rl_err_clear(&err);
            cat = rl_catalog_load(s, &err);
            ok(cat == NULL && strstr(err.msg, "malformed") != NULL,
               "catalog load fails instead of loading a part: %s",
               cat == NULL ? err.msg : "(loaded)");
            rl_catalog_free(cat);
            rl_err_clear(&err);
            ok(rl_store_begin(s, &err) == -1 && strstr(err.msg, "damaged")
               && strstr(err.msg, "check --repair"),
               "the first write is refused: %.80s", err.msg);
            rl_err_clear(&err);
            ok(rl_review_touch(s, "alice", 1, 10, &err) == -1
               && strstr(err.msg, "damaged"),
               "so is a write outside a transaction (the review screen's "
               "timing)");
            ok(rl_store_begin(s, &err) == -1, "and every later write");
            rl_store_close(s);
        }
        ok(same_bytes(p, b, n), "damaged project left byte-for-byte "
           "unchanged");

        free(b);
    }
    free(bytes);
}

/* Turns a current project into a version-1 one: drops every table and
 * index that version 1 did not have, and the columns version 2 added. */
static int
downgrade_to_v1(const char *path, char *msg, size_t size)
{
    static const char *const v1[] = { "meta", "class", "class_parent",
        "class_parent_parent", "image", "model", "prediction", "candidate",
        "review", "review_reviewer", "flag", "timing", "step", "step_target",
        "step_reviewer", "event", "event_step", "event_image",
        "event_no_update", "event_no_delete" };
    sqlite3 *db;
    sqlite3_stmt *st;
    rl_buf sql = {0};
    bool pred_view = false;
    size_t i;
    int rc;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    rl_buf_adds(&sql, "PRAGMA foreign_keys = OFF; BEGIN;");
    sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_schema WHERE name"
                       " NOT LIKE 'sqlite_%' ORDER BY type = 'table'", -1,
                       &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        bool keep = false;

        for (i = 0; i < sizeof v1 / sizeof v1[0]; i++)
            keep = keep || strcmp(name, v1[i]) == 0;
        /* Schema 8's view over the packed predictions: the table again. */
        if (strcmp(type, "view") == 0 && strcmp(name, "prediction") == 0) {
            keep = false;
            pred_view = true;
        }
        if (!keep)
            rl_buf_printf(&sql, "DROP %s %s;", type, name);
    }
    sqlite3_finalize(st);
    if (pred_view)
        rl_buf_adds(&sql, "CREATE TABLE prediction(image INTEGER NOT NULL,"
                    " model INTEGER NOT NULL, rank INTEGER NOT NULL, class"
                    " INTEGER NOT NULL, score REAL, PRIMARY KEY(image, model,"
                    " rank), UNIQUE(image, model, class)) WITHOUT ROWID;");
    /* Schema 9 dropped candidate's mean_rank (schema 1 stored it). */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_xinfo("
                           "'candidate') WHERE name = 'mean_rank'", -1, &st,
                           NULL) == SQLITE_OK && sqlite3_step(st) != SQLITE_ROW)
        rl_buf_adds(&sql, "ALTER TABLE candidate ADD COLUMN mean_rank REAL;"
                    "UPDATE candidate SET mean_rank = CAST(rank_sum AS REAL)"
                    " / nullif(n_models, 0);");
    sqlite3_finalize(st);
    /* Schema 7 codes the review and event values: back to the text
     * columns of schema 1 (no role). */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('review')"
                           " WHERE name = 'state_code'", -1, &st, NULL)
        == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        rl_buf_adds(&sql,
            "CREATE TABLE review_v1(image INTEGER NOT NULL,"
            " class INTEGER NOT NULL, reviewer TEXT NOT NULL,"
            " state TEXT NOT NULL CHECK(state IN ('correct','wrong',"
            "'unclear','dont_know')), updated_at INTEGER NOT NULL,"
            " PRIMARY KEY(image, class, reviewer), FOREIGN KEY(image, class)"
            " REFERENCES candidate(image, class)) WITHOUT ROWID;"
            "INSERT INTO review_v1 SELECT image, class, reviewer, state,"
            " updated_at FROM review;"
            "DROP TABLE review; ALTER TABLE review_v1 RENAME TO review;"
            "CREATE INDEX review_reviewer ON review(reviewer, image);"
            "CREATE TABLE event_v1(id INTEGER PRIMARY KEY, step INTEGER NOT"
            " NULL REFERENCES step(id), image INTEGER NOT NULL REFERENCES"
            " image(id), class INTEGER REFERENCES class(id), field TEXT NOT"
            " NULL, before TEXT, after TEXT);"
            "INSERT INTO event_v1 SELECT id, step, image, class, field,"
            " before, after FROM event;"
            "DROP TABLE event; ALTER TABLE event_v1 RENAME TO event;"
            "CREATE INDEX event_step ON event(step);"
            "CREATE INDEX event_image ON event(image);"
            "CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN"
            " SELECT RAISE(ABORT, 'the event log is append-only'); END;"
            "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
            " SELECT RAISE(ABORT, 'the event log is append-only'); END;"
            "ALTER TABLE step DROP COLUMN ev_first;"
            "ALTER TABLE step DROP COLUMN ev_last;");
    sqlite3_finalize(st);
    rl_buf_adds(&sql, "PRAGMA user_version = 1; COMMIT;");
    sqlite3_close(db);
    rc = fx_file_exec(path, sql.data, msg, size);
    rl_buf_free(&sql);
    return rc;
}

static void
test_migrate(void)
{
    const char *p = spath("v0.db"), *p1 = spath("v1.db");
    char msg[200];
    rl_err err;
    rl_store *s;

    /* Marked as relabel's but at schema 0 (no tables yet). */
    snprintf(msg, sizeof msg, "PRAGMA application_id = %d; CREATE TABLE "
             "junk(x); DROP TABLE junk;", RL_APPLICATION_ID);
    fx_file_exec(p, msg, NULL, 0);
    is_int(fx_file_int(p, "PRAGMA user_version"), 0, "(made a schema-0 file)");
    s = rl_store_open(p, RL_STORE_READONLY, &err);
    ok(s != NULL, "read-only open of a writable older project upgrades it");
    rl_store_close(s);
    is_int(fx_file_int(p, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "user_version is current after migration");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE name ="
                       " 'review'"), 1, "migration made the tables");

    /* A version-1 project holding data: made from a current one by
     * dropping what later versions added (tables, indexes, and the
     * review.role column of version 2). */
    s = rl_store_open(p1, RL_STORE_CREATE, &err);
    rl_store_close(s);
    ok(fx_file_exec(p1,
        "INSERT INTO class(wnid, idx, names) VALUES('n01440764', 0, 'tench');"
        "INSERT INTO image(name, label) VALUES('a.JPEG', 1);"
        "INSERT INTO candidate(image, class) VALUES(1, 1);"
        "INSERT INTO review(image, class, reviewer, state_code, updated_at)"
        " VALUES(1, 1, 'ann', 0, 5);", msg, sizeof msg) == 0,
       "(stored a review: %s)", msg);
    ok(downgrade_to_v1(p1, msg, sizeof msg) == 0,
       "(made it a schema-1 project: %s)", msg);
    s = rl_store_open(p1, 0, &err);
    ok(s != NULL, "a schema-1 project opens: %s", s ? "" : err.msg);
    rl_store_close(s);
    is_int(fx_file_int(p1, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "and is migrated to the current schema");
    is_int(fx_file_int(p1, "SELECT count(*) FROM review WHERE reviewer = 'ann'"
                       " AND state = 'correct' AND role = 'reviewer'"), 1,
           "its review survives the migration");
    is_int(fx_file_int(p1, "SELECT count(*) FROM sqlite_schema WHERE name ="
                       " 'task'"), 1, "the new tables exist");
    is_int(fx_file_int(p1, "SELECT count(*) FROM sqlite_schema WHERE name ="
                       " 'review_reviewer'"), 0,
           "and schema 10 dropped review's index by reviewer");

    /* A read-only older project cannot be upgraded: refused, unchanged. */
    if (geteuid() != 0) {
        size_t n;
        char *before;

        fx_file_exec(p1, "PRAGMA user_version = 1", NULL, 0);
        chmod(p1, 0444);
        before = slurp(p1, &n);
        s = rl_store_open(p1, RL_STORE_READONLY, &err);
        ok(s == NULL && err.code == RL_E_VERSION
           && strstr(err.msg, "read-only") != NULL,
           "a read-only older project is refused: %s", err.msg);
        ok(same_bytes(p1, before, n), "and left unchanged");
        free(before);
        chmod(p1, 0644);
    } else {
        printf("# SKIP read-only older project: running as root\n");
    }
}

static void
test_meta_and_tx(void)
{
    const char *p = spath("tx.db");
    rl_err err;
    rl_store *s = rl_store_open(p, RL_STORE_CREATE, &err);
    char *v;

    if (s == NULL) {
        ok(0, "create: %s", err.msg);
        return;
    }
    ok(rl_store_meta_get(s, "nope") == NULL, "unset setting is NULL");
    ok(rl_store_meta_set(s, "k", "v1", &err) == 0, "set a setting");
    ok(rl_store_meta_set(s, "k", "v2", &err) == 0, "overwrite it");
    v = rl_store_meta_get(s, "k");
    is_str(v, "v2", "setting reads back the last value");
    free(v);

    /* Outer commit keeps work done at inner levels. */
    ok(rl_store_begin(s, &err) == 0 && rl_store_begin(s, &err) == 0,
       "nested begin");
    rl_store_meta_set(s, "a", "1", &err);
    is_int(rl_store_end(s, 0, &err), 0, "inner end(0)");
    is_int(rl_store_end(s, 0, &err), 0, "outer end(0) commits");

    /* A failed inner level rolls back the whole transaction. */
    rl_store_begin(s, &err);
    rl_store_begin(s, &err);
    rl_store_meta_set(s, "b", "1", &err);
    is_int(rl_store_end(s, -1, &err), -1, "inner end(-1) returns -1");
    rl_store_meta_set(s, "c", "1", &err);
    is_int(rl_store_end(s, 0, &err), -1,
           "outer end(0) after an inner failure rolls back, returns -1");
    v = rl_store_meta_get(s, "b");
    ok(v == NULL, "inner work rolled back");
    free(v);
    v = rl_store_meta_get(s, "c");
    ok(v == NULL, "outer work rolled back too");
    free(v);

    /* Outer failure undoes a successful inner level. */
    rl_store_begin(s, &err);
    rl_store_begin(s, &err);
    rl_store_meta_set(s, "d", "1", &err);
    rl_store_end(s, 0, &err);
    is_int(rl_store_end(s, -1, &err), -1, "outer end(-1) returns -1");
    v = rl_store_meta_get(s, "d");
    ok(v == NULL, "outer failure rolls back the inner work");
    free(v);

    /* After a failure the next transaction starts clean. */
    rl_store_begin(s, &err);
    rl_store_meta_set(s, "e", "1", &err);
    is_int(rl_store_end(s, 0, &err), 0, "a later transaction commits");
    is_int(rl_store_end(s, 7, &err), 7,
           "end without begin returns rc unchanged");

    /* Closing with an open transaction rolls it back. */
    rl_store_begin(s, &err);
    rl_store_meta_set(s, "f", "1", &err);
    rl_store_close(s);

    s = rl_store_open(p, 0, &err);
    if (s == NULL) {
        ok(0, "reopen: %s", err.msg);
        return;
    }
    v = rl_store_meta_get(s, "a");
    is_str(v, "1", "committed setting survives reopen");
    free(v);
    v = rl_store_meta_get(s, "e");
    is_str(v, "1", "later committed setting survives reopen");
    free(v);
    v = rl_store_meta_get(s, "f");
    ok(v == NULL, "close rolled back the open transaction");
    free(v);
    rl_store_close(s);

    s = rl_store_open(p, RL_STORE_READONLY, &err);
    ok(s != NULL, "open read-only");
    if (s != NULL) {
        rl_err_clear(&err);
        ok(rl_store_meta_set(s, "g", "1", &err) == -1 && err.code != RL_E_OK,
           "writing through a read-only store fails: %s", err.msg);
        v = rl_store_meta_get(s, "k");
        is_str(v, "v2", "reading through a read-only store works");
        free(v);
        rl_store_close(s);
    }
}

static void
test_event_log(void)
{
    const char *p = spath("events.db");
    char msg[200];
    rl_err err;
    rl_store *s = rl_store_open(p, RL_STORE_CREATE, &err);

    rl_store_close(s);
    is_int(fx_file_exec(p,
        "PRAGMA foreign_keys=ON;"
        "INSERT INTO class(wnid, idx, names) VALUES('n01440764', 0, 'tench');"
        "INSERT INTO image(name) VALUES('a.JPEG');"
        "INSERT INTO step(uid, reviewer, at, kind, what)"
        " VALUES('u1', 'ann', 1, 'do', 'mark');"
        "INSERT INTO event(step, image, class, field_code, before_code,"
        " after_code) VALUES(1, 1, 1, 0, NULL, 0);", msg, sizeof msg), 0,
        "appending to the event log works");
    ok(fx_file_exec(p, "UPDATE event SET after_code = 1", msg, sizeof msg) != 0
       && strstr(msg, "append-only") != NULL,
       "UPDATE on event fails: %s", msg);
    ok(fx_file_exec(p, "DELETE FROM event", msg, sizeof msg) != 0
       && strstr(msg, "append-only") != NULL,
       "DELETE on event fails: %s", msg);
    is_int(fx_file_int(p, "SELECT count(*) FROM event"
                       " WHERE after = 'correct'"),
           1, "the event is still there, unchanged");
    ok(fx_file_exec(p, "INSERT INTO review(image, class, reviewer, state_code,"
                    " updated_at) VALUES(1, 1, 'ann', 4, 1)", msg,
                    sizeof msg) != 0, "a review state outside the four is "
       "refused by the schema: %s", msg);
}

/* A text digest of a query's rows on a separate connection (the caller
 * frees), so that a table can be compared before and after. */
static char *
raw_rows(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    rl_buf b = {0};

    rl_buf_adds(&b, "");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        fx_rows_text(st, &b);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return b.data;
}

/* A schema-3 project made by relabel before schema 4 (import of labels,
 * predictions with scores, long and wide reviews): every prediction,
 * candidate, review and event survives the migration, the prediction
 * table is one b-tree, scores are stored as millionths, the log still
 * replays to the tables, and marks and imports work after it. */
/* Writes the schema-3 fixture (a file an older relabel made) to `p`;
 * false, said as a failed check, when it cannot be read. */
static bool
copy_v3_fixture(const char *p)
{
    const char *fix = RL_TEST_DATA "/store/v3.sqlite";
    size_t n;
    char *src = slurp(fix, &n);
    FILE *f;

    ok(src != NULL, "(read the schema-3 fixture %s)", fix);
    if (src == NULL)
        return false;
    f = fopen(p, "wb");
    fwrite(src, 1, n, f);
    fclose(f);
    free(src);
    return true;
}

static void
test_migrate_v3(void)
{
#define CANDS_V9 \
    "SELECT image, class, n_models, " RL_SQL_MEAN_RANK("candidate") "," \
    " typeof(" RL_SQL_MEAN_RANK("candidate") "), added_by FROM candidate" \
    " ORDER BY image, class"
    static const char *const digests[] = {
        "SELECT image, model, rank, class, score, typeof(score) FROM"
        " prediction ORDER BY image, model, rank",
        "SELECT image, class, n_models, mean_rank, typeof(mean_rank),"
        " added_by FROM candidate ORDER BY image, class",
        "SELECT image, class, reviewer, state, updated_at, role FROM review"
        " ORDER BY image, class, reviewer",
        "SELECT * FROM flag ORDER BY image, reviewer",
        "SELECT id, step, image, class, field, before, typeof(before), after,"
        " typeof(after) FROM event ORDER BY id",
        "SELECT id, uid, reviewer, at, kind, target, what FROM step"
        " ORDER BY id",
    };
    /* Values whose newest event does not match the table: none. */
    static const char replay[] =
        "SELECT count(*) FROM review r WHERE r.state IS NOT (SELECT e.after"
        " FROM event e JOIN step s ON s.id = e.step WHERE e.image = r.image"
        " AND e.class = r.class AND e.field = 'state' AND s.reviewer ="
        " r.reviewer ORDER BY e.id DESC LIMIT 1)";
    const char *p = spath("v3.db");
    char *before[6], *after;
    size_t i;
    rl_catalog *cat;
    rl_image *img;
    rl_err err;
    rl_store *s;

    if (!copy_v3_fixture(p))
        return;
    is_int(fx_file_int(p, "PRAGMA user_version"), 3,
           "(the fixture is schema 3)");
    is_int(fx_file_int(p, "SELECT count(*) FROM prediction"), 9,
           "(it holds 9 predictions)");
    /* A live step and its undo as schema 3 logged them: a role, notes
     * that look like numbers, a confirmation, a main object, a candidate
     * nobody added; the tables as the undo left them. */
    is_int(fx_file_exec(p,
        "INSERT INTO step(id, uid, reviewer, at, kind, target, what) VALUES"
        " (4, 'u4', 'alice', 1767323050000, 'do', NULL, 'mark'),"
        " (5, 'u5', 'alice', 1767323051000, 'undo', 4, 'undo');"
        "INSERT INTO event(step, image, class, field, before, after) VALUES"
        " (4, 1, 53, 'state', 'wrong', 'correct'),"
        " (4, 1, 53, 'role', 'reviewer', 'adjudicator'),"
        " (4, 2, NULL, 'note', 'foggy, maybe a valley', '5'),"
        " (4, 2, NULL, 'note', '5', '01'),"
        " (4, 2, NULL, 'done', '0', '1'),"
        " (4, 2, NULL, 'main', NULL, '971'),"
        " (4, 2, NULL, 'problematic', '1', ''),"
        " (4, 5, 1, 'candidate', NULL, ''),"
        " (5, 5, 1, 'candidate', '', NULL),"
        " (5, 2, NULL, 'problematic', '', '1'),"
        " (5, 2, NULL, 'main', '971', NULL),"
        " (5, 2, NULL, 'done', '1', '0'),"
        " (5, 2, NULL, 'note', '01', 'foggy, maybe a valley'),"
        " (5, 1, 53, 'role', 'adjudicator', 'reviewer'),"
        " (5, 1, 53, 'state', 'correct', 'wrong');", NULL, 0), 0,
        "(a live step and its undo added to the fixture)");
    for (i = 0; i < 6; i++)
        before[i] = raw_rows(p, digests[i]);

    s = rl_store_open(p, 0, &err);
    ok(s != NULL, "a schema-3 project opens: %s", s ? "" : err.msg);
    if (s == NULL)
        goto out;
    rl_store_close(s);
    is_int(fx_file_int(p, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "and is migrated to the current schema");
    for (i = 0; i < 6; i++) {
        /* Schema 9 computes the mean rank (the generated column is gone). */
        after = raw_rows(p, i == 1 ? CANDS_V9 : digests[i]);
        is_str(after, before[i], digests[i]);
        free(after);
    }
    is_int(fx_file_int(p, "SELECT count(*) FROM review"
                       " WHERE typeof(state_code) = 'integer'"
                       " AND typeof(role_code) = 'integer'"),
           fx_file_int(p, "SELECT count(*) FROM review"),
           "every verdict's state and role are stored as codes");
    is_int(fx_file_int(p, "SELECT count(*) FROM event"
                       " WHERE typeof(field_code) = 'integer' AND (field"
                       " NOT IN ('state', 'role', 'done', 'problematic',"
                       " 'main') OR typeof(after_code) IN"
                       " ('integer', 'null') OR after_code = '')"),
           fx_file_int(p, "SELECT count(*) FROM event"),
           "every event's field, and its coded values, are stored as codes");
    is_int(fx_file_int(p, "SELECT count(*) FROM event WHERE field = 'note' AND"
                       " typeof(after_code) = 'text'"), 4,
           "notes stay text, '5' and '01' too");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE name IN"
                       " ('review_updated', 'event_step', 'event_image')"), 0,
           "review_updated, event_step and event_image are gone");
    is_int(fx_file_int(p, "SELECT count(*) FROM step s WHERE ev_first IS"
                       " (SELECT min(id) FROM event e WHERE e.step = s.id)"
                       " AND ev_last IS (SELECT max(id) FROM event e"
                       " WHERE e.step = s.id)"), 5,
           "each step row holds the first and last id of its events");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE type ="
                       " 'trigger' AND tbl_name = 'event'"), 2,
           "the event log is still guarded by its two triggers");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE tbl_name ="
                       " 'pred' AND type = 'index'"), 0,
           "the packed prediction table has no second b-tree");
    is_int(fx_file_int(p, "SELECT count(*) FROM pred"), fx_file_int(p, "SELECT"
                       " count(*) FROM (SELECT DISTINCT image, model FROM"
                       " prediction)"), "one packed row per image and model");
    is_int(fx_file_int(p, "SELECT count(*) FROM pragma_foreign_key_check"), 0,
           "foreign keys hold");
    is_int(fx_file_int(p, replay), 0, "the event log replays to the reviews");
    /* The queue orders' keys come with the migration, not with the first
     * ordered queue (which would wait for them at 1.28M images). */
    is_int(fx_file_int(p, "SELECT count(*) FROM meta WHERE key = 'queue_key'"),
           1, "the migration stamps the queue orders' keys");
    is_int(fx_file_int(p, "SELECT count(*) FROM queue_ids"
                       " WHERE ord IN ('name', 'disagree', 'margin')"
                       " AND length(ids) >="
                       " (SELECT count(*) FROM image)"), 3,
           "the name, disagree and margin orders stored whole");
    is_int(fx_file_int(p, "SELECT count(*) FROM queue_ids WHERE ord ="
                       " 'unpredicted'"), 1,
           "and the images without predictions");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE tbl_name ="
                       " 'queue_key'"), 0, "queue_key is gone (schema 9)");

    /* Working on after the migration: a mark and its undo. */
    s = rl_store_open(p, 0, &err);
    cat = s != NULL ? rl_catalog_load(s, &err) : NULL;
    img = cat != NULL ? rl_image_load(s, cat, "zoe", rl_image_find(s,
                                      "ILSVRC2012_val_00000001.JPEG"), &err)
                      : NULL;
    ok(img != NULL && img->n == 3, "an image loads its 3 candidates");
    if (img != NULL) {
        int64_t at = 0;

        is_int(conn_int(s, "PRAGMA foreign_keys"), 1,
               "the store's connection has foreign keys back on");
        ok(rl_review_set(s, img, "zoe", 0, RL_STATE_WRONG, &err) == 0,
           "a mark after the migration");
        ok(rl_review_undo(s, "zoe", &at, &err) == 1, "and its undo");
    }
    rl_image_free(img);
    rl_catalog_free(cat);
    rl_store_close(s);
    is_int(fx_file_int(p, replay), 0, "the log still replays after them");
    is_int(fx_file_int(p, "SELECT count(*) FROM event e JOIN step s ON"
                       " s.id = e.step WHERE s.reviewer = 'zoe'"), 2,
           "the mark and the undo are logged");
out:
    for (i = 0; i < 6; i++)
        free(before[i]);
}

/* A schema-3 project with a row that refers to a missing one: the
 * migration, which rebuilds the tables that rows refer to, checks foreign
 * keys before its commit and leaves the file as it was. */
static void
test_migrate_dangling(void)
{
    const char *p = spath("v3-dangling.db");
    rl_err err;
    rl_store *s;

    if (!copy_v3_fixture(p))
        return;
    is_int(fx_file_exec(p, "PRAGMA foreign_keys = OFF; INSERT INTO prediction"
                        " SELECT 999999, model, rank, class, score FROM"
                        " prediction LIMIT 1", NULL, 0), 0,
           "(a prediction of a missing image)");
    s = rl_store_open(p, 0, &err);
    ok(s == NULL && strstr(err.msg, "refers to a missing one") != NULL,
       "the migration is refused: %s", s == NULL ? err.msg : "opened");
    rl_store_close(s);
    is_int(fx_file_int(p, "PRAGMA user_version"), 3,
           "the file stays schema 3");
    is_int(fx_file_int(p, "SELECT count(*) FROM sqlite_schema WHERE name ="
                       " 'tally'"), 0, "and holds none of the later tables");
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_test_store_XXXXXX");
    predpack_register_all();
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_missing();
    test_create();
    test_refuse();
    test_corrupt();
    test_migrate();
    test_migrate_v3();
    test_migrate_dangling();
    test_meta_and_tx();
    test_event_log();
    cleanup();
    return t_done();
}
