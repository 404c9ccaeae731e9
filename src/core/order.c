/* order.c - queue orders by doubt (see order.h for the definitions).
 *
 * One pass over the packed predictions in their primary-key order
 * (image, model): a row holds one model's predictions of one image, rank
 * 1 first, so each model's top-1, top-2 and the original label's rank and
 * score are known at its row, and each image's doubt when the image
 * changes. Nothing but the per-image results is kept in memory. */
#include "relabel/order.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "predpack.h"
#include "relabel/util.h"

static const char *const names[RL_ORDER_COUNT] = {
    "name", "disagree", "margin", "random"
};

int
rl_order_parse(const char *text, rl_order *o, rl_err *err)
{
    size_t i;

    for (i = 0; i < RL_ORDER_COUNT; i++) {
        size_t n = strlen(names[i]);

        if (strncmp(text, names[i], n) != 0)
            continue;
        if (text[n] == '\0') {
            o->kind = (rl_order_kind)i;
            o->seed = 1;
            return 0;
        }
        if (i == RL_ORDER_RANDOM && text[n] == ':' && text[n + 1] != '\0') {
            char *end;
            unsigned long long v = strtoull(text + n + 1, &end, 10);

            if (*end == '\0' && text[n + 1] != '-') {
                o->kind = RL_ORDER_RANDOM;
                o->seed = (uint64_t)v;
                return 0;
            }
        }
    }
    rl_err_set(err, RL_E_USAGE, "unknown order (use name, disagree, margin "
               "or random:SEED)");
    return -1;
}

const char *
rl_order_format(const rl_order *o, char *buf, size_t n)
{
    if (o->kind == RL_ORDER_RANDOM)
        snprintf(buf, n, "random:%llu", (unsigned long long)o->seed);
    else
        snprintf(buf, n, "%s", names[o->kind < RL_ORDER_COUNT ? o->kind : 0]);
    return buf;
}

rl_order
rl_order_next(const rl_order *o)
{
    rl_order r = *o;

    r.kind = (rl_order_kind)((o->kind + 1) % RL_ORDER_COUNT);
    return r;
}

/* splitmix64: a fixed, portable mix, so random:SEED is the same order on
 * every machine and in every version. */
static uint64_t
mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* One model's predictions for one image, as they stream past. */
struct model_acc {
    int64_t top1;          /* class at the best rank seen */
    int best_rank;         /* 0: no row yet */
    double s1, s2;         /* scores at the best and second-best rank */
    int n_rows, n_scores;  /* predictions, and those with a score */
    int label_rank;        /* rank of the original label, 0 if absent */
    double label_score;    /* its score, 0 if absent or unscored */
};

/* One image's models: both orders' sums at once. */
struct image_acc {
    int64_t id, label;     /* label 0: none */
    int n_models;
    double sum_d;          /* disagree: sum of d_m */
    double sum_m;          /* margin: sum of the scored terms */
    /* margin: every model's top-1 and whether it had scores, to find the
     * plurality top-1 for the models without scores (a handful). */
    struct { int64_t cls; bool unscored; } *top1;
    size_t n_top1, cap_top1;
};

static void
model_reset(struct model_acc *m)
{
    memset(m, 0, sizeof *m);
}

static void
model_row(struct model_acc *m, int rank, int64_t cls, bool has_score,
          double score, int64_t label)
{
    if (m->best_rank == 0 || rank < m->best_rank) {
        m->best_rank = rank;
        m->top1 = cls;
    }
    if (m->n_rows == 0)
        m->s1 = has_score ? score : 0;
    else if (m->n_rows == 1)
        m->s2 = has_score ? score : 0;
    m->n_rows++;
    if (has_score)
        m->n_scores++;
    if (label > 0 && cls == label) {
        m->label_rank = rank;
        m->label_score = has_score ? score : 0;
    }
}

static double
clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void
model_end(struct image_acc *im, const struct model_acc *m)
{
    if (m->best_rank == 0)
        return;
    im->n_models++;
    if (m->n_scores > 0)
        im->sum_d += 1.0 - clamp01(m->label_score);
    else
        im->sum_d += m->label_rank > 0 ? 1.0 - 1.0 / m->label_rank : 1.0;
    if (m->n_scores > 0)
        im->sum_m += 1.0 - clamp01(m->s1 - (m->n_rows > 1 ? m->s2 : 0));
    rl_grow(&im->top1, &im->cap_top1, im->n_top1 + 1, sizeof *im->top1);
    im->top1[im->n_top1].cls = m->top1;
    im->top1[im->n_top1].unscored = m->n_scores == 0;
    im->n_top1++;
}

/* The image's disagree doubt, or NAN when it has none. */
static double
image_disagree(const struct image_acc *im)
{
    if (im->n_models == 0 || im->label <= 0)
        return NAN;
    return im->sum_d / im->n_models;
}

/* The image's margin doubt, or NAN when it has none. */
static double
image_margin(const struct image_acc *im)
{
    size_t i, j, best = 0, best_n = 0;
    double sum = im->sum_m;

    if (im->n_models == 0)
        return NAN;
    /* The models without scores are measured against the top-1 most
     * models chose (the first such class on a tie). */
    for (i = 0; i < im->n_top1; i++) {
        size_t n = 0;

        for (j = 0; j < im->n_top1; j++)
            n += im->top1[j].cls == im->top1[i].cls;
        if (n > best_n) {
            best_n = n;
            best = i;
        }
    }
    for (i = 0; i < im->n_top1; i++)
        if (im->top1[i].unscored && im->top1[i].cls != im->top1[best].cls)
            sum += 1.0;
    return sum / im->n_models;
}

