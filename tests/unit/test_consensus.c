/* test_consensus.c - the consensus rules on a hand-checked project (ties,
 * Don't know, a reviewer who did not mark a pair, adjudicators overriding
 * every rule), the disagreement queries, the Dawid-Skene EM engine on a
 * synthetic set with known rater noise (recovered confusion matrices and
 * prior, beating majority vote when a rater is a spammer), Dawid-Skene
 * through a project, and the anonymous vote table reader and comparison
 * (real_proposals.csv's layout). */
#include "relabel/consensus.h"

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif


static void
sql(const char *db, const char *q)
{
    sqlite3 *h;

    if (sqlite3_open(db, &h) != SQLITE_OK
        || sqlite3_exec(h, q, NULL, NULL, NULL) != SQLITE_OK) {
        printf("Bail out! %s: %s\n", q, sqlite3_errmsg(h));
        exit(1);
    }
    sqlite3_close(h);
}

/* A project at `name` with `labels` and each reviews text imported. */
static char *
make_project(const char *name, const char *labels, const char *reviews)
{
    rl_catalog *cat;
    rl_store *s = fx_project(name, &cat);

    fx_import(s, cat, "labels", "labels.csv", labels);
    fx_import(s, cat, "reviews", "reviews.csv", reviews);
    rl_catalog_free(cat);
    rl_store_close(s);
    return tpath(name);
}

/* ---- rules ---------------------------------------------------------- */

static void
test_parse(void)
{
    rl_consensus_opts o;
    rl_err err;
    char buf[64];

    ok(rl_consensus_parse("majority", &o, &err) == 0
       && o.rule == RL_CONSENSUS_MAJORITY, "parse majority");
    ok(rl_consensus_parse("reviewer:alice", &o, &err) == 0
       && o.rule == RL_CONSENSUS_REVIEWER
       && strcmp(o.reviewer, "alice") == 0, "parse reviewer:NAME");
    ok(rl_consensus_parse("dawid-skene", &o, &err) == 0
       && o.rule == RL_CONSENSUS_DAWID_SKENE && o.threshold == 0,
       "parse dawid-skene (default threshold)");
    ok(rl_consensus_parse("dawid-skene:0.9", &o, &err) == 0
       && o.threshold == 0.9, "parse dawid-skene:0.9");
    rl_consensus_describe(&o, buf, sizeof buf);
    is_str(buf, "dawid-skene (threshold 0.9)", "describe");
    ok(rl_consensus_parse("dawid-skene:1.5", &o, &err) == -1
       && err.code == RL_E_USAGE, "threshold above 1 refused");
    ok(rl_consensus_parse("reviewer:", &o, &err) == -1, "empty name refused");
    ok(rl_consensus_parse("vote", &o, &err) == -1
       && strstr(err.msg, "unknown consensus rule") != NULL,
       "unknown rule refused");
}

static void
test_majority(void)
{
    int none[RL_STATE_COUNT] = { 0 };
    int one[RL_STATE_COUNT] = { 0, 0, 1, 0, 0 };
    int win[RL_STATE_COUNT] = { 0, 2, 1, 0, 0 };
    int tie[RL_STATE_COUNT] = { 0, 1, 1, 0, 0 };
    int tie3[RL_STATE_COUNT] = { 0, 1, 0, 1, 1 };
    int dk[RL_STATE_COUNT] = { 0, 0, 0, 0, 2 };

    is_int(rl_consensus_majority(none), RL_STATE_NONE, "no votes: none");
    is_int(rl_consensus_majority(one), RL_STATE_WRONG, "one vote decides");
    is_int(rl_consensus_majority(win), RL_STATE_CORRECT, "2 to 1 wins");
    is_int(rl_consensus_majority(tie), RL_STATE_UNCLEAR,
           "correct/wrong tie is unclear");
    is_int(rl_consensus_majority(tie3), RL_STATE_UNCLEAR,
           "three-way tie is unclear");
    is_int(rl_consensus_majority(dk), RL_STATE_DONT_KNOW,
           "all don't know stays don't know");
}

/* Classes by index: 0 tench, 1 goldfish, 2 great white shark, 3 tiger
 * shark, 4 hammerhead, 5 electric ray. */
static const char LABELS[] =
    "image,wnid\n"
    "i1.JPEG,0\n"
    "i2.JPEG,2\n"
    "i3.JPEG,4\n"
    "i4.JPEG,5\n";
static const char REVIEWS[] =
    "image,wnid,state,reviewer\n"
    "i1.JPEG,0,correct,alice\n"       /* 2 correct, 1 wrong: correct */
    "i1.JPEG,0,correct,bob\n"
    "i1.JPEG,0,wrong,carol\n"
    "i1.JPEG,1,wrong,alice\n"         /* agreement: wrong */
    "i1.JPEG,1,wrong,bob\n"
    "i2.JPEG,2,correct,alice\n"       /* tie, adjudicated wrong */
    "i2.JPEG,2,wrong,bob\n"
    "i2.JPEG,2,wrong,dave\n"
    "i2.JPEG,3,unclear,alice\n"       /* 2 unclear, 1 correct: unclear */
    "i2.JPEG,3,unclear,bob\n"
    "i2.JPEG,3,correct,carol\n"
    "i3.JPEG,4,dont_know,alice\n"     /* only don't know */
    "i3.JPEG,4,dont_know,bob\n"
    "i3.JPEG,5,correct,carol\n"       /* alice never marked it */
    "i4.JPEG,5,correct,alice\n"       /* tie, adjudicated correct */
    "i4.JPEG,5,wrong,bob\n"
    "i4.JPEG,5,correct,erin\n";

/* What rl_consensus_disagreements_each handed over: "IMAGE/IDX rater:state
 * ... [adj NAME]; " per disagreement. */
struct seen {
    rl_buf text;
    size_t images;
    int stop;                          /* 1: return 7 after an image */
};

