/* test_csvio.c - every importer (labels, images, predictions, reviews in
 * long and wide form) on good input and on each kind of bad input, which
 * must stop the import with "FILE:LINE: field: what" and store nothing
 * (one transaction); --dry-run; the three exports; and the round trip
 * (export, import into a fresh project, export again: identical) for the
 * long and wide forms. */
#include "relabel/csvio.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"
#include "../../src/core/internal.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#define CATALOG_DIR RL_TEST_DATA "/../../share/relabel"

static char realtmp[PATH_MAX];

/* ---- fixtures ------------------------------------------------------- */

#define IMG1 "ILSVRC2012_val_00000001.JPEG"
#define IMG2 "ILSVRC2012_val_00000002.JPEG"
#define IMG3 "ILSVRC2012_val_00000003.JPEG"
#define ODD_CSV "\"odd, \"\"name\"\".JPEG\""    /* as written in CSV */
#define ODD "odd, \"name\".JPEG"                /* the name itself */

static const char LABELS[] =
    "image,wnid,dataset\n"
    IMG1 ",n01751748,val\n"           /* sea snake (65) */
    IMG2 ",n09193705,val\n"           /* alp (970) */
    IMG3 ",151,v2\n"                  /* Chihuahua, by class index */
    ODD_CSV ",n01440764,\n";          /* tench (0), no dataset */

static const char PREDS[] =
    "image,model,rank,wnid,score\n"
    IMG1 ",m1,1,n01737021,0.6\n"      /* water snake (58) */
    IMG1 ",m1,2,n01751748,0.3\n"
    IMG1 ",m2,1,n01751748,\n"
    IMG2 ",m1,1,979,0.9\n";           /* valley (979) */

/* Every row has a time, so the long export is fully determined. */
static const char REVIEWS[] =
    "image,wnid,state,reviewer,problematic,updated_at,note\n"
    IMG1 ",n01751748,correct,alice,,2026-01-02T03:04:05.678Z,\n"
    IMG1 ",n01737021,wrong,alice,,2026-01-02T03:04:06Z,\n"
    IMG1 ",n01751748,correct,bob,,2026-01-03T00:00:00.000Z,\n"
    IMG1 ",n01737021,correct,bob,,2026-01-03T00:00:01.000Z,\n"
    IMG2 ",n09193705,correct,alice,,2026-01-02T00:00:00.000Z,foggy\n"
    IMG2 ",n09468604,dont_know,alice,1,2026-01-02T00:00:01.000Z,\n"
    ODD_CSV ",n01440764,correct,alice,,2026-01-04T00:00:00.000Z,\n"
    ODD_CSV ",n01443537,wrong,alice,,2026-01-04T00:00:01.000Z,\n"
    IMG3 ",n02085620,unclear,bob,,2026-01-05T00:00:00.000Z,\n"
    IMG3 ",,,bob,1,2026-01-05T00:00:01.000Z,\n";

/* What the long export of REVIEWS must be: by image name, class index,
 * reviewer; times normalised. */
static const char LONG_EXPORT[] =
    "image,wnid,state,reviewer,role,main,problematic,note,done,added_by,"
    "updated_at,first_shown,last_change,active_ms\n"
    IMG1 ",n01737021,wrong,alice,reviewer,,,,,,2026-01-02T03:04:06.000Z,,,\n"
    IMG1 ",n01737021,correct,bob,reviewer,,,,,,2026-01-03T00:00:01.000Z,,,\n"
    IMG1 ",n01751748,correct,alice,reviewer,,,,,,2026-01-02T03:04:05.678Z,,,\n"
    IMG1 ",n01751748,correct,bob,reviewer,,,,,,2026-01-03T00:00:00.000Z,,,\n"
    IMG2 ",n09193705,correct,alice,reviewer,,,,,,2026-01-02T00:00:00.000Z,,,\n"
    IMG2 ",n09468604,dont_know,alice,reviewer,,,,,,"
    "2026-01-02T00:00:01.000Z,,,\n"
    /* image rows: alice's flag and note on img2, bob's flag on img3 */
    IMG2 ",,,alice,,,1,foggy,0,,2026-01-02T00:00:01.000Z,,,\n"
    IMG3 ",n02085620,unclear,bob,reviewer,,,,,,2026-01-05T00:00:00.000Z,,,\n"
    IMG3 ",,,bob,,,1,,0,,2026-01-05T00:00:01.000Z,,,\n"
    ODD_CSV ",n01440764,correct,alice,reviewer,,,,,,"
    "2026-01-04T00:00:00.000Z,,,\n"
    /* no model proposed n01443537: alice added it */
    ODD_CSV ",n01443537,wrong,alice,reviewer,,,,,alice,"
    "2026-01-04T00:00:01.000Z,,,\n";

/* Majority of alice and bob: water snake is a tie (unclear). */
static const char WIDE_EXPORT[] =
    "image,original,correct,wrong,unclear,dont_know,problematic,main\n"
    IMG1 ",n01751748,n01751748,,n01737021,,0,\n"
    IMG2 ",n09193705,n09193705,,,n09468604,1,\n"
    IMG3 ",n02085620,,,n02085620,,1,\n"
    ODD_CSV ",n01440764,n01440764,n01443537,,,0,\n";
static const char WIDE_ALICE[] =
    "image,original,correct,wrong,unclear,dont_know,problematic,main\n"
    IMG1 ",n01751748,n01751748,n01737021,,,0,\n"
    IMG2 ",n09193705,n09193705,,,n09468604,1,\n"
    IMG3 ",n02085620,,,,,0,\n"
    ODD_CSV ",n01440764,n01440764,n01443537,,,0,\n";

/* ---- helpers -------------------------------------------------------- */

/* A path in the temporary folder; a rotating set of static buffers. */
static const char *
cpath(const char *name)
{
    static char buf[8][PATH_MAX];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char *
cspew(const char *name, const char *data, size_t n)
{
    const char *p = cpath(name);
    FILE *f = fopen(p, "wb");

    if (f == NULL || fwrite(data, 1, n, f) != n) {
        perror(p);
        exit(1);
    }
    fclose(f);
    return p;
}

static const char *
spews(const char *name, const char *text)
{
    return cspew(name, text, strlen(text));
}

struct proj {
    char path[PATH_MAX];
    rl_store *s;
    rl_catalog *cat;
};

static void
proj_new(struct proj *p, const char *name)
{
    rl_err err;

    snprintf(p->path, sizeof p->path, "%s", cpath(name));
    if ((p->s = rl_store_open(p->path, RL_STORE_CREATE, &err)) == NULL
        || rl_catalog_install(p->s, CATALOG_DIR, &err) != 0
        || (p->cat = rl_catalog_load(p->s, &err)) == NULL)
        die(name, &err);
}

static void
proj_free(struct proj *p)
{
    rl_catalog_free(p->cat);
    rl_store_close(p->s);
}

enum kind { LABELS_K, IMAGES_K, PREDS_K, REVIEWS_K };

static int
run_import(struct proj *p, enum kind k, const char *file,
           const rl_import_opts *o, rl_import_result *res, rl_err *err)
{
    rl_err_clear(err);
    switch (k) {
    case LABELS_K: return rl_import_labels(p->s, p->cat, file, o, res, err);
    case IMAGES_K: return rl_import_images(p->s, p->cat, file, o, res, err);
    case PREDS_K:
        return rl_import_predictions(p->s, p->cat, file, o, res, err);
    default: return rl_import_reviews(p->s, p->cat, file, o, res, err);
    }
}

/* Imports that must succeed. */
static void
must_import(struct proj *p, enum kind k, const char *file,
            const rl_import_opts *o, rl_import_result *res)
{
    rl_err err;

    if (run_import(p, k, file, o, res, &err) != 0)
        die(file, &err);
}

/* Every row of the tables an import may touch, as text: equal before and
 * after means nothing was stored. Read on a separate connection, which
 * sees only committed data. */
static int
dump_row(void *ctx, int n, char **vals, char **names)
{
    rl_buf *b = ctx;
    int i;

    (void)names;
    for (i = 0; i < n; i++) {
        rl_buf_adds(b, vals[i] ? vals[i] : "NULL");
        rl_buf_addc(b, '|');
    }
    rl_buf_addc(b, '\n');
    return 0;
}

static char *
snapshot(const char *db)
{
    static const char *const tables[] = { "image", "candidate", "model",
        "prediction", "review", "flag", "step", "event", "timing", "meta" };
    rl_buf b = {0};
    sqlite3 *h;
    size_t i;

    rl_buf_adds(&b, "");
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(h);
        return b.data;
    }
    for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *sql = rl_xasprintf("SELECT * FROM %s ORDER BY 1, 2, 3",
                                 tables[i]);

        rl_buf_printf(&b, "[%s]\n", tables[i]);
        sqlite3_exec(h, sql, dump_row, &b, NULL);
        free(sql);
    }
    sqlite3_close(h);
    return b.data;
}

