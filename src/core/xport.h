/* xport.h - what the JSON exporters (export_tfds.c, export_labelstudio.c)
 * share: one pass over the project's images in name order, each with its
 * consensus (rl_consensus_scan) and the flags of the reviewers the rule
 * counts, read from cursors that walk the image name index beside it
 * (xcur), so no per-image query and no whole-project array; and a JSON
 * string writer. Private to src/core. */
#ifndef RL_CORE_XPORT_H
#define RL_CORE_XPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/store.h"

/* A query whose column 0 is an image id and whose rows come in image name
 * order (FROM image i CROSS JOIN t ON t.image = i.id ... ORDER BY i.name,
 * ...), read image by image beside the scan. */
struct xcur {
    sqlite3_stmt *st;      /* owned */
    int rc;                /* the last sqlite3_step's result */
};

/* Prepares `sql`, binds ?1 to `who` (NULL: NULL) and reads the first row.
 * 0, or -1 with `err` set; close with xcur_close either way. */
int xcur_open(rl_store *s, struct xcur *c, const char *sql, const char *who,
              rl_err *err);
/* Whether the current row is of image `id` (steps past none). */
bool xcur_at(const struct xcur *c, int64_t id);
void xcur_next(struct xcur *c);
/* 0 when the cursor read every row, else -1 with `err` set. */
int xcur_done(rl_store *s, const struct xcur *c, rl_err *err);
void xcur_close(struct xcur *c);

struct xflag {
    char *reviewer;        /* owned */
    int problematic;
    char *note;            /* owned, "" when none */
    int64_t updated_at;    /* ms since the epoch */
};

struct ximage {
    int64_t id;            /* image row id */
    const char *name, *path;   /* borrowed until the next xscan_next;
                                  path may be NULL */
    const rl_class *label; /* original label or NULL */
};

/* The pass: images by name, their consensus and counted flags. */
struct xscan {
    rl_store *s;           /* borrowed */
    const rl_catalog *cat; /* borrowed */
    sqlite3_stmt *img;     /* owned: images by name */
    rl_consensus_scan *cons;   /* owned; NULL when not asked for */
    struct xcur fl;        /* flags of the counted reviewers */
    struct ximage im;      /* the current image */
    rl_consensus view;     /* its consensus (borrowed from cons) */
    struct xflag *flags;   /* owned: the current image's counted flags,
                              by reviewer */
    size_t n_flags, cap_flags;
};

/* Opens the pass (inside the caller's transaction); with `consensus`, the
 * rule's consensus beside it. 0, or -1 with `err` set; xscan_close
 * either way. */
int xscan_open(rl_store *s, const rl_catalog *cat,
               const rl_consensus_opts *co, bool consensus, struct xscan *x,
               rl_err *err);
/* The next image into x->im, x->view (with `consensus`) and x->flags: 1,
 * 0 at the end (every cursor read whole), -1 with `err` set. */
int xscan_next(struct xscan *x, rl_err *err);
void xscan_close(struct xscan *x);

/* Flushes `out`: 0, or -1 with RL_E_IO when anything written failed. */
int xflush(FILE *out, rl_err *err);
/* Sorts `cls` (n pointers) by class index. */
void xsort_classes(const rl_class **cls, size_t n);

#endif
