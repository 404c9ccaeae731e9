/* consensus.c - combining reviewers' verdicts into one label per pair, and
 * the Dawid-Skene EM fit behind it.
 *
 * Invariants: rl_consensus.pairs is sorted by (image, class) because the
 * review table's primary key is scanned in that order; the votes of a pair
 * are contiguous and ordered by reviewer name, which is also the order of
 * rl_consensus.raters, so rater indices ascend within a pair. Adjudicator
 * verdicts are kept beside the votes, never among them. */
#include "relabel/consensus.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/csv.h"
#include "relabel/file.h"
#include "relabel/runsort.h"
#include "relabel/util.h"
#include "internal.h"

/* ---- rules ---------------------------------------------------------- */

int
rl_consensus_parse(const char *spec, rl_consensus_opts *o, rl_err *err)
{
    memset(o, 0, sizeof *o);
    if (strcmp(spec, "majority") == 0) {
        o->rule = RL_CONSENSUS_MAJORITY;
        return 0;
    }
    if (strncmp(spec, "reviewer:", 9) == 0 && spec[9] != '\0') {
        o->rule = RL_CONSENSUS_REVIEWER;
        o->reviewer = spec + 9;
        return 0;
    }
    if (strcmp(spec, "dawid-skene") == 0) {
        o->rule = RL_CONSENSUS_DAWID_SKENE;
        return 0;
    }
    if (strncmp(spec, "dawid-skene:", 12) == 0) {
        char *end;
        double t = strtod(spec + 12, &end);

        if (end != spec + 12 && *end == '\0' && t > 0 && t <= 1) {
            o->rule = RL_CONSENSUS_DAWID_SKENE;
            o->threshold = t;
            return 0;
        }
        rl_err_set(err, RL_E_USAGE, "dawid-skene threshold must be a number"
                   " in (0, 1], found '%.40s'", spec + 12);
        return -1;
    }
    rl_err_set(err, RL_E_USAGE, "unknown consensus rule '%.60s' (majority, "
               "reviewer:NAME or dawid-skene[:THRESHOLD])", spec);
    return -1;
}

static double
threshold_of(const rl_consensus_opts *o)
{
    return o->threshold > 0 ? o->threshold : RL_DS_THRESHOLD;
}

void
rl_consensus_describe(const rl_consensus_opts *o, char *buf, size_t size)
{
    switch (o->rule) {
    case RL_CONSENSUS_REVIEWER:
        snprintf(buf, size, "reviewer:%s", o->reviewer);
        break;
    case RL_CONSENSUS_DAWID_SKENE:
        snprintf(buf, size, "dawid-skene (threshold %g)", threshold_of(o));
        break;
    default:
        snprintf(buf, size, "majority");
    }
}

rl_state
rl_consensus_majority(const int n[RL_STATE_COUNT])
{
    int best = 0, i, ties = 0;
    rl_state st = RL_STATE_NONE;

    /* Same rule as the wide export: plurality, a tie is Unclear. */
    for (i = RL_STATE_CORRECT; i < RL_STATE_COUNT; i++) {
        if (n[i] > best) {
            best = n[i];
            st = (rl_state)i;
            ties = 0;
        } else if (n[i] == best && best > 0) {
            ties++;
        }
    }
    return ties > 0 ? RL_STATE_UNCLEAR : st;
}

/* ---- the EM engine --------------------------------------------------- */

void
rl_ds_model_free(rl_ds_model *m)
{
    if (m == NULL)
        return;
    free(m->confusion);
    memset(m, 0, sizeof *m);
}

/* log(exp(a) + exp(b)) without overflow. */
static double
logadd(double a, double b)
{
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* The M step's prior: P(correct) from the posteriors, add-one smoothed. */
static double
ds_prior_of(double sum, size_t n_items)
{
    return (sum + 1) / ((double)n_items + 2);
}

static double
ds_prior(const double *post, size_t n_items)
{
    double sum = 0;
    size_t i;

    for (i = 0; i < n_items; i++)
        sum += post[i];
    return ds_prior_of(sum, n_items);
}

/* The M step's end: every rater's counts per truth made probabilities
 * (`conf`) and their logs (`lconf`). */
static void
ds_normalize(double *conf, double *lconf, size_t n_raters, size_t n_answers)
{
    size_t k, a;

    for (k = 0; k < n_raters * 2; k++) {
        double tot = 0;

        for (a = 0; a < n_answers; a++)
            tot += conf[k * n_answers + a];
        for (a = 0; a < n_answers; a++) {
            conf[k * n_answers + a] /= tot;
            lconf[k * n_answers + a] = log(conf[k * n_answers + a]);
        }
    }
}

/* Done when no posterior moves, or when the likelihood is flat: a
 * degenerate fit (one rater) can drift forever by 1e-7. */
static bool
ds_converged(double delta, double tol, int it, double loglik, double last)
{
    return delta < tol
           || (it > 2 && fabs(loglik - last) <= 1e-10 * fabs(loglik));
}

/* Fills `m`, which takes `conf`. */
static void
ds_model_set(rl_ds_model *m, size_t n_raters, size_t n_answers,
             double prior, double *conf, int it, bool converged,
             double loglik)
{
    memset(m, 0, sizeof *m);
    m->n_raters = n_raters;
    m->n_answers = n_answers;
    m->prior = prior;
    m->confusion = conf;
    m->iterations = it;
    m->converged = converged;
    m->loglik = loglik;
}

int
rl_consensus_ds_fit(const rl_ds_obs *obs, size_t n_obs, size_t n_items,
                    size_t n_raters, size_t n_answers, const rl_ds_opts *o,
                    double *post, rl_ds_model *m, rl_err *err)
{
    int max_iter = o != NULL && o->max_iter > 0 ? o->max_iter : RL_DS_MAX_ITER;
    double tol = o != NULL && o->tol > 0 ? o->tol : RL_DS_TOL;
    double alpha = o != NULL && o->smoothing > 0 ? o->smoothing : 0.01;
    size_t ncell = n_raters * 2 * n_answers, i, k;
    double *conf, *lconf, *l0, *l1, prior = 0.5, loglik = 0, last = 0;
    int it = 0;
    bool converged = false;

    for (k = 0; k < n_obs; k++)
        if (obs[k].item >= n_items || obs[k].rater >= n_raters
            || obs[k].answer >= n_answers) {
            rl_err_set(err, RL_E_RANGE, "observation %zu out of range "
                       "(item %u, rater %u, answer %u)", k, obs[k].item,
                       obs[k].rater, obs[k].answer);
            return -1;
        }
    conf = rl_xcalloc(ncell + 1, sizeof *conf);
    lconf = rl_xcalloc(ncell + 1, sizeof *lconf);
    l0 = rl_xcalloc(n_items + 1, sizeof *l0);
    l1 = rl_xcalloc(n_items + 1, sizeof *l1);

    while (it < max_iter && !converged) {
        double delta = 0;

        /* M step: the prior and every rater's P(answer | truth), from the
         * current posteriors; a small pseudo-count keeps logs finite. */
        prior = ds_prior(post, n_items);
        for (k = 0; k < ncell; k++)
            conf[k] = alpha;
        for (k = 0; k < n_obs; k++) {
            const rl_ds_obs *ob = &obs[k];
            double q = post[ob->item];
            size_t base = (size_t)ob->rater * 2 * n_answers + ob->answer;

            conf[base] += ob->count * (1 - q);
            conf[base + n_answers] += ob->count * q;
        }
        ds_normalize(conf, lconf, n_raters, n_answers);

        /* E step: each item's posterior given its answers. */
        for (i = 0; i < n_items; i++) {
            l0[i] = log1p(-prior);
            l1[i] = log(prior);
        }
        for (k = 0; k < n_obs; k++) {
            const rl_ds_obs *ob = &obs[k];
            size_t base = (size_t)ob->rater * 2 * n_answers + ob->answer;

            l0[ob->item] += ob->count * lconf[base];
            l1[ob->item] += ob->count * lconf[base + n_answers];
        }
        loglik = 0;
        for (i = 0; i < n_items; i++) {
            double q = 1 / (1 + exp(l0[i] - l1[i]));

            if (fabs(q - post[i]) > delta)
                delta = fabs(q - post[i]);
            post[i] = q;
            loglik += logadd(l0[i], l1[i]);
        }
        it++;
        converged = ds_converged(delta, tol, it, loglik, last);
        last = loglik;
    }
    if (m != NULL) {
        ds_model_set(m, n_raters, n_answers, prior, conf, it, converged,
                     loglik);
        conf = NULL;
    }
    free(conf);
    free(lconf);
    free(l0);
    free(l1);
    return 0;
}

/* ---- project reviews ------------------------------------------------ */

/* A read snapshot unless the caller holds a transaction already. */
static bool
read_begin(rl_store *s)
{
    return s->depth == 0 && store_exec(s, "BEGIN", NULL) == 0;
}

static void
read_end(rl_store *s, bool began)
{
    if (began)
        store_exec(s, "COMMIT", NULL);
}

void
rl_consensus_free(rl_consensus *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n_raters; i++)
        free(c->raters[i]);
    free(c->raters);
    free(c->pairs);
    free(c->images);
    free(c->votes);
    free(c->confusion);
    memset(c, 0, sizeof *c);
}