/* Called once per image with predictions, in image id order, with both
 * doubts (NAN: none under that order). */
typedef void (*doubt_fn)(void *ctx, int64_t id, double disagree,
                         double margin);

/* The one pass over the packed predictions (table pred, schema 8), in
 * its key order (image, model): each row is one model's ranked classes
 * of one image, decoded here (predpack.c) rather than through the view,
 * which would sort every prediction. 0, or -1 with `err` set. */
static int
doubt_pass(rl_store *s, doubt_fn fn, void *ctx, rl_err *err)
{
    static const char sql_pred[] =
        "SELECT p.image, p.preds, coalesce(i.label, 0)"
        " FROM pred p JOIN image i ON i.id = p.image"
        " ORDER BY p.image, p.model";
    struct image_acc im = { 0 };
    struct model_acc m;
    pred_item *items = NULL;
    size_t n_items = 0, cap_items = 0, k;
    sqlite3_stmt *st;
    int rc;

    if ((st = store_stmt(s, sql_pred, err)) == NULL)
        return -1;
    im.id = -1;
    for (;;) {
        int64_t id = 0, label = 0;

        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            label = sqlite3_column_int64(st, 2);
            if (predpack_decode(sqlite3_column_blob(st, 1),
                                (size_t)sqlite3_column_bytes(st, 1), &items,
                                &cap_items, &n_items, err) != 0) {
                rl_err_prefix(err, "ordering the queue: image %lld",
                              (long long)id);
                rc = SQLITE_CORRUPT;
                break;
            }
        }
        if (rc != SQLITE_ROW || id != im.id) {
            if (im.id >= 0 && im.n_models > 0)
                fn(ctx, im.id, image_disagree(&im), image_margin(&im));
            im.id = id;
            im.label = label;
            im.n_models = 0;
            im.sum_d = im.sum_m = 0;
            im.n_top1 = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        /* One row: one model's group, rank 1 first. */
        model_reset(&m);
        for (k = 0; k < n_items; k++)
            model_row(&m, (int)items[k].rank, items[k].cls,
                      items[k].has_score, items[k].score, label);
        model_end(&im, &m);
    }
    free(im.top1);
    free(items);
    sqlite3_reset(st);
    if (rc == SQLITE_CORRUPT)
        return -1;
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "ordering the queue");
        return -1;
    }
    return 0;
}

/* ---- the random order ------------------------------------------------
 *
 * random:SEED is a seeded permutation of the positions of the project's
 * images by name (the name order, N images): the image at name position
 * j comes at position rank(j) of the order, images without predictions
 * after the others, in name order. rank is a bijection of [0, 2^b), the
 * smallest b >= 16 with 2^b >= N: three rounds of xor with a key,
 * multiplication by an odd number and an xor-shift, all mod 2^b and each
 * invertible, keyed by splitmix64 of the seed; applied again while it
 * lands at or above N (cycle walking: a permutation of [0, N) again, in
 * under two steps on average past 2^16 images). So the queue in this
 * order is written position by position from the stored name order,
 * with no sort, and the same seed and images give the same order on
 * every machine. */
struct perm {
    uint64_t n;            /* positions: the images by name */
    uint64_t mask;         /* 2^b - 1 */
    int shift;             /* of the xor-shift: b / 2 + 1 */
    uint64_t key[3], mul[3];   /* each round's key and odd factor */
};

static void
perm_init(struct perm *p, uint64_t seed, uint64_t n)
{
    int bits = 16, i;

    while (bits < 62 && ((uint64_t)1 << bits) < n)
        bits++;
    p->n = n;
    p->mask = ((uint64_t)1 << bits) - 1;
    p->shift = bits / 2 + 1;
    for (i = 0; i < 3; i++) {
        p->key[i] = mix(seed ^ mix((uint64_t)(2 * i + 1)));
        p->mul[i] = mix(seed ^ mix((uint64_t)(2 * i + 2))) | 1;
    }
}

/* Position in the order of the image at name position j (< n). */
static uint64_t
perm_rank(const struct perm *p, uint64_t j)
{
    int i;

    do {
        for (i = 0; i < 3; i++) {
            j = ((j ^ p->key[i]) * p->mul[i]) & p->mask;
            j ^= j >> p->shift;
        }
    } while (j >= p->n);
    return j;
}

/* rl_order_doubt's arrays as the pass fills them. */
struct doubt_list {
    rl_order_kind kind;
    int64_t *ids;
    double *doubt;
    size_t n, cap, cap_d;
};

static void
doubt_add(void *ctx, int64_t id, double disagree, double margin)
{
    struct doubt_list *l = ctx;
    double d = l->kind == RL_ORDER_DISAGREE ? disagree
             : l->kind == RL_ORDER_MARGIN ? margin : 0.0;

    if (isnan(d))
        return;
    rl_grow(&l->ids, &l->cap, l->n + 1, sizeof *l->ids);
    rl_grow(&l->doubt, &l->cap_d, l->n + 1, sizeof *l->doubt);
    l->ids[l->n] = id;
    l->doubt[l->n] = d;
    l->n++;
}

/* The random order as doubts of l's images (ascending ids): 1 - (its
 * position + 1) / (N + 1), so the most doubtful comes first. One scan of
 * the name index and a sort of (id, name position) by id. */
