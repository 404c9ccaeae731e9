/* metrics.c - reviewer agreement (Cohen, Fleiss) and model scoring with
 * bootstrap intervals.
 *
 * The truth keeps images in name order (rl_truth_load reads them with the
 * consensus scan, one image's reviews at a time) in 16 bytes each, their
 * names end to end behind a hash of positions, and only the Correct and
 * Unclear classes, sorted by (image, class); as a scan (rl_truth_open) it
 * holds the current image alone and counts the ones passed, and a stream
 * of rows in name order moves it on (a merge join); rows in any other
 * order reach it through a sort by name (namesort.h) that replays them
 * in that order. Predictions are a table (per
 * model and image the RL_EVAL_TOPK best ranks, plus maps of the rows
 * outside them, for duplicate checks) or a stream, which scores a model's
 * image as soon as the model moves on to another and so keeps one image
 * per model; either way one function scores an image. Bootstrap draws
 * come from splitmix64 seeded from the options' seed and the model and
 * subset names, so one row's interval never depends on which other rows
 * exist. */
#include "relabel/metrics.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "relabel/namesort.h"
#include "relabel/util.h"
#include "internal.h"

/* ---- kappa ---------------------------------------------------------- */

double
rl_metrics_cohen(const long *table, size_t k, double *p_obs)
{
    double n = 0, agree = 0, pe = 0;
    size_t i, j;

    for (i = 0; i < k; i++)
        for (j = 0; j < k; j++)
            n += (double)table[i * k + j];
    if (p_obs != NULL)
        *p_obs = NAN;
    if (n <= 0)
        return NAN;
    for (i = 0; i < k; i++) {
        double row = 0, col = 0;

        agree += (double)table[i * k + i];
        for (j = 0; j < k; j++) {
            row += (double)table[i * k + j];
            col += (double)table[j * k + i];
        }
        pe += (row / n) * (col / n);
    }
    if (p_obs != NULL)
        *p_obs = agree / n;
    if (pe >= 1 - 1e-12)
        return NAN;
    return (agree / n - pe) / (1 - pe);
}

double
rl_metrics_fleiss(const long *counts, size_t n_items, size_t k,
                  double *p_obs)
{
    double *share = rl_xcalloc(k + 1, sizeof *share);
    double pbar = 0, pe = 0, total = 0;
    long used = 0;
    size_t i, j;

    for (i = 0; i < n_items; i++) {
        const long *c = &counts[i * k];
        double ni = 0, sq = 0;

        for (j = 0; j < k; j++) {
            ni += (double)c[j];
            sq += (double)c[j] * (double)c[j];
        }
        if (ni < 2)
            continue;
        pbar += (sq - ni) / (ni * (ni - 1));
        for (j = 0; j < k; j++)
            share[j] += (double)c[j];
        total += ni;
        used++;
    }
    if (p_obs != NULL)
        *p_obs = NAN;
    if (used == 0) {
        free(share);
        return NAN;
    }
    pbar /= (double)used;
    for (j = 0; j < k; j++)
        pe += (share[j] / total) * (share[j] / total);
    free(share);
    if (p_obs != NULL)
        *p_obs = pbar;
    if (pe >= 1 - 1e-12)
        return NAN;
    return (pbar - pe) / (1 - pe);
}

void
rl_agreement_free(rl_agreement *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n_reviewers; i++)
        free(a->reviewers[i]);
    free(a->reviewers);
    free(a->pairs);
    memset(a, 0, sizeof *a);
}

int
rl_metrics_agreement(rl_store *s, rl_agreement *a, rl_err *err)
{
    rl_consensus_opts o = { .rule = RL_CONSENSUS_MAJORITY };
    rl_consensus c;
    enum { K = RL_STATE_COUNT - 1 };   /* states without NONE */
    long *tab = NULL, *tab2 = NULL, *fl = NULL, *fl2 = NULL;
    long *used;
    int32_t *map;
    size_t i, x, y, r, nr, n_items = 0;

    memset(a, 0, sizeof *a);
    if (rl_consensus_compute(s, &o, &c, err) != 0)
        return -1;

    /* Reviewers with at least one reviewer-role verdict, compactly. */
    used = rl_xcalloc(c.n_raters + 1, sizeof *used);
    map = rl_xcalloc(c.n_raters + 1, sizeof *map);
    for (i = 0; i < c.n_votes; i++)
        used[c.votes[i].rater]++;
    for (r = 0; r < c.n_raters; r++) {
        map[r] = -1;
        if (used[r] == 0)
            continue;
        map[r] = (int32_t)a->n_reviewers;
        a->reviewers = rl_xrealloc(a->reviewers, (a->n_reviewers + 1)
                                   * sizeof *a->reviewers);
        a->reviewers[a->n_reviewers++] = rl_xstrdup(c.raters[r]);
    }
    nr = a->n_reviewers;
    tab = rl_xcalloc(nr * nr * K * K + 1, sizeof *tab);
    tab2 = rl_xcalloc(nr * nr * 4 + 1, sizeof *tab2);
    fl = rl_xcalloc(c.n * K + 1, sizeof *fl);
    fl2 = rl_xcalloc(c.n * 2 + 1, sizeof *fl2);

    for (i = 0; i < c.n; i++) {
        const rl_cpair *p = &c.pairs[i];
        const rl_cvote *v = &c.votes[p->first];

        if (p->n_votes < 2)
            continue;
        /* Votes are by rater ascending, so x < y means name order. */
        for (x = 0; x < p->n_votes; x++) {
            int sx = (int)v[x].state - 1, bx = v[x].state == RL_STATE_CORRECT;
            size_t ra = (size_t)map[v[x].rater];

            fl[n_items * K + (size_t)sx]++;
            fl2[n_items * 2 + (size_t)bx]++;
            for (y = x + 1; y < p->n_votes; y++) {
                int sy = (int)v[y].state - 1;
                int by = v[y].state == RL_STATE_CORRECT;
                size_t rb = (size_t)map[v[y].rater], cell = ra * nr + rb;

                tab[cell * K * K + (size_t)sx * K + (size_t)sy]++;
                tab2[cell * 4 + (size_t)bx * 2 + (size_t)by]++;
            }
        }
        n_items++;
    }
    for (x = 0; x < nr; x++)
        for (y = x + 1; y < nr; y++) {
            size_t cell = x * nr + y, j;
            rl_kappa_pair kp;

            memset(&kp, 0, sizeof kp);
            for (j = 0; j < K * K; j++)
                kp.n += tab[cell * K * K + j];
            if (kp.n == 0)
                continue;
            kp.a = a->reviewers[x];
            kp.b = a->reviewers[y];
            kp.kappa = rl_metrics_cohen(&tab[cell * K * K], K, &kp.agree);
            kp.kappa_bin = rl_metrics_cohen(&tab2[cell * 4], 2,
                                            &kp.agree_bin);
            a->pairs = rl_xrealloc(a->pairs, (a->n_pairs + 1)
                                   * sizeof *a->pairs);
            a->pairs[a->n_pairs++] = kp;
        }
    a->n_items = (long)n_items;
    a->fleiss = rl_metrics_fleiss(fl, n_items, K, &a->agree);
    a->fleiss_bin = rl_metrics_fleiss(fl2, n_items, 2, &a->agree_bin);
    free(used);
    free(map);
    free(tab);
    free(tab2);
    free(fl);
    free(fl2);
    rl_consensus_free(&c);
    return 0;
}

/* ---- a small (uint64 -> state) hash ------------------------------- */

struct lmap {
    uint64_t *keys;        /* 0 = empty */
    uint8_t *vals;
    size_t n, mask;
};

static size_t
lmap_slot(const struct lmap *m, uint64_t key)
{
    /* A full 64-bit mix: keys differ in their high half (the image
     * position) as much as in their low (the class), and a multiply
     * alone leaves the low bits to the class, so probes ran long. */
    uint64_t x = key;
    size_t h;

    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    h = (size_t)(x ^ (x >> 31)) & m->mask;

    while (m->keys[h] != 0 && m->keys[h] != key)
        h = (h + 1) & m->mask;
    return h;
}