/* One text value from a query, copied into a static buffer ("(null)"). */
static const char *
raw_str(const char *db, const char *sql)
{
    static char out[512];
    sqlite3 *h;
    sqlite3_stmt *st;

    snprintf(out, sizeof out, "(none)");
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);

            snprintf(out, sizeof out, "%s", t ? (const char *)t : "(null)");
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
}

/* The export as a string the caller frees; NULL (with err) on failure. */
static char *
export_str(struct proj *p, rl_export_format f, const char *reviewer,
           rl_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    rl_consensus_opts co = { .rule = reviewer != NULL ? RL_CONSENSUS_REVIEWER
                             : RL_CONSENSUS_MAJORITY, .reviewer = reviewer };
    int rc = rl_export(p->s, p->cat, f, &co, mem, err);

    fclose(mem);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Writes `content` to a new file, imports it as `k`, and checks that the
 * import fails with `code` and the message FILE + `msg` (a prefix), and
 * that nothing from it was stored. */
static void
bad_import(struct proj *p, enum kind k, const char *what,
           const char *content, size_t len, const rl_import_opts *o,
           rl_errcode code, const char *msg)
{
    static int n;
    char name[32];
    const char *file;
    char *before, *after, *want;
    rl_import_result res;
    rl_err err;

    snprintf(name, sizeof name, "bad%02d.csv", ++n);
    file = cspew(name, content, len ? len : strlen(content));
    before = snapshot(p->path);
    ok(run_import(p, k, file, o, &res, &err) == -1, "%s: import fails", what);
    if (err.code != code)
        printf("#   error code %d, expected %d\n", err.code, code);
    want = rl_xasprintf("%s%s", file, msg);
    ok(err.code == code && rl_starts_with(err.msg, want), "%s: %s", what,
       err.msg + strlen(tmpdir) + 1);
    if (!rl_starts_with(err.msg, want))
        printf("#   expected it to start with '%s'\n", want);
    after = snapshot(p->path);
    ok(strcmp(before, after) == 0, "%s: nothing stored", what);
    free(before);
    free(after);
    free(want);
}

/* ---- labels --------------------------------------------------------- */

static void
test_labels(struct proj *p)
{
    const char *file = spews("labels.csv", LABELS);
    rl_import_result res;
    rl_import_opts o = {0};
    rl_err err;
    char *before, *after;

    /* Dry run first: counts, nothing stored. */
    before = snapshot(p->path);
    o.dry_run = true;
    ok(run_import(p, LABELS_K, file, &o, &res, &err) == 0 && res.rows == 4
       && res.created == 4, "dry run checks all four rows");
    after = snapshot(p->path);
    ok(strcmp(before, after) == 0, "dry run stores nothing");
    free(before);
    free(after);

    ok(run_import(p, LABELS_K, file, NULL, &res, &err) == 0,
       "import labels");
    ok(res.rows == 4 && res.created == 4 && res.changed == 0
       && res.unchanged == 0, "4 rows, 4 images created");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM image"), 4, "4 images");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM candidate"), 4,
           "each original label is a candidate");
    is_str(raw_str(p->path, "SELECT c.wnid FROM image i JOIN class c ON"
                   " c.id = i.label WHERE i.name = '" IMG3 "'"),
           "n02085620", "a class index (151) resolves to its wnid");
    is_str(raw_str(p->path, "SELECT dataset FROM image WHERE name = '"
                   IMG3 "'"), "v2", "dataset column stored");
    is_str(raw_str(p->path, "SELECT dataset FROM image WHERE name LIKE"
                   " 'odd%'"), "(null)", "empty dataset stays NULL");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM image WHERE name = 'odd,"
                       " \"name\".JPEG'"), 1, "quoted name with comma and "
           "quotes stored unquoted");

    ok(run_import(p, LABELS_K, file, NULL, &res, &err) == 0
       && res.rows == 4 && res.created == 0 && res.unchanged == 4,
       "importing again changes nothing (4 unchanged)");

    /* --dataset for a file without the column (in a scratch project). */
    {
        struct proj q;

        proj_new(&q, "scratch.db");
        file = spews("labels2.csv", "image,wnid\nextra.JPEG,n01443537\n");
        o.dry_run = false;
        o.dataset = "extra";
        ok(run_import(&q, LABELS_K, file, &o, &res, &err) == 0
           && strcmp(raw_str(q.path, "SELECT dataset FROM image WHERE name"
                             " = 'extra.JPEG'"), "extra") == 0,
           "--dataset applies without a dataset column");
        proj_free(&q);
    }

    /* Bad input: the bad row comes after good ones. */
    bad_import(p, LABELS_K, "unknown class",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,n99999999\n", 0,
               NULL, RL_E_NOTFOUND, ":3: wnid: unknown class 'n99999999'");
    bad_import(p, LABELS_K, "index out of range",
               "image,wnid\nnew1.JPEG,0\nnew2.JPEG,1000\n", 0,
               NULL, RL_E_NOTFOUND, ":3: wnid: unknown class '1000'");
    bad_import(p, LABELS_K, "hierarchy node",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,n02084071\n", 0,
               NULL, RL_E_NOTFOUND, ":3: wnid: 'n02084071' is a hierarchy "
               "node");
    bad_import(p, LABELS_K, "empty class",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,\n", 0,
               NULL, RL_E_PARSE, ":3: wnid: empty");
    bad_import(p, LABELS_K, "empty image name",
               "image,wnid\nnew1.JPEG,n01440764\n,n01440764\n", 0,
               NULL, RL_E_PARSE, ":3: image: empty image name");
    bad_import(p, LABELS_K, "duplicate key",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,n01440764\n"
               "new1.JPEG,n01443537\n", 0, NULL, RL_E_DUP,
               ":4: image: duplicate key (first on line 2)");
    /* New images repeated are found when they are inserted; the row
     * reported is the first repeat, whichever names repeat later. */
    bad_import(p, LABELS_K, "two new images repeated",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,n01440764\n"
               "new3.JPEG,n01440764\nnew2.JPEG,n01440764\n"
               "new1.JPEG,n01440764\nnew2.JPEG,n01440764\n", 0, NULL,
               RL_E_DUP, ":5: image: duplicate key (first on line 3)");
    bad_import(p, LABELS_K, "an existing image named twice",
               "image,wnid\n" IMG1 ",n01751748\nnew1.JPEG,n01440764\n"
               IMG1 ",n01751748\n", 0, NULL, RL_E_DUP,
               ":4: image: duplicate key (first on line 2)");
    {
        rl_import_opts dry = { .dry_run = true };

        bad_import(p, LABELS_K, "a dry run of a repeated new image",
                   "image,wnid\nnew1.JPEG,n01440764\nnew1.JPEG,n01440764\n",
                   0, &dry, RL_E_DUP,
                   ":3: image: duplicate key (first on line 2)");
    }
    bad_import(p, LABELS_K, "a different label for a labelled image",
               "image,wnid\nnew1.JPEG,n01440764\n" IMG1 ",n01443537\n", 0,
               NULL, RL_E_DUP, ":3: wnid: the image has original label "
               "n01751748 already");
    bad_import(p, LABELS_K, "wrong column count",
               "image,wnid\nnew1.JPEG,n01440764\nnew2.JPEG,n01440764,x\n", 0,
               NULL, RL_E_PARSE, ":3: expected 2 fields, found 3");
    bad_import(p, LABELS_K, "non-UTF-8 text",
               "image,wnid\nnew1.JPEG,n01440764\nnew\xe9.JPEG,n01440764\n",
               0, NULL, RL_E_PARSE, ":3: column image: not valid UTF-8");
    bad_import(p, LABELS_K, "NUL byte",
               "image,wnid\nnew1.JPEG,n01440764\nn\0w.JPEG,n01440764\n", 47,
               NULL, RL_E_PARSE, ":3: column image: NUL byte");
    bad_import(p, LABELS_K, "unterminated quote",
               "image,wnid\nnew1.JPEG,n01440764\n\"new2.JPEG,n01440764\n",
               0, NULL, RL_E_PARSE, ":3: column image: ");
    bad_import(p, LABELS_K, "missing column",
               "image,class\nnew1.JPEG,n01440764\n", 0, NULL, RL_E_PARSE,
               ":1: missing column 'wnid'");
    bad_import(p, LABELS_K, "empty file", "", 0, NULL, RL_E_PARSE,
               ": empty file");

    /* Unreadable files. */
    before = snapshot(p->path);
    ok(run_import(p, LABELS_K, cpath("no-such.csv"), NULL, &res, &err) == -1
       && err.code == RL_E_IO && strstr(err.msg, "no-such.csv: No such file")
       != NULL, "missing file: %s", err.msg);
    ok(run_import(p, LABELS_K, tmpdir, NULL, &res, &err) == -1
       && err.code == RL_E_IO && strstr(err.msg, "directory") != NULL,
       "a folder: %s", err.msg);
    if (geteuid() != 0) {
        file = spews("locked.csv", LABELS);
        chmod(file, 0);
        ok(run_import(p, LABELS_K, file, NULL, &res, &err) == -1
           && err.code == RL_E_IO && strstr(err.msg, "ermission") != NULL,
           "unreadable file: %s", err.msg);
    } else {
        ok(1, "# SKIP permission test: running as root");
    }
    after = snapshot(p->path);
    ok(strcmp(before, after) == 0, "unreadable files store nothing");
    free(before);
    free(after);

}

