/* export_tfds.c - TFDS imagenet2012_multilabel's human_accuracy_v3.0.0.json
 * (the file tensorflow_datasets/datasets/imagenet2012_multilabel reads:
 * initial_annots, problematic_images, imagenet_m). The consensus gives
 * each class's state; Don't know is not a TFDS state and is left out. */
#include "relabel/export.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/review.h"
#include "relabel/util.h"
#include "internal.h"
#include "xport.h"

/* Writes `"key": [wnid, ...]` for the classes of `im` in state `want`, in
 * class-index order; nothing when there are none. *first says whether a
 * key was written before in this object. */
static void
state_list(FILE *out, const struct xproj *x, const rl_catalog *cat,
           const struct ximage *im, rl_state want, bool *first)
{
    const rl_class **cls = rl_xcalloc(im->pair_hi - im->pair_lo + 1,
                                      sizeof *cls);
    size_t n = 0, i;

    for (i = im->pair_lo; i < im->pair_hi; i++) {
        const rl_class *k = rl_catalog_by_id(cat, x->c.pairs[i].cls);

        if (x->c.pairs[i].state == want && k != NULL)
            cls[n++] = k;
    }
    xsort_classes(cls, n);
    if (n > 0) {
        fprintf(out, "%s\"%s\": [", *first ? "" : ", ", rl_state_name(want));
        for (i = 0; i < n; i++)
            fprintf(out, i ? ", \"%s\"" : "\"%s\"", cls[i]->wnid);
        fputc(']', out);
        *first = false;
    }
    free(cls);
}

/* Whether `im` has a Correct, Wrong or Unclear class. */
static bool
annotated(const struct xproj *x, const struct ximage *im)
{
    size_t i;

    for (i = im->pair_lo; i < im->pair_hi; i++) {
        rl_state st = x->c.pairs[i].state;

        if (st == RL_STATE_CORRECT || st == RL_STATE_WRONG
            || st == RL_STATE_UNCLEAR)
            return true;
    }
    return false;
}

/* The reason: the flaggers' notes joined by "; ", or a fixed text. */
static void
reason(FILE *out, const struct xproj *x, const struct ximage *im)
{
    rl_buf b = {0};
    const char *who = NULL;
    size_t i;

    for (i = im->flag_lo; i < im->flag_hi; i++) {
        const struct xflag *fl = &x->flags[i];

        if (!fl->problematic)
            continue;
        if (who == NULL)
            who = fl->reviewer;
        if (*fl->note != '\0') {
            if (b.len > 0)
                rl_buf_adds(&b, "; ");
            rl_buf_adds(&b, fl->note);
        }
    }
    fputs("{\"reason\": ", out);
    rl_export_json_str(out, b.len > 0 ? rl_buf_str(&b)
                            : "marked problematic in relabel");
    fputs(", \"reviewer\": ", out);
    rl_export_json_str(out, who != NULL ? who : "");
    fputc('}', out);
    rl_buf_free(&b);
}

static bool
flagged(const struct xproj *x, const struct ximage *im)
{
    size_t i;

    for (i = im->flag_lo; i < im->flag_hi; i++)
        if (x->flags[i].problematic)
            return true;
    return false;
}

int
rl_export_tfds(rl_store *s, const rl_catalog *cat,
               const rl_consensus_opts *co, FILE *out, rl_err *err)
{
    static const rl_state states[] = {
        RL_STATE_CORRECT, RL_STATE_WRONG, RL_STATE_UNCLEAR
    };
    struct xproj x;
    bool first = true;
    size_t i, k;
    int rc = -1;

    if (store_exec(s, "BEGIN", err) != 0)
        return -1;
    if (xproj_load(s, cat, co, &x, err) != 0)
        goto out;
    fputs("{\"initial_annots\": {", out);
    for (i = 0; i < x.n; i++) {
        const struct ximage *im = &x.img[x.by_name[i]];
        bool f = true;

        if (!annotated(&x, im))
            continue;
        fputs(first ? "\n  " : ",\n  ", out);
        rl_export_json_str(out, im->name);
        fputs(": {", out);
        for (k = 0; k < sizeof states / sizeof states[0]; k++)
            state_list(out, &x, cat, im, states[k], &f);
        fputc('}', out);
        first = false;
    }
    fputs("\n },\n \"problematic_images\": {", out);
    first = true;
    for (i = 0; i < x.n; i++) {
        const struct ximage *im = &x.img[x.by_name[i]];

        if (!flagged(&x, im))
            continue;
        fputs(first ? "\n  " : ",\n  ", out);
        rl_export_json_str(out, im->name);
        fputs(": ", out);
        reason(out, &x, im);
        first = false;
    }
    fputs("\n },\n \"imagenet_m\": []\n}\n", out);
    rc = xflush(out, err);
out:
    store_exec(s, "COMMIT", NULL);
    xproj_free(&x);
    return rc;
}
