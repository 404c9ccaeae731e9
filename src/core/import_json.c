/* import_json.c - TFDS and Label Studio JSON into the project's reviews.
 * Parse and check first (every error names FILE:LINE: field), then write
 * the records as a long-form CSV (image,wnid,state,reviewer,role,main,
 * problematic,updated_at,note,first_shown,last_change,active_ms) in a
 * private temporary folder, under the JSON file's
 * name plus ".csv", and hand it to rl_import_reviews: the one writer of
 * reviews, whatever it becomes. */
#include "relabel/import_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/csv.h"
#include "relabel/json.h"
#include "relabel/review.h"
#include "relabel/util.h"
#include "internal.h"

struct conv {
    const char *path;      /* the JSON file, for messages */
    const rl_catalog *cat;
    rl_strmap images;      /* project image names */
    rl_strmap seen;        /* "image\nreviewer\nwnid" -> line */
    rl_buf csv;            /* the long-form file being built */
    long rows;
};

static int
bad(struct conv *c, rl_err *err, rl_errcode code, long line,
    const char *fieldname, const char *what, const char *val)
{
    char *safe = rl_utf8_sanitize(val != NULL ? val : "");
    char *name = rl_utf8_sanitize(fieldname);   /* may be an image name */

    rl_err_set(err, code, "%s:%ld: %.60s: %s%s%.80s%s", c->path, line, name,
               what, val != NULL ? " '" : "", safe, val != NULL ? "'" : "");
    free(safe);
    free(name);
    return -1;
}

/* The long form's columns, in the order row() writes them. */
static const char *const long_head[] = {
    "image", "wnid", "state", "reviewer", "role", "main", "problematic",
    "updated_at", "note", "first_shown", "last_change", "active_ms"
};

/* A timing as the long form's three columns ("" where none). */
struct timing_cols {
    char first[40], last[40], active[24];
};

/* One long-form row: a verdict (wnid set; `role` "" or adjudicator) or
 * an image row (wnid "": main, problematic and note; a timing if `t`). */
static void
row(struct conv *c, const char *image, const char *wnid, const char *state,
    const char *reviewer, const char *role, const char *main,
    const char *prob, const char *at, const char *note,
    const struct timing_cols *t)
{
    const char *f[12] = { image, wnid, state, reviewer, role, main, prob, at,
                          note, t ? t->first : "", t ? t->last : "",
                          t ? t->active : "" };

    rl_csv_write_row(&c->csv, f, 12, ',');
    c->rows++;
}

static int
check_image(struct conv *c, const char *name, long line, rl_err *err)
{
    if (name == NULL || *name == '\0')
        return bad(c, err, RL_E_PARSE, line, "image", "expected an image "
                   "name", NULL);
    if (rl_strmap_get(&c->images, name, -1) < 0)
        return bad(c, err, RL_E_NOTFOUND, line, "image", "unknown image",
                   name);
    return 0;
}

/* One verdict: checks the class and that it is new for the reviewer. */
static int
verdict(struct conv *c, const char *image, const rl_json *w, rl_state st,
        const char *reviewer, const char *role, const char *at,
        const char *fieldname, rl_err *err)
{
    const char *wnid = rl_json_str(w);
    const rl_class *k;
    char *key;
    int64_t before;

    if (wnid == NULL)
        return bad(c, err, RL_E_PARSE, w->line, fieldname, "expected a wnid "
                   "(a string)", NULL);
    if ((k = rl_catalog_by_wnid(c->cat, wnid)) == NULL)
        return bad(c, err, RL_E_NOTFOUND, w->line, fieldname, "unknown "
                   "class", wnid);
    key = rl_xasprintf("%s\n%s\n%s", image, reviewer, k->wnid);
    before = rl_strmap_get(&c->seen, key, -1);
    if (before < 0)
        rl_strmap_put(&c->seen, key, w->line);
    free(key);
    if (before >= 0) {
        char what[96];

        snprintf(what, sizeof what, "duplicate: this reviewer's verdict on "
                 "the class is at line %lld already", (long long)before);
        return bad(c, err, RL_E_DUP, w->line, fieldname, what, wnid);
    }
    row(c, image, k->wnid, rl_state_name(st), reviewer, role, "", "", at,
        "", NULL);
    return 0;
}

