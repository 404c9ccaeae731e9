/* team.h - several reviewers on one project: work assignment, and merging
 * the work done in another copy of the project (a laptop) into this one.
 * Knows nothing of the terminal. */
#ifndef RL_TEAM_H
#define RL_TEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "relabel/err.h"
#include "relabel/store.h"

/* Gives every image to `k` of the `n` reviewers, round robin over the
 * images in name order (or shuffled with `seed` when seed != 0), so each
 * reviewer's queue holds only their images. With `replace`, the
 * reviewers' earlier assignments are dropped first. One transaction. */
int rl_assign(rl_store *s, const char *const *reviewers, size_t n, int k,
              uint64_t seed, bool replace, rl_err *err);
/* Removes every assignment (queues show all images again). */
int rl_assign_clear(rl_store *s, rl_err *err);

typedef struct rl_merge_report {
    long images;           /* images the other copy had that this lacked */
    long candidates;       /* candidates added there (by a reviewer) */
    long reviews;          /* verdicts brought in */
    long flags;            /* per-image flags brought in */
    long timings;          /* timing rows added or extended */
    long steps, events;    /* history brought in */
    long conflicts;        /* same reviewer, same key, different value */
    long same;             /* verdicts already identical here */
} rl_merge_report;

/* Merges `other` (a copy of this project) into `s` in one transaction:
 * reviews, flags, timings and the event log. Images are matched by name
 * and classes by wnid; steps by their unique id, so merging twice adds
 * nothing the second time. Where the same reviewer gave the same
 * candidate (or flag) different values in the two copies, nothing is
 * changed and each conflict is written to `conflicts` (may be NULL) as a
 * CSV row image,wnid,reviewer,field,here,there. `other` is opened
 * read-only and never modified (it must be at this schema version). */
int rl_merge(rl_store *s, const char *other, FILE *conflicts,
             rl_merge_report *rep, rl_err *err);

#endif