const rl_cpair *
rl_consensus_find(const rl_consensus *c, int64_t image, int64_t cls)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rl_cpair *p = &c->pairs[mid];

        if (p->image < image || (p->image == image && p->cls < cls))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n && c->pairs[lo].image == image && c->pairs[lo].cls == cls)
        return &c->pairs[lo];
    return NULL;
}

const rl_cpair *
rl_consensus_pairs_of(const rl_consensus *c, int64_t image, size_t *n)
{
    size_t lo = 0, hi = c->n, end;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c->pairs[mid].image < image)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (end = lo; end < c->n && c->pairs[end].image == image; end++)
        ;
    *n = end - lo;
    return end > lo ? c->pairs + lo : NULL;
}

const rl_cimage *
rl_consensus_image(const rl_consensus *c, int64_t image)
{
    size_t lo = 0, hi = c->n_images;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c->images[mid].image < image)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_images && c->images[lo].image == image ? &c->images[lo]
                                                            : NULL;
}

/* Whether the rule made class `cls` Correct on `image`. */
static bool
is_correct(const rl_consensus *c, int64_t image, int64_t cls)
{
    const rl_cpair *p = rl_consensus_find(c, image, cls);

    return p != NULL && p->state == RL_STATE_CORRECT;
}

/* The image flags are read after the pairs are decided, by image, then
 * main class in class index order (so the first of the most voted is the
 * lowest index): one row at a time into a flag_acc. A reviewer is an
 * adjudicator on an image when any of their verdicts on it is an
 * adjudication: their main mark is no vote, it settles the main object
 * (the latest such mark, when it is a Correct class) as their verdicts
 * settle states. */
struct flag_acc {
    size_t cap;            /* of c->images */
    int64_t cls;           /* the main class being counted, 0 none */
    int votes;             /* its reviewers' votes so far */
    int64_t adj_main;      /* the image's latest adjudicator main, 0 none */
    int64_t adj_at;        /* that mark's time */
    int adj_votes;         /* reviewers' votes for adj_main */
};

/* The SQL of the flag rows; ?1 reviewer:NAME or NULL. With `by_name`
 * images come in name order (the scan's), else by id. Column 3: the
 * reviewer adjudicated on the image (review_reviewer finds it). */
#define SQL_FLAGS(from, order) \
    "SELECT f.image, f.main, f.problematic, EXISTS (SELECT 1 FROM review a" \
    " WHERE a.reviewer = f.reviewer AND a.image = f.image" \
    " AND a.role = 'adjudicator'), f.updated_at FROM " from \
    " LEFT JOIN class k ON k.id = f.main" \
    " WHERE ?1 IS NULL OR f.reviewer = ?1" \
    " ORDER BY " order "k.idx IS NULL, k.idx, f.main"

/* Ends the run of one main class: does it beat the image's best? */
static void
flag_run_end(rl_consensus *c, struct flag_acc *a)
{
    rl_cimage *im = c->n_images > 0 ? &c->images[c->n_images - 1] : NULL;

    if (im != NULL && a->cls != 0 && a->votes > im->main_votes
        && is_correct(c, im->image, a->cls)) {
        im->main = a->cls;
        im->main_votes = a->votes;
    }
    if (a->cls != 0 && a->cls == a->adj_main)
        a->adj_votes = a->votes;
    a->cls = 0;
    a->votes = 0;
}

/* Ends the image: its last run, then an adjudicator's main object over
 * the reviewers' vote. */
static void
flag_image_end(rl_consensus *c, struct flag_acc *a)
{
    rl_cimage *im = c->n_images > 0 ? &c->images[c->n_images - 1] : NULL;

    flag_run_end(c, a);
    if (im != NULL && a->adj_main != 0
        && is_correct(c, im->image, a->adj_main)) {
        im->main = a->adj_main;
        im->main_votes = a->adj_votes;
    }
    a->adj_main = 0;
    a->adj_at = 0;
    a->adj_votes = 0;
}

/* One flag row of SQL_FLAGS. */
static void
flag_row(rl_consensus *c, struct flag_acc *a, sqlite3_stmt *st)
{
    int64_t img = sqlite3_column_int64(st, 0);
    int64_t m = sqlite3_column_int64(st, 1);    /* NULL reads as 0 */
    rl_cimage *im = c->n_images > 0 ? &c->images[c->n_images - 1] : NULL;

    if (im != NULL && im->image != img)
        flag_image_end(c, a);
    else if (m != a->cls)
        flag_run_end(c, a);
    if (im == NULL || im->image != img) {
        rl_grow(&c->images, &a->cap, c->n_images + 1, sizeof *c->images);
        im = &c->images[c->n_images++];
        memset(im, 0, sizeof *im);
        im->image = img;
    }
    im->problematic |= sqlite3_column_int(st, 2) != 0;
    if (m != 0) {
        int64_t at = sqlite3_column_int64(st, 4);

        a->cls = m;
        if (!sqlite3_column_int(st, 3))
            a->votes++;
        else if (a->adj_main == 0 || at >= a->adj_at) {
            a->adj_main = m;
            a->adj_at = at;
        }
        im->n_main++;
    }
}

static void
bind_who(sqlite3_stmt *st, const rl_consensus_opts *o)
{
    if (o->rule == RL_CONSENSUS_REVIEWER)
        sqlite3_bind_text(st, 1, o->reviewer, -1, SQLITE_STATIC);
}

static int
load_images(rl_store *s, const rl_consensus_opts *o, rl_consensus *c,
            rl_err *err)
{
    sqlite3_stmt *st;
    struct flag_acc a = {0};
    int r;

    if (sqlite3_prepare_v2(s->db, SQL_FLAGS("flag f", "f.image, "), -1, &st,
                           NULL) != SQLITE_OK) {
        store_dberr(s, err, "reading flags");
        return -1;
    }
    bind_who(st, o);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        flag_row(c, &a, st);
    flag_image_end(c, &a);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "reading flags");
        return -1;
    }
    return 0;
}