/* A list of wnids in one state. */
static int
verdicts(struct conv *c, const char *image, const rl_json *list, rl_state st,
         const char *reviewer, const char *role, const char *at,
         const char *fieldname, rl_err *err)
{
    size_t i;

    if (list->type != RL_JSON_ARRAY)
        return bad(c, err, RL_E_PARSE, list->line, fieldname, "expected a "
                   "list of wnids", NULL);
    for (i = 0; i < list->n; i++)
        if (verdict(c, image, list->items[i], st, reviewer, role, at,
                    fieldname, err) != 0)
            return -1;
    return 0;
}

static int
state_key(const char *k, rl_state *st)
{
    return strcmp(k, "correct") == 0 || strcmp(k, "wrong") == 0
           || strcmp(k, "unclear") == 0 || strcmp(k, "dont_know") == 0
           ? rl_state_parse(k, st) : -1;
}

/* ---- TFDS ------------------------------------------------------------ */

static int
from_tfds(struct conv *c, const rl_json *doc, const char *reviewer,
          rl_err *err)
{
    const rl_json *ann = rl_json_get(doc, "initial_annots");
    const rl_json *prob = rl_json_get(doc, "problematic_images");
    size_t i, j;

    if (reviewer == NULL || *reviewer == '\0') {
        rl_err_set(err, RL_E_USAGE, "no reviewer for %s: its verdicts are "
                   "one reviewer's (--reviewer NAME, e.g. consensus)",
                   c->path);
        return -1;
    }
    if (ann == NULL || ann->type != RL_JSON_OBJECT)
        return bad(c, err, RL_E_PARSE, doc->line, "initial_annots",
                   "expected an object of images", NULL);
    for (i = 0; i < ann->n; i++) {
        const char *image = ann->keys[i];
        const rl_json *v = ann->items[i];

        if (check_image(c, image, v->line, err) != 0)
            return -1;
        if (v->type != RL_JSON_OBJECT)
            return bad(c, err, RL_E_PARSE, v->line, image, "expected "
                       "{\"correct\": [...], ...}", NULL);
        for (j = 0; j < v->n; j++) {
            rl_state st;

            if (state_key(v->keys[j], &st) != 0
                || st == RL_STATE_DONT_KNOW)
                return bad(c, err, RL_E_PARSE, v->items[j]->line, "state",
                           "expected correct, wrong or unclear, found",
                           v->keys[j]);
            if (verdicts(c, image, v->items[j], st, reviewer, "", "",
                         v->keys[j], err) != 0)
                return -1;
        }
    }
    if (prob != NULL && prob->type != RL_JSON_OBJECT)
        return bad(c, err, RL_E_PARSE, prob->line, "problematic_images",
                   "expected an object of images", NULL);
    for (i = 0; prob != NULL && i < prob->n; i++) {
        const char *reason = rl_json_str(rl_json_get(prob->items[i],
                                                     "reason"));

        if (check_image(c, prob->keys[i], prob->items[i]->line, err) != 0)
            return -1;
        /* relabel's export writes a fixed reason when there is no note. */
        if (reason != NULL && strcmp(reason, "marked problematic in relabel")
            == 0)
            reason = "";
        row(c, prob->keys[i], "", "", reviewer, "", "", "1", "",
            reason != NULL ? reason : "", NULL);
    }
    return 0;
}

/* ---- Label Studio ----------------------------------------------------- */

