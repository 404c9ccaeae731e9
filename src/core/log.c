/* log.c - the one writer of the review log (see log.h).
 *
 * Owns the review, flag, candidate, timing, step and event tables. Each
 * change is applied and logged in the same transaction, so the event log
 * replays to the tables: for every (image, class, reviewer, field) the
 * `after` of the newest event is the stored value. Undo and redo keep
 * that promise by applying a change only where the value is still the
 * one the reverted step left; a change made since by another step (an
 * import, a merge, another session) is kept and named instead. A live
 * step keeps the stats counters (tally.c) with each change it applies;
 * an import or merge step leaves them to its writer's recount. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/team.h"
#include "relabel/util.h"
#include "internal.h"

static const char SQL_STEP[] =
    "INSERT INTO step(uid, reviewer, at, kind, target, what)"
    " VALUES(coalesce(?6, lower(hex(randomblob(16)))), ?1, ?2, ?3, ?4, ?5)";
static const char SQL_REVIEW_UPSERT[] =
    "INSERT INTO review(image, class, reviewer, state_code, updated_at,"
    " role_code) VALUES(?1, ?2, ?3, " RL_SQL_STATE_CODE("?4") ", ?5, "
    RL_SQL_ROLE_CODE("?6") ") ON CONFLICT(image, class, reviewer)"
    " DO UPDATE SET state_code = excluded.state_code,"
    " updated_at = excluded.updated_at, role_code = excluded.role_code";
/* The role a verdict was given in, changed alone (an import's role
 * column): "reviewer" or "adjudicator". */
static const char SQL_REVIEW_ROLE[] =
    "UPDATE review SET role_code = " RL_SQL_ROLE_CODE("?4") ","
    " updated_at = ?5 WHERE image = ?1"
    " AND class = ?2 AND reviewer = ?3";
static const char SQL_REVIEW_DELETE[] =
    "DELETE FROM review WHERE image = ? AND class = ? AND reviewer = ?";
static const char SQL_FLAG_ENSURE[] =
    "INSERT OR IGNORE INTO flag(image, reviewer, updated_at) VALUES(?, ?, ?)";
static const char SQL_TIMING_CHANGE[] =
    "INSERT INTO timing(image, reviewer, first_shown, last_change)"
    " VALUES(?1, ?2, ?3, ?3) ON CONFLICT(image, reviewer)"
    " DO UPDATE SET last_change = ?3";
/* What a candidate is: a class a model proposed (n_models > 0), the
 * original label, or one a reviewer added (added_by). */
static const char SQL_CAND_ADD[] =
    "INSERT OR IGNORE INTO candidate(image, class, n_models, added_by)"
    " VALUES(?, ?, 0, ?)";
static const char SQL_CAND_DEL[] =
    "DELETE FROM candidate WHERE image = ? AND class = ? AND n_models = 0"
    " AND NOT EXISTS (SELECT 1 FROM review r WHERE r.image = candidate.image"
    " AND r.class = candidate.class)";
static const char SQL_CAND_REBUILD[] =
    "INSERT INTO candidate(image, class, n_models, rank_sum)"
    " SELECT image, class, count(*), sum(rank)"
    " FROM prediction WHERE true GROUP BY image, class"
    " ON CONFLICT(image, class) DO UPDATE SET n_models = excluded.n_models,"
    " rank_sum = excluded.rank_sum";

int
log_begin(rl_store *s, log_step *sp, log_kind kind, const char *reviewer,
          const char *what, int64_t target, rl_err *err)
{
    return log_begin_as(s, sp, kind, reviewer, what, target, NULL, 0, err);
}

int
log_begin_as(rl_store *s, log_step *sp, log_kind kind, const char *reviewer,
             const char *what, int64_t target, const char *uid, int64_t at,
             rl_err *err)
{
    static const char *const kinds[] = {
        [LOG_MARK] = "do", [LOG_BULK] = "do", [LOG_ADJUDICATION] = "do",
        [LOG_UNDO] = "undo", [LOG_REDO] = "redo", [LOG_IMPORT] = "import",
        [LOG_MERGE] = "import"
    };
    sqlite3_stmt *st;

    sp->s = s;
    sp->id = 0;
    sp->reviewer = reviewer;
    sp->bulk = kind == LOG_IMPORT || kind == LOG_MERGE;
    sp->events = 0;
    sp->ev_first = sp->ev_last = 0;
    if (rl_store_begin(s, err) != 0)
        return -1;
    if ((st = store_stmt(s, SQL_STEP, err)) == NULL)
        goto fail;
    if (kind == LOG_ADJUDICATION || (kind == LOG_MARK && s->adjudicator
                                     && strcmp(what, "mark") == 0))
        what = "adjudicate";
    sp->at = at > 0 ? at : rl_now_ms();
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sp->at);
    sqlite3_bind_text(st, 3, kinds[kind], -1, SQLITE_STATIC);
    if (target > 0)
        sqlite3_bind_int64(st, 4, target);
    sqlite3_bind_text(st, 5, what, -1, SQLITE_TRANSIENT);
    if (uid != NULL)
        sqlite3_bind_text(st, 6, uid, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "logging the change");
        goto fail;
    }
    sp->id = sqlite3_last_insert_rowid(s->db);
    return 0;
fail:
    rl_store_end(s, -1, NULL);
    return -1;
}

/* Notes event `id`, just logged by step `sp`, in the step's range. */
static void
note_event(log_step *sp, int64_t id)
{
    if (sp->ev_first == 0 || id < sp->ev_first)
        sp->ev_first = id;
    if (id > sp->ev_last)
        sp->ev_last = id;
}

/* Widens the event range of step `id` on its row to [first, last]. */
static int
store_range(rl_store *s, int64_t id, int64_t first, int64_t last,
            rl_err *err)
{
    static const char sql[] = "UPDATE step SET"
        " ev_first = min(coalesce(ev_first, ?2), ?2),"
        " ev_last = max(coalesce(ev_last, ?3), ?3) WHERE id = ?1";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, first);
    sqlite3_bind_int64(st, 3, last);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "logging the change");
        return -1;
    }
    return 0;
}

/* The ranges of the steps whose events a statement wrote (a merge's,
 * many steps): every event after id `after`, in one pass. */
static int
store_ranges_since(rl_store *s, int64_t after, rl_err *err)
{
    static const char sql[] =
        "UPDATE main.step SET ev_first = min(coalesce(ev_first, r.a), r.a),"
        " ev_last = max(coalesce(ev_last, r.b), r.b)"
        " FROM (SELECT step, min(id) AS a, max(id) AS b FROM main.event"
        " WHERE id > ?1 GROUP BY step) AS r WHERE main.step.id = r.step";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, after);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "logging the changes");
        return -1;
    }
    return 0;
}

/* Notes in the range of step `sp` the first and last of its events after
 * id `after` that a statement wrote (an import's): two scans by id that
 * stop at the first event of the step from either end, no sort, no
 * memory. */
