/* consensus.h - the project's label per (image, class) when several
 * reviewers marked the same candidate, and the Dawid-Skene model.
 *
 * Three rules, chosen by the caller:
 *  - reviewer:NAME   that reviewer's verdicts only;
 *  - majority        the state most reviewers gave; a tie is Unclear (the
 *                    rule of `export --format wide`);
 *  - dawid-skene     Dawid & Skene (1979), the model ImageNet-ReaL used:
 *                    each reviewer has a confusion matrix P(answer | truth)
 *                    over the four states given the truth correct / not
 *                    correct, fitted with EM from a majority-vote start;
 *                    a pair is Correct at posterior >= threshold (0.8),
 *                    Wrong at posterior <= 1 - threshold, Unclear between,
 *                    and Don't know when every verdict on it is Don't know.
 * Under every rule an adjudicator's verdict (review.role = 'adjudicator')
 * on a pair is final; adjudicators' verdicts never count as votes. When
 * several adjudicators marked a pair, the latest verdict wins: a second
 * adjudication re-decides the pair (exports, eval, the queue's filter and
 * `disagreements` all ask this module, so they agree).
 *
 * Per image the consensus also gives the main object and the problematic
 * flag (rl_cimage): the main object is chosen only among the classes the
 * rule makes Correct on the image - of those, the one most reviewers
 * (under reviewer:NAME, NAME) marked as main, a tie going to the lower
 * class index; none when no reviewer's main object is a Correct class.
 * An image is problematic when any reviewer counted flagged it. A
 * reviewer is an adjudicator on an image when any of their verdicts on it
 * is an adjudication; their main mark is no vote but settles the main
 * object, as their verdicts settle states: the latest adjudicator's main
 * mark on the image is its main object when the rule makes it Correct
 * (else the reviewers' vote decides).
 *
 * The EM engine (rl_consensus_ds_fit) is independent of the project, so
 * it also serves anonymous vote counts such as ReaL's real_proposals.csv
 * (rl_vote_table below). Knows nothing of the terminal. */
#ifndef RL_CONSENSUS_H
#define RL_CONSENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/state.h"
#include "relabel/store.h"

#define RL_DS_THRESHOLD 0.8    /* ReaL's cut on the posterior */
#define RL_DS_MAX_ITER  200    /* EM iterations at most */
#define RL_DS_TOL       1e-7   /* stop when no posterior moves more (or
                                  the log-likelihood changes by less than
                                  1e-10 of itself) */

typedef enum rl_consensus_rule {
    RL_CONSENSUS_MAJORITY,
    RL_CONSENSUS_REVIEWER,
    RL_CONSENSUS_DAWID_SKENE
} rl_consensus_rule;

typedef struct rl_consensus_opts {
    rl_consensus_rule rule;
    const char *reviewer;  /* RL_CONSENSUS_REVIEWER: whose verdicts
                              (borrowed) */
    double threshold;      /* Dawid-Skene: posterior for Correct; 0 means
                              RL_DS_THRESHOLD */
    int max_iter;          /* 0 means RL_DS_MAX_ITER */
    double tol;            /* 0 means RL_DS_TOL */
} rl_consensus_opts;

/* Parses "majority", "reviewer:NAME", "dawid-skene" or
 * "dawid-skene:THRESHOLD" (0 < THRESHOLD <= 1) into `o`, which is reset
 * first; o->reviewer points into `spec`. 0, or -1 with RL_E_USAGE. */
int rl_consensus_parse(const char *spec, rl_consensus_opts *o, rl_err *err);
/* "majority", "reviewer:NAME", "dawid-skene (threshold 0.8)" into buf. */
void rl_consensus_describe(const rl_consensus_opts *o, char *buf,
                           size_t size);

/* One reviewer-role verdict on a pair. */
typedef struct rl_cvote {
    uint32_t rater;        /* index into rl_consensus.raters */
    rl_state state;        /* never RL_STATE_NONE */
} rl_cvote;

