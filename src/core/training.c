/* training.c - tasks, answers, part scores and human accuracy.
 *
 * A task's images are kept in task_image by position; its gold in gold;
 * answers per (task, image, reviewer) in answer. A part is part_size
 * consecutive positions. An answer counts as correct when its class is one
 * of the gold's correct classes; images whose gold has no correct class
 * are not scored (as in model evaluation). */
#include "relabel/training.h"

#include <stdlib.h>
#include <string.h>

#include "relabel/consensus.h"
#include "relabel/csv.h"
#include "relabel/metrics.h"
#include "relabel/util.h"
#include "internal.h"

/* ---- creating ------------------------------------------------------ */

struct builder {
    rl_store *s;
    const rl_catalog *cat;
    int64_t task;
    rl_strmap pos;         /* image id (as text) -> position */
    long n;                /* images added */
    rl_consensus cons;     /* the project's majority consensus, read on
                              first use (gold from reviews) */
    bool have_cons;
};

static int
add_image(struct builder *b, int64_t image, rl_err *err)
{
    static const char sql[] =
        "INSERT INTO task_image(task, pos, image) VALUES(?, ?, ?)";
    sqlite3_stmt *st = store_stmt(b->s, sql, err);
    char key[32];

    if (st == NULL)
        return -1;
    snprintf(key, sizeof key, "%lld", (long long)image);
    sqlite3_bind_int64(st, 1, b->task);
    sqlite3_bind_int64(st, 2, b->n);
    sqlite3_bind_int64(st, 3, image);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(b->s, err, "adding a task image");
        return -1;
    }
    rl_strmap_put(&b->pos, key, b->n++);
    return 0;
}

static bool
has_image(struct builder *b, int64_t image)
{
    char key[32];

    snprintf(key, sizeof key, "%lld", (long long)image);
    return rl_strmap_get(&b->pos, key, -1) >= 0;
}

static int
add_gold(struct builder *b, int64_t image, int64_t cls, rl_state st,
         rl_err *err)
{
    static const char sql[] =
        "INSERT INTO gold(task, image, class, state) VALUES(?, ?, ?, ?)";
    sqlite3_stmt *q = store_stmt(b->s, sql, err);

    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, b->task);
    sqlite3_bind_int64(q, 2, image);
    sqlite3_bind_int64(q, 3, cls);
    sqlite3_bind_text(q, 4, rl_state_name(st), -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        store_dberr(b->s, err, "adding gold");
        return -1;
    }
    return 0;
}

static int
csv_image(struct builder *b, rl_csv *c, int col, int64_t *id, rl_err *err)
{
    const char *name = rl_csv_field(c, (size_t)col);

    *id = rl_image_find(b->s, name);
    if (*id < 0) {
        char *safe = rl_utf8_sanitize(name);

        rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: image: unknown image "
                   "'%.100s'", rl_csv_name(c), rl_csv_line(c), safe);
        free(safe);
        return -1;
    }
    return 0;
}

static int
read_images(struct builder *b, const char *path, rl_err *err)
{
    rl_csv *c = rl_csv_open(path, NULL, err);
    int ci, r = -1;
    int64_t id;

    if (c == NULL || rl_csv_header(c, err) != 0)
        goto out;
    if ((ci = rl_csv_col(c, "image")) < 0) {
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column 'image'", path);
        goto out;
    }
    while ((r = rl_csv_next(c, err)) == 1) {
        if (csv_image(b, c, ci, &id, err) != 0)
            goto fail;
        if (has_image(b, id)) {
            rl_err_set(err, RL_E_DUP, "%s:%ld: image: listed twice", path,
                       rl_csv_line(c));
            goto fail;
        }
        if (add_image(b, id, err) != 0)
            goto fail;
    }
    goto out;
fail:
    r = -1;
out:
    rl_csv_close(c);
    return r < 0 ? -1 : 0;
}

