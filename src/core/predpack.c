/* predpack.c - the packed predictions of one (image, model) and the
 * table-valued function that unpacks them for SQL.
 *
 * The blob (schema 8, table `pred`, column `preds`):
 *   byte 0     flags: bits 0-2 e, the scale of mode 1 (0..6);
 *              bits 3-4 the score mode, 0: no item has a score,
 *              1: every item has one, a whole number >= 0 of 10^e
 *              millionths that gives back the very same double,
 *              2: each item says (a tag byte, below);
 *              bit 5: ranks are explicit (else they are 1, 2, ..., n);
 *              bits 6-7: 0 (a later format would set them).
 *   then per item, in rank order, until the blob ends:
 *              varint class id;
 *              if bit 5, varint (rank - previous rank - 1), previous 0;
 *              mode 1: varint units (score = units * 10^e / 1e6);
 *              mode 2: tag 0 no score, 1 varint millionths, 2 varint
 *              minus millionths, 3 the IEEE double, 8 bytes
 *              little-endian.
 * A varint is LEB128: 7 bits a byte, low first, high bit set on all but
 * the last, at most 10 bytes. Millionths are stored only when m / 1e6
 * (a double division, as SQLite's m / 1000000.0 does) is exactly the
 * imported double, as schema 4's score6 did; so scores of 4 decimals take
 * 2 bytes, a top-5 of five models about 6 bytes an item. */
#include "predpack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"

#define F_SCALE 0x07
#define F_MODE_SHIFT 3
#define F_RANKS 0x20
#define F_VERSION 0xc0

enum { MODE_NONE, MODE_UNITS, MODE_TAGGED };
enum { TAG_NONE, TAG_POS, TAG_NEG, TAG_DOUBLE };

static const int64_t pow10s[7] = {
    1, 10, 100, 1000, 10000, 100000, 1000000
};

bool
predpack_millionths(double score, int64_t *m)
{
    double q = nearbyint(score * 1e6);

    if (!(fabs(score) < 1e6) || q / 1e6 != score)
        return false;
    *m = (int64_t)q;
    return true;
}

/* A growing output buffer. */
struct buf {
    unsigned char *p;
    size_t n, cap;
};

static void
put_byte(struct buf *b, unsigned char c)
{
    rl_grow(&b->p, &b->cap, b->n + 1, 1);
    b->p[b->n++] = c;
}

static void
put_varint(struct buf *b, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(b, (unsigned char)(v | 0x80));
        v >>= 7;
    }
    put_byte(b, (unsigned char)v);
}

unsigned char *
predpack_encode(const pred_item *it, size_t n, size_t *size)
{
    struct buf b = { 0 };
    bool ranks = false, all = true, none = true;
    int e = 6, mode;
    size_t i;

    /* The mode and scale that fit every item. */
    for (i = 0; i < n; i++) {
        int64_t m;

        if (it[i].rank != (long)i + 1)
            ranks = true;
        if (!it[i].has_score) {
            all = false;
            continue;
        }
        none = false;
        if (!predpack_millionths(it[i].score, &m) || m < 0) {
            all = false;
            continue;
        }
        while (e > 0 && m % pow10s[e] != 0)
            e--;
    }
    mode = none ? MODE_NONE : all ? MODE_UNITS : MODE_TAGGED;
    if (mode != MODE_UNITS)
        e = 0;
    put_byte(&b, (unsigned char)(e | mode << F_MODE_SHIFT
                                 | (ranks ? F_RANKS : 0)));

    for (i = 0; i < n; i++) {
        int64_t m = 0;

        put_varint(&b, (uint64_t)it[i].cls);
        if (ranks)
            put_varint(&b, (uint64_t)(it[i].rank
                                      - (i > 0 ? it[i - 1].rank : 0) - 1));
        if (mode == MODE_UNITS) {
            predpack_millionths(it[i].score, &m);
            put_varint(&b, (uint64_t)(m / pow10s[e]));
        } else if (mode == MODE_TAGGED) {
            if (!it[i].has_score) {
                put_byte(&b, TAG_NONE);
            } else if (predpack_millionths(it[i].score, &m)) {
                /* -0.0 is 0 millionths and reads back as 0.0, as in
                 * schema 4. */
                put_byte(&b, m < 0 ? TAG_NEG : TAG_POS);
                put_varint(&b, (uint64_t)(m < 0 ? -m : m));
            } else {
                uint64_t u;
                int k;

                memcpy(&u, &it[i].score, 8);
                put_byte(&b, TAG_DOUBLE);
                for (k = 0; k < 8; k++)
                    put_byte(&b, (unsigned char)(u >> (8 * k)));
            }
        }
    }
    *size = b.n;
    return b.p;
}

