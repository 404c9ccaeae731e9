/* predpack.h - one model's ranked predictions for one image, packed in one
 * blob (internal to core; schema 8 stores them in table `pred`, one row
 * per (image, model); predpack.c says the encoding).
 *
 * A view `prediction(image, model, rank, class, score)` over `pred` reads
 * them row by row through the table-valued function rl_pred_each(blob),
 * which predpack_register adds to a connection; hot readers decode the
 * blob themselves with predpack_decode. Not installed, not for ui/. */
#ifndef RL_CORE_PREDPACK_H
#define RL_CORE_PREDPACK_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"

typedef struct pred_item {
    long rank;             /* 1 .. PREDPACK_MAX_RANK */
    int64_t cls;           /* class id, > 0 */
    bool has_score;        /* false: no score */
    double score;          /* the imported double, when has_score */
} pred_item;

#define PREDPACK_MAX_RANK 100000

/* Packs `n` > 0 items, ranks strictly increasing, into a new blob of
 * *size bytes, which the caller frees. The scores read back are the very
 * same doubles. Never fails (out of memory aborts). */
unsigned char *predpack_encode(const pred_item *it, size_t n, size_t *size);

/* Unpacks `blob` into *items (grown with rl_grow; *cap its capacity), its
 * count in *n. 0, or -1 with `err` set (RL_E_DB, "corrupt predictions
 * blob: ...") for a blob predpack_encode did not make; *items stays the
 * caller's to free either way. */
int predpack_decode(const void *blob, size_t size, pred_item **items,
                    size_t *cap, size_t *n, rl_err *err);

/* The items' score as SQLite stores it: the millionths that give back the
 * same double, else the double (the rule of schema 4's score6). */
bool predpack_millionths(double score, int64_t *m);

/* Adds to `db` the table-valued function rl_pred_each(blob) -> (rank,
 * class, score) and the aggregate rl_pred_pack(rank, class, score) -> the
 * blob of its group's rows (in any order; NULL score: none), which fails
 * with PREDPACK_DUP when two rows share a rank or a class. SQLITE_OK or
 * an SQLite error code. */
#define PREDPACK_DUP "rl_pred_pack: a rank or class twice in one group"
int predpack_register(sqlite3 *db);
/* The same for every connection the process opens from now on
 * (sqlite3_auto_extension): for tests and tools that open a project with
 * SQLite itself. SQLITE_OK or an SQLite error code. */
int predpack_register_all(void);

#endif
