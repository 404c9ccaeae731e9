/* export_labelstudio.c - Label Studio's JSON export (tasks with data,
 * predictions and annotations; the format of Label Studio 1.13's "Label
 * Studio JSON format of annotated tasks") for the labeling config
 * share/relabel/labelstudio.xml: dynamic choices over the image's
 * candidates, one Choices group per state, a problematic flag, a note and
 * the main object. Per-reviewer annotations come from the stored reviews
 * and flags as they are; the consensus (any rule) is one more annotation
 * marked ground_truth. A reviewer's timing on the image rides on their
 * annotation: lead_time (active seconds) where Label Studio has it,
 * relabel_first_shown and relabel_last_change beside. Ids are positions:
 * tasks 1.. in image-name order, annotations numbered across the file,
 * reviewers by name. */
#include "relabel/export.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/review.h"
#include "relabel/util.h"
#include "internal.h"
#include "xport.h"

/* The per-image rows, each a cursor in image name order (column 0 the
 * image id) read beside the images: no query per image. */
static const char SQL_CANDS[] =
    "SELECT c.image, c.class FROM image i CROSS JOIN candidate c"
    " ON c.image = i.id ORDER BY i.name";
static const char SQL_PREDS[] =
    "SELECT p.image, m.name, p.class, p.score FROM image i"
    " CROSS JOIN prediction p ON p.image = i.id JOIN model m ON m.id = p.model"
    " ORDER BY i.name, m.name, p.rank";
static const char SQL_REVS[] =
    "SELECT r.image, r.reviewer, r.role, r.class, r.state, r.updated_at"
    " FROM image i CROSS JOIN review r ON r.image = i.id"
    " ORDER BY i.name, r.reviewer, r.role";
static const char SQL_FLAGS[] =
    "SELECT f.image, f.reviewer, f.problematic, f.note, f.main, f.updated_at"
    " FROM image i CROSS JOIN flag f ON f.image = i.id"
    " ORDER BY i.name, f.reviewer";
static const char SQL_TIMES[] =
    "SELECT t.image, t.reviewer, t.first_shown, t.last_change, t.active_ms"
    " FROM image i CROSS JOIN timing t ON t.image = i.id"
    " ORDER BY i.name, t.reviewer";

/* The cursors of one export. */
struct lscur {
    struct xcur cand, pred, rev, flag, time;
};

/* One annotation being built: a reviewer in one role on one image. */
struct ann {
    char *reviewer;        /* owned */
    bool adjudicator;
    const rl_class **cls[RL_STATE_COUNT];   /* owned, per state */
    size_t n[RL_STATE_COUNT];
    int problematic;
    char *note;            /* owned or NULL */
    const rl_class *main;
    int64_t updated_at;
    bool timed;            /* carries the reviewer's timing on the image */
    bool bare;             /* the timing only: no verdict, no flag */
    int64_t first_shown, last_change;   /* ms; last_change -1: none */
    int64_t active_ms;     /* written as lead_time, in seconds */
};

struct anns {
    struct ann *a;
    size_t n, cap;
};

/* The annotation of `reviewer` in that role, or NULL. */
static struct ann *
ann_find(struct anns *v, const char *reviewer, bool adjudicator)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        if (v->a[i].adjudicator == adjudicator
            && strcmp(v->a[i].reviewer, reviewer) == 0)
            return &v->a[i];
    return NULL;
}

static struct ann *
ann_get(struct anns *v, const char *reviewer, bool adjudicator)
{
    struct ann *a = ann_find(v, reviewer, adjudicator);

    if (a != NULL)
        return a;
    rl_grow(&v->a, &v->cap, v->n + 1, sizeof *v->a);
    memset(&v->a[v->n], 0, sizeof v->a[0]);
    v->a[v->n].reviewer = rl_xstrdup(reviewer);
    v->a[v->n].adjudicator = adjudicator;
    return &v->a[v->n++];
}

static void
ann_add(struct ann *a, rl_state st, const rl_class *k)
{
    a->cls[st] = rl_xrealloc(a->cls[st], (a->n[st] + 1) * sizeof *a->cls[st]);
    a->cls[st][a->n[st]++] = k;
}

static void
anns_clear(struct anns *v)
{
    size_t i;
    int st;

    for (i = 0; i < v->n; i++) {
        free(v->a[i].reviewer);
        free(v->a[i].note);
        for (st = 0; st < RL_STATE_COUNT; st++)
            free(v->a[i].cls[st]);
    }
    v->n = 0;
}

