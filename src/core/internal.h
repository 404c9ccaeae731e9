/* internal.h - what core modules share and nobody else sees: the store's
 * SQLite handle and a statement cache. Not installed, not for ui/. */
#ifndef RL_CORE_INTERNAL_H
#define RL_CORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "relabel/store.h"

#define STORE_NSTMT 128

struct rl_store {
    sqlite3 *db;                       /* the connection */
    char *path;                        /* as given to open */
    int depth;                         /* nesting of rl_store_begin */
    bool failed;                       /* an inner level asked to roll back */
    bool adjudicator;                  /* verdicts are recorded with role
                                          'adjudicator' */
    bool checked;                      /* quick_check ran before the first
                                          write of this connection */
    bool checking;                     /* `checker` runs it in the
                                          background (since open) */
    pthread_t checker;                 /* returns the finding or NULL */
    atomic_bool check_done;            /* set by `checker` as it ends */
    int64_t wait_limit;                /* busy: give up after (ms), 0 never */
    int64_t wait_start;                /* busy: when this wait began */
    int64_t wait_told;                 /* busy: last on_wait call */
    bool (*on_wait)(void *, int64_t);  /* busy: told every ~100 ms */
    void *wait_ctx;
    char *damage;                      /* its finding when the file is
                                          damaged (writes refused), or
                                          NULL */
    sqlite3 *journal;                  /* PATH-marks (journal.c), opened
                                          on first need, or NULL */
    int64_t journal_n;                 /* pending steps there, as this
                                          connection last saw */
    bool interactive;                  /* a mark never waits for the
                                          quick check of open either
                                          (rl_journal_set_interactive) */
    struct {
        const char *sql;               /* static string: identity is key */
        sqlite3_stmt *st;
    } cache[STORE_NSTMT];              /* prepared once, reset per use */
};

/* A queue position by image id (review.c): the queue's counting scans and
 * the orders' doubt pass run in image id order. */
struct rl_qidx {
    int64_t id;
    size_t pos;
};

struct rl_queue;
/* The queue's (id, position) pairs sorted by id, in a new array the caller
 * frees (NULL for an empty queue). */
struct rl_qidx *queue_by_id(const struct rl_queue *q);
/* The queue's items moved or were replaced: drops the id index and the
 * counts' cache (review.c). */
void queue_moved(struct rl_queue *q);
/* Whether `reviewer` has assigned images (relabel assign): then the
 * queue holds only those (review.c). 0, or -1 with `err` set. */
int queue_assigned(rl_store *s, const char *reviewer, bool *assigned,
                   rl_err *err);
/* Empties queue `q` for `reviewer` on `s` (no items), its counts up to
 * the newest event (review.c). */
void queue_reset(rl_store *s, const char *reviewer, struct rl_queue *q);
/* Opens queue `q` with the ids `sql_all` gives, or `sql_assigned` (?1 the
 * reviewer) when the reviewer has assigned images and it is not NULL:
 * rl_queue_open with other orders (order.c). 0, or -1 with `err` set. */
int queue_open_sql(rl_store *s, const char *reviewer, struct rl_queue *q,
                   const char *sql_all, const char *sql_assigned,
                   rl_err *err);

/* Schema 9: rewrites each stored queue order (table queue_ids) from 8
 * bytes an id to varints (order.c). 0, or -1 with `err` set; in the
 * caller's transaction. */
int order_ids_recode(rl_store *s, rl_err *err);

/* rl_order_keys_update computes the queue keys in memory (qsort, about
 * 60 bytes an image) up to this many images, and past it through TEMP
 * tables in bounded memory (order.c): at 1.5M images the predictions
 * import peaks near 150 MB (134 MB at 1.28M), well under its 200.
 * order_keys_mem_limit sets another limit (-1: this one again), for the
 * tests of both ways. */
#define RL_KEYS_MEM_IMAGES 1500000
void order_keys_mem_limit(int64_t images);

/* Schema 9: the images without predictions (table queue_key's
 * `predicted` 0), in name order, into queue_ids as the blob
 * 'unpredicted', before queue_key goes (order.c). Nothing when no keys
 * were stored. 0, or -1 with `err` set; in the caller's transaction. */
int order_unpredicted_from_keys(rl_store *s, rl_err *err);

/* A cached statement for a static SQL string, reset and unbound; NULL on
 * a prepare error (with `err` set). Never finalize it. */
sqlite3_stmt *store_stmt(rl_store *s, const char *sql, rl_err *err);
/* Sets `err` from the connection's last error, with a prefix. */
void store_dberr(rl_store *s, rl_err *err, const char *what);
/* Like rl_store_begin, but waits at most `ms` for another connection's
 * write lock (and tells no on_wait): 0 begun, 1 the lock stayed busy
 * (nothing open), -1 another error with `err` set. */