/* Stores `val` under `key` (non-zero); returns the previous value or 0. */
static uint8_t
lmap_put(struct lmap *m, uint64_t key, uint8_t val)
{
    size_t h;
    uint8_t old;

    if (m->keys == NULL || (m->n + 1) * 2 > m->mask + 1) {
        struct lmap g;
        size_t i;

        g.mask = (m->keys == NULL ? 64 : (m->mask + 1) * 2) - 1;
        g.keys = rl_xcalloc(g.mask + 1, sizeof *g.keys);
        g.vals = rl_xcalloc(g.mask + 1, sizeof *g.vals);
        g.n = m->n;
        for (i = 0; m->keys != NULL && i <= m->mask; i++)
            if (m->keys[i] != 0) {
                h = lmap_slot(&g, m->keys[i]);
                g.keys[h] = m->keys[i];
                g.vals[h] = m->vals[i];
            }
        free(m->keys);
        free(m->vals);
        *m = g;
    }
    h = lmap_slot(m, key);
    old = m->keys[h] != 0 ? m->vals[h] : 0;
    if (m->keys[h] == 0)
        m->n++;
    m->keys[h] = key;
    m->vals[h] = val;
    return old;
}

static uint8_t
lmap_get(const struct lmap *m, uint64_t key)
{
    size_t h;

    if (m->keys == NULL)
        return 0;
    h = lmap_slot(m, key);
    return m->keys[h] == key ? m->vals[h] : 0;
}

static void
lmap_free(struct lmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static uint64_t
pair_key(size_t pos, int64_t x)
{
    return (((uint64_t)pos << 32) | ((uint64_t)x & 0xffffffffu)) + 1;
}

/* ---- truth ---------------------------------------------------------- */

/* One image in 16 bytes: at 1.28M images the truth is 20 MB, its names
 * (28 bytes each there) and their index (at most 3/4 full, 4 bytes a
 * slot) another 45, its labels 8 bytes per Correct or Unclear class. */
struct timg {
    uint32_t name;         /* offset of the name in truth->names */
    int32_t label;         /* class row id of the original label, 0: none */
    int32_t label_idx;     /* its class index, -1: none */
    unsigned n_correct : 20;  /* Correct classes among the labels (fewer
                                 than the catalog's classes) */
    unsigned tag : 8;      /* 1 + index into truth->tag_ids, 0: none */
    unsigned split : 2;    /* rl_split + 1, 0: none */
    unsigned problematic : 1;
    unsigned reviewed : 1; /* a Correct, Wrong or Unclear class */
};

#define TRUTH_TAGS 255     /* dataset tags an evaluation tells apart */

/* A Correct or Unclear class on an image. Invariant: truth->lab is sorted
 * by (pos, class id) without repeats; the loader appends in that order. */
struct tlab {
    uint32_t pos;          /* image position */
    uint32_t cls2;         /* class id << 1 | (1 when Unclear) */
};

struct rl_truth {
    struct timg *img;
    size_t n, cap;
    char *names;           /* every name, NUL-terminated, end to end */
    size_t names_len, names_cap;
    uint32_t *slots;       /* name index: position + 1, 0 = empty */
    size_t mask;           /* slots - 1 (a power of two less one) */
    char **tags;           /* owned, sorted, distinct */
    size_t n_tags, cap_tags;
    const char *tag_ids[TRUTH_TAGS];  /* the tags in the order first seen
                                         (timg.tag - 1), borrowed */
    uint8_t tag_rank[TRUTH_TAGS];     /* tag_ids[i] is tags[tag_rank[i]] */
    struct tlab *lab;      /* the labels (invariant above) */
    size_t n_lab, cap_lab;
    /* A scan (rl_truth_open): img[] holds the current image alone (n is
     * 1, or 0 at the end), the ones before it are only counted. */
    bool scan;
    bool at_end;           /* scan: the last image was read */
    size_t base;           /* position of img[0]: images passed (0 for a
                              truth in memory) */
    int n_cls;             /* scan: largest class index + 1 (catalog) */
    rl_truth_summary sum[2];  /* scan: the images passed, under RELABEL
                                 and under the other rules */
    rl_store *s;           /* scan: borrowed */
    const rl_catalog *cat; /* scan: borrowed */
    rl_consensus_scan *sc; /* scan: owned */
    sqlite3_stmt *st;      /* scan: the images by name, owned */
    bool began;            /* scan: its read transaction is ours */
};

const char *
rl_split_name(rl_split s)
{
    static const char *const names[] = { "dog", "organism", "object" };

    return s < RL_SPLIT_COUNT ? names[s] : "";
}

const char *
rl_subset_name(int i)
{
    static const char *const names[RL_SUBSET_COUNT] = {
        "all", "object", "organism", "dog", "organism_no_dog", "no_dog"
    };

    return i >= 0 && i < RL_SUBSET_COUNT ? names[i] : "";
}

unsigned
rl_subset_mask(const char *split)
{
    if (split == NULL)
        return 1u;
    if (strcmp(split, "dog") == 0)
        return 1u | 1u << 2 | 1u << 3;
    if (strcmp(split, "organism") == 0)
        return 1u | 1u << 2 | 1u << 4 | 1u << 5;
    if (strcmp(split, "object") == 0)
        return 1u | 1u << 1 | 1u << 5;
    return 1u;
}

const char *
rl_eval_rule_name(rl_eval_rule r)
{
    static const char *const names[] = { "relabel", "shankar", "tfds" };

    return (unsigned)r < 3 ? names[r] : "";
}

int
rl_eval_rule_parse(const char *s, rl_eval_rule *r, rl_err *err)
{
    int i;

    for (i = 0; i < 3; i++)
        if (strcmp(s, rl_eval_rule_name((rl_eval_rule)i)) == 0) {
            *r = (rl_eval_rule)i;
            return 0;
        }
    rl_err_set(err, RL_E_USAGE, "unknown rule '%.60s' (relabel, shankar or "
               "tfds)", s);
    return -1;
}

static int
split_of(const rl_class *k)
{
    if (k == NULL || k->split == NULL)
        return -1;
    if (strcmp(k->split, "dog") == 0)
        return RL_SPLIT_DOG;
    if (strcmp(k->split, "organism") == 0)
        return RL_SPLIT_ORGANISM;
    if (strcmp(k->split, "object") == 0)
        return RL_SPLIT_OBJECT;
    return -1;
}

rl_truth *
rl_truth_new(void)
{
    return rl_xcalloc(1, sizeof(rl_truth));
}

void
rl_truth_free(rl_truth *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n_tags; i++)
        free(t->tags[i]);
    sqlite3_finalize(t->st);
    rl_consensus_scan_free(t->sc);
    if (t->began)
        store_exec(t->s, "COMMIT", NULL);
    free(t->img);
    free(t->names);
    free(t->slots);
    free(t->tags);
    free(t->lab);
    free(t);
}

static uint64_t
name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}

/* The slot of `name` in the index: its image's, or the empty one where it
 * would go. */
static size_t
name_slot(const rl_truth *t, const char *name)
{
    size_t h = (size_t)name_hash(name) & t->mask;

    while (t->slots[h] != 0
           && strcmp(t->names + t->img[t->slots[h] - 1].name, name) != 0)
        h = (h + 1) & t->mask;
    return h;
}

/* Position of image `name`, or -1. */
static int64_t
truth_find(const rl_truth *t, const char *name)
{
    size_t h;

    if (t->slots == NULL)
        return -1;
    h = name_slot(t, name);
    return t->slots[h] != 0 ? (int64_t)t->slots[h] - 1 : -1;
}