/* The task's image name: data.name, else the file name of data.image. */
static const char *
task_image(const rl_json *t)
{
    const rl_json *data = rl_json_get(t, "data");
    const char *name = rl_json_str(rl_json_get(data, "name"));
    const char *img = rl_json_str(rl_json_get(data, "image"));
    const char *slash;

    if (name != NULL)
        return name;
    if (img == NULL)
        return NULL;
    slash = strrchr(img, '/');
    return slash != NULL ? slash + 1 : img;
}

/* An annotation's timing: lead_time (seconds of attention), the first
 * look from relabel_first_shown (else created_at, the nearest Label
 * Studio has) and relabel_last_change. 1 with `t` filled, 0 when it has
 * none (no first look to hang it on), -1 reported. */
static int
ls_timing(struct conv *c, const rl_json *a, struct timing_cols *t,
          rl_err *err)
{
    const rl_json *lead = rl_json_get(a, "lead_time");
    const char *first = rl_json_str(rl_json_get(a, "relabel_first_shown"));
    const char *last = rl_json_str(rl_json_get(a, "relabel_last_change"));
    const char *key = "relabel_first_shown";
    int64_t ms;

    memset(t, 0, sizeof *t);
    if (first == NULL) {
        key = "created_at";
        first = rl_json_str(rl_json_get(a, key));
    }
    if (first == NULL)
        return 0;
    if (rl_time_parse(first, &ms) != 0)
        return bad(c, err, RL_E_PARSE, a->line, key, "expected a time",
                   first);
    rl_time_format(ms, t->first, sizeof t->first);
    if (last != NULL) {
        if (rl_time_parse(last, &ms) != 0)
            return bad(c, err, RL_E_PARSE, a->line, "relabel_last_change",
                       "expected a time", last);
        rl_time_format(ms, t->last, sizeof t->last);
    }
    if (lead != NULL && (lead->type != RL_JSON_NUMBER || !(lead->num >= 0)
                         || lead->num > 1e12))
        return bad(c, err, RL_E_PARSE, a->line, "lead_time", "expected "
                   "seconds (0 or more)", NULL);
    snprintf(t->active, sizeof t->active, "%lld", lead != NULL
             ? (long long)llround(lead->num * 1000.0) : 0LL);
    return 1;
}