static int
seen_one(void *ctx, const rl_consensus *c, const rl_disagreement *d, size_t n)
{
    struct seen *w = ctx;
    size_t i, k;

    w->images++;
    for (i = 0; i < n; i++) {
        const rl_cpair *p = d[i].pair;

        rl_buf_printf(&w->text, "%s/%d", d[i].image, d[i].cls->idx);
        for (k = 0; k < p->n_votes; k++)
            rl_buf_printf(&w->text, " %s:%s",
                          c->raters[c->votes[p->first + k].rater],
                          rl_state_name(c->votes[p->first + k].state));
        if (p->adjudicated != RL_STATE_NONE)
            rl_buf_printf(&w->text, " adj %s", c->raters[p->adjudicator]);
        rl_buf_adds(&w->text, "; ");
    }
    return w->stop ? 7 : 0;
}

static rl_state
state_of(const rl_consensus *c, const rl_catalog *cat, rl_store *s,
         const char *img, int idx)
{
    const rl_cpair *p = rl_consensus_find(c, rl_image_find(s, img),
                                          rl_catalog_by_index(cat, idx)->id);

    return p != NULL ? p->state : (rl_state)-1;
}

static void
test_rules(void)
{
    char *db = make_project("rules.db", LABELS, REVIEWS);
    rl_consensus_opts o;
    rl_consensus c;
    rl_catalog *cat;
    rl_store *s;
    rl_err err;
    const rl_cpair *p;
    int64_t *ids;
    size_t n, i;
    rl_disagreement *d;

    sql(db, "UPDATE review SET role_code = 1"
            " WHERE reviewer IN ('dave', 'erin')");
    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL
        || (cat = rl_catalog_load(s, &err)) == NULL)
        die("open", &err);

    rl_consensus_parse("majority", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "majority computes");
    is_int(c.n, 7, "seven reviewed pairs");
    is_int(c.n_raters, 5, "five names (adjudicators included)");
    is_int(state_of(&c, cat, s, "i1.JPEG", 0), RL_STATE_CORRECT,
           "majority: 2 correct beat 1 wrong");
    is_int(state_of(&c, cat, s, "i1.JPEG", 1), RL_STATE_WRONG,
           "majority: agreement");
    is_int(state_of(&c, cat, s, "i2.JPEG", 2), RL_STATE_WRONG,
           "majority: adjudicator settles a tie");
    is_int(state_of(&c, cat, s, "i2.JPEG", 3), RL_STATE_UNCLEAR,
           "majority: 2 unclear beat 1 correct");
    is_int(state_of(&c, cat, s, "i3.JPEG", 4), RL_STATE_DONT_KNOW,
           "majority: only don't know");
    is_int(state_of(&c, cat, s, "i4.JPEG", 5), RL_STATE_CORRECT,
           "majority: second adjudicator settles another tie");
    p = rl_consensus_find(&c, rl_image_find(s, "i2.JPEG"),
                          rl_catalog_by_index(cat, 2)->id);
    ok(p != NULL && p->n_votes == 2 && p->n[RL_STATE_CORRECT] == 1
       && p->n[RL_STATE_WRONG] == 1, "adjudicator's verdict is no vote");
    ok(p != NULL && p->adjudicated == RL_STATE_WRONG
       && strcmp(c.raters[p->adjudicator], "dave") == 0,
       "adjudication recorded with its adjudicator");
    ok(p != NULL && p->p_correct == 0, "adjudicated wrong: p_correct 0");
    p = rl_consensus_find(&c, rl_image_find(s, "i1.JPEG"),
                          rl_catalog_by_index(cat, 0)->id);
    ok(p != NULL && fabs(p->p_correct - 2.0 / 3) < 1e-12,
       "majority p_correct is the share of correct votes");
    ok(p != NULL && p->disagree, "2-1 is a disagreement");
    p = rl_consensus_find(&c, rl_image_find(s, "i1.JPEG"),
                          rl_catalog_by_index(cat, 1)->id);
    ok(p != NULL && !p->disagree, "agreement is no disagreement");
    ok(rl_consensus_find(&c, rl_image_find(s, "i1.JPEG"),
                         rl_catalog_by_index(cat, 7)->id) == NULL,
       "unreviewed pair not found");
    for (i = 1; i < c.n; i++)
        if (c.pairs[i - 1].image > c.pairs[i].image
            || (c.pairs[i - 1].image == c.pairs[i].image
                && c.pairs[i - 1].cls >= c.pairs[i].cls))
            break;
    ok(i == c.n, "pairs sorted by image, class");

    /* Disagreements: i1/0, i2/2, i2/3, i4/5; open ones: i1/0, i2/3. */
    ok(rl_consensus_disagreements(s, cat, &c, false, &d, &n, &err) == 0
       && n == 4, "four disagreements");
    ok(n == 4 && strcmp(d[0].image, "i1.JPEG") == 0 && d[0].cls->idx == 0
       && strcmp(d[1].image, "i2.JPEG") == 0 && d[1].cls->idx == 2
       && d[2].cls->idx == 3 && strcmp(d[3].image, "i4.JPEG") == 0,
       "listed by image name and class index");
    rl_disagreements_free(d, n);
    ok(rl_consensus_disagreements(s, cat, &c, true, &d, &n, &err) == 0
       && n == 2 && d[0].cls->idx == 0 && d[1].cls->idx == 3,
       "open ones leave the adjudicated out");
    rl_disagreements_free(d, n);
    rl_consensus_free(&c);

    /* The same, image by image (`relabel disagreements`). */
    {
        struct seen w = {0};

        ok(rl_consensus_disagreements_each(s, cat, false, seen_one, &w, &err)
           == 0, "disagreements image by image");
        is_str(rl_buf_str(&w.text), "i1.JPEG/0 alice:correct bob:correct"
               " carol:wrong; i2.JPEG/2 alice:correct bob:wrong adj dave;"
               " i2.JPEG/3 alice:unclear bob:unclear carol:correct;"
               " i4.JPEG/5 alice:correct bob:wrong adj erin; ",
               "the same four, by image name and class, with their votes");
        is_int((long long)w.images, 3, "in three calls, one an image");
        rl_buf_reset(&w.text);
        ok(rl_consensus_disagreements_each(s, cat, true, seen_one, &w, &err)
           == 0, "open disagreements image by image");
        is_str(rl_buf_str(&w.text), "i1.JPEG/0 alice:correct bob:correct"
               " carol:wrong; i2.JPEG/3 alice:unclear bob:unclear"
               " carol:correct; ", "the same two open ones");
        w.stop = 1;
        w.images = 0;
        is_int((long long)rl_consensus_disagreements_each(s, cat, false,
                   seen_one, &w, &err), 7,
               "a callback's non-zero stops the walk and is returned");
        is_int((long long)w.images, 1, "after its first image");
        rl_buf_free(&w.text);
    }

    ok(rl_consensus_disagreement_images(s, false, &ids, &n, &err) == 0
       && n == 3 && ids[0] == rl_image_find(s, "i1.JPEG")
       && ids[1] == rl_image_find(s, "i2.JPEG")
       && ids[2] == rl_image_find(s, "i4.JPEG"),
       "images with disagreements, by name");
    free(ids);
    ok(rl_consensus_disagreement_images(s, true, &ids, &n, &err) == 0
       && n == 2 && ids[1] == rl_image_find(s, "i2.JPEG"),
       "images with open disagreements (i4 is settled)");
    free(ids);
    {
        /* The same rule one image at a time (the queue's refresh). */
        static const struct {
            const char *image;
            bool open_only, disputed;
        } one[] = { { "i1.JPEG", true, true }, { "i2.JPEG", true, true },
                    { "i3.JPEG", false, false }, { "i4.JPEG", false, true },
                    { "i4.JPEG", true, false } };
        size_t bad = 0, j;
        bool on;

        for (j = 0; j < sizeof one / sizeof *one; j++)
            if (rl_consensus_image_disputed(s, rl_image_find(s, one[j].image),
                                            one[j].open_only, &on, &err) != 0
                || on != one[j].disputed)
                bad++;
        ok(bad == 0, "one image at a time: i1, i2 open; i3 agreed; i4"
           " disputed but settled (%zu wrong)", bad);
    }

    /* One reviewer's view, adjudications still final. */
    rl_consensus_parse("reviewer:alice", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "reviewer rule computes");
    is_int(state_of(&c, cat, s, "i1.JPEG", 0), RL_STATE_CORRECT,
           "alice: correct");
    is_int(state_of(&c, cat, s, "i2.JPEG", 2), RL_STATE_WRONG,
           "alice said correct, but the adjudicator's wrong is final");
    is_int(state_of(&c, cat, s, "i3.JPEG", 5), RL_STATE_NONE,
           "a pair alice never marked has no label");
    rl_consensus_free(&c);
    rl_consensus_parse("reviewer:zoe", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == -1
       && err.code == RL_E_NOTFOUND, "unknown reviewer refused");

    /* Dawid-Skene on the same verdicts. */
    rl_consensus_parse("dawid-skene", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "dawid-skene computes");
    ok(c.iterations > 0 && c.confusion != NULL, "EM ran");
    is_int(state_of(&c, cat, s, "i2.JPEG", 2), RL_STATE_WRONG,
           "dawid-skene: adjudication final");
    is_int(state_of(&c, cat, s, "i4.JPEG", 5), RL_STATE_CORRECT,
           "dawid-skene: second adjudication final");
    is_int(state_of(&c, cat, s, "i3.JPEG", 4), RL_STATE_DONT_KNOW,
           "dawid-skene: only don't know stays don't know");
    is_int(state_of(&c, cat, s, "i1.JPEG", 1), RL_STATE_WRONG,
           "dawid-skene: two wrong votes are wrong");
    for (i = 0; i < c.n; i++)
        if (!(c.pairs[i].p_correct >= 0 && c.pairs[i].p_correct <= 1))
            break;
    ok(i == c.n, "posteriors are probabilities");
    rl_consensus_free(&c);

    /* The raters come from the counters: with bob's missing (a project
     * edited by hand), every reading of the votes fails and says how to
     * mend it, rather than counting bob's votes for somebody else. */
    sql(db, "DELETE FROM tally WHERE name = 'reviewer_reviews'"
            " AND reviewer = 'bob'");
    {
        static const char *const rules[] = { "majority", "dawid-skene" };
        rl_consensus_scan *sc;
        struct seen w = {0};
        size_t k;

        for (k = 0; k < 2; k++) {
            rl_consensus_parse(rules[k], &o, NULL);
            ok(rl_consensus_compute(s, &o, &c, &err) == -1
               && err.code == RL_E_DB && strstr(err.msg, "check --recount"),
               "%s: a drifted rater list fails the computation: %s",
               rules[k], err.msg);
            rl_consensus_free(&c);
        }
        rl_consensus_parse("majority", &o, NULL);
        sc = rl_consensus_scan_open(s, &o, &err);
        ok(sc != NULL && rl_consensus_scan_image(sc, rl_image_find(s,
               "i1.JPEG"), &c, &err) == -1 && strstr(err.msg, "drifted"),
           "and the scan at the first image bob marked");
        rl_consensus_scan_free(sc);
        ok(rl_consensus_disagreements_each(s, cat, false, seen_one, &w, &err)
           == -1 && w.images == 0 && strstr(err.msg, "drifted"),
           "and the disagreements, before any is handed over");
        rl_buf_free(&w.text);
    }
    sql(db, "INSERT INTO tally(name, reviewer, n) SELECT 'reviewer_reviews',"
            " 'bob', count(*) FROM review WHERE reviewer = 'bob'");
    rl_consensus_parse("majority", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "recounted, it computes");
    rl_consensus_free(&c);

    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* ---- the EM engine on synthetic raters ------------------------------ */