/* Doubles the index (at half load). */
static void
index_grow(rl_truth *t)
{
    size_t size = t->slots == NULL ? 64 : (t->mask + 1) * 2, i;
    uint32_t *old = t->slots;
    size_t old_size = old != NULL ? t->mask + 1 : 0;

    t->slots = rl_xcalloc(size, sizeof *t->slots);
    t->mask = size - 1;
    for (i = 0; i < old_size; i++)
        if (old[i] != 0)
            t->slots[name_slot(t, t->names + t->img[old[i] - 1].name)]
                = old[i];
    free(old);
}

/* The id of tag `tag` (timg.tag), added in sorted place if new; 0 with
 * RL_E_RANGE past TRUTH_TAGS tags. */
static unsigned
intern_tag(rl_truth *t, const char *tag, rl_err *err)
{
    size_t i, j;

    for (i = 0; i < t->n_tags; i++) {
        int c = strcmp(t->tags[i], tag);

        if (c == 0) {
            for (j = 0; t->tag_ids[j] != t->tags[i]; j++)
                ;
            return (unsigned)j + 1;
        }
        if (c > 0)
            break;
    }
    if (t->n_tags == TRUTH_TAGS) {
        rl_err_set(err, RL_E_RANGE, "more than %d dataset tags",
                   TRUTH_TAGS);
        return 0;
    }
    rl_grow(&t->tags, &t->cap_tags, t->n_tags + 1, sizeof *t->tags);
    memmove(&t->tags[i + 1], &t->tags[i], (t->n_tags - i) * sizeof *t->tags);
    t->tags[i] = rl_xstrdup(tag);
    t->tag_ids[t->n_tags++] = t->tags[i];
    /* The sorted places moved: rank every id again (a few tags). */
    for (j = 0; j < t->n_tags; j++)
        for (i = 0; i < t->n_tags; i++)
            if (t->tags[i] == t->tag_ids[j])
                t->tag_rank[j] = (uint8_t)i;
    return (unsigned)t->n_tags;
}

int
rl_truth_add_image(rl_truth *t, const char *name, const rl_class *label,
                   const char *dataset, bool problematic, rl_err *err)
{
    size_t len = strlen(name) + 1, h;
    unsigned tag = 0;
    struct timg *im;

    /* One probe finds a repeat or the slot for the new name. */
    if (t->slots == NULL || (t->n + 1) * 4 > (t->mask + 1) * 3)
        index_grow(t);
    if (t->slots[h = name_slot(t, name)] != 0) {
        char *safe = rl_utf8_sanitize(name);

        rl_err_set(err, RL_E_DUP, "image '%.120s' added twice", safe);
        free(safe);
        return -1;
    }
    if (t->n >= UINT32_MAX - 1 || t->names_len + len > UINT32_MAX) {
        rl_err_set(err, RL_E_RANGE, "too many images for one evaluation");
        return -1;
    }
    if (dataset != NULL && *dataset != '\0'
        && (tag = intern_tag(t, dataset, err)) == 0)
        return -1;
    assert(label == NULL || (label->id > 0 && label->id <= INT32_MAX));
    rl_grow(&t->names, &t->names_cap, t->names_len + len, 1);
    memcpy(t->names + t->names_len, name, len);
    rl_grow(&t->img, &t->cap, t->n + 1, sizeof *t->img);
    im = &t->img[t->n];
    memset(im, 0, sizeof *im);
    im->name = (uint32_t)t->names_len;
    t->names_len += len;
    im->label = label != NULL ? (int32_t)label->id : 0;
    im->label_idx = label != NULL ? (int32_t)label->idx : -1;
    im->split = (unsigned)(split_of(label) + 1);
    im->tag = tag;
    im->problematic = problematic;
    t->slots[h] = (uint32_t)t->n + 1;
    t->n++;
    return 0;
}

/* Index of the first label of `pos` with class id >= cls (n_lab when
 * none): a binary search, after a look at the end, where the loader
 * appends. */
static size_t
lab_lower(const rl_truth *t, size_t pos, int64_t cls)
{
    uint64_t key = (uint64_t)pos << 32 | (uint64_t)cls, k;
    size_t lo = 0, hi = t->n_lab;

    if (hi == 0)
        return 0;
    k = (uint64_t)t->lab[hi - 1].pos << 32 | t->lab[hi - 1].cls2 >> 1;
    if (k < key)
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        k = (uint64_t)t->lab[mid].pos << 32 | t->lab[mid].cls2 >> 1;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Image `pos` (in memory: a scan holds only its current one). */
static struct timg *
timg_at(const rl_truth *t, size_t pos)
{
    assert(pos >= t->base && pos - t->base < t->n);
    return &t->img[pos - t->base];
}

static void
add_label_at(rl_truth *t, size_t pos, int64_t cls, rl_state st)
{
    struct timg *im = timg_at(t, pos);
    size_t i = lab_lower(t, pos, cls);
    bool there = i < t->n_lab && t->lab[i].pos == pos
                 && t->lab[i].cls2 >> 1 == (uint64_t)cls;
    bool keep = st == RL_STATE_CORRECT || st == RL_STATE_UNCLEAR;

    assert(cls > 0 && cls <= INT32_MAX);   /* catalog row ids */
    im->reviewed |= st == RL_STATE_CORRECT || st == RL_STATE_WRONG
                    || st == RL_STATE_UNCLEAR;
    /* A later call overwrites an earlier one: Wrong or none removes. */
    if (there) {
        im->n_correct -= !(t->lab[i].cls2 & 1);
        if (!keep) {
            memmove(&t->lab[i], &t->lab[i + 1],
                    (t->n_lab - i - 1) * sizeof *t->lab);
            t->n_lab--;
            return;
        }
    } else {
        if (!keep)
            return;
        rl_grow(&t->lab, &t->cap_lab, t->n_lab + 1, sizeof *t->lab);
        memmove(&t->lab[i + 1], &t->lab[i], (t->n_lab - i) * sizeof *t->lab);
        t->n_lab++;
    }
    t->lab[i].pos = (uint32_t)pos;
    t->lab[i].cls2 = (uint32_t)cls << 1 | (st == RL_STATE_UNCLEAR);
    im->n_correct += st == RL_STATE_CORRECT;
    assert(im->n_correct > 0 || st != RL_STATE_CORRECT);   /* no wrap */
}

int
rl_truth_add_label(rl_truth *t, const char *name, const rl_class *cls,
                   rl_state st, rl_err *err)
{
    int64_t pos = truth_find(t, name);

    if (pos < 0) {
        char *safe = rl_utf8_sanitize(name);

        rl_err_set(err, RL_E_NOTFOUND, "unknown image '%.120s'", safe);
        free(safe);
        return -1;
    }
    add_label_at(t, (size_t)pos, cls->id, st);
    return 0;
}

/* The labels of image `pos`: *n of them from the returned one. */
static const struct tlab *
labels_of(const rl_truth *t, size_t pos, size_t *n)
{
    size_t i = lab_lower(t, pos, 0), j = i;

    while (j < t->n_lab && t->lab[j].pos == pos)
        j++;
    *n = j - i;
    return t->lab + i;
}

/* The state of class `cls` among the labels `l[0..n)`: Correct, Unclear
 * or none. */
static rl_state
label_state(const struct tlab *l, size_t n, int64_t cls)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (l[i].cls2 >> 1 == (uint64_t)cls)
            return l[i].cls2 & 1 ? RL_STATE_UNCLEAR : RL_STATE_CORRECT;
    return RL_STATE_NONE;
}

/* Adds the image of the row `st` has just stepped to (id, name, label,
 * dataset) with its consensus from `sc`, the next in name order. */
static int
load_image(rl_truth *t, sqlite3_stmt *st, rl_consensus_scan *sc,
           const rl_catalog *cat, rl_err *err)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const rl_class *k = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL
        : rl_catalog_by_id(cat, sqlite3_column_int64(st, 2));
    const rl_cimage *ci;
    rl_consensus view;
    size_t i, pos = t->base + t->n;

    if (rl_truth_add_image(t, (const char *)sqlite3_column_text(st, 1), k,
                           (const char *)sqlite3_column_text(st, 3),
                           false, err) != 0
        || rl_consensus_scan_image(sc, id, &view, err) != 0)
        return -1;
    ci = rl_consensus_image(&view, id);
    timg_at(t, pos)->problematic = ci != NULL && ci->problematic;
    for (i = 0; i < view.n; i++) {
        const rl_cpair *p = &view.pairs[i];

        if (p->state != RL_STATE_NONE && p->state != RL_STATE_DONT_KNOW)
            add_label_at(t, pos, p->cls, p->state);
    }
    return 0;
}

