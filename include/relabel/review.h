/* review.h - one reviewer's verdicts on the candidate labels of images,
 * with undo and redo built on the project's event log.
 *
 * Every action here is one step: it runs in its own transaction and is
 * committed (WAL) before the function returns 0, so a caller may show
 * "saved" as soon as it returns. The in-memory rl_image is updated only
 * after the commit succeeded. Knows nothing of the screen. */
#ifndef RL_REVIEW_H
#define RL_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/state.h"
#include "relabel/store.h"

typedef struct rl_cand {
    const rl_class *cls;   /* borrowed from the catalog */
    int n_models;          /* models proposing it (0: original/added) */
    double mean_rank;      /* mean rank over proposing models, 0 if none */
    bool original;         /* the image's original (assigned) label */
    char *added_by;        /* reviewer who added it, or NULL */
    char *models;          /* "resnet50 vit_b_16", "" if none */
    rl_state state;        /* this reviewer's verdict */
    int n_others;          /* other reviewers with a verdict on it */
} rl_cand;

typedef struct rl_image {
    int64_t id;
    char *name;            /* raw; sanitize before display */
    char *path;            /* absolute or project-relative, may be NULL */
    const rl_class *label; /* original label, may be NULL */
    char *dataset;         /* "val", "v2", ..., may be NULL */
    rl_cand *cand;         /* in display order: most models, best mean
                              rank, class index */
    size_t n;
    bool problematic;      /* this reviewer's flag */
    char *note;            /* never NULL */
    const rl_class *main;  /* main object, or NULL */
    bool done;             /* confirmed with Enter */
    int n_other_reviewers; /* others who reviewed any candidate */
} rl_image;

/* Loads image `id` as seen by `reviewer`. Free with rl_image_free. */
rl_image *rl_image_load(rl_store *s, const rl_catalog *cat,
                        const char *reviewer, int64_t id, rl_err *err);
void rl_image_free(rl_image *img);
/* Row id of the image called `name`, or -1. */
int64_t rl_image_find(rl_store *s, const char *name);
/* Calls fn(ctx, name) for the image names that start with `prefix`, in
 * name order, at most `max`; the name is borrowed for the call. Returns
 * the number of calls, or -1 with `err` set. */
long rl_image_names(rl_store *s, const char *prefix, long max,
                    void (*fn)(void *ctx, const char *name), void *ctx,
                    rl_err *err);
/* Images a reviewer may mean by `q`: the one named exactly `q` (*exact
 * set), else those whose name starts with `q`, else those containing it,
 * by name. Stores up to `max` ids and returns how many matched (more
 * than `max` when there are more: max + 1 at most); 0 when none. */
size_t rl_image_lookup(rl_store *s, const char *q, int64_t *ids, size_t max,
                       bool *exact);
/* Candidates without a verdict from this reviewer. */
size_t rl_image_unreviewed(const rl_image *img);
/* Position of the candidate for class `cls`, or SIZE_MAX. */
size_t rl_image_cand_pos(const rl_image *img, const rl_class *cls);

/* Sets candidate i to `st` (RL_STATE_NONE removes the verdict). Setting
 * the state it already has is a no-op returning 0 with no step logged. */
int rl_review_set(rl_store *s, rl_image *img, const char *reviewer,
                  size_t i, rl_state st, rl_err *err);
/* Sets every unreviewed candidate to `st` as one step; returns how many
 * changed (0: nothing to do, no step), or -1. */
int rl_review_set_rest(rl_store *s, rl_image *img, const char *reviewer,
                       rl_state st, rl_err *err);
/* Marks the original label Correct. -1 with RL_E_NOTFOUND if the image
 * has none. */
int rl_review_set_assigned(rl_store *s, rl_image *img, const char *reviewer,
                           rl_err *err);
int rl_review_set_problematic(rl_store *s, rl_image *img,
                              const char *reviewer, bool on, rl_err *err);