static int
random_doubts(rl_store *s, uint64_t seed, struct doubt_list *l, rl_err *err)
{
    rl_queue q = { 0 };
    struct rl_qidx *ix;
    struct perm p;
    size_t i, j;

    if (queue_open_sql(s, "", &q, "SELECT id FROM image ORDER BY name", NULL,
                       err) != 0)
        return -1;
    perm_init(&p, seed, q.n);
    ix = queue_by_id(&q);
    for (i = j = 0; i < l->n && j < q.n;) {
        if (ix[j].id < l->ids[i]) {
            j++;
        } else if (ix[j].id > l->ids[i]) {
            l->doubt[i++] = 0;     /* cannot happen: foreign keys */
        } else {
            l->doubt[i++] = 1.0 - (double)(perm_rank(&p, ix[j].pos) + 1)
                                  / ((double)q.n + 1.0);
            j++;
        }
    }
    free(ix);
    rl_queue_free(&q);
    return 0;
}

int
rl_order_doubt(rl_store *s, const rl_order *o, int64_t **ids_out,
               double **doubt_out, size_t *n_out, rl_err *err)
{
    static const char sql_all[] =
        "SELECT DISTINCT image FROM prediction ORDER BY image";
    struct doubt_list l = { .kind = o->kind };
    sqlite3_stmt *st;
    int rc = SQLITE_DONE;

    *ids_out = NULL;
    *doubt_out = NULL;
    *n_out = 0;
    if (o->kind == RL_ORDER_NAME || o->kind == RL_ORDER_RANDOM) {
        if ((st = store_stmt(s, sql_all, err)) == NULL)
            return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            doubt_add(&l, sqlite3_column_int64(st, 0), 0, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            store_dberr(s, err, "ordering the queue");
        else if (o->kind == RL_ORDER_RANDOM
                 && random_doubts(s, o->seed, &l, err) != 0)
            rc = SQLITE_ERROR;
    } else if (doubt_pass(s, doubt_add, &l, err) != 0) {
        rc = SQLITE_ERROR;
    }
    if (rc != SQLITE_DONE) {
        free(l.ids);
        free(l.doubt);
        return -1;
    }
    *ids_out = l.ids;
    *doubt_out = l.doubt;
    *n_out = l.n;
    return 0;
}

/* Sort key of one queue position. */
struct key {
    double doubt;          /* NAN: none */
    size_t pos;            /* position before sorting */
};

/* The order of both sorts: the larger doubt first, NAN (none) last, then
 * the lower position. */
static int
doubt_cmp(double xd, size_t xp, double yd, size_t yp)
{
    bool nx = isnan(xd), ny = isnan(yd);

    if (nx != ny)
        return nx ? 1 : -1;
    if (!nx && xd != yd)
        return xd > yd ? -1 : 1;
    return (xp > yp) - (xp < yp);
}

static int
by_doubt(const void *a, const void *b)
{
    const struct key *x = a, *y = b;

    return doubt_cmp(x->doubt, x->pos, y->doubt, y->pos);
}

/* Sorts the n keys, k[i] the key of position i: most doubtful first,
 * NAN last, ties in position order. */
static void
sort_keys(struct key *k, size_t n)
{
    qsort(k, n, sizeof *k, by_doubt);
}

/* Puts q's items in the order of the sorted keys. */
static void
permute(rl_queue *q, const struct key *k)
{
    rl_qitem *sorted = rl_xcalloc(q->n, sizeof *sorted);
    size_t i;

    for (i = 0; i < q->n; i++)
        sorted[i] = q->items[k[i].pos];
    memcpy(q->items, sorted, q->n * sizeof *sorted);
    free(sorted);
    queue_moved(q);
}

int
rl_order_apply(rl_store *s, const rl_order *o, rl_queue *q, rl_err *err)
{
    int64_t *ids;
    double *doubt;
    size_t n, i, j;
    struct rl_qidx *ip;
    struct key *k;

    if (o->kind == RL_ORDER_NAME || q->n == 0)
        return 0;
    if (rl_order_doubt(s, o, &ids, &doubt, &n, err) != 0)
        return -1;
    ip = queue_by_id(q);
    k = rl_xcalloc(q->n, sizeof *k);
    for (i = 0; i < q->n; i++) {
        k[i].doubt = NAN;
        k[i].pos = i;
    }
    /* Both lists ascend by id: one merge walk gives each its doubt. */
    for (i = j = 0; i < q->n && j < n;) {
        if (ip[i].id < ids[j])
            i++;
        else if (ip[i].id > ids[j])
            j++;
        else
            k[ip[i++].pos].doubt = doubt[j];
    }
    sort_keys(k, q->n);
    permute(q, k);
    free(k);
    free(ip);
    free(ids);
    free(doubt);
    return 0;
}

/* ---- stored order keys ----------------------------------------------
 *
 * Table queue_ids holds every image's id in name, disagree and margin
 * order (ties and images without a doubt in name order) as one blob each,
 * so a whole queue is one read (milliseconds at a million), and the ids
 * of the images without predictions (the random order puts them last) as
 * a fourth, 'unpredicted'; a reviewer's assigned images are an order's
 * blob filtered to them. Since schema 9 each id is an unsigned LEB128
 * varint (7 bits a byte, low first, the high bit set on all but an id's
 * last byte; 3 bytes an id up to 2,097,151 instead of 8), and the table
 * queue_key of schema 6 (each image's position in each order) is gone.
 * meta 'queue_key' holds the stamp of the data the keys were computed
 * from; another stamp means they are stale. */

/* The stamp of what the keys depend on: the predictions import's
 * generation and the newest image id (images are never deleted nor
 * renamed, so a new image raises it; labels change only through the
 * labels import, which recomputes the keys). Two lookups, no scan. New
 * string; the caller frees. */
static char *
keys_stamp(rl_store *s)
{
    char *gen = rl_store_meta_get(s, "predictions_gen");
    char buf[96];

    snprintf(buf, sizeof buf, "%s/%lld", gen != NULL ? gen : "0",
             (long long)store_int(s, "SELECT coalesce(max(id), 0) FROM"
                                  " image", -1));
    free(gen);
    return rl_xstrdup(buf);
}

/* Whether the stored keys match the data. */
static bool
keys_fresh(rl_store *s)
{
    char *now = keys_stamp(s), *was = rl_store_meta_get(s, "queue_key");
    bool fresh = was != NULL && strcmp(now, was) == 0;

    free(now);
    free(was);
    return fresh;
}

/* Appends id `v` to `b` as a varint; returns the bytes written (1-10). */
static size_t
varint_put(unsigned char *b, uint64_t v)
{
    size_t k = 0;

    while (v >= 0x80) {
        b[k++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[k++] = (unsigned char)v;
    return k;
}

/* The ids of blob `b` (`size` bytes of varints) into a new array the
 * caller frees, their count in *n; NULL (and *n 0) when there are none.
 * A truncated last id or one longer than 10 bytes ends the list. */
static int64_t *
ids_decode(const unsigned char *b, size_t size, size_t *n)
{
    int64_t *ids;
    size_t i, k = 0, cnt = 0;

    for (i = 0; i < size; i++)
        cnt += !(b[i] & 0x80);
    *n = 0;
    if (cnt == 0)
        return NULL;
    ids = rl_xcalloc(cnt, sizeof *ids);
    for (i = 0; i < size && k < cnt;) {
        uint64_t v = 0;
        int shift = 0;

        while (i < size && b[i] & 0x80 && shift < 63) {
            v |= (uint64_t)(b[i++] & 0x7f) << shift;
            shift += 7;
        }
        if (i == size || b[i] & 0x80)
            break;
        v |= (uint64_t)b[i++] << shift;
        ids[k++] = (int64_t)v;
    }
    *n = k;
    return ids;
}

/* Every image by name: the name order, and every order's ties. */
static const char SQL_BY_NAME[] = "SELECT id FROM image ORDER BY name";

/* An order's ids as they are encoded (varints), grown as they come. */
struct idblob {
    unsigned char *b;
    size_t len, cap;
};

static void
idblob_add(struct idblob *ib, int64_t id)
{
    rl_grow(&ib->b, &ib->cap, ib->len + 10, 1);
    ib->len += varint_put(ib->b + ib->len, (uint64_t)id);
}

/* Stores `ib` as order `ord` and empties it. 0, or -1 with `err` set. */
static int
put_blob(rl_store *s, const char *ord, struct idblob *ib, rl_err *err)
{
    static const char sql[] = "INSERT INTO queue_ids(ord, ids) VALUES (?, ?)";
    sqlite3_stmt *st;
    int rc;

    if ((st = store_stmt(s, sql, err)) == NULL)
        return -1;
    sqlite3_bind_text(st, 1, ord, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 2, ib->b != NULL ? (const void *)ib->b : "",
                        (sqlite3_uint64)ib->len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(ib->b);
    *ib = (struct idblob){ 0 };
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "storing the queue orders");
        return -1;
    }
    return 0;
}

/* Stores the ids the query `sql` returns (column 0, on its own statement:
 * the cache may be in use) as order `ord`; with `ins`, each row's id and
 * its row number (from 0) are also given to it (?1, ?2). 0, or -1 with
 * `err` set. */
static int
put_query(rl_store *s, const char *ord, const char *sql, sqlite3_stmt *ins,
          rl_err *err)
{
    struct idblob ib = { 0 };
    sqlite3_stmt *st;
    int64_t row = 0;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "ordering the queue");
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);

        idblob_add(&ib, id);
        if (ins != NULL) {
            sqlite3_bind_int64(ins, 1, id);
            sqlite3_bind_int64(ins, 2, row++);
            rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc != SQLITE_DONE)
                break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(ib.b);
        store_dberr(s, err, "ordering the queue");
        return -1;
    }
    return put_blob(s, ord, &ib, err);
}