static uint64_t rng = 12345;

static double
unif(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static int
draw(const double *p, int k)
{
    double u = unif(), acc = 0;
    int i;

    for (i = 0; i < k - 1; i++) {
        acc += p[i];
        if (u < acc)
            return i;
    }
    return k - 1;
}

/* Five raters answering no / maybe / yes; rows: truth not correct, then
 * truth correct. */
static const double RATERS[5][2][3] = {
    { { 0.95, 0.04, 0.01 }, { 0.02, 0.03, 0.95 } },   /* expert */
    { { 0.85, 0.10, 0.05 }, { 0.10, 0.10, 0.80 } },   /* good */
    { { 0.60, 0.20, 0.20 }, { 0.30, 0.20, 0.50 } },   /* noisy */
    { { 0.40, 0.20, 0.40 }, { 0.40, 0.20, 0.40 } },   /* spammer */
    { { 0.30, 0.10, 0.60 }, { 0.05, 0.05, 0.90 } },   /* says yes a lot */
};

static void
test_engine(void)
{
    enum { N = 4000, R = 5, A = 3 };
    rl_ds_obs *obs = rl_xcalloc(N * R, sizeof *obs);
    double *post = rl_xcalloc(N, sizeof *post);
    int *truth = rl_xcalloc(N, sizeof *truth);
    int i, r, a, t, n_true = 0, ds_right = 0, maj_right = 0;
    double worst = 0;
    size_t n_obs = 0;
    rl_ds_model m;
    rl_err err;

    /* Each item is rated by the five, except that the expert skips every
     * third item (unequal numbers of ratings per item). */
    for (i = 0; i < N; i++) {
        int yes = 0, no = 0;

        truth[i] = unif() < 0.3;
        n_true += truth[i];
        for (r = 0; r < R; r++) {
            if (r == 0 && i % 3 == 0)
                continue;
            a = draw(RATERS[r][truth[i]], A);
            obs[n_obs++] = (rl_ds_obs){ (uint32_t)i, (uint32_t)r,
                                        (uint32_t)a, 1 };
            yes += a == 2;
            no += a == 0;
        }
        post[i] = yes > no ? 1 : yes < no ? 0 : 0.5;
        maj_right += (yes > no) == truth[i];
    }
    ok(rl_consensus_ds_fit(obs, n_obs, N, R, A, NULL, post, &m, &err) == 0,
       "EM fits the synthetic set");
    ok(m.converged && m.iterations < RL_DS_MAX_ITER, "EM converged (%d "
       "iterations)", m.iterations);
    ok(fabs(m.prior - (double)n_true / N) < 0.02, "prior recovered "
       "(%.3f vs %.3f)", m.prior, (double)n_true / N);
    for (r = 0; r < R; r++)
        for (t = 0; t < 2; t++)
            for (a = 0; a < A; a++) {
                double d = fabs(m.confusion[(r * 2 + t) * A + a]
                                - RATERS[r][t][a]);

                if (d > worst)
                    worst = d;
            }
    ok(worst < 0.04, "every confusion cell within 0.04 of the truth "
       "(worst %.3f)", worst);
    for (i = 0; i < N; i++)
        ds_right += (post[i] >= 0.5) == truth[i];
    ok(ds_right > maj_right, "Dawid-Skene beats majority vote (%d vs %d of "
       "%d)", ds_right, maj_right, N);
    /* The best any rule can do: the posterior under the true model. */
    {
        int oracle = 0;
        size_t k = 0;

        for (i = 0; i < N; i++) {
            double l0 = log(0.7), l1 = log(0.3);

            for (; k < n_obs && obs[k].item == (uint32_t)i; k++) {
                l0 += log(RATERS[obs[k].rater][0][obs[k].answer]);
                l1 += log(RATERS[obs[k].rater][1][obs[k].answer]);
            }
            oracle += (l1 >= l0) == truth[i];
        }
        ok(ds_right >= oracle - N / 200, "Dawid-Skene within 0.5%% of the "
           "true model's accuracy (%d vs %d)", ds_right, oracle);
    }
    rl_ds_model_free(&m);

    /* A cap on iterations is respected and reported. */
    for (i = 0; i < N; i++)
        post[i] = 0.5 + 0.4 * (truth[i] ? 1 : -1);
    ok(rl_consensus_ds_fit(obs, n_obs, N, R, A, &(rl_ds_opts){ 2, 0, 0 },
                           post, &m, &err) == 0
       && m.iterations == 2 && !m.converged, "iteration cap");
    rl_ds_model_free(&m);

    obs[0].rater = R;
    ok(rl_consensus_ds_fit(obs, n_obs, N, R, A, NULL, post, NULL, &err) == -1
       && err.code == RL_E_RANGE, "out-of-range rater refused");
    ok(rl_consensus_ds_fit(NULL, 0, 0, 0, A, NULL, NULL, NULL, &err) == 0,
       "empty input is fine");
    free(obs);
    free(post);
    free(truth);
}

/* The same idea through a project: four reviewers, one a spammer. */
static void
test_project_ds(void)
{
    enum { N = 600, R = 4 };
    rl_buf labels = {0}, reviews = {0};
    /* Sorted by name, as rl_consensus.raters will be. */
    static const char *const who[R] = { "fair", "good", "okay", "spam" };
    static const double acc[R] = { 0.75, 0.95, 0.85, -1 };
    int truth[N], i, r, ds_right = 0, maj_right = 0;
    double worst = 0;
    rl_consensus_opts o;
    rl_consensus c, mj;
    rl_catalog *cat;
    rl_store *s;
    rl_err err;
    char *db;

    rng = 777;
    rl_buf_adds(&labels, "image,wnid\n");
    rl_buf_adds(&reviews, "image,wnid,state,reviewer\n");
    for (i = 0; i < N; i++) {
        truth[i] = unif() < 0.4;
        rl_buf_printf(&labels, "p%03d.JPEG,%d\n", i, i % 1000);
        for (r = 0; r < R; r++) {
            bool says = acc[r] < 0 ? unif() < 0.5
                        : unif() < acc[r] ? truth[i] : !truth[i];

            rl_buf_printf(&reviews, "p%03d.JPEG,%d,%s,%s\n", i, i % 1000,
                          says ? "correct" : "wrong", who[r]);
        }
    }
    db = make_project("ds.db", rl_buf_str(&labels), rl_buf_str(&reviews));
    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL
        || (cat = rl_catalog_load(s, &err)) == NULL)
        die("open", &err);
    rl_consensus_parse("dawid-skene:0.5", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "dawid-skene on a "
       "project of %d pairs, %d reviewers", N, R);
    rl_consensus_parse("majority", &o, NULL);
    ok(rl_consensus_compute(s, &o, &mj, &err) == 0, "majority too");
    for (i = 0; i < N; i++) {
        char name[32];
        int64_t img, cls = rl_catalog_by_index(cat, i % 1000)->id;
        const rl_cpair *p, *q;

        snprintf(name, sizeof name, "p%03d.JPEG", i);
        img = rl_image_find(s, name);
        p = rl_consensus_find(&c, img, cls);
        q = rl_consensus_find(&mj, img, cls);
        ds_right += p != NULL && (p->state == RL_STATE_CORRECT) == truth[i];
        maj_right += q != NULL && (q->state == RL_STATE_CORRECT) == truth[i];
    }
    rl_consensus_free(&mj);
    ok(ds_right > maj_right, "with a spammer, Dawid-Skene (%d) is more "
       "often right than majority (%d)", ds_right, maj_right);
    ok(c.n_raters == R && strcmp(c.raters[1], "good") == 0,
       "raters sorted by name");
    /* P(said correct | truth t) is at [(r * 2 + t) * 4 + 0]. */
    for (r = 0; r < R && c.confusion != NULL; r++) {
        double sens = acc[r] < 0 ? 0.5 : acc[r];
        double spec = acc[r] < 0 ? 0.5 : 1 - acc[r];
        double d1 = fabs(c.confusion[(r * 2 + 1) * 4] - sens);
        double d0 = fabs(c.confusion[(r * 2 + 0) * 4] - spec);

        worst = fmax(worst, fmax(d1, d0));
    }
    ok(c.confusion != NULL && worst < 0.07, "every reviewer's P(correct | "
       "truth) recovered within 0.07 (worst %.3f)", worst);
    ok(fabs(c.prior - 0.4) < 0.06, "prior recovered (%.3f)", c.prior);
    rl_consensus_free(&c);
    rl_catalog_free(cat);
    rl_store_close(s);
    rl_buf_free(&labels);
    rl_buf_free(&reviews);
    free(db);
}

