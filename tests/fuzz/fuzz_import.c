/* fuzz_import.c - the CSV importers (csvio.h) on a real project.
 *
 * Once per process: a project in a temporary folder with the shipped
 * catalog, four images with labels, predictions of two models and reviews
 * of two reviewers, and two image files on disk. Per input: byte 0 picks
 * the importer (bits 0-1: labels, predictions, reviews, images) and
 * whether default options are given (bit 2); the rest is written to a
 * file and imported with dry_run, so the project never changes. Checks:
 * a result of 0 or -1 with a message, no transaction left open, and every
 * table an import may touch unchanged (a digest over their rows, read on
 * the same connection, so uncommitted changes count too). */
#include "fuzz.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "internal.h"       /* struct rl_store: the connection, depth */

#ifndef RL_SRC_SHARE
#define RL_SRC_SHARE "share/relabel"
#endif

static char dir[256];           /* the temporary folder */
static char csv_path[PATH_MAX]; /* where each input is written */
static rl_store *store;
static rl_catalog *cat;
static uint64_t baseline;       /* digest of the project after setup */

static const char LABELS[] =
    "image,wnid,dataset\n"
    "ILSVRC2012_val_00000001.JPEG,n01751748,val\n"
    "ILSVRC2012_val_00000002.JPEG,n09193705,val\n"
    "ILSVRC2012_val_00000003.JPEG,151,v2\n"
    "\"odd, \"\"name\"\".JPEG\",n01440764,\n";
static const char PREDS[] =
    "image,model,rank,wnid,score\n"
    "ILSVRC2012_val_00000001.JPEG,m1,1,n01737021,0.6\n"
    "ILSVRC2012_val_00000001.JPEG,m1,2,n01751748,0.3\n"
    "ILSVRC2012_val_00000001.JPEG,m2,1,n01751748,\n"
    "ILSVRC2012_val_00000002.JPEG,m1,1,979,0.9\n";
static const char REVIEWS[] =
    "image,wnid,state,reviewer,problematic,updated_at,note\n"
    "ILSVRC2012_val_00000001.JPEG,n01751748,correct,alice,,"
    "2026-01-02T03:04:05.678Z,\n"
    "ILSVRC2012_val_00000001.JPEG,n01737021,wrong,bob,1,"
    "2026-01-02T03:04:06Z,blurry\n"
    "ILSVRC2012_val_00000003.JPEG,,,bob,1,2026-01-05T00:00:01.000Z,\n";
static const char IMAGES[] =
    "image,path\n"
    "ILSVRC2012_val_00000001.JPEG,img/a.JPEG\n"
    "new.JPEG,img/b.JPEG\n";

/* Tables an import may write; the class tables are left out (large,
 * and no import touches them). */
static const char *const tables[] = {
    "meta", "image", "model", "prediction", "candidate", "review", "flag",
    "timing", "step", "event",
};

static _Noreturn void
die(const char *what, const rl_err *err)
{
    fuzz_fail(__FILE__, __LINE__, "setup: %s: %s", what,
              err != NULL ? err->msg : "failed");
}

static void
spew(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        die(path, NULL);
}

static int
digest_row(void *ctx, int n, char **vals, char **names)
{
    uint64_t *h = ctx;

    (void)names;
    for (int i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)
            (vals[i] != NULL ? vals[i] : "\x01NULL");

        do {                    /* FNV-1a, the NUL included as separator */
            *h ^= *p;
            *h *= 0x100000001b3ULL;
        } while (*p++ != '\0');
    }
    return 0;
}

static uint64_t
digest(void)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *sql = rl_xasprintf("SELECT * FROM %s", tables[i]);

        if (sqlite3_exec(store->db, sql, digest_row, &h, NULL) != SQLITE_OK)
            fuzz_fail(__FILE__, __LINE__, "%s: %s", sql,
                      sqlite3_errmsg(store->db));
        free(sql);
    }
    return h;
}

static int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *f)
{
    (void)sb;
    (void)type;
    (void)f;
    return remove(p);
}

