/* csvio.c - imports (labels, images, predictions, reviews) and exports.
 *
 * Each import reads and checks its file in a read transaction (no write
 * lock), stages what it will store in TEMP tables, and applies them in one
 * final write transaction, so readers see all of a file or none of it.
 * Memory stays flat at any size: the duplicate checks are the staging
 * tables' keys, not maps of every key, and image names are looked up in
 * the project once per run of rows naming them. Errors carry FILE:LINE:
 * field. Reviews imported are logged in the event log under one "import"
 * step per reviewer, so audits see them; undo never touches imports. */
#include "relabel/csvio.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/consensus.h"
#include "relabel/csv.h"
#include "relabel/order.h"
#include "relabel/review.h"
#include "relabel/util.h"
#include "internal.h"
#include "predpack.h"
#include "xport.h"
#include "log.h"

/* State shared by the importers. */
struct imp {
    rl_store *s;
    const rl_catalog *cat;
    const rl_import_opts *o;
    rl_import_result *res;
    rl_csv *csv;
    const char *path;
    rl_buf last_name;      /* the last image name looked up */
    int64_t last_id;       /* its id, or -1 */
    int64_t new_paths;     /* staged new images with a path */
    bool name_key;         /* the staged names are unique (an index) */
    bool empty;            /* the project had no image: none to look up */
};

static const rl_import_opts no_opts;

static void
imp_init(struct imp *im, rl_store *s, const rl_catalog *cat, const char *path,
         const rl_import_opts *o, rl_import_result *res)
{
    static rl_import_result scratch;

    memset(im, 0, sizeof *im);
    im->s = s;
    im->cat = cat;
    im->o = o != NULL ? o : &no_opts;
    im->res = res != NULL ? res : &scratch;
    memset(im->res, 0, sizeof *im->res);
    im->path = path;
}

static void
imp_done(struct imp *im)
{
    rl_csv_close(im->csv);
    rl_buf_free(&im->last_name);
}

/* The id of image `name`, or -1. Importers look each name up once per
 * run of rows naming it, rather than load every name: memory stays flat
 * at any project size; into a project without images (im->empty, read
 * in the import's read transaction) none. */
static int64_t
image_id(struct imp *im, const char *name)
{
    static const char sql[] = "SELECT id FROM image WHERE name = ?";
    sqlite3_stmt *st;

    if (im->empty)
        return -1;
    if (im->last_name.len > 0 && strcmp(rl_buf_str(&im->last_name), name)
        == 0)
        return im->last_id;
    rl_buf_reset(&im->last_name);
    rl_buf_adds(&im->last_name, name);
    im->last_id = -1;
    if ((st = store_stmt(im->s, sql, NULL)) != NULL) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            im->last_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return im->last_id;
}

static int
open_csv(struct imp *im, rl_err *err)
{
    im->csv = rl_csv_open(im->path, NULL, err);
    if (im->csv == NULL)
        return -1;
    return rl_csv_header(im->csv, err);
}

static int
need_col(struct imp *im, const char *name, rl_err *err)
{
    int i = rl_csv_col(im->csv, name);

    if (i < 0)
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column '%s' (the header "
                   "names the columns)", im->path, name);
    return i;
}

static const char *
field(struct imp *im, int col)
{
    return col >= 0 ? rl_csv_field(im->csv, (size_t)col) : "";
}

/* Error at the current record, naming the column. */
static int
bad(struct imp *im, rl_err *err, rl_errcode code, const char *col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
bad(struct imp *im, rl_err *err, rl_errcode code, const char *col,
    const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    rl_err_set(err, code, "%s:%ld: %s: %s", im->path,
               rl_csv_line(im->csv), col, what);
    return -1;
}

static void
progress(struct imp *im)
{
    if (im->o->progress != NULL && im->res->rows % 5000 == 0)
        im->o->progress(im->o->ctx, im->path, im->res->rows);
}

/* Resolves a class field, or reports it. */
static const rl_class *
class_field(struct imp *im, const char *col, const char *v, rl_err *err)
{
    rl_err e;
    const rl_class *k;

    if (*v == '\0') {
        bad(im, err, RL_E_PARSE, col, "empty; expected a wnid or class "
            "index");
        return NULL;
    }
    k = rl_catalog_resolve(im->cat, v, &e);
    if (k == NULL)
        bad(im, err, RL_E_NOTFOUND, col, "%s", e.msg);
    return k;
}

/* The image name rule, one for every import: no space or tab at either
 * end and no byte-order mark (U+FEFF) anywhere, each of which would make
 * a near-duplicate of an image that looks the same. 0, or -1 with `err`
 * set (FILE:LINE: image: from a CSV, FILE: image: from a folder walk). */
static int
name_check(struct imp *im, const char *name, rl_err *err)
{
    size_t n = strlen(name);
    const char *why = NULL;
    char *safe;

    if (n > 0 && (name[0] == ' ' || name[0] == '\t'))
        why = "starts with a space";
    else if (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        why = "ends with a space";
    else if (strstr(name, "\xef\xbb\xbf") != NULL)
        why = "holds a byte-order mark (U+FEFF)";
    if (why == NULL)
        return 0;
    safe = rl_utf8_sanitize(name);
    if (im->csv != NULL)
        bad(im, err, RL_E_PARSE, "image", "'%.120s' %s; remove it", safe,
            why);
    else
        rl_err_set(err, RL_E_PARSE, "%s: image: '%.120s' %s; rename the "
                   "file", im->path, safe, why);
    free(safe);
    return -1;
}

static int64_t
image_field(struct imp *im, int col, rl_err *err)
{
    const char *name = field(im, col);
    int64_t id;

    if (*name == '\0') {
        bad(im, err, RL_E_PARSE, "image", "empty image name");
        return -1;
    }
    if (name_check(im, name, err) != 0)
        return -1;
    id = image_id(im, name);
    if (id < 0) {
        char *safe = rl_utf8_sanitize(name);

        bad(im, err, RL_E_NOTFOUND, "image", "unknown image '%.120s' "
            "(import its label or file first)", safe);
        free(safe);
    }
    return id;
}

static int
step_ok(struct imp *im, sqlite3_stmt *st, const char *what, rl_err *err)
{
    if (sqlite3_step(st) == SQLITE_DONE)
        return 0;
    store_dberr(im->s, err, what);
    rl_err_prefix(err, "%s:%ld", im->path, rl_csv_line(im->csv));
    return -1;
}

/* ---- labels -------------------------------------------------------- */

static const char SQL_IMG_LABEL[] =
    "SELECT label, dataset FROM image WHERE id = ?";

/* Whether the original label (and dataset tag) of existing image `id`
 * needs setting: 1 yes, 0 it is stored already (or kept, with
 * `keep_existing`), -1 a different label is stored (reported). A tag
 * given counts also when the label is the same. */
static int
label_change(struct imp *im, int64_t id, const rl_class *k,
             const char *dataset, bool keep_existing, rl_err *err)
{
    sqlite3_stmt *st = store_stmt(im->s, SQL_IMG_LABEL, err);
    int64_t old = 0;
    bool has = false, same_tag = true;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *tag = (const char *)sqlite3_column_text(st, 1);

        if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
            has = true;
            old = sqlite3_column_int64(st, 0);
        }
        same_tag = dataset == NULL || *dataset == '\0'
                   || (tag != NULL && strcmp(tag, dataset) == 0);
    }
    sqlite3_reset(st);
    if (has && old == k->id && same_tag)
        return 0;
    if (has && old != k->id && keep_existing)
        return 0;
    if (has && old != k->id) {
        const rl_class *o = rl_catalog_by_id(im->cat, old);

        return bad(im, err, RL_E_DUP, "wnid", "the image has original label "
                   "%s already; not replacing it with %s",
                   o ? o->wnid : "?", k->wnid);
    }
    return 1;
}

/* Labels are read and checked without the write lock, staged in a TEMP
 * table (id NULL: a new image; change 0: stored already), then applied
 * in one final transaction. Every row is staged, keeping its line for
 * the messages; images are looked up one by one, so memory stays flat at
 * any size. The duplicate check of the file: for the images import the
 * table's unique index on the name (SQL_STAGE_NAME_KEY); for the labels
 * import, whose files are large, a unique index on the ids of existing
 * images (SQL_STAGE_ID_KEY) and, for new images, the project's own
 * unique name when they are inserted (staged_duplicate then finds the
 * row): a text index less to build. Page caches of 32 MB each. */
#define SQL_STAGE_LABEL_TABLE \
    "PRAGMA temp.cache_size = -32768; PRAGMA main.cache_size = -32768;" \
    "DROP TABLE IF EXISTS temp.stage_label;" \
    "CREATE TEMP TABLE stage_label(name TEXT, id INTEGER," \
    " cls INTEGER, dataset TEXT, path TEXT, change INTEGER, line INTEGER);"
static const char SQL_STAGE_NAME_KEY[] = SQL_STAGE_LABEL_TABLE
    "CREATE UNIQUE INDEX temp.stage_label_name ON stage_label(name)";
static const char SQL_STAGE_ID_KEY[] = SQL_STAGE_LABEL_TABLE
    "CREATE UNIQUE INDEX temp.stage_label_id ON stage_label(id)"
    " WHERE id IS NOT NULL";
static const char SQL_STAGE_LABEL[] =
    "INSERT INTO temp.stage_label(name, id, cls, dataset, path, change, line)"
    " VALUES(?, ?, ?, ?, ?, ?, ?)";
static const char SQL_STAGE_LABEL_FIRST[] =
    "SELECT line FROM temp.stage_label WHERE name = ?";

/* Stages one image row of a labels or images import: `id` -1 for a new
 * image, `cls` 0 and `path` NULL for what stays, `change` 0 when nothing
 * does. 0; 1 when the file named the image before (*first: that line);
 * -1 with `err` set. */
static int
stage_image(struct imp *im, const char *name, int64_t id, int64_t cls,
            const char *dataset, const char *path, int change, long *first,
            rl_err *err)
{
    sqlite3_stmt *st = store_stmt(im->s, SQL_STAGE_LABEL, err);
    long line = im->csv != NULL ? rl_csv_line(im->csv) : 0;
    int r;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (id >= 0)
        sqlite3_bind_int64(st, 2, id);
    if (cls > 0)
        sqlite3_bind_int64(st, 3, cls);
    if (dataset != NULL)
        sqlite3_bind_text(st, 4, dataset, -1, SQLITE_STATIC);
    if (path != NULL)
        sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, change);
    sqlite3_bind_int64(st, 7, line);
    r = sqlite3_step(st);
    sqlite3_reset(st);
    if ((r & 0xff) == SQLITE_CONSTRAINT) {
        *first = -1;
        if ((st = store_stmt(im->s, SQL_STAGE_LABEL_FIRST, err)) == NULL)
            return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            *first = (long)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 1;
    }
    if (r != SQLITE_DONE) {
        store_dberr(im->s, err, "staging the image");
        if (im->csv != NULL)
            rl_err_prefix(err, "%s:%ld", im->path, line);
        return -1;
    }
    if (id < 0 && path != NULL)
        im->new_paths++;
    return 0;
}

/* The first row of a labels file that names an image an earlier row
 * named, as its error (FILE:LINE: image:), building the index on the
 * name that finding it needs. 1 when there is one, 0 when not, -1 on a
 * database error; `err` set unless 0. */
