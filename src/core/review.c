/* review.c - verdicts, flags, undo/redo and the image queue.
 *
 * Each user action is a step row plus one event row per changed value
 * (before -> after), written with the change itself in one transaction.
 * Undo and redo are steps too, naming their target, so the log stays
 * append-only and the undo stack can be rebuilt after a restart:
 *   - the undo candidate is the reviewer's newest "do" step whose latest
 *     undo/redo is not an undo;
 *   - the redo candidate is the newest undo made after the reviewer's last
 *     "do" step that no later redo has reverted.
 * Undo replays the step (or its latest redo) backwards; redo replays the
 * undo backwards, so a redo restores exactly what its undo changed,
 * including a confirmation the undo cleared. Every action is one step;
 * a confirmation (Enter) is a step of its own. */
#include "relabel/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/consensus.h"
#include "relabel/journal.h"
#include "relabel/util.h"
#include "internal.h"
#include "journal.h"
#include "log.h"

/* ---- loading ------------------------------------------------------- */

static const char SQL_IMAGE[] =
    "SELECT name, path, label, dataset FROM image WHERE id = ?";
static const char SQL_CANDS[] =
    "SELECT c.class, c.n_models, coalesce(" RL_SQL_MEAN_RANK("c") ", 0),"
    " c.added_by,"
    " (SELECT group_concat(name, ' ') FROM (SELECT m.name FROM prediction p"
    "   JOIN model m ON m.id = p.model WHERE p.image = c.image"
    "   AND p.class = c.class ORDER BY m.name)),"
    " (SELECT state FROM review r WHERE r.image = c.image"
    "   AND r.class = c.class AND r.reviewer = ?2),"
    " (SELECT count(*) FROM review r WHERE r.image = c.image"
    "   AND r.class = c.class AND r.reviewer <> ?2)"
    " FROM candidate c WHERE c.image = ?1";
static const char SQL_FLAG[] =
    "SELECT problematic, note, main, done FROM flag"
    " WHERE image = ? AND reviewer = ?";
static const char SQL_OTHERS[] =
    "SELECT count(DISTINCT reviewer) FROM review"
    " WHERE image = ? AND reviewer <> ?";

static int
cmp_cand(const void *a, const void *b)
{
    const rl_cand *x = a, *y = b;
    int nx = x->n_models, ny = y->n_models;

    if (nx != ny)
        return nx > ny ? -1 : 1;
    if (nx > 0 && x->mean_rank != y->mean_rank)
        return x->mean_rank < y->mean_rank ? -1 : 1;
    return (x->cls->idx > y->cls->idx) - (x->cls->idx < y->cls->idx);
}

/* A pending change of the journal of marks, shown on the loaded image:
 * the reviewer sees what was saved there. */
struct overlay {
    rl_image *img;
    const rl_catalog *cat;
};

static void
overlay_change(void *ctx, const log_change *c)
{
    struct overlay *o = ctx;
    rl_image *img = o->img;
    const char *after = c->after != NULL ? c->after : "";
    size_t i;

    if (strcmp(c->field, "state") == 0) {
        for (i = 0; i < img->n; i++)
            if (img->cand[i].cls->id == c->cls
                && rl_state_parse(after, &img->cand[i].state) != 0)
                img->cand[i].state = RL_STATE_NONE;
    } else if (strcmp(c->field, "problematic") == 0) {
        img->problematic = strcmp(after, "1") == 0;
    } else if (strcmp(c->field, "note") == 0) {
        free(img->note);
        img->note = rl_xstrdup(after);
    } else if (strcmp(c->field, "main") == 0) {
        img->main = *after ? rl_catalog_by_id(o->cat, strtoll(after, NULL, 10))
                    : NULL;
    } else if (strcmp(c->field, "done") == 0) {
        img->done = strcmp(after, "1") == 0;
    }
}