/* Progress calls: how many, and whether the row counts only grew. */
struct prog {
    long calls, last;
    bool monotonic;
};

static void
count_progress(void *ctx, const char *path, long rows)
{
    struct prog *pr = ctx;

    (void)path;
    if (rows <= pr->last)
        pr->monotonic = false;
    pr->last = rows;
    pr->calls++;
}

static void
test_progress(struct proj *p)
{
    rl_buf big = {0};
    struct prog pr = { 0, 0, true };
    rl_import_opts o = {0};
    rl_import_result res;
    rl_err err;
    const char *file;
    long i;

    rl_buf_adds(&big, "image,wnid\n");
    for (i = 0; i < 12000; i++)
        rl_buf_printf(&big, "many_%05ld.JPEG,%ld\n", i, i % 1000);
    file = cspew("many.csv", big.data, big.len);
    rl_buf_free(&big);
    o.dry_run = true;
    o.ctx = &pr;
    o.progress = count_progress;
    ok(run_import(p, LABELS_K, file, &o, &res, &err) == 0
       && res.rows == 12000, "12,000 rows (dry run)");
    ok(pr.calls >= 1 && pr.calls <= 12, "progress reported every few "
       "thousand rows (%ld calls)", pr.calls);
    ok(pr.monotonic && pr.last <= 12000, "with growing row counts (last "
       "%ld)", pr.last);
}

/* ---- images --------------------------------------------------------- */

static void
touch(const char *rel)
{
    spews(rel, "");
}

/* The progress callback of the lock test: can another connection take
 * the write lock while the import reads? Counts the times it could. */
static void
try_lock(void *ctx, const char *path, long rows)
{
    struct { const char *db; int free, tries; } *t = ctx;
    sqlite3 *db;

    (void)path;
    (void)rows;
    t->tries++;
    if (sqlite3_open(t->db, &db) == SQLITE_OK
        && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)
        == SQLITE_OK) {
        t->free++;
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(db);
}