/* Note text is stored as given (sanitised only when shown). */
int rl_review_set_note(rl_store *s, rl_image *img, const char *reviewer,
                       const char *note, rl_err *err);
/* Makes candidate i the main object (it must be Correct: RL_E_RANGE
 * otherwise); if it is the main object already, clears it. */
int rl_review_set_main(rl_store *s, rl_image *img, const char *reviewer,
                       size_t i, rl_err *err);
/* Adds `cls` as a candidate no model proposed (RL_E_DUP if present) and
 * returns its position in the reloaded list. */
int rl_review_add(rl_store *s, const rl_catalog *cat, rl_image **img,
                  const char *reviewer, const rl_class *cls, size_t *pos,
                  rl_err *err);
/* Confirms the image: every candidate must have a verdict (RL_E_RANGE
 * with a message saying how many are open otherwise). */
int rl_review_confirm(rl_store *s, rl_image *img, const char *reviewer,
                      rl_err *err);

/* Undo / redo the reviewer's last step, across images and sessions.
 * A step is one action: one mark (c w u d x, or A), one bulk mark (W:
 * all its candidates together), one confirmation (Enter), one flag, note,
 * main-object choice or added class. Undoing a step that reopens a
 * confirmed image unconfirms it; redoing it confirms it again.
 * Return 1 and the affected image in *image, 0 when there is nothing to
 * undo/redo, -1 on error. The caller reloads that image. Conflict-safe:
 * a value changed since the step (by an import, a merge, another
 * session) is kept, and on return 1 `err` has code RL_E_OK and a message
 * naming each kept value and the step that set it ("" when none). */
int rl_review_undo(rl_store *s, const char *reviewer, int64_t *image,
                   rl_err *err);
int rl_review_redo(rl_store *s, const char *reviewer, int64_t *image,
                   rl_err *err);

/* What an undo or redo reverted. */
typedef struct rl_step_info {
    int64_t image;         /* the image it changed, -1 if none */
    char what[16];         /* the action: "mark", "adjudicate", "bulk",
                              "confirm", "flag", "note", "main", "add" */
    size_t n_marks;        /* candidate verdicts it changed */
    int64_t cls;           /* class row id of the last verdict it changed,
                              0 if none */
} rl_step_info;

/* rl_review_undo (redo false) or rl_review_redo (redo true), telling in
 * *info what was reverted. Same returns. */
int rl_review_revert(rl_store *s, const char *reviewer, bool redo,
                     rl_step_info *info, rl_err *err);

/* Records that the image was shown (first time) and adds `active_ms` of
 * attention to it. */
int rl_review_touch(rl_store *s, const char *reviewer, int64_t image,
                    int64_t active_ms, rl_err *err);

/* ---- the queue of images ------------------------------------------ */

typedef enum rl_filter {
    RL_FILTER_ALL,          /* every image */
    RL_FILTER_UNREVIEWED,   /* with candidates this reviewer has not marked */
    RL_FILTER_PROBLEMATIC,  /* flagged by anyone */
    RL_FILTER_OTHERS,       /* reviewed by others but not by me */
    RL_FILTER_DISAGREE,     /* reviewers differ, no adjudicator settled it */
    RL_FILTER_COUNT
} rl_filter;

const char *rl_filter_name(rl_filter f);

typedef struct rl_qitem {
    int64_t id;            /* image row id */
    int n_cand;            /* candidates */
    int n_mine;            /* of them with my verdict */
    bool problematic;      /* flagged by anyone */
    bool others;           /* someone else reviewed it */
    bool disagree;         /* an unsettled disagreement between reviewers */
    bool known;            /* the fields above are filled (rl_queue_open
                              leaves them to rl_queue_fill / on demand) */
} rl_qitem;

struct rl_qidx;