/* `{"id": ..., "from_name": NAME, "to_name": "image", "type": "choices",
 * "value": {"choices": [...]}}` for `n` wnids. */
static void
choices(FILE *out, bool *first, const char *name, const rl_class **cls,
        size_t n)
{
    size_t i;

    fprintf(out, "%s{\"id\": \"%s\", \"from_name\": \"%s\", \"to_name\": "
            "\"image\", \"type\": \"choices\", \"value\": {\"choices\": [",
            *first ? "" : ", ", name, name);
    for (i = 0; i < n; i++)
        fprintf(out, i ? ", \"%s\"" : "\"%s\"", cls[i]->wnid);
    fputs("]}}", out);
    *first = false;
}

/* The result list of one annotation. */
static void
results(FILE *out, struct ann *a)
{
    static const char *const problem[] = { "problematic" };
    bool first = true;
    int st;

    fputs("[", out);
    for (st = RL_STATE_CORRECT; st < RL_STATE_COUNT; st++)
        if (a->n[st] > 0) {
            xsort_classes(a->cls[st], a->n[st]);
            choices(out, &first, rl_state_name((rl_state)st), a->cls[st],
                    a->n[st]);
        }
    if (a->problematic) {
        /* A fixed choice, not a class: written by hand. */
        fprintf(out, "%s{\"id\": \"problematic\", \"from_name\": "
                "\"problematic\", \"to_name\": \"image\", \"type\": "
                "\"choices\", \"value\": {\"choices\": [\"%s\"]}}",
                first ? "" : ", ", problem[0]);
        first = false;
    }
    if (a->main != NULL)
        choices(out, &first, "main", &a->main, 1);
    if (a->note != NULL && *a->note != '\0') {
        fprintf(out, "%s{\"id\": \"note\", \"from_name\": \"note\", "
                "\"to_name\": \"image\", \"type\": \"textarea\", \"value\": "
                "{\"text\": [", first ? "" : ", ");
        rl_export_json_str(out, a->note);
        fputs("]}}", out);
    }
    fputs("]", out);
}

/* The reviewers' annotations of image `id`, from the cursors' rows. */
static void
load_anns(struct lscur *lc, const rl_catalog *cat, int64_t id,
          struct anns *v)
{
    sqlite3_stmt *q = lc->rev.st;

    for (; xcur_at(&lc->rev, id); xcur_next(&lc->rev)) {
        const char *role = (const char *)sqlite3_column_text(q, 2);
        struct ann *a = ann_get(v, (const char *)sqlite3_column_text(q, 1),
                                strcmp(role, "adjudicator") == 0);
        const rl_class *k = rl_catalog_by_id(cat, sqlite3_column_int64(q, 3));
        rl_state st;

        if (k != NULL && rl_state_parse((const char *)sqlite3_column_text(q,
                                        4), &st) == 0)
            ann_add(a, st, k);
        if (sqlite3_column_int64(q, 5) > a->updated_at)
            a->updated_at = sqlite3_column_int64(q, 5);
    }
    for (q = lc->flag.st; xcur_at(&lc->flag, id); xcur_next(&lc->flag)) {
        struct ann *a = ann_get(v, (const char *)sqlite3_column_text(q, 1),
                                false);

        a->problematic = sqlite3_column_int(q, 2);
        a->note = store_col_dup(q, 3);
        if (sqlite3_column_type(q, 4) != SQLITE_NULL)
            a->main = rl_catalog_by_id(cat, sqlite3_column_int64(q, 4));
        if (sqlite3_column_int64(q, 5) > a->updated_at)
            a->updated_at = sqlite3_column_int64(q, 5);
    }
    /* A timing goes with the reviewer's annotation in the reviewer role,
     * else in the adjudicator role, else with one of its own (no result:
     * the reviewer looked and marked nothing). */
    for (q = lc->time.st; xcur_at(&lc->time, id); xcur_next(&lc->time)) {
        const char *who = (const char *)sqlite3_column_text(q, 1);
        struct ann *a = ann_find(v, who, false);

        if (a == NULL && (a = ann_find(v, who, true)) == NULL) {
            a = ann_get(v, who, false);
            a->bare = true;
            a->updated_at = sqlite3_column_type(q, 3) != SQLITE_NULL
                            ? sqlite3_column_int64(q, 3)
                            : sqlite3_column_int64(q, 2);
        }
        a->timed = true;
        a->first_shown = sqlite3_column_int64(q, 2);
        a->last_change = sqlite3_column_type(q, 3) != SQLITE_NULL
                         ? sqlite3_column_int64(q, 3) : -1;
        a->active_ms = sqlite3_column_int64(q, 4);
    }
}