static int
load_raters(rl_store *s, rl_consensus *c, rl_strmap *idx, rl_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int r;

    /* From their counters (DISTINCT over review, which has no index by
     * reviewer, took 2.3 s at 9.4M verdicts); a vote whose rater they
     * miss fails its reading (vote_row), never counts for another. */
    if (sqlite3_prepare_v2(s->db, SQL_REVIEWERS " ORDER BY reviewer", -1,
                           &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "reading reviewers");
        return -1;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);

        rl_grow(&c->raters, &cap, c->n_raters + 1, sizeof *c->raters);
        c->raters[c->n_raters] = rl_xstrdup(name);
        rl_strmap_put(idx, name, (int64_t)c->n_raters);
        c->n_raters++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "reading reviewers");
        return -1;
    }
    return 0;
}

/* Reviews come by image, class, reviewer, one row at a time into a
 * vote_acc: pairs and votes; adjudications set aside. */
struct vote_acc {
    size_t cap_p, cap_v;   /* of c->pairs, c->votes */
    int64_t adj_at;        /* time of the pair's adjudication so far */
    bool unknown;          /* a row's reviewer is not among the raters */
};

/* The error of a reading whose vote_acc met an unknown rater: the
 * counters the raters come from drifted from the tables. -1. */
static int
raters_drifted(rl_store *s, rl_err *err)
{
    rl_err_set(err, RL_E_DB, "%s: a verdict's reviewer is missing from the "
               "statistics counters, which drifted from the tables; "
               "`relabel --db %s check --recount` recounts them",
               rl_store_path(s), rl_store_path(s));
    return -1;
}

/* The SQL of the review rows, by image, class, reviewer. */
#define SQL_REVIEWS(from, order) \
    "SELECT r.image, r.class, r.reviewer, r.state," \
    " r.role = 'adjudicator', r.updated_at FROM " from \
    " ORDER BY " order "r.class, r.reviewer"

static void
vote_row(rl_consensus *c, struct vote_acc *a, const rl_strmap *idx,
         sqlite3_stmt *st)
{
    int64_t img = sqlite3_column_int64(st, 0);
    int64_t cls = sqlite3_column_int64(st, 1);
    const char *who = (const char *)sqlite3_column_text(st, 2);
    int64_t rater = rl_strmap_get(idx, who, -1);
    rl_state state;
    rl_cpair *p;

    if (rl_state_parse((const char *)sqlite3_column_text(st, 3), &state)
        != 0)
        return;    /* the CHECK constraint makes this unreachable */
    if (rater < 0) {
        a->unknown = true;
        return;
    }
    if (c->n == 0 || c->pairs[c->n - 1].image != img
        || c->pairs[c->n - 1].cls != cls) {
        rl_grow(&c->pairs, &a->cap_p, c->n + 1, sizeof *c->pairs);
        p = &c->pairs[c->n++];
        memset(p, 0, sizeof *p);
        p->image = img;
        p->cls = cls;
        p->first = c->n_votes;
        p->adjudicator = -1;
    }
    p = &c->pairs[c->n - 1];
    if (sqlite3_column_int(st, 4)) {
        int64_t at = sqlite3_column_int64(st, 5);

        if (p->adjudicator < 0 || at >= a->adj_at) {
            p->adjudicated = state;
            p->adjudicator = (int32_t)rater;
            a->adj_at = at;
        }
        return;
    }
    rl_grow(&c->votes, &a->cap_v, c->n_votes + 1, sizeof *c->votes);
    c->votes[c->n_votes].rater = (uint32_t)rater;
    c->votes[c->n_votes].state = state;
    c->n_votes++;
    p->n_votes++;
    if (p->n_votes > 1 && p->n[state] == 0)
        p->disagree = true;
    p->n[state]++;
}

static int
load_votes(rl_store *s, rl_consensus *c, const rl_strmap *idx, rl_err *err)
{
    sqlite3_stmt *st;
    struct vote_acc a = {0};
    int r;

    if (sqlite3_prepare_v2(s->db, SQL_REVIEWS("review r", "r.image, "), -1,
                           &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "reading reviews");
        return -1;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        vote_row(c, &a, idx, st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "reading reviews");
        return -1;
    }
    return a.unknown ? raters_drifted(s, err) : 0;
}

static void
apply_majority(rl_consensus *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        rl_cpair *p = &c->pairs[i];

        p->state = rl_consensus_majority(p->n);
        p->p_correct = p->n_votes > 0
                       ? (double)p->n[RL_STATE_CORRECT] / p->n_votes : 0;
    }
}

static void
apply_reviewer(rl_consensus *c, uint32_t who)
{
    size_t i, k;

    for (i = 0; i < c->n; i++) {
        rl_cpair *p = &c->pairs[i];

        p->state = RL_STATE_NONE;
        for (k = p->first; k < p->first + p->n_votes; k++)
            if (c->votes[k].rater == who)
                p->state = c->votes[k].state;
        p->p_correct = p->state == RL_STATE_CORRECT;
    }
}

/* The fit starts from the majority vote: Correct 1, Wrong 0, anything
 * else (a tie, Unclear, Don't know) undecided. */
static double
ds_start(const rl_cpair *p)
{
    rl_state maj = rl_consensus_majority(p->n);

    return maj == RL_STATE_CORRECT ? 1 : maj == RL_STATE_WRONG ? 0 : 0.5;
}

/* The pairs of `c` decided by their fitted posteriors post[0 .. c->n). */
static void
ds_states(rl_consensus *c, const double *post, double thr)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        rl_cpair *p = &c->pairs[i];

        p->p_correct = post[i];
        if (p->n_votes > 0 && p->n[RL_STATE_DONT_KNOW] == (int)p->n_votes)
            p->state = RL_STATE_DONT_KNOW;
        else if (p->n_votes == 0)
            p->state = RL_STATE_NONE;
        else if (post[i] >= thr)
            p->state = RL_STATE_CORRECT;
        else if (post[i] <= 1 - thr)
            p->state = RL_STATE_WRONG;
        else
            p->state = RL_STATE_UNCLEAR;
    }
}

static int
apply_dawid_skene(rl_consensus *c, const rl_consensus_opts *o, rl_err *err)
{
    rl_ds_opts dso = { o->max_iter, o->tol, 0 };
    rl_ds_obs *obs = rl_xcalloc(c->n_votes + 1, sizeof *obs);
    double *post = rl_xcalloc(c->n + 1, sizeof *post);
    double thr = threshold_of(o);
    rl_ds_model m;
    size_t i, k;

    for (i = 0; i < c->n; i++) {
        const rl_cpair *p = &c->pairs[i];

        post[i] = ds_start(p);
        for (k = p->first; k < p->first + p->n_votes; k++) {
            obs[k].item = (uint32_t)i;
            obs[k].rater = c->votes[k].rater;
            obs[k].answer = (uint32_t)c->votes[k].state - 1;
            obs[k].count = 1;
        }
    }
    if (rl_consensus_ds_fit(obs, c->n_votes, c->n, c->n_raters,
                            RL_STATE_COUNT - 1, &dso, post, &m, err) != 0) {
        free(obs);
        free(post);
        return -1;
    }
    ds_states(c, post, thr);
    c->prior = m.prior;
    c->confusion = m.confusion;
    c->iterations = m.iterations;
    c->converged = m.converged;
    free(obs);
    free(post);
    return 0;
}