static int
read_gold(struct builder *b, const char *path, bool add_missing, rl_err *err)
{
    rl_csv *c = rl_csv_open(path, NULL, err);
    int ci, cw, cs, r = -1;
    rl_u64set seen = {0};

    if (c == NULL || rl_csv_header(c, err) != 0)
        goto out;
    ci = rl_csv_col(c, "image");
    cw = rl_csv_col(c, "wnid");
    cs = rl_csv_col(c, "state");
    if (ci < 0 || cw < 0 || cs < 0) {
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column '%s'", path,
                   ci < 0 ? "image" : cw < 0 ? "wnid" : "state");
        goto out;
    }
    while ((r = rl_csv_next(c, err)) == 1) {
        const rl_class *k;
        rl_state st;
        rl_err e;
        int64_t id;

        if (csv_image(b, c, ci, &id, err) != 0)
            goto fail;
        if ((k = rl_catalog_resolve(b->cat, rl_csv_field(c, (size_t)cw),
                                    &e)) == NULL) {
            rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: wnid: %s", path,
                       rl_csv_line(c), e.msg);
            goto fail;
        }
        if (rl_state_parse(rl_csv_field(c, (size_t)cs), &st) != 0
            || st == RL_STATE_DONT_KNOW) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: state: expected correct, "
                       "wrong or unclear, found '%.40s'", path,
                       rl_csv_line(c), rl_csv_field(c, (size_t)cs));
            goto fail;
        }
        if (!has_image(b, id)) {
            if (!add_missing) {
                rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: image: not one of "
                           "the task's images", path, rl_csv_line(c));
                goto fail;
            }
            if (add_image(b, id, err) != 0)
                goto fail;
        }
        if (!rl_u64set_add(&seen, ((uint64_t)id << 24) ^ (uint64_t)k->id)) {
            rl_err_set(err, RL_E_DUP, "%s:%ld: wnid: duplicate key (this "
                       "image has gold for %s already)", path,
                       rl_csv_line(c), k->wnid);
            goto fail;
        }
        if (add_gold(b, id, k->id, st, err) != 0)
            goto fail;
    }
    goto out;
fail:
    r = -1;
out:
    rl_u64set_free(&seen);
    rl_csv_close(c);
    return r < 0 ? -1 : 0;
}

/* Gold from the project's reviews, by the one consensus rule (majority,
 * an adjudicator's verdict final), with Don't know votes left out: a gold
 * label is correct, wrong or unclear. */
static int
gold_from_reviews(struct builder *b, int64_t image, rl_err *err)
{
    rl_consensus_opts o = { .rule = RL_CONSENSUS_MAJORITY };
    size_t lo = 0, hi;

    if (!b->have_cons) {
        if (rl_consensus_compute(b->s, &o, &b->cons, err) != 0)
            return -1;
        b->have_cons = true;
    }
    hi = b->cons.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (b->cons.pairs[mid].image < image)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < b->cons.n && b->cons.pairs[lo].image == image; lo++) {
        const rl_cpair *p = &b->cons.pairs[lo];
        int n[RL_STATE_COUNT];
        rl_state win = p->adjudicated;

        if (win == RL_STATE_NONE) {
            memcpy(n, p->n, sizeof n);
            n[RL_STATE_DONT_KNOW] = 0;
            win = rl_consensus_majority(n);
        }
        if (win == RL_STATE_NONE || win == RL_STATE_DONT_KNOW)
            continue;
        if (add_gold(b, image, p->cls, win, err) != 0)
            return -1;
    }
    return 0;
}

static uint64_t
splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* 1 when the gold just made for `image` has one of the pair Correct, 0
 * when not, -1 on error. */