static int
note_events_since(log_step *sp, int64_t after, rl_err *err)
{
    static const char first[] = "SELECT id FROM main.event WHERE id > ?1"
        " AND step = ?2 ORDER BY id LIMIT 1";
    static const char last[] = "SELECT id FROM main.event WHERE id > ?1"
        " AND step = ?2 ORDER BY id DESC LIMIT 1";
    int j;

    for (j = 0; j < 2; j++) {
        sqlite3_stmt *st = store_stmt(sp->s, j == 0 ? first : last, err);
        int r;

        if (st == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, after);
        sqlite3_bind_int64(st, 2, sp->id);
        if ((r = sqlite3_step(st)) == SQLITE_ROW)
            note_event(sp, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
        if (r != SQLITE_ROW && r != SQLITE_DONE) {
            store_dberr(sp->s, err, "logging the changes");
            return -1;
        }
    }
    return 0;
}

/* The newest event id (0: none). */
static int64_t
last_event(rl_store *s)
{
    return store_int(s, "SELECT coalesce(max(id), 0) FROM main.event", 0);
}

int
log_end(log_step *sp, int rc, rl_err *err)
{
    if (rc == 0 && !sp->bulk
        && tally_add(sp->s, "events", "", sp->events, err) != 0)
        rc = -1;
    if (rc == 0 && sp->ev_first > 0
        && store_range(sp->s, sp->id, sp->ev_first, sp->ev_last, err) != 0)
        rc = -1;
    return rl_store_end(sp->s, rc, err);
}

/* ---- applying one value ---------------------------------------------- */

/* Writes a verdict value ("" or NULL: none) for one candidate. */
static int
put_state(log_step *sp, int64_t image, int64_t cls, const char *state,
          int64_t at, rl_err *err)
{
    rl_store *s = sp->s;
    sqlite3_stmt *st;

    if (state == NULL || *state == '\0') {
        if ((st = store_stmt(s, SQL_REVIEW_DELETE, err)) == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, image);
        sqlite3_bind_int64(st, 2, cls);
        sqlite3_bind_text(st, 3, sp->reviewer, -1, SQLITE_TRANSIENT);
    } else {
        if ((st = store_stmt(s, SQL_REVIEW_UPSERT, err)) == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, image);
        sqlite3_bind_int64(st, 2, cls);
        sqlite3_bind_text(st, 3, sp->reviewer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, state, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, at);
        sqlite3_bind_text(st, 6, s->adjudicator ? "adjudicator" : "reviewer",
                          -1, SQLITE_STATIC);
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "saving the verdict");
        return -1;
    }
    return 0;
}

