/* order.h - orders of the review queue that put doubtful images first.
 *
 * With a million images no team reviews them all; label-error hunts
 * (Northcutt et al. 2021, "Pervasive label errors in test sets") and
 * re-labeling efforts such as ReaL run models on every image and send
 * only the doubtful ones to experts. An order gives every image of the
 * queue a doubt, computed from the stored model predictions in one pass
 * over the prediction table, and sorts the queue by it, most doubtful
 * first; ties, and images without predictions (last), keep name order.
 *
 *   name        the order of image names (no doubt at all)
 *   disagree    how much the models disagree with the ORIGINAL label:
 *               the mean over models of d_m, where d_m = 1 - p_m(label)
 *               for a model that gave scores (p_m(label) = 0 when the
 *               label is not among its predictions), and d_m = 1 - 1/r
 *               for a model that gave only ranks (r = the label's rank;
 *               1 when absent). A model whose top-1 is the label adds 0.
 *               (With scores this is 1 - "self-confidence" in the sense
 *               of Northcutt et al.'s confident learning.) An image with
 *               no original label has no doubt under this order.
 *   margin      how unsure the models are of their OWN top-1: the mean
 *               over models of 1 - (s1 - s2), the gap between their two
 *               best scores (s2 = 0 when only one prediction); a model
 *               without scores counts 0 when its top-1 is the one most
 *               models chose, else 1. Ignores the original label.
 *   random:SEED a seeded shuffle for unbiased audits: a permutation of
 *               the project's name order keyed by SEED (same seed and
 *               images, same order, on every machine; see order.c),
 *               images without predictions last by name.
 *
 * Knows nothing of the screen. */
#ifndef RL_ORDER_H
#define RL_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"

typedef enum rl_order_kind {
    RL_ORDER_NAME,
    RL_ORDER_DISAGREE,
    RL_ORDER_MARGIN,
    RL_ORDER_RANDOM,
    RL_ORDER_COUNT
} rl_order_kind;

typedef struct rl_order {
    rl_order_kind kind;
    uint64_t seed;          /* RL_ORDER_RANDOM only */
} rl_order;

/* Parses "name", "disagree", "margin", "random" (seed 1) or
 * "random:SEED" (SEED a decimal number). 0, or -1 with RL_E_USAGE and a
 * message listing the orders. */
int rl_order_parse(const char *text, rl_order *o, rl_err *err);

/* Writes the order's name as rl_order_parse reads it ("random:7") into
 * buf[0..n) and returns buf. */
const char *rl_order_format(const rl_order *o, char *buf, size_t n);

/* The next order after o->kind (name -> disagree -> margin -> random ->
 * name), keeping the seed; for a key that cycles through them. */
rl_order rl_order_next(const rl_order *o);

/* Doubt of every image that has predictions, in image id order: new
 * arrays *ids and *doubt (the caller frees both) of *n entries; larger
 * is more doubtful. NAME gives 0 for every image; an image without an
 * original label is left out of DISAGREE. 0, or -1 with `err` set. */
int rl_order_doubt(rl_store *s, const rl_order *o, int64_t **ids,
                   double **doubt, size_t *n, rl_err *err);

/* Sorts q->items by the order: most doubtful first, images without a
 * doubt after the others; ties keep their present relative order (load
 * the queue by name first). 0, or -1 with `err` set and q unchanged. */
int rl_order_apply(rl_store *s, const rl_order *o, rl_queue *q,
                   rl_err *err);

/* Opens the queue of `reviewer` (as rl_queue_open: lazily, every image or
 * the assigned ones) directly in order `o`, with the same items in the
 * same order as rl_queue_open then rl_order_apply, from the order keys
 * stored at import (one scan of an index; random: the stored name order
 * written through the seed's permutation, no sort). Keys older than the data are computed
 * again first (one pass over the predictions, written in a transaction);
 * if that fails, the full computation orders this queue. 0, or -1 with
 * `err` set. */
int rl_order_open(rl_store *s, const char *reviewer, const rl_order *o,
                  rl_queue *q, rl_err *err);

/* Computes and stores the queue orders' keys (table queue_ids): every
 * image's id in name, disagree and margin order, and the images without
 * predictions: one pass over the predictions and two sorts, in memory
 * (about 60 bytes an image) up to 1.5M images, past that in SQLite's TEMP
 * tables. The imports of labels and predictions call it at the end of
 * their transaction; it nests in the caller's transaction (its own when
 * none). 0, or -1 with `err` set and the keys unchanged. */
int rl_order_keys_update(rl_store *s, rl_err *err);

/* The keys after a labels or images import, in its transaction (nests
 * like rl_order_keys_update), or after a migration: nothing, and no
 * transaction, when the stored keys are of this data and
 * `doubts_changed` is false (it set no label of an image that has
 * predictions: only those move a disagree key); else
 * rl_order_keys_update (without predictions the name order alone: one
 * scan of the name index). 0, or -1 with `err` (NULL allowed) set. */
int rl_order_keys_labels(rl_store *s, bool doubts_changed, rl_err *err);

#endif
