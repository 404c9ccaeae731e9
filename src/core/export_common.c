/* export_common.c - the project as the JSON exporters read it: one pass
 * over the images in name order, with cursors that walk the image name
 * index beside it (each SQLite sorts only within an image), so an export
 * holds one image at a time (the dawid-skene consensus excepted, whose
 * fit is the whole project's). */
#include "xport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/export.h"
#include "relabel/util.h"
#include "internal.h"

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

/* ---- cursors in image name order ----------------------------------- */

int
xcur_open(rl_store *s, struct xcur *c, const char *sql, const char *who,
          rl_err *err)
{
    c->rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(s->db, sql, -1, &c->st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "export");
        return -1;
    }
    if (who != NULL)
        sqlite3_bind_text(c->st, 1, who, -1, SQLITE_STATIC);
    c->rc = sqlite3_step(c->st);
    return 0;
}

bool
xcur_at(const struct xcur *c, int64_t id)
{
    return c->rc == SQLITE_ROW && sqlite3_column_int64(c->st, 0) == id;
}

void
xcur_next(struct xcur *c)
{
    c->rc = sqlite3_step(c->st);
}

int
xcur_done(rl_store *s, const struct xcur *c, rl_err *err)
{
    if (c->rc == SQLITE_DONE)
        return 0;
    /* A row left over would be an image the scan never met. */
    store_dberr(s, err, "export");
    return -1;
}

void
xcur_close(struct xcur *c)
{
    sqlite3_finalize(c->st);
    c->st = NULL;
}

/* ---- the pass over the images ---------------------------------------- */

/* Flags of the counted reviewers (reviewer:NAME: NAME's, as rl_truth_load
 * reads), by image name, then reviewer. */
static const char SQL_XFLAGS[] =
    "SELECT f.image, f.reviewer, f.problematic, f.note, f.updated_at"
    " FROM image i CROSS JOIN flag f ON f.image = i.id"
    " WHERE ?1 IS NULL OR f.reviewer = ?1 ORDER BY i.name, f.reviewer";

static void
flags_clear(struct xscan *x)
{
    size_t i;

    for (i = 0; i < x->n_flags; i++) {
        free(x->flags[i].reviewer);
        free(x->flags[i].note);
    }
    x->n_flags = 0;
}

int
xscan_open(rl_store *s, const rl_catalog *cat, const rl_consensus_opts *co,
           bool consensus, struct xscan *x, rl_err *err)
{
    memset(x, 0, sizeof *x);
    x->s = s;
    x->cat = cat;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name, path, label FROM image"
                           " ORDER BY name", -1, &x->img, NULL)
        != SQLITE_OK) {
        store_dberr(s, err, "export");
        return -1;
    }
    if (xcur_open(s, &x->fl, SQL_XFLAGS, co->rule == RL_CONSENSUS_REVIEWER
                  ? co->reviewer : NULL, err) != 0)
        return -1;
    if (consensus && (x->cons = rl_consensus_scan_open(s, co, err)) == NULL)
        return -1;
    return 0;
}

int
xscan_next(struct xscan *x, rl_err *err)
{
    int r = sqlite3_step(x->img);

    flags_clear(x);
    if (r == SQLITE_DONE)
        return xcur_done(x->s, &x->fl, err) == 0 ? 0 : -1;
    if (r != SQLITE_ROW) {
        store_dberr(x->s, err, "export");
        return -1;
    }
    x->im.id = sqlite3_column_int64(x->img, 0);
    x->im.name = (const char *)sqlite3_column_text(x->img, 1);
    x->im.path = (const char *)sqlite3_column_text(x->img, 2);
    x->im.label = sqlite3_column_type(x->img, 3) == SQLITE_NULL ? NULL
                  : rl_catalog_by_id(x->cat, sqlite3_column_int64(x->img, 3));
    for (; xcur_at(&x->fl, x->im.id); xcur_next(&x->fl)) {
        struct xflag *f;
        const char *note;

        rl_grow(&x->flags, &x->cap_flags, x->n_flags + 1, sizeof *x->flags);
        f = &x->flags[x->n_flags++];
        f->reviewer = store_col_dup(x->fl.st, 1);
        f->problematic = sqlite3_column_int(x->fl.st, 2);
        note = (const char *)sqlite3_column_text(x->fl.st, 3);
        f->note = rl_xstrdup(note != NULL ? note : "");
        f->updated_at = sqlite3_column_int64(x->fl.st, 4);
    }
    if (x->fl.rc != SQLITE_ROW && x->fl.rc != SQLITE_DONE)
        return xcur_done(x->s, &x->fl, err);
    if (x->cons != NULL
        && rl_consensus_scan_image(x->cons, x->im.id, &x->view, err) != 0)
        return -1;
    return 1;
}

void
xscan_close(struct xscan *x)
{
    flags_clear(x);
    free(x->flags);
    xcur_close(&x->fl);
    sqlite3_finalize(x->img);
    rl_consensus_scan_free(x->cons);
    memset(x, 0, sizeof *x);
}
