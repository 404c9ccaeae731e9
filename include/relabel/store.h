/* store.h - the project file: one SQLite database per project.
 *
 * Opening checks that the file is a relabel project (application_id), not
 * from a newer relabel (user_version), and not corrupt; it then migrates an
 * older schema forward. WAL mode, foreign keys and a busy timeout are set
 * on every connection. Knows nothing of the terminal. */
#ifndef RL_STORE_H
#define RL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"

#define RL_SCHEMA_VERSION 10
#define RL_APPLICATION_ID 0x524c424c   /* "RLBL" */

typedef struct rl_store rl_store;

enum {
    RL_STORE_CREATE = 1,    /* create a new project; fails if one exists */
    RL_STORE_READONLY = 2   /* open read-only (export, stats, eval) */
};

/* Opens the project at `path`. Without RL_STORE_CREATE a missing file is
 * an error ("no such project"), never silently created. A file that is not
 * a relabel project, from a newer version, or corrupt is refused and left
 * untouched. Free with rl_store_close(). */
rl_store *rl_store_open(const char *path, int flags, rl_err *err);
/* Closes; NULL is a no-op. Rolls back an open transaction. */
void rl_store_close(rl_store *s);
const char *rl_store_path(const rl_store *s);

/* Transactions nest by counting: only the outermost begin/commit reach
 * SQLite. rl_store_end() commits when rc == 0, else rolls back, and
 * returns rc (or -1 if the commit itself failed, with `err` set). */
int rl_store_begin(rl_store *s, rl_err *err);
int rl_store_end(rl_store *s, int rc, rl_err *err);

/* Key/value settings of the project (meta table). get returns a string the
 * caller frees, or NULL when unset. */
char *rl_store_meta_get(rl_store *s, const char *key);
int rl_store_meta_set(rl_store *s, const char *key, const char *value,
                      rl_err *err);

/* Verdicts this connection stores are an adjudicator's (they settle a
 * disagreement under every consensus rule) or, by default, a reviewer's. */
void rl_store_set_adjudicator(rl_store *s, bool on);
bool rl_store_adjudicator(const rl_store *s);

/* How a write waits while another connection (an import, a merge,
 * another reviewer) holds the write lock: up to `limit_ms` (0: until the
 * lock is free; the default is 10 s), calling `on_wait` (may be NULL)
 * about every 100 ms with the time waited, so a screen can say
 * "saving..."; on_wait returning false gives up at once. A write that
 * gives up fails with RL_E_BUSY and changes nothing. */
void rl_store_set_wait(rl_store *s, int64_t limit_ms,
                       bool (*on_wait)(void *ctx, int64_t waited_ms),
                       void *ctx);

/* For an interactive session: its own commits never checkpoint the WAL
 * (a checkpoint after an import copies the import's pages and fsyncs:
 * seconds under load, in the middle of a mark); the caller runs
 * rl_store_checkpoint when the reviewer is idle instead. */
void rl_store_set_idle_checkpoints(rl_store *s);
/* A passive checkpoint of the WAL (copies what no reader still needs);
 * errors are ignored, as the next checkpoint does the same work. */
void rl_store_checkpoint(rl_store *s);

/* Runs PRAGMA integrity_check; 0 when "ok". Every write of a connection
 * is preceded by a quick_check (once): a damaged file is never written,
 * and each writing call fails with a message naming this recovery. */
int rl_store_check(rl_store *s, rl_err *err);
/* Writes what is readable of the project at `path` to a new project file
 * `dest` (which must not exist): VACUUM INTO when the file reads whole,
 * else table by table, row by row up to the damage. The damaged file is
 * only read. *tables_cut: how many tables could not be read to the end
 * (0 after a clean VACUUM INTO). The copy's statistics counters are
 * recounted (rl_store_tally_recount). 0 or -1 (dest removed again). */
int rl_store_repair(const char *path, const char *dest, long *tables_cut,
                    rl_err *err);

/* Counts for `relabel stats`. */
typedef struct rl_stats_reviewer {
    char *name;              /* owned */
    long images;             /* images with at least one review */
    long reviews;            /* review rows */
    long done;               /* images confirmed (Enter) */
    long problematic;        /* images flagged */
} rl_stats_reviewer;

typedef struct rl_stats {
    long classes, images, with_path, predictions, models, candidates;
    long reviewed_candidates;   /* candidates with a review by anyone */
    long unreviewed_candidates;
    long reviewed_images;       /* every candidate reviewed by someone */
    long problematic_images;
    long events;
    rl_stats_reviewer *rev;  /* owned array */
    size_t n_rev;
} rl_stats;

/* Fills `st` from the counters the writers keep (table tally) and the
 * small class and model tables: no scan, at any size. Free with
 * rl_stats_free. 0, or -1 with `err` set (nothing to free). */
int rl_store_stats(rl_store *s, rl_stats *st, rl_err *err);
void rl_stats_free(rl_stats *st);

/* Compares every counter stats reads with its COUNT over the tables
 * (scans: seconds at 1.28M images). 0 when all agree; 1 when some
 * drifted, with *report a new string naming each, kept and counted (the
 * caller frees it; reviewer names sanitized); -1 with `err` set. */
int rl_store_tally_verify(rl_store *s, char **report, rl_err *err);
/* Sets every counter to its count over the tables, in one transaction.
 * 0, or -1 with `err` set (nothing changed). */
int rl_store_tally_recount(rl_store *s, rl_err *err);

#endif
