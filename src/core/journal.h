/* journal.h - the side journal of marks (internal to core; see
 * include/relabel/journal.h for what commands and screens call).
 *
 * A live step that finds the project's write lock held by another
 * connection (an import's final transaction) for more than
 * JOURNAL_WAIT_MS is committed to PATH-marks instead, durably, so the
 * screen can say saved at once; journal.c applies it to the project later
 * through the review log, as its own step with its original uid and time.
 * review.c commits live steps and overlays pending ones through here. */
#ifndef RL_CORE_JOURNAL_H
#define RL_CORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/store.h"
#include "log.h"

/* How long a live step waits for the project's write lock before it goes
 * to the journal. */
#define JOURNAL_WAIT_MS 5
/* Pending steps a live step or an idle tick applies at a time. */
#define JOURNAL_BATCH 32

/* Commits one live step of `reviewer` on `image` (kind LOG_MARK or
 * LOG_BULK by `what`): pending journaled steps are applied first, then
 * the step goes to the project; when the lock stays busy, and
 * `may_journal`, to the journal instead (committed there on return 0;
 * also while the quick check of open runs, on an interactive store);
 * without `may_journal` it waits like any write. `ch` is borrowed.
 * 0 (committed somewhere durable) or -1 with `err` set. */
int journal_step(rl_store *s, const char *reviewer, int64_t image,
                 const char *what, const log_change *ch, size_t n,
                 bool may_journal, rl_err *err);
/* Calls fn(ctx, change) for every change of the pending steps of
 * `reviewer` on `image`, oldest first (the change's strings are borrowed
 * for the call). Returns how many, 0 when there is no journal. */
size_t journal_overlay(rl_store *s, const char *reviewer, int64_t image,
                       void (*fn)(void *ctx, const log_change *c),
                       void *ctx);
/* The images that pending steps of `reviewer` touch, into *ids (the
 * caller frees it), by id; returns how many. */
size_t journal_images(rl_store *s, const char *reviewer, int64_t **ids);

#endif