static void
test_images(struct proj *p)
{
    rl_import_result res;
    rl_import_opts o = {0};
    rl_err err;
    const char *file;
    char want[PATH_MAX + 64];

    mkdir(cpath("pics"), 0755);
    touch("pics/one.jpg");
    touch("pics/two.jpg");
    file = spews("images.csv", "image,path\n" IMG1 ",pics/one.jpg\n"
                 "new_img.JPEG,pics/two.jpg\n");
    ok(run_import(p, IMAGES_K, file, NULL, &res, &err) == 0
       && res.rows == 2 && res.created == 1 && res.changed == 1,
       "image paths: one new image, one existing");
    snprintf(want, sizeof want, "%s/pics/one.jpg", realtmp);
    is_str(raw_str(p->path, "SELECT path FROM image WHERE name = '" IMG1
                   "'"), want, "relative to the CSV's folder, made absolute");
    {
        /* 5,000 rows: the import never holds the write lock while it
         * reads (a dry run, which stores nothing, reads the same way). */
        struct { const char *db; int free, tries; } t = { p->path, 0, 0 };
        rl_import_opts lo = { .dry_run = true, .progress = try_lock,
                              .ctx = &t };
        rl_buf b = {0};
        int i;

        rl_buf_adds(&b, "image,path\n");
        for (i = 0; i < 5000; i++)
            rl_buf_printf(&b, "lock_%d.JPEG,pics/one.jpg\n", i);
        file = spews("many.csv", rl_buf_str(&b));
        rl_buf_free(&b);
        ok(run_import(p, IMAGES_K, file, &lo, &res, &err) == 0
           && res.created == 5000, "5,000 image paths, dry run: %s",
           err.msg);
        ok(t.tries == 1 && t.free == 1, "another connection takes the write "
           "lock while the import reads (%d of %d tries)", t.free, t.tries);
        file = spews("images.csv", "image,path\n" IMG1 ",pics/one.jpg\n"
                     "new_img.JPEG,pics/two.jpg\n");
    }
    is_str(raw_str(p->path, "SELECT c.wnid FROM image i JOIN class c ON"
                   " c.id = i.label WHERE name = '" IMG1 "'"), "n01751748",
           "the label of an existing image is kept");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM image WHERE name ="
                       " 'new_img.JPEG' AND label IS NULL"), 1,
           "a new image from a path has no label");

    mkdir(cpath("sub"), 0755);
    file = spews("sub/images.csv", "image,path\n" IMG2 ",pics/two.jpg\n");
    o.root = tmpdir;
    ok(run_import(p, IMAGES_K, file, &o, &res, &err) == 0,
       "--root gives the base of relative paths");
    snprintf(want, sizeof want, "%s/pics/two.jpg", realtmp);
    is_str(raw_str(p->path, "SELECT path FROM image WHERE name = '" IMG2
                   "'"), want, "path under --root");

    bad_import(p, IMAGES_K, "missing image file",
               "image,path\nnew_a.JPEG,pics/one.jpg\nnew_b.JPEG,pics/no.jpg\n",
               0, NULL, RL_E_IO, ":3: path: ");
    bad_import(p, IMAGES_K, "path is a folder",
               "image,path\nnew_a.JPEG,pics/one.jpg\nnew_b.JPEG,pics\n",
               0, NULL, RL_E_IO, ":3: path: ");
    {
        const char *f = spews("dirpath.csv", "image,path\nnew_b.JPEG,pics\n");

        run_import(p, IMAGES_K, f, NULL, &res, &err);
        ok(strstr(err.msg, "not a regular file") != NULL,
           "a folder is reported as not a regular file: %s", err.msg);
    }
    bad_import(p, IMAGES_K, "empty path",
               "image,path\nnew_a.JPEG,pics/one.jpg\nnew_b.JPEG,\n",
               0, NULL, RL_E_PARSE, ":3: path: empty path");
    bad_import(p, IMAGES_K, "duplicate image",
               "image,path\nnew_a.JPEG,pics/one.jpg\nnew_a.JPEG,pics/two.jpg\n",
               0, NULL, RL_E_DUP, ":3: image: duplicate key (first on line 2)");
    bad_import(p, IMAGES_K, "missing column",
               "image,file\nnew_a.JPEG,pics/one.jpg\n", 0, NULL, RL_E_PARSE,
               ":1: missing column 'path'");
    bad_import(p, IMAGES_K, "wrong column count",
               "image,path\nnew_a.JPEG,pics/one.jpg\nnew_b.JPEG\n", 0, NULL,
               RL_E_PARSE, ":3: expected 2 fields, found 1");
    bad_import(p, IMAGES_K, "non-UTF-8 path",
               "image,path\nnew_a.JPEG,pics/one.jpg\n"
               "new_b.JPEG,pics/\xff.jpg\n", 0, NULL, RL_E_PARSE, ":3: column path: not valid UTF-8");

    /* A folder: every .jpg/.jpeg below it; a wnid folder labels. */
    mkdir(cpath("tree"), 0755);
    mkdir(cpath("tree/n01443537"), 0755);
    mkdir(cpath("tree/misc"), 0755);
    mkdir(cpath("tree/n02084071"), 0755);
    touch("tree/n01443537/fish_1.JPEG");
    touch("tree/misc/other.jpeg");
    touch("tree/n02084071/doggy.jpg");
    touch("tree/misc/notes.txt");
    ok(run_import(p, IMAGES_K, cpath("tree"), NULL, &res, &err) == 0
       && res.rows == 3 && res.created == 3,
       "a folder of three JPEGs (and a .txt ignored): %s", err.msg);
    is_str(raw_str(p->path, "SELECT c.wnid FROM image i JOIN class c ON"
                   " c.id = i.label WHERE name = 'fish_1.JPEG'"),
           "n01443537", "a wnid-named folder labels its files");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM candidate c JOIN image i"
                       " ON i.id = c.image WHERE i.name = 'fish_1.JPEG'"), 1,
           "and makes the label a candidate");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM image"
                       " WHERE label IS NULL"
                       " AND name IN ('other.jpeg', 'doggy.jpg')"), 2,
           "other folders (and inner-node wnids) give no label");

    mkdir(cpath("dups"), 0755);
    mkdir(cpath("dups/a"), 0755);
    mkdir(cpath("dups/b"), 0755);
    touch("dups/a/same.jpg");
    touch("dups/b/same.jpg");
    {
        char *before = snapshot(p->path), *after;

        ok(run_import(p, IMAGES_K, cpath("dups"), NULL, &res, &err) == -1
           && err.code == RL_E_DUP && strstr(err.msg, "duplicate image name"),
           "two files of one name in a folder: %s", err.msg);
        mkdir(cpath("empty"), 0755);
        ok(run_import(p, IMAGES_K, cpath("empty"), NULL, &res, &err) == -1
           && err.code == RL_E_NOTFOUND, "a folder without JPEGs: %s",
           err.msg);
        ok(run_import(p, IMAGES_K, cpath("nothere"), NULL, &res, &err) == -1
           && err.code == RL_E_IO, "a missing folder: %s", err.msg);
        after = snapshot(p->path);
        ok(strcmp(before, after) == 0, "failed folder imports store "
           "nothing");
        free(before);
        free(after);
    }
}

/* ---- predictions ---------------------------------------------------- */

