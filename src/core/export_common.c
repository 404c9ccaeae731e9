/* export_common.c - the project as the JSON exporters read it: images by
 * id (and an index by name), their consensus pairs and flags as ranges of
 * arrays sorted the same way, so one merge attaches them. */
#include "xport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/export.h"
#include "relabel/util.h"
#include "internal.h"

/* An image's name beside its position, for sorting by name. */
struct named {
    const char *name;
    size_t pos;
};

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name,
                  ((const struct named *)b)->name);
}

static int
cmp_idx(const void *a, const void *b)
{
    const rl_class *x = *(const rl_class *const *)a;
    const rl_class *y = *(const rl_class *const *)b;

    return (x->idx > y->idx) - (x->idx < y->idx);
}

int
xflush(FILE *out, rl_err *err)
{
    if (fflush(out) != 0 || ferror(out)) {
        rl_err_set(err, RL_E_IO, "writing the export: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void
xsort_classes(const rl_class **cls, size_t n)
{
    if (n > 1)
        qsort(cls, n, sizeof *cls, cmp_idx);
}

void
rl_export_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

int
xproj_load(rl_store *s, const rl_catalog *cat, const rl_consensus_opts *co,
           struct xproj *x, rl_err *err)
{
    const char *who = co->rule == RL_CONSENSUS_REVIEWER ? co->reviewer
                                                          : NULL;
    sqlite3_stmt *q = NULL;
    size_t cap = 0, cap_f = 0, i, j, k;
    int r;

    memset(x, 0, sizeof *x);
    if (sqlite3_prepare_v2(s->db, "SELECT id, name, path, label FROM image"
                           " ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct ximage *im;

        rl_grow(&x->img, &cap, x->n + 1, sizeof *x->img);
        im = &x->img[x->n++];
        memset(im, 0, sizeof *im);
        im->id = sqlite3_column_int64(q, 0);
        im->name = store_col_dup(q, 1);
        im->path = store_col_dup(q, 2);
        if (sqlite3_column_type(q, 3) != SQLITE_NULL)
            im->label = rl_catalog_by_id(cat, sqlite3_column_int64(q, 3));
    }
    if (r != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);

    /* Flags: under reviewer:NAME only NAME's, as rl_truth_load reads. */
    if (sqlite3_prepare_v2(s->db, "SELECT image, reviewer, problematic, note,"
                           " main, updated_at FROM flag WHERE ?1 IS NULL OR"
                           " reviewer = ?1 ORDER BY image, reviewer", -1, &q,
                           NULL) != SQLITE_OK)
        goto dberr;
    if (who != NULL)
        sqlite3_bind_text(q, 1, who, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        struct xflag *fl;

        rl_grow(&x->flags, &cap_f, x->n_flags + 1, sizeof *x->flags);
        fl = &x->flags[x->n_flags++];
        fl->image = sqlite3_column_int64(q, 0);
        fl->reviewer = store_col_dup(q, 1);
        fl->problematic = sqlite3_column_int(q, 2);
        fl->note = store_col_dup(q, 3);
        if (fl->note == NULL)
            fl->note = rl_xstrdup("");
        fl->main = sqlite3_column_type(q, 4) == SQLITE_NULL ? NULL
                   : rl_catalog_by_id(cat, sqlite3_column_int64(q, 4));
        fl->updated_at = sqlite3_column_int64(q, 5);
    }
    if (r != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);
    q = NULL;

    if (rl_consensus_compute(s, co, &x->c, err) != 0)
        return -1;
    /* Pairs and flags come by image id, as img[] does: one merge each. */
    for (i = 0, k = 0, j = 0; j < x->n; j++) {
        struct ximage *im = &x->img[j];

        while (i < x->c.n && x->c.pairs[i].image < im->id)
            i++;
        for (im->pair_lo = i; i < x->c.n && x->c.pairs[i].image == im->id;)
            i++;
        im->pair_hi = i;
        while (k < x->n_flags && x->flags[k].image < im->id)
            k++;
        for (im->flag_lo = k; k < x->n_flags && x->flags[k].image == im->id;)
            k++;
        im->flag_hi = k;
    }

    {
        struct named *nm = rl_xcalloc(x->n + 1, sizeof *nm);

        for (i = 0; i < x->n; i++) {
            nm[i].name = x->img[i].name;
            nm[i].pos = i;
        }
        qsort(nm, x->n, sizeof *nm, cmp_name);
        x->by_name = rl_xcalloc(x->n + 1, sizeof *x->by_name);
        for (i = 0; i < x->n; i++)
            x->by_name[i] = nm[i].pos;
        free(nm);
    }
    return 0;
dberr:
    store_dberr(s, err, "export");
    sqlite3_finalize(q);
    return -1;
}

void
xproj_free(struct xproj *x)
{
    size_t i;

    for (i = 0; i < x->n; i++) {
        free(x->img[i].name);
        free(x->img[i].path);
    }
    for (i = 0; i < x->n_flags; i++) {
        free(x->flags[i].reviewer);
        free(x->flags[i].note);
    }
    free(x->img);
    free(x->by_name);
    free(x->flags);
    rl_consensus_free(&x->c);
    memset(x, 0, sizeof *x);
}
