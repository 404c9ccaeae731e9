/* bench_queue.c - how well each queue order puts label errors first, as
 * label-error studies measure it (Northcutt et al. 2021, confident
 * learning): a seeded synthetic project in which a known 5% of the
 * original labels were replaced by a confusable class, and noisy models
 * that predict from the TRUE class with scores.
 *
 * The synthetic project, exactly:
 *   - N images (--images, default 20000) named syn_0000001.JPEG...,
 *     each with a true class drawn uniformly from the 1000 classes;
 *     xoshiro-free splitmix64 generator, seed --seed (default 2026).
 *   - The confusable classes of a class c: the other classes below c's
 *     nearest hypernym (first parent, then its first parent, ...) that
 *     has any other class below it - its WordNet siblings or cousins.
 *   - Noise: exactly round(N/20) images, chosen by the seeded shuffle,
 *     get as original label a random confusable class of their true
 *     class; the others keep the true class.
 *   - Five models with top-1 accuracy 0.55, 0.65, 0.72, 0.78 and 0.85.
 *     For each image a model's top-1 is the true class with that
 *     probability; otherwise, with probability 0.7, a random confusable
 *     class of the true class, else a uniformly random class. Its top-5
 *     follow: the true class second (when the top-1 is wrong) with
 *     probability 0.6, then confusable classes, then random ones, no
 *     class twice. Scores: the top-1 gets U(0.45, 0.99) when right and
 *     U(0.25, 0.70) when wrong; each next rank gets U(0.3, 0.6) of the
 *     mass left. With --no-scores the score column is left out (ranks
 *     only).
 * For each order it reports the share of the replaced labels found in
 * the first 10% and 25% of the queue (queue_recall_<order>_10, _25; a
 * random order expects 0.10 and 0.25) and the time to compute the order
 * (queue_order_<order>_ms). */
#include "bench/bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/order.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"

static uint64_t rng_state;