static void
test_predictions(struct proj *p)
{
    const char *file = spews("preds.csv", PREDS);
    rl_import_result res;
    rl_import_opts o = {0};
    rl_err err;
    char *before, *after;

    before = snapshot(p->path);
    o.dry_run = true;
    ok(run_import(p, PREDS_K, file, &o, &res, &err) == 0 && res.rows == 4,
       "predictions: dry run");
    after = snapshot(p->path);
    ok(strcmp(before, after) == 0, "dry run stores nothing");
    free(before);
    free(after);

    ok(run_import(p, PREDS_K, file, NULL, &res, &err) == 0
       && res.rows == 4 && res.created == 4, "import 4 predictions: %s",
       err.msg);
    is_int(fx_file_int(p->path, "SELECT count(*) FROM model"), 2,
           "two models");
    is_int(fx_file_int(p->path, "SELECT n_models FROM candidate c JOIN class k"
                       " ON k.id = c.class JOIN image i ON i.id = c.image"
                       " WHERE i.name = '" IMG1 "'"
                       " AND k.wnid = 'n01751748'"), 2,
           "sea snake proposed by two models");
    is_str(raw_str(p->path, "SELECT " RL_SQL_MEAN_RANK("c") " FROM candidate c JOIN class k"
                   " ON k.id = c.class JOIN image i ON i.id = c.image"
                   " WHERE i.name = '" IMG1 "' AND k.wnid = 'n01751748'"),
           "1.5", "mean rank over the models (2 and 1)");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM candidate c JOIN image i"
                       " ON i.id = c.image WHERE i.name IN ('" IMG1 "', '" IMG2
                       "')"), 4, "candidates: unique classes plus originals");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM prediction"
                       " WHERE score IS NULL"), 1, "an empty score is NULL");

    /* Scores come back as the very doubles imported: millionths stored
     * as whole numbers where that is exact, the REAL itself otherwise. */
    file = spews("scores.csv", "image,model,rank,wnid,score\n"
                 IMG3 ",rt,1,n01440764,0.61\n"
                 IMG3 ",rt,2,n01443537,0.123456789012\n"
                 IMG3 ",rt,3,n01484850,-2.5e-12\n"
                 IMG3 ",rt,4,n01491361,1234567.5\n"
                 IMG3 ",rt,5,n01494475,1\n");
    ok(run_import(p, PREDS_K, file, NULL, &res, &err) == 0,
       "scores of every size: %s", err.msg);
    is_str(raw_str(p->path, "SELECT group_concat(typeof(p.score) || ':'"
                   " || (p.score = v.x), ' ') FROM prediction p JOIN model m"
                   " ON m.id = p.model JOIN (SELECT 1 AS r, 0.61 AS x UNION"
                   " SELECT 2, 0.123456789012 UNION SELECT 3, -2.5e-12"
                   " UNION SELECT 4, 1234567.5 UNION SELECT 5, 1.0) v"
                   " ON v.r = p.rank WHERE m.name = 'rt' ORDER BY p.rank"),
           "real:1 real:1 real:1 real:1 real:1",
           "each score reads back exactly (test_predpack: compactly)");

    /* No model or rank column: model from the file name, ranks in file
     * order after those stored. */
    file = spews("resnet.csv", "image,wnid\n" IMG2 ",n09193705\n"
                 IMG2 ",n09468604\n");
    ok(run_import(p, PREDS_K, file, NULL, &res, &err) == 0,
       "a file of one model");
    is_str(raw_str(p->path, "SELECT group_concat(p.rank || ':' || k.wnid)"
                   " FROM (SELECT * FROM prediction ORDER BY rank) p"
                   " JOIN model m ON m.id = p.model"
                   " JOIN class k ON k.id = p.class WHERE m.name = 'resnet'"),
           "1:n09193705,2:n09468604", "model named after the file, ranks in "
           "file order");
    file = spews("more.csv", "image,wnid\n" IMG2 ",n01440764\n");
    o.dry_run = false;
    o.model = "resnet";
    ok(run_import(p, PREDS_K, file, &o, &res, &err) == 0
       && fx_file_int(p->path, "SELECT max(rank) FROM prediction p"
                      " JOIN model m ON m.id = p.model"
                      " WHERE m.name = 'resnet'") == 3,
       "--model, and ranks continue after the stored ones");
    is_str(raw_str(p->path, "SELECT n_models || ' ' || " RL_SQL_MEAN_RANK("c") " FROM"
                   " candidate c JOIN class k ON k.id = c.class JOIN image i"
                   " ON i.id = c.image WHERE i.name = '" IMG2 "' AND k.idx ="
                   " 979"), "2 1.5", "a grouped file's candidates count the "
           "stored models too (m1 rank 1, resnet rank 2)");

    /* A file not grouped by image: an image met again after another. */
    file = spews("ungrouped.csv", "image,model,wnid\n" IMG1 ",rt,n01440764\n"
                 IMG2 ",rt,n01440764\n" IMG1 ",rt,n01443537\n");
    ok(run_import(p, PREDS_K, file, NULL, &res, &err) == 0,
       "a file not grouped by image: %s", err.msg);
    is_str(raw_str(p->path, "SELECT group_concat(p.rank || ':' || k.wnid)"
                   " FROM (SELECT * FROM prediction ORDER BY rank) p"
                   " JOIN model m ON m.id = p.model JOIN image i ON i.id ="
                   " p.image JOIN class k ON k.id = p.class WHERE m.name ="
                   " 'rt' AND i.name = '" IMG1 "'"),
           "1:n01440764,2:n01443537", "its ranks continue across the runs");
    is_str(raw_str(p->path, "SELECT group_concat(k.wnid || '=' || n_models"
                   " || '/' || " RL_SQL_MEAN_RANK("c") ", ' ') FROM (SELECT * FROM candidate"
                   " ORDER BY class) c JOIN class k ON k.id = c.class JOIN"
                   " image i ON i.id = c.image WHERE i.name = '" IMG1 "'"),
           "n01440764=1/1.0 n01443537=1/2.0 n01737021=1/1.0 "
           "n01751748=2/1.5", "and its candidates are grouped whole");
    bad_import(p, PREDS_K, "a class named again after another image",
               "image,model,wnid\n" IMG1 ",rt,n01484850\n" IMG2
               ",rt,n01484850\n" IMG1 ",rt,n01484850\n", 0, NULL, RL_E_DUP,
               ":4: wnid: duplicate key (first on line 2)");

    bad_import(p, PREDS_K, "unknown image",
               "image,wnid\n" IMG3 ",n01440764\nnope.JPEG,n01440764\n", 0,
               NULL, RL_E_NOTFOUND, ":3: image: unknown image 'nope.JPEG'");
    bad_import(p, PREDS_K, "unknown class",
               "image,wnid\n" IMG3 ",n01440764\n" IMG3 ",n0000\n", 0,
               NULL, RL_E_NOTFOUND, ":3: wnid: unknown class 'n0000'");
    bad_import(p, PREDS_K, "rank 0",
               "image,wnid,rank\n" IMG3 ",n01440764,1\n" IMG3
               ",n01443537,0\n", 0, NULL, RL_E_PARSE,
               ":3: rank: expected a whole number from 1, found '0'");
    bad_import(p, PREDS_K, "rank not a number",
               "image,wnid,rank\n" IMG3 ",n01440764,1\n" IMG3
               ",n01443537,2nd\n", 0, NULL, RL_E_PARSE,
               ":3: rank: expected a whole number");
    bad_import(p, PREDS_K, "score not a number",
               "image,wnid,score\n" IMG3 ",n01440764,0.5\n" IMG3
               ",n01443537,high\n", 0, NULL, RL_E_PARSE,
               ":3: score: not a number: 'high'");
    bad_import(p, PREDS_K, "score NaN",
               "image,wnid,score\n" IMG3 ",n01440764,0.5\n" IMG3
               ",n01443537,nan\n", 0, NULL, RL_E_PARSE,
               ":3: score: not a number: 'nan'");
    bad_import(p, PREDS_K, "empty model",
               "image,wnid,model\n" IMG3 ",n01440764,m1\n" IMG3
               ",n01443537,\n", 0, NULL, RL_E_PARSE,
               ":3: model: empty model name");
    bad_import(p, PREDS_K, "duplicate key in the file",
               "image,wnid,model\n" IMG3 ",n01440764,m9\n" IMG3
               ",n01443537,m9\n" IMG3 ",n01440764,m9\n", 0, NULL, RL_E_DUP,
               ":4: wnid: duplicate key (first on line 2)");
    bad_import(p, PREDS_K, "rank taken in the project",
               "image,wnid,model,rank\n" IMG3 ",n01440764,m7,1\n"
               IMG1 ",n01443537,m1,1\n", 0, NULL, RL_E_DUP,
               ":3: rank: duplicate key: model 'm1' has a prediction at "
               "rank 1");
    bad_import(p, PREDS_K, "wrong column count",
               "image,wnid,model\n" IMG3 ",n01440764,m1\n" IMG3
               ",n01443537\n", 0, NULL, RL_E_PARSE,
               ":3: expected 3 fields, found 2");
    bad_import(p, PREDS_K, "non-UTF-8 model",
               "image,wnid,model\n" IMG3 ",n01440764,m1\n" IMG3
               ",n01443537,m\xc3\x28\n", 0, NULL, RL_E_PARSE,
               ":3: column model: not valid UTF-8");
    bad_import(p, PREDS_K, "missing column", "image,model\n" IMG3 ",m1\n",
               0, NULL, RL_E_PARSE, ":1: missing column 'wnid'");
}

/* ---- reviews -------------------------------------------------------- */

/* A schema-7 project (one row per prediction, score6) migrates to the
 * packed rows of schema 8 and reads back exactly the same predictions:
 * ranks (with gaps), classes, scores that are whole millionths or not,
 * negative ones and absent ones. Made from this project by VACUUM INTO
 * and undoing schema 8 (fixture.h). */