#define IMAGES_SQL "SELECT id, name, label, dataset FROM image ORDER BY name"

/* The truth image by image, in name order, with the consensus scan: under
 * majority and reviewer:NAME one image's reviews are in memory at a time
 * (dawid-skene fits every vote first: see consensus.h). */
rl_truth *
rl_truth_load(rl_store *s, const rl_catalog *cat, const rl_consensus_opts *o,
              rl_err *err)
{
    rl_truth *t = rl_truth_new();
    rl_consensus_scan *sc = NULL;
    sqlite3_stmt *st = NULL;
    bool began = s->depth == 0 && store_exec(s, "BEGIN", NULL) == 0;
    int r, rc = -1;

    if ((sc = rl_consensus_scan_open(s, o, err)) == NULL)
        goto out;
    if (sqlite3_prepare_v2(s->db, IMAGES_SQL, -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (load_image(t, st, sc, cat, err) != 0)
            goto out;
    if (r != SQLITE_DONE)
        goto dberr;
    rc = 0;
    goto out;
dberr:
    store_dberr(s, err, "reading the project");
out:
    sqlite3_finalize(st);
    rl_consensus_scan_free(sc);
    if (began)
        store_exec(s, "COMMIT", NULL);
    if (rc != 0) {
        rl_truth_free(t);
        return NULL;
    }
    return t;
}

/* Whether `rule` counts image `im` in multi-label accuracy. */
static bool
counted(const struct timg *im, rl_eval_rule rule)
{
    if (im->problematic)
        return false;
    return rule == RL_EVAL_RULE_RELABEL ? im->n_correct > 0 : im->reviewed;
}

/* Counts image `im` into `sum` under `rule`. */
static void
summary_add(rl_truth_summary *sum, const struct timg *im, rl_eval_rule rule)
{
    bool in = rule == RL_EVAL_RULE_RELABEL ? im->n_correct > 0
                                           : im->reviewed;

    sum->images++;
    sum->labelled += im->label != 0;
    if (!in) {
        sum->no_correct += rule == RL_EVAL_RULE_RELABEL;
        sum->unreviewed += rule != RL_EVAL_RULE_RELABEL;
    } else if (im->problematic) {
        sum->problematic++;
    } else {
        sum->multilabel++;
        sum->no_correct += rule != RL_EVAL_RULE_RELABEL
                           && im->n_correct == 0;
    }
}

void
rl_truth_summary_get(const rl_truth *t, rl_eval_rule rule,
                     rl_truth_summary *sum)
{
    size_t i;

    if (t->scan) {
        assert(t->at_end && t->n == 0);
        *sum = t->sum[rule != RL_EVAL_RULE_RELABEL];
        return;
    }
    memset(sum, 0, sizeof *sum);
    for (i = 0; i < t->n; i++)
        summary_add(sum, &t->img[i], rule);
}

/* Scan: counts the current image as passed and reads the next one (none
 * at the end). 0, or -1 with RL_E_DB. */
static int
scan_next(rl_truth *t, rl_err *err)
{
    int r;

    if (t->n > 0) {
        summary_add(&t->sum[0], &t->img[0], RL_EVAL_RULE_RELABEL);
        summary_add(&t->sum[1], &t->img[0], RL_EVAL_RULE_SHANKAR);
        t->base++;
        t->n = 0;
        t->names_len = 0;
        t->n_lab = 0;
        memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
    }
    if (t->at_end)
        return 0;
    if ((r = sqlite3_step(t->st)) == SQLITE_ROW)
        return load_image(t, t->st, t->sc, t->cat, err);
    t->at_end = true;
    if (r != SQLITE_DONE) {
        store_dberr(t->s, err, "reading the project");
        return -1;
    }
    return 0;
}

rl_truth *
rl_truth_open(rl_store *s, const rl_catalog *cat, const rl_consensus_opts *o,
              rl_err *err)
{
    rl_truth *t = rl_truth_new();
    sqlite3_stmt *st = NULL;
    size_t i;
    int r;

    t->scan = true;
    t->s = s;
    t->cat = cat;
    t->n_cls = 1;
    for (i = 0; i < rl_catalog_count(cat); i++)
        if (rl_catalog_at(cat, i)->idx >= t->n_cls)
            t->n_cls = rl_catalog_at(cat, i)->idx + 1;
    t->began = s->depth == 0 && store_exec(s, "BEGIN", NULL) == 0;
    if ((t->sc = rl_consensus_scan_open(s, o, err)) == NULL)
        goto fail;
    /* The tags before the images: every model's counts have their
     * subsets from its first row. */
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT dataset FROM image"
                           " WHERE dataset <> ''", -1, &st, NULL)
        != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (intern_tag(t, (const char *)sqlite3_column_text(st, 0), err)
            == 0)
            goto fail;
    if (r != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, IMAGES_SQL, -1, &t->st, NULL) != SQLITE_OK)
        goto dberr;
    if (scan_next(t, err) != 0)
        goto fail;
    return t;
dberr:
    store_dberr(s, err, "reading the project");
fail:
    sqlite3_finalize(st);
    rl_truth_free(t);
    return NULL;
}

size_t
rl_truth_held(const rl_truth *t)
{
    return t->n;
}

size_t
rl_truth_datasets(const rl_truth *t, const char *const **tags)
{
    *tags = (const char *const *)t->tags;
    return t->n_tags;
}

/* ---- predictions ---------------------------------------------------- */

/* One model's counts so far, per subset and per (subset, class index). */
struct macc {
    rl_score *sub;         /* [n_sub]: the counts only */
    size_t n_sub;
    int n_cls;             /* class indexes 0..n_cls-1 */
    long *cls_n, *cls_hit; /* [s * n_cls + class index] */
    long scored;           /* images with a prediction */
};

/* One model's predictions. A table (rl_preds_new) keeps the TOPK best
 * ranks of every image, 45 bytes an image, in slot `pos`; a stream
 * (rl_preds_new_stream) keeps only the image being read, in slot 0, and
 * scores it into `acc` when the model moves on. Invariant (both): every
 * (image, rank) and (image, class) read for a kept image is either in
 * its slot or in `ranks` / `classes`, which hold only the rows outside
 * it (dropped, or pushed out by a better rank): duplicates are found
 * without a map of every row. */
struct pmodel {
    char *name;            /* owned */
    int32_t *cls;          /* [slot * TOPK + j]: class ids by rank */
    int32_t *rank;         /* [slot * TOPK + j]: their ranks */
    uint8_t *n_top;        /* [slot]: entries used */
    int32_t *max_rank;     /* [slot]: highest rank seen (for rank 0) */
    struct lmap ranks;     /* (pos, rank) outside the kept slots */
    struct lmap classes;   /* (pos, class id) outside the kept slots */
    int64_t cur;           /* stream: image in slot 0, -1 none */
    uint8_t *done;         /* stream: bit per image, scored already */
    struct macc acc;       /* stream: the images scored */
};

struct rl_preds {
    const rl_truth *t;
    struct pmodel *m;
    size_t n, cap;
    rl_strmap index;       /* model name -> index */
    size_t last;           /* model of the last row (a cache) */
    bool stream;           /* rows scored as they come */
    bool regroup;          /* stream: a row came back to an image */
    rl_eval_rule rule;     /* stream: the rule it scores under */
    char *last_img;        /* name of the last row's image (a cache) */
    size_t last_cap;
    int64_t last_pos;      /* its position */
    rl_truth *scan;        /* scan (rl_preds_new_scan): the truth, which
                              the rows move on (p->t too) */
    rl_namesort *nsort;    /* sorted on a scan: the rows by image name,
                              until rl_preds_finish joins them with it */
    char **files;          /* sorted: file names, for messages */
    size_t n_files, cap_files;
    int64_t file;          /* sorted: index of the file being read, or
                              -1 (rows from rl_preds_add) */
    long line;             /* sorted: line of the row being added */
    uint64_t seq;          /* sorted: rows added by rl_preds_add */
};