/* One reviewed (image, class) pair and its consensus. */
typedef struct rl_cpair {
    int64_t image;         /* image row id */
    int64_t cls;           /* class row id */
    rl_state state;        /* the consensus; RL_STATE_NONE when the rule
                              gives nothing (reviewer:NAME did not mark it) */
    double p_correct;      /* Dawid-Skene: posterior P(correct); otherwise
                              the share of Correct votes (adjudicated: 1/0) */
    int n[RL_STATE_COUNT]; /* reviewer-role votes by state */
    size_t first;          /* its votes: votes[first .. first + n_votes) */
    uint32_t n_votes;
    rl_state adjudicated;  /* latest adjudicator verdict, or NONE */
    int32_t adjudicator;   /* rater index of that adjudicator, or -1 */
    bool disagree;         /* reviewer-role votes hold 2+ distinct states */
} rl_cpair;

/* One image's flags under the rule. */
typedef struct rl_cimage {
    int64_t image;         /* image row id */
    int64_t main;          /* class row id of the main object, 0: none */
    int main_votes;        /* reviewers (not adjudicators) who chose
                              that class as main */
    int n_main;            /* reviewers and adjudicators who chose any
                              main object */
    bool problematic;      /* flagged by a reviewer counted */
} rl_cimage;

typedef struct rl_consensus {
    rl_cpair *pairs;       /* owned; by image id, then class id */
    size_t n;
    rl_cimage *images;     /* owned; by image id: every image with a flag
                              row of a reviewer counted */
    size_t n_images;
    rl_cvote *votes;       /* owned; grouped by pair, raters ascending */
    size_t n_votes;
    char **raters;         /* owned; every reviewer name, sorted */
    size_t n_raters;
    /* Dawid-Skene only (else iterations = 0, confusion = NULL): */
    double prior;          /* fitted P(correct) */
    double *confusion;     /* owned; [(r * 2 + t) * 4 + (state - 1)] =
                              P(state | truth t), t = 1 for correct */
    int iterations;        /* EM iterations run */
    bool converged;        /* stopped by a tolerance, not the cap */
} rl_consensus;

/* Reads every review of the project and applies the rule. Fills `out`
 * (free with rl_consensus_free). -1 with RL_E_DB on a database error, or
 * RL_E_NOTFOUND for reviewer:NAME when NAME has no review at all. */
int rl_consensus_compute(rl_store *s, const rl_consensus_opts *o,
                         rl_consensus *out, rl_err *err);
/* Frees and zeroes; a zeroed struct is fine. */
void rl_consensus_free(rl_consensus *c);
/* The pair, by binary search; borrowed, NULL when unreviewed. */
const rl_cpair *rl_consensus_find(const rl_consensus *c, int64_t image,
                                  int64_t cls);
/* The pairs of `image`, contiguous, by binary search: *n of them
 * (borrowed; NULL when none). */
const rl_cpair *rl_consensus_pairs_of(const rl_consensus *c, int64_t image,
                                      size_t *n);
/* The image's flags, by binary search; borrowed, NULL when none. */
const rl_cimage *rl_consensus_image(const rl_consensus *c, int64_t image);
/* The majority rule on vote counts (index = rl_state): the state with
 * most votes, RL_STATE_UNCLEAR on a tie, RL_STATE_NONE with no votes. */
rl_state rl_consensus_majority(const int n[RL_STATE_COUNT]);

/* ---- image by image --------------------------------------------------- */

/* The consensus read image by image in image-name order, for exports that
 * stream: only one image's reviews and flags are in memory at a time (the
 * same rows and rules as rl_consensus_compute). Dawid-skene fits first,
 * in rl_consensus_scan_open: the votes go once to a temporary file (in
 * $TMPDIR, 8 bytes a vote) that each EM iteration reads twice, the
 * posteriors to a second (8 bytes a reviewed pair), and where each
 * reviewed image's are goes through an external sort into name order (32
 * bytes an image on disk); what stays in memory is fixed: read windows,
 * the sorts' buffers (2 MB each, three at most) and the confusion
 * matrices (raters x 2 x 4 doubles); its results are
 * rl_consensus_compute's to the bit. The view's prior, iterations and
 * converged are the fit's; its confusion is NULL. */