/* Stores the `n` ids of `ids` as order `ord`. 0, or -1 with `err` set. */
static int
put_ids(rl_store *s, const char *ord, const int64_t *ids, size_t n,
        rl_err *err)
{
    struct idblob ib = { 0 };
    size_t i;

    for (i = 0; i < n; i++)
        idblob_add(&ib, ids[i]);
    return put_blob(s, ord, &ib, err);
}

int
order_unpredicted_from_keys(rl_store *s, rl_err *err)
{
    if (!store_int(s, "SELECT EXISTS (SELECT 1 FROM queue_ids)", 0)
        || !store_int(s, "SELECT EXISTS (SELECT 1 FROM sqlite_schema"
                      " WHERE name = 'queue_key')", 0))
        return 0;                  /* no keys yet: computed when needed */
    /* By the partial index of the images without predictions. */
    return put_query(s, "unpredicted", "SELECT i.id FROM queue_key k"
                     " CROSS JOIN image i ON i.id = k.image"
                     " WHERE NOT k.predicted ORDER BY i.name", NULL, err);
}

int
order_ids_recode(rl_store *s, rl_err *err)
{
    sqlite3_stmt *st = NULL, *up = NULL;
    int rc = SQLITE_ERROR;

    /* Its own statements: the migration runs before anything is cached,
     * and the cache may evict a statement in use. */
    if (sqlite3_prepare_v2(s->db, "SELECT ord, ids FROM queue_ids", -1, &st,
                           NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db, "UPDATE queue_ids SET ids = ?2"
                              " WHERE ord = ?1", -1, &up, NULL) != SQLITE_OK)
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *old = sqlite3_column_blob(st, 1);
        size_t n = (size_t)sqlite3_column_bytes(st, 1) / 8, i, len = 0;
        unsigned char *b = rl_xmalloc(n * 10 + 1);
        int c;

        for (i = 0; i < n; i++) {
            uint64_t v = 0;

            for (c = 7; c >= 0; c--)
                v = v << 8 | old[i * 8 + (size_t)c];
            len += varint_put(b + len, v);
        }
        sqlite3_bind_text(up, 1, (const char *)sqlite3_column_text(st, 0),
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob64(up, 2, b, (sqlite3_uint64)len, free);
        if (sqlite3_step(up) != SQLITE_DONE)
            break;
        sqlite3_reset(up);
    }
out:
    if (rc != SQLITE_DONE)
        store_dberr(s, err, "recoding the queue orders");
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Puts ids at their positions of a permutation without a write to a
 * random place of the whole queue per id (a cache miss each: most of a
 * second at a million): the (position, id) pairs go first to about 1024
 * runs by position (the run of each is known: the positions are 0 .. n-1
 * once each), then each run to its part of the queue, a window small
 * enough for the cache. 16 bytes an id meanwhile. */
struct scatter {
    struct { uint64_t pos; int64_t id; } *pair;
    size_t *next;          /* per run: where its next pair goes */
    int shift;             /* run of position p: p >> shift */
};

static void
scatter_put(struct scatter *sc, uint64_t pos, int64_t id, size_t n)
{
    size_t r;

    if (sc->pair == NULL) {
        size_t runs, k;

        while ((n - 1) >> sc->shift >= 1024)
            sc->shift++;
        runs = ((n - 1) >> sc->shift) + 1;
        sc->pair = rl_xcalloc(n, sizeof *sc->pair);
        sc->next = rl_xcalloc(runs, sizeof *sc->next);
        for (k = 0; k < runs; k++)
            sc->next[k] = k << sc->shift;
    }
    r = sc->next[pos >> sc->shift]++;
    sc->pair[r].pos = pos;
    sc->pair[r].id = id;
}

static void
scatter_end(struct scatter *sc, rl_qitem *items, size_t n)
{
    size_t i;

    for (i = 0; sc->pair != NULL && i < n; i++)
        items[sc->pair[i].pos].id = sc->pair[i].id;
    free(sc->pair);
    free(sc->next);
}

static int
by_id64(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return (*x > *y) - (*x < *y);
}

/* The ids of stored order `ord` into *ids (a new array the caller frees;
 * NULL when empty), their count in *n: 0; 1 when there is no such blob;
 * -1 with `err` set. */
static int
read_blob(rl_store *s, const char *ord, int64_t **ids, size_t *n,
          rl_err *err)
{
    static const char sql_ids[] = "SELECT ids FROM queue_ids WHERE ord = ?1";
    sqlite3_stmt *st;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((st = store_stmt(s, sql_ids, err)) == NULL)
        return -1;
    sqlite3_bind_text(st, 1, ord, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return 1;
        store_dberr(s, err, "loading the queue");
        return -1;
    }
    *ids = ids_decode(sqlite3_column_blob(st, 0),
                      (size_t)sqlite3_column_bytes(st, 0), n);
    sqlite3_reset(st);
    return 0;
}

/* Opens q as the stored blob of order `ord`, or with `seed` given, its
 * entries in the random order of that seed (entry j at position
 * perm_rank(j)): 0; 1 when that does not apply (the reviewer has
 * assigned images, or no blob); -1 with `err`. */
static int
open_blob(rl_store *s, const char *reviewer, const char *ord,
          const uint64_t *seed, rl_queue *q, rl_err *err)
{
    struct scatter sc = { 0 };
    struct perm p;
    int64_t *ids;
    bool assigned;
    size_t n, i;
    int rc;

    if (queue_assigned(s, reviewer, &assigned, err) != 0)
        return -1;
    if (assigned)
        return 1;
    queue_reset(s, reviewer, q);
    if ((rc = read_blob(s, ord, &ids, &n, err)) != 0)
        return rc;
    if (n > 0) {
        /* The exact size: no growth slack at a million images. */
        free(q->items);
        q->items = rl_xcalloc(n, sizeof *q->items);
        q->cap = n;
    }
    if (seed != NULL)
        perm_init(&p, *seed, n);
    for (i = 0; i < n; i++) {
        if (seed == NULL)
            q->items[i].id = ids[i];
        else
            scatter_put(&sc, perm_rank(&p, i), ids[i], n);
    }
    if (seed != NULL)
        scatter_end(&sc, q->items, n);
    q->n = n;
    free(ids);
    return 0;
}

/* A reviewer's assigned images in stored order `ord`: the blob read
 * whole (a few MB at a million images) and kept where the image is one
 * of theirs. 0; 1 when there is no blob; -1 with `err` set. */
static int
open_assigned(rl_store *s, const char *reviewer, const char *ord,
              rl_queue *q, rl_err *err)
{
    static const char sql[] =
        "SELECT image FROM assignment WHERE reviewer = ?1 ORDER BY image";
    int64_t *ids, *mine = NULL;
    size_t n, n_mine = 0, cap = 0, i;
    sqlite3_stmt *st;
    int rc;

    queue_reset(s, reviewer, q);
    if ((rc = read_blob(s, ord, &ids, &n, err)) != 0)
        return rc;
    if ((st = store_stmt(s, sql, err)) == NULL) {
        free(ids);
        return -1;
    }
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rl_grow(&mine, &cap, n_mine + 1, sizeof *mine);
        mine[n_mine++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "loading the queue");
        free(ids);
        free(mine);
        return -1;
    }
    free(q->items);
    q->items = rl_xcalloc(n_mine + 1, sizeof *q->items);
    q->cap = n_mine + 1;
    for (i = 0; i < n && q->n < n_mine; i++)
        if (bsearch(&ids[i], mine, n_mine, sizeof *mine, by_id64) != NULL)
            q->items[q->n++].id = ids[i];
    free(ids);
    free(mine);
    return 0;
}