static int
ls_annotation(struct conv *c, const char *image, const rl_json *a,
              rl_err *err)
{
    struct timing_cols tc;
    int timed = 0;
    const rl_json *res = rl_json_get(a, "result");
    const rl_json *by = rl_json_get(a, "completed_by");
    const char *who = rl_json_str(rl_json_get(a, "relabel_reviewer"));
    const char *at = rl_json_str(rl_json_get(a, "updated_at"));
    const rl_json *gt = rl_json_get(a, "ground_truth");
    const rl_json *cancel = rl_json_get(a, "was_cancelled");
    const char *role = rl_json_str(rl_json_get(a, "relabel_role"));
    const rl_class *main = NULL;
    char *reviewer, when[40] = "";
    rl_buf note = {0};
    int prob = 0, rc = -1;
    int64_t ms;
    size_t i, j;

    if ((cancel != NULL && cancel->type == RL_JSON_BOOL && cancel->b)
        || (gt != NULL && gt->type == RL_JSON_BOOL && gt->b && who != NULL
            && strcmp(who, "consensus") == 0))
        return 0;
    if (who != NULL && *who != '\0')
        reviewer = rl_xstrdup(who);
    else if (by != NULL && by->type == RL_JSON_NUMBER)
        reviewer = rl_xasprintf("ls:%.0f", by->num);
    else if (by != NULL && rl_json_str(rl_json_get(by, "email")) != NULL)
        reviewer = rl_xstrdup(rl_json_str(rl_json_get(by, "email")));
    else
        return bad(c, err, RL_E_PARSE, a->line, "completed_by", "no "
                   "reviewer: expected relabel_reviewer or completed_by",
                   NULL);
    /* A time the long form cannot read is left out (import time). */
    if (at != NULL && rl_time_parse(at, &ms) == 0)
        rl_time_format(ms, when, sizeof when);
    if (res == NULL || res->type != RL_JSON_ARRAY) {
        bad(c, err, RL_E_PARSE, a->line, "result", "expected a list",
            NULL);
        goto out;
    }
    if ((timed = ls_timing(c, a, &tc, err)) < 0)
        goto out;
    for (i = 0; i < res->n; i++) {
        const rl_json *r = res->items[i];
        const char *from = rl_json_str(rl_json_get(r, "from_name"));
        const rl_json *val = rl_json_get(r, "value");
        rl_state st;

        if (from == NULL) {
            bad(c, err, RL_E_PARSE, r->line, "from_name", "missing", NULL);
            goto out;
        }
        if (state_key(from, &st) == 0) {
            const rl_json *ch = rl_json_get(val, "choices");

            if (ch == NULL) {
                bad(c, err, RL_E_PARSE, r->line, from, "expected "
                    "value.choices", NULL);
                goto out;
            }
            if (verdicts(c, image, ch, st, reviewer, role != NULL
                         && strcmp(role, "adjudicator") == 0 ? role : "",
                         when, from, err) != 0)
                goto out;
        } else if (strcmp(from, "main") == 0) {
            /* The main object: one of the candidates (a single choice). */
            const rl_json *ch = rl_json_get(val, "choices");
            const char *wnid = ch != NULL && ch->type == RL_JSON_ARRAY
                               && ch->n == 1 ? rl_json_str(ch->items[0])
                               : NULL;

            if (wnid == NULL) {
                bad(c, err, RL_E_PARSE, r->line, from, "expected one wnid in "
                    "value.choices", NULL);
                goto out;
            }
            if ((main = rl_catalog_by_wnid(c->cat, wnid)) == NULL) {
                bad(c, err, RL_E_NOTFOUND, r->line, from, "unknown class",
                    wnid);
                goto out;
            }
        } else if (strcmp(from, "problematic") == 0) {
            prob = 1;
        } else if (strcmp(from, "note") == 0) {
            const rl_json *text = rl_json_get(val, "text");

            for (j = 0; text != NULL && j < text->n; j++)
                if (rl_json_str(text->items[j]) != NULL) {
                    if (note.len > 0)
                        rl_buf_addc(&note, '\n');
                    rl_buf_adds(&note, rl_json_str(text->items[j]));
                }
        }
    }
    if (prob || note.len > 0 || main != NULL || timed)
        row(c, image, "", "", reviewer, "", main != NULL ? main->wnid : "",
            prob ? "1" : "", when, rl_buf_str(&note), timed ? &tc : NULL);
    rc = 0;
out:
    rl_buf_free(&note);
    free(reviewer);
    return rc;
}

static int
from_labelstudio(struct conv *c, const rl_json *doc, rl_err *err)
{
    size_t i, j;

    for (i = 0; i < doc->n; i++) {
        const rl_json *t = doc->items[i], *anns;
        const char *image = task_image(t);

        if (t->type != RL_JSON_OBJECT)
            return bad(c, err, RL_E_PARSE, t->line, "task", "expected an "
                       "object", NULL);
        if (check_image(c, image, t->line, err) != 0)
            return -1;
        anns = rl_json_get(t, "annotations");
        for (j = 0; anns != NULL && j < anns->n; j++)
            if (ls_annotation(c, image, anns->items[j], err) != 0)
                return -1;
    }
    return 0;
}

/* ---- the import ------------------------------------------------------- */