static int
pair_in_gold(struct builder *b, int64_t image, const rl_task_spec *spec,
             rl_err *err)
{
    static const char sql[] =
        "SELECT count(*) FROM gold WHERE task = ?1 AND image = ?2"
        " AND state = 'correct' AND class IN (?3, ?4)";
    const rl_class *a = rl_catalog_resolve(b->cat, spec->pair[0], err);
    const rl_class *c = rl_catalog_resolve(b->cat, spec->pair[1], err);
    sqlite3_stmt *st;
    int n;

    if (a == NULL || c == NULL || (st = store_stmt(b->s, sql, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, b->task);
    sqlite3_bind_int64(st, 2, image);
    sqlite3_bind_int64(st, 3, a->id);
    sqlite3_bind_int64(st, 4, c->id);
    n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    if (n < 0)
        store_dberr(b->s, err, "checking the gold");
    return n < 0 ? -1 : n > 0;
}

/* Takes `image`, the last one added, out of the task again. */
static int
drop_last(struct builder *b, int64_t image, rl_err *err)
{
    static const char sql_gold[] =
        "DELETE FROM gold WHERE task = ?1 AND image = ?2";
    static const char sql_image[] =
        "DELETE FROM task_image WHERE task = ?1 AND image = ?2";
    const char *const sql[] = { sql_gold, sql_image };
    char key[32];
    size_t k;

    for (k = 0; k < 2; k++) {
        sqlite3_stmt *st = store_stmt(b->s, sql[k], err);

        if (st == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, b->task);
        sqlite3_bind_int64(st, 2, image);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(b->s, err, "leaving an image out");
            return -1;
        }
    }
    snprintf(key, sizeof key, "%lld", (long long)image);
    rl_strmap_put(&b->pos, key, -1);
    b->n--;
    return 0;
}

static int
query_images(struct builder *b, const rl_task_spec *spec, rl_err *err)
{
    sqlite3_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, i;
    int rc = -1;

    if (spec->pair[0] != NULL) {
        const rl_class *a, *c;

        if ((a = rl_catalog_resolve(b->cat, spec->pair[0], err)) == NULL
            || (c = rl_catalog_resolve(b->cat, spec->pair[1], err)) == NULL)
            return -1;
        if (sqlite3_prepare_v2(b->s->db,
                "SELECT i.id FROM image i WHERE"
                " EXISTS (SELECT 1 FROM candidate x WHERE x.image = i.id"
                "   AND x.class = ?1)"
                " AND EXISTS (SELECT 1 FROM candidate x WHERE x.image = i.id"
                "   AND x.class = ?2) ORDER BY i.name", -1, &st, NULL)
            != SQLITE_OK)
            goto dberr;
        sqlite3_bind_int64(st, 1, a->id);
        sqlite3_bind_int64(st, 2, c->id);
    } else {
        if (strcmp(spec->split, "dog") != 0
            && strcmp(spec->split, "organism") != 0
            && strcmp(spec->split, "object") != 0) {
            rl_err_set(err, RL_E_USAGE, "split: dog, organism or object, not"
                       " '%s'", spec->split);
            return -1;
        }
        if (sqlite3_prepare_v2(b->s->db,
                "SELECT i.id FROM image i JOIN class c ON c.id = i.label"
                " WHERE c.split = ? AND EXISTS (SELECT 1 FROM review r"
                " WHERE r.image = i.id) ORDER BY i.name", -1, &st, NULL)
            != SQLITE_OK)
            goto dberr;
        sqlite3_bind_text(st, 1, spec->split, -1, SQLITE_STATIC);
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_grow(&ids, &cap, n + 1, sizeof *ids);
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (spec->split != NULL) {
        /* A seeded shuffle, then the first `sample`. */
        uint64_t x = spec->seed;

        for (i = n; i > 1; i--) {
            size_t j = (size_t)(splitmix(&x) % i);
            int64_t t = ids[i - 1];

            ids[i - 1] = ids[j];
            ids[j] = t;
        }
    }
    if (spec->sample > 0 && (size_t)spec->sample < n)
        n = (size_t)spec->sample;
    for (i = 0; i < n; i++) {
        if (add_image(b, ids[i], err) != 0
            || gold_from_reviews(b, ids[i], err) != 0)
            goto out;
        if (spec->pair_in_gold && spec->pair[0] != NULL) {
            int has = pair_in_gold(b, ids[i], spec, err);

            if (has < 0 || (has == 0 && drop_last(b, ids[i], err) != 0))
                goto out;
        }
    }
    rc = 0;
    goto out;
dberr:
    store_dberr(b->s, err, "choosing task images");
out:
    sqlite3_finalize(st);
    free(ids);
    return rc;
}

int
rl_task_create(rl_store *s, const rl_catalog *cat, const rl_task_spec *spec,
               int64_t *id, rl_err *err)
{
    static const char sql[] = "INSERT INTO task(name, description,"
        " part_size, created_at) VALUES(?, ?, ?, ?)";
    struct builder b = { s, cat, 0, {0}, 0, {0}, false };
    sqlite3_stmt *st;
    int rc = -1;

    if (spec->name == NULL || *spec->name == '\0') {
        rl_err_set(err, RL_E_USAGE, "a task needs a name");
        return -1;
    }
    if (spec->gold == NULL && spec->pair[0] == NULL && spec->split == NULL) {
        rl_err_set(err, RL_E_USAGE, "a task needs --gold FILE, or --pair "
                   "A B, or --split SPLIT");
        return -1;
    }
    if (rl_store_begin(s, err) != 0)
        return -1;
    if ((st = store_stmt(s, sql, err)) == NULL)
        goto out;
    sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, spec->description ? spec->description : "", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, spec->part_size > 0 ? spec->part_size : 10);
    sqlite3_bind_int64(st, 4, rl_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT)
            rl_err_set(err, RL_E_DUP, "a task named '%s' exists already",
                       spec->name);
        else
            store_dberr(s, err, "creating the task");
        goto out;
    }
    b.task = sqlite3_last_insert_rowid(s->db);
    if (spec->images != NULL && read_images(&b, spec->images, err) != 0)
        goto out;
    if (spec->gold != NULL) {
        if (read_gold(&b, spec->gold, spec->images == NULL, err) != 0)
            goto out;
    } else if (query_images(&b, spec, err) != 0) {
        goto out;
    }
    if (b.n == 0) {
        rl_err_set(err, RL_E_NOTFOUND, "no images for task '%s'",
                   spec->name);
        goto out;
    }
    if (id != NULL)
        *id = b.task;
    rc = 0;
out:
    rl_strmap_free(&b.pos);
    rl_consensus_free(&b.cons);
    return rl_store_end(s, rc, err);
}