/* Writes one flag-table field; `field` is a fixed column name. */
static int
put_flag(log_step *sp, int64_t image, const char *field, const char *value,
         int64_t at, rl_err *err)
{
    static const char sql_prob[] = "UPDATE flag SET problematic = ?1,"
        " updated_at = ?4 WHERE image = ?2 AND reviewer = ?3";
    static const char sql_note[] = "UPDATE flag SET note = coalesce(?1, ''),"
        " updated_at = ?4 WHERE image = ?2 AND reviewer = ?3";
    static const char sql_main[] = "UPDATE flag SET main = ?1,"
        " updated_at = ?4 WHERE image = ?2 AND reviewer = ?3";
    static const char sql_done[] = "UPDATE flag SET done = ?1,"
        " updated_at = ?4 WHERE image = ?2 AND reviewer = ?3";
    const char *sql = strcmp(field, "problematic") == 0 ? sql_prob
                      : strcmp(field, "note") == 0 ? sql_note
                      : strcmp(field, "main") == 0 ? sql_main : sql_done;
    rl_store *s = sp->s;
    sqlite3_stmt *st = store_stmt(s, SQL_FLAG_ENSURE, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_text(st, 2, sp->reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, at);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    if ((st = store_stmt(s, sql, err)) == NULL)
        return -1;
    /* None: an empty note, no main object, a cleared flag. */
    if (sql == sql_note)
        sqlite3_bind_text(st, 1, value ? value : "", -1, SQLITE_TRANSIENT);
    else if ((value == NULL || *value == '\0') && sql == sql_main)
        sqlite3_bind_null(st, 1);
    else if (value == NULL || *value == '\0')
        sqlite3_bind_int(st, 1, 0);
    else
        sqlite3_bind_int64(st, 1, strtoll(value, NULL, 10));
    sqlite3_bind_int64(st, 2, image);
    sqlite3_bind_text(st, 3, sp->reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, at);
    if (sqlite3_step(st) == SQLITE_DONE)
        return 0;
fail:
    store_dberr(s, err, "saving the flag");
    return -1;
}

static int
put_role(log_step *sp, int64_t image, int64_t cls, const char *role,
         int64_t at, rl_err *err)
{
    sqlite3_stmt *st = store_stmt(sp->s, SQL_REVIEW_ROLE, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_int64(st, 2, cls);
    sqlite3_bind_text(st, 3, sp->reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, role != NULL && *role != '\0' ? role
                      : "reviewer", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, at);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(sp->s, err, "saving the role");
        return -1;
    }
    return 0;
}

static int
put_candidate(log_step *sp, int64_t image, int64_t cls, const char *value,
              rl_err *err)
{
    sqlite3_stmt *st = store_stmt(sp->s, value ? SQL_CAND_ADD : SQL_CAND_DEL,
                                  err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_int64(st, 2, cls);
    /* "" is a candidate nobody added (an import's class that a model
     * proposed where the file came from). */
    if (value != NULL && *value != '\0')
        sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(sp->s, err, "saving the candidate");
        return -1;
    }
    return 0;
}

int
log_same(const char *field, const char *a, const char *b)
{
    const char *none = strcmp(field, "problematic") == 0
                       || strcmp(field, "done") == 0 ? "0"
                       : strcmp(field, "role") == 0 ? "reviewer" : "";

    /* A candidate is there (its adder, "" for none) or not (NULL). */
    if (strcmp(field, "candidate") == 0 && (a == NULL) != (b == NULL))
        return 0;
    if (a == NULL || (*a == '\0'))
        a = none;
    if (b == NULL || (*b == '\0'))
        b = none;
    if (strcmp(field, "main") == 0) {
        if (strcmp(a, "0") == 0)
            a = "";
        if (strcmp(b, "0") == 0)
            b = "";
    }
    return strcmp(a, b) == 0;
}

int
log_state_code(rl_state st)
{
    switch (st) {
    case RL_STATE_CORRECT: return 0;
    case RL_STATE_WRONG: return 1;
    case RL_STATE_UNCLEAR: return 2;
    case RL_STATE_DONT_KNOW: return 3;
    default: return -1;
    }
}

int
log_role_code(const char *role)
{
    return role == NULL ? -1 : strcmp(role, "reviewer") == 0 ? 0
           : strcmp(role, "adjudicator") == 0 ? 1 : -1;
}

int
log_verdict_changes(bool has_old, int old, int old_role, int state,
                    int role, int live, int *bucket)
{
    int ch = 0;

    if (!has_old || old != state)
        ch |= LOG_CHANGES_STATE;
    if (role >= 0 && (has_old ? (old_role >= 0 ? old_role : 0) : live)
        != role)
        ch |= LOG_CHANGES_ROLE;
    *bucket = !has_old ? 3 : ch != 0 ? 2 : 1;
    return ch;
}

int
log_put(log_step *sp, int64_t image, int64_t cls, const char *field,
        const char *before, const char *after, int64_t at, rl_err *err)
{
    struct tally_snap was, now;
    bool counted;
    int rc;

    if (log_same(field, before, after))
        return 0;
    if (at <= 0)
        at = sp->at;
    /* A live change keeps the stats counters: what they see of the image
     * before and after it (a note, a main object or a role counts
     * nothing). */
    counted = !sp->bulk && strcmp(field, "note") != 0
              && strcmp(field, "main") != 0 && strcmp(field, "role") != 0;
    if (counted && tally_snap(sp->s, image, sp->reviewer, &was, err) != 0)
        return -1;
    if (strcmp(field, "state") == 0)
        rc = put_state(sp, image, cls, after, at, err);
    else if (strcmp(field, "candidate") == 0)
        rc = put_candidate(sp, image, cls, after, err);
    else if (strcmp(field, "role") == 0)
        rc = put_role(sp, image, cls, after, at, err);
    else
        rc = put_flag(sp, image, field, after, at, err);
    if (rc != 0)
        return -1;
    if (counted && (tally_snap(sp->s, image, sp->reviewer, &now, err) != 0
                    || tally_change(sp->s, sp->reviewer, &was, &now, err)
                    != 0))
        return -1;
    if (store_event(sp->s, sp->id, image, cls, field, before, after, err)
        != 0)
        return -1;
    note_event(sp, sqlite3_last_insert_rowid(sp->s->db));
    sp->events++;
    return 0;
}

char *
log_value(rl_store *s, const char *reviewer, int64_t image, int64_t cls,
          const char *field)
{
    static const char sql_state[] = "SELECT state FROM review WHERE image = ?1"
        " AND class = ?2 AND reviewer = ?3";
    static const char sql_role[] = "SELECT role FROM review WHERE image = ?1"
        " AND class = ?2 AND reviewer = ?3";
    static const char sql_cand[] = "SELECT coalesce(added_by, '')"
        " FROM candidate WHERE image = ?1 AND class = ?2";
    static const char sql_prob[] = "SELECT problematic FROM flag"
        " WHERE image = ?1 AND reviewer = ?3 AND ?2 = ?2";
    static const char sql_note[] = "SELECT note FROM flag"
        " WHERE image = ?1 AND reviewer = ?3 AND ?2 = ?2";
    static const char sql_main[] = "SELECT main FROM flag"
        " WHERE image = ?1 AND reviewer = ?3 AND ?2 = ?2";
    static const char sql_done[] = "SELECT done FROM flag"
        " WHERE image = ?1 AND reviewer = ?3 AND ?2 = ?2";
    const char *sql = strcmp(field, "state") == 0 ? sql_state
                      : strcmp(field, "role") == 0 ? sql_role
                      : strcmp(field, "candidate") == 0 ? sql_cand
                      : strcmp(field, "problematic") == 0 ? sql_prob
                      : strcmp(field, "note") == 0 ? sql_note
                      : strcmp(field, "main") == 0 ? sql_main : sql_done;
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    char *v = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_int64(st, 2, cls);
    if (sql != sql_cand)
        sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = store_col_dup(st, 0);
    sqlite3_reset(st);
    return v;
}

/* ---- what a live step leaves behind ---------------------------------- */

/* A confirmed image that has a candidate without this reviewer's verdict
 * again (after x, or an undo) is no longer confirmed. */
static int
unconfirm_if_open(log_step *sp, int64_t image, rl_err *err)
{
    static const char sql[] =
        "SELECT 1 FROM flag WHERE image = ?1 AND reviewer = ?2 AND done"
        " AND EXISTS (SELECT 1 FROM candidate c WHERE c.image = ?1"
        " AND NOT EXISTS (SELECT 1 FROM review r WHERE r.image = c.image"
        " AND r.class = c.class AND r.reviewer = ?2))";
    sqlite3_stmt *st = store_stmt(sp->s, sql, err);
    int open;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_text(st, 2, sp->reviewer, -1, SQLITE_TRANSIENT);
    open = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return open ? log_put(sp, image, 0, "done", "1", "0", 0, err) : 0;
}

static int
touch_change(log_step *sp, int64_t image, rl_err *err)
{
    sqlite3_stmt *st = store_stmt(sp->s, SQL_TIMING_CHANGE, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_text(st, 2, sp->reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, sp->at);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(sp->s, err, "saving the time");
        return -1;
    }
    return 0;
}

int
log_settle(log_step *sp, int64_t image, rl_err *err)
{
    if (unconfirm_if_open(sp, image, err) != 0)
        return -1;
    return touch_change(sp, image, err);
}

int
log_touch(rl_store *s, const char *reviewer, int64_t image,
          int64_t active_ms, rl_err *err)
{
    static const char sql[] =
        "INSERT INTO timing(image, reviewer, first_shown, active_ms)"
        " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(image, reviewer)"
        " DO UPDATE SET active_ms = active_ms + ?4";
    sqlite3_stmt *st;
    int b;

    /* The image shown first after open: its time is not worth waiting
     * for the quick check (the next touch of the image records it). */
    if (store_check_pending(s))
        return 0;
    /* Nor is it worth waiting for another writer (an import): while the
     * lock is busy the attention is not recorded. */
    if ((b = store_begin_within(s, 5, err)) != 0)
        return b > 0 ? 0 : -1;
    if ((st = store_stmt(s, sql, err)) == NULL)
        return rl_store_end(s, -1, NULL);
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, rl_now_ms());
    sqlite3_bind_int64(st, 4, active_ms < 0 ? 0 : active_ms);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "saving the time");
        sqlite3_reset(st);
        return rl_store_end(s, -1, NULL);
    }
    sqlite3_reset(st);
    return rl_store_end(s, 0, err);
}

/* ---- undo / redo ----------------------------------------------------- */

/* The events of step ?1: within its range (a live step's events are the
 * whole range; an import's may share it with other steps'). */
#define STEP_EVENTS \
    " FROM event WHERE id BETWEEN (SELECT ev_first FROM step WHERE id = ?1)" \
    " AND (SELECT ev_last FROM step WHERE id = ?1) AND step = ?1"
static const char SQL_STEP_EVENTS_DESC[] =
    "SELECT id, image, class, field, before, after" STEP_EVENTS
    " ORDER BY id DESC";
/* The newest event on the same value after event ?1: who changed it. */
static const char SQL_CHANGED_BY[] =
    "SELECT s.reviewer, s.kind, s.what, (SELECT wnid FROM class"
    " WHERE id = ?3) FROM event e JOIN step s ON s.id = e.step"
    " WHERE e.id > ?1 AND e.image = ?2 AND e.class IS ?3 AND e.field = ?4"
    " AND (?4 = 'candidate' OR s.reviewer = ?5)"
    " ORDER BY e.id DESC LIMIT 1";