rl_image *
rl_image_load(rl_store *s, const rl_catalog *cat, const char *reviewer,
              int64_t id, rl_err *err)
{
    rl_image *img;
    sqlite3_stmt *st;
    size_t cap = 0;

    if ((st = store_stmt(s, SQL_IMAGE, err)) == NULL)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rl_err_set(err, RL_E_NOTFOUND, "no image with id %lld",
                   (long long)id);
        sqlite3_reset(st);
        return NULL;
    }
    img = rl_xcalloc(1, sizeof *img);
    img->id = id;
    img->name = store_col_dup(st, 0);
    img->path = store_col_dup(st, 1);
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        img->label = rl_catalog_by_id(cat, sqlite3_column_int64(st, 2));
    img->dataset = store_col_dup(st, 3);
    sqlite3_reset(st);

    if ((st = store_stmt(s, SQL_CANDS, err)) == NULL)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const rl_class *cls = rl_catalog_by_id(cat,
                                               sqlite3_column_int64(st, 0));
        rl_cand *c;
        const char *state;
        char *models;

        if (cls == NULL)
            continue;
        rl_grow(&img->cand, &cap, img->n + 1, sizeof *img->cand);
        c = &img->cand[img->n++];
        memset(c, 0, sizeof *c);
        c->cls = cls;
        c->n_models = sqlite3_column_int(st, 1);
        c->mean_rank = sqlite3_column_double(st, 2);
        c->added_by = store_col_dup(st, 3);
        models = store_col_dup(st, 4);
        c->models = models != NULL ? models : rl_xstrdup("");
        state = (const char *)sqlite3_column_text(st, 5);
        if (state == NULL || rl_state_parse(state, &c->state) != 0)
            c->state = RL_STATE_NONE;
        c->n_others = sqlite3_column_int(st, 6);
        c->original = img->label == cls;
    }
    sqlite3_reset(st);
    if (img->n > 1)
        qsort(img->cand, img->n, sizeof *img->cand, cmp_cand);

    img->note = NULL;
    if ((st = store_stmt(s, SQL_FLAG, err)) == NULL)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        img->problematic = sqlite3_column_int(st, 0) != 0;
        img->note = store_col_dup(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            img->main = rl_catalog_by_id(cat, sqlite3_column_int64(st, 2));
        img->done = sqlite3_column_int(st, 3) != 0;
    }
    sqlite3_reset(st);
    if (img->note == NULL)
        img->note = rl_xstrdup("");

    if ((st = store_stmt(s, SQL_OTHERS, err)) == NULL)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        img->n_other_reviewers = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    {
        struct overlay o = { img, cat };

        /* As log_settle will: an open candidate unconfirms. */
        if (journal_overlay(s, reviewer, id, overlay_change, &o) > 0
            && img->done && rl_image_unreviewed(img) > 0)
            img->done = false;
    }
    return img;
fail:
    rl_image_free(img);
    return NULL;
}

void
rl_image_free(rl_image *img)
{
    size_t i;

    if (img == NULL)
        return;
    for (i = 0; i < img->n; i++) {
        free(img->cand[i].added_by);
        free(img->cand[i].models);
    }
    free(img->cand);
    free(img->name);
    free(img->path);
    free(img->dataset);
    free(img->note);
    free(img);
}

int64_t
rl_image_find(rl_store *s, const char *name)
{
    static const char sql[] = "SELECT id FROM image WHERE name = ?";

    return store_lookup(s, sql, name);
}

long
rl_image_names(rl_store *s, const char *prefix, long max,
               void (*fn)(void *ctx, const char *name), void *ctx,
               rl_err *err)
{
    /* A range on the name index, not LIKE: '%' and '_' in names are
     * ordinary characters here. */
    static const char sql[] =
        "SELECT name FROM image WHERE name >= ?1 AND substr(name, 1,"
        " length(?1)) = ?1 ORDER BY name LIMIT ?2";
    sqlite3_stmt *st = NULL;
    long n = 0;
    int r;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "listing images");
        return -1;
    }
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, max);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        fn(ctx, (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "listing images");
        n = -1;
    }
    sqlite3_finalize(st);
    return n;
}

size_t
rl_image_lookup(rl_store *s, const char *q, int64_t *ids, size_t max,
                bool *exact)
{
    /* Exact, then prefix, then substring: the first kind with a match
     * wins. instr() and substr() compare bytes, so names in any script
     * and with LIKE's wildcards match literally. */
    static const char *const sql[] = {
        "SELECT id FROM image WHERE name = ?1",
        "SELECT id FROM image WHERE substr(name, 1, length(?1)) = ?1"
        " ORDER BY name LIMIT ?2",
        "SELECT id FROM image WHERE instr(name, ?1) > 0"
        " ORDER BY name LIMIT ?2",
    };
    size_t k, n = 0;

    *exact = false;
    if (*q == '\0')
        return 0;
    for (k = 0; k < 3 && n == 0; k++) {
        sqlite3_stmt *st = store_stmt(s, sql[k], NULL);

        if (st == NULL)
            return 0;
        sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
        if (k > 0)
            sqlite3_bind_int64(st, 2, (sqlite3_int64)max + 1);
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (n < max)
                ids[n] = sqlite3_column_int64(st, 0);
            n++;
        }
        sqlite3_reset(st);
        *exact = k == 0 && n > 0;
    }
    return n;
}

size_t
rl_image_unreviewed(const rl_image *img)
{
    size_t i, n = 0;

    for (i = 0; i < img->n; i++)
        n += img->cand[i].state == RL_STATE_NONE;
    return n;
}

size_t
rl_image_cand_pos(const rl_image *img, const rl_class *cls)
{
    size_t i;

    for (i = 0; i < img->n; i++)
        if (img->cand[i].cls == cls)
            return i;
    return SIZE_MAX;
}

/* ---- writes: every one through the review log (log.c) ------------- */

/* One step of changes, committed (to the project, or while another
 * process holds its write lock to the journal of marks) on return 0. */
static int
commit_step(rl_store *s, const char *reviewer, int64_t image,
            const char *what, const log_change *ch, size_t n, rl_err *err)
{
    /* An added class reloads the image from the project at once: it
     * waits for the lock ("saving...") rather than go to the journal. */
    return journal_step(s, reviewer, image, what, ch, n,
                        strcmp(what, "add") != 0, err);
}

