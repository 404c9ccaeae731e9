/* metrics.h - agreement between reviewers and the scoring of models
 * against the project's labels.
 *
 * Agreement: Cohen's kappa per pair of reviewers and Fleiss' kappa over
 * all, on the four states and on correct-vs-not, from reviewer-role
 * verdicts only (adjudications are decisions, not ratings).
 *
 * Scoring: an rl_truth holds, per image, the original label, its split
 * (dog / organism / object, from the label's class), the dataset tag, the
 * problematic flag, whether any class on it has a verdict, and the
 * consensus Correct / Unclear classes (about 100 bytes an image). An
 * rl_preds holds each model's ranked predictions, or, as a stream, scores
 * them as they are read. rl_eval_run scores every model on every subset:
 * top-1 / top-5 against the original label, and multi-label accuracy under
 * one of three rules (rl_eval_rule). Intervals are 95% percentile
 * bootstraps over images from a fixed-seed generator, so the output is the
 * same on every run. Knows nothing of the terminal. */
#ifndef RL_METRICS_H
#define RL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/csv.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"

/* ---- agreement ------------------------------------------------------ */

/* Cohen's kappa from a k x k table of counts (row: rater A's category,
 * column: rater B's). *p_obs (may be NULL) gets the observed agreement.
 * NaN when there are no items or chance agreement is 1 (both raters used
 * one and the same category throughout). */
double rl_metrics_cohen(const long *table, size_t k, double *p_obs);
/* Fleiss' kappa; counts[i * k + j] = raters who put item i in category j.
 * Items may have different numbers of ratings (each item's agreement uses
 * its own n_i, the category shares pool all ratings); items with fewer
 * than 2 are skipped. With a constant n this is Fleiss (1971) exactly.
 * NaN when undefined. *p_obs (may be NULL) gets the mean item agreement. */
double rl_metrics_fleiss(const long *counts, size_t n_items, size_t k,
                         double *p_obs);

typedef struct rl_kappa_pair {
    const char *a, *b;     /* reviewer names, borrowed from the result */
    long n;                /* pairs both reviewed */
    double agree, kappa;           /* four states */
    double agree_bin, kappa_bin;   /* correct vs not */
} rl_kappa_pair;

typedef struct rl_agreement {
    char **reviewers;      /* owned: reviewers with reviewer-role verdicts */
    size_t n_reviewers;
    rl_kappa_pair *pairs;  /* owned; every pair of reviewers that share at
                              least one candidate, by name */
    size_t n_pairs;
    long n_items;          /* candidates with 2+ verdicts (Fleiss) */
    double agree, fleiss;           /* four states */
    double agree_bin, fleiss_bin;   /* correct vs not */
} rl_agreement;

/* Computes the agreement of the project's reviewers. Free with
 * rl_agreement_free (a zeroed struct is fine). -1 with RL_E_DB. */
int rl_metrics_agreement(rl_store *s, rl_agreement *a, rl_err *err);
void rl_agreement_free(rl_agreement *a);

/* ---- ground truth --------------------------------------------------- */

typedef enum rl_split {
    RL_SPLIT_DOG, RL_SPLIT_ORGANISM, RL_SPLIT_OBJECT, RL_SPLIT_COUNT
} rl_split;

/* "dog", "organism", "object". */
const char *rl_split_name(rl_split s);

/* The fixed subsets, in output order: all, object (590 classes),
 * organism (410, dogs included, as Shankar et al.'s code), dog (118),
 * organism_no_dog (292), no_dog (882). dataset:TAG subsets follow them. */
#define RL_SUBSET_COUNT 6
/* Name of fixed subset i (< RL_SUBSET_COUNT), "" otherwise. */
const char *rl_subset_name(int i);
/* Bit i set: an image whose original label has catalog split `split`
 * ("dog", "organism" = non-dog organism, "object"; NULL or other: none)
 * is in fixed subset i. Bit 0 (all) is always set. */
unsigned rl_subset_mask(const char *split);

/* Which images multi-label accuracy counts and what counts as a hit.
 *  RELABEL  images with 1+ Correct class, not flagged problematic; the
 *           top-1 is among the Correct classes (relabel's own rule);
 *  SHANKAR  every reviewed image (a Correct, Wrong or Unclear consensus on
 *           any class) not flagged problematic; a hit as RELABEL, so an
 *           image with no Correct class counts as a miss (Shankar et al.
 *           2020, human_accuracy.py);
 *  TFDS     the images of SHANKAR; a hit when the top-1 is Correct or
 *           Unclear; besides the micro figure, the mean over the original
 *           labels' classes of per-class accuracy (TFDS
 *           imagenet2012_multilabel README, version 3.0.0). */
typedef enum rl_eval_rule {
    RL_EVAL_RULE_RELABEL, RL_EVAL_RULE_SHANKAR, RL_EVAL_RULE_TFDS
} rl_eval_rule;

/* "relabel", "shankar", "tfds". */
const char *rl_eval_rule_name(rl_eval_rule r);
/* Parses one of those names. 0, or -1 with RL_E_USAGE. */
int rl_eval_rule_parse(const char *s, rl_eval_rule *r, rl_err *err);