static uint64_t
rng(void)
{
    uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Uniform in [0, 1). */
static double
unif(void)
{
    return (double)(rng() >> 11) / 9007199254740992.0;
}

static size_t
below(size_t n)
{
    return (size_t)(unif() * (double)n);
}

/* Class indices (0..999) at or below catalog node `pos`, appended. */
static void
leaves(const rl_catalog *c, size_t pos, int *out, size_t *n, size_t cap)
{
    const rl_class *k = rl_catalog_at(c, pos);
    size_t i;

    if (k->idx >= 0) {
        for (i = 0; i < *n; i++)
            if (out[i] == k->idx)
                return;
        if (*n < cap)
            out[(*n)++] = k->idx;
        return;
    }
    for (i = 0; i < k->n_children; i++)
        leaves(c, k->children[i], out, n, cap);
}

/* Confusable classes of every class: conf[i] holds nconf[i] indices. */
static int **
confusables(const rl_catalog *c, size_t *nconf)
{
    int **conf = rl_xcalloc(1000, sizeof *conf);
    int *buf = rl_xcalloc(1000, sizeof *buf);
    int i;

    for (i = 0; i < 1000; i++) {
        const rl_class *k = rl_catalog_by_index(c, i);
        size_t n = 0, j, m = 0;

        while (k != NULL && k->n_parents > 0) {
            size_t up = k->parents[0];

            n = 0;
            leaves(c, up, buf, &n, 1000);
            if (n > 1)
                break;
            k = rl_catalog_at(c, up);
        }
        conf[i] = rl_xcalloc(n + 1, sizeof **conf);
        for (j = 0; j < n; j++)
            if (buf[j] != i)
                conf[i][m++] = buf[j];
        nconf[i] = m;
    }
    free(buf);
    return conf;
}

static bool
listed(const int *top, int n, int cls)
{
    int i;

    for (i = 0; i < n; i++)
        if (top[i] == cls)
            return true;
    return false;
}

int
bench_queue(int argc, char **argv)
{
    static const double acc[] = { 0.55, 0.65, 0.72, 0.78, 0.85 };
    static const char *const orders[] = { "name", "disagree", "margin",
                                          "random:1" };
    size_t n_img = 20000, *nconf = NULL, i, k, n_noisy;
    uint64_t seed = 2026;
    bool scores = true;
    char *dir = NULL, *db = NULL, *lab = NULL, *pred = NULL;
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    int **conf = NULL, *truth = NULL, *label = NULL, rc = 1;
    bool *noisy = NULL;
    FILE *fl = NULL, *fp = NULL;
    rl_err e;

    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--images") == 0 && i + 1 < (size_t)argc)
            n_img = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < (size_t)argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--no-scores") == 0)
            scores = false;
        else {
            fprintf(stderr, "relabel-bench queue: unexpected '%s'\n", argv[i]);
            return 2;
        }
    }
    if (n_img < 100) {
        fprintf(stderr, "relabel-bench queue: --images: at least 100\n");
        return 2;
    }
    rng_state = seed;
    if ((dir = tmpdir_new()) == NULL)
        return 1;
    db = rl_xasprintf("%s/q.db", dir);
    lab = rl_xasprintf("%s/labels.csv", dir);
    pred = rl_xasprintf("%s/predictions.csv", dir);
    if ((s = rl_store_open(db, RL_STORE_CREATE, &e)) == NULL
        || rl_catalog_install(s, RL_SRC_SHARE, &e) != 0
        || (cat = rl_catalog_load(s, &e)) == NULL)
        goto fail;
    nconf = rl_xcalloc(1000, sizeof *nconf);
    conf = confusables(cat, nconf);

    /* Truth, then exactly n_noisy labels replaced (a partial shuffle). */
    truth = rl_xcalloc(n_img, sizeof *truth);
    label = rl_xcalloc(n_img, sizeof *label);
    noisy = rl_xcalloc(n_img, sizeof *noisy);
    for (i = 0; i < n_img; i++)
        label[i] = truth[i] = (int)below(1000);
    n_noisy = (n_img + 10) / 20;
    {
        size_t *perm = rl_xcalloc(n_img, sizeof *perm);

        for (i = 0; i < n_img; i++)
            perm[i] = i;
        for (i = 0; i < n_noisy; i++) {
            size_t j = i + below(n_img - i), t = perm[i], im;

            perm[i] = perm[j];
            perm[j] = t;
            im = perm[i];
            if (nconf[truth[im]] == 0)
                continue;
            noisy[im] = true;
            label[im] = conf[truth[im]][below(nconf[truth[im]])];
        }
        free(perm);
    }

    if ((fl = fopen(lab, "w")) == NULL || (fp = fopen(pred, "w")) == NULL) {
        rl_err_set(&e, RL_E_IO, "%s: cannot write", dir);
        goto fail;
    }
    fputs("image,wnid\n", fl);
    fputs(scores ? "image,model,rank,wnid,score\n"
          : "image,model,rank,wnid\n", fp);
    for (i = 0; i < n_img; i++) {
        fprintf(fl, "syn_%07zu.JPEG,%s\n", i + 1,
                rl_catalog_by_index(cat, label[i])->wnid);
        for (k = 0; k < sizeof acc / sizeof acc[0]; k++) {
            int top[5], n = 0, t = truth[i];
            bool right = unif() < acc[k];
            double p, left;

            if (right)
                top[n++] = t;
            else if (nconf[t] > 0 && unif() < 0.7)
                top[n++] = conf[t][below(nconf[t])];
            else {
                do
                    top[0] = (int)below(1000);
                while (top[0] == t);
                n = 1;
            }
            if (!right && unif() < 0.6)
                top[n++] = t;
            while (n < 5) {
                int c = nconf[t] > 0 && unif() < 0.5
                    ? conf[t][below(nconf[t])] : (int)below(1000);

                if (!listed(top, n, c))
                    top[n++] = c;
            }
            p = right ? 0.45 + 0.54 * unif() : 0.25 + 0.45 * unif();
            left = 1.0 - p;
            for (n = 0; n < 5; n++) {
                fprintf(fp, "syn_%07zu.JPEG,m%zu,%d,%s", i + 1, k + 1, n + 1,
                        rl_catalog_by_index(cat, top[n])->wnid);
                if (scores)
                    fprintf(fp, ",%.4f", p);
                fputc('\n', fp);
                p = left * (0.3 + 0.3 * unif());
                left -= p;
            }
        }
    }
    if (fclose(fl) != 0 || fclose(fp) != 0) {
        fl = fp = NULL;
        rl_err_set(&e, RL_E_IO, "%s: write failed", dir);
        goto fail;
    }
    fl = fp = NULL;
    if (rl_import_labels(s, cat, lab, NULL, NULL, &e) != 0
        || rl_import_predictions(s, cat, pred, NULL, NULL, &e) != 0)
        goto fail;
    for (i = 0, n_noisy = 0; i < n_img; i++)
        n_noisy += noisy[i];
    fig("queue_images", (double)n_img, "images");
    fig("queue_replaced_labels", (double)n_noisy, "images");

    for (k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        rl_order o;
        rl_queue q = { 0 };
        size_t hit10 = 0, hit25 = 0, c10 = n_img / 10, c25 = n_img / 4;
        double t0;
        char name[32];

        rl_order_parse(orders[k], &o, &e);
        if (rl_queue_load(s, "bench", &q, &e) != 0)
            goto fail;
        t0 = cpu_ms();
        if (rl_order_apply(s, &o, &q, &e) != 0) {
            rl_queue_free(&q);
            goto fail;
        }
        snprintf(name, sizeof name, "%s", orders[k]);
        name[strcspn(name, ":")] = '\0';
        figf(cpu_ms() - t0, "ms", "queue_order_%s_ms", name);
        /* Image ids follow the labels file, so id - 1 is the index. */
        for (i = 0; i < q.n && i < c25; i++) {
            size_t im = (size_t)q.items[i].id - 1;

            if (im < n_img && noisy[im]) {
                hit25++;
                hit10 += i < c10;
            }
        }
        figf((double)hit10 / (double)n_noisy, "share",
             "queue_recall_%s_10", name);
        figf((double)hit25 / (double)n_noisy, "share",
             "queue_recall_%s_25", name);
        rl_queue_free(&q);
    }
    rc = 0;
fail:
    if (rc != 0)
        fprintf(stderr, "relabel-bench queue: %s\n", e.msg);
    if (fl != NULL)
        fclose(fl);
    if (fp != NULL)
        fclose(fp);
    for (i = 0; conf != NULL && i < 1000; i++)
        free(conf[i]);
    free(conf);
    free(nconf);
    free(truth);
    free(label);
    free(noisy);
    rl_catalog_free(cat);
    rl_store_close(s);
    if (dir != NULL)
        rmtree(dir);
    free(dir);
    free(db);
    free(lab);
    free(pred);
    return rc;
}