static const char *
state_value(rl_state st)
{
    return st == RL_STATE_NONE ? NULL : rl_state_name(st);
}

/* ---- actions ------------------------------------------------------- */

int
rl_review_set(rl_store *s, rl_image *img, const char *reviewer, size_t i,
              rl_state st, rl_err *err)
{
    log_change ch[2];
    size_t n = 0;
    char before[32];
    bool demote;

    if (i >= img->n) {
        rl_err_set(err, RL_E_RANGE, "no candidate %zu (the image has %zu)",
                   i + 1, img->n);
        return -1;
    }
    if (st >= RL_STATE_COUNT) {
        rl_err_set(err, RL_E_RANGE, "no such state");
        return -1;
    }
    if (img->cand[i].state == st)
        return 0;
    ch[n++] = (log_change){ img->cand[i].cls->id, "state",
                               state_value(img->cand[i].state),
                               state_value(st) };
    /* A main object that stops being Correct stops being the main one. */
    demote = img->main == img->cand[i].cls && st != RL_STATE_CORRECT;
    if (demote) {
        snprintf(before, sizeof before, "%lld", (long long)img->main->id);
        ch[n++] = (log_change){ 0, "main", before, NULL };
    }
    if (commit_step(s, reviewer, img->id, "mark", ch, n, err) != 0)
        return -1;
    if (demote)
        img->main = NULL;
    img->cand[i].state = st;
    if (st == RL_STATE_NONE)
        img->done = false;     /* the store cleared it with this step */
    return 0;
}

int
rl_review_set_rest(rl_store *s, rl_image *img, const char *reviewer,
                   rl_state st, rl_err *err)
{
    log_change *ch = rl_xcalloc(img->n + 1, sizeof *ch);
    size_t i, n = 0;
    int rc;

    for (i = 0; i < img->n; i++)
        if (img->cand[i].state == RL_STATE_NONE)
            ch[n++] = (log_change){ img->cand[i].cls->id, "state", NULL,
                                       state_value(st) };
    if (n == 0 || st == RL_STATE_NONE) {
        free(ch);
        return 0;
    }
    rc = commit_step(s, reviewer, img->id, "bulk", ch, n, err);
    free(ch);
    if (rc != 0)
        return -1;
    for (i = 0; i < img->n; i++)
        if (img->cand[i].state == RL_STATE_NONE)
            img->cand[i].state = st;
    return (int)n;
}

int
rl_review_set_assigned(rl_store *s, rl_image *img, const char *reviewer,
                       rl_err *err)
{
    size_t i;

    for (i = 0; i < img->n; i++)
        if (img->cand[i].original)
            return rl_review_set(s, img, reviewer, i, RL_STATE_CORRECT, err);
    rl_err_set(err, RL_E_NOTFOUND, "this image has no original label");
    return -1;
}

int
rl_review_set_problematic(rl_store *s, rl_image *img, const char *reviewer,
                          bool on, rl_err *err)
{
    log_change ch = { 0, "problematic", img->problematic ? "1" : "0",
                         on ? "1" : "0" };

    if (img->problematic == on)
        return 0;
    if (commit_step(s, reviewer, img->id, "flag", &ch, 1, err) != 0)
        return -1;
    img->problematic = on;
    return 0;
}

int
rl_review_set_note(rl_store *s, rl_image *img, const char *reviewer,
                   const char *note, rl_err *err)
{
    log_change ch = { 0, "note", img->note, note };

    if (strcmp(img->note, note) == 0)
        return 0;
    if (commit_step(s, reviewer, img->id, "note", &ch, 1, err) != 0)
        return -1;
    free(img->note);
    img->note = rl_xstrdup(note);
    return 0;
}

int
rl_review_set_main(rl_store *s, rl_image *img, const char *reviewer,
                   size_t i, rl_err *err)
{
    char before[32], after[32];
    log_change ch = { 0, "main", NULL, NULL };
    const rl_class *next;

    if (i >= img->n) {
        rl_err_set(err, RL_E_RANGE, "no candidate %zu", i + 1);
        return -1;
    }
    next = img->main == img->cand[i].cls ? NULL : img->cand[i].cls;
    if (next != NULL && img->cand[i].state != RL_STATE_CORRECT) {
        rl_err_set(err, RL_E_RANGE, "the main object must be marked Correct "
                   "first");
        return -1;
    }
    if (img->main != NULL) {
        snprintf(before, sizeof before, "%lld", (long long)img->main->id);
        ch.before = before;
    }
    if (next != NULL) {
        snprintf(after, sizeof after, "%lld", (long long)next->id);
        ch.after = after;
    }
    if (commit_step(s, reviewer, img->id, "main", &ch, 1, err) != 0)
        return -1;
    img->main = next;
    return 0;
}

