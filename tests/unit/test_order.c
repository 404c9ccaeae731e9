/* test_order.c - the queue orders that put doubtful images first: the
 * doubts of a small project computed by hand (see each comment), the
 * resulting queue orders with ties and images without a doubt, the
 * seeded random order, and parsing of order names. */
#include "relabel/order.h"

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"
#include "../../src/core/internal.h"


static const char LABELS[] =
    "image,wnid\n"
    "img_a.JPEG,n01751748\n"      /* sea snake */
    "img_b.JPEG,n09193705\n"      /* alp */
    "img_c.JPEG,n02085620\n"      /* Chihuahua */
    "img_d.JPEG,n01440764\n";     /* tench */
/* img_e has no predictions; img_f has no original label. */
static const char IMAGES[] = "image,path\nimg_e.JPEG,e.jpg\nimg_f.JPEG,f.jpg\n";
static const char PREDS[] =
    "image,model,rank,wnid,score\n"
    "img_a.JPEG,m1,1,n01737021,0.6\n"   /* water snake */
    "img_a.JPEG,m1,2,n01751748,0.3\n"   /* the label */
    "img_a.JPEG,m2,1,n01737021,0.9\n"
    "img_a.JPEG,m2,2,n01728572,0.05\n"  /* thunder snake */
    "img_a.JPEG,m3,1,n01751748,0.8\n"
    "img_a.JPEG,m3,2,n01737021,0.1\n"
    "img_b.JPEG,m1,1,n09468604,0.5\n"   /* valley */
    "img_b.JPEG,m1,2,n09193705,0.45\n"
    "img_f.JPEG,m1,1,n01440764,0.9\n";
/* Rank-only predictions (no score column). */
static const char PREDS_RANKS[] =
    "image,model,rank,wnid\n"
    "img_c.JPEG,r1,1,n02085620\n"
    "img_c.JPEG,r2,1,n02085620\n"
    "img_c.JPEG,r2,2,n02085782\n"       /* Japanese spaniel */
    "img_d.JPEG,r1,1,n01443537\n"       /* goldfish */
    "img_d.JPEG,r1,2,n01440764\n"
    "img_d.JPEG,r2,1,n01443537\n";

static rl_store *
make_project(void)
{
    rl_catalog *cat;
    rl_store *s = fx_project("p.db", &cat);

    spew("e.jpg", "");
    spew("f.jpg", "");
    fx_import(s, cat, "labels", "labels.csv", LABELS);
    fx_import(s, cat, "images", "images.csv", IMAGES);
    fx_import(s, cat, "predictions", "preds.csv", PREDS);
    fx_import(s, cat, "predictions", "ranks.csv", PREDS_RANKS);
    rl_catalog_free(cat);
    return s;
}

/* Image names of the queue, as one string "a b c ..." (letters only). */
static void
queue_letters(rl_store *s, const rl_queue *q, char *out, size_t n)
{
    sqlite3 *db;
    size_t i, k = 0;
    char *path = tpath("p.db");

    (void)s;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        exit(1);
    for (i = 0; i < q->n && k + 2 < n; i++) {
        sqlite3_stmt *st;

        sqlite3_prepare_v2(db, "SELECT name FROM image WHERE id = ?", -1,
                           &st, NULL);
        sqlite3_bind_int64(st, 1, q->items[i].id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);

            out[k++] = name[4];         /* img_X.JPEG */
        }
        sqlite3_finalize(st);
    }
    out[k] = '\0';
    sqlite3_close(db);
    free(path);
}

/* Doubt of image letter L under `o`, NAN when it has none. */
static double
doubt_of(rl_store *s, const rl_order *o, char letter)
{
    int64_t *ids;
    double *d, v = NAN;
    size_t n, i;
    rl_err err;
    rl_queue q = { 0 };
    char names[16];

    if (rl_order_doubt(s, o, &ids, &d, &n, &err) != 0)
        die("doubt", &err);
    if (rl_queue_load(s, "r", &q, &err) != 0)
        die("queue", &err);
    queue_letters(s, &q, names, sizeof names);
    for (i = 0; i < n; i++) {
        size_t j;

        for (j = 0; j < q.n; j++)
            if (q.items[j].id == ids[i] && names[j] == letter)
                v = d[i];
    }
    rl_queue_free(&q);
    free(ids);
    free(d);
    return v;
}