/* The rule on the pairs of `c`, then the adjudications over it. Under
 * dawid-skene `fitted`, when not NULL, holds the pairs' posteriors of a
 * fit already run (the scan's); otherwise the fit runs on `c`. */
static int
apply_rule(rl_consensus *c, const rl_consensus_opts *o, const rl_strmap *idx,
           const double *fitted, rl_err *err)
{
    size_t i;

    switch (o->rule) {
    case RL_CONSENSUS_REVIEWER: {
        int64_t who = rl_strmap_get(idx, o->reviewer, -1);

        if (who < 0) {
            char *safe = rl_utf8_sanitize(o->reviewer);

            rl_err_set(err, RL_E_NOTFOUND, "no reviews by '%.60s'", safe);
            free(safe);
            return -1;
        }
        apply_reviewer(c, (uint32_t)who);
        break;
    }
    case RL_CONSENSUS_DAWID_SKENE:
        if (fitted != NULL)
            ds_states(c, fitted, threshold_of(o));
        else if (apply_dawid_skene(c, o, err) != 0)
            return -1;
        break;
    default:
        apply_majority(c);
    }

    /* An adjudicator's verdict is final under every rule. */
    for (i = 0; i < c->n; i++) {
        rl_cpair *p = &c->pairs[i];

        if (p->adjudicated != RL_STATE_NONE) {
            p->state = p->adjudicated;
            p->p_correct = p->adjudicated == RL_STATE_CORRECT;
        }
    }
    return 0;
}

int
rl_consensus_compute(rl_store *s, const rl_consensus_opts *o,
                     rl_consensus *out, rl_err *err)
{
    rl_strmap idx = {0};
    bool began = read_begin(s);
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (load_raters(s, out, &idx, err) != 0
        || load_votes(s, out, &idx, err) != 0)
        goto out;
    if (apply_rule(out, o, &idx, NULL, err) != 0)
        goto out;
    if (load_images(s, o, out, err) != 0)
        goto out;
    rc = 0;
out:
    read_end(s, began);
    rl_strmap_free(&idx);
    if (rc != 0)
        rl_consensus_free(out);
    return rc;
}

/* ---- image by image -------------------------------------------------- */

/* Under dawid-skene the scan fits before it hands out an image, in memory
 * that does not hold the votes: one pass over the reviews in the review
 * table's key order (image id, class, reviewer: the order of
 * rl_consensus_compute's pairs and so of its fit) writes each vote as a
 * ds_rec to a temporary file and each pair's starting posterior to a
 * second one (ds_posts, 8 bytes a pair); every EM iteration then reads
 * the posteriors once (the prior), the records and posteriors together
 * twice (M step, E step; the E step writes the posteriors back), adding
 * in the order the in-memory fit adds, so the posteriors, the iterations
 * and the model are the same to the bit. Each reviewed image's place in
 * the posteriors (a ds_at) waits in an external sort by image id; merged
 * with the images' ids in name order (a second sort by id, of
 * SELECT id FROM image ORDER BY name) it goes to a third sort by name
 * order, which the scan reads as it goes: memory is DS_BUF-sized windows,
 * the sorts' buffers (ORDER_MEM each, on disk past them) and the
 * confusion matrices (raters x 2 x 4 doubles, twice), none of it growing
 * with the images. The scan then reads the reviews again in name order
 * as the other rules do, and an image reads its pairs' posteriors from
 * the file at the place the sort by name hands it (ds_fitted). */

/* Where a reviewed image's posteriors are, 32 bytes: keyed by image id
 * while the fit writes them, by name order for the scan. */
struct ds_at {
    uint64_t key;          /* image id, then its place in name order */
    int64_t image;         /* image id */
    uint64_t first;        /* index of its first pair's posterior */
    uint64_t n;            /* its pairs */
};

#define ORDER_MEM (2u << 20)   /* bytes each sort of ds_at buffers */

struct ds_rec {
    uint32_t item;         /* pair index, in key order */
    uint32_t cell;         /* confusion cell: (rater * 2) * 4 + answer */
};

#define DS_BUF 4096        /* records, or posteriors, read at a time */

struct ds_file {
    FILE *f;               /* the records, unlinked at creation */
    size_t n;              /* records written */
    struct ds_rec *buf;    /* read buffer, DS_BUF records */
    size_t have, at;       /* records in buf, the next one */
};

/* The posteriors in a file, in pair (key) order, through a window of
 * DS_BUF: a pass visits them in ascending order. */
struct ds_posts {
    FILE *f;               /* n doubles, unlinked at creation */
    size_t n;              /* posteriors written */
    double *buf;           /* the window: posteriors [lo, lo + have) */
    size_t lo, have;
    bool dirty;            /* the window changed since it was read */
    bool failed;           /* a read or a write failed */
};

struct rl_consensus_scan {
    rl_store *s;           /* borrowed */
    rl_consensus_opts o;   /* the rule (reviewer borrowed) */
    rl_consensus all;      /* only the raters (dawid-skene: and the fit's
                              prior, iterations, converged) */
    rl_strmap idx;         /* rater name -> index */
    sqlite3_stmt *rev;     /* reviews in image name order */
    sqlite3_stmt *flg;     /* flags in image name order */
    int rr, rf;            /* their last sqlite3_step */
    rl_consensus cur;      /* the current image (raters not owned: they
                              are all's) */
    struct vote_acc va;    /* capacities of cur */
    struct flag_acc fa;
    /* dawid-skene only (else NULL / 0): */
    struct ds_posts posts; /* fitted P(correct) per pair, key order */
    double *fitted;        /* the current image's, read from posts */
    size_t cap_fitted;
    rl_runsort *at;        /* the ds_at of the reviewed images, by id
                              while fitting, then by name order */
    const struct ds_at *next;  /* the next one in name order, borrowed
                                  from `at`; NULL when none is read */
    bool at_end;           /* `at` is read to its end */
};

static int
ds_file_err(rl_err *err)
{
    rl_err_set(err, RL_E_IO, "dawid-skene: temporary file: %s",
               strerror(errno));
    return -1;
}

static void
posts_flush(struct ds_posts *p)
{
    size_t len = p->have * sizeof *p->buf;

    if (p->dirty && pwrite(fileno(p->f), p->buf, len,
                           (off_t)(p->lo * sizeof *p->buf)) != (ssize_t)len)
        p->failed = true;
    p->dirty = false;
}

/* Posterior i, of the window moved on to it when it is past its end. */
static double *
posts_at(struct ds_posts *p, size_t i)
{
    assert(i < p->n && i >= p->lo);
    if (i >= p->lo + p->have) {
        size_t len;

        posts_flush(p);
        p->lo = i;
        p->have = p->n - i < DS_BUF ? p->n - i : DS_BUF;
        len = p->have * sizeof *p->buf;
        if (pread(fileno(p->f), p->buf, len, (off_t)(i * sizeof *p->buf))
            != (ssize_t)len) {
            memset(p->buf, 0, len);
            p->failed = true;
        }
    }
    return &p->buf[i - p->lo];
}

/* Ends a pass: the window written back, the next pass from 0. */
static void
posts_rewind(struct ds_posts *p)
{
    posts_flush(p);
    p->lo = p->have = 0;
}

static void
ds_rewind(struct ds_file *d)
{
    rewind(d->f);
    d->have = d->at = 0;
}

/* The next record, or NULL at the end (or on a read error: ferror). */
static const struct ds_rec *
ds_peek(struct ds_file *d)
{
    if (d->at == d->have) {
        d->have = fread(d->buf, sizeof *d->buf, DS_BUF, d->f);
        d->at = 0;
        if (d->have == 0)
            return NULL;
    }
    return &d->buf[d->at];
}

