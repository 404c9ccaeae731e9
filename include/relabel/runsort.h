/* runsort.h - an external sort of fixed-size records in bounded memory:
 * records are added into a buffer; a full buffer is sorted and written to
 * an anonymous temporary file (in $TMPDIR) as a run; reading merges the
 * runs (and the last buffer) in order. Equal records come out in no
 * particular order, so callers that care put a sequence number in the
 * key. Knows nothing of the terminal. */
#ifndef RL_RUNSORT_H
#define RL_RUNSORT_H

#include <stddef.h>

#include "relabel/err.h"

typedef struct rl_runsort rl_runsort;

/* A sort of `size`-byte records ordered by `cmp` (qsort's contract),
 * buffering at most about `mem` bytes (at least 64 records). Free with
 * rl_runsort_free (NULL is fine). */
rl_runsort *rl_runsort_new(size_t size, int (*cmp)(const void *,
                                                   const void *),
                           size_t mem);
/* A sort of `size`-byte records whose first `nkeys` (1 or more) words are
 * uint64_t keys in native order, compared first word first; equal keys
 * come out in the order added. Buffers about `mem` bytes, half of them
 * for the radix sort's second copy. Free with rl_runsort_free. */
rl_runsort *rl_runsort_new_keyed(size_t size, size_t nkeys, size_t mem);
void rl_runsort_free(rl_runsort *s);
/* Sorts recs[0..n) (`size` bytes each, keyed as rl_runsort_new_keyed's)
 * in place, stably; `tmp` holds n * size bytes, scratch. */
void rl_runsort_radix(void *recs, void *tmp, size_t n, size_t size,
                      size_t nkeys);
/* Copies one record in; a full buffer goes to the temporary file. 0, or -1
 * with RL_E_IO (no temporary file, or a full disk). Not after _next. */
int rl_runsort_add(rl_runsort *s, const void *rec, rl_err *err);
/* The records in order, one a call: 1 with *rec pointing to it (borrowed
 * until the next call), 0 at the end, -1 with RL_E_IO on a read error.
 * The first call ends the adding. */
int rl_runsort_next(rl_runsort *s, const void **rec, rl_err *err);
/* Records added so far. */
size_t rl_runsort_count(const rl_runsort *s);

#endif