int
rl_review_add(rl_store *s, const rl_catalog *cat, rl_image **imgp,
              const char *reviewer, const rl_class *cls, size_t *pos,
              rl_err *err)
{
    rl_image *img = *imgp, *fresh;
    log_change ch = { cls->id, "candidate", NULL, reviewer };

    if (cls->idx < 0) {
        rl_err_set(err, RL_E_RANGE, "%s is a hierarchy node, not a class",
                   cls->wnid);
        return -1;
    }
    if (rl_image_cand_pos(img, cls) != SIZE_MAX) {
        rl_err_set(err, RL_E_DUP, "%s is a candidate already", cls->wnid);
        return -1;
    }
    if (commit_step(s, reviewer, img->id, "add", &ch, 1, err) != 0)
        return -1;
    fresh = rl_image_load(s, cat, reviewer, img->id, err);
    if (fresh == NULL)
        return -1;
    rl_image_free(img);
    *imgp = fresh;
    if (pos != NULL)
        *pos = rl_image_cand_pos(fresh, cls);
    return 0;
}

int
rl_review_confirm(rl_store *s, rl_image *img, const char *reviewer,
                  rl_err *err)
{
    size_t open = rl_image_unreviewed(img);
    log_change ch = { 0, "done", img->done ? "1" : "0", "1" };

    if (open > 0) {
        rl_err_set(err, RL_E_RANGE, "%zu candidate%s still unreviewed (W "
                   "sets them Wrong)", open, open == 1 ? "" : "s");
        return -1;
    }
    if (img->done)
        return 0;
    if (commit_step(s, reviewer, img->id, "confirm", &ch, 1, err) != 0)
        return -1;
    img->done = true;
    return 0;
}

/* ---- undo / redo --------------------------------------------------- */

/* The undo candidate, and the step whose events undoing it replays
 * backwards: its latest redo if it was redone, else the step itself. */
static const char SQL_UNDO_TARGET[] =
    "SELECT s.id, coalesce((SELECT max(u.id) FROM step u"
    "   WHERE u.target = s.id), s.id), s.what FROM step s"
    " WHERE s.reviewer = ?1 AND s.kind = 'do'"
    " AND coalesce((SELECT u.kind FROM step u"
    " WHERE u.target = s.id ORDER BY u.id DESC LIMIT 1), 'redo') = 'redo'"
    " ORDER BY s.id DESC LIMIT 1";
/* The redo candidate, and the undo step that redoing it replays
 * backwards, so that everything the undo changed (a confirmation it
 * cleared too) comes back. */
static const char SQL_REDO_TARGET[] =
    "SELECT u.target, u.id, (SELECT d.what FROM step d WHERE d.id = u.target)"
    " FROM step u WHERE u.reviewer = ?1 AND u.kind = 'undo'"
    " AND u.id > coalesce((SELECT max(id) FROM step d WHERE d.reviewer = ?1"
    "   AND d.kind = 'do'), 0)"
    " AND NOT EXISTS (SELECT 1 FROM step r WHERE r.target = u.target"
    "   AND r.id > u.id)"
    " ORDER BY u.id DESC LIMIT 1";
int
rl_review_revert(rl_store *s, const char *reviewer, bool redo,
                 rl_step_info *info, rl_err *err)
{
    sqlite3_stmt *st;
    int64_t target = 0, source = 0;
    log_reverted lr;
    char note[256] = "";
    int rc = -1;

    memset(info, 0, sizeof *info);
    info->image = -1;
    rl_err_clear(err);
    /* Undo of a step still in the journal of marks waits for the lock
     * (the store's on_wait: "saving..."): the step must be in the project
     * to be undone. */
    if (rl_journal_apply(s, -1, err) < 0)
        return -1;
    if (rl_store_begin(s, err) != 0)
        return -1;
    if ((st = store_stmt(s, redo ? SQL_REDO_TARGET : SQL_UNDO_TARGET, err))
        == NULL)
        goto out;
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *what = sqlite3_column_text(st, 2);

        target = sqlite3_column_int64(st, 0);
        source = sqlite3_column_int64(st, 1);
        snprintf(info->what, sizeof info->what, "%s",
                 what != NULL ? (const char *)what : "");
    }
    sqlite3_reset(st);
    if (target == 0) {
        rc = 0;
        goto out;
    }
    rc = log_revert(s, reviewer, target, source, !redo, &lr, note,
                    sizeof note, err);
    info->image = lr.image;
    info->cls = lr.cls;
    info->n_marks = lr.n_marks;
out:
    if (rl_store_end(s, rc, err) != 0)
        return -1;
    if (target != 0 && note[0] != '\0')
        rl_err_set(err, RL_E_OK, "%s", note);
    return target != 0 ? 1 : 0;
}

int
rl_review_undo(rl_store *s, const char *reviewer, int64_t *image, rl_err *err)
{
    rl_step_info info;
    int rc = rl_review_revert(s, reviewer, false, &info, err);

    *image = info.image;
    return rc;
}

int
rl_review_redo(rl_store *s, const char *reviewer, int64_t *image, rl_err *err)
{
    rl_step_info info;
    int rc = rl_review_revert(s, reviewer, true, &info, err);

    *image = info.image;
    return rc;
}

