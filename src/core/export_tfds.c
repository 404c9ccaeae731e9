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

/* Writes `"key": [wnid, ...]` for the image's classes in state `want`
 * (its consensus `v`), in class-index order; nothing when there are none.
 * *first says whether a key was written before in this object. */
static void
state_list(FILE *out, const rl_consensus *v, const rl_catalog *cat,
           rl_state want, bool *first)
{
    const rl_class **cls = rl_xcalloc(v->n + 1, sizeof *cls);
    size_t n = 0, i;

    for (i = 0; i < v->n; i++) {
        const rl_class *k = rl_catalog_by_id(cat, v->pairs[i].cls);

        if (v->pairs[i].state == want && k != NULL)
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

/* Whether the image has a Correct, Wrong or Unclear class. */
static bool
annotated(const rl_consensus *v)
{
    size_t i;

    for (i = 0; i < v->n; i++) {
        rl_state st = v->pairs[i].state;

        if (st == RL_STATE_CORRECT || st == RL_STATE_WRONG
            || st == RL_STATE_UNCLEAR)
            return true;
    }
    return false;
}

/* The reason: the flaggers' notes joined by "; ", or a fixed text. */
static void
reason(FILE *out, const struct xscan *x)
{
    rl_buf b = {0};
    const char *who = NULL;
    size_t i;

    for (i = 0; i < x->n_flags; i++) {
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
flagged(const struct xscan *x)
{
    size_t i;

    for (i = 0; i < x->n_flags; i++)
        if (x->flags[i].problematic)
            return true;
    return false;
}

/* Two passes in name order: the consensus state lists, then the flagged
 * images (flags only); one image in memory at a time. */
int
rl_export_tfds(rl_store *s, const rl_catalog *cat,
               const rl_consensus_opts *co, FILE *out, rl_err *err)
{
    static const rl_state states[] = {
        RL_STATE_CORRECT, RL_STATE_WRONG, RL_STATE_UNCLEAR
    };
    struct xscan x;
    bool first = true;
    size_t k;
    int r, rc = -1;

    if (store_exec(s, "BEGIN", err) != 0)
        return -1;
    if (xscan_open(s, cat, co, true, &x, err) != 0)
        goto out;
    fputs("{\"initial_annots\": {", out);
    while ((r = xscan_next(&x, err)) == 1) {
        bool f = true;

        if (!annotated(&x.view))
            continue;
        fputs(first ? "\n  " : ",\n  ", out);
        rl_export_json_str(out, x.im.name);
        fputs(": {", out);
        for (k = 0; k < sizeof states / sizeof states[0]; k++)
            state_list(out, &x.view, cat, states[k], &f);
        fputc('}', out);
        first = false;
    }
    if (r < 0)
        goto out;
    xscan_close(&x);
    fputs("\n },\n \"problematic_images\": {", out);
    first = true;
    if (xscan_open(s, cat, co, false, &x, err) != 0)
        goto out;
    while ((r = xscan_next(&x, err)) == 1) {
        if (!flagged(&x))
            continue;
        fputs(first ? "\n  " : ",\n  ", out);
        rl_export_json_str(out, x.im.name);
        fputs(": ", out);
        reason(out, &x);
        first = false;
    }
    if (r < 0)
        goto out;
    fputs("\n },\n \"imagenet_m\": []\n}\n", out);
    rc = xflush(out, err);
out:
    store_exec(s, "COMMIT", NULL);
    xscan_close(&x);
    return rc;
}