/* ---- the keys in memory (up to RL_KEYS_MEM_IMAGES images) ----------
 *
 * The fast way while it fits: qsorts in memory. Past the limit the keys
 * go through SQLite's TEMP tables (keys_update_sql), in memory that does
 * not grow; both store the same bytes (test_order). */

/* What keys_update_mem keeps per image, by id order j (the ids ascend,
 * as the doubt pass does): about 60 bytes an image at the peak (77 MB at
 * 1.28M images), freed as soon as each order is stored. */
struct key_fill {
    int64_t *ids;              /* every image id, ascending */
    size_t n, at;              /* images; next j to look at */
    uint32_t *name_pos;        /* j -> position in name order */
    struct okey *kd, *km;      /* j -> disagree / margin sort key */
    bool *predicted;           /* j -> has predictions */
};

/* A sort key: doubt first, then the name position (ties). */
struct okey {
    double doubt;              /* NAN: none, last */
    uint32_t pos;              /* name position */
    uint32_t j;                /* the image, by id order */
};

static int
by_okey(const void *a, const void *b)
{
    const struct okey *x = a, *y = b;

    return doubt_cmp(x->doubt, x->pos, y->doubt, y->pos);
}

static void
key_add(void *ctx, int64_t id, double disagree, double margin)
{
    struct key_fill *f = ctx;

    while (f->at < f->n && f->ids[f->at] < id)
        f->at++;
    if (f->at == f->n || f->ids[f->at] != id)
        return;                    /* cannot happen: foreign keys */
    f->kd[f->at].doubt = disagree;
    f->km[f->at].doubt = margin;
    f->predicted[f->at] = true;
}