/* Fits the two-class model to the records of `d` (grouped by item,
 * ascending) as rl_consensus_ds_fit does to the same observations with
 * count 1 in the same order: the same sums in the same order. `ps` holds
 * the starting posteriors on entry, the fitted ones on return; `m` is
 * filled. -1 with RL_E_IO when a file fails. */
static int
ds_fit_file(struct ds_file *d, struct ds_posts *ps, size_t n_raters,
            const rl_ds_opts *o, rl_ds_model *m, rl_err *err)
{
    size_t n_items = ps->n;
    const size_t na = RL_STATE_COUNT - 1;
    int max_iter = o->max_iter > 0 ? o->max_iter : RL_DS_MAX_ITER;
    double tol = o->tol > 0 ? o->tol : RL_DS_TOL;
    double alpha = o->smoothing > 0 ? o->smoothing : 0.01;
    size_t ncell = n_raters * 2 * na, i, k;
    double *conf = rl_xcalloc(ncell + 1, sizeof *conf);
    double *lconf = rl_xcalloc(ncell + 1, sizeof *lconf);
    double prior = 0.5, loglik = 0, last = 0;
    const struct ds_rec *r;
    int it = 0;
    bool converged = false;

    while (it < max_iter && !converged) {
        double delta = 0, sum = 0;

        /* M step. */
        for (i = 0; i < n_items; i++)
            sum += *posts_at(ps, i);
        posts_rewind(ps);
        prior = ds_prior_of(sum, n_items);
        for (k = 0; k < ncell; k++)
            conf[k] = alpha;
        ds_rewind(d);
        while ((r = ds_peek(d)) != NULL) {
            double q = *posts_at(ps, r->item);

            conf[r->cell] += 1u * (1 - q);
            conf[r->cell + na] += 1u * q;
            d->at++;
        }
        posts_rewind(ps);
        if (ferror(d->f) || ps->failed)
            goto fail;
        ds_normalize(conf, lconf, n_raters, na);

        /* E step, an item at a time: its records are contiguous. */
        ds_rewind(d);
        r = ds_peek(d);
        loglik = 0;
        for (i = 0; i < n_items; i++) {
            double l0 = log1p(-prior), l1 = log(prior), q;
            double *post = posts_at(ps, i);

            for (; r != NULL && r->item == i; r = ds_peek(d)) {
                l0 += 1u * lconf[r->cell];
                l1 += 1u * lconf[r->cell + na];
                d->at++;
            }
            q = 1 / (1 + exp(l0 - l1));
            if (fabs(q - *post) > delta)
                delta = fabs(q - *post);
            *post = q;
            ps->dirty = true;
            loglik += logadd(l0, l1);
        }
        posts_rewind(ps);
        if (ferror(d->f) || ps->failed)
            goto fail;
        assert(r == NULL);
        it++;
        converged = ds_converged(delta, tol, it, loglik, last);
        last = loglik;
    }
    ds_model_set(m, n_raters, na, prior, conf, it, converged, loglik);
    free(lconf);
    return 0;
fail:
    free(conf);
    free(lconf);
    return ds_file_err(err);
}

/* The pairs of one image (in sc->cur) to the fit's input: their starting
 * posteriors, their votes to `d`, the image to the index. */
static int
ds_add_image(rl_consensus_scan *sc, struct ds_file *d, rl_err *err)
{
    const rl_consensus *c = &sc->cur;
    size_t i, k;
    double start;

    if (c->n == 0)
        return 0;
    if (sc->posts.n + c->n > UINT32_MAX) {
        rl_err_set(err, RL_E_RANGE, "dawid-skene: more than %lu reviewed "
                   "pairs", (unsigned long)UINT32_MAX);
        return -1;
    }
    {
        struct ds_at a;

        a.key = (uint64_t)c->pairs[0].image;
        a.image = c->pairs[0].image;
        a.first = sc->posts.n;
        a.n = c->n;
        if (rl_runsort_add(sc->at, &a, err) != 0)
            return -1;
    }
    for (i = 0; i < c->n; i++) {
        const rl_cpair *p = &c->pairs[i];

        for (k = p->first; k < p->first + p->n_votes; k++) {
            struct ds_rec r;

            r.item = (uint32_t)sc->posts.n;
            r.cell = c->votes[k].rater * 2 * (RL_STATE_COUNT - 1)
                     + (uint32_t)c->votes[k].state - 1;
            if (fwrite(&r, sizeof r, 1, d->f) != 1)
                return ds_file_err(err);
            d->n++;
        }
        start = ds_start(p);
        if (fwrite(&start, sizeof start, 1, sc->posts.f) != 1)
            return ds_file_err(err);
        sc->posts.n++;
    }
    return 0;
}

/* Re-sorts sc->at (by image id) by the images' places in name order: the
 * two sorts by id merged, every reviewed image given its place. */