static void
test_migrate_v6(struct proj *p)
{
    static const char cmp[] =
        "SELECT count(*) FROM (SELECT * FROM snap EXCEPT SELECT image,"
        " model, rank, class, score FROM prediction)";
    static const char cmp_back[] =
        "SELECT count(*) FROM (SELECT image, model, rank, class, score FROM"
        " prediction EXCEPT SELECT * FROM snap)";
    const char *copy = cpath("v6.db"), *file;
    char *sql;
    rl_import_result res;
    rl_store *s;
    sqlite3 *h;
    rl_err err;
    int rc;

    file = spews("gappy.csv", "image,model,rank,wnid,score\n"
                 IMG1 ",resnet,2,n01440764,0.25\n"
                 IMG1 ",resnet,7,n01443537,\n"
                 IMG1 ",resnet,9,n01484850,-0.1234567891\n"
                 IMG3 ",resnet,1,n01440764,-3\n");
    ok(run_import(p, PREDS_K, file, NULL, &res, &err) == 0,
       "(imported ranks with gaps and odd scores: %s)", err.msg);
    unlink(copy);
    sql = rl_xasprintf("VACUUM INTO '%s'", copy);
    rc = sqlite3_open(p->path, &h) == SQLITE_OK
         && sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(h);
    free(sql);
    rc = rc && sqlite3_open(copy, &h) == SQLITE_OK
         && sqlite3_exec(h, "CREATE TABLE snap AS SELECT image, model, rank,"
                         " class, score FROM prediction;" FX_UNDO_V8
                         "PRAGMA user_version = 7", NULL, NULL, NULL)
            == SQLITE_OK;
    sqlite3_close(h);
    ok(rc, "(made a schema-6 copy)");
    is_str(raw_str(copy, "SELECT type FROM sqlite_schema WHERE name ="
                   " 'prediction'"), "table",
           "(its predictions are one row each)");
    ok(fx_file_int(copy, "SELECT count(*) FROM snap WHERE score IS NULL") > 0
       && fx_file_int(copy, "SELECT count(*) FROM snap WHERE score < 0") > 0
       && fx_file_int(copy, "SELECT count(*) FROM prediction WHERE"
                      " typeof(score6) = 'real'") > 0
       && fx_file_int(copy, "SELECT count(*) FROM snap WHERE rank > 5") > 0,
       "(with absent, negative and not-millionths scores, and gaps)");
    ok(fx_file_int(copy, cmp) == 0 && fx_file_int(copy, cmp_back) == 0,
       "(the copy's rows equal the project's)");

    s = rl_store_open(copy, 0, &err);
    ok(s != NULL, "a schema-6 project opens: %s", s ? "" : err.msg);
    rl_store_close(s);
    is_int(fx_file_int(copy, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "and is migrated to the current schema");
    is_str(raw_str(copy, "SELECT type FROM sqlite_schema WHERE name ="
                   " 'prediction'"), "view", "prediction is now the view");
    is_int(fx_file_int(copy, "SELECT count(*) FROM pred"),
           fx_file_int(copy, "SELECT count(*) FROM (SELECT DISTINCT image,"
                       " model FROM snap)"),
           "one packed row per image and model");
    is_int(fx_file_int(copy, cmp), 0, "every prediction is there, its rank, "
           "class and the very same score");
    is_int(fx_file_int(copy, cmp_back), 0, "and no other");
}

/* A migration that leaves a quarter of the file free or more gives it back
 * (VACUUM): a schema-7 copy whose 40,000 one-row predictions become packed
 * rows would otherwise keep their pages as free ones. */
static void
test_migrate_compacts(struct proj *p)
{
    static const char grow[] =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
        " WHERE i < 200) INSERT INTO image(name)"
        " SELECT printf('filler_%03d.JPEG', i) FROM n;"
        "INSERT INTO prediction(image, model, rank, class, score6)"
        " SELECT i.id, (SELECT min(id) FROM model), c.r, c.id, 500000"
        " FROM image i, (SELECT id, row_number() OVER (ORDER BY id) AS r"
        " FROM class ORDER BY id LIMIT 200) c"
        " WHERE i.name LIKE 'filler_%';"
        "PRAGMA user_version = 7";
    const char *copy = cpath("v7big.db");
    char *sql = rl_xasprintf("VACUUM INTO '%s'", copy);
    rl_store *s;
    sqlite3 *h;
    rl_err err;
    int rc;

    unlink(copy);
    rc = sqlite3_open(p->path, &h) == SQLITE_OK
         && sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(h);
    free(sql);
    rc = rc && sqlite3_open(copy, &h) == SQLITE_OK
         && sqlite3_exec(h, FX_UNDO_V8, NULL, NULL, NULL) == SQLITE_OK
         && sqlite3_exec(h, grow, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(h);
    ok(rc, "(made a schema-7 copy with 40,000 more predictions)");
    s = rl_store_open(copy, 0, &err);
    ok(s != NULL, "it opens: %s", s ? "" : err.msg);
    rl_store_close(s);
    is_int(fx_file_int(copy, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "(migrated)");
    is_int(fx_file_int(copy, "SELECT count(*) FROM prediction p JOIN image i"
                       " ON i.id = p.image WHERE i.name LIKE 'filler_%'"),
           40000,
           "every prediction is there, packed");
    is_int(fx_file_int(copy, "SELECT freelist_count * 4 < page_count FROM"
                       " pragma_freelist_count, pragma_page_count"), 1,
           "the pages of the one-row table are given back");
}

/* Share of the pages of b-tree `name` left unused (dbstat), in percent. */
static double
unused_pct(const char *db, const char *name)
{
    char *sql = rl_xasprintf("SELECT CAST(round(sum(unused) * 1000.0"
                             " / sum(pgsize)) AS INTEGER) FROM dbstat"
                             " WHERE name = '%s'", name);
    long long v = fx_file_int(db, sql);

    free(sql);
    return (double)v / 10.0;
}

/* A project's first predictions fill pred's and candidate's pages (the
 * transfer from a TEMP copy): 4,000 images of 5 models x top-5, row by
 * row 12% of pred and 9% of candidate would be unused. The rows are those
 * of the file, the candidates those the predictions give plus the labels
 * and a class a reviewer added (with its verdict), and foreign keys are
 * on again after. */
static void
test_first_predictions_packed(void)
{
    struct proj q;
    rl_import_result res;
    rl_buf lab = {0}, pr = {0};
    sqlite3_stmt *st;
    int i, m, r, fk = -1;

    rl_buf_adds(&lab, "image,wnid\n");
    rl_buf_adds(&pr, "image,model,rank,wnid,score\n");
    for (i = 0; i < 4000; i++) {
        rl_buf_printf(&lab, "img_%05d.JPEG,%d\n", i, i % 1000);
        for (m = 0; m < 5; m++)
            for (r = 0; r < 5; r++)
                rl_buf_printf(&pr, "img_%05d.JPEG,m%d,%d,%d,0.%d%d\n", i,
                              m + 1, r + 1, (i * 7 + m * 3 + r * 101) % 1000,
                              9 - r, m);
    }
    proj_new(&q, "packed.db");
    must_import(&q, LABELS_K, spews("packed_labels.csv", lab.data), NULL,
                &res);
    must_import(&q, REVIEWS_K, spews("packed_rev.csv",
                "image,wnid,state,reviewer,updated_at\n"
                "img_00001.JPEG,999,correct,ann,2026-01-02T03:04:05Z\n"),
                NULL, &res);
    must_import(&q, PREDS_K, spews("packed_preds.csv", pr.data), NULL, &res);
    if (sqlite3_prepare_v2(q.s->db, "PRAGMA foreign_keys", -1, &st, NULL)
        == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        fk = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    proj_free(&q);
    is_int(fk, 1, "foreign keys are on again after the import");
    is_int(fx_file_int(q.path, "SELECT count(*) FROM pred"), 20000,
           "one packed row per image and model");
    is_int(fx_file_int(q.path, "SELECT count(*) FROM (SELECT DISTINCT image,"
                       " model FROM pred)"), 20000, "(each pair once)");
    ok(unused_pct(q.path, "pred") < 3.0, "pred's pages are full: %.1f%% "
       "unused", unused_pct(q.path, "pred"));
    ok(unused_pct(q.path, "candidate") < 3.0, "and candidate's: %.1f%% "
       "unused", unused_pct(q.path, "candidate"));
    is_int(fx_file_int(q.path, "SELECT count(*) FROM (SELECT image, class,"
                       " count(*) AS n, sum(rank) AS s FROM prediction"
                       " GROUP BY image, class) p LEFT JOIN candidate c"
                       " USING(image, class) WHERE c.n_models IS NOT p.n"
                       " OR c.rank_sum IS NOT p.s"), 0,
           "each predicted class is a candidate with its count and rank sum");
    is_int(fx_file_int(q.path, "SELECT count(*) FROM candidate c WHERE NOT"
                       " EXISTS (SELECT 1 FROM prediction p WHERE p.image ="
                       " c.image AND p.class = c.class)"),
           fx_file_int(q.path, "SELECT count(*) FROM image i WHERE NOT EXISTS"
                       " (SELECT 1 FROM prediction p WHERE p.image = i.id AND"
                       " p.class = i.label)") + 1,
           "the others: labels no model proposed, and the added class");
    is_str(raw_str(q.path, "SELECT c.added_by || ' ' || c.n_models || ' '"
                   " || r.state FROM candidate c JOIN review r"
                   " USING(image, class) JOIN image i ON i.id = c.image"
                   " JOIN class k ON k.id = c.class WHERE i.name ="
                   " 'img_00001.JPEG' AND k.idx = 999"), "ann 0 correct",
           "the added class keeps its adder and its verdict");
    is_int(fx_file_int(q.path, "SELECT count(*) FROM pred p LEFT JOIN image i"
                       " ON i.id = p.image LEFT JOIN model m ON m.id = p.model"
                       " WHERE i.id IS NULL OR m.id IS NULL"), 0,
           "every row names a stored image and model");
    is_int(fx_file_int(q.path, "SELECT count(*)"
                       " FROM pragma_foreign_key_check"),
           0, "no foreign key broken");
    rl_buf_free(&lab);
    rl_buf_free(&pr);
}

static void
test_reviews(struct proj *p)
{
    const char *file = spews("reviews.csv", REVIEWS);
    rl_import_result res;
    rl_import_opts o = {0};
    rl_err err;
    char *before, *after, *out;
    int64_t id;

    before = snapshot(p->path);
    o.dry_run = true;
    ok(run_import(p, REVIEWS_K, file, &o, &res, &err) == 0
       && res.rows == 10 && res.created == 10 && res.changed == 0,
       "reviews: dry run counts as the import does");
    after = snapshot(p->path);
    ok(strcmp(before, after) == 0, "dry run stores nothing");
    free(before);
    free(after);

    ok(run_import(p, REVIEWS_K, file, NULL, &res, &err) == 0,
       "import long-form reviews: %s", err.msg);
    ok(res.rows == 10 && res.created == 10 && res.changed == 0
       && res.unchanged == 0 && res.empty == 0,
       "10 rows: 9 new verdicts, 1 new flag (a flag-only row)");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM review"), 9, "9 stored");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM step WHERE kind ="
                       " 'import'"), 2, "one import step per reviewer");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM event e JOIN step s ON"
                       " s.id = e.step WHERE s.kind = 'import'"), 13,
           "each verdict, flag, note and added candidate logged as an "
           "event");
    is_str(raw_str(p->path, "SELECT added_by FROM candidate c JOIN class k"
                   " ON k.id = c.class WHERE k.wnid = 'n01443537'"
                   " AND c.image = (SELECT id FROM image WHERE name LIKE"
                   " 'odd%')"), "alice",
           "a class no model proposed became a candidate, added by alice");
    is_str(raw_str(p->path, "SELECT note FROM flag f JOIN image i ON i.id ="
                   " f.image WHERE i.name = '" IMG2 "' AND reviewer ="
                   " 'alice'"), "foggy", "note stored");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM flag WHERE problematic"),
           2, "two problematic flags (alice on img2, bob on img3)");
    ok(rl_review_undo(p->s, "alice", &id, &err) == 0,
       "imports are not undoable");

    ok(run_import(p, REVIEWS_K, file, NULL, &res, &err) == 0
       && res.created == 0 && res.changed == 0 && res.unchanged == 10,
       "importing again: all 10 rows unchanged");
    is_int(fx_file_int(p->path, "SELECT count(*) FROM event e JOIN step s ON"
                       " s.id = e.step WHERE s.kind = 'import'"), 13,
           "and nothing new logged");

    out = export_str(p, RL_EXPORT_LONG, NULL, &err);
    is_str(out, LONG_EXPORT, "long export: every verdict, sorted, times "
           "kept");
    free(out);
    out = export_str(p, RL_EXPORT_WIDE, NULL, &err);
    is_str(out, WIDE_EXPORT, "wide export: majority, tie is unclear");
    free(out);
    out = export_str(p, RL_EXPORT_WIDE, "alice", &err);
    is_str(out, WIDE_ALICE, "wide export of one reviewer");
    free(out);
    /* real-json is matched by image number: the odd name is refused. */
    out = export_str(p, RL_EXPORT_REAL_JSON, NULL, &err);
    ok(out == NULL && err.code == RL_E_USAGE
       && strstr(err.msg, "does not follow the numbering") != NULL
       && strstr(err.msg, "tfds-multilabel") != NULL,
       "ReaL JSON refuses a name off the numbering, naming other formats");
    free(out);

    /* One reviewer, one state, no state column. */
    file = spews("carol.csv", "image,wnid\n" IMG3 ",n02085620\n");
    o.dry_run = false;
    o.reviewer = "carol";
    o.state = "wrong";
    ok(run_import(p, REVIEWS_K, file, &o, &res, &err) == 0
       && res.created == 1, "--state and --reviewer for a plain list");
    is_str(raw_str(p->path, "SELECT state || ',' || reviewer FROM review"
                   " WHERE reviewer = 'carol'"), "wrong,carol",
           "stored as carol's wrong");
    ok(fx_file_int(p->path, "SELECT updated_at FROM review WHERE reviewer ="
                   " 'carol'") > 1700000000000LL, "a row without a time gets "
       "the import time");
    o.state = "nope";
    ok(run_import(p, REVIEWS_K, file, &o, &res, &err) == -1
       && err.code == RL_E_USAGE, "a bad --state: %s", err.msg);
    o.state = NULL;
    bad_import(p, REVIEWS_K, "no state column and no --state",
               "image,wnid\n" IMG3 ",n02085620\n", 0, &o, RL_E_PARSE,
               ":1: state: no 'state' column");

    /* A changed verdict counts as changed. */
    file = spews("change.csv", "image,wnid,state,reviewer\n" IMG3
                 ",n02085620,correct,carol\n");
    ok(run_import(p, REVIEWS_K, file, NULL, &res, &err) == 0
       && res.changed == 1, "a different verdict counts as changed");

    bad_import(p, REVIEWS_K, "bad state",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",n01737021,yes,dan\n", 0, NULL, RL_E_PARSE,
               ":3: state: expected correct, wrong, unclear or dont_know, "
               "found 'yes'");
    bad_import(p, REVIEWS_K, "unknown image",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               "nope.JPEG,n01737021,wrong,dan\n", 0, NULL, RL_E_NOTFOUND,
               ":3: image: unknown image 'nope.JPEG'");
    bad_import(p, REVIEWS_K, "unknown class",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",n0999,wrong,dan\n", 0, NULL, RL_E_NOTFOUND,
               ":3: wnid: unknown class 'n0999'");
    bad_import(p, REVIEWS_K, "duplicate key",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",n01737021,wrong,dan\n" IMG1 ",65,wrong,dan\n", 0,
               NULL, RL_E_DUP, ":4: wnid: duplicate key");
    bad_import(p, REVIEWS_K, "bad problematic",
               "image,wnid,state,reviewer,problematic\n" IMG1
               ",n01751748,correct,dan,1\n" IMG1 ",n01737021,wrong,dan,maybe\n",
               0, NULL, RL_E_PARSE, ":3: problematic: expected 1 or 0");
    bad_import(p, REVIEWS_K, "bad time",
               "image,wnid,state,reviewer,updated_at\n" IMG1
               ",n01751748,correct,dan,\n" IMG1 ",n01737021,wrong,dan,"
               "yesterday\n", 0, NULL, RL_E_PARSE,
               ":3: updated_at: expected a time");
    bad_import(p, REVIEWS_K, "state without class",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",,wrong,dan\n", 0, NULL, RL_E_PARSE,
               ":3: wnid: empty, but the row has a state");
    bad_import(p, REVIEWS_K, "empty reviewer",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",n01737021,wrong,\n", 0, NULL, RL_E_PARSE,
               ":3: reviewer: empty reviewer");
    bad_import(p, REVIEWS_K, "wrong column count",
               "image,wnid,state,reviewer\n" IMG1 ",n01751748,correct,dan\n"
               IMG1 ",n01737021,wrong\n", 0, NULL, RL_E_PARSE,
               ":3: expected 4 fields, found 3");
    bad_import(p, REVIEWS_K, "non-UTF-8 note",
               "image,wnid,state,reviewer,note\n" IMG1
               ",n01751748,correct,dan,ok\n" IMG1 ",n01737021,wrong,dan,"
               "caf\xe9\n", 0, NULL, RL_E_PARSE,
               ":3: column note: not valid UTF-8");
    bad_import(p, REVIEWS_K, "missing image column",
               "name,wnid,state\nx,n01751748,correct\n", 0, NULL,
               RL_E_PARSE, ":1: missing column 'image'");
}