typedef struct rl_truth rl_truth;

/* An empty truth; free with rl_truth_free (NULL ok). */
rl_truth *rl_truth_new(void);
void rl_truth_free(rl_truth *t);
/* Adds an image. `label` (borrowed, may be NULL) is the original label
 * and gives the split; `dataset` is copied (NULL: none). RL_E_DUP when
 * the name is there already. */
int rl_truth_add_image(rl_truth *t, const char *name, const rl_class *label,
                       const char *dataset, bool problematic, rl_err *err);
/* Records the consensus `st` of class `cls` on image `name`: Correct and
 * Unclear are kept; Correct, Wrong and Unclear mark the image reviewed;
 * other states are accepted and ignored. RL_E_NOTFOUND for an unknown
 * image. */
int rl_truth_add_label(rl_truth *t, const char *name, const rl_class *cls,
                       rl_state st, rl_err *err);
/* Builds the truth from the project: every image with its original label
 * and dataset tag, the labels under rule `o`, and the problematic flag
 * (anyone's; under reviewer:NAME only that reviewer's). */
rl_truth *rl_truth_load(rl_store *s, const rl_catalog *cat,
                        const rl_consensus_opts *o, rl_err *err);
/* The same truth as a scan in image-name order that holds one image at a
 * time, for rl_preds_new_scan alone: its dataset tags are read first,
 * then the predictions move it on. `s` and `cat` are borrowed (they must
 * outlive it); a read transaction stays open until rl_truth_free. NULL
 * with `err` set, as rl_truth_load. */
rl_truth *rl_truth_open(rl_store *s, const rl_catalog *cat,
                        const rl_consensus_opts *o, rl_err *err);
/* Images held in memory: all of them, or for a scan 1 (0 at the end). */
size_t rl_truth_held(const rl_truth *t);

/* Who multi-label accuracy counts under a rule. */
typedef struct rl_truth_summary {
    long images;           /* in the truth */
    long labelled;         /* with an original label */
    long multilabel;       /* counted under the rule */
    long no_correct;       /* RELABEL: left out, no Correct class; other
                              rules: counted images without one (misses) */
    long unreviewed;       /* SHANKAR, TFDS: left out, no verdict */
    long problematic;      /* left out: flagged (and otherwise counted) */
} rl_truth_summary;

/* A scan's only after rl_preds_finish. */
void rl_truth_summary_get(const rl_truth *t, rl_eval_rule rule,
                          rl_truth_summary *sum);
/* Dataset tags present, sorted; borrowed until the truth is freed. */
size_t rl_truth_datasets(const rl_truth *t, const char *const **tags);

/* ---- predictions ---------------------------------------------------- */

#define RL_EVAL_TOPK 5     /* ranks used for top-5 */

typedef struct rl_preds rl_preds;

/* Predictions on the images of `t` (borrowed: must outlive it), kept as
 * a table: any row order, 45 bytes per model and image. */
rl_preds *rl_preds_new(const rl_truth *t);
/* The same as a stream, scored under `rule` (rl_eval_run then needs that
 * rule): each model's rows of one image must come together (images and
 * models in any order otherwise); the model's image is scored when its
 * next image starts, so memory does not grow with the rows (a bit per
 * model and image). A row that comes back to an image its model left
 * fails with RL_E_USAGE and sets rl_preds_regroup(): read everything
 * again into a table (or, on a scan of the project,
 * rl_preds_new_scan_sorted). Every other error is the table's, at the
 * same row. */
rl_preds *rl_preds_new_stream(const rl_truth *t, rl_eval_rule rule);
/* A stream on a scan (rl_truth_open; borrowed, moved on by the rows):
 * the merge join of rows in image-name order with the project, memory
 * independent of the images. Rows must come in name order (models in any
 * order within an image); a row that sorts before the image being read
 * (out of order, or an unknown image there: the scan cannot tell) fails
 * with RL_E_USAGE and sets rl_preds_regroup(): read everything again
 * into the stream of a truth from rl_truth_load. An unknown image in
 * order fails as a table's; a read error with RL_E_DB. */
rl_preds *rl_preds_new_scan(rl_truth *t, rl_eval_rule rule);
/* True once a stream met a model's image a second time apart (a scan:
 * a row out of name order). */
bool rl_preds_regroup(const rl_preds *p);
/* Rows in any order on a scan (rl_truth_open; borrowed, moved on in
 * rl_preds_finish), memory independent of the images and rows: rows in
 * any order, from any number of files or a pipe, are checked as they are
 * read, except for duplicates and unknown images, and wait in an
 * external sort by image name (namesort.h: 16 MB of rows, names and
 * index, the rest in a temporary file in $TMPDIR) until rl_preds_finish
 * joins them with the scan as rl_preds_new_scan joins a file in name
 * order; a temporary file that cannot be written stops the reading with
 * RL_E_IO. The results and messages are a table's on rl_truth_load's
 * truth (the first duplicate or unknown image in input order, named in
 * rl_preds_finish). Free with rl_preds_free. */