typedef struct rl_consensus_scan rl_consensus_scan;

/* Opens a scan, inside the caller's read transaction. NULL with `err`
 * set: RL_E_DB, RL_E_IO when dawid-skene's temporary file fails, or
 * RL_E_NOTFOUND for reviewer:NAME when NAME has no review. Free with
 * rl_consensus_scan_free (NULL is fine). */
rl_consensus_scan *rl_consensus_scan_open(rl_store *s,
                                          const rl_consensus_opts *o,
                                          rl_err *err);
/* Sets `view` to image `image`'s consensus: its pairs and its rl_cimage
 * (when it has a flag), read with rl_consensus_find / _image. `view` is
 * borrowed from the scan, valid until the next call; never free it. Ask
 * for every image of the project in name order (SELECT id FROM image
 * ORDER BY name), each once. 0, or -1 with RL_E_DB. */
int rl_consensus_scan_image(rl_consensus_scan *sc, int64_t image,
                            rl_consensus *view, rl_err *err);
void rl_consensus_scan_free(rl_consensus_scan *sc);

/* ---- disagreements --------------------------------------------------- */

/* Ids of images holding a pair whose reviewer-role verdicts differ, in
 * image name order (the queue's). With `open_only`, only pairs no
 * adjudicator has marked count. *ids is the caller's to free (NULL when
 * *n is 0). */
int rl_consensus_disagreement_images(rl_store *s, bool open_only,
                                     int64_t **ids, size_t *n, rl_err *err);

/* Whether image `image` holds such a pair (the same rule, one image: the
 * queue's refresh after others' changes). 0 or -1 with RL_E_DB. */
int rl_consensus_image_disputed(rl_store *s, int64_t image, bool open_only,
                                bool *out, rl_err *err);

/* A pair of `c` whose reviewers differ. */
typedef struct rl_disagreement {
    char *image;           /* image name, owned */
    const rl_class *cls;   /* borrowed from the catalog */
    const rl_cpair *pair;  /* borrowed from the consensus */
} rl_disagreement;

/* The pairs of `c` with pair->disagree set (with `open_only`: and no
 * adjudicator verdict), by image name, then class index. *out is freed
 * with rl_disagreements_free (NULL when *n is 0); it borrows from `c` and
 * `cat`. -1 with RL_E_DB. */
int rl_consensus_disagreements(rl_store *s, const rl_catalog *cat,
                               const rl_consensus *c, bool open_only,
                               rl_disagreement **out, size_t *n,
                               rl_err *err);
void rl_disagreements_free(rl_disagreement *d, size_t n);

/* Calls `each` once per image holding disagreements (with `open_only`:
 * open ones), by image name, with that image's consensus `view` (its
 * pairs and votes; the raters of the project) and its disagreements `d`
 * by class index, both valid during the call only. One read snapshot;
 * memory of one image's votes, not the project's. `each` returns 0, or
 * non-zero to stop (returned as is). 0, or -1 with RL_E_DB. */
typedef int (*rl_disagreement_fn)(void *ctx, const rl_consensus *view,
                                  const rl_disagreement *d, size_t n);
int rl_consensus_disagreements_each(rl_store *s, const rl_catalog *cat,
                                    bool open_only, rl_disagreement_fn each,
                                    void *ctx, rl_err *err);

/* ---- the Dawid-Skene EM engine ---------------------------------------- */

/* One observation: rater `rater` gave answer `answer` to item `item`,
 * `count` times (anonymous pools put all votes under rater 0). */
typedef struct rl_ds_obs {
    uint32_t item;
    uint32_t rater;
    uint32_t answer;
    uint32_t count;
} rl_ds_obs;