static int
staged_duplicate(struct imp *im, rl_err *err)
{
    static const char sql[] =
        "SELECT b.line, min(a.line) FROM temp.stage_label b"
        " JOIN temp.stage_label a ON a.name = b.name AND a.line < b.line"
        " GROUP BY b.line ORDER BY b.line LIMIT 1";
    sqlite3_stmt *st = NULL;
    int r;

    if (store_exec(im->s, "CREATE INDEX IF NOT EXISTS temp.stage_label_by"
                   " ON stage_label(name, line)", err) != 0)
        return -1;
    if (sqlite3_prepare_v2(im->s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(im->s, err, "checking the file");
        return -1;
    }
    if ((r = sqlite3_step(st)) == SQLITE_ROW)
        rl_err_set(err, RL_E_DUP, "%s:%lld: image: duplicate key (first on "
                   "line %lld)", im->path,
                   (long long)sqlite3_column_int64(st, 0),
                   (long long)sqlite3_column_int64(st, 1));
    else if (r != SQLITE_DONE)
        store_dberr(im->s, err, "checking the file");
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* Whether the staged rows set the label of an image that has
 * predictions (moving its disagree key): before they are applied. */
static const char SQL_STAGED_DOUBTS[] =
    "SELECT EXISTS (SELECT 1 FROM temp.stage_label t JOIN main.image i"
    " ON i.id = t.id WHERE t.change AND t.cls IS NOT NULL"
    " AND i.label IS NOT t.cls"
    " AND EXISTS (SELECT 1 FROM main.prediction p WHERE p.image = t.id))";

/* Adds to the counters what applying the staged rows changed: `a` and
 * `b` the existing images they change before and after, `n_new` images
 * (`new_path` of them with a path) and `n_cand` candidates added. */
static int
count_labels(rl_store *s, const struct tally_staged *a,
             const struct tally_staged *b, int64_t n_new, int64_t new_path,
             int64_t n_cand, rl_err *err)
{
    if (tally_add(s, "images", "", n_new, err) != 0
        || tally_add(s, "with_path", "", new_path + b->with_path
                     - a->with_path, err) != 0
        || tally_add(s, "candidates", "", n_cand, err) != 0
        || tally_add(s, "reviewed_images", "", b->reviewed_images
                     - a->reviewed_images, err) != 0)
        return -1;
    return 0;
}

/* The final transaction of an import, with the foreign keys off when it
 * is the outermost one (the pragma does nothing inside a transaction):
 * what it writes was checked against the project as the file was read.
 * *fk says whether bulk_end turns them back on (false when nothing was
 * begun). 0, or -1 with `err` set. */
static int
bulk_begin(rl_store *s, bool *fk, rl_err *err)
{
    *fk = s->depth == 0
          && store_exec(s, "PRAGMA foreign_keys=OFF", NULL) == 0;
    if (rl_store_begin(s, err) == 0)
        return 0;
    if (*fk)
        store_exec(s, "PRAGMA foreign_keys=ON", NULL);
    *fk = false;
    return -1;
}

/* Ends bulk_begin's transaction with `rc` (rl_store_end), the foreign
 * keys on again. */
static int
bulk_end(rl_store *s, int rc, bool fk, rl_err *err)
{
    rc = rl_store_end(s, rc, err);
    if (fk)
        store_exec(s, "PRAGMA foreign_keys=ON", NULL);
    return rc;
}

/* The final step of a labels or images import: one transaction. The
 * counters get what changed (tally_staged), not a recount of every image;
 * the queue keys move only as far as rl_order_keys_labels says. */
static int
apply_labels(struct imp *im, rl_err *err)
{
    rl_store *s = im->s;
    struct tally_staged a = { 0 }, b = { 0 };
    int64_t first_new, n_new, n_cand;
    bool changed, doubts, fk;
    int rc = -1;

    if (bulk_begin(s, &fk, err) != 0)
        return -1;
    /* Under the write lock: the new images get the ids from here on. */
    first_new = store_int(s, "SELECT coalesce(max(id), 0) + 1 FROM image",
                          -1);
    /* What changes existing images is looked at only if there is any:
     * a first import stages new images alone. */
    changed = im->res->changed > 0;
    doubts = changed && store_int(s, SQL_STAGED_DOUBTS, 1) != 0;
    if (first_new < 0) {
        store_dberr(s, err, "importing");
        goto out;
    }
    if (changed && tally_staged(s, &a, err) != 0)
        goto out;
    if (store_exec(s, "INSERT INTO image(name, path, label, dataset) SELECT"
                   " name, path, cls, nullif(dataset, '') FROM"
                   " temp.stage_label WHERE id IS NULL ORDER BY rowid", err)
        != 0) {
        /* The file's own repeated name, or one stored meanwhile. */
        if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE
            && !im->name_key && staged_duplicate(im, err) != 0)
            goto out;
        goto meanwhile;
    }
    n_new = sqlite3_changes64(s->db);
    if (store_exec(s, "UPDATE image SET label = coalesce(t.cls,"
                   " image.label), path = coalesce(t.path, image.path),"
                   " dataset = coalesce(nullif(t.dataset, ''),"
                   " image.dataset) FROM temp.stage_label t"
                   " WHERE t.id = image.id AND t.change", err) != 0)
        goto meanwhile;
    if (log_candidates_original_staged(s, first_new, err) != 0)
        goto out;
    n_cand = sqlite3_changes64(s->db);
    if ((changed && tally_staged(s, &b, err) != 0)
        || count_labels(s, &a, &b, n_new, im->new_paths, n_cand, err) != 0)
        goto out;
    rc = rl_order_keys_labels(s, doubts, err);
    goto out;
meanwhile:
    rl_err_prefix(err, "%s (another import of these images ran meanwhile?)",
                  im->path);
out:
    return bulk_end(s, rc, fk, err);
}

int
rl_import_labels(rl_store *s, const rl_catalog *cat, const char *path,
                 const rl_import_opts *o, rl_import_result *res, rl_err *err)
{
    struct imp im;
    int ci, cw, cd, r, change, rc = -1;
    bool staged = false, reading = false;

    imp_init(&im, s, cat, path, o, res);
    if (open_csv(&im, err) != 0
        || (ci = need_col(&im, "image", err)) < 0
        || (cw = need_col(&im, "wnid", err)) < 0) {
        imp_done(&im);
        return -1;
    }
    cd = rl_csv_col(im.csv, "dataset");
    if (store_sound(s, err) != 0
        || store_exec(s, SQL_STAGE_ID_KEY, err) != 0)
        goto out;
    staged = true;
    if (store_begin_read(s, &reading, err) != 0)
        goto out;
    im.empty = !store_int(s, "SELECT EXISTS (SELECT 1 FROM image)", 1);
    while ((r = rl_csv_next(im.csv, err)) == 1) {
        const char *name = field(&im, ci);
        const char *ds = cd >= 0 ? field(&im, cd) : im.o->dataset;
        const rl_class *k;
        int64_t id;
        long first;
        int sr;

        im.res->rows++;
        progress(&im);
        if (*name == '\0') {
            bad(&im, err, RL_E_PARSE, "image", "empty image name");
            goto out;
        }
        if (name_check(&im, name, err) != 0)
            goto out;
        if ((k = class_field(&im, "wnid", field(&im, cw), err)) == NULL)
            goto out;
        id = image_id(&im, name);
        change = id < 0 ? 1 : label_change(&im, id, k, ds, false, err);
        if (change < 0)
            goto out;
        if ((sr = stage_image(&im, name, id, k->id, ds, NULL, change,
                              &first, err)) < 0)
            goto out;
        if (sr > 0) {
            bad(&im, err, RL_E_DUP, "image", "duplicate key (first on line "
                "%ld)", first);
            goto out;
        }
        if (change == 0)
            im.res->unchanged++;
        else if (id < 0)
            im.res->created++;
        else
            im.res->changed++;
    }
    if (r < 0)
        goto out;
    if (reading) {
        store_exec(s, "COMMIT", NULL);
        reading = false;
    }
    if (im.o->dry_run)
        rc = staged_duplicate(&im, err) == 0 ? 0 : -1;
    else
        rc = apply_labels(&im, err);
out:
    if (reading)
        store_exec(s, "ROLLBACK", NULL);
    if (staged)
        store_exec(s, "DROP TABLE IF EXISTS temp.stage_label", NULL);
    imp_done(&im);
    return rc;
}

/* ---- images -------------------------------------------------------- */


static char *
join_path(const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return rl_xstrdup(rel);
    return rl_xasprintf("%s/%s", dir, rel);
}

static char *
abs_dir(const char *dir)
{
    char buf[PATH_MAX];

    if (realpath(dir, buf) != NULL)
        return rl_xstrdup(buf);
    return rl_xstrdup(dir);
}

static const char SQL_IMG_PATH[] = "SELECT path FROM image WHERE id = ?";

/* Stages where the file of image `name` is (creating the image if new,
 * labelled `k` if it has no label); counts the row in one bucket. 0; 1
 * when the walk or file named the image before (*first: its line, 0 in
 * a walk); -1. */
static int
set_path(struct imp *im, const char *name, const char *file,
         const rl_class *k, long *first, rl_err *err)
{
    int64_t id = image_id(im, name);
    sqlite3_stmt *st;
    bool moved;
    int r, lr = 0;

    if (id < 0) {
        if (name_check(im, name, err) != 0)
            return -1;
        r = stage_image(im, name, -1, k != NULL ? k->id : 0,
                        im->o->dataset, file, 1, first, err);
        if (r == 0)
            im->res->created++;
        return r;
    }
    if ((st = store_stmt(im->s, SQL_IMG_PATH, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    moved = sqlite3_step(st) != SQLITE_ROW
            || sqlite3_column_type(st, 0) == SQLITE_NULL
            || strcmp((const char *)sqlite3_column_text(st, 0), file) != 0;
    sqlite3_reset(st);
    /* A folder's label only for an image without one. */
    if (k != NULL && (lr = label_change(im, id, k, NULL, true, err)) < 0)
        return -1;
    r = stage_image(im, name, id, lr > 0 ? k->id : 0, NULL,
                    moved ? file : NULL, moved || lr > 0, first, err);
    if (r == 0 && (moved || lr > 0))
        im->res->changed++;
    else if (r == 0)
        im->res->unchanged++;
    return r;
}

/* nftw has no context argument; one directory import runs at a time. */
static struct {
    struct imp *im;
    rl_err *err;
    long files;
} walk;

static bool
is_jpeg_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot != NULL && (rl_strcasecmp(dot, ".jpg") == 0
                           || rl_strcasecmp(dot, ".jpeg") == 0);
}

static int
walk_one(const char *file, const struct stat *sb, int type, struct FTW *ftw)
{
    struct imp *im = walk.im;
    const char *name = file + ftw->base;
    const rl_class *k = NULL;
    char parent[64];
    long first;
    int r;

    if (type != FTW_F || !is_jpeg_name(name))
        return 0;
    /* nftw's FTW_F is any non-directory: a FIFO or a device named
     * x.JPEG would hang the review screen. Refused, as image,path is. */
    if (!S_ISREG(sb->st_mode)) {
        char *safe = rl_utf8_sanitize(file);

        rl_err_set(walk.err, RL_E_IO, "%s: image: not a regular file",
                   safe);
        free(safe);
        return 1;
    }
    /* The folder's name: a wnid labels the files inside it. */
    if (ftw->base >= 2) {
        int end = ftw->base - 1, start = end;

        while (start > 0 && file[start - 1] != '/')
            start--;
        if (end - start < (int)sizeof parent) {
            memcpy(parent, file + start, (size_t)(end - start));
            parent[end - start] = '\0';
            k = rl_catalog_by_wnid(im->cat, parent);
            if (k != NULL && k->idx < 0)
                k = NULL;
        }
    }
    im->res->rows++;
    progress(im);
    walk.files++;
    r = set_path(im, name, file, k, &first, walk.err);
    if (r > 0) {
        char *safe = rl_utf8_sanitize(file);

        rl_err_set(walk.err, RL_E_DUP, "%s: image: duplicate image name "
                   "(another file below %s has the same name)", safe,
                   im->path);
        free(safe);
    }
    return r != 0 ? 1 : 0;
}

static int
import_dir(struct imp *im, rl_err *err)
{
    char *dir = abs_dir(im->path);
    int r;

    walk.im = im;
    walk.err = err;
    walk.files = 0;
    r = nftw(dir, walk_one, 32, FTW_PHYS);
    free(dir);
    if (r < 0) {
        rl_err_set(err, RL_E_IO, "%s: %s", im->path, strerror(errno));
        return -1;
    }
    if (r > 0)
        return -1;
    if (walk.files == 0) {
        rl_err_set(err, RL_E_NOTFOUND, "%s: no *.jpg or *.jpeg files below "
                   "it", im->path);
        return -1;
    }
    return 0;
}

/* Images are walked (a folder) or read (a CSV) without the write lock and
 * staged as labels are; one final transaction stores them. */
int
rl_import_images(rl_store *s, const rl_catalog *cat, const char *path,
                 const rl_import_opts *o, rl_import_result *res, rl_err *err)
{
    struct imp im;
    struct stat sb;
    int ci, cp, r, rc = -1;
    char *base = NULL;
    bool staged = false, reading = false;

    imp_init(&im, s, cat, path, o, res);
    if (stat(path, &sb) != 0) {
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (store_sound(s, err) != 0
        || store_exec(s, SQL_STAGE_NAME_KEY, err) != 0)
        goto out;
    staged = true;
    im.name_key = true;
    if (store_begin_read(s, &reading, err) != 0)
        goto out;
    if (S_ISDIR(sb.st_mode)) {
        rc = import_dir(&im, err);
        goto apply;
    }
    if (open_csv(&im, err) != 0
        || (ci = need_col(&im, "image", err)) < 0
        || (cp = need_col(&im, "path", err)) < 0)
        goto out;
    if (im.o->root != NULL) {
        base = abs_dir(im.o->root);
    } else {
        char *dup = rl_xstrdup(path), *slash = strrchr(dup, '/');

        if (slash != NULL)
            *slash = '\0';
        base = abs_dir(slash != NULL ? (*dup ? dup : "/") : ".");
        free(dup);
    }
    while ((r = rl_csv_next(im.csv, err)) == 1) {
        const char *name = field(&im, ci), *rel = field(&im, cp);
        char *file;
        struct stat fs;
        long first;
        int serr;

        im.res->rows++;
        progress(&im);
        if (*name == '\0') {
            bad(&im, err, RL_E_PARSE, "image", "empty image name");
            goto out;
        }
        if (*rel == '\0') {
            bad(&im, err, RL_E_PARSE, "path", "empty path");
            goto out;
        }
        file = join_path(base, rel);
        /* errno only means something when stat itself failed. */
        serr = stat(file, &fs) != 0 ? errno : 0;
        if (serr != 0 || !S_ISREG(fs.st_mode)) {
            char *safe = rl_utf8_sanitize(file);

            bad(&im, err, RL_E_IO, "path", "%.150s: %s", safe,
                serr ? strerror(serr) : "not a regular file");
            free(safe);
            free(file);
            goto out;
        }
        r = set_path(&im, name, file, NULL, &first, err);
        free(file);
        if (r > 0)
            bad(&im, err, RL_E_DUP, "image", "duplicate key (first on line "
                "%ld)", first);
        if (r != 0)
            goto out;
    }
    rc = r < 0 ? -1 : 0;
apply:
    if (reading) {
        store_exec(s, "COMMIT", NULL);
        reading = false;
    }
    if (rc == 0 && !im.o->dry_run)
        rc = apply_labels(&im, err);
out:
    if (reading)
        store_exec(s, "ROLLBACK", NULL);
    if (staged)
        store_exec(s, "DROP TABLE IF EXISTS temp.stage_label", NULL);
    free(base);
    imp_done(&im);
    return rc;
}

/* ---- predictions --------------------------------------------------- */

/* Predictions never hold the write lock while the file is read: every row
 * is parsed, checked against the project (a read, no lock) and staged in
 * a TEMP table, packed as the project stores them (schema 8: one row per
 * image and model, predpack.c) when the file leaves the image; one short
 * final transaction then copies the staged rows and rebuilds the
 * candidates of their images, so readers see all of the file or none of
 * it, and a reviewer's mark waits only for that step.
 *
 * Memory stays flat at any size, and the checks cost no index: a file
 * names an image's predictions together (the usual case; any order is
 * accepted), so the rows of the current image - the stored ones, read
 * once when the file reaches it, and the file's so far - are all that
 * a row is checked against (same model: same rank, or same class), and
 * the image's candidates are summed up as its rows pass and staged when
 * the file moves on. An image met again after others (a file not grouped
 * by image) brings back its staged rows from the staging table (keyed by
 * (image, model); each row keeps its items' CSV lines for the message)
 * and stages them again as it leaves, and the candidates are then
 * grouped in SQL at the end instead (over the view temp.stage_pred).
 * Models are staged by id: a model new to the project gets a provisional
 * negative one (temp.stage_model), replaced by its real id in the final
 * step. */
static const char SQL_MODEL_GET[] = "SELECT id FROM model WHERE name = ?";
static const char SQL_PRED_OF_IMAGE[] =
    "SELECT model, preds FROM main.pred WHERE image = ?";
static const char SQL_STAGED_OF_IMAGE[] =
    "SELECT model, preds, lines FROM temp.stage_pack WHERE image = ?";
static const char SQL_UNSTAGE_IMAGE[] =
    "DELETE FROM temp.stage_pack WHERE image = ?";
static const char SQL_STAGE_PACK[] =
    "INSERT INTO temp.stage_pack(image, model, preds, lines)"
    " VALUES(?, ?, ?, ?)";
static const char SQL_STAGE_MERGE[] =
    "INSERT OR IGNORE INTO temp.stage_merge(image, model) VALUES(?, ?)";
static const char SQL_STAGE_MODEL[] =
    "INSERT INTO temp.stage_model(id, name) VALUES(?, ?)";

/* One prediction of the current image: stored (line 0) or the file's. */
struct pred_row {
    int64_t model, cls;
    long rank, line;
    bool has_score;        /* the file's rows: the score to stage */
    double score;
};

/* A candidate of the current image: its model count and rank sum. */
struct pred_cand {
    int64_t cls, n, rank_sum;
};

/* What the predictions import keeps while it reads. */
struct pred_ctx {
    rl_strmap models;      /* name -> staged id (negative: new model) */
    int64_t n_new;         /* new models so far */
    int64_t img;           /* the current image (0: none yet) */
    int64_t max_img;       /* the largest image id met so far */
    bool ungrouped;        /* an image came back: candidates in SQL */
    bool none_stored;      /* the project had no predictions at all */
    struct pred_row *row;  /* the current image's predictions */
    size_t n_row, cap_row;
    struct pred_cand *cand;/* and its candidates */
    size_t n_cand, cap_cand;
};

/* The staged id of model `name`: its id, or a new negative one. */
static int64_t
model_id(struct imp *im, struct pred_ctx *pc, const char *name, rl_err *err)
{
    int64_t id = rl_strmap_get(&pc->models, name, 0);
    sqlite3_stmt *st;

    if (id != 0)
        return id;
    if ((st = store_stmt(im->s, SQL_MODEL_GET, err)) == NULL)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (id == 0) {
        id = -++pc->n_new;
        if ((st = store_stmt(im->s, SQL_STAGE_MODEL, err)) == NULL)
            return 0;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (step_ok(im, st, "staging the model", err) != 0)
            return 0;
    }
    rl_strmap_put(&pc->models, name, id);
    return id;
}

/* Counts one prediction into the current image's candidates. */
static void
cand_add(struct pred_ctx *pc, int64_t cls, long rank)
{
    size_t i;

    for (i = 0; i < pc->n_cand; i++)
        if (pc->cand[i].cls == cls)
            break;
    if (i == pc->n_cand) {
        rl_grow(&pc->cand, &pc->cap_cand, pc->n_cand + 1, sizeof *pc->cand);
        pc->cand[pc->n_cand++] = (struct pred_cand){ cls, 0, 0 };
    }
    pc->cand[i].n++;
    pc->cand[i].rank_sum += rank;
}

static void
row_add(struct pred_ctx *pc, int64_t model, const pred_item *it, long line)
{
    rl_grow(&pc->row, &pc->cap_row, pc->n_row + 1, sizeof *pc->row);
    pc->row[pc->n_row++] = (struct pred_row){ model, it->cls, it->rank, line,
                                              it->has_score, it->score };
    cand_add(pc, it->cls, it->rank);
}

/* The rows of (image, model) pairs from `st` (model, packed blob[, lines
 * blob: each item's CSV line, 8 bytes little-endian]) into the current
 * image's rows: line 0 for stored ones. 0, or -1 with `err` set. */
static int
rows_of(struct imp *im, struct pred_ctx *pc, sqlite3_stmt *st, bool lines,
        rl_err *err)
{
    pred_item *it = NULL;
    size_t cap = 0, n, i;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *lb = sqlite3_column_blob(st, 2);

        if (predpack_decode(sqlite3_column_blob(st, 1),
                            (size_t)sqlite3_column_bytes(st, 1), &it, &cap,
                            &n, err) != 0) {
            rl_err_prefix(err, "%s: image %lld", im->path,
                          (long long)pc->img);
            break;
        }
        if (lines && (size_t)sqlite3_column_bytes(st, 2) != n * 8) {
            rl_err_set(err, RL_E_DB, "%s: staged lines lost", im->path);
            break;
        }
        for (i = 0; i < n; i++) {
            uint64_t line = 0;
            int k;

            for (k = 7; lines && k >= 0; k--)
                line = line << 8 | lb[i * 8 + (size_t)k];
            row_add(pc, sqlite3_column_int64(st, 0), &it[i], (long)line);
        }
    }
    sqlite3_reset(st);
    free(it);
    if (rc == SQLITE_ROW)
        return -1;
    if (rc != SQLITE_DONE) {
        store_dberr(im->s, err, "reading the predictions");
        return -1;
    }
    return 0;
}

static int
by_model_rank(const void *a, const void *b)
{
    const struct pred_row *x = a, *y = b;

    if (x->model != y->model)
        return (x->model > y->model) - (x->model < y->model);
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Stages the file's rows of the current image packed, one row per model
 * (the image's rows are reset next, so they are sorted in place). */
static int
stage_rows(struct imp *im, struct pred_ctx *pc, rl_err *err)
{
    pred_item *it = NULL;
    unsigned char *lines = NULL;
    size_t cap = 0, cap_l = 0, i, j;
    int rc = 0;

    qsort(pc->row, pc->n_row, sizeof *pc->row, by_model_rank);
    for (i = 0; i < pc->n_row && rc == 0; i = j) {
        sqlite3_stmt *st;
        unsigned char *blob;
        size_t n = 0, size;

        for (j = i; j < pc->n_row && pc->row[j].model == pc->row[i].model;
             j++) {
            const struct pred_row *r = &pc->row[j];
            int c;

            if (r->line == 0)
                continue;
            rl_grow(&it, &cap, n + 1, sizeof *it);
            rl_grow(&lines, &cap_l, (n + 1) * 8, 1);
            it[n] = (pred_item){ r->rank, r->cls, r->has_score, r->score };
            for (c = 0; c < 8; c++)
                lines[n * 8 + (size_t)c] = (unsigned char)
                    ((uint64_t)r->line >> (8 * c));
            n++;
        }
        if (n == 0)
            continue;
        if ((st = store_stmt(im->s, SQL_STAGE_PACK, err)) == NULL) {
            rc = -1;
            break;
        }
        blob = predpack_encode(it, n, &size);
        sqlite3_bind_int64(st, 1, pc->img);
        sqlite3_bind_int64(st, 2, pc->row[i].model);
        sqlite3_bind_blob64(st, 3, blob, size, free);
        sqlite3_bind_blob64(st, 4, lines, n * 8, SQLITE_TRANSIENT);
        rc = step_ok(im, st, "staging the predictions", err);
    }
    free(it);
    free(lines);
    return rc;
}

/* The image the file leaves: its rows staged, and its candidates
 * (grouped files). */
static int
flush_image(struct imp *im, struct pred_ctx *pc, rl_err *err)
{
    size_t i;

    if (pc->img == 0)
        return 0;
    if (stage_rows(im, pc, err) != 0)
        return -1;
    if (pc->ungrouped || im->o->dry_run)
        return 0;
    for (i = 0; i < pc->n_cand; i++)
        if (log_candidates_stage_put(im->s, pc->img, pc->cand[i].cls,
                                     pc->cand[i].n, pc->cand[i].rank_sum,
                                     err) != 0)
            return -1;
    return 0;
}

/* The file reaches image `img`: its stored predictions, and its staged
 * ones when it was met before. */
static int
enter_image(struct imp *im, struct pred_ctx *pc, int64_t img, rl_err *err)
{
    sqlite3_stmt *st;

    if (flush_image(im, pc, err) != 0)
        return -1;
    pc->n_row = pc->n_cand = 0;
    if (img <= pc->max_img)
        pc->ungrouped = true;
    if (img > pc->max_img)
        pc->max_img = img;
    pc->img = img;
    if (!pc->none_stored) {
        if ((st = store_stmt(im->s, SQL_PRED_OF_IMAGE, err)) == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, img);
        if (rows_of(im, pc, st, false, err) != 0)
            return -1;
    }
    if (!pc->ungrouped)
        return 0;
    /* Met before: its staged rows come back, to be staged again as the
     * file leaves it. */
    if ((st = store_stmt(im->s, SQL_STAGED_OF_IMAGE, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, img);
    if (rows_of(im, pc, st, true, err) != 0)
        return -1;
    if ((st = store_stmt(im->s, SQL_UNSTAGE_IMAGE, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, img);
    return step_ok(im, st, "staging the predictions", err);
}

/* The message for a row whose rank or class the model has already. */
static int
taken(struct imp *im, const char *mname, long rank, const rl_class *k,
      rl_err *err)
{
    return bad(im, err, RL_E_DUP, "rank", "duplicate key: model '%.60s' has "
               "a prediction at rank %ld or of class %s for this image "
               "already", mname, rank, k->wnid);
}

/* Checks one row against the file so far and the stored predictions of
 * its image, and stages it. */
static int
stage_prediction(struct imp *im, struct pred_ctx *pc, int64_t img,
                 const char *mname, int64_t mid, long rank,
                 const rl_class *k, bool has_score, double score,
                 rl_err *err)
{
    sqlite3_stmt *st;
    long top = 0;
    bool stored = false;
    size_t i;

    if (img != pc->img && enter_image(im, pc, img, err) != 0)
        return -1;
    /* A class named twice in the file is a duplicate pair; a rank taken,
     * or a class stored already, is the model's key taken. */
    for (i = 0; i < pc->n_row; i++)
        if (pc->row[i].model == mid && pc->row[i].line > 0
            && pc->row[i].cls == k->id)
            return bad(im, err, RL_E_DUP, "wnid", "duplicate key (first on "
                       "line %ld)", pc->row[i].line);
    for (i = 0; i < pc->n_row; i++)
        if (pc->row[i].model == mid) {
            if (pc->row[i].rank > top)
                top = pc->row[i].rank;
            stored |= pc->row[i].line == 0;
        }
    if (rank == 0)
        rank = top + 1;
    for (i = 0; i < pc->n_row; i++)
        if (pc->row[i].model == mid && (pc->row[i].rank == rank
                                        || pc->row[i].cls == k->id))
            return taken(im, mname, rank, k, err);
    /* The model has predictions of this image stored: pack them again
     * with the file's at the end. */
    if (stored) {
        if ((st = store_stmt(im->s, SQL_STAGE_MERGE, err)) == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, img);
        sqlite3_bind_int64(st, 2, mid);
        if (step_ok(im, st, "staging the prediction", err) != 0)
            return -1;
    }
    row_add(pc, mid, &(pred_item){ rank, k->id, has_score, score },
            rl_csv_line(im->csv));
    return 0;
}

/* Predictions stored so far, as a generation number in meta: the final
 * step knows whether the candidates staged from a snapshot still hold. */
static int64_t
predictions_gen(rl_store *s)
{
    char *v = rl_store_meta_get(s, "predictions_gen");
    int64_t g = v != NULL ? strtoll(v, NULL, 10) : 0;

    free(v);
    return g;
}

/* The staged rows of the (image, model) pairs new to the project, packed
 * (predpack.c) one row a pair in the staging table's key order; and those
 * of pairs the project has predictions of already (stage_merge, rare: a
 * file adding ranks to a model), packed together with the stored ones. */
static const char SQL_PRED_PACK_NEW[] =
    "INSERT INTO pred(image, model, preds)"
    " SELECT p.image, mm.id, p.preds"
    " FROM temp.stage_pack p CROSS JOIN temp.model_map mm"
    " ON mm.tmp = p.model WHERE NOT EXISTS (SELECT 1 FROM temp.stage_merge x"
    " WHERE x.image = p.image AND x.model = p.model)";
static const char SQL_PRED_PACK_MERGE[] =
    "INSERT OR REPLACE INTO pred(image, model, preds)"
    " SELECT image, model, rl_pred_pack(rank, class, score) FROM ("
    "  SELECT p.image, mm.id AS model, p.rank, p.class, p.score"
    "  FROM temp.stage_merge x CROSS JOIN temp.stage_pred p"
    "  ON p.image = x.image AND p.model = x.model"
    "  JOIN temp.model_map mm ON mm.tmp = x.model"
    "  UNION ALL SELECT q.image, q.model, q.rank, q.class, q.score"
    "  FROM temp.stage_merge x JOIN temp.model_map mm ON mm.tmp = x.model"
    "  JOIN main.prediction q ON q.image = x.image AND q.model = mm.id)"
    " GROUP BY image, model";

/* A project's first predictions, into an empty pred: through a TEMP
 * table of pred's columns and key, from which SQLite copies the records
 * in key order into full pages (its transfer optimisation: an empty
 * table of the same shape, foreign keys off). Row by row, even in key
 * order, an index b-tree such as a WITHOUT ROWID table is left about 12%
 * unused (5 MB of pred's 42 at 250,000 images). */
static const char SQL_PRED_FIRST[] =
    "DROP TABLE IF EXISTS temp.pred_first;"
    "CREATE TEMP TABLE pred_first(image INTEGER NOT NULL,"
    " model INTEGER NOT NULL, preds BLOB NOT NULL,"
    " PRIMARY KEY(image, model)) WITHOUT ROWID;"
    "INSERT INTO temp.pred_first SELECT p.image, mm.id, p.preds"
    " FROM temp.stage_pack p CROSS JOIN temp.model_map mm"
    " ON mm.tmp = p.model;"
    "INSERT INTO main.pred SELECT * FROM temp.pred_first;"
    "DROP TABLE temp.pred_first;";

/* The final step: one write transaction, the staged rows in, packed.
 * Foreign keys are off meanwhile when the caller holds no transaction,
 * as for the labels (apply_labels): the staged rows name images and
 * classes checked against the project, and images are never deleted. */
static int
apply_predictions(struct imp *im, int64_t gen, rl_err *err)
{
    rl_store *s = im->s;
    char next[32];
    bool same = false, fk, first = false;
    int rc = -1;

    if (bulk_begin(s, &fk, err) != 0)
        return -1;
    /* Provisional ids of new models to real ones (an import running
     * meanwhile may have made the model: then it is that one). */
    if (store_exec(s, "INSERT OR IGNORE INTO model(name) SELECT name"
                   " FROM temp.stage_model ORDER BY id DESC;"
                   "DROP TABLE IF EXISTS temp.model_map;"
                   "CREATE TEMP TABLE model_map(tmp INTEGER PRIMARY KEY,"
                   " id INTEGER NOT NULL);"
                   "INSERT INTO temp.model_map SELECT t.id, m.id FROM"
                   " temp.stage_model t JOIN main.model m ON m.name = t.name;"
                   "INSERT INTO temp.model_map SELECT DISTINCT model, model"
                   " FROM temp.stage_pack WHERE model > 0", err) != 0)
        goto out;
    same = predictions_gen(s) == gen;
    /* Another import since the snapshot: its rows may name a class
     * this file names again for the same model. */
    if (!same && store_int(s, "SELECT count(*) FROM temp.stage_pred p CROSS"
                           " JOIN temp.model_map mm ON mm.tmp = p.model"
                           " WHERE EXISTS (SELECT 1 FROM main.prediction q"
                           " WHERE q.image = p.image AND q.model = mm.id"
                           " AND q.class = p.class)", 0) > 0) {
        rl_err_set(err, RL_E_DUP, "%s: another import of these predictions "
                   "ran meanwhile; nothing was imported", im->path);
        goto out;
    }
    /* Another import may also have stored predictions of a model this
     * file adds to: find the pairs to merge again, under the lock. */
    if (!same && store_exec(s, "DELETE FROM temp.stage_merge;"
                            "INSERT INTO temp.stage_merge SELECT DISTINCT"
                            " p.image, p.model FROM temp.stage_pack p CROSS"
                            " JOIN temp.model_map mm ON mm.tmp = p.model"
                            " WHERE EXISTS (SELECT 1 FROM main.pred q WHERE"
                            " q.image = p.image AND q.model = mm.id)", err)
        != 0)
        goto out;
    /* The project's first predictions: pred and candidate written anew,
     * their pages full. */
    first = fk && store_int(s, "SELECT NOT EXISTS (SELECT 1 FROM main.pred)",
                            0);
    if (first) {
        if (store_exec(s, SQL_PRED_FIRST, err) != 0)
            goto out;
    } else if (store_exec(s, SQL_PRED_PACK_NEW, err) != 0
               || store_exec(s, SQL_PRED_PACK_MERGE, err) != 0) {
        if (err != NULL && err->code == RL_E_DB)
            rl_err_prefix(err, "%s: (another import of these predictions "
                          "ran meanwhile?)", im->path);
        goto out;
    }
    if (same)
        rc = log_candidates_apply_staged(s, first, err);
    else
        rc = log_candidates_rebuild_staged(s, err);
    snprintf(next, sizeof next, "%lld", (long long)gen + 1);
    if (rc == 0)
        rc = rl_store_meta_set(s, "predictions_gen", next, err);
    if (rc == 0)
        rc = store_tally_recount(s, TALLY_PREDICTIONS | TALLY_CANDIDATES,
                                 err);
    if (rc == 0)
        rc = rl_order_keys_update(s, err);
out:
    return bulk_end(s, rc, fk, err);
}

/* TEMP tables live in the connection's temporary file. The staging is
 * written and read in key order, and so are the project's tables the
 * final step writes (pred, candidate, queue_key by image), so modest page
 * caches do (16 MB for TEMP, 32 MB for the project): with the queue
 * orders' keys (about 60 bytes an image) the import stays well under
 * 200 MB at 1.28M images. */
static const char SQL_STAGE_PRED[] =
    "PRAGMA temp.cache_size = -16384; PRAGMA main.cache_size = -32768;"
    "DROP VIEW IF EXISTS temp.stage_pred;"
    "DROP TABLE IF EXISTS temp.stage_pack;"
    "DROP TABLE IF EXISTS temp.stage_model;"
    "CREATE TEMP TABLE stage_pack(image INTEGER, model INTEGER,"
    " preds BLOB NOT NULL, lines BLOB NOT NULL,"
    " PRIMARY KEY(image, model)) WITHOUT ROWID;"
    "CREATE TEMP VIEW stage_pred(image, model, rank, class, score) AS"
    " SELECT p.image, p.model, e.rank, e.class, e.score"
    " FROM temp.stage_pack p, rl_pred_each(p.preds) e;"
    "CREATE TEMP TABLE stage_model(id INTEGER PRIMARY KEY, name TEXT);"
    "DROP TABLE IF EXISTS temp.stage_merge;"
    "CREATE TEMP TABLE stage_merge(image INTEGER, model INTEGER,"
    " PRIMARY KEY(image, model)) WITHOUT ROWID;";

int
rl_import_predictions(rl_store *s, const rl_catalog *cat, const char *path,
                      const rl_import_opts *o, rl_import_result *res,
                      rl_err *err)
{
    struct imp im;
    struct pred_ctx pc;
    int ci, cw, cm, cr, cs, r, rc = -1;
    char *dflt_model = NULL;
    bool staged = false, reading = false;
    int64_t gen = 0;

    imp_init(&im, s, cat, path, o, res);
    memset(&pc, 0, sizeof pc);
    if (open_csv(&im, err) != 0
        || (ci = need_col(&im, "image", err)) < 0
        || (cw = need_col(&im, "wnid", err)) < 0) {
        imp_done(&im);
        return -1;
    }
    cm = rl_csv_col(im.csv, "model");
    cr = rl_csv_col(im.csv, "rank");
    cs = rl_csv_col(im.csv, "score");
    dflt_model = im.o->model ? rl_xstrdup(im.o->model) : rl_path_stem(path);
    if (store_sound(s, err) != 0)
        goto out;
    if (store_exec(s, SQL_STAGE_PRED, err) != 0)
        goto out;
    staged = true;
    /* A read transaction (no write lock): one snapshot of the project for
     * the checks, and the staging writes go to the TEMP database. */
    if (store_begin_read(s, &reading, err) != 0)
        goto out;
    if (!im.o->dry_run && log_candidates_stage_open(s, err) != 0)
        goto out;
    pc.none_stored = !store_int(s, "SELECT EXISTS (SELECT 1 FROM pred)", 1);
    while ((r = rl_csv_next(im.csv, err)) == 1) {
        const char *mname = cm >= 0 ? field(&im, cm) : dflt_model;
        const rl_class *k;
        int64_t img, mid;
        long rank = 0;
        double score = 0;
        bool has_score = false;

        im.res->rows++;
        progress(&im);
        if ((img = image_field(&im, ci, err)) < 0)
            goto out;
        if ((k = class_field(&im, "wnid", field(&im, cw), err)) == NULL)
            goto out;
        if (*mname == '\0') {
            bad(&im, err, RL_E_PARSE, "model", "empty model name");
            goto out;
        }
        if ((mid = model_id(&im, &pc, mname, err)) == 0)
            goto out;
        if (cr >= 0 && *field(&im, cr) != '\0') {
            if (rl_parse_long(field(&im, cr), &rank) != 0 || rank < 1
                || rank > 100000) {
                bad(&im, err, RL_E_PARSE, "rank", "expected a whole number "
                    "from 1, found '%.40s'", field(&im, cr));
                goto out;
            }
        }
        if (cs >= 0 && *field(&im, cs) != '\0') {
            char *end;

            score = strtod(field(&im, cs), &end);
            if (*end != '\0' || end == field(&im, cs) || !isfinite(score)) {
                bad(&im, err, RL_E_PARSE, "score", "not a number: "
                    "'%.40s'", field(&im, cs));
                goto out;
            }
            has_score = true;
        }
        if (stage_prediction(&im, &pc, img, mname, mid, rank, k,
                             has_score, score, err) != 0)
            goto out;
        im.res->created++;
    }
    if (r < 0)
        goto out;
    if (flush_image(&im, &pc, err) != 0)
        goto out;
    gen = predictions_gen(s);
    if (!im.o->dry_run && pc.ungrouped && log_candidates_stage(s, err) != 0)
        goto out;
    if (reading) {
        store_exec(s, "COMMIT", NULL);
        reading = false;
    }
    rc = im.o->dry_run ? 0 : apply_predictions(&im, gen, err);
out:
    if (reading)
        store_exec(s, "ROLLBACK", NULL);
    if (staged)
        store_exec(s, "DROP VIEW IF EXISTS temp.stage_pred;"
                   " DROP TABLE IF EXISTS temp.stage_pack;"
                   " DROP TABLE IF EXISTS temp.stage_model;"
                   " DROP TABLE IF EXISTS temp.stage_merge;"
                   " DROP TABLE IF EXISTS temp.model_map;"
                   " DROP TABLE IF EXISTS temp.stage_cand", NULL);
    rl_strmap_free(&pc.models);
    free(pc.row);
    free(pc.cand);
    free(dflt_model);
    imp_done(&im);
    return rc;
}

/* ---- reviews ------------------------------------------------------- */

/* Reviews are read and checked without the write lock, streaming into the
 * TEMP staging tables of log.c (log_reviews_stage_open): each verdict is
 * one row there (its unique key is the file's duplicate check); each flag
 * change too (later rows of the file read earlier ones through it). What
 * the verdicts change in the read snapshot is settled after the file, in
 * one pass in key order (settle_verdicts), not one lookup per verdict.
 * One final transaction then hands them to the review log, set by set,
 * one import step per reviewer with a change. Memory stays flat at any
 * size. */
struct rev_ctx {
    rl_strmap whos;        /* reviewer -> index in stage_who */
    long *first;           /* per reviewer: line of its first change,
                              0 none */
    size_t n_who, cap_who;
    long n_staged;         /* changes staged */
    int n_in_row;          /* verdicts of the current row so far */
    int64_t row_img;       /* their image */
    int64_t data_version;  /* of the read snapshot (PRAGMA data_version) */
    bool roles;            /* some verdict gives a role */
    int64_t now;
    char *what;            /* "import FILE" */
    int row;               /* what this row's flag fields did: an
                              rl_import_result bucket, the strongest
                              (new > changed) */
};

enum { ROW_EMPTY, ROW_UNCHANGED, ROW_CHANGED, ROW_NEW };

/* Counts a row in exactly one bucket of the result. */
static void
count_bucket(rl_import_result *res, int bucket)
{
    switch (bucket) {
    case ROW_NEW: res->created++; break;
    case ROW_CHANGED: res->changed++; break;
    case ROW_UNCHANGED: res->unchanged++; break;
    default: res->empty++; break;
    }
}

static void
row_did(struct rev_ctx *rc, int what)
{
    if (what > rc->row)
        rc->row = what;
}

/* Notes a change (a flag's, a verdict's) of reviewer `w` on row `line`:
 * their first change is their least line (verdicts are settled in key
 * order, not file order). */
static void
staged(struct rev_ctx *rc, int64_t w, long line)
{
    rc->n_staged++;
    if (rc->first[w] == 0 || line < rc->first[w])
        rc->first[w] = line;
}

/* The index of `reviewer` in stage_who, added on first sight; -1 on a
 * database error (reported). */
static int64_t
who_index(struct imp *im, struct rev_ctx *rc, const char *reviewer,
          rl_err *err)
{
    static const char sql[] = "INSERT INTO temp.stage_who(idx, name)"
        " VALUES(?, ?)";
    int64_t w = rl_strmap_get(&rc->whos, reviewer, -1);
    sqlite3_stmt *st;

    if (w >= 0)
        return w;
    if ((st = store_stmt(im->s, sql, err)) == NULL)
        return -1;
    w = (int64_t)rc->n_who;
    sqlite3_bind_int64(st, 1, w);
    sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_STATIC);
    if (step_ok(im, st, "staging the reviews", err) != 0)
        return -1;
    rl_grow(&rc->first, &rc->cap_who, rc->n_who + 1, sizeof *rc->first);
    rc->first[rc->n_who++] = 0;
    rl_strmap_put(&rc->whos, reviewer, w);
    return w;
}

/* A flag field as the import would leave it so far: the last change of
 * the file staged for it, else the project's (the caller frees). */
static char *
import_value(struct imp *im, int64_t w, const char *reviewer, int64_t img,
             const char *fieldname)
{
    static const char sql[] = "SELECT after FROM temp.stage_flag WHERE"
        " who = ? AND image = ? AND field = ? ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = store_stmt(im->s, sql, NULL);

    if (st != NULL) {
        sqlite3_bind_int64(st, 1, w);
        sqlite3_bind_int64(st, 2, img);
        sqlite3_bind_text(st, 3, fieldname, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            char *v = store_col_dup(st, 0);

            sqlite3_reset(st);
            return v;
        }
        sqlite3_reset(st);
    }
    return log_value(im->s, reviewer, img, 0, fieldname);
}

/* Counts a staged flag change by the kind of value it stores. */
static void
count_kind(rl_import_result *res, const char *fieldname)
{
    if (strcmp(fieldname, "main") == 0)
        res->mains++;
    else if (strcmp(fieldname, "problematic") == 0)
        res->flags++;
    else if (strcmp(fieldname, "note") == 0)
        res->notes++;
    else
        res->confirmed++;
}

/* A verdict of the file is staged as it is read (state and role as
 * codes), what it meets in the project left to settle_verdicts. The key
 * (image, cls, who) is the duplicate check. */
static const char SQL_STAGE_VERDICT[] =
    "INSERT INTO temp.stage_verdict(image, cls, who, line, state, role,"
    " adder, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* After the file, in the read snapshot, in key order: each staged
 * verdict with what it meets in the project, its verdict's state and
 * role (codes; NULL: none), and whether it adds a candidate (the first
 * verdict of the file on a class no candidate of the image: its line is
 * the least of the file's verdicts on that class). */
static const char SQL_VERDICT_MEETS[] =
    "SELECT v.image, v.cls, v.who, v.line, v.state, v.role, v.rowb,"
    " r.state_code, r.role_code, CASE WHEN EXISTS (SELECT 1"
    " FROM main.candidate c WHERE c.image = v.image AND c.class = v.cls)"
    " THEN 0 ELSE v.line = (SELECT min(o.line) FROM temp.stage_verdict o"
    " WHERE o.image = v.image AND o.cls = v.cls) END"
    " FROM temp.stage_verdict v CROSS JOIN temp.stage_who w ON w.idx = v.who"
    " LEFT JOIN main.review r ON r.image = v.image AND r.class = v.cls"
    " AND r.reviewer = w.name ORDER BY v.image, v.cls, v.who";
/* What a verdict met, where it met something (a verdict, no candidate),
 * for the apply: old_role only when the file gives a role. */
static const char SQL_STAGE_MET[] =
    "INSERT INTO temp.stage_met(image, cls, who, old, old_role, cand)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

/* The final step, in one write transaction: the staged verdicts and flags
 * through the review log (log_apply_reviews), the file's timings merged
 * as `relabel merge` merges them, and the counters the import may have
 * changed recounted.
 *
 * The foreign keys are off meanwhile, as for the labels import: every
 * parent of what it writes is one it checked or made. Steps are made
 * here, images and classes were resolved as the file was read and are
 * never deleted, and a verdict's candidate existed as the file was read
 * or is added here. Only that last can change: a reviewer's added class
 * can be taken back meanwhile. So when another connection committed
 * since the file was read (data_version), the apply checks the verdicts'
 * candidates in one pass, and fails as the foreign key would. */
static int
apply_reviews(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    rl_store *s = im->s;
    long line = 0;
    int r = 0;
    bool fk, parents;

    if (bulk_begin(s, &fk, err) != 0)
        return -1;
    parents = fk && store_int(s, "PRAGMA main.data_version", -1)
                    != rc->data_version;
    if (rc->n_staged > 0
        && log_apply_reviews(s, rc->what, rc->roles, parents, &line,
                             err) != 0) {
        if (line > 0)
            rl_err_prefix(err, "%s:%ld", im->path, line);
        r = -1;
    }
    if (r == 0 && log_timing_apply_staged(im->s, err) < 0)
        r = -1;
    if (r == 0)
        r = store_tally_recount(s, TALLY_CANDIDATES | TALLY_REVIEWS
                                | TALLY_FLAGS | TALLY_EVENTS, err);
    return bulk_end(s, r, fk, err);
}

/* One verdict of an import row, staged. `role` "reviewer" or
 * "adjudicator" (NULL: as the store says, the live default); `added_by`
 * who added the class when it is no candidate yet (NULL: `reviewer`; "":
 * nobody, a class a model proposed where the file was written). */
static int
put_review(struct imp *im, struct rev_ctx *rc, int64_t img,
           const rl_class *k, const char *reviewer, rl_state state,
           const char *role, const char *added_by, int64_t at,
           const char *col, rl_err *err)
{
    int64_t w = who_index(im, rc, reviewer, err);
    int code = log_state_code(state), role_code = log_role_code(role);
    int r;
    sqlite3_stmt *st;

    if (w < 0 || (st = store_stmt(im->s, SQL_STAGE_VERDICT, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, img);
    sqlite3_bind_int64(st, 2, k->id);
    sqlite3_bind_int64(st, 3, w);
    sqlite3_bind_int64(st, 4, rl_csv_line(im->csv));
    sqlite3_bind_int(st, 5, code);
    if (role_code >= 0)
        sqlite3_bind_int(st, 6, role_code);
    if (added_by != NULL)
        sqlite3_bind_text(st, 7, added_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, at);
    if (((r = sqlite3_step(st)) & 0xff) == SQLITE_CONSTRAINT) {
        sqlite3_reset(st);
        return bad(im, err, RL_E_DUP, col, "duplicate key: %s has a verdict "
                   "on %s by this reviewer earlier in the file", field(im,
                   rl_csv_col(im->csv, "image")), k->wnid);
    }
    if (r != SQLITE_DONE) {
        store_dberr(im->s, err, "staging the reviews");
        rl_err_prefix(err, "%s:%ld", im->path, rl_csv_line(im->csv));
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    rc->n_in_row++;
    rc->row_img = img;
    if (role != NULL)
        rc->roles = true;
    return 0;
}

/* One flag field of an import row: staged if it differs. */
static int
put_flag_field(struct imp *im, struct rev_ctx *rc, int64_t img,
               const char *reviewer, const char *fieldname, const char *after,
               int64_t at, rl_err *err)
{
    static const char sql[] = "INSERT INTO temp.stage_flag(who, image,"
        " field, after, at, line) VALUES(?, ?, ?, ?, ?, ?)";
    int64_t w = who_index(im, rc, reviewer, err);
    char *before;
    sqlite3_stmt *st;
    int r = 0;

    if (w < 0)
        return -1;
    before = import_value(im, w, reviewer, img, fieldname);
    /* No flag row yet (no value at all) is a new flag, as a first
     * verdict is a new verdict. */
    row_did(rc, log_same(fieldname, before, after) ? ROW_UNCHANGED
            : before == NULL ? ROW_NEW : ROW_CHANGED);
    if (!log_same(fieldname, before, after)) {
        count_kind(im->res, fieldname);
        if ((st = store_stmt(im->s, sql, err)) == NULL) {
            free(before);
            return -1;
        }
        sqlite3_bind_int64(st, 1, w);
        sqlite3_bind_int64(st, 2, img);
        sqlite3_bind_text(st, 3, fieldname, -1, SQLITE_STATIC);
        if (after != NULL)
            sqlite3_bind_text(st, 4, after, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, at);
        sqlite3_bind_int64(st, 6, rl_csv_line(im->csv));
        r = step_ok(im, st, "staging the reviews", err);
        staged(rc, w, rl_csv_line(im->csv));
    }
    free(before);
    return r;
}

/* problematic: -1 leave, 0/1 set; main: has_main with class or NULL. */
static int
put_flag(struct imp *im, struct rev_ctx *rc, int64_t img, const char *reviewer,
         int problematic, bool has_main, const rl_class *main, int64_t at,
         rl_err *err)
{
    char a[32];

    if (problematic >= 0
        && put_flag_field(im, rc, img, reviewer, "problematic",
                          problematic ? "1" : "0", at, err) != 0)
        return -1;
    if (has_main) {
        snprintf(a, sizeof a, "%lld", (long long)(main ? main->id : 0));
        if (put_flag_field(im, rc, img, reviewer, "main", main ? a : NULL,
                           at, err) != 0)
            return -1;
    }
    return 0;
}

/* After the file, in its read snapshot: what each staged verdict meets
 * in the project, in one pass in key order. It counts them as the file
 * was read (log_verdict_changes; a row in the strongest bucket of its
 * verdicts and its flag fields: the verdicts of a row are contiguous in
 * key order, on its image), notes each reviewer's first change, and
 * keeps what the apply needs (the old verdict, a new candidate) in
 * stage_met for the verdicts that meet something, in key order too.
 * 0, or -1 reported. */
static int
settle_verdicts(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    int live = im->s->adjudicator ? 1 : 0, r, bucket = ROW_EMPTY;
    int64_t g_img = -1, g_line = -1;
    sqlite3_stmt *st, *met;

    if (sqlite3_prepare_v2(im->s->db, SQL_VERDICT_MEETS, -1, &st, NULL)
        != SQLITE_OK) {
        store_dberr(im->s, err, "settling the reviews");
        return -1;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t img = sqlite3_column_int64(st, 0);
        int64_t w = sqlite3_column_int64(st, 2);
        long line = (long)sqlite3_column_int64(st, 3);
        int code = sqlite3_column_int(st, 4);
        bool has_role = sqlite3_column_type(st, 5) != SQLITE_NULL;
        int role = has_role ? sqlite3_column_int(st, 5) : -1;
        bool has_old = sqlite3_column_type(st, 7) != SQLITE_NULL;
        int old = has_old ? sqlite3_column_int(st, 7) : -1;
        int old_role = has_old && has_role ? sqlite3_column_int(st, 8) : -1;
        int cand = sqlite3_column_int(st, 9) != 0, b, ch;

        ch = log_verdict_changes(has_old, old, old_role, code, role, live,
                                 &b);
        im->res->verdicts += (ch & LOG_CHANGES_STATE) != 0;
        im->res->roles += (ch & LOG_CHANGES_ROLE) != 0;
        im->res->added += cand;
        if (ch != 0 || cand)
            staged(rc, w, line);
        if (img != g_img || line != g_line) {
            if (g_line >= 0)
                count_bucket(im->res, bucket);
            g_img = img;
            g_line = line;
            bucket = sqlite3_column_int(st, 6);
        }
        if (b > bucket)
            bucket = b;
        if (!has_old && !cand)
            continue;
        if ((met = store_stmt(im->s, SQL_STAGE_MET, err)) == NULL)
            goto out;
        sqlite3_bind_int64(met, 1, img);
        sqlite3_bind_int64(met, 2, sqlite3_column_int64(st, 1));
        sqlite3_bind_int64(met, 3, w);
        if (has_old)
            sqlite3_bind_int(met, 4, old);
        if (old_role >= 0)
            sqlite3_bind_int(met, 5, old_role);
        sqlite3_bind_int(met, 6, cand);
        if (sqlite3_step(met) != SQLITE_DONE) {
            sqlite3_reset(met);
            goto dberr;
        }
        sqlite3_reset(met);
    }
    if (r != SQLITE_DONE)
        goto dberr;
    if (g_line >= 0)
        count_bucket(im->res, bucket);
    sqlite3_finalize(st);
    return 0;
dberr:
    store_dberr(im->s, err, "settling the reviews");
out:
    sqlite3_finalize(st);
    return -1;
}

/* After the file: each reviewer's first change into stage_who (the order
 * of their import steps). 0 or -1. */
static int
note_first(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    static const char sql[] = "UPDATE temp.stage_who SET first = ?"
        " WHERE idx = ?";
    sqlite3_stmt *st;
    size_t i;

    for (i = 0; i < rc->n_who; i++) {
        if (rc->first[i] == 0)
            continue;
        if ((st = store_stmt(im->s, sql, err)) == NULL)
            return -1;
        sqlite3_bind_int64(st, 1, rc->first[i]);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(im->s, err, "staging the reviews");
            return -1;
        }
    }
    return 0;
}

bool
rl_reviewer_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;

    if (n == 0 || n > 64 || !rl_utf8_valid(s, n))
        return false;
    for (; *p; p++)
        if (*p == ',' || *p == '"')
            return false;
    while (i < n) {
        uint32_t cp;

        i += rl_utf8_decode(s + i, n - i, &cp);
        if (rl_utf8_is_unsafe(cp))
            return false;
    }
    return true;
}

/* Ends the row just read: it counts in the strongest bucket of what its
 * verdicts and its flag fields did. A row without verdicts is counted
 * now. 0, or -1 reported. */
static int
count_row(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    static const char sql[] = "UPDATE temp.stage_verdict SET rowb = ?"
        " WHERE image = ? AND line = ?";
    sqlite3_stmt *st;
    int r = 0;

    if (rc->n_in_row == 0) {
        count_bucket(im->res, rc->row);
    } else if (rc->row != ROW_EMPTY) {
        /* Its verdicts are counted when they are settled; they carry the
         * bucket of its flag fields (all of a row's verdicts are on its
         * image). */
        if ((st = store_stmt(im->s, sql, err)) == NULL)
            return -1;
        sqlite3_bind_int(st, 1, rc->row);
        sqlite3_bind_int64(st, 2, rc->row_img);
        sqlite3_bind_int64(st, 3, rl_csv_line(im->csv));
        r = step_ok(im, st, "staging the reviews", err);
    }
    rc->row = ROW_EMPTY;
    rc->n_in_row = 0;
    return r;
}

static int
parse_bool(const char *v, int *out)
{
    if (*v == '\0')
        *out = -1;
    else if (strcmp(v, "1") == 0 || rl_strcasecmp(v, "true") == 0
             || rl_strcasecmp(v, "yes") == 0)
        *out = 1;
    else if (strcmp(v, "0") == 0 || rl_strcasecmp(v, "false") == 0
             || rl_strcasecmp(v, "no") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

/* The columns of a long-form file (-1: absent). */
struct long_cols {
    int image, wnid, state, reviewer, role, main, problematic, note, done,
        added_by, updated_at, first_shown, last_change, active_ms;
};

/* The role column: "" leaves the live default, else reviewer or
 * adjudicator. 0, or -1 reported. */
static int
role_field(struct imp *im, int col, const char **role, rl_err *err)
{
    const char *v = field(im, col);

    *role = NULL;
    if (col < 0 || *v == '\0')
        return 0;
    if (strcmp(v, "reviewer") != 0 && strcmp(v, "adjudicator") != 0)
        return bad(im, err, RL_E_PARSE, "role", "expected reviewer or "
                   "adjudicator, found '%.40s'", v);
    *role = v;
    return 0;
}

static int
reviewer_field(struct imp *im, const char *col, const char *v, rl_err *err)
{
    char *safe;

    if (v == NULL || *v == '\0')
        return bad(im, err, RL_E_PARSE, col, "empty reviewer");
    if (rl_reviewer_valid(v))
        return 0;
    safe = rl_utf8_sanitize(v);
    bad(im, err, RL_E_PARSE, col, "'%.60s' is not a reviewer name (%s)",
        safe, RL_REVIEWER_RULE);
    free(safe);
    return -1;
}

/* One verdict row (wnid given): the verdict, and main 1 on it. */
static int
long_verdict(struct imp *im, struct rev_ctx *rc, const struct long_cols *lc,
             int64_t img, const char *reviewer, rl_state state, int64_t at,
             rl_err *err)
{
    const rl_class *k = class_field(im, "wnid", field(im, lc->wnid), err);
    const char *role, *added = lc->added_by >= 0 ? field(im, lc->added_by)
                                                  : NULL;
    const char *mv = field(im, lc->main);
    int main = -1;

    if (k == NULL || role_field(im, lc->role, &role, err) != 0)
        return -1;
    if (lc->state >= 0 && rl_state_parse(field(im, lc->state), &state) != 0)
        return bad(im, err, RL_E_PARSE, "state", "expected correct, wrong, "
                   "unclear or dont_know, found '%.40s'", field(im,
                   lc->state));
    if (added != NULL && *added != '\0'
        && reviewer_field(im, "added_by", added, err) != 0)
        return -1;
    /* On a verdict row main is 1 (this class is the main object), 0 or
     * empty, or the row's own class. */
    if (*mv != '\0' && parse_bool(mv, &main) != 0) {
        const rl_class *m = rl_catalog_resolve(im->cat, mv, NULL);

        if (m != k)
            return bad(im, err, RL_E_PARSE, "main", "on a verdict row: 1, 0"
                       " or the row's class, found '%.40s'", mv);
        main = 1;
    }
    if (put_review(im, rc, img, k, reviewer, state, role, added, at, "wnid",
                   err) != 0)
        return -1;
    return main == 1 ? put_flag(im, rc, img, reviewer, -1, true, k, at, err)
                     : 0;
}

/* A time of the timing columns (empty: `*ms` stays -1). 0, or -1
 * reported. */
static int
timing_time(struct imp *im, int col, const char *name, int64_t *ms,
            rl_err *err)
{
    const char *v = field(im, col);

    *ms = -1;
    if (*v != '\0' && rl_time_parse(v, ms) != 0)
        return bad(im, err, RL_E_PARSE, name, "expected a time like "
                   "2026-11-22T21:30:00.000Z, found '%.40s'", v);
    return 0;
}

/* The timing of an image row (first_shown, last_change, active_ms; all
 * empty: none), staged for the review log to merge. 0, or -1 reported. */
static int
long_timing(struct imp *im, struct rev_ctx *rc, const struct long_cols *lc,
            int64_t img, const char *reviewer, rl_err *err)
{
    const char *av = field(im, lc->active_ms);
    int64_t first, last;
    long active = 0;
    int kind;

    if (timing_time(im, lc->first_shown, "first_shown", &first, err) != 0
        || timing_time(im, lc->last_change, "last_change", &last, err) != 0)
        return -1;
    if (*av != '\0' && (rl_parse_long(av, &active) != 0 || active < 0))
        return bad(im, err, RL_E_PARSE, "active_ms", "expected milliseconds"
                   " (0 or more), found '%.40s'", av);
    if (first < 0 && last < 0 && *av == '\0')
        return 0;
    if (*field(im, lc->wnid) != '\0')
        return bad(im, err, RL_E_PARSE, "first_shown", "a timing belongs on"
                   " the image row (empty wnid), not on a verdict row");
    if (first < 0)
        return bad(im, err, RL_E_PARSE, "first_shown", "empty, but the row "
                   "has a timing");
    if ((kind = log_timing_stage(im->s, img, reviewer, first, last, active,
                                 err)) < 0) {
        rl_err_prefix(err, "%s:%ld", im->path, rl_csv_line(im->csv));
        return -1;
    }
    if (kind != LOG_TIMING_HELD)
        im->res->timings++;
    row_did(rc, kind == LOG_TIMING_NEW ? ROW_NEW : kind == LOG_TIMING_EXTENDS
            ? ROW_CHANGED : ROW_UNCHANGED);
    return 0;
}

/* Long form: verdict rows (wnid set) and image rows (wnid empty) with a
 * reviewer's problematic flag, note, main object and confirmation. */
static int
import_long(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    struct long_cols lc = {
        rl_csv_col(im->csv, "image"), rl_csv_col(im->csv, "wnid"),
        rl_csv_col(im->csv, "state"), rl_csv_col(im->csv, "reviewer"),
        rl_csv_col(im->csv, "role"), rl_csv_col(im->csv, "main"),
        rl_csv_col(im->csv, "problematic"), rl_csv_col(im->csv, "note"),
        rl_csv_col(im->csv, "done"), rl_csv_col(im->csv, "added_by"),
        rl_csv_col(im->csv, "updated_at"), rl_csv_col(im->csv, "first_shown"),
        rl_csv_col(im->csv, "last_change"), rl_csv_col(im->csv, "active_ms")
    };
    rl_state dflt = RL_STATE_NONE;
    int r;

    if (lc.image < 0)
        return need_col(im, "image", err);
    if (lc.wnid < 0)
        return need_col(im, "wnid", err);
    if (lc.state < 0 && im->o->state != NULL) {
        if (rl_state_parse(im->o->state, &dflt) != 0) {
            rl_err_set(err, RL_E_USAGE, "--state: expected correct, wrong, "
                       "unclear or dont_know, found '%s'", im->o->state);
            return -1;
        }
    }
    while ((r = rl_csv_next(im->csv, err)) == 1) {
        const char *reviewer = lc.reviewer >= 0 ? field(im, lc.reviewer)
                                                : im->o->reviewer;
        const char *mv = field(im, lc.main);
        int64_t img, at = rc->now;
        int prob = -1, done = -1;

        im->res->rows++;
        progress(im);
        if ((img = image_field(im, lc.image, err)) < 0
            || reviewer_field(im, "reviewer", reviewer, err) != 0)
            return -1;
        if (lc.problematic >= 0
            && parse_bool(field(im, lc.problematic), &prob) != 0)
            return bad(im, err, RL_E_PARSE, "problematic", "expected 1 or 0,"
                       " found '%.40s'", field(im, lc.problematic));
        if (lc.done >= 0 && parse_bool(field(im, lc.done), &done) != 0)
            return bad(im, err, RL_E_PARSE, "done", "expected 1 or 0, found "
                       "'%.40s'", field(im, lc.done));
        if (lc.updated_at >= 0 && *field(im, lc.updated_at) != '\0'
            && rl_time_parse(field(im, lc.updated_at), &at) != 0)
            return bad(im, err, RL_E_PARSE, "updated_at", "expected a time "
                       "like 2026-11-22T21:30:00.000Z, found '%.40s'",
                       field(im, lc.updated_at));
        if (*field(im, lc.wnid) != '\0') {
            /* A file of image rows only (main objects, flags) needs no
             * state column. */
            if (lc.state < 0 && dflt == RL_STATE_NONE) {
                rl_err_set(err, RL_E_PARSE, "%s:1: state: no 'state' column"
                           " (give --state correct|wrong|unclear|dont_know "
                           "for a file of one state)", im->path);
                return -1;
            }
            if (long_verdict(im, rc, &lc, img, reviewer, dflt, at, err) != 0)
                return -1;
        } else if (lc.state >= 0 && *field(im, lc.state) != '\0') {
            return bad(im, err, RL_E_PARSE, "wnid", "empty, but the row has "
                       "a state");
        } else if (*mv != '\0') {
            /* An image row: main names the main object. */
            const rl_class *m = class_field(im, "main", mv, err);

            if (m == NULL || put_flag(im, rc, img, reviewer, -1, true, m, at,
                                      err) != 0)
                return -1;
        }
        if (prob >= 0 && put_flag(im, rc, img, reviewer, prob, false, NULL,
                                  at, err) != 0)
            return -1;
        if (lc.note >= 0 && *field(im, lc.note) != '\0'
            && put_flag_field(im, rc, img, reviewer, "note", field(im,
                              lc.note), at, err) != 0)
            return -1;
        if (done >= 0 && put_flag_field(im, rc, img, reviewer, "done",
                                        done ? "1" : "0", at, err) != 0)
            return -1;
        if (long_timing(im, rc, &lc, img, reviewer, err) != 0)
            return -1;
        if (count_row(im, rc, err) != 0)
            return -1;
    }
    return r < 0 ? -1 : 0;
}

/* A wide file has one row per image: a second is reported with the line
 * of the first (the staging table's key is the check). */
static int
wide_dup(struct imp *im, int64_t img, rl_err *err)
{
    static const char ins[] = "INSERT OR IGNORE INTO temp.stage_image(image,"
        " line) VALUES(?, ?)";
    static const char get[] = "SELECT line FROM temp.stage_image"
        " WHERE image = ?";
    sqlite3_stmt *st = store_stmt(im->s, ins, err);
    int64_t first = -1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, img);
    sqlite3_bind_int64(st, 2, rl_csv_line(im->csv));
    if (step_ok(im, st, "staging the reviews", err) != 0)
        return -1;
    if (sqlite3_changes(im->s->db) > 0)
        return 0;
    if ((st = store_stmt(im->s, get, err)) == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, img);
    if (sqlite3_step(st) == SQLITE_ROW)
        first = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return bad(im, err, RL_E_DUP, "image", "duplicate key (first on line "
               "%lld)", (long long)first);
}

static int
import_wide(struct imp *im, struct rev_ctx *rc, rl_err *err)
{
    static const char *const cols[] = { "correct", "wrong", "unclear",
                                        "dont_know" };
    static const rl_state states[] = { RL_STATE_CORRECT, RL_STATE_WRONG,
                                       RL_STATE_UNCLEAR, RL_STATE_DONT_KNOW };
    int ci = rl_csv_col(im->csv, "image");
    int cp = rl_csv_col(im->csv, "problematic");
    int cm = rl_csv_col(im->csv, "main");
    const char *reviewer = im->o->reviewer;
    int r, j;

    if (ci < 0)
        return need_col(im, "image", err);
    if (reviewer == NULL || *reviewer == '\0') {
        rl_err_set(err, RL_E_USAGE, "no reviewer for %s", im->path);
        return -1;
    }
    while ((r = rl_csv_next(im->csv, err)) == 1) {
        int64_t img;
        int prob = -1;
        const rl_class *main = NULL;

        im->res->rows++;
        progress(im);
        if ((img = image_field(im, ci, err)) < 0)
            return -1;
        if (wide_dup(im, img, err) != 0)
            return -1;
        for (j = 0; j < 4; j++) {
            int c = rl_csv_col(im->csv, cols[j]);
            char *list, *tok, *save;

            if (c < 0)
                continue;
            list = rl_xstrdup(field(im, c));
            for (tok = strtok_r(list, " ", &save); tok != NULL;
                 tok = strtok_r(NULL, " ", &save)) {
                const rl_class *k = class_field(im, cols[j], tok, err);

                if (k == NULL || put_review(im, rc, img, k, reviewer,
                                            states[j], NULL, NULL, rc->now,
                                            cols[j], err) != 0) {
                    free(list);
                    return -1;
                }
            }
            free(list);
        }
        if (cp >= 0 && parse_bool(field(im, cp), &prob) != 0)
            return bad(im, err, RL_E_PARSE, "problematic", "expected 1 or 0,"
                       " found '%.40s'", field(im, cp));
        if (cm >= 0 && *field(im, cm) != '\0'
            && (main = class_field(im, "main", field(im, cm), err)) == NULL)
            return -1;
        if (put_flag(im, rc, img, reviewer, prob, cm >= 0, main, rc->now,
                     err) != 0)
            return -1;
        if (count_row(im, rc, err) != 0)
            return -1;
    }
    return r < 0 ? -1 : 0;
}

int
rl_import_reviews(rl_store *s, const rl_catalog *cat, const char *path,
                  const rl_import_opts *o, rl_import_result *res, rl_err *err)
{
    struct imp im;
    struct rev_ctx rc;
    bool reading = false, staged = false;
    int r = -1;

    imp_init(&im, s, cat, path, o, res);
    memset(&rc, 0, sizeof rc);
    if (open_csv(&im, err) != 0) {
        imp_done(&im);
        return -1;
    }
    rc.now = rl_now_ms();
    {
        const char *b = strrchr(path, '/');

        rc.what = rl_xasprintf("import %s", b ? b + 1 : path);
    }
    if (store_sound(s, err) != 0)
        goto done;
    /* Reading and checking: a read transaction, no write lock. */
    if (store_begin_read(s, &reading, err) != 0)
        goto done;
    if (log_reviews_stage_open(s, err) != 0)
        goto done;
    staged = true;
    if (rl_csv_col(im.csv, "wnid") < 0 && rl_csv_col(im.csv, "correct") >= 0)
        r = import_wide(&im, &rc, err);
    else
        r = import_long(&im, &rc, err);
    if (r == 0)
        r = settle_verdicts(&im, &rc, err);
    if (r == 0)
        r = note_first(&im, &rc, err);
    rc.data_version = store_int(s, "PRAGMA main.data_version", -2);
    if (reading) {
        store_exec(s, "COMMIT", NULL);
        reading = false;
    }
    if (r == 0 && !im.o->dry_run && (rc.n_staged > 0 || res->timings > 0))
        r = apply_reviews(&im, &rc, err);
done:
    if (reading)
        store_exec(s, "ROLLBACK", NULL);
    log_timing_stage_drop(s);
    if (staged)
        log_reviews_stage_drop(s);
    free(rc.first);
    rl_strmap_free(&rc.whos);
    free(rc.what);
    imp_done(&im);
    return r;
}

/* ---- export -------------------------------------------------------- */

/* One image's consensus labels while exporting, in class index order. */
struct cons {
    struct cstate {
        const rl_class *cls;
        rl_state state;    /* the consensus rule's answer */
    } *c;
    size_t n, cap;
};

static int
cmp_cstate(const void *a, const void *b)
{
    const struct cstate *x = a, *y = b;

    return (x->cls->idx > y->cls->idx) - (x->cls->idx < y->cls->idx);
}

/* The pairs of image `id` in `c` (sorted by image, then class): their
 * consensus into `cs`. */
static void
image_consensus(const rl_consensus *c, const rl_catalog *cat, int64_t id,
                struct cons *cs)
{
    size_t n, i;
    const rl_cpair *p = rl_consensus_pairs_of(c, id, &n);

    cs->n = 0;
    for (i = 0; i < n; i++) {
        const rl_class *k = rl_catalog_by_id(cat, p[i].cls);

        if (k == NULL || p[i].state == RL_STATE_NONE)
            continue;
        rl_grow(&cs->c, &cs->cap, cs->n + 1, sizeof *cs->c);
        cs->c[cs->n].cls = k;
        cs->c[cs->n++].state = p[i].state;
    }
    if (cs->n > 1)
        qsort(cs->c, cs->n, sizeof *cs->c, cmp_cstate);
}

static void
write_list(FILE *out, const struct cons *cs, rl_state want, bool json)
{
    size_t i;
    bool first = true;

    for (i = 0; i < cs->n; i++) {
        if (cs->c[i].state != want)
            continue;
        if (json)
            fprintf(out, first ? "%d" : ", %d", cs->c[i].cls->idx);
        else
            fprintf(out, first ? "%s" : " %s", cs->c[i].cls->wnid);
        first = false;
    }
}

/* The long export reads two streams in image-name order, each walking
 * the image name index (CROSS JOIN keeps that order, so SQLite sorts only
 * within an image): the verdict rows, then the image rows - one per
 * reviewer whose flag holds anything or who has a timing on the image
 * (the two arms merged by name and reviewer; an image row of a timing
 * only has empty flag fields, which the import reads as "leave").
 * Columns: name, then the thirteen written: ten as text, updated_at,
 * first_shown and last_change as times (NULL: empty), active_ms. */
static const char SQL_LONG_VERDICTS[] =
    "SELECT i.name, k.wnid, r.state, r.reviewer, r.role, '', '', '', '',"
    " coalesce(cd.added_by, ''), r.updated_at, NULL, NULL, ''"
    " FROM image i CROSS JOIN review r ON r.image = i.id"
    " CROSS JOIN class k ON k.id = r.class"
    " LEFT JOIN candidate cd ON cd.image = r.image AND cd.class = r.class"
    " WHERE ?1 IS NULL OR r.reviewer = ?1"
    " ORDER BY i.name, k.idx, k.wnid, r.reviewer";
#define FLAG_HOLDS(f) "(" f ".problematic <> 0 OR " f ".note <> ''" \
    " OR " f ".main IS NOT NULL OR " f ".done <> 0)"
static const char SQL_LONG_IMAGES[] =
    "SELECT i.name, '', '', f.reviewer, '', coalesce(m.wnid, ''),"
    " f.problematic, f.note, f.done, '', f.updated_at, t.first_shown,"
    " t.last_change, coalesce(t.active_ms, '')"
    " FROM image i CROSS JOIN flag f ON f.image = i.id"
    " LEFT JOIN class m ON m.id = f.main"
    " LEFT JOIN timing t ON t.image = f.image AND t.reviewer = f.reviewer"
    " WHERE (?1 IS NULL OR f.reviewer = ?1) AND " FLAG_HOLDS("f")
    " UNION ALL"
    " SELECT i.name, '', '', t.reviewer, '', '', '', '', '', '', NULL,"
    " t.first_shown, t.last_change, t.active_ms"
    " FROM image i CROSS JOIN timing t ON t.image = i.id"
    " WHERE (?1 IS NULL OR t.reviewer = ?1) AND NOT EXISTS (SELECT 1"
    " FROM flag f WHERE f.image = t.image AND f.reviewer = t.reviewer"
    " AND " FLAG_HOLDS("f") ")"
    " ORDER BY 1, 4";

/* A time column of the long form: empty for NULL. */
static const char *
long_time(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return "";
    rl_time_format(sqlite3_column_int64(st, col), buf, size);
    return buf;
}

/* Appends the current row of `st` to `row` as a long-form CSV line. */
static void
long_row(sqlite3_stmt *st, rl_buf *row)
{
    const char *f[14];
    char when[3][40];
    int j;

    for (j = 0; j < 10; j++)
        f[j] = (const char *)sqlite3_column_text(st, j);
    for (j = 0; j < 3; j++)
        f[10 + j] = long_time(st, 10 + j, when[j], sizeof when[j]);
    f[13] = (const char *)sqlite3_column_text(st, 13);
    rl_csv_write_row(row, f, 14, ',');
}

static int
export_long(rl_store *s, const char *reviewer, FILE *out, rl_err *err)
{
    static const char *const head[] = {
        "image", "wnid", "state", "reviewer", "role", "main", "problematic",
        "note", "done", "added_by", "updated_at", "first_shown",
        "last_change", "active_ms"
    };
    sqlite3_stmt *v = NULL, *f = NULL;
    rl_buf row = {0};
    int rv, rf, rc = -1;

    if (sqlite3_prepare_v2(s->db, SQL_LONG_VERDICTS, -1, &v, NULL)
        != SQLITE_OK
        || sqlite3_prepare_v2(s->db, SQL_LONG_IMAGES, -1, &f, NULL)
        != SQLITE_OK)
        goto out;
    if (reviewer != NULL) {
        sqlite3_bind_text(v, 1, reviewer, -1, SQLITE_STATIC);
        sqlite3_bind_text(f, 1, reviewer, -1, SQLITE_STATIC);
    }
    rl_csv_write_row(&row, head, 14, ',');
    rv = sqlite3_step(v);
    rf = sqlite3_step(f);
    /* Merge by name: an image's verdict rows before its image rows. */
    while (rv == SQLITE_ROW || rf == SQLITE_ROW) {
        bool take_v = rf != SQLITE_ROW
            || (rv == SQLITE_ROW
                && strcmp((const char *)sqlite3_column_text(v, 0),
                          (const char *)sqlite3_column_text(f, 0)) <= 0);

        if (take_v) {
            long_row(v, &row);
            rv = sqlite3_step(v);
        } else {
            long_row(f, &row);
            rf = sqlite3_step(f);
        }
        if (row.len > 1 << 16) {
            fwrite(row.data, 1, row.len, out);
            rl_buf_reset(&row);
        }
    }
    fwrite(row.data, 1, row.len, out);
    /* Never a silently short export. */
    if (rv == SQLITE_DONE && rf == SQLITE_DONE)
        rc = 0;
out:
    if (rc != 0)
        store_dberr(s, err, "export");
    sqlite3_finalize(v);
    sqlite3_finalize(f);
    rl_buf_free(&row);
    return rc;
}

/* wide: one row per image from the consensus (labels, problematic, main
 * object), images by name in one scan, the consensus read beside them
 * image by image. */
static int
export_grouped(rl_store *s, const rl_catalog *cat,
               const rl_consensus_opts *co, FILE *out, rl_err *err)
{
    sqlite3_stmt *img = NULL;
    rl_consensus_scan *sc;
    rl_consensus c;
    struct cons cs = {0};
    rl_buf row = {0};
    int rc = -1, r;

    /* Labels, flags and main objects come from the one consensus rule
     * (consensus.c): an adjudicator's verdict is final, then the rule. */
    if ((sc = rl_consensus_scan_open(s, co, err)) == NULL) {
        if (err == NULL || err->code != RL_E_NOTFOUND)
            return -1;
        rl_err_clear(err);      /* NAME has no review: empty lists */
    }
    if (sqlite3_prepare_v2(s->db,
            "SELECT i.id, i.name, c.wnid FROM image i"
            " LEFT JOIN class c ON c.id = i.label ORDER BY i.name", -1, &img,
            NULL) != SQLITE_OK) {
        store_dberr(s, err, "export");
        goto out;
    }
    memset(&c, 0, sizeof c);
    fputs("image,original,correct,wrong,unclear,dont_know,problematic,"
          "main\n", out);
    while ((r = sqlite3_step(img)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(img, 0);
        const char *orig = (const char *)sqlite3_column_text(img, 2);
        const rl_cimage *ci;
        const rl_class *main;
        rl_state j;

        if (sc != NULL && rl_consensus_scan_image(sc, id, &c, err) != 0)
            goto out;
        ci = rl_consensus_image(&c, id);
        main = ci != NULL && ci->main != 0 ? rl_catalog_by_id(cat, ci->main)
                                           : NULL;
        image_consensus(&c, cat, id, &cs);
        rl_buf_reset(&row);
        rl_csv_write_field(&row, (const char *)sqlite3_column_text(img, 1),
                           ',');
        fwrite(row.data, 1, row.len, out);
        fprintf(out, ",%s,", orig ? orig : "");
        for (j = RL_STATE_CORRECT; j < RL_STATE_COUNT; j++) {
            write_list(out, &cs, j, false);
            fputc(',', out);
        }
        fprintf(out, "%d,%s\n", ci != NULL && ci->problematic ? 1 : 0,
                main ? main->wnid : "");
    }
    /* A read error ends a scan early: fail rather than export a part. */
    if (r != SQLITE_DONE) {
        store_dberr(s, err, "export");
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(img);
    rl_consensus_scan_free(sc);
    free(cs.c);
    rl_buf_free(&row);
    return rc;
}

/* True when `name` has a review or a flag in the project: a consensus
 * of one reviewer nobody has heard of is a typo, not an empty export. */
static bool
reviewer_known(rl_store *s, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool known = false;

    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS(" SQL_REVIEWERS " AND"
                           " reviewer = ?1) OR EXISTS(SELECT 1 FROM flag"
                           " WHERE reviewer = ?1)", -1, &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        known = sqlite3_step(st) == SQLITE_ROW
                && sqlite3_column_int(st, 0) != 0;
    }
    sqlite3_finalize(st);
    return known;
}

int
rl_export(rl_store *s, const rl_catalog *cat, rl_export_format fmt,
          const rl_consensus_opts *co, FILE *out, rl_err *err)
{
    static const rl_consensus_opts majority = { .rule = RL_CONSENSUS_MAJORITY };
    const char *reviewer;
    int rc;

    if (co == NULL)
        co = &majority;
    reviewer = co->rule == RL_CONSENSUS_REVIEWER ? co->reviewer : NULL;
    if (fmt == RL_EXPORT_REAL_JSON)
        return rl_export_real_json(s, cat, co, 0, out, NULL, err);
    if (fmt == RL_EXPORT_LONG && co->rule == RL_CONSENSUS_DAWID_SKENE) {
        rl_err_set(err, RL_E_USAGE, "the long format is every reviewer's "
                   "own verdicts and flags, combined by no rule: give "
                   "--consensus reviewer:NAME for one reviewer's rows, or "
                   "use wide, real-json, tfds-multilabel or label-studio "
                   "for a consensus");
        return -1;
    }
    /* One read transaction: a consistent snapshot while others write. */
    if (store_exec(s, "BEGIN", err) != 0)
        return -1;
    if (reviewer != NULL && !reviewer_known(s, reviewer)) {
        char *safe = rl_utf8_sanitize(reviewer);

        rl_err_set(err, RL_E_NOTFOUND, "unknown reviewer '%.60s': nobody of "
                   "that name has reviewed here (relabel stats lists them)",
                   safe);
        free(safe);
        store_exec(s, "COMMIT", NULL);
        return -1;
    }
    if (fmt == RL_EXPORT_LONG)
        rc = export_long(s, reviewer, out, err);
    else
        rc = export_grouped(s, cat, co, out, err);
    store_exec(s, "COMMIT", NULL);
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        rl_err_set(err, RL_E_IO, "writing the export: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}

/* ---- real-json by image number -------------------------------------- */

/* The number N of "ILSVRC2012_val_%08d.JPEG" (1-based), or -1. */
static long
val_number(const char *name)
{
    static const char prefix[] = "ILSVRC2012_val_";
    long n = 0;
    int i;

    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return -1;
    name += sizeof prefix - 1;
    for (i = 0; i < 8; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n > 0 && strcmp(name + 8, ".JPEG") == 0 ? n : -1;
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Before writing: every name follows the numbering, none is past
 * `count`; *top receives the highest number. 0, or -1 reported. */
static int
rj_check(rl_store *s, long count, long *top, rl_err *err)
{
    sqlite3_stmt *q = NULL;
    const char *name = NULL;
    char *safe;
    int rc = -1;

    *top = 0;
    /* The names off the numbering sort before or after the numbered
     * ones, or fail the pattern; the highest numbered name is the max. */
    if (sqlite3_prepare_v2(s->db, "SELECT name, 1 FROM image WHERE NOT name"
            " GLOB 'ILSVRC2012_val_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"
            ".JPEG' OR name = 'ILSVRC2012_val_00000000.JPEG'"
            " UNION ALL SELECT max(name), 0 FROM image"
            " ORDER BY 2 DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK
        || sqlite3_step(q) != SQLITE_ROW) {
        store_dberr(s, err, "export");
        goto out;
    }
    name = (const char *)sqlite3_column_text(q, 0);
    if (name == NULL) {            /* no image at all */
        rc = 0;
        goto out;
    }
    *top = val_number(name);
    if (*top > 0 && (count <= 0 || *top <= count)) {
        rc = 0;
        goto out;
    }
    safe = rl_utf8_sanitize(name);
    if (*top < 0)
        rl_err_set(err, RL_E_USAGE, "real-json is matched by position: "
                   "image '%.80s' does not follow the numbering "
                   "ILSVRC2012_val_%%08d.JPEG; use --format wide, long or "
                   "tfds-multilabel", safe);
    else
        rl_err_set(err, RL_E_RANGE, "image '%.80s' is number %ld, past "
                   "--count %ld", safe, *top, count);
    free(safe);
out:
    sqlite3_finalize(q);
    return rc;
}

int
rl_export_real_json(rl_store *s, const rl_catalog *cat,
                    const rl_consensus_opts *co, long count, FILE *out,
                    rl_real_json_stats *st, rl_err *err)
{
    rl_consensus_scan *sc = NULL;
    rl_consensus c;
    sqlite3_stmt *q = NULL;
    rl_real_json_stats z = {0};
    int *idx = NULL;       /* one image's correct class indices */
    size_t cap = 0;
    long top, k;
    int r, rc = -1;

    if (st == NULL)
        st = &z;
    memset(st, 0, sizeof *st);
    if (store_exec(s, "BEGIN", err) != 0)
        return -1;
    if (rj_check(s, count, &top, err) != 0)
        goto out;
    if (count <= 0)
        count = top;
    /* Numbered names sort as their numbers: one pass by name, the
     * consensus read beside it image by image. */
    if ((sc = rl_consensus_scan_open(s, co, err)) == NULL)
        goto out;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name FROM image ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    r = sqlite3_step(q);
    fputc('[', out);
    for (k = 1; k <= count; k++) {
        size_t n = 0, i;
        bool verdict = false, here = r == SQLITE_ROW
            && val_number((const char *)sqlite3_column_text(q, 1)) == k;

        if (here) {
            if (rl_consensus_scan_image(sc, sqlite3_column_int64(q, 0), &c,
                                        err) != 0)
                goto out;
            for (i = 0; i < c.n; i++) {
                const rl_class *cls;

                verdict |= c.pairs[i].state != RL_STATE_NONE;
                if (c.pairs[i].state != RL_STATE_CORRECT
                    || (cls = rl_catalog_by_id(cat, c.pairs[i].cls)) == NULL
                    || cls->idx < 0)
                    continue;
                rl_grow(&idx, &cap, n + 1, sizeof *idx);
                idx[n++] = cls->idx;
            }
            r = sqlite3_step(q);
        }
        if (n > 1)
            qsort(idx, n, sizeof *idx, cmp_int);
        fputs(k > 1 ? ", [" : "[", out);
        for (i = 0; i < n; i++)
            fprintf(out, i ? ", %d" : "%d", idx[i]);
        fputc(']', out);
        st->written++;
        if (!here)
            st->absent++;
        else if (!verdict)
            st->no_verdict++;
        else if (n == 0)
            st->no_correct++;
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        goto dberr;
    fputs("]\n", out);
    rc = xflush(out, err);
    goto out;
dberr:
    store_dberr(s, err, "export");
out:
    sqlite3_finalize(q);
    store_exec(s, "COMMIT", NULL);
    rl_consensus_scan_free(sc);
    free(idx);
    return rc;
}