static void
order_is(rl_store *s, const char *text, const char *want)
{
    rl_order o;
    rl_queue q = { 0 };
    rl_err err;
    char got[16];

    if (rl_order_parse(text, &o, &err) != 0)
        die(text, &err);
    if (rl_queue_load(s, "r", &q, &err) != 0
        || rl_order_apply(s, &o, &q, &err) != 0)
        die("apply", &err);
    queue_letters(s, &q, got, sizeof got);
    is_str(got, want, text);
    rl_queue_free(&q);
}

/* Every stored key (the queue_ids blobs) of tmpdir/name as one string;
 * the caller frees it. */
static char *
keys_text(const char *name)
{
    static const char sql[] =
        "SELECT coalesce((SELECT group_concat(ord || '=' || hex(ids), ' ')"
        " FROM (SELECT * FROM queue_ids ORDER BY ord)), '')";
    char *path = tpath(name), *text = NULL;
    sqlite3 *db;
    sqlite3_stmt *st;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            text = rl_xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    free(path);
    return text != NULL ? text : rl_xstrdup("?");
}

/* Imports labels `csv`, then says whether the keys it left equal those
 * a full computation stores; returns the keys it left. */
static char *
labels_then_keys(rl_store *s, const rl_catalog *cat, const char *csv,
                 const char *what)
{
    char *after, *full;
    rl_err err;

    fx_import(s, cat, "labels", "more.csv", csv);
    after = keys_text("k.db");
    if (rl_order_keys_update(s, &err) != 0)
        die("keys", &err);
    full = keys_text("k.db");
    ok(strcmp(after, full) == 0, "%s: the keys equal a full computation",
       what);
    if (strcmp(after, full) != 0)
        printf("# left  %s\n# full  %s\n", after, full);
    free(full);
    return after;
}

/* A labels import moves the queue keys only as far as it must
 * (rl_order_keys_labels), and leaves what a full computation would. */
