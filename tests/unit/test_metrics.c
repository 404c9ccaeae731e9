/* test_metrics.c - every metric on small hand-checked fixtures: Cohen's
 * and Fleiss' kappa against textbook examples, agreement of a project's
 * reviewers (adjudications left out), top-1 / top-5 / multi-label /
 * unclear-as-correct accuracy per subset (splits, dataset tags) with an
 * empty label set, a problematic image, an image without an original
 * label, ranks out of order and beyond 5, a model missing images; the
 * prediction reader's errors (FILE:LINE: field); the truth built from a
 * project under each consensus rule (a tie is unclear); the bootstrap
 * (degenerate cases, width, determinism, independence of other rows). */
#include "relabel/metrics.h"

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/csv.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#define CATALOG_DIR RL_TEST_DATA "/../../share/relabel"


static bool
near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* A project with the catalog, labels and reviews (may be NULL). */
static rl_store *
make_project(const char *name, const char *labels, const char *reviews,
             rl_catalog **cat)
{
    char *db = tpath(name), *f;
    rl_err err;
    rl_store *s = rl_store_open(db, RL_STORE_CREATE, &err);

    if (s == NULL || rl_catalog_install(s, CATALOG_DIR, &err) != 0
        || (*cat = rl_catalog_load(s, &err)) == NULL)
        die("set up", &err);
    if (labels != NULL) {
        spew("labels.csv", labels);
        f = tpath("labels.csv");
        if (rl_import_labels(s, *cat, f, NULL, NULL, &err) != 0)
            die("labels", &err);
        free(f);
    }
    if (reviews != NULL) {
        spew("reviews.csv", reviews);
        f = tpath("reviews.csv");
        if (rl_import_reviews(s, *cat, f, NULL, NULL, &err) != 0)
            die("reviews", &err);
        free(f);
    }
    free(db);
    return s;
}

/* ---- kappa ---------------------------------------------------------- */

static void
test_kappa(void)
{
    /* Wikipedia, "Cohen's kappa": 50 proposals, 20 yes/yes, 5 yes/no,
     * 10 no/yes, 15 no/no: p_o 0.7, p_e 0.5, kappa 0.4. */
    long t1[4] = { 20, 5, 10, 15 };
    /* Same article, "same percentages": 45 15 / 25 15 -> 0.1304 and
     * 25 35 / 5 35 -> 0.2593. */
    long t2[4] = { 45, 15, 25, 15 }, t3[4] = { 25, 35, 5, 35 };
    long same[4] = { 10, 0, 0, 0 }, none[4] = { 0 };
    long perfect[9] = { 5, 0, 0, 0, 7, 0, 0, 0, 3 };
    /* Fleiss (1971) as in Wikipedia's "Fleiss' kappa": 10 subjects, 14
     * raters, 5 categories: P-bar 0.378, P_e 0.213, kappa 0.210. */
    long fl[50] = {
        0, 0, 0, 0, 14,   0, 2, 6, 4, 2,   0, 0, 3, 5, 6,   0, 3, 9, 2, 0,
        2, 2, 8, 1, 1,    7, 7, 0, 0, 0,   3, 2, 6, 3, 0,   2, 5, 3, 2, 2,
        6, 5, 2, 1, 0,    0, 2, 2, 3, 7 };
    long two[6] = { 2, 0, 1, 1, 0, 0 };   /* item 3 has no rating */
    double po;

    ok(near(rl_metrics_cohen(t1, 2, &po), 0.4) && near(po, 0.7),
       "Cohen: textbook 0.4 (p_o 0.7)");
    ok(fabs(rl_metrics_cohen(t2, 2, NULL) - 0.1304) < 5e-5,
       "Cohen: 45 15 / 25 15 gives 0.1304");
    ok(fabs(rl_metrics_cohen(t3, 2, NULL) - 0.2593) < 5e-5,
       "Cohen: 25 35 / 5 35 gives 0.2593");
    ok(near(rl_metrics_cohen(perfect, 3, &po), 1) && near(po, 1),
       "Cohen: perfect agreement is 1");
    ok(isnan(rl_metrics_cohen(same, 2, &po)) && near(po, 1),
       "Cohen: one category throughout is undefined (NaN)");
    ok(isnan(rl_metrics_cohen(none, 2, &po)) && isnan(po),
       "Cohen: no items is undefined");
    ok(fabs(rl_metrics_fleiss(fl, 10, 5, &po) - 0.20993) < 5e-5
       && fabs(po - 0.37802) < 5e-5, "Fleiss: textbook 0.210 (P-bar "
       "0.378)");
    /* Two items, two ratings each: (2,0) and (1,1); shares 3/4, 1/4:
     * P-bar 0.5, P_e 0.625, kappa -1/3. */
    ok(fabs(rl_metrics_fleiss(two, 3, 2, &po) + 1.0 / 3) < 1e-12
       && near(po, 0.5), "Fleiss: an item without 2 ratings is skipped");
    ok(isnan(rl_metrics_fleiss(none, 2, 2, NULL)), "Fleiss: nothing rated "
       "is undefined");
}

/* Alice and bob on eight candidates (C W U D = the four states):
 *   q1 C C   q2 C C   q3 W W   q4 W C   q5 U W   q6 C U   q7 W W   q8 D W
 * carol on q1 (C); dave, an adjudicator, on q4 (W: not a rating). */
static const char AG_LABELS[] =
    "image,wnid\nq1,0\nq2,1\nq3,2\nq4,3\nq5,4\nq6,5\nq7,6\nq8,7\n";
static const char AG_REVIEWS[] =
    "image,wnid,state,reviewer\n"
    "q1,0,correct,alice\nq1,0,correct,bob\nq1,0,correct,carol\n"
    "q2,1,correct,alice\nq2,1,correct,bob\n"
    "q3,2,wrong,alice\nq3,2,wrong,bob\n"
    "q4,3,wrong,alice\nq4,3,correct,bob\nq4,3,wrong,dave\n"
    "q5,4,unclear,alice\nq5,4,wrong,bob\n"
    "q6,5,correct,alice\nq6,5,unclear,bob\n"
    "q7,6,wrong,alice\nq7,6,wrong,bob\n"
    "q8,7,dont_know,alice\nq8,7,wrong,bob\n";