/* Appends "KEY stays VALUE: changed since by WHAT by WHO" to `note`. */
static void
note_conflict(rl_store *s, const char *reviewer, int64_t ev, int64_t image,
              int64_t cls, const char *field, const char *now, char *note,
              size_t size)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CHANGED_BY, NULL);
    char what[160] = "a change outside the log";
    char key[40];
    size_t len = strlen(note);
    char *val = rl_utf8_sanitize(now != NULL && *now ? now : "unset");

    snprintf(key, sizeof key, "%s", field);
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, ev);
        sqlite3_bind_int64(st, 2, image);
        if (cls > 0)
            sqlite3_bind_int64(st, 3, cls);
        sqlite3_bind_text(st, 4, field, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, reviewer, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *who = (const char *)sqlite3_column_text(st, 0);
            const char *w = (const char *)sqlite3_column_text(st, 2);
            const char *wnid = (const char *)sqlite3_column_text(st, 3);
            char *sw = rl_utf8_sanitize(w ? w : "?");
            char *sr = rl_utf8_sanitize(who ? who : "?");

            snprintf(what, sizeof what, "%.100s by %.50s", sw, sr);
            if (wnid != NULL)
                snprintf(key, sizeof key, "%s", wnid);
            free(sw);
            free(sr);
        }
        sqlite3_reset(st);
    }
    if (len + 1 < size)
        snprintf(note + len, size - len, "%s%s stays %.20s: changed since "
                 "by %s", len ? "; " : "", key, val, what);
    free(val);
}

/* Names in `note` every value of step `target` that is not what the step
 * set (after its redo has run). */
static int
redo_misses(rl_store *s, const char *reviewer, int64_t target, char *note,
            size_t note_size, rl_err *err)
{
    static const char sql[] =
        "SELECT id, image, class, field, after" STEP_EVENTS " ORDER BY id";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, target);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t ev = sqlite3_column_int64(st, 0);
        int64_t image = sqlite3_column_int64(st, 1);
        int64_t cls = sqlite3_column_int64(st, 2);
        char *field = store_col_dup(st, 3), *after = store_col_dup(st, 4);
        char *now = log_value(s, reviewer, image, cls, field);

        if (!log_same(field, now, after))
            note_conflict(s, reviewer, ev, image, cls, field, now, note,
                          note_size);
        free(now);
        free(field);
        free(after);
    }
    sqlite3_reset(st);
    return 0;
}

int
log_revert(rl_store *s, const char *reviewer, int64_t target, int64_t source,
           bool undo, log_reverted *info, char *note, size_t note_size,
           rl_err *err)
{
    struct ev {
        int64_t id, image, cls;
        char *field, *before, *after;
    } *ev = NULL;
    size_t n = 0, cap = 0, i, done = 0;
    sqlite3_stmt *st;
    log_step sp;
    int rc = -1;

    if (note_size > 0)
        note[0] = '\0';
    memset(info, 0, sizeof *info);
    info->image = -1;
    if ((st = store_stmt(s, SQL_STEP_EVENTS_DESC, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, source);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_grow(&ev, &cap, n + 1, sizeof *ev);
        ev[n].id = sqlite3_column_int64(st, 0);
        ev[n].image = sqlite3_column_int64(st, 1);
        ev[n].cls = sqlite3_column_int64(st, 2);
        ev[n].field = store_col_dup(st, 3);
        ev[n].before = store_col_dup(st, 4);
        ev[n].after = store_col_dup(st, 5);
        n++;
    }
    sqlite3_reset(st);
    if (log_begin(s, &sp, undo ? LOG_UNDO : LOG_REDO, reviewer,
                  undo ? "undo" : "redo", target, err) != 0)
        goto free;
    /* Every value of `source` back to its `before`, newest first: an
     * undo replays the step (or its latest redo), a redo replays the undo
     * it cancels, so whatever that undo changed (a confirmation it
     * cleared too) comes back. */
    for (i = 0; i < n; i++) {
        const char *from = ev[i].after, *to = ev[i].before;
        char *now = log_value(s, reviewer, ev[i].image, ev[i].cls,
                              ev[i].field);

        info->image = ev[i].image;
        if (!log_same(ev[i].field, now, from)) {
            /* Changed since by someone else: keep it, say who. */
            if (!log_same(ev[i].field, now, to))
                note_conflict(s, reviewer, ev[i].id, ev[i].image, ev[i].cls,
                              ev[i].field, now, note, note_size);
            free(now);
            continue;
        }
        free(now);
        if (log_put(&sp, ev[i].image, ev[i].cls, ev[i].field, from, to, 0,
                    err) != 0)
            goto out;
        if (strcmp(ev[i].field, "state") == 0) {
            info->n_marks++;
            info->cls = ev[i].cls;
        }
        done++;
    }
    if (done > 0 && log_settle(&sp, info->image, err) != 0)
        goto out;
    /* A redo that could not bring a value of the target back (its undo
     * skipped it, or someone changed it since) says so, as the undo did. */
    if (!undo && redo_misses(s, reviewer, target, note, note_size, err) != 0)
        goto out;
    rc = 0;
out:
    rc = log_end(&sp, rc, err);
free:
    for (i = 0; i < n; i++) {
        free(ev[i].field);
        free(ev[i].before);
        free(ev[i].after);
    }
    free(ev);
    return rc;
}

/* ---- candidates from labels and models ------------------------------- */

int
log_candidate_original(rl_store *s, int64_t image, int64_t cls, rl_err *err)
{
    static const char sql[] = "INSERT OR IGNORE INTO candidate(image, class,"
        " n_models) VALUES(?, ?, 0)";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_int64(st, 2, cls);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "adding the candidate");
        return -1;
    }
    return 0;
}

int
log_candidates_rebuild(rl_store *s, rl_err *err)
{
    return store_exec(s, SQL_CAND_REBUILD, err);
}

int
log_candidates_original_staged(rl_store *s, int64_t first_new, rl_err *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO candidate(image, class, n_models)"
        " SELECT id, cls, 0 FROM temp.stage_label WHERE id IS NOT NULL"
        " AND change AND cls IS NOT NULL"
        " UNION ALL SELECT id, label, 0 FROM main.image WHERE id >= ?"
        " AND label IS NOT NULL";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, first_new);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "adding the candidates");
        return -1;
    }
    return 0;
}

#define SQL_STAGE_CAND_TABLE \
    "DROP TABLE IF EXISTS temp.stage_cand;" \
    "CREATE TEMP TABLE stage_cand(image INTEGER, class INTEGER," \
    " n_models INTEGER, rank_sum INTEGER, PRIMARY KEY(image, class))" \
    " WITHOUT ROWID;"

int
log_candidates_stage_open(rl_store *s, rl_err *err)
{
    return store_exec(s, SQL_STAGE_CAND_TABLE, err);
}

int
log_candidates_stage_put(rl_store *s, int64_t image, int64_t cls,
                         int64_t n_models, int64_t rank_sum, rl_err *err)
{
    static const char sql[] = "INSERT INTO temp.stage_cand(image, class,"
        " n_models, rank_sum) VALUES(?, ?, ?, ?)";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, image);
    sqlite3_bind_int64(st, 2, cls);
    sqlite3_bind_int64(st, 3, n_models);
    sqlite3_bind_int64(st, 4, rank_sum);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "staging the candidates");
        return -1;
    }
    return 0;
}

int
log_candidates_stage(rl_store *s, rl_err *err)
{
    return store_exec(s,
        SQL_STAGE_CAND_TABLE
        "INSERT INTO temp.stage_cand SELECT image, class, count(*),"
        " sum(rank) FROM ("
        "  SELECT p.image, p.class, p.rank FROM main.prediction p"
        "  WHERE p.image IN (SELECT DISTINCT image FROM temp.stage_pred)"
        "  UNION ALL SELECT image, class, rank FROM temp.stage_pred)"
        " GROUP BY image, class", err);
}

