/* xport.h - what the JSON exporters (export_tfds.c, export_labelstudio.c)
 * share: the project's images by name with their consensus pairs and
 * flags, read once, and a JSON string writer. Private to src/core. */
#ifndef RL_CORE_XPORT_H
#define RL_CORE_XPORT_H

#include <stdint.h>
#include <stdio.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/store.h"

struct xflag {
    int64_t image;         /* image row id */
    char *reviewer;        /* owned */
    int problematic;
    char *note;            /* owned, "" when none */
    const rl_class *main;  /* or NULL */
    int64_t updated_at;    /* ms since the epoch */
};

struct ximage {
    int64_t id;            /* image row id */
    char *name, *path;     /* owned; path may be NULL */
    const rl_class *label; /* original label or NULL */
    size_t pair_lo, pair_hi;   /* its pairs: c.pairs[lo .. hi) */
    size_t flag_lo, flag_hi;   /* its flags: flags[lo .. hi) */
};

struct xproj {
    struct ximage *img;    /* owned, by image id */
    size_t n;
    size_t *by_name;       /* owned: img positions in name order */
    struct xflag *flags;   /* owned, by image id, then reviewer */
    size_t n_flags;
    rl_consensus c;        /* the consensus under the caller's rule */
};

/* Reads the project (inside the caller's transaction). 0, or -1 with
 * `err` set; free with xproj_free either way. */
int xproj_load(rl_store *s, const rl_catalog *cat,
               const rl_consensus_opts *co, struct xproj *x, rl_err *err);
void xproj_free(struct xproj *x);
/* Flushes `out`: 0, or -1 with RL_E_IO when anything written failed. */
int xflush(FILE *out, rl_err *err);
/* Sorts `cls` (n pointers) by class index. */
void xsort_classes(const rl_class **cls, size_t n);

#endif