/* ---- anonymous votes ------------------------------------------------ */

static const char VOTES[] =
    "image,wnid,ds_score,votes_no,votes_maybe,votes_yes,in_real\n"
    "a.JPEG,n01440764,0.99,0,0,5,1\n"
    "a.JPEG,n01443537,0.01,5,0,0,0\n"
    "a.JPEG,n01484850,0.9,1,1,3,0\n"      /* the fit says yes, ReaL no */
    "b.JPEG,n01491361,0.01,4,1,0,0\n"     /* empty set on both sides */
    "b.JPEG,n01494475,0.02,5,0,0,0\n"
    "c.JPEG,n01496331,0.97,0,1,4,1\n";

static void
test_votes(void)
{
    rl_vote_table t;
    rl_vote_agreement a;
    rl_ds_model m;
    rl_err err;
    char *f;

    spew("votes.csv", VOTES);
    f = tpath("votes.csv");
    ok(rl_vote_table_read(&t, f, &err) == 0, "vote table read");
    is_int(t.n, 6, "six pairs");
    is_int(t.n_images, 3, "three images");
    ok(t.has_ref && t.has_score, "in_real and ds_score seen");
    ok(rl_vote_table_fit(&t, NULL, &m, &err) == 0, "pooled fit");
    ok(t.rows[0].post > 0.99 && t.rows[1].post < 0.01,
       "unanimous votes give near-certain posteriors");
    ok(t.rows[2].post > t.rows[4].post && t.rows[5].post > t.rows[2].post,
       "posterior grows with yes votes");
    ok(rl_vote_table_compare(&t, 0.5, &a, &err) == 0, "compare");
    ok(a.tp == 2 && a.fp == 1 && a.fn == 0 && a.tn == 3,
       "pair counts (tp %ld fp %ld fn %ld tn %ld)", a.tp, a.fp, a.fn, a.tn);
    ok(a.images_exact == 2 && a.ref_sets_empty == 1
       && a.fit_sets_empty == 1, "image sets: b and c match, a does not");
    ok(!isnan(a.score_mad) && a.score_max >= a.score_mad,
       "distance to ds_score");
    rl_ds_model_free(&m);
    rl_vote_table_free(&t);
    free(f);

    spew("bad1.csv", "image,wnid,votes_no,votes_maybe,votes_yes\n"
         "a.JPEG,n01440764,1,2,x\n");
    f = tpath("bad1.csv");
    ok(rl_vote_table_read(&t, f, &err) == -1 && strstr(err.msg, ":2: "
       "votes_yes: ") != NULL, "bad count: FILE:LINE: field (%s)", err.msg);
    rl_vote_table_free(&t);
    free(f);
    spew("bad2.csv", "image,wnid,votes_no,votes_yes\na,b,1,2\n");
    f = tpath("bad2.csv");
    ok(rl_vote_table_read(&t, f, &err) == -1 && strstr(err.msg, ":1: "
       "missing column 'votes_maybe'") != NULL, "missing column (%s)",
       err.msg);
    rl_vote_table_free(&t);
    free(f);
    spew("bad3.csv", "image,wnid,votes_no,votes_maybe,votes_yes\n"
         "a,b,1,2,2\nc,d,0,0,5\na,b,0,0,5\n");
    f = tpath("bad3.csv");
    ok(rl_vote_table_read(&t, f, &err) == -1 && err.code == RL_E_DUP
       && strstr(err.msg, ":4: wnid: duplicate pair (first on line 2)")
       != NULL, "duplicate pair (%s)", err.msg);
    rl_vote_table_free(&t);
    free(f);
    spew("bad4.csv", "image,wnid,votes_no,votes_maybe,votes_yes\n"
         "a,b,0,0,0\n");
    f = tpath("bad4.csv");
    ok(rl_vote_table_read(&t, f, &err) == -1 && strstr(err.msg, "no votes")
       != NULL, "a pair without votes refused");
    rl_vote_table_free(&t);
    free(f);
}