int
log_candidates_apply_staged(rl_store *s, bool fill, rl_err *err)
{
    /* The stored rows (the labels, classes reviewers added) go in with
     * the staged ones; an upsert keeps a staged row's counts and the
     * stored one's adder, as the update below does. */
    if (fill)
        return store_exec(s,
            "DROP TABLE IF EXISTS temp.cand_fill;"
            "CREATE TEMP TABLE cand_fill("
            " image INTEGER NOT NULL, class INTEGER NOT NULL,"
            " n_models INTEGER NOT NULL DEFAULT 0, rank_sum INTEGER,"
            " added_by TEXT, PRIMARY KEY(image, class)) WITHOUT ROWID;"
            "INSERT INTO temp.cand_fill(image, class, n_models, rank_sum)"
            " SELECT image, class, n_models, rank_sum FROM temp.stage_cand;"
            "INSERT INTO temp.cand_fill SELECT image, class, n_models,"
            " rank_sum, added_by FROM main.candidate WHERE true"
            " ON CONFLICT(image, class) DO UPDATE SET"
            " added_by = excluded.added_by;"
            "DELETE FROM main.candidate;"
            "INSERT INTO main.candidate SELECT * FROM temp.cand_fill;"
            "DROP TABLE temp.cand_fill;"
            "DROP TABLE temp.stage_cand", err);
    return store_exec(s,
        "INSERT INTO candidate(image, class, n_models, rank_sum)"
        " SELECT image, class, n_models, rank_sum FROM temp.stage_cand"
        " WHERE true ON CONFLICT(image, class) DO UPDATE SET"
        " n_models = excluded.n_models, rank_sum = excluded.rank_sum;"
        "DROP TABLE temp.stage_cand", err);
}

int
log_candidates_rebuild_staged(rl_store *s, rl_err *err)
{
    static const char sql[] =
        "INSERT INTO candidate(image, class, n_models, rank_sum)"
        " SELECT image, class, count(*), sum(rank)"
        " FROM prediction WHERE image IN (SELECT DISTINCT image FROM"
        " temp.stage_pred) GROUP BY image, class"
        " ON CONFLICT(image, class) DO UPDATE SET"
        " n_models = excluded.n_models, rank_sum = excluded.rank_sum";

    return store_exec(s, sql, err);
}

/* ---- the reviews import, set by set ------------------------------- */

/* The staging tables of a reviews import (csvio.c fills them while it
 * reads the file, without the write lock):
 *   stage_who      the reviewers of the file; `first` the line of their
 *                  first change (NULL: none), `step` their import step;
 *   stage_verdict  one row per verdict, one b-tree keyed by (image, cls,
 *                  who): the key is the file's duplicate check, `line`
 *                  its row; state and role as the codes of schema 7
 *                  (internal.h), role NULL when the file gives none,
 *                  adder NULL for "the reviewer", "" for nobody; rowb
 *                  the result bucket of its row's flag fields;
 *   stage_met      what a verdict met, for those that meet something,
 *                  under the same key, written after the file in its
 *                  read snapshot (csvio.c settle_verdicts): old and
 *                  old_role the project's verdict as the file was read
 *                  (NULL: none; old_role only when the file gives a
 *                  role), cand whether it adds a candidate (the first
 *                  verdict of the file on a class no candidate of the
 *                  image); a verdict without a row met nothing (a new
 *                  verdict on a candidate);
 *   stage_flag     the flag changes, in file order (later rows of the
 *                  file read earlier ones through it);
 *   stage_image    the image of each row of a wide file (its duplicate
 *                  check).
 * TEMP tables spill to disk: memory stays flat at any size; 64 MB page
 * caches (TEMP and the project, as the other imports use) keep what the
 * import touches in memory mostly, within the bound. */
static const char SQL_REVIEWS_STAGE[] =
    "PRAGMA temp.cache_size = -65536; PRAGMA main.cache_size = -65536;"
    "DROP TABLE IF EXISTS temp.stage_who;"
    "DROP TABLE IF EXISTS temp.stage_verdict;"
    "DROP TABLE IF EXISTS temp.stage_met;"
    "DROP TABLE IF EXISTS temp.stage_flag;"
    "DROP TABLE IF EXISTS temp.stage_image;"
    "DROP TABLE IF EXISTS temp.stage_newcand;"
    "CREATE TEMP TABLE stage_who(idx INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " first INTEGER, step INTEGER);"
    "CREATE TEMP TABLE stage_verdict(image INTEGER NOT NULL,"
    " cls INTEGER NOT NULL, who INTEGER NOT NULL, line INTEGER NOT NULL,"
    " state INTEGER NOT NULL, role INTEGER, adder TEXT, at INTEGER NOT NULL,"
    " rowb INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(image, cls, who)) WITHOUT ROWID;"
    "CREATE TEMP TABLE stage_met(image INTEGER NOT NULL, cls INTEGER NOT NULL,"
    " who INTEGER NOT NULL, old INTEGER, old_role INTEGER,"
    " cand INTEGER NOT NULL, PRIMARY KEY(image, cls, who)) WITHOUT ROWID;"
    "CREATE TEMP TABLE stage_flag(id INTEGER PRIMARY KEY, who INTEGER,"
    " image INTEGER, field TEXT, after TEXT, at INTEGER, line INTEGER);"
    "CREATE INDEX temp.stage_flag_key ON stage_flag(who, image, field, id);"
    "CREATE TEMP TABLE stage_image(image INTEGER PRIMARY KEY, line INTEGER);";

int
log_reviews_stage_open(rl_store *s, rl_err *err)
{
    return store_exec(s, SQL_REVIEWS_STAGE, err);
}

void
log_reviews_stage_drop(rl_store *s)
{
    store_exec(s, "DROP TABLE IF EXISTS temp.stage_who;"
               "DROP TABLE IF EXISTS temp.stage_verdict;"
               "DROP TABLE IF EXISTS temp.stage_met;"
               "DROP TABLE IF EXISTS temp.stage_flag;"
               "DROP TABLE IF EXISTS temp.stage_image;"
               "DROP TABLE IF EXISTS temp.stage_newcand", NULL);
}

/* What a staged verdict changes, as the file was read: its state; its
 * role (a new verdict has the live default, ?1, first; codes). The
 * reader (csvio.c) counted these as it staged them (log_verdict_changes
 * says the same in C). */
#define CHANGES_STATE "m.old IS NOT v.state"
#define CHANGES_ROLE \
    "(v.role IS NOT NULL AND CASE WHEN m.old IS NULL THEN ?1" \
    " ELSE coalesce(m.old_role, 0) END <> v.role)"

/* The changes the file was read to make, applied where they still change
 * something: a candidate the first verdict of the file on a class adds
 * (by its reviewer, or the file's added_by), unless one was added since;
 * each verdict with an event (before: the table now, so a mark made
 * meanwhile is the `before`), the upsert giving a changed verdict the
 * live default role (?1), as a mark would; then the file's roles. A
 * verdict the file left as it was is never touched, so a mark made on it
 * while the file was read stays. */