static void
cleanup(void)
{
    rl_catalog_free(cat);
    rl_store_close(store);
    cat = NULL;
    store = NULL;
    if (dir[0] != '\0')
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    rl_import_opts o = { .reviewer = "setup" };
    char path[PATH_MAX];
    rl_err err;

    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");

    if (tmp == NULL || *tmp == '\0' || strlen(tmp) > sizeof dir - 24)
        tmp = "/tmp";
    snprintf(dir, sizeof dir, "%s/rl-fuzz-import-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/project.relabel", dir);
    if ((store = rl_store_open(path, RL_STORE_CREATE, &err)) == NULL
        || rl_catalog_install(store, RL_SRC_SHARE, &err) != 0
        || (cat = rl_catalog_load(store, &err)) == NULL)
        die(path, &err);

    snprintf(path, sizeof path, "%s/img", dir);
    if (mkdir(path, 0700) != 0)
        die(path, NULL);
    snprintf(path, sizeof path, "%s/img/a.JPEG", dir);
    spew(path, "\xff\xd8\xff", 3);
    snprintf(path, sizeof path, "%s/img/b.JPEG", dir);
    spew(path, "\xff\xd8\xff", 3);

    snprintf(path, sizeof path, "%s/labels.csv", dir);
    spew(path, LABELS, sizeof LABELS - 1);
    if (rl_import_labels(store, cat, path, &o, NULL, &err) != 0)
        die(path, &err);
    snprintf(path, sizeof path, "%s/preds.csv", dir);
    spew(path, PREDS, sizeof PREDS - 1);
    if (rl_import_predictions(store, cat, path, &o, NULL, &err) != 0)
        die(path, &err);
    snprintf(path, sizeof path, "%s/reviews.csv", dir);
    spew(path, REVIEWS, sizeof REVIEWS - 1);
    if (rl_import_reviews(store, cat, path, &o, NULL, &err) != 0)
        die(path, &err);
    snprintf(path, sizeof path, "%s/images.csv", dir);
    spew(path, IMAGES, sizeof IMAGES - 1);
    if (rl_import_images(store, cat, path, &o, NULL, &err) != 0)
        die(path, &err);

    snprintf(csv_path, sizeof csv_path, "%s/fuzz.csv", dir);
    baseline = digest();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rl_import_opts o = { .dry_run = true };
    rl_import_result res;
    rl_err err;
    int rc;

    if (size == 0)
        return 0;
    if (data[0] & 4) {
        o.reviewer = "fuzz";
        o.dataset = "val";
        o.root = dir;
        o.state = (data[0] & 8) ? "correct" : "maybe";
        o.model = "m1";
    }
    spew(csv_path, data + 1, size - 1);
    rl_err_clear(&err);
    switch (data[0] & 3) {
    case 0:
        rc = rl_import_labels(store, cat, csv_path, &o, &res, &err);
        break;
    case 1:
        rc = rl_import_predictions(store, cat, csv_path, &o, &res, &err);
        break;
    case 2:
        rc = rl_import_reviews(store, cat, csv_path, &o, &res, &err);
        break;
    default:
        rc = rl_import_images(store, cat, csv_path, &o, &res, &err);
        break;
    }

    FUZZ_CHECK(rc == 0 || rc == -1, "import returned %d", rc);
    if (rc != 0)
        FUZZ_CHECK(err.code != RL_E_OK && err.msg[0] != '\0',
                   "failure without a message");
    else
        FUZZ_CHECK(res.rows >= 0 && res.created >= 0 && res.changed >= 0
                   && res.unchanged >= 0, "negative counts");
    FUZZ_CHECK(store->depth == 0 && sqlite3_get_autocommit(store->db),
               "transaction left open (depth %d) after: %s", store->depth,
               rc != 0 ? err.msg : "success");
    FUZZ_CHECK(digest() == baseline, "dry run changed the project (%s)",
               rc != 0 ? err.msg : "success");
    return 0;
}