static void
test_agreement(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("ag.db", AG_LABELS, AG_REVIEWS, &cat);
    rl_agreement a;
    rl_err err;
    char *db;
    sqlite3 *h;

    rl_store_close(s);
    db = tpath("ag.db");
    if (sqlite3_open(db, &h) != SQLITE_OK
        || sqlite3_exec(h, "UPDATE review SET role_code = 1 WHERE "
                        "reviewer = 'dave'", NULL, NULL, NULL) != SQLITE_OK)
        exit(1);
    sqlite3_close(h);
    s = rl_store_open(db, RL_STORE_READONLY, &err);
    ok(rl_metrics_agreement(s, &a, &err) == 0, "agreement computes");
    is_int(a.n_reviewers, 3, "three reviewers (the adjudicator is none)");
    is_int(a.n_pairs, 3, "three pairs of reviewers");
    ok(a.n_pairs == 3 && strcmp(a.pairs[0].a, "alice") == 0
       && strcmp(a.pairs[0].b, "bob") == 0 && a.pairs[0].n == 8,
       "alice and bob share 8 candidates");
    /* States: p_o 4/8, p_e (3*3 + 3*4 + 1*1 + 1*0) / 64 = 22/64. */
    ok(a.n_pairs == 3 && near(a.pairs[0].agree, 0.5)
       && near(a.pairs[0].kappa, (0.5 - 22.0 / 64) / (1 - 22.0 / 64)),
       "alice-bob kappa on the states: 0.2381 (%.4f)", a.pairs[0].kappa);
    /* Correct vs not: 2 / 1 / 1 / 4: p_o 6/8, p_e 34/64. */
    ok(a.n_pairs == 3 && near(a.pairs[0].agree_bin, 0.75)
       && near(a.pairs[0].kappa_bin, (0.75 - 34.0 / 64) / (1 - 34.0 / 64)),
       "alice-bob kappa, correct vs not: 0.4667 (%.4f)",
       a.pairs[0].kappa_bin);
    ok(a.n_pairs == 3 && a.pairs[1].n == 1 && isnan(a.pairs[1].kappa),
       "alice-carol: one shared candidate, kappa undefined");
    is_int(a.n_items, 8, "eight candidates with 2+ verdicts");
    /* Fleiss: P-bar = (1+1+1+0+0+0+1+0)/8; shares C 7, W 7, U 2, D 1
     * of 17. */
    ok(near(a.agree, 0.5) && near(a.fleiss, (0.5 - 103.0 / 289)
                                  / (1 - 103.0 / 289)),
       "Fleiss over the states: 0.2231 (%.4f)", a.fleiss);
    rl_agreement_free(&a);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* ---- scoring -------------------------------------------------------- */

static const rl_class *
K(const rl_catalog *cat, int idx)
{
    return rl_catalog_by_index(cat, idx);
}

static void
add(rl_preds *p, const rl_catalog *cat, const char *m, const char *img,
    int idx, long rank)
{
    rl_err err;

    if (rl_preds_add(p, m, img, K(cat, idx), rank, &err) != 0)
        die("prediction", &err);
}

static const rl_score *
sub(const rl_model_eval *me, const char *name)
{
    size_t i;

    for (i = 0; i < me->n_sub; i++)
        if (strcmp(me->sub[i].subset, name) == 0)
            return &me->sub[i];
    return NULL;
}

/* Checks one row's counts: n_top, top-1 and top-5 hits, n_multilabel,
 * multi-label hits, and hits counting unclear. */
static void
row(const rl_model_eval *me, const char *name, long nt, long t1, long t5,
    long nm, long ml, long mu)
{
    const rl_score *s = sub(me, name);

    if (!ok(s != NULL && s->n_top == nt && s->top1_hits == t1
            && s->top5_hits == t5 && s->n_multilabel == nm
            && s->ml_hits == ml && s->ml_unclear_hits == mu,
            "%s / %s: %ld %ld %ld | %ld %ld %ld", me->name, name, nt, t1, t5,
            nm, ml, mu) && s != NULL)
        printf("#   got %ld %ld %ld | %ld %ld %ld\n", s->n_top, s->top1_hits,
               s->top5_hits, s->n_multilabel, s->ml_hits,
               s->ml_unclear_hits);
}

/* The rules on test_scoring's truth. Reviewed: a..g, d problematic, so
 * shankar and tfds count a b c e f g (6), c with no correct class. m1's
 * top-1: a 152 C, b 0 U, c 404 W, e 900 -, f 153 C, g 500 C. */
static void
rules(const rl_truth *t, const rl_preds *p)
{
    rl_eval_opts eo = { 0, 1, 0, RL_EVAL_RULE_SHANKAR };
    rl_truth_summary ts;
    const rl_score *sc;
    rl_eval ev;

    rl_truth_summary_get(t, RL_EVAL_RULE_SHANKAR, &ts);
    ok(ts.multilabel == 6 && ts.no_correct == 1 && ts.problematic == 1
       && ts.unreviewed == 0, "shankar summary: 6 counted, 1 of them "
       "without a correct class");
    rl_eval_run(t, p, &eo, &ev);
    /* hits a f g = 3/6; unclear b too = 4; top-5: a, e (406 at rank 3),
     * f, g = 4; per class a 1 b 0 c 0 e 0 f 1 = 2/5. */
    row(&ev.models[0], "all", 6, 3, 6, 6, 3, 4);
    sc = sub(&ev.models[0], "all");
    ok(sc->ml5_hits == 4 && sc->n_classes == 5
       && near(sc->per_class_multilabel, 0.4), "shankar: top-5 4, per-class "
       "2/5");
    /* object: c e (d problematic): 0/2. */
    row(&ev.models[0], "object", 3, 1, 3, 2, 0, 0);
    rl_eval_free(&ev);

    eo.rule = RL_EVAL_RULE_TFDS;
    rl_eval_run(t, p, &eo, &ev);
    /* hits a b f g = 4/6; top-5: a b e f g = 5; per class 3/5. */
    row(&ev.models[0], "all", 6, 3, 6, 6, 4, 4);
    sc = sub(&ev.models[0], "all");
    ok(sc->ml5_hits == 5 && sc->n_classes == 5
       && near(sc->per_class_multilabel, 0.6) && near(sc->multilabel, 4.0 / 6),
       "tfds: micro 4/6, top-5 5/6, per-class 3/5");
    row(&ev.models[0], "organism_no_dog", 1, 1, 1, 1, 1, 1);
    rl_eval_free(&ev);
}

static void
test_scoring(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("score.db", NULL, NULL, &cat);
    rl_truth *t = rl_truth_new();
    rl_truth_summary ts;
    rl_preds *p;
    rl_eval ev, ev2;
    rl_eval_opts eo = { 200, 1, 0, RL_EVAL_RULE_RELABEL };
    const char *const *tags;
    const rl_score *sc;
    rl_err err;
    size_t i;

    /* name, original label (split), dataset, problematic; then labels. */
    rl_truth_add_image(t, "a", K(cat, 151), "val", false, &err);   /* dog */
    rl_truth_add_image(t, "b", K(cat, 0), "val", false, &err);     /* org */
    rl_truth_add_image(t, "c", K(cat, 404), "val", false, &err);   /* obj */
    rl_truth_add_image(t, "d", K(cat, 405), "v2", true, &err);     /* obj */
    rl_truth_add_image(t, "e", K(cat, 406), "v2", false, &err);    /* obj */
    rl_truth_add_image(t, "f", K(cat, 153), "v2", false, &err);    /* dog */
    rl_truth_add_image(t, "g", NULL, NULL, false, &err);
    ok(rl_truth_add_image(t, "a", NULL, NULL, false, &err) == -1
       && err.code == RL_E_DUP, "an image twice is refused");
    rl_truth_add_label(t, "a", K(cat, 151), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "a", K(cat, 152), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "b", K(cat, 1), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "b", K(cat, 0), RL_STATE_UNCLEAR, &err);
    rl_truth_add_label(t, "c", K(cat, 405), RL_STATE_UNCLEAR, &err);
    rl_truth_add_label(t, "c", K(cat, 404), RL_STATE_WRONG, &err);
    rl_truth_add_label(t, "d", K(cat, 405), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "e", K(cat, 406), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "e", K(cat, 407), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "f", K(cat, 153), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "g", K(cat, 500), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "g", K(cat, 501), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "g", K(cat, 501), RL_STATE_WRONG, &err);
    ok(rl_truth_add_label(t, "zz", K(cat, 1), RL_STATE_CORRECT, &err) == -1
       && err.code == RL_E_NOTFOUND, "a label on an unknown image refused");
    rl_truth_summary_get(t, RL_EVAL_RULE_RELABEL, &ts);
    ok(ts.images == 7 && ts.labelled == 6 && ts.multilabel == 5
       && ts.no_correct == 1 && ts.problematic == 1,
       "summary: 5 counted, c has no correct class, d is problematic");
    ok(rl_truth_datasets(t, &tags) == 2 && strcmp(tags[0], "v2") == 0
       && strcmp(tags[1], "val") == 0, "dataset tags, sorted");

    p = rl_preds_new(t);
    add(p, cat, "m1", "a", 152, 1);   /* top-1 off label, in the set */
    add(p, cat, "m1", "a", 151, 2);
    add(p, cat, "m1", "b", 0, 1);     /* the label, but unclear */
    add(p, cat, "m1", "c", 404, 1);   /* empty set: no multi-label */
    add(p, cat, "m1", "d", 1, 1);     /* problematic */
    add(p, cat, "m1", "d", 405, 2);
    add(p, cat, "m1", "e", 406, 3);   /* ranks out of order */
    add(p, cat, "m1", "e", 900, 1);
    add(p, cat, "m1", "e", 901, 2);
    add(p, cat, "m1", "e", 902, 7);
    add(p, cat, "m1", "f", 153, 1);
    add(p, cat, "m1", "g", 500, 1);   /* no original label */
    add(p, cat, "m2", "a", 151, 1);   /* m2 misses c..g */
    add(p, cat, "m2", "b", 1, 1);
    for (i = 0; i < 5; i++)           /* m3: the label only at rank 6 */
        add(p, cat, "m3", "a", 160 + (int)i, 0);
    add(p, cat, "m3", "a", 151, 0);
    ok(rl_preds_add(p, "m1", "a", K(cat, 300), 2, &err) == -1
       && err.code == RL_E_DUP && strstr(err.msg, "rank 2") != NULL,
       "a rank twice is refused");
    ok(rl_preds_add(p, "m1", "a", K(cat, 151), 9, &err) == -1
       && err.code == RL_E_DUP && strstr(err.msg, "n02085620") != NULL,
       "a class twice is refused");
    ok(rl_preds_add(p, "m1", "nope", K(cat, 1), 1, &err) == -1
       && err.code == RL_E_NOTFOUND, "an unknown image is refused");
    {
        /* Rows outside the kept top-5 (dropped, or pushed out by a better
         * rank later) are still duplicates. */
        rl_preds *q = rl_preds_new(t);

        for (i = 0; i < 5; i++)
            add(q, cat, "m4", "b", 170 + (int)i, (long)i + 2);  /* 2..6 */
        add(q, cat, "m4", "b", 175, 1);   /* pushes rank 6 out */
        add(q, cat, "m4", "b", 176, 8);   /* dropped at once */
        ok(rl_preds_add(q, "m4", "b", K(cat, 300), 6, &err) == -1
           && err.code == RL_E_DUP && strstr(err.msg, "rank 6") != NULL,
           "a rank pushed out of the top-5 is still taken");
        ok(rl_preds_add(q, "m4", "b", K(cat, 174), 9, &err) == -1
           && err.code == RL_E_DUP, "its class too");
        ok(rl_preds_add(q, "m4", "b", K(cat, 300), 8, &err) == -1
           && err.code == RL_E_DUP, "a dropped row's rank is taken");
        ok(rl_preds_add(q, "m4", "b", K(cat, 176), 10, &err) == -1
           && err.code == RL_E_DUP, "and its class");
        ok(rl_preds_add(q, "m4", "b", K(cat, 170), 7, &err) == -1
           && err.code == RL_E_DUP, "a kept class is taken");
        ok(rl_preds_add(q, "m4", "b", K(cat, 300), 7, &err) == 0,
           "a new rank and class are not");
        rl_preds_free(q);
    }
    is_int(rl_preds_models(p), 3, "three models");

    rl_eval_run(t, p, &eo, &ev);
    is_int(ev.n, 3, "three models scored");
    is_int(ev.models[0].scored, 7, "m1 scored 7 images");
    is_int(ev.models[0].missing, 0, "m1 misses none");
    is_int(ev.models[0].n_sub, 8, "all, five class subsets, two datasets");
    row(&ev.models[0], "all", 6, 3, 6, 5, 3, 4);
    row(&ev.models[0], "dog", 2, 1, 2, 2, 2, 2);
    /* organism holds the dogs: dog (2 1 2 | 2 2 2) + b (1 1 1 | 1 0 1). */
    row(&ev.models[0], "organism", 3, 2, 3, 3, 2, 3);
    row(&ev.models[0], "organism_no_dog", 1, 1, 1, 1, 0, 1);
    row(&ev.models[0], "object", 3, 1, 3, 1, 0, 0);
    /* no_dog: b + the objects c d e. */
    row(&ev.models[0], "no_dog", 4, 2, 4, 2, 0, 1);
    row(&ev.models[0], "dataset:val", 3, 2, 3, 2, 1, 2);
    row(&ev.models[0], "dataset:v2", 3, 1, 3, 2, 1, 1);
    sc = sub(&ev.models[0], "all");
    ok(near(sc->top1, 0.5) && near(sc->top5, 1) && near(sc->multilabel, 0.6)
       && near(sc->multilabel_unclear, 0.8), "m1 fractions 0.5 1 0.6 0.8");
    ok(sc->ci_low <= sc->multilabel && sc->multilabel <= sc->ci_high
       && sc->ci_low >= 0 && sc->ci_high <= 1, "interval holds the value");
    ok(ev.models[0].n_drops == 1
       && strcmp(ev.models[0].drops[0].from, "val") == 0
       && strcmp(ev.models[0].drops[0].to, "v2") == 0
       && near(ev.models[0].drops[0].drop, 0), "drop val -> v2: 0.5 - 0.5");
    ok(ev.models[0].drops[0].ci_low < 0 && ev.models[0].drops[0].ci_high > 0,
       "drop interval spans 0");

    is_int(ev.models[1].scored, 2, "m2 scored 2 images");
    is_int(ev.models[1].missing, 5, "m2 misses 5");
    row(&ev.models[1], "all", 2, 1, 1, 2, 2, 2);
    row(&ev.models[1], "object", 0, 0, 0, 0, 0, 0);
    sc = sub(&ev.models[1], "object");
    ok(isnan(sc->top1) && isnan(sc->multilabel) && isnan(sc->ci_low),
       "an empty subset has no fractions (NaN)");
    row(&ev.models[2], "all", 1, 0, 0, 1, 0, 0);
    /* relabel, m1 on all: per class a(151) 1, b(0) 0, e(406) 0, f(153) 1
     * = 2/4 (g has no original label); top-5: a e f g of 5. */
    sc = sub(&ev.models[0], "all");
    ok(sc->n_classes == 4 && near(sc->per_class_multilabel, 0.5)
       && sc->ml5_hits == 4, "relabel: per-class 2/4, top-5 4 of 5");
    rules(t, p);

    /* Fixed seed: the same numbers again, and a row's interval does not
     * depend on the other models. */
    rl_eval_run(t, p, &eo, &ev2);
    ok(ev2.models[0].sub[0].ci_low == ev.models[0].sub[0].ci_low
       && ev2.models[0].sub[0].ci_high == ev.models[0].sub[0].ci_high,
       "reproducible intervals");
    rl_eval_free(&ev2);
    {
        rl_preds *p1 = rl_preds_new(t);

        add(p1, cat, "m2", "a", 151, 1);
        add(p1, cat, "m2", "b", 1, 1);
        rl_eval_run(t, p1, &eo, &ev2);
        ok(ev2.models[0].sub[0].ci_low == ev.models[1].sub[0].ci_low,
           "an interval is the same without the other models");
        rl_eval_free(&ev2);
        rl_preds_free(p1);
    }
    eo.resamples = 0;
    rl_eval_run(t, p, &eo, &ev2);
    ok(isnan(ev2.models[0].sub[0].ci_low), "no resamples: no interval");
    rl_eval_free(&ev2);

    rl_eval_free(&ev);
    rl_preds_free(p);
    rl_truth_free(t);
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* ---- reading predictions -------------------------------------------- */

static int
read_mem(rl_preds *p, const rl_catalog *cat, const char *text, rl_err *err)
{
    rl_csv *c = rl_csv_open_mem(text, strlen(text), "p.csv", NULL);
    int r = rl_preds_read(p, cat, c, "stem", err);

    rl_csv_close(c);
    return r;
}

static void
test_read(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("read.db", NULL, NULL, &cat);
    rl_truth *t = rl_truth_new();
    rl_preds *p;
    rl_eval ev;
    rl_err err;
    static const struct {
        const char *text, *want, *what;
    } bad[] = {
        { "image,model\na,m\n", "p.csv:1: missing column 'wnid'",
          "missing column" },
        { "image,wnid\na,n01440764\nzz,1\n", "p.csv:3: image: unknown image"
          " 'zz'", "unknown image" },
        { "image,wnid\na,n99999999\n", "p.csv:2: wnid: unknown class",
          "unknown class" },
        { "image,wnid\na,\n", "p.csv:2: wnid: empty", "empty class" },
        { "image,wnid,rank\na,1,first\n", "p.csv:2: rank: expected a whole "
          "number", "bad rank" },
        { "image,wnid,rank\na,1,0\n", "p.csv:2: rank:", "rank 0" },
        { "image,wnid,rank\na,1,1\na,2,1\n", "p.csv:3: rank: duplicate",
          "duplicate rank" },
        { "image,wnid\na,1\na,n01443537\n", "p.csv:3: wnid: duplicate",
          "duplicate class (index and wnid)" },
        { "image,wnid,model\na,1,\n", "p.csv:2: model: empty", "empty model"},
        { "image,wnid\na,1,2\n", "p.csv:2: ", "wrong field count" },
    };
    size_t i;

    rl_truth_add_image(t, "a", K(cat, 0), NULL, false, &err);
    rl_truth_add_image(t, "b", K(cat, 1), NULL, false, &err);
    rl_truth_add_label(t, "a", K(cat, 0), RL_STATE_CORRECT, &err);
    rl_truth_add_label(t, "b", K(cat, 2), RL_STATE_CORRECT, &err);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = rl_preds_new(t);
        ok(read_mem(p, cat, bad[i].text, &err) == -1
           && strncmp(err.msg, bad[i].want, strlen(bad[i].want)) == 0,
           "bad row, %s: %s", bad[i].what, err.msg);
        rl_preds_free(p);
    }

    /* No model column: one model named after the file; no rank column:
     * file order; class by index or wnid. */
    p = rl_preds_new(t);
    ok(read_mem(p, cat, "\xef\xbb\xbfimage,wnid\r\na,0\r\nb,n01443537\r\n"
                "b,2\r\n", &err) == 0, "BOM, CRLF, no model, no rank");
    ok(rl_preds_models(p) == 1
       && strcmp(rl_preds_model_name(p, 0), "stem") == 0,
       "the default model name");
    rl_eval_run(t, p, &(rl_eval_opts){ 0, 1, 0, RL_EVAL_RULE_RELABEL }, &ev);
    row(&ev.models[0], "all", 2, 2, 2, 2, 1, 1);
    rl_eval_free(&ev);
    rl_preds_free(p);

    p = rl_preds_new(t);
    ok(read_mem(p, cat, "model,rank,wnid,image,score\nx,2,0,a,0.1\n"
                "x,1,5,a,0.9\ny,1,0,a,1\n", &err) == 0,
       "columns in any order, extra columns ignored");
    rl_eval_run(t, p, &(rl_eval_opts){ 0, 1, 0, RL_EVAL_RULE_RELABEL }, &ev);
    ok(ev.n == 2 && strcmp(ev.models[0].name, "x") == 0
       && strcmp(ev.models[1].name, "y") == 0, "models in order seen");
    row(&ev.models[0], "all", 1, 0, 1, 1, 0, 0);
    row(&ev.models[1], "all", 1, 1, 1, 1, 1, 1);
    rl_eval_free(&ev);
    rl_preds_free(p);

    rl_truth_free(t);
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* ---- streams and sorted rows ----------------------------------------- */

/* Whether two evaluations hold the same counts and figures. */
static bool
same_eval(const rl_eval *a, const rl_eval *b)
{
    size_t m, s;

    if (a->n != b->n)
        return false;
    for (m = 0; m < a->n; m++) {
        const rl_model_eval *x = &a->models[m], *y = &b->models[m];

        if (strcmp(x->name, y->name) != 0 || x->scored != y->scored
            || x->missing != y->missing || x->n_sub != y->n_sub)
            return false;
        for (s = 0; s < x->n_sub; s++) {
            const rl_score *u = &x->sub[s], *v = &y->sub[s];

            if (u->n_top != v->n_top || u->top1_hits != v->top1_hits
                || u->top5_hits != v->top5_hits
                || u->n_multilabel != v->n_multilabel
                || u->ml_hits != v->ml_hits
                || u->ml_unclear_hits != v->ml_unclear_hits
                || u->ml5_hits != v->ml5_hits
                || u->n_classes != v->n_classes
                || memcmp(&u->per_class_multilabel, &v->per_class_multilabel,
                          sizeof u->per_class_multilabel) != 0
                || memcmp(&u->ci_low, &v->ci_low, sizeof u->ci_low) != 0)
                return false;
        }
    }
    return true;
}

/* The rl_preds of read_three and their truths (the table's and the
 * stream's, then the scan), alive while their evaluations are read
 * (names are borrowed from them); free_three frees them all. */
static rl_preds *three[3];
static rl_truth *three_t[2];

static void
free_three(rl_eval ev[3])
{
    int i;

    for (i = 0; i < 3; i++) {
        rl_eval_free(&ev[i]);
        rl_preds_free(three[i]);
        three[i] = NULL;
    }
    for (i = 0; i < 2; i++) {
        rl_truth_free(three_t[i]);
        three_t[i] = NULL;
    }
}

/* The truth of `s` under majority: loaded whole, or (`scan`) as a scan. */
static rl_truth *
truth_of(rl_store *s, const rl_catalog *cat, bool scan)
{
    rl_consensus_opts o;
    rl_truth *t;
    rl_err err;

    rl_consensus_parse("majority", &o, NULL);
    t = scan ? rl_truth_open(s, cat, &o, &err)
             : rl_truth_load(s, cat, &o, &err);
    if (t == NULL)
        die("truth", &err);
    return t;
}

/* Reads `text` into a fresh table and stream on the truth of `s`, and
 * into the sort by name on a scan of it (what `relabel eval` reads rows
 * out of order with); *ev[i] their evaluations (when the reading and
 * finish succeed); returns the three results (0 or -1) as a bit mask of
 * failures, errors in e[]. */
static unsigned
read_three(rl_store *s, const rl_catalog *cat, const char *text,
           rl_eval_rule rule, rl_eval ev[3], rl_err e[3], bool *regroup)
{
    rl_eval_opts eo = { 100, 1, 0, rule };
    unsigned bad = 0;
    int i;

    three_t[0] = truth_of(s, cat, false);
    three_t[1] = truth_of(s, cat, true);
    for (i = 0; i < 3; i++) {
        rl_truth *t = three_t[i == 2];
        rl_preds *p = i == 0 ? rl_preds_new(t) : i == 1
                      ? rl_preds_new_stream(t, rule)
                      : rl_preds_new_scan_sorted(t, rule);
        int r = p != NULL ? read_mem(p, cat, text, &e[i]) : -1;

        if (p != NULL && rl_preds_finish(p, &e[i]) != 0)
            r = -1;
        if (i == 1)
            *regroup = p != NULL && rl_preds_regroup(p);
        memset(&ev[i], 0, sizeof ev[i]);
        if (r == 0)
            rl_eval_run(t, p, &eo, &ev[i]);
        else
            bad |= 1u << i;
        three[i] = p;
    }
    return bad;
}

/* a (label 151: correct, 152 unclear), b (label 0, 1 correct), c (404
 * correct); a and c in val, b in v2. */
static const char ST_LABELS[] =
    "image,wnid,dataset\na,151,val\nb,0,v2\nc,404,val\n";
static const char ST_REVIEWS[] =
    "image,wnid,state,reviewer\n"
    "a,151,correct,r\n"
    "a,152,unclear,r\n"
    "b,1,correct,r\n"
    "c,404,correct,r\n";

static void
test_stream(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("stream.db", ST_LABELS, ST_REVIEWS, &cat);
    rl_eval ev[3];
    rl_err e[3];
    bool regroup;
    unsigned bad;

    /* Grouped by model and image, images in any order: the stream
     * scores it as the table does, and so does the sort. */
    bad = read_three(s, cat, "image,model,wnid\nc,x,404\nc,x,1\na,x,152\n"
                     "a,x,151\nb,y,1\na,y,151\nb,x,1\n",
                     RL_EVAL_RULE_TFDS, ev, e, &regroup);
    ok(bad == 0 && !regroup, "grouped rows: all three read them");
    ok(bad == 0 && same_eval(&ev[0], &ev[1]) && same_eval(&ev[0], &ev[2]),
       "stream and sorted score as the table");
    /* x: top-1 404 on c (the label), 152 on a (unclear: a hit under
     * tfds), 1 on b (correct); the labels of a and c in the top 5. */
    row(&ev[1].models[0], "all", 3, 1, 2, 3, 3, 3);
    free_three(ev);

    /* x leaves a and comes back: the stream stops and asks for a re-read;
     * the sort does not mind. */
    bad = read_three(s, cat, "image,model,wnid,rank\na,x,152,2\nb,x,1,1\n"
                     "a,x,151,1\nc,x,404,1\n", RL_EVAL_RULE_RELABEL, ev, e,
                     &regroup);
    ok(bad == 2 && regroup && e[1].code == RL_E_USAGE,
       "a row back at an image: the stream asks for a re-read");
    ok(same_eval(&ev[0], &ev[2]), "the sort scores it as the table");
    /* x: 151 on a, 1 on b (correct, not the label), 404 on c. */
    row(&ev[2].models[0], "all", 3, 2, 2, 3, 3, 3);
    free_three(ev);

    /* Two duplicates, the later one on an image that sorts first, and a
     * bad row after both: the sort names the first in file order, as
     * the table does. */
    bad = read_three(s, cat, "image,model,wnid,rank\nc,x,404,1\na,x,151,1\n"
                     "c,x,5,1\na,x,151,2\nzz,x,1,1\n", RL_EVAL_RULE_RELABEL,
                     ev, e, &regroup);
    free_three(ev);
    ok(bad == 7, "duplicates: no reader accepts the file");
    ok(strcmp(e[0].msg, e[2].msg) == 0
       && strncmp(e[2].msg, "p.csv:4: rank: duplicate", 24) == 0,
       "the sort names the table's duplicate: %s", e[2].msg);
    bad = read_three(s, cat, "image,wnid\nb,1\na,151\nb,2\nb,n01443537\n",
                     RL_EVAL_RULE_RELABEL, ev, e, &regroup);
    free_three(ev);
    ok(bad == 7 && strcmp(e[0].msg, e[2].msg) == 0
       && strncmp(e[2].msg, "p.csv:5: wnid: duplicate", 24) == 0,
       "no rank column: file order ranks, in the sort too: %s", e[2].msg);
    bad = read_three(s, cat, "image,wnid,rank\nb,1,1\nzz,2,1\nb,2,1\n",
                     RL_EVAL_RULE_RELABEL, ev, e, &regroup);
    free_three(ev);
    ok(bad == 7 && strcmp(e[0].msg, e[2].msg) == 0
       && strncmp(e[2].msg, "p.csv:3: image: unknown", 23) == 0,
       "a bad row before any duplicate is the one named: %s", e[2].msg);

    rl_catalog_free(cat);
    rl_store_close(s);
}

/* Sorted rows spanning several runs of the sort by name: 3 models x 3
 * ranks on 30,000 images in scrambled order (270,000 rows, where the
 * sort's 16 MB index a run of 87,381 rows) score as the table does, the
 * scan holding one image; an unknown image and a duplicate in different
 * runs: the earlier one is named. */
#define SB_IMAGES 30000
#define SB_ROWS (SB_IMAGES * 9)

/* Row k of the scrambled order: model, image, rank and class. */
static void
sb_row(long k, char *model, char *image, int *rank, int *idx)
{
    long j = (k * 7919 + 13) % SB_ROWS;      /* 7919 is prime to 270000 */
    long img = j / 9;

    snprintf(model, 8, "m%ld", j % 3);
    snprintf(image, 16, "img%05ld", img);
    *rank = (int)(j / 3 % 3) + 1;
    /* m0 and m1 rank the label first, m2 the class after it. */
    *idx = (int)((img + (*rank - 1) * (j % 3 + 1) * 7
                  + (j % 3 == 2 && *rank == 1)) % 1000);
}

/* Adds the rows to `p`, with `extra` (image name, at row `at`) added
 * before that row when non-NULL, and row `dup` added twice. The result
 * of the first failing add, or 0. */
static int
sb_add(rl_preds *p, const rl_catalog *cat, const char *extra, long at,
       long dup, rl_err *err)
{
    long k;
    int r = 0;

    for (k = 0; k < SB_ROWS && r == 0; k++) {
        char model[8], image[16];
        int rank, idx;

        sb_row(k, model, image, &rank, &idx);
        if (extra != NULL && k == at)
            r = rl_preds_add(p, "m0", extra, K(cat, 5), 1, err);
        if (r == 0)
            r = rl_preds_add(p, model, image, K(cat, idx), rank, err);
        if (r == 0 && k == dup)
            r = rl_preds_add(p, model, image, K(cat, idx), rank, err);
    }
    return r;
}

/* The project of test_sorted_batches: image i labelled i % 1000, in val
 * or v2; its label correct unless i % 3 == 0 (then wrong), the next
 * class unclear when i % 5 == 0, flagged when i % 97 == 0. */
static rl_store *
sb_project(rl_catalog **cat)
{
    size_t cap = 4u << 20;
    char *labels = rl_xmalloc(cap), *reviews = rl_xmalloc(cap);
    size_t nl = 0, nr = 0;
    rl_store *s;
    long i;

    nl += (size_t)snprintf(labels, cap, "image,wnid,dataset\n");
    nr += (size_t)snprintf(reviews, cap,
                           "image,wnid,state,reviewer,problematic\n");
    for (i = 0; i < SB_IMAGES; i++) {
        nl += (size_t)snprintf(labels + nl, cap - nl, "img%05ld,%ld,%s\n",
                               i, i % 1000, i % 2 ? "val" : "v2");
        nr += (size_t)snprintf(reviews + nr, cap - nr, "img%05ld,%ld,%s,r,\n",
                               i, i % 1000, i % 3 ? "correct" : "wrong");
        if (i % 5 == 0)
            nr += (size_t)snprintf(reviews + nr, cap - nr,
                                   "img%05ld,%ld,unclear,r,\n", i,
                                   (i + 1) % 1000);
        if (i % 97 == 0)
            nr += (size_t)snprintf(reviews + nr, cap - nr,
                                   "img%05ld,,,r,1\n", i);
    }
    s = make_project("batches.db", labels, reviews, cat);
    free(labels);
    free(reviews);
    return s;
}

static void
test_sorted_batches(void)
{
    rl_catalog *cat;
    rl_store *s = sb_project(&cat);
    rl_eval_opts eo = { 100, 3, 0, RL_EVAL_RULE_TFDS };
    rl_truth *t[2];
    rl_eval ev[2];
    rl_preds *p[2];
    rl_err err;
    size_t held;
    long i;
    int r;

    t[0] = truth_of(s, cat, false);
    t[1] = truth_of(s, cat, true);
    p[0] = rl_preds_new(t[0]);
    p[1] = rl_preds_new_scan_sorted(t[1], eo.rule);
    r = sb_add(p[0], cat, NULL, -1, -1, &err);
    r |= sb_add(p[1], cat, NULL, -1, -1, &err);
    held = rl_truth_held(t[1]);
    ok(r == 0 && rl_preds_finish(p[1], &err) == 0, "270,000 rows read");
    ok(held <= 1, "the scan holds one image while the rows are sorted");
    rl_eval_run(t[0], p[0], &eo, &ev[0]);
    rl_eval_run(t[1], p[1], &eo, &ev[1]);
    ok(ev[1].n == 3 && ev[1].models[0].scored == SB_IMAGES
       && same_eval(&ev[0], &ev[1]),
       "across runs the sort scores as the table");
    for (i = 0; i < 2; i++) {
        rl_eval_free(&ev[i]);
        rl_preds_free(p[i]);
        rl_truth_free(t[i]);
    }

    /* An unknown image in the third run, a duplicate after it. */
    t[0] = truth_of(s, cat, true);
    p[0] = rl_preds_new_scan_sorted(t[0], eo.rule);
    r = sb_add(p[0], cat, "nope", 200000, 250000, &err);
    ok(r == 0 && rl_preds_finish(p[0], &err) == -1
       && err.code == RL_E_NOTFOUND && strstr(err.msg, "'nope'") != NULL,
       "an unknown image before a duplicate is the one named: %s",
       err.msg);
    rl_preds_free(p[0]);
    rl_truth_free(t[0]);
    /* A duplicate in the second run, the unknown image later. */
    t[0] = truth_of(s, cat, true);
    p[0] = rl_preds_new_scan_sorted(t[0], eo.rule);
    r = sb_add(p[0], cat, "nope", 200000, 100000, &err);
    ok(r == 0 && rl_preds_finish(p[0], &err) == -1
       && err.code == RL_E_DUP, "a duplicate before it is: %s", err.msg);
    rl_preds_free(p[0]);
    rl_truth_free(t[0]);

    rl_catalog_free(cat);
    rl_store_close(s);
}

/* ---- truth from a project ------------------------------------------- */

static const char TR_LABELS[] =
    "image,wnid,dataset\nx1,151,val\nx2,0,v2\nx3,404,val\n";
static const char TR_REVIEWS[] =
    "image,wnid,state,reviewer,problematic\n"
    "x1,151,correct,alice,\n"
    "x1,151,wrong,bob,\n"           /* tie: unclear */
    "x1,152,correct,alice,\n"
    "x1,152,correct,bob,\n"
    "x2,0,correct,alice,\n"
    "x2,,,bob,1\n"                  /* bob flags x2 */
    "x3,404,wrong,alice,\n"
    "x3,404,wrong,bob,\n";

static void
test_truth_load(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("truth.db", TR_LABELS, TR_REVIEWS, &cat);
    rl_consensus_opts o;
    rl_truth_summary ts;
    rl_truth *t;
    rl_preds *p;
    rl_eval ev;
    rl_err err;

    rl_consensus_parse("majority", &o, NULL);
    ok((t = rl_truth_load(s, cat, &o, &err)) != NULL, "truth, majority");
    rl_truth_summary_get(t, RL_EVAL_RULE_RELABEL, &ts);
    ok(ts.images == 3 && ts.multilabel == 1 && ts.no_correct == 1
       && ts.problematic == 1, "x1 counted, x2 flagged by bob, x3 empty");
    p = rl_preds_new(t);
    rl_preds_add(p, "m", "x1", K(cat, 151), 1, &err);
    rl_preds_add(p, "m", "x2", K(cat, 0), 1, &err);
    rl_eval_run(t, p, &(rl_eval_opts){ 0, 1, 0, RL_EVAL_RULE_RELABEL }, &ev);
    row(&ev.models[0], "all", 2, 2, 2, 1, 0, 1);
    row(&ev.models[0], "dataset:val", 1, 1, 1, 1, 0, 1);
    rl_eval_free(&ev);
    rl_preds_free(p);
    rl_truth_free(t);

    rl_consensus_parse("reviewer:alice", &o, NULL);
    ok((t = rl_truth_load(s, cat, &o, &err)) != NULL, "truth, alice");
    rl_truth_summary_get(t, RL_EVAL_RULE_RELABEL, &ts);
    ok(ts.multilabel == 2 && ts.problematic == 0,
       "alice's view: bob's flag does not count");
    p = rl_preds_new(t);
    rl_preds_add(p, "m", "x1", K(cat, 151), 1, &err);
    rl_eval_run(t, p, &(rl_eval_opts){ 0, 1, 0, RL_EVAL_RULE_RELABEL }, &ev);
    row(&ev.models[0], "all", 1, 1, 1, 1, 1, 1);
    rl_eval_free(&ev);
    rl_preds_free(p);
    rl_truth_free(t);

    rl_consensus_parse("reviewer:nobody", &o, NULL);
    ok(rl_truth_load(s, cat, &o, &err) == NULL && err.code == RL_E_NOTFOUND,
       "unknown reviewer: no truth");
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* ---- the truth as a scan (merge join in name order) ----------------- */

/* TR_LABELS' images in name order, with more than one image and model
 * between subsets: x1 val, x2 v2, x3 val. */
static const struct {
    const char *model, *image;
    int idx;
    long rank;
} SCAN_ROWS[] = {
    { "m", "x1", 152, 1 }, { "m", "x1", 151, 2 }, { "n", "x1", 151, 0 },
    { "n", "x2", 0, 1 }, { "m", "x2", 5, 1 }, { "m", "x2", 0, 2 },
    { "n", "x3", 404, 1 },
};
#define N_SCAN_ROWS (sizeof SCAN_ROWS / sizeof SCAN_ROWS[0])

/* The truth of `s` as a scan: SCAN_ROWS read through rl_preds_add (with
 * `sorted`, the first then the rest last first, into
 * rl_preds_new_scan_sorted), the images held
 * after each row at most *held; the evaluation and summary under `rule`;
 * the model names borrowed from *keep (free it). */
static int
scan_rows_as(rl_store *s, const rl_catalog *cat, rl_eval_rule rule,
             bool sorted, rl_eval *ev, rl_truth_summary *ts, size_t *held,
             rl_preds **keep)
{
    rl_consensus_opts o;
    rl_truth *t;
    rl_preds *p;
    rl_err err;
    size_t i;
    int rc = 0;

    rl_consensus_parse("majority", &o, NULL);
    if ((t = rl_truth_open(s, cat, &o, &err)) == NULL)
        die("scan", &err);
    p = sorted ? rl_preds_new_scan_sorted(t, rule) : rl_preds_new_scan(t, rule);
    *held = rl_truth_held(t);
    for (i = 0; i < N_SCAN_ROWS; i++) {
        /* The first row first (models in the same order), the rest
         * last first. */
        size_t k = sorted && i > 0 ? N_SCAN_ROWS - i : i;

        rc |= rl_preds_add(p, SCAN_ROWS[k].model, SCAN_ROWS[k].image,
                           K(cat, SCAN_ROWS[k].idx), SCAN_ROWS[k].rank,
                           &err);
        if (rl_truth_held(t) > *held)
            *held = rl_truth_held(t);
    }
    rc |= rl_preds_finish(p, &err);
    memset(ev, 0, sizeof *ev);
    if (rc == 0) {
        rl_eval_run(t, p, &(rl_eval_opts){ 200, 3, 0, rule }, ev);
        rl_truth_summary_get(t, rule, ts);
    }
    *keep = p;
    rl_truth_free(t);
    return rc;
}

static int
scan_rows(rl_store *s, const rl_catalog *cat, rl_eval_rule rule,
          rl_eval *ev, rl_truth_summary *ts, size_t *held, rl_preds **keep)
{
    return scan_rows_as(s, cat, rule, false, ev, ts, held, keep);
}

/* The same rows into a table on rl_truth_load's truth. */
static void
table_rows(rl_store *s, const rl_catalog *cat, rl_eval_rule rule,
           rl_eval *ev, rl_truth_summary *ts, rl_preds **keep)
{
    rl_consensus_opts o;
    rl_truth *t;
    rl_preds *p;
    rl_err err;
    size_t i;

    rl_consensus_parse("majority", &o, NULL);
    if ((t = rl_truth_load(s, cat, &o, &err)) == NULL)
        die("truth", &err);
    p = rl_preds_new(t);
    for (i = 0; i < sizeof SCAN_ROWS / sizeof SCAN_ROWS[0]; i++)
        add(p, cat, SCAN_ROWS[i].model, SCAN_ROWS[i].image, SCAN_ROWS[i].idx,
            SCAN_ROWS[i].rank);
    rl_eval_run(t, p, &(rl_eval_opts){ 200, 3, 0, rule }, ev);
    rl_truth_summary_get(t, rule, ts);
    *keep = p;
    rl_truth_free(t);
}

/* Reads `text` through a scan of `s` (`sorted`: through the sort by name
 * on it, finished after a failed reading too): 0, or -1 with *err and
 * *regroup. */
static int
scan_text_as(rl_store *s, const rl_catalog *cat, const char *text,
             bool sorted, rl_err *err, bool *regroup)
{
    rl_consensus_opts o;
    rl_truth *t;
    rl_preds *p;
    int r;

    rl_consensus_parse("majority", &o, NULL);
    if ((t = rl_truth_open(s, cat, &o, err)) == NULL)
        die("scan", err);
    p = sorted ? rl_preds_new_scan_sorted(t, RL_EVAL_RULE_RELABEL)
               : rl_preds_new_scan(t, RL_EVAL_RULE_RELABEL);
    r = read_mem(p, cat, text, err);
    if (r == 0 || sorted) {
        rl_err e2;

        if (rl_preds_finish(p, &e2) != 0) {
            *err = e2;
            r = -1;
        }
    }
    *regroup = rl_preds_regroup(p);
    rl_preds_free(p);
    rl_truth_free(t);
    return r;
}

static int
scan_text(rl_store *s, const rl_catalog *cat, const char *text,
          rl_err *err, bool *regroup)
{
    return scan_text_as(s, cat, text, false, err, regroup);
}

/* Rows in any order through the sort by name on a scan: scored and
 * counted as the table scores them, one image held at a time; unknown
 * images and duplicates named at their rows, the first in input order. */
static void
test_scan_sorted(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("scansort.db", TR_LABELS, TR_REVIEWS, &cat);
    static const rl_eval_rule rules3[] = {
        RL_EVAL_RULE_RELABEL, RL_EVAL_RULE_SHANKAR, RL_EVAL_RULE_TFDS
    };
    static const struct {
        const char *text, *want, *what;
        rl_errcode code;
    } bad[] = {
        { "image,wnid\nx3,1\nx1a,1\nx1,151\n", "p.csv:3: image: unknown "
          "image 'x1a'", "an unknown image between two", RL_E_NOTFOUND },
        { "image,wnid\nx2,1\nx1b,1\nx1a,1\n", "p.csv:3: image: unknown "
          "image 'x1b'", "two unknown images between two: the first read",
          RL_E_NOTFOUND },
        { "image,wnid\nzz,1\na,1\n", "p.csv:2: image: unknown image 'zz'",
          "after the last, then before the first", RL_E_NOTFOUND },
        { "image,wnid\nzz,1\nzzz,1\n", "p.csv:2: image: unknown image 'zz'",
          "two after the last", RL_E_NOTFOUND },
        { "image,wnid,rank\nx3,1,1\nx1,151,1\nx2,1,1\nx1,152,1\n", "p.csv:5:"
          " rank: duplicate", "a duplicate rank apart", RL_E_DUP },
        { "image,wnid,rank\nx2,1,1\nx2,1,2\nzz,1,1\n", "p.csv:3: wnid: "
          "duplicate", "a duplicate class before an unknown image",
          RL_E_DUP },
        { "image,wnid,rank\nx1,151,1\nx1,152,1\nx3,1,1\nx3,2,1\n",
          "p.csv:3: rank: duplicate", "two duplicates, the later one "
          "sorted last: the first named", RL_E_DUP },
        { "image,wnid,rank\nx2,1,1\nx2,1,x\n", "p.csv:3: rank: expected",
          "a bad field stops the reading", RL_E_PARSE },
    };
    rl_truth_summary ts[2];
    rl_eval ev[2];
    rl_preds *keep[2];
    rl_err err;
    size_t held, i;
    bool regroup;

    for (i = 0; i < 3; i++) {
        int r = scan_rows_as(s, cat, rules3[i], true, &ev[0], &ts[0], &held,
                             &keep[0]);

        table_rows(s, cat, rules3[i], &ev[1], &ts[1], &keep[1]);
        ok(r == 0 && held == 1, "%s: sorted on the scan, one image held",
           rl_eval_rule_name(rules3[i]));
        ok(r == 0 && same_eval(&ev[0], &ev[1])
           && memcmp(&ts[0], &ts[1], sizeof ts[0]) == 0,
           "%s: rows last first, sorted on the scan: as the table",
           rl_eval_rule_name(rules3[i]));
        rl_eval_free(&ev[0]);
        rl_eval_free(&ev[1]);
        rl_preds_free(keep[0]);
        rl_preds_free(keep[1]);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = scan_text_as(s, cat, bad[i].text, true, &err, &regroup);

        ok(r != 0 && err.code == bad[i].code && !regroup
           && strncmp(err.msg, bad[i].want, strlen(bad[i].want)) == 0,
           "sorted on the scan, %s: %s", bad[i].what,
           r != 0 ? err.msg : "accepted");
    }
    ok(scan_text_as(s, cat, "image,wnid\n", true, &err, &regroup) == 0,
       "sorted on the scan, no rows: fine");
    rl_catalog_free(cat);
    rl_store_close(s);
}

static void
test_truth_scan(void)
{
    rl_catalog *cat;
    rl_store *s = make_project("scan.db", TR_LABELS, TR_REVIEWS, &cat);
    static const rl_eval_rule rules3[] = {
        RL_EVAL_RULE_RELABEL, RL_EVAL_RULE_SHANKAR, RL_EVAL_RULE_TFDS
    };
    static const struct {
        const char *text, *want, *what;
        rl_errcode code;
        bool regroup;
    } bad[] = {
        { "image,wnid\nx1,151\nx1a,1\n", "p.csv:3: image: unknown image "
          "'x1a'", "an unknown image between two", RL_E_NOTFOUND, false },
        { "image,wnid\na,1\n", "p.csv:2: image: unknown image 'a'",
          "an unknown image before the first", RL_E_NOTFOUND, false },
        { "image,wnid\nx3,1\nzz,1\n", "p.csv:3: image: unknown image 'zz'",
          "an unknown image after the last", RL_E_NOTFOUND, false },
        { "image,wnid,rank\nx1,151,1\nx1,152,1\n", "p.csv:3: rank: "
          "duplicate", "a duplicate rank", RL_E_DUP, false },
        { "image,model,wnid\nx2,m,1\nx1,m,151\n", "p.csv:3: image: rows not "
          "in image-name order", "a row before the image read: re-read",
          RL_E_USAGE, true },
        { "image,model,wnid\nx1,m,1\nx3,n,1\nx2,m,151\n", "p.csv:4: image: "
          "rows not in image-name order", "another model's row back: re-read",
          RL_E_USAGE, true },
    };
    rl_truth_summary ts[2];
    rl_eval ev[2];
    rl_preds *keep[2];
    rl_err err;
    size_t held, i;
    bool regroup;

    for (i = 0; i < 3; i++) {
        int r = scan_rows(s, cat, rules3[i], &ev[0], &ts[0], &held,
                          &keep[0]);

        table_rows(s, cat, rules3[i], &ev[1], &ts[1], &keep[1]);
        ok(r == 0 && held == 1, "%s: the scan holds one image at a time",
           rl_eval_rule_name(rules3[i]));
        ok(r == 0 && same_eval(&ev[0], &ev[1])
           && memcmp(&ts[0], &ts[1], sizeof ts[0]) == 0,
           "%s: the scan scores and counts as the table",
           rl_eval_rule_name(rules3[i]));
        ok(ev[0].n == 2 && ev[0].models[0].n_sub == RL_SUBSET_COUNT + 2
           && strcmp(ev[0].models[0].sub[RL_SUBSET_COUNT].subset,
                     "dataset:v2") == 0,
           "%s: the tags' subsets from the first row",
           rl_eval_rule_name(rules3[i]));
        rl_eval_free(&ev[0]);
        rl_eval_free(&ev[1]);
        rl_preds_free(keep[0]);
        rl_preds_free(keep[1]);
    }
    /* m: 152 on x1 (correct), 5 on x2 (its label 0 at rank 2); n: 151
     * on x1 (unclear), 0 on x2 (the label, correct, flagged), 404 on
     * x3 (wrong). */
    scan_rows(s, cat, RL_EVAL_RULE_RELABEL, &ev[0], &ts[0], &held, &keep[0]);
    row(&ev[0].models[0], "all", 2, 0, 2, 1, 1, 1);
    row(&ev[0].models[1], "all", 3, 3, 3, 1, 0, 1);
    ok(ev[0].models[0].missing == 1 && ev[0].models[1].missing == 0,
       "images without a prediction counted past the last row");
    rl_eval_free(&ev[0]);
    rl_preds_free(keep[0]);

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = scan_text(s, cat, bad[i].text, &err, &regroup);

        ok(r != 0 && err.code == bad[i].code && regroup == bad[i].regroup
           && strncmp(err.msg, bad[i].want, strlen(bad[i].want)) == 0,
           "%s: %s", bad[i].what, r != 0 ? err.msg : "accepted");
    }
    ok(scan_text(s, cat, "image,wnid\n", &err, &regroup) == 0,
       "no rows: the scan reads the project to its end");
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* ---- bootstrap ------------------------------------------------------ */

static void
test_bootstrap(void)
{
    double a[2000], b[2000], x[4] = { 1, 2, 3, 4 };
    double lo, hi, want;
    int i;

    rl_metrics_bootstrap(100, 100, 200, 7, a);
    ok(a[0] == 1 && a[199] == 1, "all hits: every resample is 1");
    rl_metrics_bootstrap(100, 0, 200, 7, a);
    ok(a[0] == 0 && a[199] == 0, "no hits: every resample is 0");
    rl_metrics_bootstrap(1000, 900, 2000, 7, a);
    for (i = 1; i < 2000 && a[i - 1] <= a[i]; i++)
        ;
    ok(i == 2000, "resamples come sorted");
    lo = rl_metrics_quantile(a, 2000, 0.025);
    hi = rl_metrics_quantile(a, 2000, 0.975);
    want = 2 * 1.96 * sqrt(0.9 * 0.1 / 1000);
    ok(lo < 0.9 && hi > 0.9 && fabs((hi - lo) - want) < 0.15 * want,
       "95%% interval of 900/1000 is about +-1.86 points (%.4f-%.4f)", lo,
       hi);
    rl_metrics_bootstrap(1000, 900, 2000, 7, b);
    ok(memcmp(a, b, sizeof a) == 0, "same seed, same resamples");
    rl_metrics_bootstrap(1000, 900, 2000, 8, b);
    ok(memcmp(a, b, sizeof a) != 0, "another seed, other resamples");
    ok(near(rl_metrics_quantile(x, 4, 0.5), 2.5)
       && near(rl_metrics_quantile(x, 4, 0), 1)
       && near(rl_metrics_quantile(x, 4, 1), 4)
       && near(rl_metrics_quantile(x, 4, 1.0 / 3), 2),
       "quantiles interpolate linearly");
    ok(isnan(rl_metrics_quantile(x, 0, 0.5)), "quantile of nothing is NaN");
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_metrics.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_kappa();
    test_agreement();
    test_scoring();
    test_read();
    test_stream();
    test_sorted_batches();
    test_truth_load();
    test_truth_scan();
    test_scan_sorted();
    test_bootstrap();
    nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