static void
test_wide_import(struct proj *p)
{
    rl_import_result res;
    rl_import_opts o = {0};
    rl_err err;
    const char *file = spews("wide.csv",
        "image,correct,wrong,unclear,dont_know,problematic,main\n"
        IMG1 ",n01751748 n01737021,,,,0,n01751748\n"
        IMG2 ",n09193705,n09468604 n01440764,,,1,\n");

    ok(run_import(p, REVIEWS_K, file, &o, &res, &err) == -1
       && err.code == RL_E_USAGE, "wide form needs a reviewer: %s", err.msg);
    o.reviewer = "wendy";
    ok(run_import(p, REVIEWS_K, file, &o, &res, &err) == 0
       && res.rows == 2 && res.created == 2, "wide form as wendy: %s",
       err.msg);
    is_str(raw_str(p->path, "SELECT k.wnid FROM flag f JOIN class k ON"
                   " k.id = f.main WHERE reviewer = 'wendy'"), "n01751748",
           "main object stored");
    is_int(fx_file_int(p->path, "SELECT problematic FROM flag f"
                       " JOIN image i ON i.id = f.image"
                       " WHERE reviewer = 'wendy' AND i.name = '" IMG2 "'"),
           1, "problematic stored");

    bad_import(p, REVIEWS_K, "wide: class in two lists",
               "image,correct,wrong\n" IMG3 ",n02085620,\n"
               IMG1 ",n01751748,n01751748\n", 0, &o, RL_E_DUP,
               ":3: wrong: duplicate key");
    bad_import(p, REVIEWS_K, "wide: unknown class",
               "image,correct,unclear\n" IMG3 ",n02085620,\n"
               IMG1 ",n01751748,n09999999\n", 0, &o, RL_E_NOTFOUND,
               ":3: unclear: unknown class 'n09999999'");
    bad_import(p, REVIEWS_K, "wide: duplicate image",
               "image,correct\n" IMG3 ",n02085620\n" IMG1 ",n01751748\n"
               IMG3 ",n02085620\n", 0, &o, RL_E_DUP,
               ":4: image: duplicate key (first on line 2)");
    bad_import(p, REVIEWS_K, "wide: unknown main",
               "image,correct,main\n" IMG3 ",n02085620,\n"
               IMG1 ",n01751748,crane\n", 0, &o, RL_E_NOTFOUND,
               ":3: main: unknown class 'crane'");
    bad_import(p, REVIEWS_K, "wide: bad problematic",
               "image,correct,problematic\n" IMG3 ",n02085620,0\n"
               IMG1 ",n01751748,2\n", 0, &o, RL_E_PARSE,
               ":3: problematic: expected 1 or 0");
    /* The long form's new columns. */
    bad_import(p, REVIEWS_K, "long: bad role",
               "image,wnid,state,reviewer,role\n" IMG3 ",n02085620,correct,"
               "zed,reviewer\n" IMG1 ",n01751748,correct,zed,boss\n", 0, &o,
               RL_E_PARSE, ":3: role: expected reviewer or adjudicator, "
               "found 'boss'");
    bad_import(p, REVIEWS_K, "long: main on a verdict row names another class",
               "image,wnid,state,reviewer,main\n" IMG3 ",n02085620,correct,"
               "zed,\n" IMG1 ",n01751748,correct,zed,n01737021\n", 0, &o,
               RL_E_PARSE, ":3: main: on a verdict row: 1, 0 or the row's "
               "class, found 'n01737021'");
    bad_import(p, REVIEWS_K, "long: unknown main object on an image row",
               "image,wnid,state,reviewer,main\n" IMG3 ",n02085620,correct,"
               "zed,\n" IMG1 ",,,zed,n0000\n", 0, &o, RL_E_NOTFOUND,
               ":3: main: unknown class 'n0000'");
    bad_import(p, REVIEWS_K, "long: added_by not a reviewer name",
               "image,wnid,state,reviewer,added_by\n" IMG3 ",n02085620,"
               "correct,zed,\n" IMG1 ",n01751748,correct,zed,\"a,b\"\n", 0,
               &o, RL_E_PARSE, ":3: added_by: 'a,b' is not a reviewer name");
    bad_import(p, REVIEWS_K, "long: bad done",
               "image,wnid,state,reviewer,done\n" IMG3 ",n02085620,correct,"
               "zed,1\n" IMG1 ",,,zed,maybe\n", 0, &o, RL_E_PARSE,
               ":3: done: expected 1 or 0, found 'maybe'");
    bad_import(p, REVIEWS_K, "wide: unknown image",
               "image,correct\n" IMG3 ",n02085620\nnope.JPEG,n01751748\n", 0,
               &o, RL_E_NOTFOUND, ":3: image: unknown image 'nope.JPEG'");
}