/* ---- listing ------------------------------------------------------- */

int64_t
rl_task_find(rl_store *s, const char *name)
{
    static const char sql[] = "SELECT id FROM task WHERE name = ?";

    return store_lookup(s, sql, name);
}

long
rl_task_size(rl_store *s, int64_t task)
{
    static const char sql[] = "SELECT count(*) FROM task_image WHERE task = ?";
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    long n = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, task);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static int
progress(rl_store *s, rl_task_info *t, const char *reviewer, rl_err *err)
{
    static const char sql_pos[] =
        "SELECT ti.pos FROM task_image ti JOIN answer a ON a.task = ti.task"
        " AND a.image = ti.image AND a.reviewer = ?2 WHERE ti.task = ?1";
    static const char sql_ok[] =
        "SELECT count(*) FROM answer a WHERE a.task = ?1 AND a.reviewer = ?2"
        " AND EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task"
        " AND g.image = a.image AND g.class = a.class"
        " AND g.state = 'correct')";
    sqlite3_stmt *st = store_stmt(s, sql_pos, err);
    char *done;
    long p, k;

    if (st == NULL)
        return -1;
    t->n_images = rl_task_size(s, t->id);
    t->parts = (t->n_images + t->part_size - 1) / t->part_size;
    done = rl_xcalloc((size_t)t->n_images + 1, 1);
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long pos = (long)sqlite3_column_int64(st, 0);

        if (pos >= 0 && pos < t->n_images) {
            done[pos] = 1;
            t->answered++;
        }
    }
    sqlite3_reset(st);
    for (p = 0; p < t->parts; p++) {
        bool all = true;

        for (k = p * t->part_size; k < (p + 1) * t->part_size
             && k < t->n_images; k++)
            all = all && done[k];
        t->parts_done += all;
    }
    free(done);
    if ((st = store_stmt(s, sql_ok, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        t->correct = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int
rl_task_list_load(rl_store *s, const char *reviewer, rl_task_list *l,
                  rl_err *err)
{
    sqlite3_stmt *st;
    size_t i;

    memset(l, 0, sizeof *l);
    if (sqlite3_prepare_v2(s->db, "SELECT id, name, description, part_size"
                           " FROM task ORDER BY name", -1, &st, NULL)
        != SQLITE_OK) {
        store_dberr(s, err, "listing tasks");
        return -1;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_task_info *t;

        rl_grow(&l->items, &l->cap, l->n + 1, sizeof *l->items);
        t = &l->items[l->n++];
        memset(t, 0, sizeof *t);
        t->id = sqlite3_column_int64(st, 0);
        t->name = store_col_dup(st, 1);
        t->description = store_col_dup(st, 2);
        t->part_size = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    for (i = 0; i < l->n; i++)
        if (progress(s, &l->items[i], reviewer, err) != 0) {
            rl_task_list_free(l);
            return -1;
        }
    return 0;
}

void
rl_task_list_free(rl_task_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].description);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

int
rl_task_export(rl_store *s, int64_t task, bool answers, FILE *out,
               rl_err *err)
{
    sqlite3_stmt *st;
    rl_buf row = {0};
    int r;

    if (sqlite3_prepare_v2(s->db, answers
        ? "SELECT i.name, a.reviewer, c.wnid, a.mode,"
          " EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task"
          "  AND g.image = a.image AND g.class = a.class"
          "  AND g.state = 'correct'),"
          " a.external, coalesce(a.suggestion, ''), a.suggest_problematic,"
          " a.answered_at, a.active_ms"
          " FROM answer a JOIN task_image ti ON ti.task = a.task"
          "  AND ti.image = a.image JOIN image i ON i.id = a.image"
          " LEFT JOIN class c ON c.id = a.class WHERE a.task = ?"
          " ORDER BY ti.pos, a.reviewer"
        : "SELECT i.name, c.wnid, g.state FROM gold g"
          " JOIN task_image ti ON ti.task = g.task AND ti.image = g.image"
          " JOIN image i ON i.id = g.image JOIN class c ON c.id = g.class"
          " WHERE g.task = ? ORDER BY ti.pos, c.idx", -1, &st, NULL)
        != SQLITE_OK) {
        store_dberr(s, err, "exporting the task");
        return -1;
    }
    sqlite3_bind_int64(st, 1, task);
    fputs(answers ? "image,reviewer,wnid,mode,correct,external,suggestion,"
          "suggest_problematic,answered_at,active_ms\n"
          : "image,wnid,state\n", out);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *f[10];
        char when[40] = "", num[8][24];
        int i, n = answers ? 10 : 3;

        for (i = 0; i < n; i++)
            f[i] = (const char *)sqlite3_column_text(st, i);
        if (answers) {
            snprintf(num[0], sizeof num[0], "%d", sqlite3_column_int(st, 4));
            f[4] = num[0];
            if (sqlite3_column_type(st, 8) != SQLITE_NULL)
                rl_time_format(sqlite3_column_int64(st, 8), when,
                               sizeof when);
            f[8] = when;
        }
        for (i = 0; i < n; i++)
            if (f[i] == NULL)
                f[i] = "";
        rl_buf_reset(&row);
        rl_csv_write_row(&row, f, (size_t)n, ',');
        fwrite(row.data, 1, row.len, out);
    }
    sqlite3_finalize(st);
    rl_buf_free(&row);
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "exporting the task");
        return -1;
    }
    return 0;
}