static char *
slurp(const char *path, size_t *len, rl_err *err)
{
    FILE *f = fopen(path, "rb");
    rl_buf b = {0};
    char chunk[65536];
    size_t n;

    if (f == NULL) {
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rl_buf_add(&b, chunk, n);
    if (ferror(f)) {
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
        fclose(f);
        rl_buf_free(&b);
        return NULL;
    }
    fclose(f);
    rl_buf_add(&b, "", 0);
    *len = b.len;
    return b.data;
}

static int
load_names(rl_store *s, rl_strmap *m, rl_err *err)
{
    sqlite3_stmt *q = NULL;
    int r;

    if (sqlite3_prepare_v2(s->db, "SELECT name FROM image", -1, &q, NULL)
        != SQLITE_OK) {
        store_dberr(s, err, "reading the images");
        return -1;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        rl_strmap_put(m, (const char *)sqlite3_column_text(q, 0), 1);
    sqlite3_finalize(q);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "reading the images");
        return -1;
    }
    return 0;
}

int
rl_import_reviews_json(rl_store *s, const rl_catalog *cat, const char *path,
                       rl_json_format fmt, const rl_import_opts *o,
                       rl_import_result *res, rl_err *err)
{
    struct conv c = { path, cat, {0}, {0}, {0}, 0 };
    char dir[] = "/tmp/relabel-import-XXXXXX", *text, *tmp = NULL;
    const char *base = strrchr(path, '/');
    rl_json *doc = NULL;
    size_t len = 0;
    FILE *f;
    int rc = -1;

    if ((text = slurp(path, &len, err)) == NULL)
        return -1;
    if ((doc = rl_json_parse(text, len, err)) == NULL) {
        char msg[sizeof err->msg];

        snprintf(msg, sizeof msg, "%s", err->msg);
        rl_err_set(err, RL_E_PARSE, "%s:%s", path, msg);
        goto out;
    }
    if (fmt == RL_JSON_DETECT)
        fmt = doc->type == RL_JSON_ARRAY ? RL_JSON_LABELSTUDIO
              : rl_json_get(doc, "initial_annots") != NULL ? RL_JSON_TFDS
              : RL_JSON_DETECT;
    if (fmt == RL_JSON_DETECT) {
        bad(&c, err, RL_E_PARSE, doc->line, "format", "neither TFDS "
            "(an object with initial_annots) nor Label Studio (a list of "
            "tasks)", NULL);
        goto out;
    }
    if (fmt == RL_JSON_LABELSTUDIO && doc->type != RL_JSON_ARRAY) {
        bad(&c, err, RL_E_PARSE, doc->line, "tasks", "expected a list of "
            "Label Studio tasks", NULL);
        goto out;
    }
    if (load_names(s, &c.images, err) != 0)
        goto out;
    rl_csv_write_row(&c.csv, long_head, 12, ',');
    if ((fmt == RL_JSON_TFDS ? from_tfds(&c, doc, o ? o->reviewer : NULL,
                                         err)
                             : from_labelstudio(&c, doc, err)) != 0)
        goto out;

    /* The long form, named after the JSON file (the import log says
     * "import NAME.csv"), in a folder only we can read. */
    if (mkdtemp(dir) == NULL) {
        rl_err_set(err, RL_E_IO, "a temporary folder: %s", strerror(errno));
        goto out;
    }
    tmp = rl_xasprintf("%s/%s.csv", dir, base != NULL ? base + 1 : path);
    if ((f = fopen(tmp, "wb")) == NULL) {
        rl_err_set(err, RL_E_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if ((fwrite(c.csv.data, 1, c.csv.len, f) != c.csv.len) + fclose(f)) {
        rl_err_set(err, RL_E_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    rc = rl_import_reviews(s, cat, tmp, o, res, err);
out:
    if (tmp != NULL)
        unlink(tmp);
    if (tmp != NULL || access(dir, F_OK) == 0)
        rmdir(dir);
    free(tmp);
    rl_json_free(doc);
    free(text);
    rl_strmap_free(&c.images);
    rl_strmap_free(&c.seen);
    rl_buf_free(&c.csv);
    return rc;
}