int
rl_review_touch(rl_store *s, const char *reviewer, int64_t image,
                int64_t active_ms, rl_err *err)
{
    return log_touch(s, reviewer, image, active_ms, err);
}

/* ---- queue --------------------------------------------------------- */

static const char *const filter_names[RL_FILTER_COUNT] = {
    "all", "unreviewed", "problematic", "others", "disagreements"
};

const char *
rl_filter_name(rl_filter f)
{
    return f < RL_FILTER_COUNT ? filter_names[f] : "?";
}

/* Drops rl_queue_count's cache: every block is counted again. */
static void
counts_stale(rl_queue *q)
{
    free(q->blk_count);
    free(q->blk_dirty);
    q->blk_count = NULL;
    q->blk_dirty = NULL;
    q->n_blk = 0;
}

/* Marks the count block of position `pos` stale. */
static void
touch(rl_queue *q, size_t pos)
{
    if (q->blk_dirty != NULL && pos < q->n)
        q->blk_dirty[pos / RL_QUEUE_BLOCK] = 1;
}

void
queue_moved(rl_queue *q)
{
    free(q->by_id);
    q->by_id = NULL;
    q->fill_at = 0;
    counts_stale(q);
}

/* Flags the queue's images that hold a disagreement no adjudicator has
 * settled. */
static int
mark_disagreements(rl_store *s, rl_queue *q, rl_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0, i;
    rl_u64set set = {0};

    /* One reviewer cannot disagree with anybody: skip the scan. */
    if (store_int(s, "SELECT count(*) FROM (" SQL_REVIEWERS " LIMIT 2)", 0)
        < 2)
        return 0;
    if (rl_consensus_disagreement_images(s, true, &ids, &n, err) != 0)
        return -1;
    for (i = 0; i < n; i++)
        rl_u64set_add(&set, (uint64_t)ids[i]);
    for (i = 0; i < q->n; i++)
        if (!rl_u64set_add(&set, (uint64_t)q->items[i].id))
            q->items[i].disagree = true;
    counts_stale(q);
    rl_u64set_free(&set);
    free(ids);
    return 0;
}

/* The final verdict pending steps give each class, for one image. */
struct qoverlay {
    int64_t cls[64];
    const char *after[64];     /* owned */
    size_t n;
    bool problematic;
};

static void
qoverlay_change(void *ctx, const log_change *c)
{
    struct qoverlay *o = ctx;
    size_t i;

    if (strcmp(c->field, "problematic") == 0 && c->after != NULL
        && strcmp(c->after, "1") == 0)
        o->problematic = true;
    if (strcmp(c->field, "state") != 0)
        return;
    for (i = 0; i < o->n && o->cls[i] != c->cls; i++)
        ;
    if (i == o->n) {
        if (o->n == 64)
            return;
        o->n++;
    } else {
        free((char *)o->after[i]);
    }
    o->cls[i] = c->cls;
    o->after[i] = c->after != NULL ? rl_xstrdup(c->after) : NULL;
}

/* Counts of queue item `it` as the reviewer's pending steps (the journal
 * of marks) leave them; `it` holds the project's counts. */
static void
overlay_item(rl_store *s, const char *reviewer, rl_qitem *it)
{
    struct qoverlay o;
    size_t k;

    memset(&o, 0, sizeof o);
    if (journal_overlay(s, reviewer, it->id, qoverlay_change, &o) == 0)
        return;
    for (k = 0; k < o.n; k++) {
        char *now = log_value(s, reviewer, it->id, o.cls[k], "state");

        it->n_mine += (int)(o.after[k] != NULL) - (int)(now != NULL);
        free(now);
        free((char *)o.after[k]);
    }
    if (o.problematic)
        it->problematic = true;
}

/* One item's counts: the same answers the queue gives after a refresh. */
static const char SQL_QITEM[] =
    "SELECT (SELECT count(*) FROM candidate c WHERE c.image = ?1),"
    " (SELECT count(*) FROM review r WHERE r.image = ?1"
    "   AND r.reviewer = ?2),"
    " EXISTS (SELECT 1 FROM flag f WHERE f.image = ?1 AND f.problematic),"
    " EXISTS (SELECT 1 FROM review r WHERE r.image = ?1"
    "   AND r.reviewer <> ?2)";

/* Fills one item's counts (indexed lookups). 0, or -1 with `err` set. */
static int
fill_item(rl_queue *q, rl_qitem *it, rl_err *err)
{
    sqlite3_stmt *st = store_stmt(q->store, SQL_QITEM, err);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, it->id);
    sqlite3_bind_text(st, 2, q->reviewer, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        it->n_cand = sqlite3_column_int(st, 0);
        it->n_mine = sqlite3_column_int(st, 1);
        it->problematic = sqlite3_column_int(st, 2) != 0;
        it->others = sqlite3_column_int(st, 3) != 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        store_dberr(q->store, err, "counting the queue");
        return -1;
    }
    overlay_item(q->store, q->reviewer, it);
    if (!it->known) {
        it->known = true;
        q->n_known++;
    }
    touch(q, (size_t)(it - q->items));
    return 0;
}