/* ---- doing --------------------------------------------------------- */

int
rl_task_item_load(rl_store *s, const rl_catalog *cat, int64_t task,
                  const char *reviewer, long pos, rl_task_item *it,
                  rl_err *err)
{
    static const char sql[] =
        "SELECT ti.image, a.class, a.external, a.suggestion,"
        " a.suggest_problematic, a.task IS NOT NULL"
        " FROM task_image ti LEFT JOIN answer a ON a.task = ti.task"
        " AND a.image = ti.image AND a.reviewer = ?3"
        " WHERE ti.task = ?1 AND ti.pos = ?2";
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return -1;
    memset(it, 0, sizeof *it);
    sqlite3_bind_int64(st, 1, task);
    sqlite3_bind_int64(st, 2, pos);
    sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        rl_err_set(err, RL_E_RANGE, "the task has no image %ld", pos + 1);
        return -1;
    }
    it->image = sqlite3_column_int64(st, 0);
    it->pos = pos;
    if (sqlite3_column_type(st, 1) != SQLITE_NULL)
        it->answer = rl_catalog_by_id(cat, sqlite3_column_int64(st, 1));
    it->external = sqlite3_column_int(st, 2) != 0;
    if (sqlite3_column_type(st, 3) == SQLITE_NULL
        || rl_state_parse((const char *)sqlite3_column_text(st, 3),
                          &it->suggestion) != 0)
        it->suggestion = RL_STATE_NONE;
    it->suggest_problematic = sqlite3_column_int(st, 4) != 0;
    it->answered = sqlite3_column_int(st, 5) != 0;
    sqlite3_reset(st);
    return 0;
}

