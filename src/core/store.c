/* store.c - project file: schema, migrations, transactions, repair.
 *
 * Invariants: every connection runs with WAL, foreign keys and a busy
 * timeout; the schema is at RL_SCHEMA_VERSION once open returns; the event
 * table is append-only (triggers refuse UPDATE and DELETE). Migrations are
 * an ordered list of scripts; migrating from version k runs scripts k..N-1
 * in one transaction. The counters that statistics read are tally.c's. */
#include "relabel/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "relabel/util.h"
#include "internal.h"
#include "predpack.h"

/* Version 1: the whole model. Times are milliseconds since the epoch, UTC.
 * Reviewer names are stored as text so that copies of a project merge by
 * name. No review row means "unreviewed".
 *
 * Who writes which table (one writer each):
 *   meta                      store.c
 *   class, class_parent       catalog.c (rl_catalog_install)
 *   image, model, prediction  csvio.c (imports), team.c (merge: images)
 *   (pred, schema 7)
 *   candidate, review, flag, timing, step, event
 *                             log.c only - the review log; review.c,
 *                             csvio.c and team.c hand it their changes
 *   task, task_image, gold, answer   training.c
 *   assignment                team.c (rl_assign)
 *   tally (schema 5)          tally.c, called by log.c per live change
 *                             and by each bulk writer at its end */
static const char SCHEMA_V1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE class("
    "  id INTEGER PRIMARY KEY,"
    "  wnid TEXT NOT NULL UNIQUE,"
    "  idx INTEGER UNIQUE,"              /* class index; NULL: inner node */
    "  names TEXT NOT NULL,"
    "  gloss TEXT NOT NULL DEFAULT '',"
    "  split TEXT,"                      /* dog / organism / object */
    "  grp TEXT,"                        /* Tsipras et al. group */
    "  n_below INTEGER NOT NULL DEFAULT 0,"
    "  depth INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE class_parent("
    "  child INTEGER NOT NULL REFERENCES class(id),"
    "  parent INTEGER NOT NULL REFERENCES class(id),"
    "  PRIMARY KEY(child, parent)) WITHOUT ROWID;"
    "CREATE INDEX class_parent_parent ON class_parent(parent, child);"
    "CREATE TABLE image("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  path TEXT,"
    "  label INTEGER REFERENCES class(id),"
    "  dataset TEXT);"
    "CREATE TABLE model(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE prediction("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  model INTEGER NOT NULL REFERENCES model(id),"
    "  rank INTEGER NOT NULL,"
    "  class INTEGER NOT NULL REFERENCES class(id),"
    "  score REAL,"
    "  PRIMARY KEY(image, model, rank),"
    "  UNIQUE(image, model, class)) WITHOUT ROWID;"
    "CREATE TABLE candidate("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  class INTEGER NOT NULL REFERENCES class(id),"
    "  n_models INTEGER NOT NULL DEFAULT 0,"
    "  mean_rank REAL,"
    "  added_by TEXT,"                   /* reviewer who added it, if any */
    "  PRIMARY KEY(image, class)) WITHOUT ROWID;"
    "CREATE TABLE review("
    "  image INTEGER NOT NULL,"
    "  class INTEGER NOT NULL,"
    "  reviewer TEXT NOT NULL,"
    "  state TEXT NOT NULL"
    "    CHECK(state IN ('correct','wrong','unclear','dont_know')),"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY(image, class, reviewer),"
    "  FOREIGN KEY(image, class) REFERENCES candidate(image, class))"
    "  WITHOUT ROWID;"
    "CREATE INDEX review_reviewer ON review(reviewer, image);"
    "CREATE TABLE flag("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  reviewer TEXT NOT NULL,"
    "  problematic INTEGER NOT NULL DEFAULT 0,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  main INTEGER REFERENCES class(id),"
    "  done INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY(image, reviewer)) WITHOUT ROWID;"
    "CREATE TABLE timing("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  reviewer TEXT NOT NULL,"
    "  first_shown INTEGER NOT NULL,"
    "  last_change INTEGER,"
    "  active_ms INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(image, reviewer)) WITHOUT ROWID;"
    /* A step is one user action (a bulk action is one step of many
     * events); undo and redo are steps that name their target. */
    "CREATE TABLE step("
    "  id INTEGER PRIMARY KEY,"
    "  uid TEXT NOT NULL UNIQUE,"
    "  reviewer TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('do','undo','redo','import')),"
    "  target INTEGER REFERENCES step(id),"
    "  what TEXT NOT NULL);"
    "CREATE INDEX step_target ON step(target, id);"
    "CREATE INDEX step_reviewer ON step(reviewer, kind, id);"
    "CREATE TABLE event("
    "  id INTEGER PRIMARY KEY,"
    "  step INTEGER NOT NULL REFERENCES step(id),"
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  class INTEGER REFERENCES class(id),"
    "  field TEXT NOT NULL,"             /* state problematic note main ... */
    "  before TEXT,"
    "  after TEXT);"
    "CREATE INDEX event_step ON event(step);"
    "CREATE INDEX event_image ON event(image);"
    "CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN"
    "  SELECT RAISE(ABORT, 'the event log is append-only'); END;"
    "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
    "  SELECT RAISE(ABORT, 'the event log is append-only'); END;";

/* Version 2: training tasks with gold labels and the answers reviewers
 * give in them; and the role a verdict was given in (an adjudicator's
 * verdict settles a disagreement). */
static const char SCHEMA_V2[] =
    "ALTER TABLE review ADD COLUMN role TEXT NOT NULL DEFAULT 'reviewer'"
    "  CHECK(role IN ('reviewer', 'adjudicator'));"
    "CREATE TABLE task("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  part_size INTEGER NOT NULL DEFAULT 10 CHECK(part_size > 0),"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE task_image("
    "  task INTEGER NOT NULL REFERENCES task(id),"
    "  pos INTEGER NOT NULL,"            /* 0-based order in the task */
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  PRIMARY KEY(task, pos),"
    "  UNIQUE(task, image)) WITHOUT ROWID;"
    "CREATE TABLE gold("
    "  task INTEGER NOT NULL REFERENCES task(id),"
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  class INTEGER NOT NULL REFERENCES class(id),"
    "  state TEXT NOT NULL CHECK(state IN ('correct','wrong','unclear')),"
    "  PRIMARY KEY(task, image, class)) WITHOUT ROWID;"
    /* One answer per reviewer and task image: the class picked as the
     * most specific, how, and what the reviewer suggested about the gold.
     * Suggestions are kept for adjudication, never merged into gold. */
    "CREATE TABLE answer("
    "  task INTEGER NOT NULL REFERENCES task(id),"
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  reviewer TEXT NOT NULL,"
    "  class INTEGER REFERENCES class(id),"
    "  mode TEXT NOT NULL CHECK(mode IN ('training', 'evaluation')),"
    "  external INTEGER NOT NULL DEFAULT 0,"  /* used outside resources */
    "  suggestion TEXT CHECK(suggestion IN"
    "    ('correct','wrong','unclear','dont_know')),"
    "  suggest_problematic INTEGER NOT NULL DEFAULT 0,"
    "  shown_at INTEGER,"
    "  answered_at INTEGER,"
    "  active_ms INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(task, image, reviewer)) WITHOUT ROWID;"
    "CREATE INDEX answer_reviewer ON answer(reviewer, task);";

/* Version 3: work assignment. A reviewer with assignments sees only the
 * assigned images in the queue; one without sees every image. */
static const char SCHEMA_V3[] =
    "CREATE TABLE assignment("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  reviewer TEXT NOT NULL,"
    "  PRIMARY KEY(reviewer, image)) WITHOUT ROWID;"
    "CREATE INDEX assignment_image ON assignment(image);"
    "CREATE INDEX review_updated ON review(updated_at);";

/* Version 4: compact predictions and candidates for ImageNet-train scale
 * (1.28M images, 32M predictions; issue 16). `prediction` keeps one b-tree
 * (the import checks that a model names a class once per image, with an
 * index on its staging table); its score is stored in `score6` as a whole
 * number of millionths when that gives back exactly the same double (1-4
 * bytes instead of 8), else as the REAL itself, and read through the
 * generated column `score`, so every reader sees the imported value.
 * `candidate` stores the sum of the models' ranks; mean_rank is generated
 * from it (NULL when no model proposed the class). Foreign keys are off
 * while tables are rebuilt (migrate), checked before the commit. */
static const char SCHEMA_V4[] =
    "CREATE TABLE prediction_v4("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  model INTEGER NOT NULL REFERENCES model(id),"
    "  rank INTEGER NOT NULL,"
    "  class INTEGER NOT NULL REFERENCES class(id),"
    "  score6,"                          /* millionths, or the REAL */
    "  score REAL GENERATED ALWAYS AS (CASE WHEN typeof(score6) ="
    "    'integer' THEN score6 / 1000000.0 ELSE score6 END) VIRTUAL,"
    "  PRIMARY KEY(image, model, rank)) WITHOUT ROWID;"
    "INSERT INTO prediction_v4(image, model, rank, class, score6)"
    "  SELECT image, model, rank, class, CASE WHEN score IS NOT NULL"
    "  AND round(score * 1000000) / 1000000.0 = score"
    "  AND abs(score) < 1000000 THEN CAST(round(score * 1000000) AS INTEGER)"
    "  ELSE score END FROM prediction ORDER BY image, model, rank;"
    "DROP TABLE prediction;"
    "ALTER TABLE prediction_v4 RENAME TO prediction;"
    "CREATE TABLE candidate_v4("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  class INTEGER NOT NULL REFERENCES class(id),"
    "  n_models INTEGER NOT NULL DEFAULT 0,"
    "  rank_sum INTEGER,"                /* sum of the models' ranks */
    "  added_by TEXT,"                   /* reviewer who added it, if any */
    "  mean_rank REAL GENERATED ALWAYS AS"
    "    (CAST(rank_sum AS REAL) / nullif(n_models, 0)) VIRTUAL,"
    "  PRIMARY KEY(image, class)) WITHOUT ROWID;"
    "INSERT INTO candidate_v4(image, class, n_models, rank_sum, added_by)"
    "  SELECT image, class, n_models, CAST(round(mean_rank * n_models) AS"
    "  INTEGER), added_by FROM candidate ORDER BY image, class;"
    "DROP TABLE candidate;"
    "ALTER TABLE candidate_v4 RENAME TO candidate;";

/* Version 5: the counters `relabel stats` reads (tally.c says what each
 * counts and who keeps it), so that stats scans nothing at 1.28M images.
 * One row per counter and reviewer ('' for a global counter); no row
 * counts 0. Filled by a recount as the migration ends. */
static const char SCHEMA_V5[] =
    "CREATE TABLE tally("
    "  name TEXT NOT NULL,"              /* images, reviewer_done, ... */
    "  reviewer TEXT NOT NULL DEFAULT '',"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY(name, reviewer)) WITHOUT ROWID;";