static int
by_qid(const void *a, const void *b)
{
    const struct rl_qidx *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

struct rl_qidx *
queue_by_id(const rl_queue *q)
{
    struct rl_qidx *ix;
    size_t i;

    if (q->n == 0)
        return NULL;
    ix = rl_xcalloc(q->n, sizeof *ix);
    for (i = 0; i < q->n; i++) {
        ix[i].id = q->items[i].id;
        ix[i].pos = i;
    }
    qsort(ix, q->n, sizeof *ix, by_qid);
    return ix;
}

/* Ids counted by one slice of rl_queue_fill: three range queries; a
 * slice for a smaller `max` counts at least FILL_MIN. */
#define FILL_CHUNK 2048
#define FILL_MIN 256

/* The counts of the images with ids in [?1, ?2], one query each, in id
 * order: the same answers as SQL_QITEM image by image. The verdicts are
 * one scan of review's key for both counts (it has no index by reviewer
 * since schema 10). */
static const char *const SQL_CHUNK[] = {
    "SELECT image, count(*) FROM candidate WHERE image BETWEEN ?1 AND ?2"
    " GROUP BY image",
    "SELECT image, sum(reviewer = ?3), max(reviewer <> ?3) FROM review"
    " WHERE image BETWEEN ?1 AND ?2 GROUP BY image",
    "SELECT DISTINCT image FROM flag WHERE image BETWEEN ?1 AND ?2"
    " AND problematic",
};

/* Sets field `what` (an index of SQL_CHUNK) of the `n` items of `ix`. */
static int
chunk_query(rl_queue *q, int what, const struct rl_qidx *ix, size_t n,
            rl_err *err)
{
    sqlite3_stmt *st = store_stmt(q->store, SQL_CHUNK[what], err);
    size_t j = 0;
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, ix[0].id);
    sqlite3_bind_int64(st, 2, ix[n - 1].id);
    if (what == 1)
        sqlite3_bind_text(st, 3, q->reviewer, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        rl_qitem *it;

        while (j < n && ix[j].id < id)
            j++;
        if (j == n || ix[j].id != id)
            continue;              /* an image outside the queue */
        it = &q->items[ix[j].pos];
        if (what == 0)
            it->n_cand = sqlite3_column_int(st, 1);
        else if (what == 1) {
            it->n_mine = sqlite3_column_int(st, 1);
            it->others = sqlite3_column_int(st, 2) != 0;
        } else
            it->problematic = true;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_dberr(q->store, err, "counting the queue");
        return -1;
    }
    return 0;
}

/* The reviewer's pending steps (the journal of marks) over the counts of
 * the items of ix[0 .. n), sorted by id. */
static void
overlay_chunk(rl_queue *q, const struct rl_qidx *ix, size_t n)
{
    int64_t *ids;
    size_t k = journal_images(q->store, q->reviewer, &ids), i, j = 0;

    for (i = 0; i < k; i++) {
        while (j < n && ix[j].id < ids[i])
            j++;
        if (j == n)
            break;
        if (ix[j].id == ids[i])
            overlay_item(q->store, q->reviewer, &q->items[ix[j].pos]);
    }
    free(ids);
}

/* Counts every item of ix[0 .. n), filled before or not. */
static int
fill_chunk(rl_queue *q, const struct rl_qidx *ix, size_t n, rl_err *err)
{
    size_t i;
    int w;

    for (i = 0; i < n; i++) {
        rl_qitem *it = &q->items[ix[i].pos];

        it->n_cand = it->n_mine = 0;
        it->problematic = it->others = false;
    }
    for (w = 0; w < (int)(sizeof SQL_CHUNK / sizeof *SQL_CHUNK); w++)
        if (chunk_query(q, w, ix, n, err) != 0)
            return -1;
    overlay_chunk(q, ix, n);
    for (i = 0; i < n; i++) {
        rl_qitem *it = &q->items[ix[i].pos];

        if (!it->known) {
            it->known = true;
            q->n_known++;
        }
        touch(q, ix[i].pos);
    }
    return 0;
}

/* Counts at least `max` unfilled items (whole chunks in id order, from
 * q->fill_at, of FILL_CHUNK ids, or of `max` but at least FILL_MIN when
 * `max` is smaller; it wraps once, past items filled on demand). */