#define FROM_STAGED \
    " FROM temp.stage_verdict v CROSS JOIN temp.stage_who w ON w.idx = v.who" \
    " LEFT JOIN temp.stage_met m ON m.image = v.image AND m.cls = v.cls" \
    " AND m.who = v.who"
/* The candidates to add, from the verdicts that met something (only
 * those can add one), in the same key order: a file of new verdicts on
 * candidates, the usual first import, scans nothing here. */
static const char SQL_NEWCAND[] =
    "CREATE TEMP TABLE stage_newcand AS SELECT w.step AS step,"
    " v.image AS image, v.cls AS cls, coalesce(v.adder, w.name) AS adder"
    " FROM temp.stage_met m CROSS JOIN temp.stage_verdict v"
    " ON v.image = m.image AND v.cls = m.cls AND v.who = m.who"
    " CROSS JOIN temp.stage_who w ON w.idx = m.who"
    " WHERE m.cand AND NOT EXISTS (SELECT 1 FROM main.candidate k"
    "  WHERE k.image = v.image AND k.class = v.cls)"
    " ORDER BY m.image, m.cls, m.who";
static const char SQL_NEWCAND_EVENTS[] =
    "INSERT INTO main.event(step, image, class, field_code, before_code,"
    " after_code) SELECT step, image, cls, 6, NULL, adder"
    " FROM temp.stage_newcand ORDER BY rowid";
static const char SQL_NEWCAND_ADD[] =
    "INSERT OR IGNORE INTO main.candidate(image, class, n_models, added_by)"
    " SELECT image, cls, 0, nullif(adder, '') FROM temp.stage_newcand"
    " ORDER BY rowid";
static const char SQL_STATE_EVENTS[] =
    "INSERT INTO main.event(step, image, class, field_code, before_code,"
    " after_code) SELECT w.step, v.image, v.cls, 0, r.state_code, v.state"
    FROM_STAGED
    " LEFT JOIN main.review r ON r.image = v.image AND r.class = v.cls"
    " AND r.reviewer = w.name"
    " WHERE " CHANGES_STATE " AND r.state_code IS NOT v.state";
static const char SQL_STATES[] =
    "INSERT INTO main.review(image, class, reviewer, state_code, updated_at,"
    " role_code) SELECT v.image, v.cls, w.name, v.state, v.at, ?1"
    FROM_STAGED
    " WHERE " CHANGES_STATE
    " ON CONFLICT(image, class, reviewer) DO UPDATE SET"
    " state_code = excluded.state_code, updated_at = excluded.updated_at,"
    " role_code = excluded.role_code"
    " WHERE state_code IS NOT excluded.state_code";
static const char SQL_ROLE_EVENTS[] =
    "INSERT INTO main.event(step, image, class, field_code, before_code,"
    " after_code) SELECT w.step, v.image, v.cls, 5, r.role_code, v.role"
    FROM_STAGED
    " CROSS JOIN main.review r ON r.image = v.image AND r.class = v.cls"
    " AND r.reviewer = w.name WHERE " CHANGES_ROLE
    " AND r.role_code <> v.role";
static const char SQL_ROLES[] =
    "UPDATE main.review AS r SET role_code = v.role, updated_at = v.at"
    FROM_STAGED
    " WHERE " CHANGES_ROLE " AND r.image = v.image AND r.class = v.cls"
    " AND r.reviewer = w.name"
    " AND r.role_code <> v.role";

/* The first row of the file (by line) whose verdict would be written
 * without its candidate: the foreign key of review, checked once for the
 * import when the foreign keys are off. */
static const char SQL_ORPHAN[] =
    "SELECT min(v.line)" FROM_STAGED
    " WHERE " CHANGES_STATE " AND NOT EXISTS (SELECT 1 FROM main.candidate k"
    " WHERE k.image = v.image AND k.class = v.cls)";

/* Runs one statement of the apply; ?1, if any, is the live role's code. */
static int
apply_sql(rl_store *s, const char *sql, rl_err *err)
{
    sqlite3_stmt *st;
    int r;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "importing the reviews");
        return -1;
    }
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int(st, 1, s->adjudicator ? 1 : 0);
    r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "importing the reviews");
        return -1;
    }
    return 0;
}

/* The staged flag changes in file order, each through log_put with its
 * `before` read now. On failure *line names the row. */