static int
migrate_v5(rl_store *s, rl_err *err)
{
    if (store_exec(s, SCHEMA_V5, err) != 0)
        return -1;
    return store_tally_recount(s, TALLY_ALL, err);
}

/* Version 6: every image's position in the doubt-first queue orders
 * (order.h), so that a queue in such an order is one index scan, and
 * the whole queue of each order as one blob (one read); filled
 * by rl_order_keys_update (the imports call it; a migrated project's
 * first ordered queue fills it, meta 'queue_key' says for what data). */
static const char SCHEMA_V6[] =
    "CREATE TABLE queue_key("
    "  image INTEGER PRIMARY KEY REFERENCES image(id),"
    "  disagree INTEGER NOT NULL,"       /* position in the disagree order */
    "  margin INTEGER NOT NULL,"         /* position in the margin order */
    "  predicted INTEGER NOT NULL);"     /* has predictions (random order) */
    "CREATE INDEX queue_key_disagree ON queue_key(disagree);"
    "CREATE INDEX queue_key_margin ON queue_key(margin);"
    "CREATE INDEX queue_key_unpredicted ON queue_key(image)"
    "  WHERE NOT predicted;"
    "CREATE TABLE queue_ids("
    "  ord TEXT PRIMARY KEY,"            /* name, disagree or margin */
    "  ids BLOB NOT NULL);";             /* every image id in that order,
                                            8 bytes each, little-endian */

/* Version 7: the review log smaller (issue 16). A verdict's state and
 * role are stored as codes (internal.h) and read through generated
 * columns still named `state` and `role`; an event's field and its
 * common before/after values the same way (`field`, `before`, `after`),
 * notes and adders' names staying text. The index review_updated, which
 * no query used, is gone, and so are the event table's two: a step row
 * holds the first and last id of its events (ev_first, ev_last; log.c
 * keeps them), where undo and redo read them - a live step's events are
 * contiguous, an import's or merge's may share the range with other
 * steps' and are picked out by `step` - and a conflict's note looks for
 * the newest event of a value among the ids after it. Both tables are
 * rebuilt in id/key order; the event log stays append-only (its
 * triggers, recreated). */