static void
test_keys_after_labels(void)
{
    rl_catalog *cat;
    rl_store *s = fx_project("k.db", &cat);
    char *k0, *k1;

    k0 = labels_then_keys(s, cat, LABELS, "no predictions");
    ok(strncmp(k0, "name=", 5) == 0 && strchr(k0, ' ') == NULL,
       "without predictions: the name order alone (%.40s)", k0);
    free(k0);
    fx_import(s, cat, "images", "images.csv", IMAGES);
    fx_import(s, cat, "predictions", "preds.csv", PREDS);
    k0 = keys_text("k.db");
    /* f has predictions and gets its first label: its disagree key. */
    k1 = labels_then_keys(s, cat, "image,wnid\nimg_f.JPEG,n01443537\n",
                          "a label for an image with predictions");
    ok(strcmp(k0, k1) != 0, "which moved the keys");
    free(k0);
    free(k1);
    k1 = labels_then_keys(s, cat, "image,wnid,dataset\n"
                          "img_a.JPEG,n01751748,v2\n", "a dataset tag");
    free(k1);
    k1 = labels_then_keys(s, cat, "image,wnid\nimg_0.JPEG,n01443537\n"
                          "img_z.JPEG,n01443537\n", "new images");
    free(k1);
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* random:SEED at 3,000 images, of which 40 without predictions: opened
 * from the stored name order (no sort) it is a permutation, the same as
 * the full computation, its images without predictions last in name
 * order; another seed gives another order. */
static void
test_random_large(void)
{
    enum { N = 3000, NONE = 40 };
    rl_catalog *cat;
    rl_store *s = fx_project("r.db", &cat);
    rl_buf lab = { 0 }, pred = { 0 };
    rl_queue a = { 0 }, b = { 0 }, c = { 0 };
    rl_order o = { RL_ORDER_RANDOM, 12345 }, o2 = { RL_ORDER_RANDOM, 12346 };
    rl_err err;
    unsigned char *seen = rl_xcalloc(N + 1, 1);
    size_t i, same = 0, in_name = 0;
    bool perm = true, tail = true;

    rl_buf_adds(&lab, "image,wnid\n");
    rl_buf_adds(&pred, "image,model,rank,wnid\n");
    for (i = 0; i < N; i++) {
        /* Names not in id order: the order is over name positions. */
        rl_buf_printf(&lab, "im_%05zu.JPEG,n01440764\n", (i * 7) % N);
        if ((i * 7) % N >= NONE)
            rl_buf_printf(&pred, "im_%05zu.JPEG,m1,1,n01443537\n",
                          (i * 7) % N);
    }
    fx_import(s, cat, "labels", "rl.csv", rl_buf_str(&lab));
    fx_import(s, cat, "predictions", "rp.csv", rl_buf_str(&pred));
    if (rl_order_open(s, "r", &o, &a, &err) != 0
        || rl_queue_load(s, "r", &b, &err) != 0
        || rl_order_apply(s, &o, &b, &err) != 0
        || rl_order_open(s, "r", &o2, &c, &err) != 0)
        die("random", &err);
    for (i = 0; i < a.n; i++) {
        int64_t id = a.items[i].id;

        if (id < 1 || id > N || seen[id])
            perm = false;
        else
            seen[id] = 1;
        same += i < b.n && b.items[i].id == id;
        in_name += i > 0 && a.items[i].id > a.items[i - 1].id;
    }
    ok(a.n == N && perm, "every image once (%zu)", a.n);
    ok(same == N, "the same order as the full computation (%zu of %d)",
       same, N);
    /* The 40 without predictions (im_00000 .. im_00039) come last, in
     * name order. */
    for (i = N - NONE; i < a.n; i++) {
        char want[32];

        snprintf(want, sizeof want, "im_%05zu.JPEG", i - (N - NONE));
        tail &= rl_image_find(s, want) == a.items[i].id;
    }
    ok(tail, "the images without predictions last, in name order");
    for (i = same = 0; i < a.n && i < c.n; i++)
        same += a.items[i].id == c.items[i].id;
    ok(same < N / 50, "another seed, another order (%zu in place)", same);
    ok(in_name > N / 3 && in_name < 2 * N / 3,
       "no run of name order (%zu ascending steps)", in_name);
    free(seen);
    rl_queue_free(&a);
    rl_queue_free(&b);
    rl_queue_free(&c);
    rl_buf_free(&lab);
    rl_buf_free(&pred);
    rl_catalog_free(cat);
    rl_store_close(s);
}

#define near(a, b, name) ok(fabs((a) - (b)) < 1e-9, "%s (%.6f)", name, (a))

/* The ids of queue `q` as one string ("3 1 2 "), which the caller
 * frees; frees the queue. */
static char *
ids_text(rl_queue *q)
{
    rl_buf b = { 0 };
    size_t i;

    rl_buf_adds(&b, "");
    for (i = 0; i < q->n; i++)
        rl_buf_printf(&b, "%lld ", (long long)q->items[i].id);
    rl_queue_free(q);
    return b.data;
}

/* The ids of `s`'s queue in order `o` for reviewer "r", as one string the
 * caller frees. */
static char *
queue_text(rl_store *s, rl_order o)
{
    rl_queue q = { 0 };
    rl_err err;

    if (rl_order_open(s, "r", &o, &q, &err) != 0)
        die("open the queue", &err);
    return ids_text(&q);
}

/* The same queue by the full computation (every image's doubt computed
 * and sorted: rl_order_apply). */
static char *
full_text(rl_store *s, rl_order o)
{
    rl_queue q = { 0 };
    rl_err err;

    if (rl_queue_open(s, "r", &q, &err) != 0
        || rl_order_apply(s, &o, &q, &err) != 0)
        die("order the queue", &err);
    return ids_text(&q);
}

static char *
export_text(rl_store *s, const rl_catalog *cat, rl_export_format f)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    rl_err err;

    if (rl_export(s, cat, f, NULL, mem, &err) != 0)
        die("export", &err);
    fclose(mem);
    return buf;
}

/* Each blob of queue_ids of `db` from varints (schema 9) back to 8 bytes
 * an id (schema 8), decoded here on its own; the number of ids. */