static int
apply_flags(rl_store *s, log_step *sp, size_t n_sp, long *line, rl_err *err)
{
    static const char sql[] = "SELECT who, image, field, after, at, line"
        " FROM temp.stage_flag ORDER BY id";
    sqlite3_stmt *st;
    int r = SQLITE_DONE, rc = 0;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "importing the reviews");
        return -1;
    }
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t who = sqlite3_column_int64(st, 0);
        int64_t image = sqlite3_column_int64(st, 1);
        char *field = store_col_dup(st, 2), *after = store_col_dup(st, 3);
        char *now;

        if (who >= 0 && (size_t)who < n_sp && sp[who].id != 0) {
            now = log_value(s, sp[who].reviewer, image, 0, field);
            if (log_put(&sp[who], image, 0, field, now, after,
                        sqlite3_column_int64(st, 4), err) != 0) {
                *line = (long)sqlite3_column_int64(st, 5);
                rc = -1;
            }
            free(now);
        }
        free(field);
        free(after);
    }
    if (rc == 0 && r != SQLITE_DONE) {
        store_dberr(s, err, "importing the reviews");
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

/* One import step per reviewer with a change, in the order of their first
 * change in the file; their ids into stage_who. The names are kept in
 * `names` (the steps borrow them). */
static int
begin_steps(rl_store *s, const char *what, log_step **sp, char ***names,
            size_t *n, rl_err *err)
{
    static const char sql[] = "SELECT idx, name FROM temp.stage_who"
        " WHERE first IS NOT NULL ORDER BY first, idx";
    static const char upd[] = "UPDATE temp.stage_who SET step = ?"
        " WHERE idx = ?";
    sqlite3_stmt *st, *u;
    size_t cap = 0;
    int r;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        size_t idx = (size_t)sqlite3_column_int64(st, 0), was = *n;

        if (idx >= *n) {
            rl_grow(sp, &cap, idx + 1, sizeof **sp);
            *names = rl_xrealloc(*names, cap * sizeof **names);
            memset(*sp + was, 0, (idx + 1 - was) * sizeof **sp);
            memset(*names + was, 0, (idx + 1 - was) * sizeof **names);
            *n = idx + 1;
        }
        (*names)[idx] = store_col_dup(st, 1);
        if (log_begin(s, &(*sp)[idx], LOG_IMPORT, (*names)[idx], what, 0,
                      err) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
        if ((u = store_stmt(s, upd, err)) == NULL)
            goto dberr_st;
        sqlite3_bind_int64(u, 1, (*sp)[idx].id);
        sqlite3_bind_int64(u, 2, (int64_t)idx);
        if (sqlite3_step(u) != SQLITE_DONE)
            goto dberr_st;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        goto dberr;
    return 0;
dberr_st:
    sqlite3_finalize(st);
dberr:
    store_dberr(s, err, "importing the reviews");
    return -1;
}

int
log_apply_reviews(rl_store *s, const char *what, bool roles, bool parents,
                  long *line, rl_err *err)
{
    log_step *sp = NULL;
    char **names = NULL;
    size_t n = 0, i;
    int64_t ev0;
    int rc = -1;

    *line = 0;
    if (rl_store_begin(s, err) != 0)
        return -1;
    if (begin_steps(s, what, &sp, &names, &n, err) != 0)
        goto out;
    ev0 = last_event(s);
    if (store_exec(s, "DROP TABLE IF EXISTS temp.stage_newcand", err) != 0
        || apply_sql(s, SQL_NEWCAND, err) != 0
        || apply_sql(s, SQL_NEWCAND_EVENTS, err) != 0
        || apply_sql(s, SQL_NEWCAND_ADD, err) != 0)
        goto out;
    if (parents && (*line = (long)store_int(s, SQL_ORPHAN, 0)) != 0) {
        rl_err_set(err, RL_E_DB, "importing the reviews: FOREIGN KEY "
                   "constraint failed (the candidate of this verdict was "
                   "removed while the file was read)");
        goto out;
    }
    if (apply_sql(s, SQL_STATE_EVENTS, err) != 0
        || apply_sql(s, SQL_STATES, err) != 0
        || (roles && (apply_sql(s, SQL_ROLE_EVENTS, err) != 0
                      || apply_sql(s, SQL_ROLES, err) != 0))
        || apply_flags(s, sp, n, line, err) != 0)
        goto out;
    for (i = 0; i < n; i++)
        if (sp[i].id != 0 && note_events_since(&sp[i], ev0, err) != 0)
            goto out;
    rc = 0;
out:
    for (i = 0; i < n; i++)
        if (sp[i].id != 0)
            rc = log_end(&sp[i], rc, NULL) != 0 ? -1 : rc;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(sp);
    return rl_store_end(s, rc, err);
}

/* ---- merge ----------------------------------------------------------- */

/* After the copy's events are appended, the newest event of a value may
 * be the copy's while the table kept this project's value (a conflict,
 * or a value the copy removed): log, per reviewer, a merge step that
 * restates the kept values, so that the log still replays to the table. */
static int
restate_kept(rl_store *s, rl_err *err)
{
    static const char sql_who[] =
        "SELECT DISTINCT s.reviewer FROM step s WHERE s.id IN"
        " (SELECT lid FROM smap WHERE oid IN (SELECT oid FROM newsteps))";
    /* Last logged value per key for one reviewer vs the tables. */
    static const char sql_diff[] =
        "WITH last AS (SELECT e.image, e.class, e.field, e.after, max(e.id)"
        "  FROM event e JOIN step s ON s.id = e.step"
        "  WHERE s.reviewer = ?1 AND e.field <> 'candidate'"
        "  AND e.image IN (SELECT x.image FROM event x WHERE"
        "   x.step IN (SELECT lid FROM smap WHERE oid IN"
        "   (SELECT oid FROM newsteps)))"
        "  GROUP BY e.image, e.class, e.field)"
        " SELECT l.image, l.class, l.field, l.after, CASE l.field"
        "  WHEN 'state' THEN (SELECT state FROM review r WHERE r.image ="
        "   l.image AND r.class = l.class AND r.reviewer = ?1)"
        "  WHEN 'role' THEN (SELECT role FROM review r WHERE r.image ="
        "   l.image AND r.class = l.class AND r.reviewer = ?1)"
        "  WHEN 'problematic' THEN (SELECT problematic FROM flag f WHERE"
        "   f.image = l.image AND f.reviewer = ?1)"
        "  WHEN 'note' THEN (SELECT note FROM flag f WHERE"
        "   f.image = l.image AND f.reviewer = ?1)"
        "  WHEN 'main' THEN (SELECT main FROM flag f WHERE"
        "   f.image = l.image AND f.reviewer = ?1)"
        "  WHEN 'done' THEN (SELECT done FROM flag f WHERE"
        "   f.image = l.image AND f.reviewer = ?1) END FROM last l";
    sqlite3_stmt *who = NULL, *d = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(s->db, sql_who, -1, &who, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db, sql_diff, -1, &d, NULL) != SQLITE_OK) {
        store_dberr(s, err, "merge");
        goto out;
    }
    while (sqlite3_step(who) == SQLITE_ROW) {
        char *rev = store_col_dup(who, 0);
        log_step sp = { 0 };
        bool open = false;
        int r = 0;

        sqlite3_reset(d);
        sqlite3_bind_text(d, 1, rev, -1, SQLITE_TRANSIENT);
        while (r == 0 && sqlite3_step(d) == SQLITE_ROW) {
            const char *field = (const char *)sqlite3_column_text(d, 2);
            const char *logged = (const char *)sqlite3_column_text(d, 3);
            const char *table = (const char *)sqlite3_column_text(d, 4);

            if (log_same(field, logged, table))
                continue;
            if (!open && (r = log_begin(s, &sp, LOG_MERGE, rev,
                                        "merge: kept this project's value",
                                        0, err)) == 0)
                open = true;
            if (r == 0)
                r = store_event(s, sp.id, sqlite3_column_int64(d, 0),
                                sqlite3_column_int64(d, 1), field, logged,
                                table, err);
            if (r == 0)
                note_event(&sp, sqlite3_last_insert_rowid(s->db));
        }
        if (open)
            r = log_end(&sp, r, err);
        free(rev);
        if (r != 0)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(who);
    sqlite3_finalize(d);
    return rc;
}

/* ---- timings brought in: merges and imports ------------------------ */

/* The one rule for a timing `n` that meets one `o` already stored (a
 * merge, an import): the earliest first look, the latest change (NULL
 * only when both have none), the longer attention - max, not sum, so
 * that bringing the same timing twice changes nothing. TIMING_EXTENDS:
 * whether the rule changes `o`; a row is written only then, so a merge
 * counts the timings it added or extended. */
#define TIMING_EXTENDS(o, n) \
    "(" o "first_shown > " n "first_shown" \
    " OR coalesce(" o "last_change, 0) < coalesce(" n "last_change, 0)" \
    " OR " o "active_ms < " n "active_ms)"
#define SQL_TIMING_MERGE(src) \
    "INSERT INTO main.timing(image, reviewer, first_shown, last_change," \
    " active_ms) SELECT * FROM (" src ") WHERE true" \
    " ON CONFLICT(image, reviewer) DO UPDATE SET" \
    " first_shown = min(first_shown, excluded.first_shown)," \
    " last_change = max(coalesce(last_change, excluded.last_change)," \
    "   coalesce(excluded.last_change, last_change))," \
    " active_ms = max(active_ms, excluded.active_ms)" \
    " WHERE " TIMING_EXTENDS("", "excluded.")

/* SQL_TIMING_MERGE over `src` (image, reviewer, first_shown,
 * last_change, active_ms; image a row id of this project); the rows it
 * changed (store_changes: nothing runs once *bad is set). */
static long
timing_merge(rl_store *s, const char *src, rl_err *err, bool *bad)
{
    char *sql = rl_xasprintf(SQL_TIMING_MERGE("%s"), src);
    long n = store_changes(s, sql, err, bad);

    free(sql);
    return n;
}

int
log_timing_stage(rl_store *s, int64_t image, const char *reviewer,
                 int64_t first_shown, int64_t last_change, int64_t active_ms,
                 rl_err *err)
{
    static const char sql_put[] = "INSERT INTO temp.stage_timing(image,"
        " reviewer, first_shown, last_change, active_ms)"
        " VALUES(?1, ?2, ?3, ?4, ?5)";
    /* What the merge would make of it: 1 extends, 0 leaves, no row new. */
    static const char sql_cmp[] = "SELECT " TIMING_EXTENDS("t.", "n.")
        " FROM main.timing t, (SELECT ?3 AS first_shown, ?4 AS last_change,"
        " ?5 AS active_ms) n WHERE t.image = ?1 AND t.reviewer = ?2";
    static const char sql_table[] = "CREATE TEMP TABLE IF NOT EXISTS"
        " stage_timing(image INTEGER, reviewer TEXT, first_shown INTEGER,"
        " last_change INTEGER, active_ms INTEGER)";
    sqlite3_stmt *mk, *put, *cmp;
    int kind = -1, j, r;

    /* The table the first time (a cached statement: each later row only
     * finds it there). */
    if ((mk = store_stmt(s, sql_table, err)) == NULL)
        return -1;
    r = sqlite3_step(mk);
    sqlite3_reset(mk);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "staging the timings");
        return -1;
    }
    if ((put = store_stmt(s, sql_put, err)) == NULL
        || (cmp = store_stmt(s, sql_cmp, err)) == NULL)
        return -1;
    for (j = 0; j < 2; j++) {
        sqlite3_stmt *st = j == 0 ? cmp : put;

        sqlite3_bind_int64(st, 1, image);
        sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, first_shown);
        if (last_change >= 0)
            sqlite3_bind_int64(st, 4, last_change);
        sqlite3_bind_int64(st, 5, active_ms);
    }
    switch (sqlite3_step(cmp)) {
    case SQLITE_ROW:
        kind = sqlite3_column_int(cmp, 0) ? LOG_TIMING_EXTENDS
                                          : LOG_TIMING_HELD;
        break;
    case SQLITE_DONE:
        kind = LOG_TIMING_NEW;
        break;
    }
    sqlite3_reset(cmp);
    if (kind < 0 || sqlite3_step(put) != SQLITE_DONE) {
        store_dberr(s, err, "staging the timings");
        return -1;
    }
    return kind;
}