/* data: image, name, original, candidates. */
static void
task_data(struct lscur *lc, const rl_catalog *cat, const struct ximage *im,
          FILE *out)
{
    const rl_class **cls = NULL;
    size_t n = 0, cap = 0, i;

    for (; xcur_at(&lc->cand, im->id); xcur_next(&lc->cand)) {
        const rl_class *k = rl_catalog_by_id(cat,
                                             sqlite3_column_int64(lc->cand.st,
                                                                  1));

        if (k == NULL)
            continue;
        rl_grow(&cls, &cap, n + 1, sizeof *cls);
        cls[n++] = k;
    }
    xsort_classes(cls, n);
    fputs("\"data\": {\"image\": ", out);
    rl_export_json_str(out, im->path != NULL ? im->path : im->name);
    fputs(", \"name\": ", out);
    rl_export_json_str(out, im->name);
    fputs(", \"original\": ", out);
    if (im->label != NULL)
        fprintf(out, "\"%s\"", im->label->wnid);
    else
        fputs("null", out);
    fputs(", \"candidates\": [", out);
    for (i = 0; i < n; i++) {
        fprintf(out, "%s{\"value\": \"%s\", \"hint\": ", i ? ", " : "",
                cls[i]->wnid);
        rl_export_json_str(out, cls[i]->names);
        fputc('}', out);
    }
    fputs("]}", out);
    free(cls);
}

/* predictions: one per model, its ranked classes and top-1 score. */
static void
task_preds(struct lscur *lc, const rl_catalog *cat, int64_t id, FILE *out)
{
    sqlite3_stmt *q = lc->pred.st;
    char *model = NULL;
    bool open = false;

    fputs("\"predictions\": [", out);
    for (; xcur_at(&lc->pred, id); xcur_next(&lc->pred)) {
        const char *m = (const char *)sqlite3_column_text(q, 1);
        const rl_class *k = rl_catalog_by_id(cat, sqlite3_column_int64(q, 2));

        if (model == NULL || strcmp(model, m) != 0) {
            if (open)
                fputs("]}}]}, ", out);
            free(model);
            model = rl_xstrdup(m);
            fputs("{\"model_version\": ", out);
            rl_export_json_str(out, m);
            if (sqlite3_column_type(q, 3) != SQLITE_NULL)
                fprintf(out, ", \"score\": %.6g", sqlite3_column_double(q, 3));
            fputs(", \"result\": [{\"id\": \"predicted\", \"from_name\": "
                  "\"predicted\", \"to_name\": \"image\", \"type\": "
                  "\"choices\", \"value\": {\"choices\": [", out);
            fprintf(out, "\"%s\"", k != NULL ? k->wnid : "");
            open = true;
        } else {
            fprintf(out, ", \"%s\"", k != NULL ? k->wnid : "");
        }
    }
    if (open)
        fputs("]}}]}", out);
    fputs("]", out);
    free(model);
}

/* One annotation object; `number` is completed_by (0: none). lead_time
 * is the reviewer's attention in seconds (0 without a timing); the first
 * look and last change, which Label Studio has no place for, follow as
 * relabel_ keys. */
static void
annotation(FILE *out, long id, long number, struct ann *a, bool truth)
{
    char when[40];

    rl_time_format(a->updated_at, when, sizeof when);
    fprintf(out, "{\"id\": %ld, \"completed_by\": %ld, \"relabel_reviewer\": ",
            id, number);
    rl_export_json_str(out, a->reviewer);
    fprintf(out, ", \"relabel_role\": \"%s\", \"was_cancelled\": false, "
            "\"ground_truth\": %s, \"lead_time\": %.3f, ", a->adjudicator
            ? "adjudicator" : truth ? "consensus" : "reviewer",
            truth ? "true" : "false",
            a->timed ? (double)a->active_ms / 1000.0 : 0.0);
    if (a->timed) {
        char t[40];

        rl_time_format(a->first_shown, t, sizeof t);
        fprintf(out, "\"relabel_first_shown\": \"%s\", ", t);
        if (a->last_change >= 0) {
            rl_time_format(a->last_change, t, sizeof t);
            fprintf(out, "\"relabel_last_change\": \"%s\", ", t);
        }
    }
    fprintf(out, "\"updated_at\": \"%s\", \"result\": ", when);
    results(out, a);
    fputc('}', out);
}

