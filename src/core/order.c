/* order.c - queue orders by doubt (see order.h for the definitions).
 *
 * One pass over the prediction table in its primary-key order (image,
 * model, rank): rows of one (image, model) arrive together, rank 1 first,
 * so each model's top-1, top-2 and the original label's rank and score
 * are known when its group ends, and each image's doubt when the image
 * changes. Nothing but the per-image results is kept in memory. */
#include "relabel/order.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
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

/* One image's models. */
struct image_acc {
    int64_t id, label;     /* label 0: none */
    int n_models;
    double sum;            /* disagree: sum of d_m; margin: of scored terms */
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
model_end(rl_order_kind kind, struct image_acc *im, const struct model_acc *m)
{
    if (m->best_rank == 0)
        return;
    im->n_models++;
    if (kind == RL_ORDER_DISAGREE) {
        if (m->n_scores > 0)
            im->sum += 1.0 - clamp01(m->label_score);
        else
            im->sum += m->label_rank > 0 ? 1.0 - 1.0 / m->label_rank : 1.0;
    } else if (kind == RL_ORDER_MARGIN) {
        if (m->n_scores > 0)
            im->sum += 1.0 - clamp01(m->s1 - (m->n_rows > 1 ? m->s2 : 0));
        rl_grow(&im->top1, &im->cap_top1, im->n_top1 + 1,
                sizeof *im->top1);
        im->top1[im->n_top1].cls = m->top1;
        im->top1[im->n_top1].unscored = m->n_scores == 0;
        im->n_top1++;
    }
}

/* The image's doubt under `kind`, or NAN when it has none. */
static double
image_doubt(rl_order_kind kind, struct image_acc *im)
{
    size_t i, j, best = 0, best_n = 0;

    if (im->n_models == 0)
        return NAN;
    if (kind == RL_ORDER_DISAGREE)
        return im->label > 0 ? im->sum / im->n_models : NAN;
    /* margin: the models without scores are measured against the top-1
     * most models chose (the first such class on a tie). */
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
            im->sum += 1.0;
    return im->sum / im->n_models;
}

int
rl_order_doubt(rl_store *s, const rl_order *o, int64_t **ids_out,
               double **doubt_out, size_t *n_out, rl_err *err)
{
    static const char sql_pred[] =
        "SELECT p.image, p.model, p.rank, p.class, p.score,"
        " coalesce(i.label, 0)"
        " FROM prediction p JOIN image i ON i.id = p.image"
        " ORDER BY p.image, p.model, p.rank";
    static const char sql_all[] =
        "SELECT DISTINCT image FROM prediction ORDER BY image";
    int64_t *ids = NULL;
    double *doubt = NULL;
    size_t n = 0, cap = 0, cap_d = 0;
    struct image_acc im = { 0 };
    struct model_acc m;
    int64_t model = -1;
    sqlite3_stmt *st;
    int rc;

    *ids_out = NULL;
    *doubt_out = NULL;
    *n_out = 0;
    if (o->kind == RL_ORDER_NAME || o->kind == RL_ORDER_RANDOM) {
        if ((st = store_stmt(s, sql_all, err)) == NULL)
            return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);

            rl_grow(&ids, &cap, n + 1, sizeof *ids);
            rl_grow(&doubt, &cap_d, n + 1, sizeof *doubt);
            ids[n] = id;
            /* 53 random bits in [0, 1). */
            doubt[n] = o->kind == RL_ORDER_NAME ? 0.0
                : (double)(mix(o->seed ^ mix((uint64_t)id)) >> 11)
                  / 9007199254740992.0;
            n++;
        }
        goto done;
    }
    if ((st = store_stmt(s, sql_pred, err)) == NULL)
        return -1;
    model_reset(&m);
    im.id = -1;
    for (;;) {
        int64_t id = 0, mo = 0, cls = 0, label = 0;
        int rank = 0;
        bool has_score = false;
        double score = 0;

        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            mo = sqlite3_column_int64(st, 1);
            rank = sqlite3_column_int(st, 2);
            cls = sqlite3_column_int64(st, 3);
            has_score = sqlite3_column_type(st, 4) != SQLITE_NULL;
            score = sqlite3_column_double(st, 4);
            label = sqlite3_column_int64(st, 5);
        }
        /* A group ends when the model, the image or the rows change. */
        if (rc != SQLITE_ROW || id != im.id || mo != model) {
            model_end(o->kind, &im, &m);
            model_reset(&m);
            model = mo;
        }
        if (rc != SQLITE_ROW || id != im.id) {
            if (im.id >= 0) {
                double d = image_doubt(o->kind, &im);

                if (!isnan(d)) {
                    rl_grow(&ids, &cap, n + 1, sizeof *ids);
                    rl_grow(&doubt, &cap_d, n + 1, sizeof *doubt);
                    ids[n] = im.id;
                    doubt[n] = d;
                    n++;
                }
            }
            im.id = id;
            im.label = label;
            im.n_models = 0;
            im.sum = 0;
            im.n_top1 = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        model_row(&m, rank, cls, has_score, score, label);
    }
    free(im.top1);
done:
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "ordering the queue");
        free(ids);
        free(doubt);
        return -1;
    }
    *ids_out = ids;
    *doubt_out = doubt;
    *n_out = n;
    return 0;
}

/* Sort key of one queue position. */
struct key {
    double doubt;          /* NAN: none */
    size_t pos;            /* position before sorting */
};

static int
by_doubt(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    bool nx = isnan(x->doubt), ny = isnan(y->doubt);

    if (nx != ny)
        return nx ? 1 : -1;
    if (!nx && x->doubt != y->doubt)
        return x->doubt > y->doubt ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}


int
rl_order_apply(rl_store *s, const rl_order *o, rl_queue *q, rl_err *err)
{
    int64_t *ids;
    double *doubt;
    size_t n, i, j;
    struct rl_qidx *ip;
    struct key *k;
    rl_qitem *sorted;

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
    qsort(k, q->n, sizeof *k, by_doubt);
    sorted = rl_xcalloc(q->n, sizeof *sorted);
    for (i = 0; i < q->n; i++)
        sorted[i] = q->items[k[i].pos];
    memcpy(q->items, sorted, q->n * sizeof *sorted);
    free(q->by_id);            /* positions moved: rebuilt when needed */
    q->by_id = NULL;
    free(sorted);
    free(k);
    free(ip);
    free(ids);
    free(doubt);
    return 0;
}
