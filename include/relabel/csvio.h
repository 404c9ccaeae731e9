/* csvio.h - importing and exporting project data as CSV (and ReaL JSON).
 *
 * Every import is one transaction: on any bad row it stops with
 * "FILE:LINE: field: what is wrong", returns -1 and stores nothing from the
 * file. With `dry_run` it checks everything and rolls back. Columns are
 * found by header name, in any order; other columns are ignored. A class
 * may be given as a wnid or a class index. */
#ifndef RL_CSVIO_H
#define RL_CSVIO_H

#include <stdbool.h>
#include <stdio.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/err.h"
#include "relabel/store.h"

/* The reviewer-name rule, one for --reviewer and for the reviewer column
 * of every import: 1-64 characters of UTF-8 without a comma or a double
 * quote (the CSV exports would split them) and without a control, bidi or
 * invisible formatting character (rl_utf8_is_unsafe). RL_REVIEWER_RULE
 * says it in words for messages. */
#define RL_REVIEWER_RULE "1-64 printable characters without commas or quotes"
bool rl_reviewer_valid(const char *name);

typedef struct rl_import_opts {
    const char *reviewer;  /* reviews without a reviewer column */
    const char *dataset;   /* labels without a dataset column, or NULL */
    const char *root;      /* images: base of relative paths (default: the
                              CSV's folder) */
    const char *state;     /* reviews without a state column, or NULL */
    const char *model;     /* predictions without a model column (default:
                              the file name without extension) */
    bool dry_run;          /* validate, then roll back */
    /* Called every few thousand rows with the rows done so far. */
    void (*progress)(void *ctx, const char *path, long rows);
    void *ctx;
} rl_import_opts;

/* Every row read is counted in exactly one bucket:
 * rows == created + changed + unchanged + empty. */
typedef struct rl_import_result {
    long rows;             /* data rows read */
    long created;          /* rows that created an image, prediction or
                              review */
    long changed;          /* rows that changed stored values */
    long unchanged;        /* rows that matched what was stored */
    long empty;            /* rows with nothing to store (reviews: an
                              empty wnid and no flag or note) */
    /* Reviews: the values stored (or, dry run, that would be), by kind;
     * one row may store several. */
    long verdicts;         /* verdicts set or changed */
    long roles;            /* verdicts whose role changed */
    long added;            /* candidates added (no model proposed them) */
    long mains;            /* main objects set or cleared */
    long flags;            /* problematic flags set or cleared */
    long notes;            /* notes set */
    long confirmed;        /* confirmations (done) set or cleared */
    long timings;          /* timings added or extended (long form) */
} rl_import_result;

/* image,wnid[,dataset]: the original label of each image; creates images
 * and makes the label a candidate. */
int rl_import_labels(rl_store *s, const rl_catalog *cat, const char *path,
                     const rl_import_opts *o, rl_import_result *res,
                     rl_err *err);
/* image,path; or a directory: every .jpg or .jpeg file below it, named by file
 * name, labelled by a parent folder named after a wnid if unlabelled. */
int rl_import_images(rl_store *s, const rl_catalog *cat, const char *path,
                     const rl_import_opts *o, rl_import_result *res,
                     rl_err *err);
/* image,wnid[,model][,rank][,score]; rebuilds the candidates. */
int rl_import_predictions(rl_store *s, const rl_catalog *cat,
                          const char *path, const rl_import_opts *o,
                          rl_import_result *res, rl_err *err);
/* Long form (the long export's columns, see RL_EXPORT_LONG; of them only
 * image and wnid are required, state unless o->state says it) or the
 * wide export's form (image,correct,wrong,unclear,dont_know
 * [,problematic][,main]). Any number of reviewers in one file, each row
 * naming its own. A verdict row (wnid set) stores the reviewer's verdict
 * in `role` (empty: the live default) at updated_at (empty: now); main 1
 * on it makes the class the reviewer's main object. An image row (wnid
 * and state empty) stores the reviewer's main object (a wnid; empty
 * leaves it), problematic, note (empty leaves it) and done. A class that
 * is no candidate becomes one added by added_by (empty: by nobody, as a
 * model's class where the file was written; no added_by column: by the
 * row's reviewer). */
int rl_import_reviews(rl_store *s, const rl_catalog *cat, const char *path,
                      const rl_import_opts *o, rl_import_result *res,
                      rl_err *err);

typedef enum rl_export_format {
    RL_EXPORT_LONG,        /* every stored verdict and flag, lossless:
                              image,wnid,state,reviewer,role,main,
                              problematic,note,done,added_by,updated_at;
                              verdict rows, then image rows (empty wnid)
                              with each reviewer's flag */
    RL_EXPORT_WIDE,        /* one row per image, consensus labels */
    RL_EXPORT_REAL_JSON    /* ImageNet-ReaL real.json layout, by image
                              number up to the highest one (see
                              rl_export_real_json) */
} rl_export_format;

/* Writes the export to `out` in a deterministic order. `co` (NULL:
 * majority) combines reviewers for wide and real-json (consensus.c, any
 * rule); long is every reviewer's own rows, so under reviewer:NAME it holds
 * NAME's rows and any other rule fails with RL_E_USAGE. RL_E_NOTFOUND for
 * reviewer:NAME with no review or flag; RL_E_DB, RL_E_IO. */
int rl_export(rl_store *s, const rl_catalog *cat, rl_export_format fmt,
              const rl_consensus_opts *co, FILE *out, rl_err *err);

#define RL_REAL_JSON_COUNT 50000   /* ILSVRC-2012 validation images */

/* What rl_export_real_json wrote. */
typedef struct rl_real_json_stats {
    long written;          /* lists */
    long absent;           /* [] : no such image in the project */
    long no_verdict;       /* [] : in the project, no verdict on it */
    long no_correct;       /* [] : reviewed, no class Correct */
} rl_real_json_stats;

/* ImageNet-ReaL's real.json by image number: list i (0-based) holds the
 * class indices, ascending, that consensus `co` marks Correct on image
 * ILSVRC2012_val_{i+1:08d}.JPEG; `count` lists (0: up to the highest
 * number in the project). An image absent from the project or without a
 * verdict is written [] and counted in `st` (may be NULL). Writes nothing
 * and fails with RL_E_USAGE when a project image's name does not follow
 * that numbering, RL_E_RANGE when its number is past `count`; RL_E_DB,
 * RL_E_IO otherwise. */
int rl_export_real_json(rl_store *s, const rl_catalog *cat,
                        const rl_consensus_opts *co, long count, FILE *out,
                        rl_real_json_stats *st, rl_err *err);

#endif