rl_preds *rl_preds_new_scan_sorted(rl_truth *t, rl_eval_rule rule);
/* After the reading (also after a failed one): a sorted rl_preds replays
 * its rows and reports the duplicate or unknown image a table would have
 * stopped at, the first in input order
 * ("FILE:LINE: rank|wnid|image: ..."): -1 with `err` set; that error
 * comes before any the reading stopped at; RL_E_IO when the temporary
 * file fails. 0 when none, and always for tables and streams. On a scan
 * (sorted or not) it scores the last images and counts the rest of the
 * project: 0, or -1 with RL_E_DB. Call it once, before rl_eval_run. */
int rl_preds_finish(rl_preds *p, rl_err *err);
void rl_preds_free(rl_preds *p);
/* One prediction: model `model` ranks class `cls` at `rank` (1 = best;
 * 0 = after the model's predictions so far on this image). -1 with
 * RL_E_NOTFOUND for an unknown image, RL_E_DUP when the model has this
 * rank or this class on the image already (a sorted rl_preds says both in
 * rl_preds_finish), RL_E_RANGE for rank > 100000. */
int rl_preds_add(rl_preds *p, const char *model, const char *image,
                 const rl_class *cls, long rank, rl_err *err);
/* Reads image,wnid[,model][,rank] from `c` (header not yet read; other
 * columns ignored). A class is a wnid or a class index; `dflt_model` names
 * the model of a file without a model column. Bad rows stop it with
 * "FILE:LINE: field: what" (a sorted rl_preds reports duplicates in
 * rl_preds_finish). Predictions read before the error stay. */
int rl_preds_read(rl_preds *p, const rl_catalog *cat, rl_csv *c,
                  const char *dflt_model, rl_err *err);
/* Models, in the order first seen. */
size_t rl_preds_models(const rl_preds *p);
const char *rl_preds_model_name(const rl_preds *p, size_t m);

/* ---- scoring -------------------------------------------------------- */

typedef struct rl_eval_opts {
    int resamples;         /* bootstrap resamples; 0: none (NaN bounds),
                              < 0: default 1000 */
    uint64_t seed;         /* generator seed, mixed with model and subset
                              names so a row never depends on the others */
    double level;          /* interval level; 0: 0.95 */
    rl_eval_rule rule;     /* multi-label rule (0: RELABEL) */
} rl_eval_opts;

#define RL_EVAL_RESAMPLES 1000
#define RL_EVAL_SEED 20200615u

/* One model on one subset. Fractions are NaN when their count is 0. */
typedef struct rl_score {
    char subset[80];       /* rl_subset_name(), or "dataset:TAG" */
    long n_top;            /* images scored with an original label */
    long top1_hits, top5_hits;
    long n_multilabel;     /* ... that the rule counts */
    long ml_hits, ml_unclear_hits;
    long ml5_hits;         /* any of the top 5 a hit (timm's ReaL top-5) */
    long n_classes;        /* original-label classes among those images */
    double top1, top5, multilabel, multilabel_unclear;
    double top5_multilabel;       /* ml5_hits / n_multilabel */
    double per_class_multilabel;  /* mean over n_classes of each class's
                                     multi-label accuracy */
    double ci_low, ci_high;   /* bootstrap interval of multilabel */
} rl_score;

/* Change of multi-label accuracy from dataset `from` to `to`. */
typedef struct rl_drop {
    const char *from, *to; /* borrowed from the truth */
    double drop;           /* from - to */
    double ci_low, ci_high;
} rl_drop;

typedef struct rl_model_eval {
    const char *name;      /* borrowed from the preds */
    long scored;           /* images with a prediction */
    long missing;          /* images of the truth without one */
    rl_score *sub;         /* owned: the RL_SUBSET_COUNT fixed subsets,
                              then a dataset:TAG per tag */
    size_t n_sub;
    rl_drop *drops;        /* owned: val -> every other tag (when "val"
                              exists) */
    size_t n_drops;
} rl_model_eval;

typedef struct rl_eval {
    rl_model_eval *models; /* owned, in rl_preds order */
    size_t n;
    int resamples;
    double level;
    uint64_t seed;
    rl_eval_rule rule;
} rl_eval;

/* Scores every model of `p` against `t`. Never fails. A stream's rule
 * must be o->rule (asserted). Free with rl_eval_free (a zeroed struct is
 * fine). */
void rl_eval_run(const rl_truth *t, const rl_preds *p, const rl_eval_opts *o,
                 rl_eval *out);
void rl_eval_free(rl_eval *e);

/* The percentile bootstrap of a mean of `k` ones among `n` 0/1 outcomes:
 * `resamples` means into out[] (sorted ascending). Resampling images with
 * replacement and counting ones is the same as this. Exposed for tests. */
void rl_metrics_bootstrap(long n, long k, int resamples, uint64_t seed,
                          double *out);
/* Linear-interpolated quantile q of sorted x[0..n). */
double rl_metrics_quantile(const double *x, size_t n, double q);

#endif