int store_begin_within(rl_store *s, int64_t ms, rl_err *err);
/* Runs SQL with no results; 0 or -1. */
int store_exec(rl_store *s, const char *sql, rl_err *err);
/* Runs SQL with no results and returns the rows it changed; after a
 * failure (with `err` set) sets *bad, and runs nothing while *bad is set,
 * so a series of statements is checked once at its end. */
long store_changes(rl_store *s, const char *sql, rl_err *err, bool *bad);
/* Opens a read transaction (one snapshot, no write lock) unless one is
 * open already; *reading says whether this call opened it, for the
 * caller's COMMIT or ROLLBACK. 0, or -1 with `err` set. */
int store_begin_read(rl_store *s, bool *reading, rl_err *err);
/* Single integer from a query with no parameters (or `dflt`). */
int64_t store_int(rl_store *s, const char *sql, int64_t dflt);
/* The integer of a one-row query with one text parameter (an id by
 * name), or -1 when there is no row. `sql` is a static string. */
int64_t store_lookup(rl_store *s, const char *sql, const char *text);
/* Appends one change to the event log under step `step`: field of
 * (image, cls) went from `before` to `after` (NULL: none; cls <= 0: the
 * image itself). 0 or -1. */
int store_event(rl_store *s, int64_t step, int64_t image, int64_t cls,
                const char *field, const char *before, const char *after,
                rl_err *err);
/* Before the first write of a connection: PRAGMA quick_check, once. 0 if
 * the file is sound; -1 with a message saying it is damaged and how to
 * recover (relabel check --repair) otherwise, for every later write too.
 * rl_store_begin calls it; so does any write outside a transaction. */
int store_sound(rl_store *s, rl_err *err);
/* True while the background quick check of open still runs (a write
 * now would wait for it). */
bool store_check_pending(rl_store *s);
/* Copies column text (NULL stays NULL). */
char *store_col_dup(sqlite3_stmt *st, int col);

/* ---- the counters of `relabel stats` (tally.c) ---------------------- */

/* The reviewers with a verdict in the project, from their counters (the
 * same answer as SELECT DISTINCT reviewer FROM review, which has no index
 * by reviewer since schema 10, read in one lookup). A reader that needs
 * every verdict's reviewer in the list checks it as it reads (consensus.c
 * fails on a missing rater); the label-studio export's annotators still
 * come from review itself. */
#define SQL_REVIEWERS \
    "SELECT reviewer FROM tally WHERE name = 'reviewer_reviews' AND n > 0"

/* Groups of counters, by the tables they count. */
#define TALLY_IMAGES      0x01u        /* images, with_path */
#define TALLY_PREDICTIONS 0x02u        /* predictions */
#define TALLY_CANDIDATES  0x04u        /* candidates, reviewed_images */
#define TALLY_REVIEWS     0x08u        /* reviewed_candidates,
                                          reviewed_images, per reviewer
                                          reviews and images */
#define TALLY_FLAGS       0x10u        /* problematic_images, per reviewer
                                          done and problematic */
#define TALLY_EVENTS      0x20u        /* events */
#define TALLY_ALL         0x3fu

/* Sets the counters of groups `what` to their counts over the tables, in
 * the caller's transaction (which it must hold: a bulk writer calls it at
 * the end of its own). Scans those tables: seconds at 1.28M images. 0, or
 * -1 with `err` set (the caller rolls back). */
int store_tally_recount(rl_store *s, unsigned what, rl_err *err);

/* What the counters see of one image and one reviewer, taken before and
 * after a change of a live step (log.c). */
struct tally_snap {
    int64_t candidates;                /* the image's candidates */
    int64_t reviewed;                  /* of them, with a verdict by anyone */
    int64_t reviews;                   /* the reviewer's verdicts on it */
    int64_t problematic_any;           /* flags calling it problematic */
    int64_t done;                      /* the reviewer confirmed it: 0/1 */
    int64_t problematic;               /* the reviewer flagged it: 0/1 */
};
/* Reads the snapshot of (image, reviewer). 0 or -1 with `err` set. */
int tally_snap(rl_store *s, int64_t image, const char *reviewer,
               struct tally_snap *t, rl_err *err);
/* Adds to the counters what went from snapshot `a` to `b` (of the same
 * image and `reviewer`). 0 or -1 with `err` set. */
int tally_change(rl_store *s, const char *reviewer,
                 const struct tally_snap *a, const struct tally_snap *b,
                 rl_err *err);
/* Adds `d` to counter `name` of `reviewer` ("": a global one). 0 or -1. */
int tally_add(rl_store *s, const char *name, const char *reviewer,
              int64_t d, rl_err *err);

/* After a migration (store.c, which may not include order.h: the
 * layering test): the queue orders' keys brought up to date if they are
 * stale (order.c, as rl_order_keys_labels with no doubt moved), in a
 * transaction of their own; nothing, and no wait for the quick check,
 * when they are not. 0, or -1 with `err` set (NULL allowed); the project
 * is sound either way, its first ordered queue then computes them. */
int order_keys_after_migration(rl_store *s, rl_err *err);