/* Reads a varint at *p (< end); 0, or -1 when truncated or too long. */
static int
get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t r = 0;
    int shift;

    for (shift = 0; shift < 70 && *p < end; shift += 7) {
        unsigned char c = *(*p)++;

        if (shift == 63 && c > 1)
            return -1;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static int
corrupt(rl_err *err, const char *why, size_t item)
{
    rl_err_set(err, RL_E_DB, "corrupt predictions blob: %s (item %zu)", why,
               item + 1);
    return -1;
}

int
predpack_decode(const void *blob, size_t size, pred_item **items,
                size_t *cap, size_t *n, rl_err *err)
{
    const unsigned char *p = blob, *end = p + size;
    int e, mode;
    bool ranks;
    long rank = 0;
    size_t i = 0;

    *n = 0;
    if (size < 2)
        return corrupt(err, "shorter than one item", 0);
    e = p[0] & F_SCALE;
    mode = (p[0] >> F_MODE_SHIFT) & 3;
    ranks = (p[0] & F_RANKS) != 0;
    if ((p[0] & F_VERSION) != 0 || e > 6 || mode > MODE_TAGGED
        || (mode != MODE_UNITS && e != 0))
        return corrupt(err, "unknown format byte", 0);
    p++;
    for (i = 0; p < end; i++) {
        pred_item it = { 0 };
        uint64_t v;

        if (get_varint(&p, end, &v) != 0 || v == 0 || v > INT64_MAX)
            return corrupt(err, "bad class id", i);
        it.cls = (int64_t)v;
        if (ranks) {
            if (get_varint(&p, end, &v) != 0
                || v >= (uint64_t)(PREDPACK_MAX_RANK - rank))
                return corrupt(err, "bad rank", i);
            rank += (long)v + 1;
        } else if (++rank > PREDPACK_MAX_RANK) {
            return corrupt(err, "too many ranks", i);
        }
        it.rank = rank;
        if (mode == MODE_UNITS) {
            if (get_varint(&p, end, &v) != 0
                || v >= (uint64_t)(1000000000000LL / pow10s[e]))
                return corrupt(err, "bad score", i);
            it.has_score = true;
            it.score = (double)((int64_t)v * pow10s[e]) / 1000000.0;
        } else if (mode == MODE_TAGGED) {
            int tag = p < end ? *p++ : -1;

            if (tag == TAG_POS || tag == TAG_NEG) {
                if (get_varint(&p, end, &v) != 0 || v >= 1000000000000ULL)
                    return corrupt(err, "bad score", i);
                it.score = (double)(tag == TAG_NEG ? -(int64_t)v
                                    : (int64_t)v) / 1000000.0;
            } else if (tag == TAG_DOUBLE) {
                uint64_t u = 0;
                int k;

                if (end - p < 8)
                    return corrupt(err, "truncated score", i);
                for (k = 0; k < 8; k++)
                    u |= (uint64_t)*p++ << (8 * k);
                memcpy(&it.score, &u, 8);
            } else if (tag != TAG_NONE) {
                return corrupt(err, "bad score tag", i);
            }
            it.has_score = tag != TAG_NONE;
        }
        rl_grow(items, cap, i + 1, sizeof **items);
        (*items)[i] = it;
    }
    *n = i;
    return 0;
}

/* ---- rl_pred_each(blob): rank, class, score ------------------------- */

struct each_cursor {
    sqlite3_vtab_cursor base;
    pred_item *items;      /* the blob's items */
    size_t n, cap, at;     /* count, capacity, the current one */
};

static int
each_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
             sqlite3_vtab **vt, char **msg)
{
    int rc;

    (void)aux; (void)argc; (void)argv; (void)msg;
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(rank INTEGER, class"
                              " INTEGER, score REAL, preds HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    *vt = sqlite3_malloc(sizeof **vt);
    if (*vt == NULL)
        return SQLITE_NOMEM;
    memset(*vt, 0, sizeof **vt);
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    return SQLITE_OK;
}

static int
each_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* Only usable with the blob given: rl_pred_each(p.preds). */
static int
each_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    int i;

    (void)vt;
    for (i = 0; i < info->nConstraint; i++)
        if (info->aConstraint[i].iColumn == 3
            && info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ) {
            if (!info->aConstraint[i].usable)
                return SQLITE_CONSTRAINT;
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->estimatedCost = 10;
            info->estimatedRows = 5;
            /* Items come in rank order. */
            if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == 0
                && !info->aOrderBy[0].desc)
                info->orderByConsumed = 1;
            return SQLITE_OK;
        }
    return SQLITE_CONSTRAINT;
}

static int
each_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
    struct each_cursor *c = sqlite3_malloc(sizeof *c);

    (void)vt;
    if (c == NULL)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *cur = &c->base;
    return SQLITE_OK;
}

static int
each_close(sqlite3_vtab_cursor *cur)
{
    struct each_cursor *c = (struct each_cursor *)cur;

    free(c->items);
    sqlite3_free(c);
    return SQLITE_OK;
}

