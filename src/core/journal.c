/* journal.c - the side journal of marks (see journal.h and
 * relabel/journal.h).
 *
 * PATH-marks holds whole log steps (uid, reviewer, time, what, the
 * adjudicator role, image and changes) that found the project's write
 * lock busy. Invariants:
 *   - a step is committed to the journal before the caller may say
 *     saved, and leaves it only after the project has it:
 *     apply commits the project transaction first, then deletes what it
 *     applied. step.uid is UNIQUE and apply skips a uid the project has,
 *     so a crash between the two commits never applies a step twice.
 *   - while this connection knows of pending steps, every live step goes
 *     through them first, so one reviewer's steps reach the project in
 *     the order they were made.
 *   - an applied change takes the project's value at apply time as its
 *     `before`: a mark made during an import is the later act, and the
 *     event log still replays to the tables.
 * The file is never deleted (another process may have it open); an empty
 * journal costs one indexed count. */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "relabel/journal.h"
#include "relabel/util.h"
#include "internal.h"

static const char JOURNAL_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS pending("
    /* Never reused: an apply deletes up to the last seq it applied,
     * after others may have emptied the table and added new steps. */
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  uid TEXT NOT NULL UNIQUE,"        /* becomes step.uid */
    "  reviewer TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"             /* ms since the epoch */
    "  what TEXT NOT NULL,"              /* mark, bulk, flag, note... */
    "  adjudicator INTEGER NOT NULL DEFAULT 0,"
    "  image INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS pending_image ON pending(reviewer, image);"
    "CREATE TABLE IF NOT EXISTS pending_change("
    "  seq INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  class INTEGER NOT NULL,"
    "  field TEXT NOT NULL,"
    "  before TEXT,"
    "  after TEXT,"
    "  PRIMARY KEY(seq, n)) WITHOUT ROWID;";

/* Sets `err` from the journal connection's last error. */
static void
jerr(sqlite3 *j, const char *path, rl_err *err, const char *what)
{
    rl_err_set(err, (sqlite3_errcode(j) & 0xff) == SQLITE_BUSY ? RL_E_BUSY
               : RL_E_DB, "%s-marks: %s: %s", path, what, sqlite3_errmsg(j));
}

/* Runs `sql` on the journal, again while another process holds a lock
 * that SQLite does not wait for (changing the journal mode, creating
 * the tables): for up to five seconds. */
static int
jexec(sqlite3 *j, const char *sql)
{
    struct timespec ms5 = { 0, 5000000 };
    int i, r = SQLITE_OK;

    for (i = 0; i < 1000; i++) {
        r = sqlite3_exec(j, sql, NULL, NULL, NULL);
        if ((r & 0xff) != SQLITE_BUSY && (r & 0xff) != SQLITE_LOCKED)
            break;
        nanosleep(&ms5, NULL);
    }
    return r == SQLITE_OK ? 0 : -1;
}

/* A journal in WAL mode with its tables, made by whichever process
 * comes first. */
static int
jsetup(sqlite3 *j)
{
    sqlite3_stmt *st;
    bool wal = false, made = false;

    if (sqlite3_prepare_v2(j, "PRAGMA journal_mode", -1, &st, NULL)
        == SQLITE_OK) {
        wal = sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)
              sqlite3_column_text(st, 0), "wal") == 0;
        sqlite3_finalize(st);
    }
    if (!wal && jexec(j, "PRAGMA journal_mode=WAL") != 0)
        return -1;
    if (sqlite3_prepare_v2(j, "SELECT count(*) FROM sqlite_schema WHERE"
                           " name = 'pending_change'", -1, &st, NULL)
        == SQLITE_OK) {
        made = sqlite3_step(st) == SQLITE_ROW
               && sqlite3_column_int(st, 0) > 0;
        sqlite3_finalize(st);
    }
    if (made)
        return 0;
    if (jexec(j, "BEGIN IMMEDIATE") != 0)
        return -1;
    if (sqlite3_exec(j, JOURNAL_SCHEMA, NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_exec(j, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(j, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* The journal connection: opened (and made, with `create`) on first
 * need. NULL with err unset when there is no journal and none was asked
 * for; NULL with err set on failure. */
static sqlite3 *
jopen(rl_store *s, bool create, rl_err *err)
{
    char *path;
    sqlite3 *j = NULL;
    struct stat sb;
    bool existed;

    rl_err_clear(err);
    if (s->journal != NULL)
        return s->journal;
    path = rl_xasprintf("%s-marks", s->path);
    existed = access(path, F_OK) == 0;
    if (!create && !existed) {
        free(path);
        return NULL;
    }
    if (sqlite3_open_v2(path, &j, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(j, 5000);
    /* WAL with synchronous=NORMAL, as the project: a commit is in the
     * WAL file (the OS has it) on return, which no kill of the process
     * loses. FULL would fsync each mark, and on ext4 an fsync during an
     * import waits for the importer's dirty pages: 30-190 ms measured
     * (relabel-bench store), so no faster than the lock it avoids.
     * A checkpoint fsyncs too, behind the importer's pages (0.15-0.24 s
     * measured): none while marks arrive, one when the journal is empty
     * again (apply). */
    if (sqlite3_exec(j, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL)
        != SQLITE_OK
        || sqlite3_exec(j, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL)
        != SQLITE_OK
        || jsetup(j) != 0)
        goto fail;
    /* Made now: writable by whoever may write the project (a team's
     * shared folder gives it the group; the mode comes from here). */
    if (!existed && stat(s->path, &sb) == 0)
        (void)chmod(path, sb.st_mode & 0666);
    free(path);
    s->journal = j;
    return j;
fail:
    rl_err_set(err, RL_E_DB, "%s: cannot open the journal of marks: %s",
               path, j != NULL ? sqlite3_errmsg(j) : "out of memory");
    sqlite3_close(j);
    free(path);
    return NULL;
}

static int64_t
jcount(sqlite3 *j)
{
    sqlite3_stmt *st;
    int64_t n = 0;

    if (sqlite3_prepare_v2(j, "SELECT count(*) FROM pending", -1, &st, NULL)
        != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- writing a step to the journal ------------------------------------ */

static int
journal_put(rl_store *s, const char *reviewer, int64_t image,
            const char *what, const log_change *ch, size_t n, rl_err *err)
{
    static const char sql_step[] =
        "INSERT INTO pending(uid, reviewer, at, what, adjudicator, image)"
        " VALUES(lower(hex(randomblob(16))), ?, ?, ?, ?, ?)";
    static const char sql_change[] =
        "INSERT INTO pending_change(seq, n, class, field, before, after)"
        " VALUES(?, ?, ?, ?, ?, ?)";
    sqlite3 *j = jopen(s, true, err);
    sqlite3_stmt *st = NULL, *sc = NULL;
    int64_t seq;
    size_t i;
    int rc = -1;

    if (j == NULL)
        return -1;
    if (sqlite3_exec(j, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        jerr(j, s->path, err, "saving the mark");
        return -1;
    }
    if (sqlite3_prepare_v2(j, sql_step, -1, &st, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(j, sql_change, -1, &sc, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rl_now_ms());
    sqlite3_bind_text(st, 3, what, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, s->adjudicator);
    sqlite3_bind_int64(st, 5, image);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    seq = sqlite3_last_insert_rowid(j);
    for (i = 0; i < n; i++) {
        sqlite3_reset(sc);
        sqlite3_bind_int64(sc, 1, seq);
        sqlite3_bind_int64(sc, 2, (int64_t)i);
        sqlite3_bind_int64(sc, 3, ch[i].cls);
        sqlite3_bind_text(sc, 4, ch[i].field, -1, SQLITE_STATIC);
        if (ch[i].before != NULL)
            sqlite3_bind_text(sc, 5, ch[i].before, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(sc, 5);
        if (ch[i].after != NULL)
            sqlite3_bind_text(sc, 6, ch[i].after, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(sc, 6);
        if (sqlite3_step(sc) != SQLITE_DONE)
            goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        jerr(j, s->path, err, "saving the mark");
    sqlite3_finalize(st);
    sqlite3_finalize(sc);
    if (rc == 0 && sqlite3_exec(j, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        jerr(j, s->path, err, "saving the mark");
        rc = -1;
    }
    if (rc != 0)
        sqlite3_exec(j, "ROLLBACK", NULL, NULL, NULL);
    else
        s->journal_n++;
    return rc;
}

/* ---- applying pending steps to the project ---------------------------- */

/* One pending step, read back: `st` is positioned on its pending row;
 * its changes come from `sc`. Skipped when the project has its uid. */
static int
apply_one(rl_store *s, sqlite3_stmt *st, sqlite3_stmt *sc, rl_err *err)
{
    const char *uid = (const char *)sqlite3_column_text(st, 1);
    char *reviewer = store_col_dup(st, 2), *what = store_col_dup(st, 4);
    int64_t at = sqlite3_column_int64(st, 3);
    int64_t image = sqlite3_column_int64(st, 6);
    bool adj = s->adjudicator;
    log_step sp;
    int rc = -1;

    if (store_lookup(s, "SELECT id FROM step WHERE uid = ?", uid) >= 0) {
        rc = 0;                        /* applied before a crash */
        goto done;
    }
    s->adjudicator = sqlite3_column_int(st, 5) != 0;
    if (log_begin_as(s, &sp, strcmp(what, "bulk") == 0 ? LOG_BULK : LOG_MARK,
                     reviewer, what, 0, uid, at, err) != 0)
        goto done;
    sqlite3_reset(sc);
    sqlite3_bind_int64(sc, 1, sqlite3_column_int64(st, 0));
    while (sqlite3_step(sc) == SQLITE_ROW) {
        int64_t cls = sqlite3_column_int64(sc, 0);
        const char *field = (const char *)sqlite3_column_text(sc, 1);
        const char *after = (const char *)sqlite3_column_text(sc, 2);
        /* The project's value now is what this step changes. */
        char *now = log_value(s, reviewer, image, cls, field);
        int r = log_put(&sp, image, cls, field, now, after, 0, err);

        free(now);
        if (r != 0)
            goto end;
    }
    if (log_settle(&sp, image, err) != 0)
        goto end;
    rc = 0;
end:
    rc = log_end(&sp, rc, err);
done:
    s->adjudicator = adj;
    free(reviewer);
    free(what);
    return rc;
}

/* rl_journal_apply of at most `max` steps (0: all); `check` false: never
 * wait for the quick check of open either (still pending then). */
static int
apply(rl_store *s, int64_t wait_ms, bool check, size_t max, rl_err *err)
{
    static const char sql_steps[] =
        "SELECT seq, uid, reviewer, at, what, adjudicator, image FROM pending"
        " ORDER BY seq";
    static const char sql_changes[] =
        "SELECT class, field, after FROM pending_change WHERE seq = ?"
        " ORDER BY n";
    rl_err le;
    sqlite3 *j = jopen(s, false, &le);
    sqlite3_stmt *st = NULL, *sc = NULL, *del = NULL;
    int64_t last = 0;
    size_t done = 0;
    int b, rc = -1;

    if (j == NULL) {
        if (le.code == RL_E_OK)
            return 0;                  /* no journal: nothing pending */
        if (err != NULL)
            *err = le;
        return -1;
    }
    if (s->depth > 0)                  /* inside a caller's transaction */
        return jcount(j) > 0;
    if ((s->journal_n = jcount(j)) == 0)
        return 0;
    if (!check && store_check_pending(s))
        return 1;
    /* The project's synchronous=NORMAL holds for this commit too: FULL
     * would fsync the WAL the importer just filled (0.4 s measured). */
    b = wait_ms < 0 ? rl_store_begin(s, err)
        : store_begin_within(s, wait_ms, err);
    if (b != 0)
        return b;
    /* Read under the project's lock: whatever another process applied
     * before we got it is skipped by uid. */
    if (sqlite3_prepare_v2(j, sql_steps, -1, &st, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(j, sql_changes, -1, &sc, NULL) != SQLITE_OK) {
        jerr(j, s->path, err, "reading the journal of marks");
        goto out;
    }
    while ((max == 0 || done < max) && sqlite3_step(st) == SQLITE_ROW) {
        if (apply_one(s, st, sc, err) != 0)
            goto out;
        last = sqlite3_column_int64(st, 0);
        done++;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_finalize(sc);
    rc = rl_store_end(s, rc, err);
    if (rc != 0)
        return -1;
    /* The project has them: now, and only now, they leave the journal. */
    if (sqlite3_exec(j, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(j, "DELETE FROM pending_change WHERE seq <= ?1;",
                              -1, &del, NULL) != SQLITE_OK)
        goto jfail;
    sqlite3_bind_int64(del, 1, last);
    if (sqlite3_step(del) != SQLITE_DONE)
        goto jfail;
    sqlite3_finalize(del);
    if (sqlite3_prepare_v2(j, "DELETE FROM pending WHERE seq <= ?1", -1,
                           &del, NULL) != SQLITE_OK)
        goto jfail;
    sqlite3_bind_int64(del, 1, last);
    if (sqlite3_step(del) != SQLITE_DONE
        || sqlite3_exec(j, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto jfail;
    sqlite3_finalize(del);
    if ((s->journal_n = jcount(j)) == 0)
        sqlite3_exec(j, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
    return s->journal_n > 0;
jfail:
    /* Applied but not removed: the next apply skips them by uid. */
    jerr(j, s->path, err, "clearing applied marks");
    sqlite3_finalize(del);
    sqlite3_exec(j, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int
rl_journal_apply(rl_store *s, int64_t wait_ms, rl_err *err)
{
    /* An idle tick takes a batch at a time: a key pressed meanwhile is
     * not kept waiting behind hundreds of steps. */
    return apply(s, wait_ms, wait_ms != 0, wait_ms == 0 ? JOURNAL_BATCH : 0,
                 err);
}

void
rl_journal_set_interactive(rl_store *s, bool on)
{
    s->interactive = on;
}

/* ---- live steps ------------------------------------------------------- */

int
journal_step(rl_store *s, const char *reviewer, int64_t image,
             const char *what, const log_change *ch, size_t n,
             bool may_journal, rl_err *err)
{
    int64_t wait = may_journal ? JOURNAL_WAIT_MS : -1;
    log_step sp;
    size_t i;
    int b, rc = -1;
    bool skip_check;

    /* The first write of a connection waits for the quick check of open
     * (seconds on a large project under load); on the review screen a
     * mark goes to the journal instead, applied once the check is done. */
    skip_check = may_journal && s->interactive;

    /* Earlier journaled steps first, so the order holds: a batch of them
     * (a mark after an import's commit would otherwise carry the hundreds
     * journaled during it: 0.66 s measured); while more remain this step
     * joins them in the journal. */
    if ((b = apply(s, wait, !skip_check, may_journal ? JOURNAL_BATCH : 0,
                   err)) < 0)
        return -1;
    if (b == 0) {
        b = skip_check && store_check_pending(s) ? 1
            : may_journal ? store_begin_within(s, JOURNAL_WAIT_MS, err)
            : rl_store_begin(s, err);
        if (b < 0)
            return -1;
    }
    if (b == 1)
        return journal_put(s, reviewer, image, what, ch, n, err);

    if (log_begin(s, &sp, strcmp(what, "bulk") == 0 ? LOG_BULK : LOG_MARK,
                  reviewer, what, 0, err) != 0)
        return rl_store_end(s, -1, NULL);
    for (i = 0; i < n; i++)
        if (log_put(&sp, image, ch[i].cls, ch[i].field, ch[i].before,
                    ch[i].after, 0, err) != 0)
            goto out;
    if (log_settle(&sp, image, err) != 0)
        goto out;
    rc = 0;
out:
    rc = log_end(&sp, rc, err);
    return rl_store_end(s, rc, err);
}

/* ---- what the reviewer's own screen shows ------------------------------ */

size_t
journal_overlay(rl_store *s, const char *reviewer, int64_t image,
                void (*fn)(void *ctx, const log_change *c), void *ctx)
{
    static const char sql[] =
        "SELECT c.class, c.field, c.before, c.after FROM pending p"
        " JOIN pending_change c ON c.seq = p.seq"
        " WHERE p.reviewer = ? AND p.image = ? ORDER BY p.seq, c.n";
    sqlite3_stmt *st;
    size_t n = 0;

    if (s->journal == NULL || s->journal_n == 0)
        return 0;
    if (sqlite3_prepare_v2(s->journal, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, image);
    while (sqlite3_step(st) == SQLITE_ROW) {
        log_change c = {
            sqlite3_column_int64(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2),
            (const char *)sqlite3_column_text(st, 3)
        };

        fn(ctx, &c);
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

size_t
journal_images(rl_store *s, const char *reviewer, int64_t **ids)
{
    sqlite3_stmt *st;
    size_t n = 0, cap = 0;

    *ids = NULL;
    if (s->journal == NULL || s->journal_n == 0)
        return 0;
    if (sqlite3_prepare_v2(s->journal, "SELECT DISTINCT image FROM pending"
                           " WHERE reviewer = ? ORDER BY image", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_grow(ids, &cap, n + 1, sizeof **ids);
        (*ids)[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

/* ---- relabel check ---------------------------------------------------- */

int
rl_journal_info_get(const char *path, rl_journal_info *info, rl_err *err)
{
    char *jpath = rl_xasprintf("%s-marks", path);
    sqlite3 *j = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;

    memset(info, 0, sizeof *info);
    if (access(jpath, F_OK) != 0) {
        free(jpath);
        return 0;
    }
    info->exists = true;
    /* Read-write when we may, so a WAL left by a killed writer reads. */
    if (sqlite3_open_v2(jpath, &j, access(jpath, W_OK) == 0
                        ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
                        NULL) != SQLITE_OK)
        goto out;
    sqlite3_busy_timeout(j, 5000);
    if (sqlite3_prepare_v2(j, "PRAGMA integrity_check", -1, &st, NULL)
        != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
        goto out;
    if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        char *why = rl_utf8_sanitize((const char *)sqlite3_column_text(st, 0));

        rl_err_set(err, RL_E_DB, "%s: the journal of marks is damaged "
                   "(%.80s)", jpath, why);
        free(why);
        sqlite3_finalize(st);
        sqlite3_close(j);
        free(jpath);
        return -1;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(j, "SELECT count(*), count(DISTINCT reviewer)"
                           " FROM pending", -1, &st, NULL) != SQLITE_OK
        || sqlite3_step(st) != SQLITE_ROW)
        goto out;
    info->pending = (long)sqlite3_column_int64(st, 0);
    info->reviewers = (long)sqlite3_column_int64(st, 1);
    rc = 0;
out:
    if (rc != 0)
        rl_err_set(err, RL_E_DB, "%s: cannot read the journal of marks: %s",
                   jpath, j != NULL ? sqlite3_errmsg(j) : "out of memory");
    sqlite3_finalize(st);
    sqlite3_close(j);
    free(jpath);
    return rc;
}