#define REVIEW_V7_COLUMNS \
    "  image INTEGER NOT NULL," \
    "  class INTEGER NOT NULL," \
    "  reviewer TEXT NOT NULL," \
    "  state_code INTEGER NOT NULL CHECK(state_code BETWEEN 0 AND 3)," \
    "  updated_at INTEGER NOT NULL," \
    "  role_code INTEGER NOT NULL DEFAULT 0 CHECK(role_code IN (0, 1))," \
    "  state TEXT GENERATED ALWAYS AS " RL_SQL_STATE_NAME("state_code") \
    "    VIRTUAL," \
    "  role TEXT GENERATED ALWAYS AS " RL_SQL_ROLE_NAME("role_code") \
    "    VIRTUAL," \
    "  PRIMARY KEY(image, class, reviewer)," \
    "  FOREIGN KEY(image, class) REFERENCES candidate(image, class))" \
    "  WITHOUT ROWID;"
/* A code of a state or role value must be one of the set. */
#define EVENT_V7_VALUE_OK(c) \
    "(typeof(" c ") <> 'integer' OR field_code NOT IN (0, 5) OR " c \
    " BETWEEN 0 AND CASE field_code WHEN 0 THEN 3 ELSE 1 END)"
static const char SCHEMA_V7_REVIEW[] =
    "CREATE TABLE review_v7(" REVIEW_V7_COLUMNS
    "INSERT INTO review_v7(image, class, reviewer, state_code, updated_at,"
    "  role_code) SELECT image, class, reviewer,"
    "  " RL_SQL_STATE_CODE("state") ", updated_at,"
    "  " RL_SQL_ROLE_CODE("coalesce(role, 'reviewer')")
    "  FROM review ORDER BY image, class, reviewer;"
    "DROP TABLE review;"
    "ALTER TABLE review_v7 RENAME TO review;";
static const char SCHEMA_V7_EVENT[] =
    "CREATE TABLE event_v7("
    "  id INTEGER PRIMARY KEY,"
    "  step INTEGER NOT NULL REFERENCES step(id),"
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  class INTEGER REFERENCES class(id),"
    "  field_code INTEGER NOT NULL CHECK(field_code BETWEEN 0 AND 6),"
    "  before_code CHECK" EVENT_V7_VALUE_OK("before_code") ","
    "  after_code CHECK" EVENT_V7_VALUE_OK("after_code") ","
    "  field TEXT GENERATED ALWAYS AS " RL_SQL_FIELD_NAME("field_code")
    "    VIRTUAL,"
    "  before TEXT GENERATED ALWAYS AS "
    "    " RL_SQL_VALUE_NAME("field_code", "before_code") " VIRTUAL,"
    "  after TEXT GENERATED ALWAYS AS "
    "    " RL_SQL_VALUE_NAME("field_code", "after_code") " VIRTUAL);";
static const char SCHEMA_V7_EVENT_COPY[] =
    "INSERT INTO event_v7(id, step, image, class, field_code, before_code,"
    "  after_code) SELECT id, step, image, class,"
    "  " RL_SQL_FIELD_CODE("field") ","
    "  " RL_SQL_VALUE_CODE("field", "before") ","
    "  " RL_SQL_VALUE_CODE("field", "after")
    "  FROM event ORDER BY id;"
    "ALTER TABLE step ADD COLUMN ev_first INTEGER;"
    "ALTER TABLE step ADD COLUMN ev_last INTEGER;"
    "UPDATE step SET ev_first = r.a, ev_last = r.b FROM (SELECT step,"
    "  min(id) AS a, max(id) AS b FROM event GROUP BY step) AS r"
    "  WHERE step.id = r.step;"
    "DROP TABLE event;"
    "ALTER TABLE event_v7 RENAME TO event;"
    "CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN"
    "  SELECT RAISE(ABORT, 'the event log is append-only'); END;"
    "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
    "  SELECT RAISE(ABORT, 'the event log is append-only'); END;";

static bool has_column(sqlite3 *db, const char *name, const char *col);

/* A table already in its schema-7 form (a file whose user_version was set
 * back by hand) is left as it is. */
static int
migrate_v7(rl_store *s, rl_err *err)
{
    if (!has_column(s->db, "review", "state_code")
        && store_exec(s, SCHEMA_V7_REVIEW, err) != 0)
        return -1;
    if (has_column(s->db, "event", "field_code"))
        return 0;
    if (store_exec(s, SCHEMA_V7_EVENT, err) != 0)
        return -1;
    return store_exec(s, SCHEMA_V7_EVENT_COPY, err);
}

/* Version 8: predictions packed, one row per (image, model) holding that
 * model's ranked classes and scores in one blob (predpack.c says the
 * encoding; about 6 bytes a prediction instead of 20). The view
 * `prediction` reads them back row by row through rl_pred_each, which
 * every connection of relabel registers (the sqlite3 shell has it not:
 * `relabel export` reads them there). The old rows are packed in their
 * key order (rl_pred_pack sorts a group by rank anyway). */
static const char SCHEMA_V8[] =
    "CREATE TABLE pred("
    "  image INTEGER NOT NULL REFERENCES image(id),"
    "  model INTEGER NOT NULL REFERENCES model(id),"
    "  preds BLOB NOT NULL,"             /* predpack.c */
    "  PRIMARY KEY(image, model)) WITHOUT ROWID;"
    "INSERT INTO pred(image, model, preds)"
    "  SELECT image, model, rl_pred_pack(rank, class, score)"
    "  FROM prediction GROUP BY image, model ORDER BY image, model;"
    "DROP TABLE prediction;"
    "CREATE VIEW prediction(image, model, rank, class, score) AS"
    "  SELECT p.image, p.model, e.rank, e.class, e.score"
    "  FROM pred p, rl_pred_each(p.preds) e;";

/* Version 9: smaller (issue 16). queue_key goes: its indexes by disagree
 * and margin position served only the whole project's queue, which reads
 * the stored blob, a reviewer's assigned images are that blob filtered,
 * and the images without predictions (the random order puts them last)
 * are a blob of their own, 'unpredicted'; each blob of queue_ids stores
 * its ids as varints (order.c) instead of 8 bytes. candidate loses its
 * generated column mean_rank (readers compute it: RL_SQL_MEAN_RANK), for
 * a table with a generated column cannot be copied whole into an empty
 * one of its shape, which is how a first predictions import fills its pages
 * (log_candidates_apply_staged). A virtual column has nothing stored:
 * dropping it rewrites no row. */