/* A row waiting in the sort by name (the name is the sort's), 24 bytes:
 * by model within an image, then in input order. */
struct nrow {
    uint64_t model;        /* model index */
    uint64_t at;           /* (file + 1) << 40 | line; file -1: the
                              rl_preds_add sequence number */
    const rl_class *cls;   /* borrowed from the catalog */
    int32_t rank;          /* as given; 0: after the model's others */
};

#define SORT_MEM (16u << 20)   /* bytes the sort by name buffers: rows,
                                  names and their index */

static void score_image(const rl_truth *t, struct macc *a, size_t pos,
                        const int32_t *c, size_t nt, rl_eval_rule rule);

/* Largest original-label class index + 1 (at least 1). */
static int
truth_n_cls(const rl_truth *t)
{
    int n_cls = 1;
    size_t i;

    if (t->scan)
        return t->n_cls;
    for (i = 0; i < t->n; i++)
        if (t->img[i].label_idx >= n_cls)
            n_cls = t->img[i].label_idx + 1;
    return n_cls;
}

static void
macc_init(struct macc *a, const rl_truth *t, int n_cls)
{
    memset(a, 0, sizeof *a);
    a->n_sub = RL_SUBSET_COUNT + t->n_tags;
    a->n_cls = n_cls;
    a->sub = rl_xcalloc(a->n_sub, sizeof *a->sub);
    a->cls_n = rl_xcalloc(a->n_sub * (size_t)n_cls, sizeof *a->cls_n);
    a->cls_hit = rl_xcalloc(a->n_sub * (size_t)n_cls, sizeof *a->cls_hit);
}

static void
macc_copy(struct macc *to, const struct macc *from)
{
    size_t n = from->n_sub * (size_t)from->n_cls;

    *to = *from;
    to->sub = rl_xcalloc(from->n_sub, sizeof *to->sub);
    memcpy(to->sub, from->sub, from->n_sub * sizeof *to->sub);
    to->cls_n = rl_xcalloc(n, sizeof *to->cls_n);
    memcpy(to->cls_n, from->cls_n, n * sizeof *to->cls_n);
    to->cls_hit = rl_xcalloc(n, sizeof *to->cls_hit);
    memcpy(to->cls_hit, from->cls_hit, n * sizeof *to->cls_hit);
}

static void
macc_free(struct macc *a)
{
    free(a->sub);
    free(a->cls_n);
    free(a->cls_hit);
    memset(a, 0, sizeof *a);
}

static rl_preds *
preds_new(const rl_truth *t, bool stream, rl_eval_rule rule)
{
    rl_preds *p = rl_xcalloc(1, sizeof *p);

    p->t = t;
    p->stream = stream;
    p->rule = rule;
    p->last_pos = -1;
    p->file = -1;
    return p;
}

rl_preds *
rl_preds_new(const rl_truth *t)
{
    assert(!t->scan);
    return preds_new(t, false, RL_EVAL_RULE_RELABEL);
}

rl_preds *
rl_preds_new_stream(const rl_truth *t, rl_eval_rule rule)
{
    assert(!t->scan);
    return preds_new(t, true, rule);
}

rl_preds *
rl_preds_new_scan(rl_truth *t, rl_eval_rule rule)
{
    rl_preds *p = preds_new(t, true, rule);

    assert(t->scan);
    p->scan = t;
    return p;
}

rl_preds *
rl_preds_new_scan_sorted(rl_truth *t, rl_eval_rule rule)
{
    rl_preds *p = preds_new(t, true, rule);

    assert(t->scan);
    p->scan = t;
    p->nsort = rl_namesort_new(sizeof(struct nrow), SORT_MEM);
    return p;
}

bool
rl_preds_regroup(const rl_preds *p)
{
    return p->regroup;
}

void
rl_preds_free(rl_preds *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++) {
        struct pmodel *m = &p->m[i];

        free(m->name);
        free(m->cls);
        free(m->rank);
        free(m->n_top);
        free(m->max_rank);
        free(m->done);
        lmap_free(&m->ranks);
        lmap_free(&m->classes);
        macc_free(&m->acc);
    }
    free(p->m);
    free(p->last_img);
    rl_namesort_free(p->nsort);
    for (i = 0; i < p->n_files; i++)
        free(p->files[i]);
    free(p->files);
    rl_strmap_free(&p->index);
    free(p);
}

size_t
rl_preds_models(const rl_preds *p)
{
    return p->n;
}

const char *
rl_preds_model_name(const rl_preds *p, size_t m)
{
    return m < p->n ? p->m[m].name : NULL;
}

static struct pmodel *
model_get(rl_preds *p, const char *name)
{
    int64_t i;
    struct pmodel *m;
    size_t n = p->stream ? 1 : p->t->n + 1;

    /* Rows of one model tend to come together; with a few models a look
     * at each is quicker than the map. */
    if (p->n > 0 && strcmp(p->m[p->last].name, name) == 0)
        return &p->m[p->last];
    for (i = 0; p->n <= 8 && i < (int64_t)p->n; i++)
        if (strcmp(p->m[i].name, name) == 0) {
            p->last = (size_t)i;
            return &p->m[i];
        }
    if (p->n > 8 && (i = rl_strmap_get(&p->index, name, -1)) >= 0) {
        p->last = (size_t)i;
        return &p->m[i];
    }
    rl_grow(&p->m, &p->cap, p->n + 1, sizeof *p->m);
    m = &p->m[p->n];
    memset(m, 0, sizeof *m);
    m->name = rl_xstrdup(name);
    m->cls = rl_xcalloc(n * RL_EVAL_TOPK, sizeof *m->cls);
    m->rank = rl_xcalloc(n * RL_EVAL_TOPK, sizeof *m->rank);
    m->n_top = rl_xcalloc(n, sizeof *m->n_top);
    m->max_rank = rl_xcalloc(n, sizeof *m->max_rank);
    m->cur = -1;
    if (p->stream) {
        /* A scan needs no bits: its rows come in name order. */
        if (p->scan == NULL)
            m->done = rl_xcalloc(p->t->n / 8 + 1, 1);
        macc_init(&m->acc, p->t, truth_n_cls(p->t));
    }
    rl_strmap_put(&p->index, name, (int64_t)p->n);
    p->last = p->n;
    p->n++;
    return m;
}

/* Stream: scores the image in slot 0 and empties the slot. */
static void
stream_close(rl_preds *p, struct pmodel *m)
{
    size_t pos = (size_t)m->cur;

    score_image(p->t, &m->acc, pos, m->cls, m->n_top[0], p->rule);
    if (m->done != NULL)
        m->done[pos / 8] |= (uint8_t)(1u << (pos % 8));
    m->n_top[0] = 0;
    m->max_rank[0] = 0;
    if (m->ranks.n > 0 || m->classes.n > 0) {
        lmap_free(&m->ranks);
        lmap_free(&m->classes);
    }
    m->cur = -1;
}

/* Scores every model's image and empties the slots. */
static void
streams_close(rl_preds *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (p->m[i].cur >= 0)
            stream_close(p, &p->m[i]);
}

#define IMAGE_BEHIND (-2)  /* scan_find: before the current image */
#define IMAGE_ERR (-3)     /* scan_find: a read error, in `err` */

/* Scan: the position of image `name`, the truth moved on to it (each
 * image passed scored first by every model on it); -1 when it is not in
 * the project (it falls between two images, or after the last),
 * IMAGE_BEHIND when it sorts before the current image (out of order, or
 * unknown: the scan cannot tell). */
