/* log.h - the one writer of the review log (internal to core).
 *
 * Every change to a reviewer's verdicts, flags, added candidates, main
 * object or timing goes through here: a step of one kind is begun, its
 * changes are applied to the tables and written as events (before ->
 * after) in the same transaction, and the step is committed. review.c
 * (live marks, undo, redo), csvio.c (imports) and team.c (merge) call it;
 * nothing else writes the review, flag, candidate, timing, step or event
 * tables. Not installed, not for ui/ or cmd/.
 *
 * Steps nest in rl_store transactions: log_begin opens (or joins) one,
 * log_end closes it, so an import can hold one step per reviewer inside
 * one transaction. Failure: -1 with `err` set; the transaction is then
 * rolled back by the outermost log_end / rl_store_end. */
#ifndef RL_CORE_LOG_H
#define RL_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/state.h"
#include "relabel/store.h"

struct rl_merge_report;

typedef enum log_kind {
    LOG_MARK,              /* one live action: mark, flag, note, main... */
    LOG_BULK,              /* a bulk mark (W, U...): many events */
    LOG_ADJUDICATION,      /* a mark made with --adjudicate */
    LOG_UNDO,              /* reverts a step (target) */
    LOG_REDO,              /* re-applies an undone step (target) */
    LOG_IMPORT,            /* import reviews: not undoable */
    LOG_MERGE              /* merge: the copy's own steps, not undoable */
} log_kind;

typedef struct log_step {
    rl_store *s;           /* borrowed */
    int64_t id;            /* the step row */
    int64_t at;            /* its time, ms since the epoch */
    const char *reviewer;  /* borrowed; whose rows the changes touch */
    bool bulk;             /* an import or merge step: its writer
                              recounts the stats counters at its end
                              (store_tally_recount); a live one keeps
                              them change by change */
    int64_t events;        /* events it logged (a live step adds them to
                              the events counter as it ends) */
    int64_t ev_first;      /* the first and last event id it logged one by
                              one (0: none); log_end stores the range on */
    int64_t ev_last;       /* the step row (step.ev_first, ev_last), where
                              undo and redo find the step's events */
} log_step;

/* One change a live step makes: field of (image, cls) from `before` to
 * `after` (NULL: none); the strings are borrowed. */
typedef struct log_change {
    int64_t cls;           /* class row id, 0 for the per-image fields */
    const char *field;     /* state problematic note main done candidate */
    const char *before;    /* as the reviewer saw it */
    const char *after;
} log_change;

/* Begins (or joins) a transaction and writes the step row. `what` is a
 * short static description ("mark", "bulk", "import FILE"); `target` the
 * step an undo/redo reverts (0: none). 0 or -1; on -1 nothing is open. */
int log_begin(rl_store *s, log_step *sp, log_kind kind, const char *reviewer,
              const char *what, int64_t target, rl_err *err);
/* log_begin for a step made earlier (a journaled mark, journal.c): its
 * own `uid` (NULL: a new one) and time `at` (0: now). A uid the project
 * has already fails (step.uid is UNIQUE). */
int log_begin_as(rl_store *s, log_step *sp, log_kind kind,
                 const char *reviewer, const char *what, int64_t target,
                 const char *uid, int64_t at, rl_err *err);
/* Applies one change to (image, cls) of the step's reviewer and logs it.
 * `field` is one of state, role (of an existing verdict: "reviewer" or
 * "adjudicator"), candidate, problematic, note, main, done;
 * cls <= 0 for the per-image fields. `at` (0: the step's time) is stored
 * as the row's updated_at. No event is written when before equals after. */
int log_put(log_step *sp, int64_t image, int64_t cls, const char *field,
            const char *before, const char *after, int64_t at, rl_err *err);
/* After the changes of a live step on `image`: clears a confirmation that
 * no longer holds (as an event of the step) and stamps last_change. */
int log_settle(log_step *sp, int64_t image, rl_err *err);
/* Commits (rc == 0, outermost level) or rolls back; returns rc, or -1 if
 * the commit failed. */
int log_end(log_step *sp, int rc, rl_err *err);

/* The value `field` of (image, cls) for `reviewer` has now, in the form
 * events store it (NULL: none). The caller frees it. */
char *log_value(rl_store *s, const char *reviewer, int64_t image,
                int64_t cls, const char *field);
/* Same value in the sense of the log (NULL, "" and "0" compare as the
 * field's empty value; but a candidate's NULL, none, differs from "", a
 * candidate nobody added). */
int log_same(const char *field, const char *a, const char *b);

/* What log_revert changed. */
typedef struct log_reverted {
    int64_t image;         /* the image it touched, -1 if none */
    int64_t cls;           /* class of the last verdict it changed, or 0 */
    size_t n_marks;        /* candidate verdicts it changed */
} log_reverted;

/* Undo (undo true) or redo of step `target` of `reviewer`, as a new step
 * naming it: the events of step `source` are replayed backwards, each
 * value back to its `before` - `source` is the target itself or its
 * latest redo for an undo, the undo being cancelled for a redo. A change
 * is applied only where the value is still the one `source` left; the
 * others are kept and named in `note` (a message, "" when none was
 * skipped). Opens its own transaction. 0 or -1. */
int log_revert(rl_store *s, const char *reviewer, int64_t target,
               int64_t source, bool undo, log_reverted *info, char *note,
               size_t note_size, rl_err *err);

/* Adds the original label `cls` of an image as a candidate (no event:
 * candidates from labels and models are not reviewers' work). */
int log_candidate_original(rl_store *s, int64_t image, int64_t cls,
                           rl_err *err);