static int
ds_order(rl_consensus_scan *sc, rl_err *err)
{
    rl_runsort *ids = rl_runsort_new_keyed(2 * sizeof(uint64_t), 1,
                                           ORDER_MEM);
    rl_runsort *by_name = rl_runsort_new_keyed(sizeof(struct ds_at), 1,
                                               ORDER_MEM);
    sqlite3_stmt *st = NULL;
    const void *x, *y = NULL;
    uint64_t seq = 0;
    int r, ry = 1, rc = -1;

    if (sqlite3_prepare_v2(sc->s->db, "SELECT id FROM image ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t rec[2];

        rec[0] = (uint64_t)sqlite3_column_int64(st, 0);
        rec[1] = seq++;
        if (rl_runsort_add(ids, rec, err) != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        goto dberr;
    /* Both by id: each reviewed image meets its place. */
    while ((r = rl_runsort_next(ids, &x, err)) == 1) {
        const uint64_t *rec = x;
        struct ds_at a;

        while (ry == 1 && (y == NULL
                           || ((const struct ds_at *)y)->key < rec[0]))
            ry = rl_runsort_next(sc->at, &y, err);
        if (ry < 0)
            goto out;
        if (ry == 0)
            break;
        if (((const struct ds_at *)y)->key != rec[0])
            continue;
        a = *(const struct ds_at *)y;
        a.key = rec[1];
        if (rl_runsort_add(by_name, &a, err) != 0)
            goto out;
        y = NULL;
    }
    if (r < 0)
        goto out;
    rl_runsort_free(sc->at);
    sc->at = by_name;
    by_name = NULL;
    rc = 0;
    goto out;
dberr:
    store_dberr(sc->s, err, "reading images");
out:
    sqlite3_finalize(st);
    rl_runsort_free(ids);
    rl_runsort_free(by_name);
    return rc;
}

/* The fit behind a dawid-skene scan: sc->posts, sc->at, sc->all's
 * model figures. */
static int
ds_prepare(rl_consensus_scan *sc, rl_err *err)
{
    rl_ds_opts dso = { sc->o.max_iter, sc->o.tol, 0 };
    struct ds_file d = {0};
    rl_consensus *c = &sc->cur;
    rl_ds_model m;
    sqlite3_stmt *st = NULL;
    int r, rc = -1;

    if (sqlite3_prepare_v2(sc->s->db, SQL_REVIEWS("review r", "r.image, "),
                           -1, &st, NULL) != SQLITE_OK) {
        store_dberr(sc->s, err, "reading reviews");
        return -1;
    }
    sc->at = rl_runsort_new_keyed(sizeof(struct ds_at), 1, ORDER_MEM);
    if ((d.f = rl_file_tmp("dawid-skene: a temporary file", err)) == NULL
        || (sc->posts.f = rl_file_tmp("dawid-skene: a temporary file",
                                      err)) == NULL)
        goto out;
    /* Image by image in key order, through the same vote_row as the
     * whole computation. */
    c->n = c->n_votes = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (c->n > 0 && c->pairs[0].image != sqlite3_column_int64(st, 0)) {
            if (ds_add_image(sc, &d, err) != 0)
                goto out;
            c->n = c->n_votes = 0;
        }
        vote_row(c, &sc->va, &sc->idx, st);
    }
    if (r != SQLITE_DONE) {
        store_dberr(sc->s, err, "reading reviews");
        goto out;
    }
    if (sc->va.unknown) {
        raters_drifted(sc->s, err);
        goto out;
    }
    if (ds_add_image(sc, &d, err) != 0)
        goto out;
    c->n = c->n_votes = 0;
    if (fflush(d.f) != 0 || fflush(sc->posts.f) != 0) {
        ds_file_err(err);
        goto out;
    }
    d.buf = rl_xcalloc(DS_BUF, sizeof *d.buf);
    sc->posts.buf = rl_xcalloc(DS_BUF, sizeof *sc->posts.buf);
    if (ds_fit_file(&d, &sc->posts, sc->all.n_raters, &dso, &m, err) != 0
        || ds_order(sc, err) != 0)
        goto out;
    sc->all.prior = m.prior;
    sc->all.iterations = m.iterations;
    sc->all.converged = m.converged;
    rl_ds_model_free(&m);
    rc = 0;
out:
    sqlite3_finalize(st);
    if (d.f != NULL)
        fclose(d.f);
    free(d.buf);
    return rc;
}

/* Image `image`'s posteriors into sc->fitted, and how many pairs the fit
 * gave it. -1 with RL_E_IO when the file fails. */
static int
ds_fitted(rl_consensus_scan *sc, int64_t image, size_t *n, rl_err *err)
{
    const void *rec;
    size_t len;
    int r;

    *n = 0;
    /* The images come in name order, and so do the reviewed ones in
     * `at`: the next of them is this one, or a later one. */
    if (sc->next == NULL && !sc->at_end) {
        if ((r = rl_runsort_next(sc->at, &rec, err)) < 0)
            return -1;
        sc->at_end = r == 0;
        sc->next = r == 1 ? rec : NULL;
    }
    if (sc->next == NULL || sc->next->image != image)
        return 0;
    *n = (size_t)sc->next->n;
    rl_grow(&sc->fitted, &sc->cap_fitted, *n, sizeof *sc->fitted);
    len = *n * sizeof *sc->fitted;
    if (pread(fileno(sc->posts.f), sc->fitted, len,
              (off_t)sc->next->first * (off_t)sizeof *sc->fitted)
        != (ssize_t)len)
        return ds_file_err(err);
    sc->next = NULL;
    return 0;
}

void
rl_consensus_scan_free(rl_consensus_scan *sc)
{
    if (sc == NULL)
        return;
    sqlite3_finalize(sc->rev);
    sqlite3_finalize(sc->flg);
    free(sc->cur.pairs);
    free(sc->cur.votes);
    free(sc->cur.images);
    if (sc->posts.f != NULL)
        fclose(sc->posts.f);
    free(sc->posts.buf);
    free(sc->fitted);
    rl_runsort_free(sc->at);
    rl_consensus_free(&sc->all);
    rl_strmap_free(&sc->idx);
    free(sc);
}

rl_consensus_scan *
rl_consensus_scan_open(rl_store *s, const rl_consensus_opts *o, rl_err *err)
{
    rl_consensus_scan *sc = rl_xcalloc(1, sizeof *sc);

    sc->s = s;
    sc->o = *o;
    if (load_raters(s, &sc->all, &sc->idx, err) != 0)
        goto fail;
    if (o->rule == RL_CONSENSUS_REVIEWER
        && rl_strmap_get(&sc->idx, o->reviewer, -1) < 0) {
        char *safe = rl_utf8_sanitize(o->reviewer);

        rl_err_set(err, RL_E_NOTFOUND, "no reviews by '%.60s'", safe);
        free(safe);
        goto fail;
    }
    if (o->rule == RL_CONSENSUS_DAWID_SKENE && ds_prepare(sc, err) != 0)
        goto fail;
    /* CROSS JOIN walks the image name index: SQLite sorts only within an
     * image. */
    if (sqlite3_prepare_v2(s->db, SQL_REVIEWS("image i CROSS JOIN review r"
                           " ON r.image = i.id", "i.name, "), -1, &sc->rev,
                           NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db, SQL_FLAGS("image i CROSS JOIN flag f"
                              " ON f.image = i.id", "i.name, "), -1, &sc->flg,
                              NULL) != SQLITE_OK) {
        store_dberr(s, err, "reading reviews");
        goto fail;
    }
    bind_who(sc->flg, o);
    sc->rr = sqlite3_step(sc->rev);
    sc->rf = sqlite3_step(sc->flg);
    return sc;
fail:
    rl_consensus_scan_free(sc);
    return NULL;
}

int
rl_consensus_scan_image(rl_consensus_scan *sc, int64_t image,
                        rl_consensus *view, rl_err *err)
{
    static const double none;
    rl_consensus *c = &sc->cur;
    const double *fitted = NULL;

    c->n = c->n_votes = c->n_images = 0;
    sc->va.adj_at = 0;
    /* The rows of this image, if the scan is at it (images without a
     * review or flag have none). */
    while (sc->rr == SQLITE_ROW && sqlite3_column_int64(sc->rev, 0) == image) {
        vote_row(c, &sc->va, &sc->idx, sc->rev);
        sc->rr = sqlite3_step(sc->rev);
    }
    if (sc->va.unknown)
        return raters_drifted(sc->s, err);
    if (sc->o.rule == RL_CONSENSUS_DAWID_SKENE) {
        size_t n;

        /* The same rows in the same order within the image, read in the
         * same transaction: the fit's pairs, one for one. */
        if (ds_fitted(sc, image, &n, err) != 0)
            return -1;
        /* Never NULL: apply_rule would fit again. */
        fitted = n > 0 ? sc->fitted : &none;
        if (n != c->n) {
            rl_err_set(err, RL_E_DB, "dawid-skene: the reviews changed "
                       "during the scan (open it in a read transaction)");
            return -1;
        }
    }
    if (apply_rule(c, &sc->o, &sc->idx, fitted, err) != 0)
        return -1;
    while (sc->rf == SQLITE_ROW && sqlite3_column_int64(sc->flg, 0) == image) {
        flag_row(c, &sc->fa, sc->flg);
        sc->rf = sqlite3_step(sc->flg);
    }
    flag_image_end(c, &sc->fa);
    if ((sc->rr != SQLITE_ROW && sc->rr != SQLITE_DONE)
        || (sc->rf != SQLITE_ROW && sc->rf != SQLITE_DONE)) {
        store_dberr(sc->s, err, "reading reviews");
        return -1;
    }
    *view = *c;
    view->raters = sc->all.raters;
    view->n_raters = sc->all.n_raters;
    view->prior = sc->all.prior;
    view->iterations = sc->all.iterations;
    view->converged = sc->all.converged;
    return 0;
}

/* ---- disagreements -------------------------------------------------- */

/* The disagreement rule, once, for SQL: over the verdicts of one pair
 * (a group of review rows by image and class), its reviewer-role states
 * differ and (with ?1 = open_only true) no adjudicator has marked it
 * (codes: role 0 is a reviewer's verdict, 1 an adjudicator's). The same
 * rule as rl_cpair.disagree and .adjudicated of rl_consensus_compute. */
#define SQL_PAIR_DISPUTED \
    "min(CASE WHEN role_code = 0 THEN state_code END)" \
    " <> max(CASE WHEN role_code = 0 THEN state_code END)" \
    " AND (NOT ?1 OR max(role_code) = 0)"

/* Whether image IMG holds such a pair. */
#define SQL_DISPUTED(img) \
    "EXISTS (SELECT 1 FROM review WHERE image = " img \
    " GROUP BY class HAVING " SQL_PAIR_DISPUTED ")"

/* The images holding such a pair, by name: one pass over review in key
 * order, then only the disputed images sorted. At 1.28M images 3.3 s,
 * against 7-11 s for an EXISTS image by image. */
#define SQL_DISPUTED_IMAGES \
    "SELECT i.id FROM image i JOIN (SELECT DISTINCT image FROM review" \
    " GROUP BY image, class HAVING " SQL_PAIR_DISPUTED ") d" \
    " ON d.image = i.id ORDER BY i.name"

int
rl_consensus_image_disputed(rl_store *s, int64_t image, bool open_only,
                            bool *out, rl_err *err)
{
    static const char sql[] = "SELECT " SQL_DISPUTED("?2");
    sqlite3_stmt *st = store_stmt(s, sql, err);
    int r;

    if (st == NULL)
        return -1;
    sqlite3_bind_int(st, 1, open_only);
    sqlite3_bind_int64(st, 2, image);
    r = sqlite3_step(st);
    *out = r == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        store_dberr(s, err, "finding disagreements");
        return -1;
    }
    return 0;
}

int
rl_consensus_disagreement_images(rl_store *s, bool open_only, int64_t **ids,
                                 size_t *n, rl_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int r;

    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, SQL_DISPUTED_IMAGES, -1, &st, NULL)
        != SQLITE_OK) {
        store_dberr(s, err, "finding disagreements");
        return -1;
    }
    sqlite3_bind_int(st, 1, open_only);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rl_grow(ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "finding disagreements");
        free(*ids);
        *ids = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