long
rl_task_resume(rl_store *s, int64_t task, const char *reviewer)
{
    static const char sql[] =
        "SELECT min(pos) FROM task_image ti WHERE ti.task = ?1"
        " AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.task = ti.task"
        " AND a.image = ti.image AND a.reviewer = ?2)";
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    long pos = -1;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, task);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW
        && sqlite3_column_type(st, 0) != SQLITE_NULL)
        pos = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return pos >= 0 ? pos : rl_task_size(s, task);
}

static int
state_rank(rl_state s)
{
    return s == RL_STATE_CORRECT ? 0 : s == RL_STATE_UNCLEAR ? 1 : 2;
}

static int
cmp_gold(const void *a, const void *b)
{
    const rl_gold *x = a, *y = b;

    if (state_rank(x->state) != state_rank(y->state))
        return state_rank(x->state) - state_rank(y->state);
    return (x->cls->idx > y->cls->idx) - (x->cls->idx < y->cls->idx);
}

size_t
rl_task_gold(rl_store *s, const rl_catalog *cat, int64_t task, int64_t image,
             rl_gold *out, size_t max)
{
    static const char sql[] =
        "SELECT class, state FROM gold WHERE task = ? AND image = ?";
    sqlite3_stmt *st = store_stmt(s, sql, NULL);
    size_t n = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, task);
    sqlite3_bind_int64(st, 2, image);
    while (sqlite3_step(st) == SQLITE_ROW && n < max) {
        const rl_class *k = rl_catalog_by_id(cat, sqlite3_column_int64(st, 0));

        if (k == NULL || rl_state_parse((const char *)sqlite3_column_text(
                st, 1), &out[n].state) != 0)
            continue;
        out[n++].cls = k;
    }
    sqlite3_reset(st);
    if (n > 1)
        qsort(out, n, sizeof *out, cmp_gold);
    return n;
}

bool
rl_task_is_correct(const rl_gold *g, size_t n, const rl_class *cls)
{
    size_t i;

    for (i = 0; i < n && cls != NULL; i++)
        if (g[i].cls == cls && g[i].state == RL_STATE_CORRECT)
            return true;
    return false;
}

/* The statement `sql` with an answer's key bound: ?1 task, ?2 image,
 * ?3 reviewer. NULL with `err` set. */
static sqlite3_stmt *
answer_stmt(rl_store *s, const char *sql, int64_t task, int64_t image,
            const char *reviewer, rl_err *err)
{
    sqlite3_stmt *st = store_stmt(s, sql, err);

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64(st, 1, task);
    sqlite3_bind_int64(st, 2, image);
    sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
    return st;
}

int
rl_task_answer(rl_store *s, int64_t task, int64_t image,
               const char *reviewer, const rl_class *cls, rl_train_mode mode,
               bool external, int64_t active_ms, rl_err *err)
{
    static const char sql[] =
        "INSERT INTO answer(task, image, reviewer, class, mode, external,"
        " shown_at, answered_at, active_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?7, ?8) ON CONFLICT(task, image, reviewer) DO UPDATE SET"
        " class = ?4, mode = ?5, external = ?6, answered_at = ?7,"
        " active_ms = active_ms + ?8, suggestion = NULL,"
        " suggest_problematic = 0";
    sqlite3_stmt *st;
    int rc = -1;

    if (rl_store_begin(s, err) != 0)
        return -1;
    if ((st = answer_stmt(s, sql, task, image, reviewer, err)) == NULL)
        goto out;
    if (cls != NULL)
        sqlite3_bind_int64(st, 4, cls->id);
    sqlite3_bind_text(st, 5, mode == RL_TRAIN_EVALUATION ? "evaluation"
                      : "training", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, external);
    sqlite3_bind_int64(st, 7, rl_now_ms());
    sqlite3_bind_int64(st, 8, active_ms < 0 ? 0 : active_ms);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "saving the answer");
        goto out;
    }
    rc = 0;