static long
ids_to_v8(sqlite3 *db)
{
    sqlite3_stmt *st, *up;
    long total = 0;

    if (sqlite3_prepare_v2(db, "SELECT ord, ids FROM queue_ids", -1, &st,
                           NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "UPDATE queue_ids SET ids = ?2 WHERE"
                              " ord = ?1", -1, &up, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(st, 1);
        int size = sqlite3_column_bytes(st, 1), i, shift = 0, c;
        rl_buf out = { 0 };
        uint64_t v = 0;

        for (i = 0; i < size; i++) {
            v |= (uint64_t)(b[i] & 0x7f) << shift;
            shift += 7;
            if (b[i] & 0x80)
                continue;
            for (c = 0; c < 8; c++)
                rl_buf_addc(&out, (char)(v >> (8 * c)));
            v = 0;
            shift = 0;
            total++;
        }
        sqlite3_bind_text(up, 1, (const char *)sqlite3_column_text(st, 0),
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(up, 2, out.data, (int)out.len, SQLITE_TRANSIENT);
        if (sqlite3_step(up) != SQLITE_DONE)
            total = -1;
        sqlite3_reset(up);
        rl_buf_free(&out);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return total;
}

/* The keys in memory (up to RL_KEYS_MEM_IMAGES) and through TEMP tables
 * (past it) are the same bytes: 2,000 images, names not in id order, two
 * scored models and one without scores that often disagree, tied scores,
 * images without a label, and 30 without predictions; each order opened
 * from the second way's keys is the full computation's. */
static void
test_keys_both_ways(void)
{
    enum { N = 2000 };
    static const rl_order kinds[] = { { RL_ORDER_NAME, 0 },
        { RL_ORDER_DISAGREE, 0 }, { RL_ORDER_MARGIN, 0 },
        { RL_ORDER_RANDOM, 5 } };
    rl_catalog *cat;
    rl_store *s = fx_project("both.db", &cat);
    rl_buf lab = { 0 }, pred = { 0 }, img = { 0 };
    char *mem, *sql, *t, *full;
    rl_err err;
    size_t i, k;
    int same = 0;

    rl_buf_adds(&lab, "image,wnid\n");
    rl_buf_adds(&pred, "image,model,rank,wnid,score\n");
    for (i = 0; i < N; i++) {
        size_t n = (i * 13) % N;

        if (i % 17 != 0)
            rl_buf_printf(&lab, "b_%05zu.JPEG,%zu\n", n, i % 7);
        else
            rl_buf_printf(&img, "%s('b_%05zu.JPEG')", img.len ? ", " : "",
                          n);
        if (n < 30)
            continue;
        rl_buf_printf(&pred, "b_%05zu.JPEG,m1,1,%zu,0.%02zu\n"
                      "b_%05zu.JPEG,m1,2,%zu,0.%02zu\n"
                      "b_%05zu.JPEG,m2,1,%zu,0.5\n"
                      "b_%05zu.JPEG,m3,1,%zu,\n",
                      n, i % 5, 50 + i % 7, n, 5 + i % 3, i % 11, n, i % 9,
                      n, i % 4);
    }
    fx_import(s, cat, "labels", "bl.csv", rl_buf_str(&lab));
    /* Images without a label, as another tool might have written them. */
    t = rl_xasprintf("INSERT INTO image(name) VALUES %s", rl_buf_str(&img));
    full = tpath("both.db");
    ok(fx_file_exec(full, t, NULL, 0) == SQLITE_OK,
       "(%d images without a label)", N / 17 + 1);
    free(full);
    free(t);
    fx_import(s, cat, "predictions", "bp.csv", rl_buf_str(&pred));
    mem = keys_text("both.db");
    order_keys_mem_limit(0);
    if (rl_order_keys_update(s, &err) != 0)
        die("keys through TEMP tables", &err);
    sql = keys_text("both.db");
    ok(strcmp(mem, sql) == 0 && strstr(mem, "unpredicted=") != NULL
       && strlen(mem) > 4 * N, "the keys in memory and through TEMP tables"
       " are the same bytes (%zu)", strlen(mem));
    if (strcmp(mem, sql) != 0)
        printf("# mem %.80s\n# sql %.80s\n", mem, sql);
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        t = queue_text(s, kinds[k]);
        full = full_text(s, kinds[k]);
        same += strcmp(t, full) == 0;
        free(t);
        free(full);
    }
    is_int(same, 4, "every order from them is the full computation's");
    order_keys_mem_limit(-1);
    free(mem);
    free(sql);
    rl_buf_free(&lab);
    rl_buf_free(&img);
    rl_buf_free(&pred);
    rl_catalog_free(cat);
    rl_store_close(s);
}

/* Schema 9: a schema-8 copy of a project (its queue orders 8 bytes an id,
 * queue_key indexed by disagree and margin position) migrates to the
 * varint orders without those indexes; the stored keys are those the
 * project itself stores, and every queue and export are the same. */
static void
test_migrate_v9(void)
{
    enum { N = 600 };
    static const rl_order kinds[] = { { RL_ORDER_NAME, 0 },
        { RL_ORDER_DISAGREE, 0 }, { RL_ORDER_MARGIN, 0 },
        { RL_ORDER_RANDOM, 9 } };
    enum { K = sizeof kinds / sizeof kinds[0] };
    rl_catalog *cat;
    rl_store *s = fx_project("v9.db", &cat);
    rl_buf lab = { 0 }, pred = { 0 };
    char *q0[K], *keys0, *keys1, *long0, *wide0, *t, *path = tpath("v9.db");
    sqlite3 *db;
    size_t i, k;
    long n8 = 0;
    int same = 0;

    rl_buf_adds(&lab, "image,wnid\n");
    rl_buf_adds(&pred, "image,model,rank,wnid,score\n");
    for (i = 0; i < N; i++) {
        rl_buf_printf(&lab, "im_%05zu.JPEG,%zu\n", (i * 7) % N, i % 5);
        rl_buf_printf(&pred, "im_%05zu.JPEG,m1,1,%zu,0.%02zu\n"
                      "im_%05zu.JPEG,m1,2,%zu,0.%02zu\n"
                      "im_%05zu.JPEG,m2,1,%zu,0.9\n", (i * 7) % N, i % 3,
                      50 + i % 40, (i * 7) % N, 3 + i % 2, i % 37,
                      (i * 7) % N, i % 5);
    }
    fx_import(s, cat, "labels", "v9l.csv", rl_buf_str(&lab));
    fx_import(s, cat, "predictions", "v9p.csv", rl_buf_str(&pred));
    fx_import(s, cat, "reviews", "v9r.csv",
              "image,wnid,state,reviewer,updated_at\n"
              "im_00003.JPEG,3,correct,r,2026-01-02T03:04:05Z\n"
              "im_00003.JPEG,0,wrong,r,2026-01-02T03:04:06Z\n");
    for (k = 0; k < K; k++)
        q0[k] = queue_text(s, kinds[k]);
    long0 = export_text(s, cat, RL_EXPORT_LONG);
    wide0 = export_text(s, cat, RL_EXPORT_WIDE);
    rl_store_close(s);
    keys0 = keys_text("v9.db");
    ok(fx_file_int(path, "SELECT sum(length(ids)) FROM queue_ids")
       < 3 * N * 2 + 1, "the orders take at most 2 bytes an id here");

    /* Schema 8's queue_key: its rows (positions left 0: nothing reads
     * them once migrated, only `predicted`), its indexes; no blob of the
     * unpredicted images yet. */
    same = sqlite3_open(path, &db) == SQLITE_OK
           && sqlite3_exec(db, "CREATE TABLE queue_key(image INTEGER"
                           " PRIMARY KEY REFERENCES image(id), disagree"
                           " INTEGER NOT NULL, margin INTEGER NOT NULL,"
                           " predicted INTEGER NOT NULL);"
                           " INSERT INTO queue_key SELECT id, 0, 0,"
                           " EXISTS (SELECT 1 FROM pred WHERE image = id)"
                           " FROM image;"
                           " CREATE INDEX queue_key_disagree ON"
                           " queue_key(disagree); CREATE INDEX"
                           " queue_key_margin ON queue_key(margin);"
                           " CREATE INDEX queue_key_unpredicted ON"
                           " queue_key(image) WHERE NOT predicted;"
                           " DELETE FROM queue_ids WHERE ord ="
                           " 'unpredicted'", NULL, NULL, NULL) == SQLITE_OK
           && (n8 = ids_to_v8(db)) == 3 * N
           && sqlite3_exec(db, "PRAGMA user_version = 8", NULL, NULL, NULL)
              == SQLITE_OK;
    ok(same, "(made it a schema-8 project: %ld ids)", n8);
    same = 0;
    sqlite3_close(db);
    is_int(fx_file_int(path, "SELECT sum(length(ids)) FROM queue_ids"),
           3 * N * 8, "(8 bytes an id)");

    s = rl_store_open(path, 0, NULL);
    ok(s != NULL, "the schema-8 copy opens");
    is_int(fx_file_int(path, "PRAGMA user_version"), RL_SCHEMA_VERSION,
           "at the current schema");
    is_int(fx_file_int(path, "SELECT count(*) FROM sqlite_schema WHERE"
                       " tbl_name = 'queue_key'"), 0,
           "without queue_key and its indexes");
    keys1 = keys_text("v9.db");
    is_str(keys1, keys0, "its stored keys are those the project stored");
    for (k = 0; k < K; k++) {
        t = queue_text(s, kinds[k]);
        same += strcmp(t, q0[k]) == 0;
        free(t);
        free(q0[k]);
    }
    is_int(same, K, "every queue order is the same");
    t = export_text(s, cat, RL_EXPORT_LONG);
    ok(strcmp(t, long0) == 0 && strchr(t, '\n') != NULL,
       "the long export is byte for byte the same");
    free(t);
    t = export_text(s, cat, RL_EXPORT_WIDE);
    ok(strcmp(t, wide0) == 0, "and the wide one");
    free(t);
    /* A reviewer with assigned images: each stored order filtered to
     * them, as the full computation orders them. */
    ok(fx_file_exec(path, "INSERT INTO assignment(image, reviewer)"
                    " SELECT id, 'r' FROM image WHERE id % 3 = 0", NULL, 0)
       == SQLITE_OK, "(a third of the images assigned to r)");
    same = 0;
    for (k = 0; k < K; k++) {
        char *full = full_text(s, kinds[k]);

        t = queue_text(s, kinds[k]);
        same += strcmp(t, full) == 0 && strlen(t) > 0;
        if (strcmp(t, full) != 0)
            printf("# order %d\n# got  %.60s\n# full %.60s\n",
                   (int)kinds[k].kind, t, full);
        free(t);
        free(full);
    }
    is_int(same, K, "every order of the assigned images is the full one");
    rl_store_close(s);
    rl_catalog_free(cat);
    free(keys0);
    free(keys1);
    free(long0);
    free(wide0);
    free(path);
    rl_buf_free(&lab);
    rl_buf_free(&pred);
}

int
main(void)
{
    rl_store *s;
    rl_order o, o2;
    rl_err err;
    char buf[32], r1[16], r2[16], r3[16];
    rl_queue q = { 0 };

    strcpy(tmpdir, "/tmp/rl-order-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    s = make_project();

    /* Parsing. */
    ok(rl_order_parse("disagree", &o, &err) == 0
       && o.kind == RL_ORDER_DISAGREE, "disagree parses");
    ok(rl_order_parse("random:42", &o, &err) == 0 && o.kind == RL_ORDER_RANDOM
       && o.seed == 42, "random:42 parses with its seed");
    ok(rl_order_parse("random", &o, &err) == 0 && o.seed == 1,
       "random alone is seed 1");
    is_str(rl_order_format(&o, buf, sizeof buf), "random:1", "formatted");
    ok(rl_order_parse("random:", &o, &err) == -1 && err.code == RL_E_USAGE,
       "random: without a seed is refused");
    ok(rl_order_parse("random:-3", &o, &err) == -1, "a negative seed too");
    ok(rl_order_parse("disagreement", &o, &err) == -1
       && strstr(err.msg, "disagree, margin") != NULL,
       "an unknown order lists the orders");
    o.kind = RL_ORDER_RANDOM;
    ok(rl_order_next(&o).kind == RL_ORDER_NAME, "next wraps to name");

    /* disagree, scores: a = mean(1-0.3, 1-0, 1-0.8) = 1.9/3;
     * b = 1-0.45; ranks only: c = mean(1-1/1, 1-1/1) = 0,
     * d = mean(1-1/2, 1) = 0.75; e has no predictions, f no label. */
    rl_order_parse("disagree", &o, &err);
    near(doubt_of(s, &o, 'a'), 1.9 / 3, "disagree a, three scored models");
    near(doubt_of(s, &o, 'b'), 0.55, "disagree b");
    near(doubt_of(s, &o, 'c'), 0.0, "disagree c: every top-1 is the label");
    near(doubt_of(s, &o, 'd'), 0.75, "disagree d: rank 2, then absent");
    ok(isnan(doubt_of(s, &o, 'e')), "disagree e: no predictions, no doubt");
    ok(isnan(doubt_of(s, &o, 'f')), "disagree f: no label, no doubt");
    order_is(s, "disagree", "dabcef");

    /* margin: a = mean(1-(0.6-0.3), 1-(0.9-0.05), 1-(0.8-0.1)) = 1.15/3;
     * b = 1-(0.5-0.45) = 0.95; f = 1-0.9 (one prediction, s2 = 0);
     * c and d: rank-only models all agree on their top-1: 0. */
    rl_order_parse("margin", &o, &err);
    near(doubt_of(s, &o, 'a'), 1.15 / 3, "margin a");
    near(doubt_of(s, &o, 'b'), 0.95, "margin b");
    near(doubt_of(s, &o, 'f'), 0.1, "margin f: a single prediction");
    near(doubt_of(s, &o, 'c'), 0.0, "margin c: unscored models agree");
    near(doubt_of(s, &o, 'd'), 0.0, "margin d: they agree on goldfish");
    /* c and d tie at 0 and keep name order; e (no predictions) last. */
    order_is(s, "margin", "bafcde");

    order_is(s, "name", "abcdef");

    /* random: a permutation of the images with predictions, e last; the
     * same seed gives the same order, another seed (here) another. */
    rl_order_parse("random:7", &o, &err);
    rl_order_parse("random:8", &o2, &err);
    rl_queue_load(s, "r", &q, &err);
    rl_order_apply(s, &o, &q, &err);
    queue_letters(s, &q, r1, sizeof r1);
    rl_queue_load(s, "r", &q, &err);
    rl_order_apply(s, &o, &q, &err);
    queue_letters(s, &q, r2, sizeof r2);
    rl_queue_load(s, "r", &q, &err);
    rl_order_apply(s, &o2, &q, &err);
    queue_letters(s, &q, r3, sizeof r3);
    rl_queue_free(&q);
    is_str(r1, r2, "random:7 twice is the same order");
    ok(strcmp(r1, r3) != 0, "random:8 differs (%s vs %s)", r1, r3);
    ok(strlen(r1) == 6 && r1[5] == 'e', "every image once, e last (%s)", r1);
    /* A fixed function of the seed: this order on every machine (the
     * permutation: three seeded multiply-xorshift rounds mod 2^16). */
    is_str(r1, "adfbce", "random:7 is the order it always was");
    {
        /* Unbiased, roughly: over 600 seeds each of the five images with
         * predictions comes first about 120 times (e never does). */
        int first[6] = { 0 }, seed_i, lo = 1000, hi = 0, j;
        char got[16];

        for (seed_i = 1; seed_i <= 600; seed_i++) {
            o2.kind = RL_ORDER_RANDOM;
            o2.seed = (uint64_t)seed_i * 7919;
            rl_queue_load(s, "r", &q, &err);
            rl_order_apply(s, &o2, &q, &err);
            queue_letters(s, &q, got, sizeof got);
            if (got[0] >= 'a' && got[0] <= 'f')
                first[got[0] - 'a']++;
        }
        rl_queue_free(&q);
        for (j = 0; j < 6; j++)
            if (j != 4) {
                lo = first[j] < lo ? first[j] : lo;
                hi = first[j] > hi ? first[j] : hi;
            }
        ok(first[4] == 0 && lo >= 80 && hi <= 160, "each image first 80 to "
           "160 times in 600 seeds (%d to %d)", lo, hi);
    }
    {
        int64_t *ids;
        double *d;
        size_t n, i;
        int in_range = 1;

        rl_order_doubt(s, &o, &ids, &d, &n, &err);
        for (i = 0; i < n; i++)
            in_range &= d[i] >= 0 && d[i] < 1;
        ok(n == 5 && in_range, "random doubts in [0,1) for the 5 images");
        free(ids);
        free(d);
    }

    rl_store_close(s);
    test_keys_after_labels();
    test_random_large();
    test_keys_both_ways();
    test_migrate_v9();
    nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
