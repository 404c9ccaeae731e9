/* journal.h - marks waiting beside the project for its write lock.
 *
 * While another process holds the project's write lock (an import's
 * final transaction), a reviewer's mark is committed to a small SQLite
 * file beside the project, PATH-marks (its own lock; WAL and
 * synchronous=NORMAL as the project, so no kill of a process loses a
 * saved mark), and applied to the project as soon as the lock is
 * free: by the reviewer's next write or idle tick, by the importing
 * process after its commit, by any writable open. Applied steps keep
 * their original uid and time; a mark made during an import lands after
 * it. Knows nothing of the screen. */
#ifndef RL_JOURNAL_H
#define RL_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/store.h"

/* How long a writable open waits for the lock to apply pending marks
 * before it leaves them for later. */
#define RL_JOURNAL_OPEN_WAIT_MS 20

/* Applies the pending steps of every reviewer to the project, oldest
 * first, in one project transaction, then removes them from the journal.
 * Waits at most `wait_ms` for the write lock (< 0: as any write, with the
 * store's on_wait) and, like any first write, for the quick check of
 * open; 0 waits for neither (an idle tick: still pending then) and
 * applies a batch of the oldest steps only (call again for the rest). 0 when nothing is pending any more, 1 when steps are
 * still pending (the lock stayed busy), -1 with `err` set. A project with
 * no journal file returns 0 at once. */
int rl_journal_apply(rl_store *s, int64_t wait_ms, rl_err *err);

/* For the review screen: a mark made before the quick check of open has
 * ended goes to the journal too rather than wait for the check (the idle
 * tick applies it once the check is done). Off by default: such a mark
 * waits for the check, as every first write of a connection does. */
void rl_journal_set_interactive(rl_store *s, bool on);

/* What `relabel check` says of the journal of the project at `path`. */
typedef struct rl_journal_info {
    bool exists;           /* PATH-marks is there */
    long pending;          /* steps waiting for the project */
    long reviewers;        /* distinct reviewers among them */
} rl_journal_info;

/* Reads the journal of the project file `path` without changing it:
 * runs its integrity check and counts what is pending. 0 (info filled;
 * no file is fine), or -1 with `err` naming the journal when it cannot be
 * read or is damaged. */
int rl_journal_info_get(const char *path, rl_journal_info *info,
                        rl_err *err);

#endif