out:
    return rl_store_end(s, rc, err);
}

int
rl_task_unanswer(rl_store *s, int64_t task, int64_t image,
                 const char *reviewer, rl_err *err)
{
    static const char sql[] =
        "DELETE FROM answer WHERE task = ?1 AND image = ?2 AND reviewer = ?3";
    sqlite3_stmt *st;
    int rc = -1;

    if (rl_store_begin(s, err) != 0)
        return -1;
    if ((st = answer_stmt(s, sql, task, image, reviewer, err)) == NULL)
        goto out;
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "taking the answer back");
        goto out;
    }
    if (sqlite3_changes(s->db) == 0) {
        rl_err_set(err, RL_E_NOTFOUND, "no answer to take back");
        goto out;
    }
    rc = 0;
out:
    return rl_store_end(s, rc, err);
}

int
rl_task_suggest(rl_store *s, int64_t task, int64_t image,
                const char *reviewer, rl_state suggestion, bool problematic,
                rl_err *err)
{
    static const char sql[] =
        "UPDATE answer SET suggestion = ?4, suggest_problematic = ?5"
        " WHERE task = ?1 AND image = ?2 AND reviewer = ?3";
    sqlite3_stmt *st = answer_stmt(s, sql, task, image, reviewer, err);

    if (st == NULL)
        return -1;
    if (suggestion != RL_STATE_NONE)
        sqlite3_bind_text(st, 4, rl_state_name(suggestion), -1,
                          SQLITE_STATIC);
    sqlite3_bind_int(st, 5, problematic);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_dberr(s, err, "saving the suggestion");
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    if (sqlite3_changes(s->db) != 1) {
        rl_err_set(err, RL_E_NOTFOUND, "answer first, then suggest");
        return -1;
    }
    return 0;
}

int
rl_task_part_score(rl_store *s, const rl_catalog *cat, int64_t task,
                   const char *reviewer, long part, int part_size,
                   rl_part_score *ps, rl_err *err)
{
    long size = rl_task_size(s, task), pos;

    memset(ps, 0, sizeof *ps);
    ps->part = part;
    ps->first = part * part_size;
    ps->count = size - ps->first < part_size ? size - ps->first : part_size;
    if (ps->count <= 0) {
        rl_err_set(err, RL_E_RANGE, "the task has no part %ld", part + 1);
        return -1;
    }
    for (pos = ps->first; pos < ps->first + ps->count; pos++) {
        rl_task_item it;
        rl_gold g[64];
        size_t n, i;
        bool any = false;

        if (rl_task_item_load(s, cat, task, reviewer, pos, &it, err) != 0)
            return -1;
        if (!it.answered)
            continue;
        ps->answered++;
        n = rl_task_gold(s, cat, task, it.image, g, 64);
        for (i = 0; i < n; i++)
            any = any || g[i].state == RL_STATE_CORRECT;
        if (!any)
            continue;
        ps->scored++;
        if (rl_task_is_correct(g, n, it.answer))
            ps->correct++;
        else if (ps->n_wrong < 64)
            ps->wrong_pos[ps->n_wrong++] = pos;
    }
    return 0;
}

/* ---- human accuracy ------------------------------------------------ */

struct acc {
    char *reviewer;
    char subset[48];
    long n, correct, correct_unclear;
    double *times;
    size_t nt, ct;
};

static struct acc *
acc_for(struct acc **a, size_t *n, size_t *cap, const char *reviewer,
        const char *subset)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp((*a)[i].reviewer, reviewer) == 0
            && strcmp((*a)[i].subset, subset) == 0)
            return &(*a)[i];
    rl_grow(a, cap, *n + 1, sizeof **a);
    memset(&(*a)[*n], 0, sizeof **a);
    (*a)[*n].reviewer = rl_xstrdup(reviewer);
    rl_utf8_snprintf((*a)[*n].subset, sizeof (*a)[*n].subset, "%s", subset);
    return &(*a)[(*n)++];
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Order of rows: the fixed subsets as eval prints them, then
 * dataset:... */