static int64_t
scan_find(rl_preds *p, const char *name, rl_err *err)
{
    rl_truth *t = p->scan;
    bool moved = false;
    int c = 1;

    while (t->n > 0 && (c = strcmp(name, t->names + t->img[0].name)) > 0) {
        streams_close(p);
        if (scan_next(t, err) != 0)
            return IMAGE_ERR;
        moved = true;
    }
    if (c == 0)
        return (int64_t)t->base;
    return moved || t->base == 0 ? -1 : IMAGE_BEHIND;
}

/* Position of image `name`, through the one-name cache: rows of one image
 * tend to come together. Negative as scan_find. */
static int64_t
preds_image(rl_preds *p, const char *name, rl_err *err)
{
    size_t len;

    if (p->last_pos >= 0 && strcmp(p->last_img, name) == 0)
        return p->last_pos;
    len = strlen(name) + 1;
    rl_grow(&p->last_img, &p->last_cap, len, 1);
    memcpy(p->last_img, name, len);
    return p->last_pos = p->scan != NULL ? scan_find(p, name, err)
                                         : truth_find(p->t, name);
}

static int pred_at(rl_preds *p, struct pmodel *m, int64_t pos,
                   const rl_class *cls, long rank, const char **field,
                   rl_err *err);

static void
unknown_image(rl_err *err, const char *image)
{
    char *safe = rl_utf8_sanitize(image);

    rl_err_set(err, RL_E_NOTFOUND, "unknown image '%.120s' (not in the "
               "project)", safe);
    free(safe);
}

/* Error `e` of the sorted row at `at` into `out`: "FILE:LINE: field: ..."
 * for a row of a file, `e` itself for one from rl_preds_add. */
static void
row_err(const rl_preds *p, uint64_t at, const char *field, const rl_err *e,
        rl_err *out)
{
    if (at >> 40 != 0)
        rl_err_set(out, e->code, "%s:%llu: %s: %s", p->files[(at >> 40) - 1],
                   (unsigned long long)(at & ((1ull << 40) - 1)), field,
                   e->msg);
    else
        *out = *e;
}

/* Adds one prediction; on error *field names the column at fault. A
 * sorted rl_preds finds the image later (nsort_replay). */
static int
pred_add(rl_preds *p, const char *model, const char *image,
         const rl_class *cls, long rank, const char **field, rl_err *err)
{
    int64_t pos = -1;
    struct pmodel *m;

    if (p->nsort == NULL
        && (pos = preds_image(p, image, err)) < 0) {
        *field = "image";
        if (pos == IMAGE_BEHIND) {
            /* Read again with the whole truth (rl_truth_load). */
            p->regroup = true;
            rl_err_set(err, RL_E_USAGE, "rows not in image-name order");
        } else if (pos == -1) {
            unknown_image(err, image);
        }
        return -1;
    }
    if (rank < 0 || rank > 100000) {
        *field = "rank";
        rl_err_set(err, RL_E_RANGE, "rank %ld out of range 1..100000", rank);
        return -1;
    }
    assert(cls->id > 0 && cls->id <= INT32_MAX);   /* catalog row ids */
    m = model_get(p, model);
    if (p->nsort != NULL) {
        struct nrow r;

        if (p->n_files >= (1u << 23)) {
            *field = "model";
            rl_err_set(err, RL_E_RANGE, "more files than one evaluation "
                       "sorts");
            return -1;
        }
        r.model = (uint64_t)(m - p->m);
        r.at = p->file >= 0 ? (uint64_t)(p->file + 1) << 40
                              | ((uint64_t)p->line & ((1ull << 40) - 1))
                            : ++p->seq;
        r.cls = cls;
        r.rank = (int32_t)rank;
        if (rl_namesort_add(p->nsort, image, &r, err) != 0) {
            *field = "image";
            return -1;
        }
        return 0;
    }
    return pred_at(p, m, pos, cls, rank, field, err);
}

/* Adds one prediction of model `m` on image `pos`. */
static int
pred_at(rl_preds *p, struct pmodel *m, int64_t pos, const rl_class *cls,
        long rank, const char **field, rl_err *err)
{
    const char *model = m->name;
    int32_t *c, *rk;
    size_t j, n, slot;

    if (p->stream && m->cur != pos) {
        /* Back to an image the model left: its rows are not together,
         * and the caller reads again into a table. */
        if (m->done != NULL && m->done[pos / 8] & (1u << (pos % 8))) {
            p->regroup = true;
            *field = "image";
            rl_err_set(err, RL_E_USAGE, "model '%.60s' has rows for this "
                       "image apart from each other", model);
            return -1;
        }
        if (m->cur >= 0)
            stream_close(p, m);
        m->cur = pos;
    }
    slot = p->stream ? 0 : (size_t)pos;
    if (rank == 0)
        rank = m->max_rank[slot] + 1;
    c = &m->cls[slot * RL_EVAL_TOPK];
    rk = &m->rank[slot * RL_EVAL_TOPK];
    n = m->n_top[slot];
    for (j = 0; j < n && rk[j] != rank; j++)
        ;
    if (j < n || lmap_get(&m->ranks, pair_key((size_t)pos, rank)) != 0) {
        *field = "rank";
        rl_err_set(err, RL_E_DUP, "duplicate: model '%.60s' has a prediction"
                   " at rank %ld for this image already", model, rank);
        return -1;
    }
    for (j = 0; j < n && c[j] != cls->id; j++)
        ;
    if (j < n
        || lmap_get(&m->classes, pair_key((size_t)pos, cls->id)) != 0) {
        *field = "wnid";
        rl_err_set(err, RL_E_DUP, "duplicate: model '%.60s' predicts %s for "
                   "this image already", model, cls->wnid);
        return -1;
    }
    if (rank > m->max_rank[slot])
        m->max_rank[slot] = (int32_t)rank;

    /* Keep the TOPK best ranks, sorted; what falls outside goes to the
     * maps, for the duplicate checks. */
    if (n == RL_EVAL_TOPK && rank > rk[n - 1]) {
        lmap_put(&m->ranks, pair_key((size_t)pos, rank), 1);
        lmap_put(&m->classes, pair_key((size_t)pos, cls->id), 1);
        return 0;
    }
    if (n == RL_EVAL_TOPK) {
        lmap_put(&m->ranks, pair_key((size_t)pos, rk[n - 1]), 1);
        lmap_put(&m->classes, pair_key((size_t)pos, c[n - 1]), 1);
    }
    for (j = n < RL_EVAL_TOPK ? n : RL_EVAL_TOPK - 1; j > 0
         && rk[j - 1] > rank; j--) {
        c[j] = c[j - 1];
        rk[j] = rk[j - 1];
    }
    c[j] = (int32_t)cls->id;
    rk[j] = (int32_t)rank;
    if (n < RL_EVAL_TOPK)
        m->n_top[slot]++;
    return 0;
}

int
rl_preds_add(rl_preds *p, const char *model, const char *image,
             const rl_class *cls, long rank, rl_err *err)
{
    const char *field;

    return pred_add(p, model, image, cls, rank, &field, err);
}