/* Stores ids[k[i].j] for the `n` keys of `k` as order `ord`. 0, or -1
 * with `err` set. */
static int
put_keyed(rl_store *s, const char *ord, const int64_t *ids,
          const struct okey *k, size_t n, rl_err *err)
{
    struct idblob ib = { 0 };
    size_t i;

    rl_grow(&ib.b, &ib.cap, n * 3 + 10, 1);
    for (i = 0; i < n; i++)
        idblob_add(&ib, ids[k[i].j]);
    return put_blob(s, ord, &ib, err);
}

/* The j (id order) of image `id` in the ascending ids; n if none. */
static size_t
id_index(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? lo : n;
}

/* Every image id in name order, `n` of them, into *out (malloc'd for
 * `hint` ids, grown past them; the caller frees, also on failure). 0, or
 * -1 with `err` set. */
static int
name_order(rl_store *s, size_t hint, int64_t **out, size_t *n, rl_err *err)
{
    size_t cap = hint + 1;
    sqlite3_stmt *st;
    int rc;

    *n = 0;
    *out = rl_xcalloc(cap, sizeof **out);
    if ((st = store_stmt(s, SQL_BY_NAME, err)) == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rl_grow(out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "ordering the queue");
        return -1;
    }
    return 0;
}

/* Fills f->ids (ascending) and f->name_pos, and stores the name order
 * (its ids, read once, in a buffer freed here). 0, or -1 with `err`. */