/* Before the write lock: the candidates the staged predictions
 * (temp.stage_pred) give their images, from the stored predictions and
 * the staged ones, into temp.stage_cand; then, in the final transaction,
 * stored with no sorting or grouping. The caller makes sure no other
 * predictions were stored in between (else log_candidates_rebuild_staged
 * inside the transaction). */
int log_candidates_stage(rl_store *s, rl_err *err);
/* The same, computed by the caller one image at a time: opens an empty
 * temp.stage_cand, then puts one candidate of a staged image with its
 * model count and rank sum over the stored and staged predictions. */
int log_candidates_stage_open(rl_store *s, rl_err *err);
int log_candidates_stage_put(rl_store *s, int64_t image, int64_t cls,
                             int64_t n_models, int64_t rank_sum, rl_err *err);
/* Writes the staged candidates into the project: each staged one gets its
 * model count and rank sum (a class a reviewer added keeps its adder).
 * With `fill` - the caller's project had no predictions, so candidate
 * holds no model counts yet, and foreign keys are off - the table is
 * written anew, in key order, from a TEMP table of its shape (SQLite's
 * transfer leaves its pages full; row by row 9% of them were unused).
 * Drops temp.stage_cand. 0, or -1 with `err` set. */
int log_candidates_apply_staged(rl_store *s, bool fill, rl_err *err);
/* The same for the staged labels of an import (temp.stage_label): the
 * changed labels of existing images, and the labels of the images from
 * id `first_new` on (those the import just made, in the same
 * transaction). */
int log_candidates_original_staged(rl_store *s, int64_t first_new,
                                   rl_err *err);
/* Rebuilds the model counts and mean ranks of every candidate from the
 * prediction table. */
int log_candidates_rebuild(rl_store *s, rl_err *err);
/* The same for the images of the staged predictions (temp.stage_pred of
 * an import) only. */
int log_candidates_rebuild_staged(rl_store *s, rl_err *err);
/* The reviews import, set by set: opens the empty TEMP staging tables
 * (described in log.c; csvio.c fills them while it reads the file), and
 * drops them. 0 or -1. */
int log_reviews_stage_open(rl_store *s, rl_err *err);
void log_reviews_stage_drop(rl_store *s);
/* The codes schema 7 stores (internal.h's RL_SQL_*_CODE say the same in
 * SQL): correct 0, wrong 1, unclear 2, dont_know 3; reviewer 0,
 * adjudicator 1; -1 for anything else (RL_STATE_NONE, NULL). */
int log_state_code(rl_state st);
int log_role_code(const char *role);
/* What a staged verdict (codes; role -1 when the file gives none) changes
 * where the project has `old` (has_old; old_role -1 when not read) and
 * new verdicts get the live role `live`: LOG_CHANGES_* bits; *bucket the
 * rl_import_result bucket it puts its row in (3 new, 2 changed,
 * 1 unchanged). The apply's SQL (CHANGES_STATE, CHANGES_ROLE) is the
 * same rule. */
enum { LOG_CHANGES_STATE = 1, LOG_CHANGES_ROLE = 2 };
int log_verdict_changes(bool has_old, int old, int old_role, int state,
                        int role, int live, int *bucket);
/* In one transaction: one import step (`what`) per staged reviewer with a
 * change, then the candidates the verdicts add, the verdicts, the roles
 * (when `roles`: the file gave some) and the flag changes, each with its
 * events (before: the value now, so marks made meanwhile stay the
 * `before`; values equal now write nothing). 0, or -1 with `err` set and
 * *line the row of a failing flag change (0 for others); then nothing is
 * stored. `parents`: check that the candidate of every verdict it writes
 * exists (the caller turned the foreign keys off, and the project changed
 * since the file was read: a candidate may be gone); one missing fails
 * as the foreign key would, *line its row. */
int log_apply_reviews(rl_store *s, const char *what, bool roles,
                      bool parents, long *line, rl_err *err);
/* Records `active_ms` of attention on an image (and the first look).
 * While the quick check of open still runs, records nothing (and
 * returns 0) rather than wait: the screen's first frame never waits. */
int log_touch(rl_store *s, const char *reviewer, int64_t image,
              int64_t active_ms, rl_err *err);
/* What a staged timing would do to the project's (log_timing_stage). */
enum { LOG_TIMING_HELD, LOG_TIMING_EXTENDS, LOG_TIMING_NEW };
/* Stages one timing an import brings (temp.stage_timing, no write
 * lock): times in ms since the epoch, last_change < 0 for none. Returns
 * what merging it would do to the stored timing of (image, reviewer) -
 * LOG_TIMING_HELD (nothing), _EXTENDS or _NEW (none stored) - or -1 with
 * `err` set. */
int log_timing_stage(rl_store *s, int64_t image, const char *reviewer,
                     int64_t first_shown, int64_t last_change,
                     int64_t active_ms, rl_err *err);
/* Inside the import's transaction: merges the staged timings into the
 * project by the rule of a merge (earliest first look, latest change,
 * longer attention; log_merge_attached uses the same). Returns the
 * timings added or extended (0 when none were staged), or -1 with `err`
 * set. */
long log_timing_apply_staged(rl_store *s, rl_err *err);
/* Drops the staged timings (after the import, whatever its outcome). */
void log_timing_stage_drop(rl_store *s);
/* Inside a transaction with the copy attached as `o` and temp maps imap
 * and cmap built: brings in the copy's candidates, reviews, flags,
 * timings, steps and events that this project lacks; counts into `rep`.
 * Conflicting values are left as they are here. 0 or -1. */
int log_merge_attached(rl_store *s, struct rl_merge_report *rep,
                       rl_err *err);

#endif