static int
each_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc,
            sqlite3_value **argv)
{
    struct each_cursor *c = (struct each_cursor *)cur;
    rl_err err;

    (void)idx; (void)idxs;
    c->n = c->at = 0;
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return SQLITE_OK;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB
        || predpack_decode(sqlite3_value_blob(argv[0]),
                           (size_t)sqlite3_value_bytes(argv[0]), &c->items,
                           &c->cap, &c->n, &err) != 0) {
        sqlite3_free(cur->pVtab->zErrMsg);
        cur->pVtab->zErrMsg = sqlite3_mprintf("%s", sqlite3_value_type(
            argv[0]) != SQLITE_BLOB ? "corrupt predictions blob: not a"
            " blob" : err.msg);
        c->n = 0;
        return SQLITE_CORRUPT;
    }
    return SQLITE_OK;
}

static int
each_next(sqlite3_vtab_cursor *cur)
{
    ((struct each_cursor *)cur)->at++;
    return SQLITE_OK;
}

static int
each_eof(sqlite3_vtab_cursor *cur)
{
    struct each_cursor *c = (struct each_cursor *)cur;

    return c->at >= c->n;
}

static int
each_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    struct each_cursor *c = (struct each_cursor *)cur;
    const pred_item *it = &c->items[c->at];

    if (col == 0)
        sqlite3_result_int64(ctx, it->rank);
    else if (col == 1)
        sqlite3_result_int64(ctx, it->cls);
    else if (col == 2 && it->has_score)
        sqlite3_result_double(ctx, it->score);
    else
        sqlite3_result_null(ctx);
    return SQLITE_OK;
}

static int
each_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((struct each_cursor *)cur)->at;
    return SQLITE_OK;
}

static const sqlite3_module each_module = {
    .iVersion = 0,
    .xCreate = NULL,       /* eponymous only: no CREATE VIRTUAL TABLE */
    .xConnect = each_connect,
    .xBestIndex = each_best_index,
    .xDisconnect = each_disconnect,
    .xOpen = each_open,
    .xClose = each_close,
    .xFilter = each_filter,
    .xNext = each_next,
    .xEof = each_eof,
    .xColumn = each_column,
    .xRowid = each_rowid,
};

/* ---- rl_pred_pack(rank, class, score): the blob of a group ---------- */

struct pack_acc {
    pred_item *items;      /* the group's rows, in any order */
    size_t n, cap;
};

static void
pack_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct pack_acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
    pred_item it = { 0 };

    (void)argc;
    if (a == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    it.rank = (long)sqlite3_value_int64(argv[0]);
    it.cls = sqlite3_value_int64(argv[1]);
    it.has_score = sqlite3_value_type(argv[2]) != SQLITE_NULL;
    it.score = sqlite3_value_double(argv[2]);
    rl_grow(&a->items, &a->cap, a->n + 1, sizeof *a->items);
    a->items[a->n++] = it;
}

static int
by_rank(const void *x, const void *y)
{
    const pred_item *a = x, *b = y;

    return (a->rank > b->rank) - (a->rank < b->rank);
}

static void
pack_final(sqlite3_context *ctx)
{
    struct pack_acc *a = sqlite3_aggregate_context(ctx, 0);
    unsigned char *blob;
    size_t i, j, size;

    if (a == NULL || a->n == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    qsort(a->items, a->n, sizeof *a->items, by_rank);
    for (i = 0; i < a->n; i++) {
        if (a->items[i].rank < 1 || a->items[i].rank > PREDPACK_MAX_RANK
            || a->items[i].cls <= 0) {
            sqlite3_result_error(ctx, "rl_pred_pack: a rank or class out of"
                                 " range", -1);
            goto out;
        }
        /* A model's classes of one image are few (top-5): pairs. */
        for (j = i + 1; j < a->n; j++)
            if (a->items[j].rank == a->items[i].rank
                || a->items[j].cls == a->items[i].cls) {
                sqlite3_result_error(ctx, PREDPACK_DUP, -1);
                goto out;
            }
    }
    blob = predpack_encode(a->items, a->n, &size);
    sqlite3_result_blob(ctx, blob, (int)size, free);
out:
    free(a->items);
}

int
predpack_register(sqlite3 *db)
{
    int rc = sqlite3_create_module_v2(db, "rl_pred_each", &each_module,
                                      NULL, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "rl_pred_pack", 3,
                                        SQLITE_UTF8 | SQLITE_INNOCUOUS,
                                        NULL, NULL, pack_step, pack_final,
                                        NULL);
    return rc;
}

static int
auto_entry(sqlite3 *db, char **msg, const sqlite3_api_routines *api)
{
    (void)msg; (void)api;
    return predpack_register(db);
}

int
predpack_register_all(void)
{
    return sqlite3_auto_extension((void (*)(void))auto_entry);
}