static int
keys_names(rl_store *s, struct key_fill *f, rl_err *err)
{
    static const char sql_n[] = "SELECT count(*) FROM image";
    static const char sql_ids[] = "SELECT id FROM image ORDER BY id";
    int64_t *by_name;
    sqlite3_stmt *st;
    size_t i = 0, n, n_name;
    int rc = SQLITE_DONE;

    n = (size_t)store_int(s, sql_n, 0);
    f->ids = rl_xcalloc(n + 1, sizeof *f->ids);
    f->name_pos = rl_xcalloc(n + 1, sizeof *f->name_pos);
    if ((st = store_stmt(s, sql_ids, err)) == NULL)
        return -1;
    while (i < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
        f->ids[i++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    f->n = i;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_dberr(s, err, "ordering the queue");
        return -1;
    }
    if (name_order(s, f->n, &by_name, &n_name, err) != 0) {
        free(by_name);
        return -1;
    }
    for (i = 0; i < n_name; i++) {
        size_t j = id_index(f->ids, f->n, by_name[i]);

        if (j < f->n)
            f->name_pos[j] = (uint32_t)i;
    }
    rc = put_ids(s, "name", by_name, n_name, err);
    free(by_name);
    return rc;
}

/* Sorts `k` (by j on entry) and stores that order's blob. 0, or -1 with
 * `err` set. */
static int
keys_order(rl_store *s, const char *ord, struct key_fill *f,
           struct okey *k, rl_err *err)
{
    qsort(k, f->n, sizeof *k, by_okey);
    return put_keyed(s, ord, f->ids, k, f->n, err);
}

/* The images without predictions (j with !f->predicted), in name order,
 * stored as the blob 'unpredicted' (the random order puts them last;
 * a handful in a predicted project). `k` holds each j's name position.
 * 0, or -1 with `err` set. */
static int
keys_unpredicted(rl_store *s, const struct key_fill *f, const struct okey *k,
                 rl_err *err)
{
    struct okey *u = NULL;
    size_t i, m = 0, cap = 0;
    int rc;

    for (i = 0; i < f->n; i++)
        if (!f->predicted[i]) {
            rl_grow(&u, &cap, m + 1, sizeof *u);
            u[m++] = (struct okey){ NAN, k[i].pos, (uint32_t)i };
        }
    if (m > 1)
        qsort(u, m, sizeof *u, by_okey);   /* no doubt: by name position */
    rc = put_keyed(s, "unpredicted", f->ids, u, m, err);
    free(u);
    return rc;
}

static int
keys_update_mem(rl_store *s, rl_err *err)
{
    struct key_fill f = { 0 };
    size_t i;
    int rc = -1;

    /* Every image by name: the positions ties and the rest keep. */
    if (keys_names(s, &f, err) != 0)
        goto out;
    f.kd = rl_xcalloc(f.n + 1, sizeof *f.kd);
    f.km = rl_xcalloc(f.n + 1, sizeof *f.km);
    f.predicted = rl_xcalloc(f.n + 1, sizeof *f.predicted);
    for (i = 0; i < f.n; i++) {
        f.kd[i] = (struct okey){ NAN, f.name_pos[i], (uint32_t)i };
        f.km[i] = f.kd[i];
    }
    free(f.name_pos);
    f.name_pos = NULL;
    if (doubt_pass(s, key_add, &f, err) != 0)
        goto out;
    if (keys_unpredicted(s, &f, f.kd, err) != 0)
        goto out;
    free(f.predicted);
    f.predicted = NULL;
    if (keys_order(s, "disagree", &f, f.kd, err) != 0)
        goto out;
    free(f.kd);
    f.kd = NULL;
    if (keys_order(s, "margin", &f, f.km, err) != 0)
        goto out;
    rc = 0;
out:
    free(f.ids);
    free(f.name_pos);
    free(f.kd);
    free(f.km);
    free(f.predicted);
    return rc;
}

/* The keys are computed in SQLite's TEMP tables, so that their memory
 * does not grow with the project (the queue blobs aside, 3-4 bytes an
 * image each, one at a time): keys_pos holds each image's place in name
 * order (the ties' order), appended as the name index is read; the doubt
 * pass appends each predicted image's two doubts to keys_doubt in id
 * order; each order is then one sorted query of the two, SQLite's sorter
 * spilling to its temporary file past its cache. An image without
 * predictions has no keys_doubt row: its doubts are none. */
static const char SQL_KEYS_TEMP[] =
    "DROP TABLE IF EXISTS temp.keys_pos;"
    "DROP TABLE IF EXISTS temp.keys_doubt;"
    "CREATE TEMP TABLE keys_pos(pos INTEGER PRIMARY KEY, id INTEGER);"
    "CREATE TEMP TABLE keys_doubt(id INTEGER PRIMARY KEY, d REAL, m REAL);";
/* doubt_cmp's order: the larger doubt first, none (NULL: NAN is stored
 * as NULL) last, then the name position. */
#define SQL_KEYS_BY(col) \
    "SELECT p.id FROM temp.keys_pos p LEFT JOIN temp.keys_doubt k" \
    " ON k.id = p.id ORDER BY k." col " IS NULL, k." col " DESC, p.pos"

struct key_sink {
    sqlite3_stmt *ins;
    int rc;                        /* SQLITE_DONE while all is well */
};

static void
key_put(void *ctx, int64_t id, double disagree, double margin)
{
    struct key_sink *k = ctx;

    if (k->rc != SQLITE_DONE)
        return;
    sqlite3_bind_int64(k->ins, 1, id);
    if (isnan(disagree))
        sqlite3_bind_null(k->ins, 2);
    else
        sqlite3_bind_double(k->ins, 2, disagree);
    if (isnan(margin))
        sqlite3_bind_null(k->ins, 3);
    else
        sqlite3_bind_double(k->ins, 3, margin);
    k->rc = sqlite3_step(k->ins);
    sqlite3_reset(k->ins);
}

static int
keys_update_sql(rl_store *s, rl_err *err)
{
    struct key_sink k = { NULL, SQLITE_DONE };
    sqlite3_stmt *pos = NULL;
    bool temp = false;
    int rc = -1;

    if (store_exec(s, SQL_KEYS_TEMP, err) != 0)
        goto out;
    temp = true;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO temp.keys_pos(id, pos)"
                           " VALUES (?1, ?2)", -1, &pos, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db, "INSERT INTO temp.keys_doubt(id, d, m)"
                              " VALUES (?1, ?2, ?3)", -1, &k.ins, NULL)
           != SQLITE_OK) {
        store_dberr(s, err, "ordering the queue");
        goto out;
    }
    /* Every image by name: the positions ties and the rest keep. */
    if (put_query(s, "name", SQL_BY_NAME, pos, err) != 0)
        goto out;
    if (doubt_pass(s, key_put, &k, err) != 0)
        goto out;
    if (k.rc != SQLITE_DONE) {
        store_dberr(s, err, "ordering the queue");
        goto out;
    }
    if (put_query(s, "disagree", SQL_KEYS_BY("d"), NULL, err) != 0
        || put_query(s, "margin", SQL_KEYS_BY("m"), NULL, err) != 0
        || put_query(s, "unpredicted", "SELECT p.id FROM temp.keys_pos p"
                     " WHERE NOT EXISTS (SELECT 1 FROM temp.keys_doubt k"
                     " WHERE k.id = p.id) ORDER BY p.pos", NULL, err) != 0)
        goto out;
    rc = 0;
out:
    sqlite3_finalize(pos);
    sqlite3_finalize(k.ins);
    if (temp)
        (void)store_exec(s, "DROP TABLE IF EXISTS temp.keys_pos;"
                         " DROP TABLE IF EXISTS temp.keys_doubt", NULL);
    return rc;
}

