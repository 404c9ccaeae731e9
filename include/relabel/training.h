/* training.h - training tasks: ordered images with gold labels, done in
 * parts of ten; each answer is the one most specific class a reviewer
 * picks, scored against the gold (correct when it is among the gold's
 * correct classes). Answers are kept per reviewer; in evaluation mode no
 * feedback is shown and the answers measure human accuracy.
 *
 * Suggestions a reviewer makes about the gold are stored with the answer
 * for adjudication and never change the gold. */
#ifndef RL_TRAINING_H
#define RL_TRAINING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"

typedef enum rl_train_mode {
    RL_TRAIN_TRAINING,     /* feedback against the gold */
    RL_TRAIN_EVALUATION    /* no feedback: measures accuracy */
} rl_train_mode;

typedef struct rl_task_info {
    int64_t id;
    char *name;            /* owned */
    char *description;     /* owned */
    int part_size;         /* images per part (10) */
    long n_images;
    long answered;         /* by the reviewer asked about */
    long parts, parts_done;
    long correct;          /* answers counting as correct */
} rl_task_info;

typedef struct rl_task_list {
    rl_task_info *items;   /* by name */
    size_t n, cap;
} rl_task_list;

/* Where a task's images and gold come from. */
typedef struct rl_task_spec {
    const char *name;
    const char *description;
    int part_size;          /* 0: 10 */
    const char *images;     /* CSV with an `image` column, in task order;
                               NULL: the gold file's images, in order */
    const char *gold;       /* CSV image,wnid,state (correct, wrong,
                               unclear), or NULL with a query below */
    /* Query tasks take their gold from the project's reviews (majority of
     * reviewers; Don't know is left out). */
    const char *pair[2];    /* images whose candidates hold both classes
                               (proposed by a model, the original label or
                               added by a reviewer), whatever the reviews
                               say of them */
    bool pair_in_gold;      /* ... only those whose gold (the reviews'
                               majority) has one of the pair Correct */
    const char *split;      /* "dog", "organism" or "object": a sample */
    long sample;            /* how many (0: all) */
    uint64_t seed;          /* sampling seed */
} rl_task_spec;

/* Creates a task in one transaction; errors name FILE:LINE: field. */
int rl_task_create(rl_store *s, const rl_catalog *cat,
                   const rl_task_spec *spec, int64_t *id, rl_err *err);
/* Tasks with `reviewer`'s progress. Free with rl_task_list_free. */
int rl_task_list_load(rl_store *s, const char *reviewer, rl_task_list *l,
                      rl_err *err);
void rl_task_list_free(rl_task_list *l);
/* Task id by name, or -1. */
int64_t rl_task_find(rl_store *s, const char *name);
/* Writes the gold as CSV image,wnid,state in task order (re-importable
 * with --gold), or with `answers` every answer given in the task. */
int rl_task_export(rl_store *s, int64_t task, bool answers, FILE *out,
                   rl_err *err);

/* One image of a task as a reviewer sees it. */
typedef struct rl_task_item {
    int64_t image;         /* image id */
    long pos;              /* 0-based position in the task */
    const rl_class *answer;/* the reviewer's answer, or NULL */
    bool answered;
    bool external;         /* used external resources */
    rl_state suggestion;   /* RL_STATE_NONE: no suggestion */
    bool suggest_problematic;
} rl_task_item;

typedef struct rl_gold {
    const rl_class *cls;
    rl_state state;        /* correct, wrong or unclear */
} rl_gold;

/* Images in the task. */
long rl_task_size(rl_store *s, int64_t task);
/* Loads position `pos` for `reviewer`. */
int rl_task_item_load(rl_store *s, const rl_catalog *cat, int64_t task,
                      const char *reviewer, long pos, rl_task_item *it,
                      rl_err *err);
/* First position `reviewer` has not answered (the task's size when all
 * are answered). */
long rl_task_resume(rl_store *s, int64_t task, const char *reviewer);
/* The gold of one image, correct first then unclear then wrong, each in
 * class-index order; returns the count (at most max). */
size_t rl_task_gold(rl_store *s, const rl_catalog *cat, int64_t task,
                    int64_t image, rl_gold *out, size_t max);
/* True when `cls` is among the gold's correct classes. */
bool rl_task_is_correct(const rl_gold *g, size_t n, const rl_class *cls);

/* Stores (or replaces) the answer; committed on return 0. `cls` NULL is
 * the explicit answer "no class applies / not in ImageNet" (it never
 * counts as correct: images whose gold has no correct class are not
 * scored). */
int rl_task_answer(rl_store *s, int64_t task, int64_t image,
                   const char *reviewer, const rl_class *cls,
                   rl_train_mode mode, bool external, int64_t active_ms,
                   rl_err *err);
/* Takes the reviewer's answer on `image` back (undo), with its time and
 * suggestion; committed on return 0. -1 with RL_E_NOTFOUND when there is
 * none. */
int rl_task_unanswer(rl_store *s, int64_t task, int64_t image,
                     const char *reviewer, rl_err *err);
/* Stores a suggestion about the gold with the answer. */
int rl_task_suggest(rl_store *s, int64_t task, int64_t image,
                    const char *reviewer, rl_state suggestion,
                    bool problematic, rl_err *err);
/* A part's result: answered, correct, and the positions answered wrong. */
typedef struct rl_part_score {
    long part;             /* 0-based */
    long first, count;     /* positions [first, first+count) */
    long answered, scored, correct;
    long wrong_pos[64];    /* positions answered wrong (up to 64) */
    size_t n_wrong;
} rl_part_score;

int rl_task_part_score(rl_store *s, const rl_catalog *cat, int64_t task,
                       const char *reviewer, long part, int part_size,
                       rl_part_score *ps, rl_err *err);

/* Human accuracy (eval --humans): per reviewer, on answers given in
 * evaluation mode, over images whose gold has a correct class. */
typedef struct rl_human_row {
    char *reviewer;        /* owned */
    char subset[48];       /* rl_subset_name() (metrics.h), or
                              "dataset:TAG" */
    long n;                /* images scored */
    long correct;          /* answer among the gold's correct classes */
    long correct_unclear;  /* ... or among its unclear ones */
    double median_s;       /* median active seconds per image */
} rl_human_row;

typedef struct rl_human_eval {
    rl_human_row *rows;
    size_t n, cap;
    long left_out;         /* evaluation answers on images without a
                              correct gold class */
} rl_human_eval;

int rl_human_eval_run(rl_store *s, const rl_catalog *cat,
                      rl_human_eval *he, rl_err *err);
void rl_human_eval_free(rl_human_eval *he);

#endif