/* ---- the main object ------------------------------------------------ */

/* m1: class 10 is correct (3 of 3), 20 wrong (3 of 3); four reviewers
 * chose 20 as main, one chose 10: the raw majority main (20) is outside
 * the correct set, so the consensus main is 10 with 1 vote.
 * m2: 30 and 40 both correct; one vote each: the tie goes to the lower
 * class index, 30. m3: the only main object chosen (50) is wrong: none.
 * Main marks ride on verdict rows (main=1) and on image rows (wnid). */
static const char MAIN_LABELS[] =
    "image,wnid\nm1.JPEG,10\nm2.JPEG,30\nm3.JPEG,50\n";
static const char MAIN_REVIEWS[] =
    "image,wnid,state,reviewer,main\n"
    "m1.JPEG,10,correct,a,\nm1.JPEG,10,correct,b,\nm1.JPEG,10,correct,c,\n"
    "m1.JPEG,20,wrong,a,1\nm1.JPEG,20,wrong,b,1\nm1.JPEG,20,wrong,c,1\n"
    "m1.JPEG,,,d,20\nm1.JPEG,,,e,10\n"
    "m2.JPEG,30,correct,a,\nm2.JPEG,40,correct,a,1\n"
    "m2.JPEG,30,correct,b,1\nm2.JPEG,40,correct,b,\n"
    "m3.JPEG,50,wrong,a,1\nm3.JPEG,50,wrong,b,\n";