/* Without predictions every order is name order: the keys are the name
 * blob alone. Writes them, in the caller's transaction. */
static int
keys_names_only(rl_store *s, const char *stamp, rl_err *err)
{
    if (store_exec(s, "DELETE FROM queue_ids", err) != 0
        || put_query(s, "name", SQL_BY_NAME, NULL, err) != 0)
        return -1;
    return rl_store_meta_set(s, "queue_key", stamp, err);
}

static int64_t keys_mem_images = RL_KEYS_MEM_IMAGES;

void
order_keys_mem_limit(int64_t images)
{
    keys_mem_images = images >= 0 ? images : RL_KEYS_MEM_IMAGES;
}

int
rl_order_keys_update(rl_store *s, rl_err *err)
{
    char *stamp = NULL;
    int rc = -1;

    if (rl_store_begin(s, err) != 0)
        return -1;
    stamp = keys_stamp(s);
    /* Without predictions every order is name order: no keys needed. */
    if (!store_int(s, "SELECT EXISTS (SELECT 1 FROM pred)", 1))
        rc = keys_names_only(s, stamp, err);
    else if (store_exec(s, "DELETE FROM queue_ids", err) == 0
             && (store_int(s, "SELECT count(*) FROM image", 0)
                 <= keys_mem_images ? keys_update_mem(s, err)
                 : keys_update_sql(s, err)) == 0)
        rc = rl_store_meta_set(s, "queue_key", stamp, err);
    free(stamp);
    return rl_store_end(s, rc, err);
}

int
rl_order_keys_labels(rl_store *s, bool doubts_changed, rl_err *err)
{
    /* No new image, no doubt moved: nothing to write, so no transaction
     * (after a migration, no wait for the quick check either). The
     * stamp and the keys change together: read apart, a commit between
     * them shows stale keys, never fresh ones that are not. */
    if (!doubts_changed && keys_fresh(s))
        return 0;
    return rl_order_keys_update(s, err);
}

int
order_keys_after_migration(rl_store *s, rl_err *err)
{
    return rl_order_keys_labels(s, false, err);
}

/* The random order from the stored keys: the name blob written through
 * the seed's permutation (no sort of the queue), then the images without
 * predictions (their blob: a handful) moved last, in name order. For
 * assigned images (or without a blob) the full computation. */
static int
open_random(rl_store *s, const char *reviewer, const rl_order *o,
            rl_queue *q, rl_err *err)
{
    int64_t *none = NULL, *by_id = NULL;
    size_t n_none = 0, i, k;
    int rc;

    if ((rc = open_blob(s, reviewer, "name", &o->seed, q, err)) != 0)
        return rc < 0 ? -1 : rl_queue_open(s, reviewer, q, err) != 0 ? -1
               : rl_order_apply(s, o, q, err);
    if ((rc = read_blob(s, "unpredicted", &none, &n_none, err)) < 0)
        return -1;
    if (rc > 0)                    /* keys of an older relabel: recompute */
        return rl_queue_open(s, reviewer, q, err) != 0 ? -1
               : rl_order_apply(s, o, q, err);
    if (n_none == 0) {
        free(none);
        return 0;
    }
    by_id = rl_xcalloc(n_none, sizeof *by_id);
    memcpy(by_id, none, n_none * sizeof *by_id);
    qsort(by_id, n_none, sizeof *by_id, by_id64);
    for (i = k = 0; i < q->n; i++)
        if (bsearch(&q->items[i].id, by_id, n_none, sizeof *by_id, by_id64)
            == NULL)
            q->items[k++].id = q->items[i].id;
    for (i = 0; i < n_none && k < q->n; i++)
        q->items[k++].id = none[i];
    free(by_id);
    free(none);
    return 0;
}

/* The queue by name: the stored blob when the keys are fresh, else (or
 * for assigned images, or when the blob cannot be read) one scan of the
 * name index. */
static int
open_name(rl_store *s, const char *reviewer, bool fresh, rl_queue *q,
          rl_err *err)
{
    return fresh && open_blob(s, reviewer, "name", NULL, q, err) == 0 ? 0
           : rl_queue_open(s, reviewer, q, err);
}

int
rl_order_open(rl_store *s, const char *reviewer, const rl_order *o,
              rl_queue *q, rl_err *err)
{
    static const char *const blob[RL_ORDER_COUNT] = {
        [RL_ORDER_DISAGREE] = "disagree", [RL_ORDER_MARGIN] = "margin",
    };
    bool fresh = keys_fresh(s);
    rl_order_kind kind = o->kind;
    rl_err e;
    int rc;

    /* Without predictions every order is name order. */
    if (!store_int(s, "SELECT EXISTS (SELECT 1 FROM prediction)", 1))
        kind = RL_ORDER_NAME;
    if (kind == RL_ORDER_NAME)
        return open_name(s, reviewer, fresh, q, err);
    /* Stale keys (a migrated project, or images written another way
     * than the imports) are computed once; when that cannot be done, the
     * full computation orders this queue. */
    if (!fresh && rl_order_keys_update(s, &e) != 0)
        return rl_queue_open(s, reviewer, q, err) != 0 ? -1
               : rl_order_apply(s, o, q, err);
    if (kind == RL_ORDER_RANDOM)
        return open_random(s, reviewer, o, q, err);
    if ((rc = open_blob(s, reviewer, blob[kind], NULL, q, err)) <= 0
        || (rc = open_assigned(s, reviewer, blob[kind], q, err)) <= 0)
        return rc;
    return rl_queue_open(s, reviewer, q, err) != 0 ? -1
           : rl_order_apply(s, o, q, err);
}