static int
migrate_v9(rl_store *s, rl_err *err)
{
    if (has_column(s->db, "candidate", "mean_rank")
        && store_exec(s, "ALTER TABLE candidate DROP COLUMN mean_rank", err)
        != 0)
        return -1;
    if (order_ids_recode(s, err) != 0
        || order_unpredicted_from_keys(s, err) != 0)
        return -1;
    return store_exec(s, "DROP TABLE IF EXISTS queue_key", err);
}

/* Schema 10 drops review's index by reviewer: 4.4 of the 40 bytes a
 * prediction at 1.28M images, and its upkeep in every verdict written.
 * Its readers now count through the key order (tally.c's one scan of
 * review), read the reviewers from the tally table, or scan a range of
 * images, which the key gives. */
static const char SCHEMA_V10[] = "DROP INDEX IF EXISTS review_reviewer;";

/* migrations[k] takes the schema from version k to k+1: a script, or a
 * function for a step that needs more than SQL. */
static const struct migration {
    const char *sql;
    int (*run)(rl_store *s, rl_err *err);
    bool rebuilds;      /* rebuilds referenced tables: check foreign keys */
} migrations[] = {
    { SCHEMA_V1, NULL, false },
    { SCHEMA_V2, NULL, false },
    { SCHEMA_V3, NULL, false },
    { SCHEMA_V4, NULL, true },
    { NULL, migrate_v5, false },
    { SCHEMA_V6, NULL, false },
    { NULL, migrate_v7, true },
    { SCHEMA_V8, NULL, false },
    { NULL, migrate_v9, false },
    { SCHEMA_V10, NULL, false },
};

sqlite3_stmt *
store_stmt(rl_store *s, const char *sql, rl_err *err)
{
    int i, free_slot = -1;
    sqlite3_stmt *st;

    for (i = 0; i < STORE_NSTMT; i++) {
        if (s->cache[i].sql == sql) {
            st = s->cache[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        if (s->cache[i].sql == NULL && free_slot < 0)
            free_slot = i;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        store_dberr(s, err, "preparing a query");
        return NULL;
    }
    if (free_slot < 0) {
        /* Cache full: evict slot 0; callers never hold two of these past
         * the next store_stmt call of the same SQL, so that is safe only
         * for statements not in use. Keep STORE_NSTMT above the count. */
        sqlite3_finalize(s->cache[0].st);
        free_slot = 0;
    }
    s->cache[free_slot].sql = sql;
    s->cache[free_slot].st = st;
    return st;
}

void
store_dberr(rl_store *s, rl_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    rl_errcode c = (code & 0xff) == SQLITE_BUSY || (code & 0xff)
                   == SQLITE_LOCKED ? RL_E_BUSY : RL_E_DB;

    int sys = sqlite3_system_errno(s->db);

    if ((code & 0xff) == SQLITE_FULL
        || ((code & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG
                                              || sys == EDQUOT)))
        rl_err_set(err, RL_E_IO, "%s: %s: %s (%s); this change was "
                   "not saved, earlier ones are safe", s->path, what,
                   sys == EFBIG ? "file size limit reached" : "disk full",
                   strerror(sys ? sys : ENOSPC));
    else if (code == SQLITE_IOERR_WRITE && sys == 0)
        /* A short write (SQLite records no errno): a full disk or a file
         * size limit. */
        rl_err_set(err, RL_E_IO, "%s: %s: disk full or file size limit "
                   "reached (a write was cut short); this change was not "
                   "saved, earlier ones are safe", s->path, what);
    else if ((code & 0xff) == SQLITE_IOERR && sys != 0)
        rl_err_set(err, RL_E_IO, "%s: %s: %s (%s)", s->path, what,
                   sqlite3_errmsg(s->db), strerror(sys));
    else if ((code & 0xff) == SQLITE_READONLY)
        rl_err_set(err, RL_E_IO, "%s: %s: the project file is read-only",
                   s->path, what);
    else
        rl_err_set(err, c, "%s: %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

int
store_exec(rl_store *s, const char *sql, rl_err *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_dberr(s, err, "running a query");
        return -1;
    }
    return 0;
}

long
store_changes(rl_store *s, const char *sql, rl_err *err, bool *bad)
{
    if (*bad)
        return 0;
    if (store_exec(s, sql, err) != 0) {
        *bad = true;
        return 0;
    }
    return sqlite3_changes(s->db);
}

int
store_begin_read(rl_store *s, bool *reading, rl_err *err)
{
    *reading = false;
    if (s->depth > 0)
        return 0;                  /* the caller's transaction serves */
    if (store_exec(s, "BEGIN DEFERRED", err) != 0)
        return -1;
    *reading = true;
    return 0;
}

int64_t
store_int(rl_store *s, const char *sql, int64_t dflt)
{
    sqlite3_stmt *st;
    int64_t v = dflt;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return dflt;
    if (sqlite3_step(st) == SQLITE_ROW
        && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int64_t
store_lookup(rl_store *s, const char *sql, const char *text)
{
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    int64_t id = -1;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

int
store_event(rl_store *s, int64_t step, int64_t image, int64_t cls,
            const char *field, const char *before, const char *after,
            rl_err *err)
{
    static const char sql[] =
        "INSERT INTO event(step, image, class, field_code, before_code,"
        " after_code) VALUES(?1, ?2, ?3, " RL_SQL_FIELD_CODE("?4") ", "
        RL_SQL_VALUE_CODE("?4", "?5") ", " RL_SQL_VALUE_CODE("?4", "?6") ")";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, step);
    sqlite3_bind_int64(st, 2, image);
    if (cls > 0)
        sqlite3_bind_int64(st, 3, cls);
    sqlite3_bind_text(st, 4, field, -1, SQLITE_STATIC);
    if (before != NULL)
        sqlite3_bind_text(st, 5, before, -1, SQLITE_TRANSIENT);
    if (after != NULL)
        sqlite3_bind_text(st, 6, after, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "logging the change");
        return -1;
    }
    return 0;
}

char *
store_col_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t != NULL ? rl_xstrdup((const char *)t) : NULL;
}

/* SQLite 3.40 reports "NULL value in T.C" falsely for a NOT NULL column
 * of a WITHOUT ROWID table whose primary key lists columns out of table
 * order (our assignment table); true when the column really holds no
 * NULL. */
static bool
false_null(sqlite3 *db, const char *msg)
{
    char table[64], col[64];
    sqlite3_stmt *st;
    char *sql;
    bool none = false;

    if (sscanf(msg, "NULL value in %63[^.].%63s", table, col) != 2)
        return false;
    sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE \"%w\" IS NULL",
                          table, col);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        none = sqlite3_step(st) == SQLITE_ROW
               && sqlite3_column_int64(st, 0) == 0;
        sqlite3_finalize(st);
    }
    sqlite3_free(sql);
    return none;
}

/* The first finding of `pragma` (quick_check or integrity_check) on `db`,
 * or NULL when the file is sound. */
static char *
run_check(sqlite3 *db, const char *pragma)
{
    sqlite3_stmt *st;
    char *bad = NULL;
    int r = SQLITE_DONE;

    if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) != SQLITE_OK)
        return rl_xstrdup(sqlite3_errmsg(db));
    while (bad == NULL && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);

        if (t == NULL || (strcmp(t, "ok") != 0 && !false_null(db, t)))
            bad = rl_xstrdup(t != NULL ? t : "?");
    }
    if (bad == NULL && r != SQLITE_DONE)
        bad = rl_xstrdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return bad;
}