/* Closes the cursors; 0 when each was read whole, else -1 with `err`. */
static int
lscur_close(rl_store *s, struct lscur *lc, int rc, rl_err *err)
{
    struct xcur *all[] = { &lc->cand, &lc->pred, &lc->rev, &lc->flag,
                           &lc->time };
    size_t i;

    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (rc == 0 && all[i]->st != NULL && xcur_done(s, all[i], err) != 0)
            rc = -1;
        xcur_close(all[i]);
    }
    return rc;
}

int
rl_export_labelstudio(rl_store *s, const rl_catalog *cat,
                      const rl_consensus_opts *co, FILE *out, rl_err *err)
{
    struct xscan x;
    struct lscur lc;
    struct anns v = {0};
    rl_strmap who = {0};   /* reviewer -> number */
    sqlite3_stmt *q = NULL;
    long n_ann = 0, n_who = 0;
    size_t i = 0, j;
    int r, rc = -1;

    memset(&lc, 0, sizeof lc);
    memset(&x, 0, sizeof x);
    if (store_exec(s, "BEGIN", err) != 0)
        return -1;
    if (xscan_open(s, cat, co, true, &x, err) != 0
        || xcur_open(s, &lc.cand, SQL_CANDS, NULL, err) != 0
        || xcur_open(s, &lc.pred, SQL_PREDS, NULL, err) != 0
        || xcur_open(s, &lc.rev, SQL_REVS, NULL, err) != 0
        || xcur_open(s, &lc.flag, SQL_FLAGS, NULL, err) != 0
        || xcur_open(s, &lc.time, SQL_TIMES, NULL, err) != 0)
        goto out;
    if (sqlite3_prepare_v2(s->db, "SELECT reviewer FROM review UNION SELECT"
                           " reviewer FROM flag UNION SELECT reviewer FROM"
                           " timing ORDER BY 1", -1, &q, NULL)
        != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        rl_strmap_put(&who, (const char *)sqlite3_column_text(q, 0), ++n_who);
    if (r != SQLITE_DONE)
        goto dberr;

    fputs("[", out);
    while ((r = xscan_next(&x, err)) == 1) {
        const struct ximage *im = &x.im;
        struct ann *cons;
        int64_t latest = 0;
        bool any = false;

        fprintf(out, "%s{\"id\": %zu, ", i ? ",\n " : "\n ", i + 1);
        i++;
        task_data(&lc, cat, im, out);
        fputs(",\n  ", out);
        task_preds(&lc, cat, im->id, out);
        fputs(",\n  \"annotations\": [", out);
        anns_clear(&v);
        load_anns(&lc, cat, im->id, &v);
        for (j = 0; j < v.n; j++) {
            fputs(any ? ",\n   " : "\n   ", out);
            annotation(out, ++n_ann, rl_strmap_get(&who, v.a[j].reviewer, 0),
                       &v.a[j], false);
            if (!v.a[j].bare && v.a[j].updated_at > latest)
                latest = v.a[j].updated_at;
            any = true;
        }

        /* The consensus under the caller's rule, as ground truth. */
        anns_clear(&v);
        cons = ann_get(&v, "consensus", false);
        cons->updated_at = latest;
        for (j = 0; j < x.view.n; j++) {
            const rl_cpair *p = &x.view.pairs[j];
            const rl_class *k = rl_catalog_by_id(cat, p->cls);

            if (k != NULL && p->state != RL_STATE_NONE)
                ann_add(cons, p->state, k);
        }
        {
            const rl_cimage *ci = rl_consensus_image(&x.view, im->id);

            /* The consensus main object: among its Correct classes. */
            if (ci != NULL && ci->main != 0)
                cons->main = rl_catalog_by_id(cat, ci->main);
        }
        for (j = 0; j < x.n_flags; j++) {
            cons->problematic |= x.flags[j].problematic;
            if (x.flags[j].updated_at > cons->updated_at)
                cons->updated_at = x.flags[j].updated_at;
        }
        if (x.view.n > 0 || cons->problematic) {
            fputs(any ? ",\n   " : "\n   ", out);
            annotation(out, ++n_ann, 0, cons, true);
        }
        fputs("]}", out);
    }
    if (r < 0)
        goto out;
    fputs("\n]\n", out);
    rc = xflush(out, err);
    goto out;
dberr:
    store_dberr(s, err, "export");
out:
    sqlite3_finalize(q);
    rc = lscur_close(s, &lc, rc, err);
    store_exec(s, "COMMIT", NULL);
    anns_clear(&v);
    free(v.a);
    rl_strmap_free(&who);
    xscan_close(&x);
    return rc;
}