static int64_t
main_of(const rl_consensus *c, rl_store *s, const char *image)
{
    const rl_cimage *ci = rl_consensus_image(c, rl_image_find(s, image));

    return ci != NULL ? ci->main : -1;
}

static void
test_main_object(void)
{
    char *db = make_project("main.db", MAIN_LABELS, MAIN_REVIEWS);
    rl_consensus_opts o;
    rl_consensus c;
    rl_catalog *cat;
    rl_store *s;
    rl_err err;
    const rl_cimage *ci;
    char *buf = NULL;
    size_t len = 0;
    FILE *out;

    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL
        || (cat = rl_catalog_load(s, &err)) == NULL)
        die("open", &err);
    rl_consensus_parse("majority", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "main: majority");
    ci = rl_consensus_image(&c, rl_image_find(s, "m1.JPEG"));
    ok(ci != NULL && ci->main == rl_catalog_by_index(cat, 10)->id
       && ci->main_votes == 1 && ci->n_main == 5,
       "m1: the main object is the correct class 10 (1 of 5 votes), not "
       "the raw majority 20, which the consensus calls wrong");
    is_int(main_of(&c, s, "m2.JPEG"), rl_catalog_by_index(cat, 30)->id,
           "m2: a tie between two correct classes goes to the lower index");
    is_int(main_of(&c, s, "m3.JPEG"), 0,
           "m3: no main object when none chosen is correct");
    rl_consensus_free(&c);

    rl_consensus_parse("reviewer:b", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "main: reviewer:b");
    is_int(main_of(&c, s, "m1.JPEG"), 0,
           "reviewer:b: b's main object (20) is wrong by b: none");
    is_int(main_of(&c, s, "m2.JPEG"), rl_catalog_by_index(cat, 30)->id,
           "reviewer:b: b's main object on m2");
    rl_consensus_free(&c);

    rl_consensus_parse("dawid-skene", &o, NULL);
    ok(rl_consensus_compute(s, &o, &c, &err) == 0, "main: dawid-skene");
    is_int(main_of(&c, s, "m1.JPEG"), rl_catalog_by_index(cat, 10)->id,
           "dawid-skene: the main object among its correct classes");
    rl_consensus_free(&c);

    /* The wide export's main column asks the same rule. */
    out = open_memstream(&buf, &len);
    ok(rl_export(s, cat, RL_EXPORT_WIDE, NULL, out, &err) == 0,
       "wide export");
    fclose(out);
    {
        char want[128];

        snprintf(want, sizeof want, ",0,%s\nm2.JPEG,",
                 rl_catalog_by_index(cat, 10)->wnid);
        ok(buf != NULL && strstr(buf, want) != NULL,
           "wide: m1's main column is class 10");
        snprintf(want, sizeof want, ",0,\n");
        ok(buf != NULL && strstr(buf, "m3.JPEG,") != NULL
           && strstr(strstr(buf, "m3.JPEG,"), want) != NULL,
           "wide: m3 has no main object");
    }
    free(buf);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* An adjudicator's main mark settles the main object as their verdicts
 * settle states (a reviewer adjudicates on an image when any verdict of
 * theirs there is an adjudication).
 * j1: 10 and 20 correct; a, b, c chose 10, the adjudicator judge chose
 *     20: the main object is 20 (before: 10, three votes to one).
 * j2: judge chose 40 but adjudicated it wrong: no settling (40 is not
 *     correct), the reviewers' vote gives 30.
 * j3, j4: two adjudicators; the later main mark wins, whichever class
 *     index comes first (j3: jo's 60 is later, j4: judge's 70).
 * j5: bob's main mark without any adjudication of his is a plain vote
 *     (80 by two reviewers against 90 by one). */
static const char ADJ_LABELS[] =
    "image,wnid\nj1.JPEG,10\nj2.JPEG,30\nj3.JPEG,50\nj4.JPEG,70\n"
    "j5.JPEG,80\n";