/* The background quick check: its own read-only connection, so that
 * opening a large project never waits for it; the first write does. */
static void *
check_thread(void *p)
{
    rl_store *s = p;
    sqlite3 *db = NULL;
    char *bad;

    /* Lowest priority: on a busy machine the first frame comes first. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY
                        | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        bad = rl_xstrdup(db != NULL ? sqlite3_errmsg(db) : "cannot open");
    } else {
        sqlite3_busy_timeout(db, 10000);
        bad = run_check(db, "PRAGMA quick_check");
    }
    sqlite3_close(db);
    atomic_store(&s->check_done, true);
    return bad;
}

bool
store_check_pending(rl_store *s)
{
    return s->checking && !atomic_load(&s->check_done);
}

/* Waits for the background check, if one runs; its finding or NULL. */
static char *
check_join(rl_store *s)
{
    void *bad = NULL;

    if (!s->checking)
        return NULL;
    s->checking = false;
    pthread_join(s->checker, &bad);
    return bad;
}

/* SQLite's busy handler: short sleeps (a waiting mark gets the lock within
 * a few ms of its release), the caller's on_wait every ~100 ms, and the
 * limit of rl_store_set_wait. */
static int
on_busy(void *p, int count)
{
    rl_store *s = p;
    int64_t now = rl_now_ms(), waited;
    struct timespec ts = { 0, 0 };

    if (count == 0) {
        s->wait_start = now;
        s->wait_told = now;
    }
    waited = now - s->wait_start;
    if (s->wait_limit > 0 && waited >= s->wait_limit)
        return 0;
    if (s->on_wait != NULL && now - s->wait_told >= 100) {
        s->wait_told = now;
        if (!s->on_wait(s->wait_ctx, waited))
            return 0;
    }
    ts.tv_nsec = (count < 4 ? 1 : count < 20 ? 2 : 5) * 1000000L;
    nanosleep(&ts, NULL);
    return 1;
}

void
rl_store_set_wait(rl_store *s, int64_t limit_ms,
                  bool (*on_wait)(void *ctx, int64_t waited_ms), void *ctx)
{
    s->wait_limit = limit_ms < 0 ? 0 : limit_ms;
    s->on_wait = on_wait;
    s->wait_ctx = ctx;
}

/* Checks what kind of file this is before anything can write to it. */
static int
check_identity(rl_store *s, int flags, rl_err *err)
{
    int64_t app, ver, tables;

    /* The first read of a non-database file fails with SQLITE_NOTADB. */
    tables = store_int(s, "SELECT count(*) FROM sqlite_schema", -1);
    if (tables < 0) {
        if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CORRUPT)
            rl_err_set(err, RL_E_VERSION, "%s: damaged or not a relabel "
                       "project (%s); left unchanged", s->path,
                       sqlite3_errmsg(s->db));
        else
            rl_err_set(err, RL_E_VERSION, "%s: not a relabel project (%s); "
                       "left unchanged", s->path, sqlite3_errmsg(s->db));
        return -1;
    }
    app = store_int(s, "PRAGMA application_id", 0);
    ver = store_int(s, "PRAGMA user_version", 0);
    if (tables == 0 && app == 0 && (flags & RL_STORE_CREATE))
        return 0;
    if (app != RL_APPLICATION_ID) {
        rl_err_set(err, RL_E_VERSION,
                   "%s: not a relabel project (it is an SQLite file of "
                   "another program); left unchanged", s->path);
        return -1;
    }
    if (flags & RL_STORE_CREATE) {
        rl_err_set(err, RL_E_DUP, "%s: a project exists already", s->path);
        return -1;
    }
    if (ver > RL_SCHEMA_VERSION) {
        rl_err_set(err, RL_E_VERSION,
                   "%s: made by a newer relabel (schema %lld, this one "
                   "knows %d); upgrade relabel; left unchanged", s->path,
                   (long long)ver, RL_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

/* True when a quarter of the project's pages or more are free. */
static bool
compact_worth(rl_store *s)
{
    int64_t pages = store_int(s, "PRAGMA page_count", 0);

    return pages > 0 && store_int(s, "PRAGMA freelist_count", 0) * 4 >= pages;
}

static int
migrate(rl_store *s, rl_err *err)
{
    int64_t ver = store_int(s, "PRAGMA user_version", 0), from;
    char pragma[64];
    bool check_fk = false;
    int rc = -1;

    if (ver >= RL_SCHEMA_VERSION)
        return 0;
    /* Rebuilding a table that others reference (candidate) needs foreign
     * keys off; they are checked before the commit instead. The pragma
     * is a no-op inside a transaction, so it comes first. */
    if (store_exec(s, "PRAGMA foreign_keys=OFF", err) != 0)
        return -1;
    if (store_exec(s, "BEGIN IMMEDIATE", err) != 0)
        goto fk;
    /* Re-read under the write lock: another process may have migrated. */
    from = ver = store_int(s, "PRAGMA user_version", 0);
    for (; ver < RL_SCHEMA_VERSION; ver++) {
        const struct migration *m = &migrations[ver];

        if ((m->sql != NULL ? store_exec(s, m->sql, err)
             : m->run(s, err)) != 0) {
            rl_err_prefix(err, "migrating to schema %lld",
                          (long long)ver + 1);
            goto out;
        }
        check_fk |= m->rebuilds;
    }
    /* A full check reads every row (minutes at 32M predictions): only
     * after a step that rebuilt tables, the others only add. */
    if (check_fk
        && store_int(s, "SELECT count(*) FROM pragma_foreign_key_check", 0)
        != 0) {
        rl_err_set(err, RL_E_DB, "%s: migrating to schema %d: a row refers "
                   "to a missing one (PRAGMA foreign_key_check); left "
                   "unchanged", s->path, RL_SCHEMA_VERSION);
        goto out;
    }
    snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d",
             RL_APPLICATION_ID);
    if (store_exec(s, pragma, err) != 0)
        goto out;
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d",
             RL_SCHEMA_VERSION);
    if (store_exec(s, pragma, err) != 0)
        goto out;
    rc = 0;
out:
    if (store_exec(s, rc == 0 ? "COMMIT" : "ROLLBACK", rc == 0 ? err : NULL)
        != 0)
        rc = -1;
fk:
    if (store_exec(s, "PRAGMA foreign_keys=ON", rc == 0 ? err : NULL) != 0)
        rc = -1;
    /* The tables a migration rebuilt or dropped leave their pages free,
     * and SQLite never shrinks a file by itself: when they are a quarter
     * of it or more, give them back (once; at 1.28M images 3.6 GB became
     * 1.2 GB in about a minute, after the four of the migration). If it
     * cannot be done now (another process reading, a full disk) the file
     * is sound, only larger. */
    if (rc == 0 && compact_worth(s))
        (void)store_exec(s, "VACUUM", NULL);
    /* An older project's queue orders get their keys now (order.h;
     * derived data, as the counters of migrate_v5), not when a reviewer
     * first opens an ordered queue: at 1.28M images that first frame
     * would wait some 25 s. When they are stale its quick check runs
     * first (store_sound). When it cannot be done, that first queue
     * computes them. */
    if (rc == 0 && from > 0)
        (void)order_keys_after_migration(s, NULL);
    return rc;
}

/* Saving needs the file and its folder (for the -wal and -shm files)
 * writable; say so at open rather than at the first mark. */
static int
writable_check(const char *path, rl_err *err)
{
    char *dir = rl_xstrdup(path), *slash = strrchr(dir, '/');
    int rc = 0;

    if (slash != NULL)
        *(slash == dir ? slash + 1 : slash) = '\0';
    if (access(path, W_OK) != 0) {
        rl_err_set(err, RL_E_IO, "%s: the project file is read-only (check "
                   "its permissions or group); nothing can be saved", path);
        rc = -1;
    } else if (access(slash != NULL ? dir : ".", W_OK) != 0) {
        rl_err_set(err, RL_E_IO, "%s: its folder %s is not writable, and "
                   "SQLite keeps its -wal and -shm files there", path,
                   slash != NULL ? dir : ".");
        rc = -1;
    }
    free(dir);
    return rc;
}

/* The folder of `path` ("." when it has none), for the caller to free. */
static char *
folder_of(const char *path)
{
    char *dir = rl_xstrdup(path), *slash = strrchr(dir, '/');

    if (slash == NULL)
        strcpy(dir, ".");
    else
        *(slash == dir ? slash + 1 : slash) = '\0';
    return dir;
}

/* A read-only open of a WAL project needs PATH-shm, or a folder where
 * SQLite can create it. Without either the project is read as immutable
 * (file:...?immutable=1): safe only when no write-ahead log holds changes
 * not yet in the file, so a non-empty PATH-wal is an error saying what is
 * missing. Returns the name to open (URI or a copy of `path`) and sets
 * *uri, or NULL with `err` set. */
static char *
readonly_name(const char *path, bool *uri, rl_err *err)
{
    char *dir = folder_of(path), *shm = rl_xasprintf("%s-shm", path);
    char *wal = rl_xasprintf("%s-wal", path);
    struct stat ws;
    bool plain = access(shm, F_OK) == 0 || access(dir, W_OK) == 0;
    rl_buf b = {0};
    const char *p;

    *uri = false;
    if (!plain && stat(wal, &ws) == 0 && ws.st_size > 0) {
        rl_err_set(err, RL_E_IO, "%s: its folder %s is read-only and %s "
                   "holds changes not yet in the project, but %s is missing;"
                   " open it once where the folder is writable", path, dir,
                   wal, shm);
    } else if (plain) {
        rl_buf_adds(&b, path);
    } else {
        *uri = true;
        rl_buf_adds(&b, "file:");
        for (p = path; *p != '\0'; p++)
            if (*p == '%' || *p == '?' || *p == '#')
                rl_buf_printf(&b, "%%%02X", (unsigned char)*p);
            else
                rl_buf_addc(&b, *p);
        rl_buf_adds(&b, "?immutable=1");
    }
    free(dir);
    free(shm);
    free(wal);
    return b.data;
}

rl_store *
rl_store_open(const char *path, int flags, rl_err *err)
{
    rl_store *s;
    struct stat sb;
    int oflags;
    char *name = NULL;
    bool uri = false;

    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            rl_err_set(err, RL_E_IO, "%s: not a regular file", path);
            return NULL;
        }
        if (flags & RL_STORE_CREATE && sb.st_size > 0) {
            rl_err_set(err, RL_E_DUP, "%s: file exists; not overwriting it",
                       path);
            return NULL;
        }
        if (!(flags & RL_STORE_CREATE) && sb.st_size == 0) {
            rl_err_set(err, RL_E_VERSION, "%s: an empty file, not a relabel "
                       "project (make one with: relabel --db %s init); left "
                       "unchanged", path, path);
            return NULL;
        }
    } else if (!(flags & RL_STORE_CREATE)) {
        rl_err_set(err, RL_E_NOTFOUND,
                   "%s: no such project (create one with: relabel --db %s "
                   "init)", path, path);
        return NULL;
    }

    if (!(flags & (RL_STORE_READONLY | RL_STORE_CREATE))
        && writable_check(path, err) != 0)
        return NULL;
    if ((flags & RL_STORE_READONLY)
        && (name = readonly_name(path, &uri, err)) == NULL)
        return NULL;
    s = rl_xcalloc(1, sizeof *s);
    atomic_init(&s->check_done, false);
    s->path = rl_xstrdup(path);
    oflags = (flags & RL_STORE_READONLY) ? SQLITE_OPEN_READONLY
             : SQLITE_OPEN_READWRITE;
    if (flags & RL_STORE_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    if (uri)
        oflags |= SQLITE_OPEN_URI;
    if (sqlite3_open_v2(name != NULL ? name : path, &s->db,
                        oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rl_err_set(err, RL_E_IO, "%s: cannot open: %s", path,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (predpack_register(s->db) != SQLITE_OK) {
        store_dberr(s, err, "registering rl_pred_each");
        goto fail;
    }
    s->wait_limit = 10000;
    sqlite3_busy_handler(s->db, on_busy, s);
    if (check_identity(s, flags, err) != 0)
        goto fail;
    if (!(flags & RL_STORE_READONLY)) {
        /* journal_mode=WAL persists in the file; only change it once. */
        if (store_exec(s, "PRAGMA journal_mode=WAL", err) != 0)
            goto fail;
        if (store_exec(s, "PRAGMA synchronous=NORMAL", err) != 0)
            goto fail;
    }
    if (store_exec(s, "PRAGMA foreign_keys=ON", err) != 0)
        goto fail;
    if (!(flags & RL_STORE_READONLY) && migrate(s, err) != 0)
        goto fail;
    /* A writable project gets its quick check in the background now;
     * the first write waits for the verdict (store_sound). */
    if (!(flags & (RL_STORE_READONLY | RL_STORE_CREATE)) && !s->checked
        && pthread_create(&s->checker, NULL, check_thread, s) == 0)
        s->checking = true;
    if ((flags & RL_STORE_READONLY)
        && store_int(s, "PRAGMA user_version", 0) < RL_SCHEMA_VERSION) {
        /* An older project: upgrade it through a read-write connection,
         * then open read-only as asked. */
        rl_store *rw;

        sqlite3_close(s->db);
        free(s->path);
        free(s);
        if (access(path, W_OK) != 0) {
            rl_err_set(err, RL_E_VERSION, "%s: older project schema and the "
                       "file is read-only; it needs one read-write open to "
                       "upgrade", path);
            return NULL;
        }
        if ((rw = rl_store_open(path, 0, err)) == NULL)
            return NULL;
        rl_store_close(rw);
        free(name);
        return rl_store_open(path, flags, err);
    }
    free(name);
    return s;
fail:
    free(name);
    if (s->db != NULL)
        sqlite3_close(s->db);
    if ((flags & RL_STORE_CREATE) && stat(path, &sb) == 0 && sb.st_size == 0)
        unlink(path);          /* don't leave an empty file we created */
    free(s->path);
    free(s);
    return NULL;
}

void
rl_store_close(rl_store *s)
{
    int i;

    if (s == NULL)
        return;
    for (i = 0; i < STORE_NSTMT; i++)
        sqlite3_finalize(s->cache[i].st);
    if (s->depth > 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    sqlite3_close(s->journal);         /* no-op on NULL */
    free(check_join(s));
    free(s->damage);
    free(s->path);
    free(s);
}

const char *
rl_store_path(const rl_store *s)
{
    return s->path;
}

int
store_sound(rl_store *s, rl_err *err)
{
    if (!s->checked) {
        s->checked = true;
        s->damage = s->checking ? check_join(s)
                    : run_check(s->db, "PRAGMA quick_check");
    }
    if (s->damage == NULL)
        return 0;
    {
        char *why = rl_utf8_sanitize(s->damage);

        rl_err_set(err, RL_E_DB, "%s: the project file is damaged (%.60s); "
                   "nothing was changed. See `relabel --db %s check`; "
                   "`check --repair` copies what is readable to a new file "
                   "and keeps this one", s->path, why, s->path);
        free(why);
    }
    return -1;
}

int
rl_store_begin(rl_store *s, rl_err *err)
{
    if (s->depth == 0 && store_sound(s, err) != 0)
        return -1;
    if (s->depth == 0) {
        /* IMMEDIATE takes the write lock now, so a busy database waits
         * here (busy timeout) rather than failing at the first write. */
        if (store_exec(s, "BEGIN IMMEDIATE", err) != 0)
            return -1;
        s->failed = false;
    }
    s->depth++;
    return 0;
}

int
store_begin_within(rl_store *s, int64_t ms, rl_err *err)
{
    int64_t limit = s->wait_limit;
    bool (*on_wait)(void *, int64_t) = s->on_wait;
    int r;

    if (s->depth > 0)
        return rl_store_begin(s, err);
    if (store_sound(s, err) != 0)
        return -1;
    s->wait_limit = ms > 0 ? ms : 1;
    s->on_wait = NULL;
    r = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    s->wait_limit = limit;
    s->on_wait = on_wait;
    if (r == SQLITE_OK) {
        s->failed = false;
        s->depth = 1;
        return 0;
    }
    if ((r & 0xff) == SQLITE_BUSY)
        return 1;
    store_dberr(s, err, "saving");
    return -1;
}

int
rl_store_end(rl_store *s, int rc, rl_err *err)
{
    if (s->depth <= 0)
        return rc;
    if (rc != 0)
        s->failed = true;
    if (--s->depth > 0)
        return rc;
    if (s->failed) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc != 0 ? rc : -1;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        store_dberr(s, err, "saving");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

char *
rl_store_meta_get(rl_store *s, const char *key)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = ?";
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    char *v = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = store_col_dup(st, 0);
    sqlite3_reset(st);
    return v;
}

int
rl_store_meta_set(rl_store *s, const char *key, const char *value,
                  rl_err *err)
{
    static const char sql[] =
        "INSERT INTO meta(key, value) VALUES(?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc != 0)
        store_dberr(s, err, "saving a setting");
    sqlite3_reset(st);
    return rc;
}

void
rl_store_set_adjudicator(rl_store *s, bool on)
{
    s->adjudicator = on;
}

bool
rl_store_adjudicator(const rl_store *s)
{
    return s->adjudicator;
}

void
rl_store_set_idle_checkpoints(rl_store *s)
{
    sqlite3_wal_autocheckpoint(s->db, 0);
}

void
rl_store_checkpoint(rl_store *s)
{
    if (s->depth == 0)
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL);
}

int
rl_store_check(rl_store *s, rl_err *err)
{
    char *bad = run_check(s->db, "PRAGMA integrity_check");

    if (bad == NULL)
        return 0;
    rl_err_set(err, RL_E_DB, "%s: integrity check: %s", s->path, bad);
    free(bad);
    return -1;
}

/* Removes a database file with its journal, WAL and shared memory. */
static void
unlink_db(const char *path)
{
    static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
    size_t i;

    for (i = 0; i < sizeof ext / sizeof *ext; i++) {
        char *p = rl_xasprintf("%s%s", path, ext[i]);

        unlink(p);
        free(p);
    }
}

/* Whether table `name` of `db` has a column `col` (generated ones too). */
static bool
has_column(sqlite3 *db, const char *name, const char *col)
{
    sqlite3_stmt *st;
    bool yes = false;

    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_xinfo(?)"
                           " WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

/* Copies table `name` of `from` into `db`, row by row, stopping at the
 * first row that cannot be read. The stored (not generated) columns of
 * the new table are filled; those of schema 4 from an older copy's
 * columns (score6 from score, rank_sum from mean_rank), those of schema 7
 * from the named values they code and a step's event range from its
 * events. Returns 1 if it
 * stopped early. */
static int
salvage_table(sqlite3 *from, sqlite3 *db, const char *name)
{
    rl_buf sel = {0}, ins = {0}, qs = {0};
    sqlite3_stmt *cols = NULL, *in = NULL, *out = NULL;
    int cut = 1, r, i, n = 0;

    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?)", -1,
                           &cols, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_text(cols, 1, name, -1, SQLITE_STATIC);
    rl_buf_adds(&sel, "SELECT ");
    rl_buf_printf(&ins, "INSERT OR IGNORE INTO \"%s\"(", name);
    while (sqlite3_step(cols) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(cols, 0);
        const char *expr = NULL;
        char *q = sqlite3_mprintf("\"%w\"", c);

        if (has_column(from, name, c))
            expr = q;
        else if (strcmp(c, "score6") == 0)
            expr = "score";
        else if (strcmp(c, "rank_sum") == 0)
            expr = "CAST(round(mean_rank * n_models) AS INTEGER)";
        else if (strcmp(c, "state_code") == 0)
            expr = RL_SQL_STATE_CODE("state");
        else if (strcmp(c, "role_code") == 0)
            expr = has_column(from, name, "role")
                   ? RL_SQL_ROLE_CODE("role") : "0";
        else if (strcmp(c, "field_code") == 0)
            expr = RL_SQL_FIELD_CODE("field");
        else if (strcmp(c, "before_code") == 0)
            expr = RL_SQL_VALUE_CODE("field", "before");
        else if (strcmp(c, "after_code") == 0)
            expr = RL_SQL_VALUE_CODE("field", "after");
        else if (strcmp(c, "ev_first") == 0)
            expr = "(SELECT min(id) FROM event e WHERE e.step = step.id)";
        else if (strcmp(c, "ev_last") == 0)
            expr = "(SELECT max(id) FROM event e WHERE e.step = step.id)";
        else
            expr = "NULL";
        rl_buf_printf(&sel, "%s%s", n ? ", " : "", expr);
        rl_buf_printf(&ins, "%s%s", n ? ", " : "", q);
        rl_buf_printf(&qs, "%s?", n ? ", " : "");
        sqlite3_free(q);
        n++;
    }
    if (n == 0)
        goto done;
    rl_buf_printf(&sel, " FROM \"%s\"", name);
    rl_buf_printf(&ins, ") VALUES(%s)", rl_buf_str(&qs));
    if (sqlite3_prepare_v2(from, rl_buf_str(&sel), -1, &in, NULL)
        != SQLITE_OK
        || sqlite3_prepare_v2(db, rl_buf_str(&ins), -1, &out, NULL)
        != SQLITE_OK)
        goto done;
    while ((r = sqlite3_step(in)) == SQLITE_ROW) {
        for (i = 0; i < n; i++)
            sqlite3_bind_value(out, i + 1, sqlite3_column_value(in, i));
        sqlite3_step(out);
        sqlite3_reset(out);
    }
    cut = r != SQLITE_DONE;
done:
    sqlite3_finalize(cols);
    sqlite3_finalize(in);
    sqlite3_finalize(out);
    rl_buf_free(&sel);
    rl_buf_free(&ins);
    rl_buf_free(&qs);
    return cut;
}

int
rl_store_repair(const char *path, const char *dest, long *tables_cut,
                rl_err *err)
{
    sqlite3 *src = NULL;
    sqlite3_stmt *st = NULL;
    rl_store *fresh = NULL;
    struct stat sb;
    int rc = -1;

    *tables_cut = 0;
    if (stat(dest, &sb) == 0) {
        rl_err_set(err, RL_E_DUP, "%s: exists already; not overwriting it",
                   dest);
        return -1;
    }
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto fail_src;
    /* The whole file reads: a clean copy, indexes rebuilt. */
    if (sqlite3_prepare_v2(src, "VACUUM INTO ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE) {
            sqlite3_finalize(st);
            sqlite3_close(src);
            /* The copy's counters are recounted: a drift is no damage
             * SQLite sees, and the repair is where it is mended. */
            if ((fresh = rl_store_open(dest, 0, err)) == NULL
                || rl_store_tally_recount(fresh, err) != 0) {
                rl_store_close(fresh);
                unlink_db(dest);
                return -1;
            }
            rl_store_close(fresh);
            return 0;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    unlink_db(dest);

    /* Otherwise a new project, filled table by table from the readable
     * rows (a separate connection reads, so a damaged page never ends
     * the writing transaction). */
    if ((fresh = rl_store_open(dest, RL_STORE_CREATE, err)) == NULL) {
        sqlite3_close(src);
        return -1;
    }
    if (store_exec(fresh, "PRAGMA foreign_keys=OFF", err) != 0)
        goto out;
    if (sqlite3_prepare_v2(fresh->db, "SELECT name FROM sqlite_schema"
                           " WHERE type = 'table' AND name NOT LIKE"
                           " 'sqlite_%' ORDER BY rootpage", -1, &st, NULL)
        != SQLITE_OK)
        goto dberr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *name = store_col_dup(st, 0);

        if (store_exec(fresh, "BEGIN", err) != 0) {
            free(name);
            goto out;
        }
        *tables_cut += salvage_table(src, fresh->db, name);
        free(name);
        if (store_exec(fresh, "COMMIT", err) != 0)
            goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* Rows past the damage are gone: count what the copy holds. */
    if (rl_store_tally_recount(fresh, err) != 0)
        goto out;
    rc = 0;
    goto out;
dberr:
    store_dberr(fresh, err, "repairing");
out:
    sqlite3_finalize(st);
    sqlite3_close(src);
    rl_store_close(fresh);
    if (rc != 0)
        unlink_db(dest);
    return rc;
fail_src:
    rl_err_set(err, RL_E_IO, "%s: cannot open: %s", path,
               src ? sqlite3_errmsg(src) : "out of memory");
    sqlite3_close(src);
    return -1;
}