static int
subset_rank(const char *s)
{
    int i;

    for (i = 0; i < RL_SUBSET_COUNT; i++)
        if (strcmp(s, rl_subset_name(i)) == 0)
            return i;
    return RL_SUBSET_COUNT;
}

static int
cmp_acc(const void *a, const void *b)
{
    const struct acc *x = a, *y = b;
    int r = strcmp(x->reviewer, y->reviewer);

    if (r != 0)
        return r;
    r = subset_rank(x->subset) - subset_rank(y->subset);
    return r != 0 ? r : strcmp(x->subset, y->subset);
}

int
rl_human_eval_run(rl_store *s, const rl_catalog *cat, rl_human_eval *he,
                  rl_err *err)
{
    sqlite3_stmt *st;
    struct acc *a = NULL;
    size_t n = 0, cap = 0, i;

    (void)cat;
    memset(he, 0, sizeof *he);
    if (sqlite3_prepare_v2(s->db,
            "SELECT a.reviewer, a.active_ms, c.split, i.dataset,"
            " EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task"
            "  AND g.image = a.image AND g.state = 'correct'),"
            " EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task"
            "  AND g.image = a.image AND g.class = a.class"
            "  AND g.state = 'correct'),"
            " EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task"
            "  AND g.image = a.image AND g.class = a.class"
            "  AND g.state IN ('correct', 'unclear'))"
            " FROM answer a JOIN image i ON i.id = a.image"
            " LEFT JOIN class c ON c.id = i.label"
            " WHERE a.mode = 'evaluation'", -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "human accuracy");
        return -1;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *rev = (const char *)sqlite3_column_text(st, 0);
        const char *split = (const char *)sqlite3_column_text(st, 2);
        const char *ds = (const char *)sqlite3_column_text(st, 3);
        double secs = (double)sqlite3_column_int64(st, 1) / 1000.0;
        bool ok = sqlite3_column_int(st, 5), oku = sqlite3_column_int(st, 6);
        char subsets[RL_SUBSET_COUNT + 1][48];
        unsigned mask = rl_subset_mask(split);
        int k, ns = 0;

        if (!sqlite3_column_int(st, 4)) {
            he->left_out++;
            continue;
        }
        for (k = 0; k < RL_SUBSET_COUNT; k++)
            if (mask & 1u << k)
                snprintf(subsets[ns++], 48, "%s", rl_subset_name(k));
        if (ds != NULL && *ds != '\0')
            rl_utf8_snprintf(subsets[ns++], 48, "dataset:%s", ds);
        for (k = 0; k < ns; k++) {
            struct acc *x = acc_for(&a, &n, &cap, rev ? rev : "", subsets[k]);

            x->n++;
            x->correct += ok;
            x->correct_unclear += oku;
            rl_grow(&x->times, &x->ct, x->nt + 1, sizeof *x->times);
            x->times[x->nt++] = secs;
        }
    }
    sqlite3_finalize(st);
    if (n > 1)
        qsort(a, n, sizeof *a, cmp_acc);
    he->rows = rl_xcalloc(n + 1, sizeof *he->rows);
    for (i = 0; i < n; i++) {
        rl_human_row *r = &he->rows[he->n++];

        r->reviewer = a[i].reviewer;
        snprintf(r->subset, sizeof r->subset, "%s", a[i].subset);
        r->n = a[i].n;
        r->correct = a[i].correct;
        r->correct_unclear = a[i].correct_unclear;
        qsort(a[i].times, a[i].nt, sizeof *a[i].times, cmp_d);
        r->median_s = a[i].nt == 0 ? 0 : a[i].nt % 2
                      ? a[i].times[a[i].nt / 2]
                      : (a[i].times[a[i].nt / 2 - 1]
                         + a[i].times[a[i].nt / 2]) / 2;
        free(a[i].times);
    }
    he->cap = n;
    free(a);
    return 0;
}

void
rl_human_eval_free(rl_human_eval *he)
{
    size_t i;

    for (i = 0; i < he->n; i++)
        free(he->rows[i].reviewer);
    free(he->rows);
    memset(he, 0, sizeof *he);
}