static const char ADJ_REVIEWS[] =
    "image,wnid,state,reviewer,role,main,updated_at\n"
    "j1.JPEG,10,correct,a,,1,\nj1.JPEG,20,correct,a,,,\n"
    "j1.JPEG,10,correct,b,,1,\nj1.JPEG,20,correct,b,,,\n"
    "j1.JPEG,10,correct,c,,1,\nj1.JPEG,20,correct,c,,,\n"
    "j1.JPEG,20,correct,judge,adjudicator,1,2026-01-01T00:00:00Z\n"
    "j2.JPEG,30,correct,a,,1,\nj2.JPEG,40,correct,a,,,\n"
    "j2.JPEG,30,correct,b,,,\nj2.JPEG,40,correct,b,,,\n"
    "j2.JPEG,40,wrong,judge,adjudicator,1,2026-01-01T00:00:00Z\n"
    "j3.JPEG,50,correct,a,,1,\nj3.JPEG,60,correct,a,,,\n"
    "j3.JPEG,50,correct,judge,adjudicator,1,2026-01-01T00:00:00Z\n"
    "j3.JPEG,60,correct,jo,adjudicator,1,2026-01-02T00:00:00Z\n"
    "j4.JPEG,70,correct,a,,,\nj4.JPEG,80,correct,a,,1,\n"
    "j4.JPEG,70,correct,judge,adjudicator,1,2026-01-02T00:00:00Z\n"
    "j4.JPEG,80,correct,jo,adjudicator,1,2026-01-01T00:00:00Z\n"
    "j5.JPEG,80,correct,a,,1,\nj5.JPEG,80,correct,b,,1,\n"
    "j5.JPEG,90,correct,a,,,\nj5.JPEG,90,correct,b,,,\n"
    "j5.JPEG,90,correct,bob,,1,\n";

static void
test_adjudicator_main(void)
{
    static const char *const rules[] = { "majority", "dawid-skene" };
    static const struct { const char *image; int idx, votes; } want[] = {
        { "j1.JPEG", 20, 0 }, { "j2.JPEG", 30, 1 }, { "j3.JPEG", 60, 0 },
        { "j4.JPEG", 70, 0 }, { "j5.JPEG", 80, 2 }
    };
    char *db = make_project("adjmain.db", ADJ_LABELS, ADJ_REVIEWS);
    rl_catalog *cat;
    rl_store *s;
    rl_err err;
    size_t k, i;

    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL
        || (cat = rl_catalog_load(s, &err)) == NULL)
        die("open", &err);
    for (k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        rl_consensus_opts o;
        rl_consensus c, view;
        rl_consensus_scan *sc;

        rl_consensus_parse(rules[k], &o, NULL);
        if (rl_consensus_compute(s, &o, &c, &err) != 0)
            die("compute", &err);
        for (i = 0; i < sizeof want / sizeof want[0]; i++) {
            const rl_cimage *ci = rl_consensus_image(&c,
                rl_image_find(s, want[i].image));

            /* Under dawid-skene, fitted on five images, the reviewers'
             * classes of j2 and j5 are not correct: only the settled
             * images are the rule's. */
            if (k > 0 && want[i].votes > 0)
                continue;
            ok(ci != NULL && ci->main == rl_catalog_by_index(cat,
               want[i].idx)->id && ci->main_votes == want[i].votes,
               "%s, %s: main object %d, %d reviewers' votes", rules[k],
               want[i].image, want[i].idx, want[i].votes);
        }
        /* The image-by-image scan (the exports') agrees. */
        if ((sc = rl_consensus_scan_open(s, &o, &err)) == NULL)
            die("scan", &err);
        for (i = 0; i < sizeof want / sizeof want[0]; i++) {
            int64_t id = rl_image_find(s, want[i].image);
            const rl_cimage *ci;

            if (rl_consensus_scan_image(sc, id, &view, &err) != 0)
                die("scan image", &err);
            ci = rl_consensus_image(&view, id);
            if (k > 0 && want[i].votes > 0)
                continue;
            ok(ci != NULL && ci->main == rl_catalog_by_index(cat,
               want[i].idx)->id, "%s scan, %s: main object %d", rules[k],
               want[i].image, want[i].idx);
        }
        rl_consensus_scan_free(sc);
        rl_consensus_free(&c);
    }
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* The image-by-image scan gives what the whole computation gives, under
 * every rule, on the main-object project (adjudications added). */
static void
test_scan(void)
{
    static const char *const rules[] = { "majority", "reviewer:a",
                                         "dawid-skene" };
    char *db = tpath("main.db");
    rl_store *s;
    rl_err err;
    size_t k;

    sql(db, "UPDATE review SET role_code = 1, state_code = 0"
            " WHERE reviewer = 'c' AND class = (SELECT id FROM class"
            " WHERE idx = 20)");
    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL)
        die("open", &err);
    for (k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        rl_consensus_opts o;
        rl_consensus all, view;
        rl_consensus_scan *sc;
        sqlite3_stmt *st;
        int bad = 0, seen = 0;
        size_t i;

        rl_consensus_parse(rules[k], &o, NULL);
        if (rl_consensus_compute(s, &o, &all, &err) != 0
            || (sc = rl_consensus_scan_open(s, &o, &err)) == NULL)
            die("scan", &err);
        sqlite3 *h;

        sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL);
        sqlite3_prepare_v2(h, "SELECT id FROM image ORDER BY name", -1, &st,
                           NULL);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            const rl_cimage *a, *b;

            if (rl_consensus_scan_image(sc, id, &view, &err) != 0)
                die("scan image", &err);
            for (i = 0; i < view.n; i++) {
                const rl_cpair *p = rl_consensus_find(&all, id,
                                                      view.pairs[i].cls);

                seen++;
                bad += p == NULL || p->state != view.pairs[i].state;
            }
            a = rl_consensus_image(&all, id);
            b = rl_consensus_image(&view, id);
            bad += (a == NULL) != (b == NULL)
                   || (a != NULL && (a->main != b->main
                                     || a->problematic != b->problematic));
        }
        sqlite3_finalize(st);
        sqlite3_close(h);
        ok(bad == 0 && seen == (int)all.n, "scan equals compute under %s "
           "(%d pairs)", rules[k], seen);
        rl_consensus_scan_free(sc);
        rl_consensus_free(&all);
    }
    rl_store_close(s);
    free(db);
}

/* The dawid-skene scan fits from temporary files of vote records and of
 * posteriors, read DS_BUF (4,096) at a time, where rl_consensus_compute
 * fits in memory: on a project of ~16,000 votes on ~4,800 pairs (past
 * both buffers) with images named out
 * of id order, Don't know and Unclear votes, adjudications (some pairs
 * adjudicated only, so the fit has items without votes) and main
 * objects, every pair's state and posterior are the same to the bit, and
 * so are the EM's iterations, prior and convergence. */