long
log_timing_apply_staged(rl_store *s, rl_err *err)
{
    bool bad = false;
    long n;

    if (store_int(s, "SELECT count(*) FROM temp.sqlite_master"
                  " WHERE name = 'stage_timing'", 0) == 0)
        return 0;
    /* One per (image, reviewer) should a file repeat one. */
    n = timing_merge(s, "SELECT image, reviewer, min(first_shown),"
                     " max(last_change), max(active_ms)"
                     " FROM temp.stage_timing GROUP BY image, reviewer",
                     err, &bad);
    return bad ? -1 : n;
}

void
log_timing_stage_drop(rl_store *s)
{
    store_exec(s, "DROP TABLE IF EXISTS temp.stage_timing", NULL);
}

int
log_merge_attached(rl_store *s, rl_merge_report *rep, rl_err *err)
{
    bool bad = false;
    int64_t ev0;

    /* Every candidate the copy has, with its model counts if new here. */
    rep->candidates = store_changes(s,
        "INSERT OR IGNORE INTO main.candidate(image, class, n_models,"
        " rank_sum, added_by) SELECT im.lid, cm.lid, c.n_models,"
        " CASE WHEN c.n_models <> 0 THEN c.rank_sum END, c.added_by"
        " FROM o.candidate c"
        " JOIN imap im ON im.oid = c.image JOIN cmap cm ON cm.oid = c.class",
        err, &bad);
    rep->reviews = store_changes(s,
        "INSERT INTO main.review(image, class, reviewer, state_code,"
        " updated_at, role_code) SELECT im.lid, cm.lid, r.reviewer,"
        " r.state_code, r.updated_at, r.role_code FROM o.review r JOIN imap im ON im.oid = r.image"
        " JOIN cmap cm ON cm.oid = r.class WHERE NOT EXISTS (SELECT 1 FROM"
        " main.review l WHERE l.image = im.lid AND l.class = cm.lid"
        " AND l.reviewer = r.reviewer)", err, &bad);
    rep->flags = store_changes(s,
        "INSERT INTO main.flag(image, reviewer, problematic, note, main,"
        " done, updated_at) SELECT im.lid, f.reviewer, f.problematic,"
        " f.note, (SELECT lid FROM cmap WHERE oid = f.main), f.done,"
        " f.updated_at FROM o.flag f JOIN imap im ON im.oid = f.image"
        " WHERE NOT EXISTS (SELECT 1 FROM main.flag l WHERE l.image = im.lid"
        " AND l.reviewer = f.reviewer)", err, &bad);
    rep->timings = timing_merge(s, "SELECT im.lid, t.reviewer,"
        " t.first_shown, t.last_change, t.active_ms FROM o.timing t"
        " JOIN imap im ON im.oid = t.image", err, &bad);
    /* History: steps the copy has that this lacks, by unique id. */
    store_changes(s, "CREATE TEMP TABLE newsteps AS SELECT id AS oid FROM"
               " o.step WHERE uid NOT IN (SELECT uid FROM main.step)", err,
               &bad);
    rep->steps = store_changes(s,
        "INSERT INTO main.step(uid, reviewer, at, kind, target, what)"
        " SELECT uid, reviewer, at, kind, NULL, what FROM o.step"
        " WHERE id IN (SELECT oid FROM newsteps) ORDER BY id", err, &bad);
    store_changes(s, "CREATE TEMP TABLE smap AS SELECT o2.id AS oid, l.id AS lid"
               " FROM o.step o2 JOIN main.step l ON l.uid = o2.uid", err,
               &bad);
    store_changes(s, "CREATE UNIQUE INDEX temp.smap_o ON smap(oid)", err, &bad);
    store_changes(s,
        "UPDATE main.step SET target = (SELECT tm.lid FROM o.step os"
        " JOIN smap tm ON tm.oid = os.target WHERE os.uid = main.step.uid)"
        " WHERE uid IN (SELECT os.uid FROM o.step os WHERE os.id IN"
        " (SELECT oid FROM newsteps) AND os.target IS NOT NULL)", err, &bad);
    ev0 = last_event(s);
    rep->events = store_changes(s,
        "INSERT INTO main.event(step, image, class, field_code, before_code,"
        " after_code)"
        " SELECT sm.lid, im.lid, (SELECT lid FROM cmap WHERE oid = e.class),"
        " e.field_code,"
        " CASE WHEN e.field = 'main' AND e.before IS NOT NULL THEN"
        "  (SELECT lid FROM cmap WHERE oid = CAST(e.before AS INTEGER))"
        "  ELSE e.before_code END,"
        " CASE WHEN e.field = 'main' AND e.after IS NOT NULL THEN"
        "  (SELECT lid FROM cmap WHERE oid = CAST(e.after AS INTEGER))"
        "  ELSE e.after_code END"
        " FROM o.event e JOIN smap sm ON sm.oid = e.step"
        " JOIN imap im ON im.oid = e.image"
        " WHERE e.step IN (SELECT oid FROM newsteps) ORDER BY e.id",
        err, &bad);
    if (bad || store_ranges_since(s, ev0, err) != 0)
        return -1;
    return restate_kept(s, err);
}