int
rl_preds_read(rl_preds *p, const rl_catalog *cat, rl_csv *c,
              const char *dflt_model, rl_err *err)
{
    const char *name = rl_csv_name(c);
    int ci, cw, cm, cr, r;

    if (p->nsort != NULL) {
        rl_grow(&p->files, &p->cap_files, p->n_files + 1, sizeof *p->files);
        p->files[p->n_files] = rl_xstrdup(name);
        p->file = (int64_t)p->n_files++;
    }
    if (rl_csv_header(c, err) != 0)
        return -1;
    ci = rl_csv_col(c, "image");
    cw = rl_csv_col(c, "wnid");
    cm = rl_csv_col(c, "model");
    cr = rl_csv_col(c, "rank");
    if (ci < 0 || cw < 0) {
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column '%s' (expected "
                   "image,wnid[,model][,rank])", name,
                   ci < 0 ? "image" : "wnid");
        return -1;
    }
    while ((r = rl_csv_next(c, err)) == 1) {
        const char *img = rl_csv_field(c, (size_t)ci);
        const char *w = rl_csv_field(c, (size_t)cw);
        const char *model = cm >= 0 ? rl_csv_field(c, (size_t)cm)
                            : dflt_model;
        const char *field = "image";
        const rl_class *k;
        long rank = 0;
        rl_err e;

        if (*img == '\0') {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: image: empty image name",
                       name, rl_csv_line(c));
            return -1;
        }
        if (*w == '\0') {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: wnid: empty; expected a "
                       "wnid or class index", name, rl_csv_line(c));
            return -1;
        }
        if ((k = rl_catalog_resolve(cat, w, &e)) == NULL) {
            rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: wnid: %s", name,
                       rl_csv_line(c), e.msg);
            return -1;
        }
        if (model == NULL || *model == '\0') {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: model: empty model name",
                       name, rl_csv_line(c));
            return -1;
        }
        if (cr >= 0 && *rl_csv_field(c, (size_t)cr) != '\0'
            && (rl_parse_long(rl_csv_field(c, (size_t)cr), &rank) != 0
                || rank < 1 || rank > 100000)) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: rank: expected a whole "
                       "number from 1 to 100000, found '%.40s'", name,
                       rl_csv_line(c), rl_csv_field(c, (size_t)cr));
            return -1;
        }
        p->line = rl_csv_line(c);
        if (pred_add(p, model, img, k, rank, &field, &e) != 0) {
            rl_err_set(err, e.code, "%s:%ld: %s: %s", name, rl_csv_line(c),
                       field, e.msg);
            return -1;
        }
    }
    return r < 0 ? -1 : 0;
}

/* Sorted on a scan: the rows again, by image name, model and input
 * order, joined with the scan as a file in name order would be; the
 * first error in input order, an unknown image or a duplicate, goes to
 * `err`: -1; 0 when there is none. The scan is at its end after it. */
static int
nsort_replay(rl_preds *p, rl_err *err)
{
    uint64_t best = UINT64_MAX, skip_model = 0;
    int64_t skip_pos = -1;
    const char *name;
    const void *rec;
    int r;

    while ((r = rl_namesort_next(p->nsort, &name, &rec, err)) == 1) {
        const struct nrow *w = rec;
        const char *field = "image";
        int64_t pos = preds_image(p, name, err);
        rl_err e;

        if (pos == IMAGE_ERR)
            return -1;
        /* In name order a name before the scan's image fell between two
         * images (or after the last): unknown too. */
        if (pos < 0) {
            if (w->at < best) {
                unknown_image(&e, name);
                best = w->at;
                row_err(p, w->at, "image", &e, err);
            }
            continue;
        }
        /* After a duplicate the table would have read no further: the
         * rest of that model's rows on the image do not count. */
        if (pos == skip_pos && w->model == skip_model)
            continue;
        if (pred_at(p, &p->m[w->model], pos, w->cls, (long)w->rank, &field,
                    &e) == 0)
            continue;
        skip_pos = pos;
        skip_model = w->model;
        if (w->at >= best)
            continue;
        best = w->at;
        row_err(p, w->at, field, &e, err);
    }
    if (r < 0)
        return -1;
    return best == UINT64_MAX ? 0 : -1;
}

int
rl_preds_finish(rl_preds *p, rl_err *err)
{
    int rc;

    if (p->nsort != NULL) {
        rl_err e;

        rc = nsort_replay(p, err);
        rl_namesort_free(p->nsort);
        p->nsort = NULL;
        if (rc != 0)
            return rc;
        /* The last images scored, the rest of the project counted. */
        streams_close(p);
        do
            if (scan_next(p->scan, &e) != 0) {
                *err = e;
                return -1;
            }
        while (p->scan->n > 0);
        return 0;
    }
    if (p->scan != NULL) {
        /* The last images scored, the rest of the project counted. */
        streams_close(p);
        do
            if (scan_next(p->scan, err) != 0)
                return -1;
        while (p->scan->n > 0);
    }
    return 0;
}

/* ---- bootstrap ------------------------------------------------------ */

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t
fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    return (h ^ 0xff) * 0x100000001B3ull;    /* separates "ab","c" / "a","bc" */
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void
rl_metrics_bootstrap(long n, long k, int resamples, uint64_t seed,
                     double *out)
{
    uint64_t st = seed, lim;
    int b;

    /* A draw x (32 bits) maps to position floor(x n / 2^32), which is
     * below k exactly when x < ceil(k 2^32 / n): one compare a draw. */
    lim = n > 0 ? (((uint64_t)k << 32) + (uint64_t)n - 1) / (uint64_t)n : 0;
    for (b = 0; b < resamples; b++) {
        long hits = 0, i;

        /* Draw n image positions uniformly (32 bits each, two per call:
         * bias below n / 2^32) and count those among the k hits. */
        for (i = 0; i + 1 < n; i += 2) {
            uint64_t r = splitmix64(&st);

            hits += (r & 0xffffffffu) < lim;
            hits += (r >> 32) < lim;
        }
        if (i < n)
            hits += (splitmix64(&st) >> 32) < lim;
        out[b] = n > 0 ? (double)hits / (double)n : NAN;
    }
    qsort(out, (size_t)resamples, sizeof *out, cmp_double);
}

double
rl_metrics_quantile(const double *x, size_t n, double q)
{
    double h, lo;
    size_t i;

    if (n == 0)
        return NAN;
    h = q * (double)(n - 1);
    lo = floor(h);
    i = (size_t)lo;
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - lo) * (x[i + 1] - x[i]);
}

/* ---- scoring -------------------------------------------------------- */

void
rl_eval_free(rl_eval *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->n; i++) {
        free(e->models[i].sub);
        free(e->models[i].drops);
    }
    free(e->models);
    memset(e, 0, sizeof *e);
}

static double
frac(long k, long n)
{
    return n > 0 ? (double)k / (double)n : NAN;
}

/* Whether state `st` of a class is a hit under `rule`. */
static bool
hit(rl_state st, rl_eval_rule rule)
{
    return st == RL_STATE_CORRECT
           || (rule == RL_EVAL_RULE_TFDS && st == RL_STATE_UNCLEAR);
}

/* Counts one model's `nt` best classes c[] on image `pos` (nt > 0) into
 * `a`: the one place an image is scored, for tables and streams. */
static void
score_image(const rl_truth *t, struct macc *a, size_t pos, const int32_t *c,
            size_t nt, rl_eval_rule rule)
{
    const struct timg *im = timg_at(t, pos);
    int top1 = 0, top5 = 0, ml = -1, mlu = 0, ml5 = 0, tag = -1;
    unsigned mask;
    size_t j, s;

    if (nt == 0)
        return;
    a->scored++;
    if (im->label != 0) {
        top1 = c[0] == im->label;
        for (j = 0; j < nt; j++)
            top5 |= c[j] == im->label;
    }
    if (counted(im, rule)) {
        size_t nl;
        const struct tlab *l = labels_of(t, pos, &nl);
        rl_state st = label_state(l, nl, c[0]);

        ml = hit(st, rule);
        mlu = st == RL_STATE_CORRECT || st == RL_STATE_UNCLEAR;
        for (j = 0; j < nt && !ml5; j++)
            ml5 |= hit(label_state(l, nl, c[j]), rule);
    }
    if (im->tag != 0)
        tag = t->tag_rank[im->tag - 1];
    mask = rl_subset_mask(im->split != 0
                          ? rl_split_name((rl_split)(im->split - 1)) : NULL);
    for (s = 0; s < a->n_sub; s++) {
        rl_score *sc = &a->sub[s];

        if (s < RL_SUBSET_COUNT ? !(mask & 1u << s)
            : tag != (int)(s - RL_SUBSET_COUNT))
            continue;
        if (im->label != 0) {
            sc->n_top++;
            sc->top1_hits += top1;
            sc->top5_hits += top5;
        }
        if (ml >= 0) {
            sc->n_multilabel++;
            sc->ml_hits += ml;
            sc->ml_unclear_hits += mlu;
            sc->ml5_hits += ml5;
            if (im->label != 0 && im->label_idx >= 0
                && im->label_idx < a->n_cls) {
                a->cls_n[s * (size_t)a->n_cls + (size_t)im->label_idx]++;
                a->cls_hit[s * (size_t)a->n_cls + (size_t)im->label_idx]
                    += ml;
            }
        }
    }
}