typedef struct rl_ds_opts {
    int max_iter;          /* 0: RL_DS_MAX_ITER */
    double tol;            /* 0: RL_DS_TOL */
    double smoothing;      /* pseudo-count per confusion cell; 0: 0.01 */
} rl_ds_opts;

typedef struct rl_ds_model {
    size_t n_raters, n_answers;
    double prior;          /* P(truth = correct) */
    double *confusion;     /* owned; [(r * 2 + t) * n_answers + a] */
    int iterations;
    bool converged;
    double loglik;         /* log-likelihood of the data at the end */
} rl_ds_model;

/* Fits a two-class (not correct / correct) Dawid-Skene model. `post`
 * holds n_items starting posteriors P(correct) on entry (for example a
 * majority vote) and the fitted posteriors on return. `m` may be NULL;
 * otherwise it is filled and freed with rl_ds_model_free. An item with no
 * observation keeps the prior. -1 with RL_E_RANGE when an observation
 * names an item, rater or answer out of range. */
int rl_consensus_ds_fit(const rl_ds_obs *obs, size_t n_obs, size_t n_items,
                        size_t n_raters, size_t n_answers,
                        const rl_ds_opts *o, double *post, rl_ds_model *m,
                        rl_err *err);
void rl_ds_model_free(rl_ds_model *m);

/* ---- anonymous vote counts (ImageNet-ReaL's raw ratings) -------------- */

enum { RL_VOTE_NO, RL_VOTE_MAYBE, RL_VOTE_YES, RL_VOTE_COUNT };

typedef struct rl_vote_row {
    uint32_t image;        /* index into rl_vote_table.images */
    char *wnid;            /* owned, as written */
    int votes[RL_VOTE_COUNT];
    int ref;               /* in_real column: 1, 0, or -1 when absent */
    double ref_score;      /* ds_score column, or NaN when absent */
    double post;           /* fitted P(correct), after rl_vote_table_fit */
} rl_vote_row;

typedef struct rl_vote_table {
    rl_vote_row *rows;     /* owned, in file order */
    size_t n, cap;
    char **images;         /* owned, distinct image names, first seen order */
    size_t n_images, cap_images;
    bool has_ref;          /* an in_real column was read */
    bool has_score;        /* a ds_score column was read */
} rl_vote_table;

/* Reads image,wnid,votes_no,votes_maybe,votes_yes[,in_real][,ds_score]
 * (other columns ignored; real_proposals.csv as published). Bad rows stop
 * it: "FILE:LINE: field: what", RL_E_PARSE; a repeated (image, wnid) is
 * RL_E_DUP. Free with rl_vote_table_free even after an error. */
int rl_vote_table_read(rl_vote_table *t, const char *path, rl_err *err);
void rl_vote_table_free(rl_vote_table *t);
/* Pooled Dawid-Skene: one confusion matrix over no/maybe/yes shared by the
 * anonymous raters, EM from the soft vote (yes + maybe/2) / votes. Sets
 * every row's `post`; `m` as for rl_consensus_ds_fit. */
int rl_vote_table_fit(rl_vote_table *t, const rl_ds_opts *o, rl_ds_model *m,
                      rl_err *err);

/* How the fitted sets (post >= threshold) compare with the reference
 * column (in_real). */
typedef struct rl_vote_agreement {
    long pairs, images;    /* rows, distinct images */
    long tp, fp, fn, tn;   /* pairs: fitted vs reference */
    long images_exact;     /* images whose fitted set equals the reference */
    long ref_sets_empty;   /* images with an empty reference set */
    long fit_sets_empty;   /* ... and an empty fitted set */
    double score_mad;      /* mean |post - ds_score| (NaN without scores) */
    double score_max;      /* largest |post - ds_score| */
} rl_vote_agreement;

/* Fills `a`; needs t->has_ref (-1 with RL_E_USAGE otherwise). */
int rl_vote_table_compare(const rl_vote_table *t, double threshold,
                          rl_vote_agreement *a, rl_err *err);

#endif