static const char SQL_IMAGE_NAME[] = "SELECT name FROM image WHERE id = ?";

void
rl_disagreements_free(rl_disagreement *d, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(d[i].image);
    free(d);
}

static int
cmp_disagreement(const void *x, const void *y)
{
    const rl_disagreement *a = x, *b = y;
    int c = strcmp(a->image, b->image);

    if (c != 0)
        return c;
    return (a->cls->idx > b->cls->idx) - (a->cls->idx < b->cls->idx);
}

int
rl_consensus_disagreements(rl_store *s, const rl_catalog *cat,
                           const rl_consensus *c, bool open_only,
                           rl_disagreement **out, size_t *n, rl_err *err)
{
    rl_disagreement *d = NULL;
    size_t cap = 0, k = 0, i;
    char *last = NULL;
    int64_t last_id = 0;

    for (i = 0; i < c->n; i++) {
        const rl_cpair *p = &c->pairs[i];
        const rl_class *cls;

        if (!p->disagree || (open_only && p->adjudicated != RL_STATE_NONE)
            || (cls = rl_catalog_by_id(cat, p->cls)) == NULL)
            continue;
        /* Pairs come by image, so one name lookup per image. */
        if (last == NULL || last_id != p->image) {
            sqlite3_stmt *st = store_stmt(s, SQL_IMAGE_NAME, err);

            if (st == NULL) {
                rl_disagreements_free(d, k);
                return -1;
            }
            sqlite3_bind_int64(st, 1, p->image);
            last = sqlite3_step(st) == SQLITE_ROW ? store_col_dup(st, 0)
                   : rl_xasprintf("#%lld", (long long)p->image);
            sqlite3_reset(st);
            last_id = p->image;
        } else {
            last = rl_xstrdup(last);
        }
        rl_grow(&d, &cap, k + 1, sizeof *d);
        d[k].image = last;
        d[k].cls = cls;
        d[k].pair = p;
        k++;
    }
    if (k > 1)
        qsort(d, k, sizeof *d, cmp_disagreement);
    *out = d;
    *n = k;
    return 0;
}

int
rl_consensus_disagreements_each(rl_store *s, const rl_catalog *cat,
                                bool open_only, rl_disagreement_fn each,
                                void *ctx, rl_err *err)
{
    sqlite3_stmt *img = NULL, *rev = NULL;
    rl_consensus c = {0};
    rl_strmap idx = {0};
    struct vote_acc a = {0};
    bool reading;
    int rc = -1, r = SQLITE_DONE;

    if (store_begin_read(s, &reading, err) != 0)
        return -1;
    if (load_raters(s, &c, &idx, err) != 0)
        goto out;
    /* The disputed images by name (the rule of the queue's filter), then
     * each one's verdicts, as rl_consensus_compute reads them. */
    if (sqlite3_prepare_v2(s->db, SQL_DISPUTED_IMAGES, -1, &img, NULL)
        != SQLITE_OK
        || sqlite3_prepare_v2(s->db, SQL_REVIEWS("review r WHERE"
                              " r.image = ?1", ""), -1, &rev, NULL)
           != SQLITE_OK) {
        store_dberr(s, err, "finding disagreements");
        goto out;
    }
    sqlite3_bind_int(img, 1, open_only);
    rc = 0;
    while (rc == 0 && (r = sqlite3_step(img)) == SQLITE_ROW) {
        rl_disagreement *d = NULL;
        size_t n = 0;

        c.n = c.n_votes = 0;
        a.adj_at = 0;
        sqlite3_bind_int64(rev, 1, sqlite3_column_int64(img, 0));
        while ((r = sqlite3_step(rev)) == SQLITE_ROW)
            vote_row(&c, &a, &idx, rev);
        sqlite3_reset(rev);
        if (r != SQLITE_DONE)
            break;
        if (a.unknown) {
            rc = raters_drifted(s, err);
            break;
        }
        if (rl_consensus_disagreements(s, cat, &c, open_only, &d, &n, err)
            != 0) {
            rc = -1;
            break;
        }
        if (n > 0)
            rc = each(ctx, &c, d, n);
        rl_disagreements_free(d, n);
    }
    if (rc == 0 && r != SQLITE_DONE) {
        store_dberr(s, err, "finding disagreements");
        rc = -1;
    }
out:
    sqlite3_finalize(img);
    sqlite3_finalize(rev);
    rl_strmap_free(&idx);
    rl_consensus_free(&c);
    if (reading)
        store_exec(s, "COMMIT", NULL);
    return rc;
}

/* ---- anonymous vote counts ------------------------------------------- */

void
rl_vote_table_free(rl_vote_table *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n; i++)
        free(t->rows[i].wnid);
    for (i = 0; i < t->n_images; i++)
        free(t->images[i]);
    free(t->rows);
    free(t->images);
    memset(t, 0, sizeof *t);
}

static int
bad_row(rl_csv *c, rl_err *err, rl_errcode code, const char *col,
        const char *what, const char *val)
{
    rl_err_set(err, code, "%s:%ld: %s: %s '%.40s'", rl_csv_name(c),
               rl_csv_line(c), col, what, val);
    return -1;
}