/* The figures of one model from its counts `acc`: fractions, per-class
 * means, intervals and drops. */
static void
finish_model(const rl_truth *t, const struct macc *acc, const char *name,
             const rl_eval *e, rl_model_eval *me)
{
    size_t n_sub = acc->n_sub, s;
    double **boot = rl_xcalloc(n_sub, sizeof *boot);
    double alpha = (1 - e->level) / 2;
    int B = e->resamples, n_cls = acc->n_cls;

    me->name = name;
    me->scored = acc->scored;
    me->missing = (long)(t->base + t->n) - acc->scored;
    me->n_sub = n_sub;
    me->sub = rl_xcalloc(n_sub, sizeof *me->sub);
    memcpy(me->sub, acc->sub, n_sub * sizeof *me->sub);
    for (s = 0; s < RL_SUBSET_COUNT; s++)
        snprintf(me->sub[s].subset, sizeof me->sub[0].subset, "%s",
                 rl_subset_name((int)s));
    for (s = 0; s < t->n_tags; s++)
        rl_utf8_snprintf(me->sub[RL_SUBSET_COUNT + s].subset,
                         sizeof me->sub[0].subset, "dataset:%s", t->tags[s]);

    for (s = 0; s < n_sub; s++) {
        rl_score *sc = &me->sub[s];
        const long *cn = &acc->cls_n[s * (size_t)n_cls];
        const long *ch = &acc->cls_hit[s * (size_t)n_cls];
        double sum = 0;
        int k;

        /* TFDS's recipe: each class's accuracy, then their mean. */
        for (k = 0; k < n_cls; k++)
            if (cn[k] > 0) {
                sc->n_classes++;
                sum += frac(ch[k], cn[k]);
            }
        sc->per_class_multilabel = sc->n_classes > 0
                                   ? sum / (double)sc->n_classes : NAN;
        sc->top1 = frac(sc->top1_hits, sc->n_top);
        sc->top5 = frac(sc->top5_hits, sc->n_top);
        sc->multilabel = frac(sc->ml_hits, sc->n_multilabel);
        sc->multilabel_unclear = frac(sc->ml_unclear_hits, sc->n_multilabel);
        sc->top5_multilabel = frac(sc->ml5_hits, sc->n_multilabel);
        sc->ci_low = sc->ci_high = NAN;
        if (B > 0 && sc->n_multilabel > 0) {
            uint64_t seed = fnv1a(fnv1a(e->seed ^ 0xcbf29ce484222325ull,
                                        name), sc->subset);

            boot[s] = rl_xcalloc((size_t)B, sizeof **boot);
            rl_metrics_bootstrap(sc->n_multilabel, sc->ml_hits, B, seed,
                                 boot[s]);
            sc->ci_low = rl_metrics_quantile(boot[s], (size_t)B, alpha);
            sc->ci_high = rl_metrics_quantile(boot[s], (size_t)B, 1 - alpha);
        }
    }

    /* The drop from "val" to each other tag. The two subsets' resamples
     * are independent, so pairing the b-th of each (both sorted, which
     * pairs them by rank, not by draw) would understate the spread:
     * unsort one of them with a fixed shuffle first. */
    for (s = 0; s < t->n_tags; s++) {
        size_t v, b;
        rl_drop *d;

        if (strcmp(t->tags[s], "val") != 0)
            continue;
        for (v = 0; v < t->n_tags; v++) {
            const rl_score *a = &me->sub[RL_SUBSET_COUNT + s];
            const rl_score *z = &me->sub[RL_SUBSET_COUNT + v];

            if (v == s)
                continue;
            me->drops = rl_xrealloc(me->drops, (me->n_drops + 1)
                                    * sizeof *me->drops);
            d = &me->drops[me->n_drops++];
            d->from = t->tags[s];
            d->to = t->tags[v];
            d->drop = a->multilabel - z->multilabel;
            d->ci_low = d->ci_high = NAN;
            if (boot[RL_SUBSET_COUNT + s] != NULL
                && boot[RL_SUBSET_COUNT + v] != NULL) {
                double *diff = rl_xcalloc((size_t)B, sizeof *diff);
                uint64_t st = fnv1a(fnv1a(e->seed, name), d->to);
                size_t *perm = rl_xcalloc((size_t)B, sizeof *perm);

                for (b = 0; b < (size_t)B; b++)
                    perm[b] = b;
                for (b = (size_t)B - 1; b > 0; b--) {
                    size_t j = (size_t)(splitmix64(&st) % (b + 1)), tmp;

                    tmp = perm[b];
                    perm[b] = perm[j];
                    perm[j] = tmp;
                }
                for (b = 0; b < (size_t)B; b++)
                    diff[b] = boot[RL_SUBSET_COUNT + s][b]
                              - boot[RL_SUBSET_COUNT + v][perm[b]];
                qsort(diff, (size_t)B, sizeof *diff, cmp_double);
                d->ci_low = rl_metrics_quantile(diff, (size_t)B, alpha);
                d->ci_high = rl_metrics_quantile(diff, (size_t)B, 1 - alpha);
                free(diff);
                free(perm);
            }
        }
    }
    for (s = 0; s < n_sub; s++)
        free(boot[s]);
    free(boot);
}

/* A table: every image's kept classes scored at once. */
static void
eval_table(const rl_truth *t, const struct pmodel *pm, const rl_eval *e,
           rl_model_eval *me)
{
    struct macc a;
    size_t i;

    macc_init(&a, t, truth_n_cls(t));
    for (i = 0; i < t->n; i++)
        score_image(t, &a, i, &pm->cls[i * RL_EVAL_TOPK], pm->n_top[i],
                    e->rule);
    finish_model(t, &a, pm->name, e, me);
    macc_free(&a);
}

/* A stream: the images scored so far, and the one still in the slot. */
static void
eval_stream(const rl_truth *t, const struct pmodel *pm, const rl_eval *e,
            rl_model_eval *me)
{
    struct macc a;

    macc_copy(&a, &pm->acc);
    if (pm->cur >= 0)
        score_image(t, &a, (size_t)pm->cur, pm->cls, pm->n_top[0], e->rule);
    finish_model(t, &a, pm->name, e, me);
    macc_free(&a);
}

void
rl_eval_run(const rl_truth *t, const rl_preds *p, const rl_eval_opts *o,
            rl_eval *out)
{
    size_t m;

    memset(out, 0, sizeof *out);
    out->resamples = o == NULL || o->resamples < 0 ? RL_EVAL_RESAMPLES
                     : o->resamples;
    out->level = o != NULL && o->level > 0 && o->level < 1 ? o->level : 0.95;
    out->seed = o != NULL ? o->seed : RL_EVAL_SEED;
    out->rule = o != NULL ? o->rule : RL_EVAL_RULE_RELABEL;
    /* A stream scored its rows as they came, under its own rule; a
     * sorted one after rl_preds_finish. */
    assert(!p->stream || out->rule == p->rule);
    assert(p->nsort == NULL);
    assert(p->scan == NULL || (p->scan->at_end && p->scan->n == 0));
    out->n = p->n;
    out->models = rl_xcalloc(p->n + 1, sizeof *out->models);
    for (m = 0; m < p->n; m++)
        if (p->stream)
            eval_stream(t, &p->m[m], out, &out->models[m]);
        else
            eval_table(t, &p->m[m], out, &out->models[m]);
}