static void
test_scan_ds_large(void)
{
    enum { N = 2400, R = 4 };
    static const char *const who[R] = { "fair", "good", "okay", "spam" };
    static const double acc[R] = { 0.7, 0.95, 0.85, -1 };
    static const char *const st[] = { "wrong", "correct" };
    rl_buf labels = {0}, reviews = {0};
    rl_consensus_opts o;
    rl_consensus all, view;
    rl_consensus_scan *sc;
    rl_store *s;
    rl_err err;
    sqlite3 *h;
    sqlite3_stmt *q;
    long votes = 0;
    int i, j, r, bad = 0, seen = 0, pbad = 0;
    char *db;

    rng = 4242;
    rl_buf_adds(&labels, "image,wnid\n");
    rl_buf_adds(&reviews, "image,wnid,state,reviewer,main\n");
    for (i = 0; i < N; i++) {
        /* Ids follow this order, names another. */
        int name = (i * 7919) % N;

        rl_buf_printf(&labels, "d%05d.JPEG,%d\n", name, i % 1000);
        for (j = 0; j < 2; j++) {
            int truth = unif() < 0.5, cls = (i + j * 7) % 1000;

            for (r = 0; r < R; r++) {
                double u = unif();
                const char *v = acc[r] < 0 ? st[unif() < 0.5]
                                : st[u < acc[r] ? truth : !truth];

                if (unif() < 0.15)
                    continue;              /* not every rater, every pair */
                if (u > 0.97)
                    v = u > 0.985 ? "dont_know" : "unclear";
                rl_buf_printf(&reviews, "d%05d.JPEG,%d,%s,%s,%s\n", name, cls,
                              v, who[r], r == 1 && j == 0 ? "1" : "");
                votes++;
            }
        }
    }
    db = make_project("dsbig.db", rl_buf_str(&labels), rl_buf_str(&reviews));
    /* Adjudications: one vote of some pairs, every vote of others. */
    /* (Schema 7 codes: adjudicator 1, correct 0.) */
    sql(db, "UPDATE review SET role_code = 1, state_code = 0"
            " WHERE reviewer = 'okay' AND image % 13 = 0");
    sql(db, "UPDATE review SET role_code = 1 WHERE image % 101 = 0");
    if ((s = rl_store_open(db, RL_STORE_READONLY, &err)) == NULL)
        die("open", &err);
    rl_consensus_parse("dawid-skene", &o, NULL);
    if (rl_consensus_compute(s, &o, &all, &err) != 0
        || (sc = rl_consensus_scan_open(s, &o, &err)) == NULL)
        die("dawid-skene", &err);
    ok(all.n_votes > 3 * 4096 && all.n > 4096, "the fixture crosses the "
       "record buffer and the posteriors' (%zu votes of %ld rows, %zu "
       "pairs)", all.n_votes, votes, all.n);
    sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(h, "SELECT id FROM image ORDER BY name", -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        const rl_cimage *a, *b;
        size_t k;

        if (rl_consensus_scan_image(sc, id, &view, &err) != 0)
            die("scan image", &err);
        for (k = 0; k < view.n; k++) {
            const rl_cpair *v = &view.pairs[k];
            const rl_cpair *p = rl_consensus_find(&all, id, v->cls);

            seen++;
            bad += p == NULL || p->state != v->state
                   || p->n_votes != v->n_votes || p->disagree != v->disagree
                   || p->adjudicated != v->adjudicated;
            pbad += p == NULL
                    || memcmp(&p->p_correct, &v->p_correct,
                              sizeof p->p_correct) != 0;
        }
        a = rl_consensus_image(&all, id);
        b = rl_consensus_image(&view, id);
        bad += (a == NULL) != (b == NULL)
               || (a != NULL && (a->main != b->main
                                 || a->main_votes != b->main_votes
                                 || a->problematic != b->problematic));
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    ok(bad == 0 && seen == (int)all.n, "dawid-skene scan: every pair's "
       "state and every image's main object as computed (%d of %zu pairs, "
       "%d differ)", seen, all.n, bad);
    ok(pbad == 0, "... and every posterior to the bit (%d differ)", pbad);
    ok(view.iterations == all.iterations && view.prior == all.prior
       && view.converged == all.converged && all.iterations > 3,
       "... after the same %d EM iterations (scan: %d), prior %.6f",
       all.iterations, view.iterations, all.prior);
    rl_consensus_scan_free(sc);
    rl_consensus_free(&all);
    rl_store_close(s);
    rl_buf_free(&labels);
    rl_buf_free(&reviews);
    free(db);
}

/* A file of main objects only is counted as such, not as "0 new". */
static void
test_main_only_import(void)
{
    rl_catalog *cat;
    rl_store *s = fx_project("mainonly.db", &cat);
    rl_import_result res;
    rl_err err;
    char *f = tpath("mains.csv");

    fx_import(s, cat, "labels", "labels.csv", MAIN_LABELS);
    spew("mains.csv", "image,wnid,reviewer,main\nm1.JPEG,,a,10\n"
         "m1.JPEG,,b,20\nm2.JPEG,,a,30\n");
    ok(rl_import_reviews(s, cat, f, NULL, &res, &err) == 0,
       "a main-only long file imports: %s", err.msg);
    ok(res.mains == 3 && res.created == 3 && res.verdicts == 0,
       "its summary counts 3 main objects, 3 new rows, no verdict "
       "(mains %ld, new %ld)", res.mains, res.created);
    ok(rl_import_reviews(s, cat, f, NULL, &res, &err) == 0
       && res.mains == 0 && res.unchanged == 3,
       "again: nothing stored, 3 unchanged");
    free(f);
    rl_catalog_free(cat);
    rl_store_close(s);
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_cons.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_parse();
    test_majority();
    test_rules();
    test_engine();
    test_project_ds();
    test_votes();
    test_main_object();
    test_adjudicator_main();
    test_scan();
    test_scan_ds_large();
    test_main_only_import();
    nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