typedef struct rl_queue {
    rl_qitem *items;       /* the reviewer's images, by name */
    size_t n, cap;
    int64_t last_event;    /* newest event the counts include */
    rl_store *store;       /* borrowed: fills items on demand; must outlive
                              the queue */
    char *reviewer;        /* owned copy */
    size_t n_known;        /* items with `known` set */
    struct rl_qidx *by_id; /* private: (id, position) by id, made by the
                              counting and kept for rl_queue_find; NULL
                              until then and after the items move */
    size_t fill_at;        /* next entry of by_id rl_queue_fill counts */
    bool disagree_known;   /* every item's `disagree` is set */
    size_t *blk_count;     /* private: matches per filter of each block of
                              RL_QUEUE_BLOCK positions, for rl_queue_count */
    unsigned char *blk_dirty; /* private: the block's counts are stale */
    size_t n_blk;          /* blocks of blk_count (0: none yet) */
} rl_queue;

/* Positions of one block of rl_queue_count's cache. */
#define RL_QUEUE_BLOCK 1024

/* Opens the queue for `reviewer` lazily: the image ids only, in name
 * order (every image, or only the images assigned to the reviewer when
 * there are any: relabel assign), with no counts yet. One scan of an
 * index; the counts come from rl_queue_fill, or item by item when
 * rl_queue_at / rl_queue_step need them. Reopening frees the old items.
 * 0, or -1 with `err` set. */
int rl_queue_open(rl_store *s, const char *reviewer, rl_queue *q,
                  rl_err *err);
/* Fills the counts of `max` or more items not filled yet (chunks of ids),
 * and with `disagree`, once every count is known, the disagreement flags
 * (one scan of every review: seconds at a million images). Returns 1 when
 * the queue is complete (its counts, and the flags if asked), 0 when items
 * remain, -1 on error (`err` set). */
int rl_queue_fill(rl_queue *q, size_t max, bool disagree, rl_err *err);
/* rl_queue_open and every count filled: the complete queue. */
int rl_queue_load(rl_store *s, const char *reviewer, rl_queue *q,
                  rl_err *err);
/* Whether rl_queue_count under `f` is exact (RL_FILTER_ALL always is). */
bool rl_queue_complete(const rl_queue *q, rl_filter f);
/* Item at `pos` (< q->n), filled on demand; borrowed until the queue
 * next changes. On a database error it is returned with `known` false. */
const rl_qitem *rl_queue_at(rl_queue *q, size_t pos);
/* Item at `pos` (< q->n) to change in place (the screen's own marks);
 * borrowed until the queue next changes. rl_queue_count recounts it. */
rl_qitem *rl_queue_edit(rl_queue *q, size_t pos);
/* Brings the counts up to date with changes made since the last load or
 * refresh, by this or any other process (other reviewers' progress).
 * Stores up to `max` ids of images that changed in `changed`. Cheap when
 * nothing changed: one indexed query. */
int rl_queue_refresh(rl_store *s, const char *reviewer, rl_queue *q,
                     int64_t *changed, size_t max, size_t *n_changed,
                     rl_err *err);
void rl_queue_free(rl_queue *q);
/* Whether a filled item passes `f`; an unfilled one passes only
 * RL_FILTER_ALL. */
bool rl_queue_match(const rl_qitem *it, rl_filter f);
/* Position of image `id`, or SIZE_MAX: a binary search once the queue
 * has been counted, a scan before. */
size_t rl_queue_find(const rl_queue *q, int64_t id);
/* Next position after `from` (SIZE_MAX: from the start) matching `f`,
 * wrapping around once; SIZE_MAX when none. dir is +1 or -1. Fills the
 * items it passes on demand (the whole queue when `f` is
 * RL_FILTER_DISAGREE or after many misses); a database error counts an
 * item as not matching. */
size_t rl_queue_step(rl_queue *q, size_t from, int dir, rl_filter f);
/* Counts matching positions among the filled items, and the 1-based rank
 * of `pos` among them: exact when rl_queue_complete(q, f). Keeps counts
 * per block of positions, so a call after a few changes costs one block,
 * not the queue. */
size_t rl_queue_count(rl_queue *q, rl_filter f, size_t pos, size_t *rank);

#endif