static int
fill_counts(rl_queue *q, size_t max, rl_err *err)
{
    size_t start = q->n_known, i;
    bool wrapped = false;

    if (q->n_known < q->n && q->by_id == NULL) {
        q->by_id = queue_by_id(q);
        q->fill_at = 0;
    }
    while (q->n_known < q->n && q->n_known - start < max) {
        size_t k = q->fill_at, m;
        bool open = false;

        if (k >= q->n) {
            if (wrapped)
                break;             /* n_known disagrees: cannot happen */
            wrapped = true;
            q->fill_at = 0;
            continue;
        }
        /* A small `max` counts a small chunk: a slice after a key. */
        m = max < FILL_CHUNK ? (max > FILL_MIN ? max : FILL_MIN)
                             : FILL_CHUNK;
        if (q->n - k < m)
            m = q->n - k;
        for (i = k; i < k + m && !open; i++)
            open = !q->items[q->by_id[i].pos].known;
        if (open && fill_chunk(q, &q->by_id[k], m, err) != 0)
            return -1;
        q->fill_at = k + m;
    }
    return 0;
}

void
queue_reset(rl_store *s, const char *reviewer, rl_queue *q)
{
    free(q->reviewer);
    queue_moved(q);
    q->reviewer = rl_xstrdup(reviewer);
    q->store = s;
    q->n = q->n_known = 0;
    q->disagree_known = false;
    q->last_event = store_int(s, "SELECT max(id) FROM event", 0);
}

int
queue_assigned(rl_store *s, const char *reviewer, bool *assigned,
               rl_err *err)
{
    static const char sql_any[] =
        "SELECT EXISTS (SELECT 1 FROM assignment WHERE reviewer = ?1)";
    sqlite3_stmt *st;
    int rc;

    *assigned = false;
    if ((st = store_stmt(s, sql_any, err)) == NULL)
        return -1;
    sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *assigned = sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        store_dberr(s, err, "loading the queue");
        return -1;
    }
    return 0;
}

int
queue_open_sql(rl_store *s, const char *reviewer, rl_queue *q,
               const char *sql_all, const char *sql_assigned, rl_err *err)
{
    sqlite3_stmt *st;
    bool assigned = false;
    int rc;

    queue_reset(s, reviewer, q);
    if (sql_assigned != NULL && queue_assigned(s, reviewer, &assigned, err)
        != 0)
        return -1;
    if ((st = store_stmt(s, assigned ? sql_assigned : sql_all, err)) == NULL)
        return -1;
    if (assigned)
        sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rl_qitem *it;

        rl_grow(&q->items, &q->cap, q->n + 1, sizeof *q->items);
        it = &q->items[q->n++];
        memset(it, 0, sizeof *it);
        it->id = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_dberr(s, err, "loading the queue");
        q->n = 0;
        return -1;
    }
    if (q->n > 0 && q->cap > q->n) {
        /* Growth left up to half of it unused: 15 MB at 1.28M images. */
        q->items = rl_xrealloc(q->items, q->n * sizeof *q->items);
        q->cap = q->n;
    }
    return 0;
}

int
rl_queue_open(rl_store *s, const char *reviewer, rl_queue *q, rl_err *err)
{
    return queue_open_sql(s, reviewer, q, "SELECT id FROM image ORDER BY name",
                          "SELECT i.id FROM assignment a JOIN image i"
                          " ON i.id = a.image WHERE a.reviewer = ?1"
                          " ORDER BY i.name", err);
}

int
rl_queue_fill(rl_queue *q, size_t max, bool disagree, rl_err *err)
{
    if (fill_counts(q, max, err) != 0)
        return -1;
    if (q->n_known < q->n)
        return 0;
    if (disagree && !q->disagree_known) {
        if (mark_disagreements(q->store, q, err) != 0)
            return -1;
        q->disagree_known = true;
    }
    return 1;
}

int
rl_queue_load(rl_store *s, const char *reviewer, rl_queue *q, rl_err *err)
{
    if (rl_queue_open(s, reviewer, q, err) != 0)
        return -1;
    return rl_queue_fill(q, SIZE_MAX, true, err) < 0 ? -1 : 0;
}

bool
rl_queue_complete(const rl_queue *q, rl_filter f)
{
    if (f == RL_FILTER_ALL)
        return true;
    if (f == RL_FILTER_DISAGREE)
        return q->disagree_known;
    return q->n_known == q->n;
}

const rl_qitem *
rl_queue_at(rl_queue *q, size_t pos)
{
    rl_qitem *it = &q->items[pos];

    if (!it->known)
        (void)fill_item(q, it, NULL);    /* stays unknown on error */
    return it;
}

rl_qitem *
rl_queue_edit(rl_queue *q, size_t pos)
{
    touch(q, pos);
    return &q->items[pos];
}

