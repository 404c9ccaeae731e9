/* namesort.h - an external sort of fixed-size records each keyed by a
 * string (an image name), in bounded memory: records are added into a
 * buffer; a full buffer is sorted and written to an anonymous temporary
 * file (in $TMPDIR) as a run; reading merges the runs (and the last
 * buffer) in order: by name (bytes, as strcmp), then by the record's
 * first uint64_t word, then in the order added. Memory does not grow
 * with the records: the buffer, and at the merge a read-ahead shared by
 * the runs. Knows nothing of the terminal. */
#ifndef RL_NAMESORT_H
#define RL_NAMESORT_H

#include <stddef.h>

#include "relabel/err.h"

typedef struct rl_namesort rl_namesort;

/* A sort of records of `size` bytes (at least 8: the first 8 are a
 * uint64_t compared after the name), buffering about `mem` bytes (at
 * least 1 MB is used) of records, names and their index. Free with
 * rl_namesort_free (NULL is fine). */
rl_namesort *rl_namesort_new(size_t size, size_t mem);
void rl_namesort_free(rl_namesort *s);
/* Copies `rec` and `name` (a C string shorter than 1 MB) in; a full
 * buffer goes to the temporary file. 0, or -1 with RL_E_IO (no temporary
 * file, or a full disk) or RL_E_RANGE (a name that long). Not after
 * _next. */
int rl_namesort_add(rl_namesort *s, const char *name, const void *rec,
                    rl_err *err);
/* The records in order, one a call: 1 with *name and *rec pointing to
 * them (borrowed until the next call; *rec aligned for any uint64_t
 * field), 0 at the end, -1 with RL_E_IO on a read error. The first call
 * ends the adding. */
int rl_namesort_next(rl_namesort *s, const char **name, const void **rec,
                     rl_err *err);
/* Records added so far. */
size_t rl_namesort_count(const rl_namesort *s);
/* Runs written to the temporary file so far (0: all in memory). */
size_t rl_namesort_runs(const rl_namesort *s);

#endif