int
rl_vote_table_read(rl_vote_table *t, const char *path, rl_err *err)
{
    static const char *const vcols[RL_VOTE_COUNT] = {
        "votes_no", "votes_maybe", "votes_yes" };
    rl_csv *c = rl_csv_open(path, NULL, err);
    rl_strmap images = {0}, seen = {0};
    rl_buf key = {0};
    int ci, cw, cv[RL_VOTE_COUNT], cref, cscore, r, j, rc = -1;

    memset(t, 0, sizeof *t);
    if (c == NULL)
        return -1;
    if (rl_csv_header(c, err) != 0)
        goto out;
    ci = rl_csv_col(c, "image");
    cw = rl_csv_col(c, "wnid");
    for (j = 0; j < RL_VOTE_COUNT; j++)
        cv[j] = rl_csv_col(c, vcols[j]);
    if (ci < 0 || cw < 0 || cv[0] < 0 || cv[1] < 0 || cv[2] < 0) {
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column '%s' (expected "
                   "image,wnid,votes_no,votes_maybe,votes_yes)", path,
                   ci < 0 ? "image" : cw < 0 ? "wnid" : cv[0] < 0
                   ? "votes_no" : cv[1] < 0 ? "votes_maybe" : "votes_yes");
        goto out;
    }
    cref = rl_csv_col(c, "in_real");
    cscore = rl_csv_col(c, "ds_score");
    t->has_ref = cref >= 0;
    t->has_score = cscore >= 0;
    while ((r = rl_csv_next(c, err)) == 1) {
        const char *img = rl_csv_field(c, (size_t)ci);
        const char *wnid = rl_csv_field(c, (size_t)cw);
        rl_vote_row row;
        int64_t ix;
        long total = 0;

        memset(&row, 0, sizeof row);
        row.ref = -1;
        row.ref_score = NAN;
        if (*img == '\0') {
            bad_row(c, err, RL_E_PARSE, "image", "empty image name", "");
            goto out;
        }
        if (*wnid == '\0') {
            bad_row(c, err, RL_E_PARSE, "wnid", "empty class", "");
            goto out;
        }
        for (j = 0; j < RL_VOTE_COUNT; j++) {
            const char *v = rl_csv_field(c, (size_t)cv[j]);
            long x;

            if (rl_parse_long(v, &x) != 0 || x < 0 || x > 1000000) {
                bad_row(c, err, RL_E_PARSE, vcols[j], "expected a count "
                        "from 0, found", v);
                goto out;
            }
            row.votes[j] = (int)x;
            total += x;
        }
        if (total == 0) {
            bad_row(c, err, RL_E_PARSE, "votes_yes", "no votes on the pair:",
                    wnid);
            goto out;
        }
        if (cref >= 0) {
            const char *v = rl_csv_field(c, (size_t)cref);

            if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
                bad_row(c, err, RL_E_PARSE, "in_real", "expected 1 or 0, "
                        "found", v);
                goto out;
            }
            row.ref = *v == '1';
        }
        if (cscore >= 0) {
            const char *v = rl_csv_field(c, (size_t)cscore);
            char *end;

            row.ref_score = strtod(v, &end);
            if (end == v || *end != '\0' || !(row.ref_score >= 0)
                || row.ref_score > 1) {
                bad_row(c, err, RL_E_PARSE, "ds_score", "expected a number "
                        "in [0, 1], found", v);
                goto out;
            }
        }
        rl_buf_reset(&key);
        rl_buf_printf(&key, "%s\t%s", img, wnid);
        if (rl_strmap_get(&seen, rl_buf_str(&key), -1) >= 0) {
            rl_err_set(err, RL_E_DUP, "%s:%ld: wnid: duplicate pair (first "
                       "on line %lld)", path, rl_csv_line(c),
                       (long long)rl_strmap_get(&seen, rl_buf_str(&key), 0));
            goto out;
        }
        rl_strmap_put(&seen, rl_buf_str(&key), rl_csv_line(c));
        if ((ix = rl_strmap_get(&images, img, -1)) < 0) {
            ix = (int64_t)t->n_images;
            rl_grow(&t->images, &t->cap_images, t->n_images + 1,
                    sizeof *t->images);
            t->images[t->n_images++] = rl_xstrdup(img);
            rl_strmap_put(&images, img, ix);
        }
        row.image = (uint32_t)ix;
        row.wnid = rl_xstrdup(wnid);
        rl_grow(&t->rows, &t->cap, t->n + 1, sizeof *t->rows);
        t->rows[t->n++] = row;
    }
    if (r == 0)
        rc = 0;
out:
    rl_csv_close(c);
    rl_strmap_free(&images);
    rl_strmap_free(&seen);
    rl_buf_free(&key);
    return rc;
}

int
rl_vote_table_fit(rl_vote_table *t, const rl_ds_opts *o, rl_ds_model *m,
                  rl_err *err)
{
    rl_ds_obs *obs = rl_xcalloc(t->n * RL_VOTE_COUNT + 1, sizeof *obs);
    double *post = rl_xcalloc(t->n + 1, sizeof *post);
    size_t i, n_obs = 0;
    int j, rc;

    for (i = 0; i < t->n; i++) {
        const rl_vote_row *row = &t->rows[i];
        int tot = 0;

        for (j = 0; j < RL_VOTE_COUNT; j++) {
            tot += row->votes[j];
            if (row->votes[j] > 0)
                obs[n_obs++] = (rl_ds_obs){ (uint32_t)i, 0, (uint32_t)j,
                                            (uint32_t)row->votes[j] };
        }
        post[i] = (row->votes[RL_VOTE_YES] + 0.5 * row->votes[RL_VOTE_MAYBE])
                  / tot;
    }
    rc = rl_consensus_ds_fit(obs, n_obs, t->n, 1, RL_VOTE_COUNT, o, post, m,
                             err);
    if (rc == 0)
        for (i = 0; i < t->n; i++)
            t->rows[i].post = post[i];
    free(obs);
    free(post);
    return rc;
}

int
rl_vote_table_compare(const rl_vote_table *t, double threshold,
                      rl_vote_agreement *a, rl_err *err)
{
    unsigned char *bad, *nref, *nfit;   /* per image */
    size_t i;
    long n_score = 0;
    double sum = 0;

    memset(a, 0, sizeof *a);
    if (!t->has_ref) {
        rl_err_set(err, RL_E_USAGE, "no in_real column to compare with");
        return -1;
    }
    bad = rl_xcalloc(t->n_images + 1, 1);
    nref = rl_xcalloc(t->n_images + 1, 1);
    nfit = rl_xcalloc(t->n_images + 1, 1);
    a->score_mad = a->score_max = NAN;
    for (i = 0; i < t->n; i++) {
        const rl_vote_row *row = &t->rows[i];
        bool fit = row->post >= threshold, ref = row->ref == 1;

        a->tp += fit && ref;
        a->fp += fit && !ref;
        a->fn += !fit && ref;
        a->tn += !fit && !ref;
        if (fit != ref)
            bad[row->image] = 1;
        nref[row->image] |= ref;
        nfit[row->image] |= fit;
        if (t->has_score) {
            double d = fabs(row->post - row->ref_score);

            sum += d;
            n_score++;
            if (!(d <= a->score_max))
                a->score_max = d;
        }
    }
    a->pairs = (long)t->n;
    a->images = (long)t->n_images;
    for (i = 0; i < t->n_images; i++) {
        a->images_exact += !bad[i];
        a->ref_sets_empty += !nref[i];
        a->fit_sets_empty += !nref[i] && !nfit[i];
    }
    if (n_score > 0)
        a->score_mad = sum / n_score;
    free(bad);
    free(nref);
    free(nfit);
    return 0;
}