int
rl_queue_refresh(rl_store *s, const char *reviewer, rl_queue *q,
                 int64_t *changed, size_t max, size_t *n_changed,
                 rl_err *err)
{
    static const char sql_ev[] =
        "SELECT DISTINCT image FROM event WHERE id > ? ORDER BY image";
    int64_t last = store_int(s, "SELECT max(id) FROM event", 0);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, i;
    sqlite3_stmt *st;

    (void)reviewer;            /* the queue's own: rl_queue_open copied it */
    *n_changed = 0;
    if (last <= q->last_event)
        return 0;
    if ((st = store_stmt(s, sql_ev, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, q->last_event);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_grow(&ids, &cap, n + 1, sizeof *ids);
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    q->last_event = last;
    for (i = 0; i < n; i++) {
        size_t pos = rl_queue_find(q, ids[i]);
        rl_qitem *it;

        if (pos == SIZE_MAX)
            continue;
        /* An item not filled yet is read fresh when it is. */
        it = &q->items[pos];
        if (it->known && fill_item(q, it, err) != 0) {
            free(ids);
            return -1;
        }
        if (q->disagree_known
            && rl_consensus_image_disputed(s, ids[i], true, &it->disagree,
                                           err) != 0) {
            free(ids);
            return -1;
        }
        touch(q, pos);
        if (*n_changed < max)
            changed[(*n_changed)++] = ids[i];
    }
    free(ids);
    return 0;
}

void
rl_queue_free(rl_queue *q)
{
    free(q->items);
    free(q->reviewer);
    queue_moved(q);
    memset(q, 0, sizeof *q);
}

bool
rl_queue_match(const rl_qitem *it, rl_filter f)
{
    if (!it->known)
        return f == RL_FILTER_ALL;
    switch (f) {
    case RL_FILTER_DISAGREE:
        return it->disagree;
    case RL_FILTER_ALL:
        return true;
    case RL_FILTER_UNREVIEWED:
        return it->n_mine < it->n_cand;
    case RL_FILTER_PROBLEMATIC:
        return it->problematic;
    case RL_FILTER_OTHERS:
        return it->others && it->n_mine == 0;
    default:
        return false;
    }
}

size_t
rl_queue_find(const rl_queue *q, int64_t id)
{
    size_t i;

    if (q->by_id != NULL) {
        size_t lo = 0, hi = q->n;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (q->by_id[mid].id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < q->n && q->by_id[lo].id == id ? q->by_id[lo].pos
                                                  : SIZE_MAX;
    }
    for (i = 0; i < q->n; i++)
        if (q->items[i].id == id)
            return i;
    return SIZE_MAX;
}

/* Items rl_queue_step fills one by one before it fills the rest of the
 * queue at once (a few milliseconds' worth). */
#define STEP_FILLS 4096

size_t
rl_queue_step(rl_queue *q, size_t from, int dir, rl_filter f)
{
    size_t k, i, fills = 0;

    if (q->n == 0)
        return SIZE_MAX;
    if (f == RL_FILTER_DISAGREE && !q->disagree_known)
        (void)rl_queue_fill(q, SIZE_MAX, true, NULL);
    if (from >= q->n)
        from = dir > 0 ? q->n - 1 : 0;   /* next step lands on 0 / n-1 */
    for (k = 1; k <= q->n; k++) {
        rl_qitem *it;

        i = dir > 0 ? (from + k) % q->n : (from + q->n - k % q->n) % q->n;
        it = &q->items[i];
        if (!it->known && f != RL_FILTER_ALL) {
            if (++fills > STEP_FILLS)
                (void)fill_counts(q, SIZE_MAX, NULL);
            else
                (void)fill_item(q, it, NULL);
        }
        if (rl_queue_match(it, f))
            return i;
    }
    return SIZE_MAX;
}

/* Counts block `b` under every filter. */
static void
count_block(rl_queue *q, size_t b)
{
    size_t *c = &q->blk_count[b * RL_FILTER_COUNT];
    size_t lo = b * RL_QUEUE_BLOCK, hi = lo + RL_QUEUE_BLOCK, i;
    int f;

    if (hi > q->n)
        hi = q->n;
    memset(c, 0, RL_FILTER_COUNT * sizeof *c);
    for (i = lo; i < hi; i++)
        for (f = 0; f < RL_FILTER_COUNT; f++)
            c[f] += rl_queue_match(&q->items[i], (rl_filter)f);
    q->blk_dirty[b] = 0;
}

size_t
rl_queue_count(rl_queue *q, rl_filter f, size_t pos, size_t *rank)
{
    size_t b, i, n = 0;

    if (rank != NULL)
        *rank = 0;
    if ((unsigned)f >= RL_FILTER_COUNT || q->n == 0)
        return 0;
    if (q->n_blk == 0) {
        q->n_blk = (q->n + RL_QUEUE_BLOCK - 1) / RL_QUEUE_BLOCK;
        q->blk_count = rl_xcalloc(q->n_blk * RL_FILTER_COUNT,
                                  sizeof *q->blk_count);
        q->blk_dirty = rl_xmalloc(q->n_blk);
        memset(q->blk_dirty, 1, q->n_blk);
    }
    for (b = 0; b < q->n_blk; b++) {
        size_t lo = b * RL_QUEUE_BLOCK;

        if (q->blk_dirty[b])
            count_block(q, b);
        if (rank != NULL && pos >= lo && pos - lo < RL_QUEUE_BLOCK
            && pos < q->n && rl_queue_match(&q->items[pos], f)) {
            size_t k = n;

            for (i = lo; i <= pos; i++)
                k += rl_queue_match(&q->items[i], f);
            *rank = k;
        }
        n += q->blk_count[b * RL_FILTER_COUNT + f];
    }
    return n;
}