/* ---- round trips ---------------------------------------------------- */

/* Exports `f` from `p`, imports it into a fresh project that has only the
 * labels, exports again: the two texts must be identical. */
static void
round_trip(struct proj *p, rl_export_format f, const char *what,
           const char *name)
{
    char file[64];
    rl_import_opts o = {0};
    rl_err err;
    char *first = export_str(p, f, NULL, &err), *second;
    struct proj q;

    snprintf(file, sizeof file, "%s.csv", name);
    ok(first != NULL, "%s: export", what);
    if (first == NULL)
        return;
    spews(file, first);
    proj_new(&q, name);
    must_import(&q, LABELS_K, cpath("labels.csv"), NULL, NULL);
    o.reviewer = "consensus";
    ok(run_import(&q, REVIEWS_K, cpath(file), &o, NULL, &err) == 0,
       "%s: import into a fresh project: %s", what, err.msg);
    second = export_str(&q, f, NULL, &err);
    is_str(second, first, what);
    free(second);
    second = export_str(&q, RL_EXPORT_REAL_JSON, NULL, &err);
    {
        char *orig = export_str(p, RL_EXPORT_REAL_JSON, NULL, &err);

        /* Both refuse the odd name, or both write the same lists. */
        ok(second == orig || (second != NULL && orig != NULL
                              && strcmp(second, orig) == 0),
           "and the ReaL JSON agrees");
        free(orig);
    }
    free(second);
    free(first);
    proj_free(&q);
}

static void
test_exports_misc(struct proj *p)
{
    rl_err err;
    FILE *full = fopen("/dev/full", "w");
    rl_stats st;

    if (full != NULL) {
        rl_err_clear(&err);
        ok(rl_export(p->s, p->cat, RL_EXPORT_LONG, NULL, full, &err) == -1
           && err.code == RL_E_IO, "a failed write is reported: %s",
           err.msg);
        fclose(full);
    } else {
        ok(1, "# SKIP no /dev/full");
    }

    ok(rl_store_stats(p->s, &st, &err) == 0, "stats");
    ok(st.classes == 1000 && st.models == 4
       && st.images == fx_file_int(p->path, "SELECT count(*) FROM image")
       && st.reviewed_candidates + st.unreviewed_candidates == st.candidates,
       "stats: classes, models, images; reviewed + unreviewed = all");
    ok(st.n_rev == 4 && strcmp(st.rev[0].name, "alice") == 0
       && st.rev[0].reviews == 6 && st.rev[0].images == 3
       && st.rev[0].problematic == 1, "per reviewer: alice has 6 verdicts "
       "on 3 images, 1 flag");
    rl_stats_free(&st);
}

int
main(void)
{
    struct proj p;

    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_test_csvio_XXXXXX");
    predpack_register_all();
    if (mkdtemp(tmpdir) == NULL || realpath(tmpdir, realtmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    proj_new(&p, "main.db");
    test_labels(&p);
    test_progress(&p);
    test_predictions(&p);
    test_migrate_v6(&p);
    test_migrate_compacts(&p);
    test_first_predictions_packed();
    test_reviews(&p);
    round_trip(&p, RL_EXPORT_LONG, "long round trip is identical",
               "rt_long");
    round_trip(&p, RL_EXPORT_WIDE, "wide round trip is identical",
               "rt_wide");
    test_wide_import(&p);
    round_trip(&p, RL_EXPORT_WIDE, "wide round trip with a main object",
               "rt_wide2");
    test_images(&p);
    test_exports_misc(&p);
    proj_free(&p);
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