/* Schema 7 stores a verdict's state and role, and an event's field and
 * the common values of its before/after, as small integers (SQLite keeps
 * 0 and 1 in the record header, free) and reads them back through
 * generated columns of the old names (store.c), so readers keep their
 * SQL. Writers (log.c, store_event) put the codes; each macro is an SQL
 * expression of another (a column, a parameter), NULL for a name or code
 * outside the set - the NOT NULL and CHECK constraints then refuse the
 * row. Codes: state correct 0, wrong 1, unclear 2, dont_know 3; role
 * reviewer 0, adjudicator 1; field state 0, problematic 1, done 2,
 * main 3, note 4, role 5, candidate 6. */
#define RL_SQL_STATE_CODE(x) \
    "(CASE " x " WHEN 'correct' THEN 0 WHEN 'wrong' THEN 1" \
    " WHEN 'unclear' THEN 2 WHEN 'dont_know' THEN 3 END)"
/* A candidate's mean model rank from its stored columns (schema 9 dropped
 * the generated column mean_rank): NULL when no model proposed it. `c`
 * names the candidate table or its alias. */
#define RL_SQL_MEAN_RANK(c) \
    "(CAST(" c ".rank_sum AS REAL) / nullif(" c ".n_models, 0))"
#define RL_SQL_STATE_NAME(c) \
    "(CASE " c " WHEN 0 THEN 'correct' WHEN 1 THEN 'wrong'" \
    " WHEN 2 THEN 'unclear' WHEN 3 THEN 'dont_know' END)"
#define RL_SQL_ROLE_CODE(x) \
    "(CASE " x " WHEN 'reviewer' THEN 0 WHEN 'adjudicator' THEN 1 END)"
#define RL_SQL_ROLE_NAME(c) \
    "(CASE " c " WHEN 0 THEN 'reviewer' WHEN 1 THEN 'adjudicator' END)"
#define RL_SQL_FIELD_CODE(x) \
    "(CASE " x " WHEN 'state' THEN 0 WHEN 'problematic' THEN 1" \
    " WHEN 'done' THEN 2 WHEN 'main' THEN 3 WHEN 'note' THEN 4" \
    " WHEN 'role' THEN 5 WHEN 'candidate' THEN 6 END)"
#define RL_SQL_FIELD_NAME(c) \
    "(CASE " c " WHEN 0 THEN 'state' WHEN 1 THEN 'problematic'" \
    " WHEN 2 THEN 'done' WHEN 3 THEN 'main' WHEN 4 THEN 'note'" \
    " WHEN 5 THEN 'role' WHEN 6 THEN 'candidate' END)"
/* An event value `v` of field name `f` as stored: the value as text (what
 * the TEXT columns of schema 6 kept), as its code when that gives back
 * exactly the same text (a state or role name; a whole number of the
 * problematic, done and main fields); anything else, a note or an
 * adder's name, stays text. */
#define RL_SQL_VALUE_CODE_T(f, t) \
    "(CASE " f " WHEN 'state' THEN coalesce(" RL_SQL_STATE_CODE(t) ", " t ")" \
    " WHEN 'role' THEN coalesce(" RL_SQL_ROLE_CODE(t) ", " t ")" \
    " WHEN 'problematic' THEN " RL_SQL_WHOLE(t) \
    " WHEN 'done' THEN " RL_SQL_WHOLE(t) \
    " WHEN 'main' THEN " RL_SQL_WHOLE(t) " ELSE " t " END)"
#define RL_SQL_WHOLE(t) \
    "(CASE WHEN CAST(CAST(" t " AS INTEGER) AS TEXT) = " t \
    " THEN CAST(" t " AS INTEGER) ELSE " t " END)"
#define RL_SQL_VALUE_CODE(f, v) RL_SQL_VALUE_CODE_T(f, "CAST(" v " AS TEXT)")
/* The stored value `c` of field code `fc` as text again. */
#define RL_SQL_VALUE_NAME(fc, c) \
    "(CASE WHEN typeof(" c ") <> 'integer' THEN " c \
    " WHEN " fc " = 0 THEN " RL_SQL_STATE_NAME(c) \
    " WHEN " fc " = 5 THEN " RL_SQL_ROLE_NAME(c) \
    " ELSE CAST(" c " AS TEXT) END)"

/* What the counters see of the existing images a labels or images import
 * changes (the rows of its staging table temp.stage_label, csvio.c, with
 * an id and `change` set), taken before and after it applies them: the
 * import adds the difference, and its new images, instead of recounting
 * every image (a new image has no reviews, so it is never reviewed). */
struct tally_staged {
    int64_t images;                    /* the existing images it changes */
    int64_t with_path;                 /* of them, with a file path */
    int64_t reviewed_images;           /* of them, counted as reviewed */
};
/* Reads them: indexed lookups per staged image. 0 or -1 with `err` set. */
int tally_staged(rl_store *s, struct tally_staged *t, rl_err *err);

#endif
