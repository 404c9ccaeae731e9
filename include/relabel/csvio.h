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
#include "relabel/err.h"
#include "relabel/store.h"

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
/* Long form image,wnid,state[,reviewer][,problematic][,updated_at][,note]
 * or the wide export's form (image,correct,wrong,unclear,dont_know
 * [,problematic][,main]). A class no model proposed becomes a candidate. */
int rl_import_reviews(rl_store *s, const rl_catalog *cat, const char *path,
                      const rl_import_opts *o, rl_import_result *res,
                      rl_err *err);

typedef enum rl_export_format {
    RL_EXPORT_LONG,        /* image,wnid,state,reviewer,updated_at */
    RL_EXPORT_WIDE,        /* one row per image, consensus labels */
    RL_EXPORT_REAL_JSON    /* ImageNet-ReaL real.json layout */
} rl_export_format;

/* Writes the export to `out` in a deterministic order. `reviewer` NULL:
 * consensus of all reviewers (majority; ties -> unclear); otherwise only
 * that reviewer's verdicts (wide and real-json). */
int rl_export(rl_store *s, const rl_catalog *cat, rl_export_format fmt,
              const char *reviewer, FILE *out, rl_err *err);

#endif
