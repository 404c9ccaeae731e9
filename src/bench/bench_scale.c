/* bench_scale.c - the write side at ImageNet-train scale (issue 16):
 * synthetic projects of N images (default 50,000, 250,000 and 1,280,000)
 * in the shape of the real data, imported through the real core calls,
 * each import beside a reference that does the same work with the sqlite3
 * shell in the same run.
 *
 * The synthetic data, from a splitmix64 generator with a fixed seed:
 *   - N images named like ImageNet's validation set up to 50,000
 *     (ILSVRC2012_val_00000001.JPEG) and like its train set above
 *     (n01440764_17.JPEG: the wnid of its label, then a number); label
 *     class i*7919 mod 1000 for image i (every class equally often).
 *   - 5 models x top-5 with scores of 4 decimals, falling with the rank:
 *     a model's top-1 is the label with probability 0.7, its other ranks
 *     a random distinct class, or one of 20 classes near the label.
 *   - reviews: per image 7 or 8 rows (7.36 on average: 368,000 at 50,000
 *     images, as issue 16 measured), over the image's candidates, by up to
 *     4 reviewers in turn; correct for the label, wrong otherwise.
 *
 * The reference (sqlite3 shell, one process per import, all in one
 * transaction as relabel does): .import of the CSV into a TEMP table,
 * then set-based INSERT ... SELECT into tables with the same keys as
 * relabel's (image names unique, prediction keyed by (image, model,
 * rank)), the candidate rebuild in SQL for predictions, and for reviews
 * the upsert plus one event row per changed value. Since schema 7 relabel
 * stores one packed row per (image, model) (table pred, predpack.c); the
 * reference keeps doing the row-per-prediction work the shell can do
 * (.import, one indexed row per prediction, candidates grouped from it):
 * the same input, checks by key and output rows, in the shell's terms.
 *
 * Each relabel import runs in a child process: its time is the import
 * call alone, its peak RSS the child's (wait4). Meanwhile this process
 * takes the write lock every 20 ms (BEGIN IMMEDIATE; COMMIT) on its own
 * connection: the longest wait is how long the import held the lock. */
#include "bench/bench.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/store.h"
#include "relabel/util.h"

static uint64_t rng;
static bool keep;          /* --keep: leave the files, say where */

static uint64_t
next_rand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int
rand_below(int n)
{
    return (int)(next_rand() % (uint64_t)n);
}

/* The files of one synthetic project, in `dir`. */
struct files {
    char *classes, *labels, *preds, *reviews;
    long n_preds, n_reviews;
};

static void
image_name(char *buf, size_t size, long i, long n, const char *wnid)
{
    if (n <= 50000)
        snprintf(buf, size, "ILSVRC2012_val_%08ld.JPEG", i + 1);
    else
        snprintf(buf, size, "%s_%ld.JPEG", wnid, i + 1);
}

static int
in_list(const int *v, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

/* Writes the four CSVs of an N-image project; 0 or -1 (message). */
static int
write_files(const rl_catalog *cat, const char *dir, long n, uint64_t seed,
            struct files *f)
{
    FILE *fc, *fl, *fp, *fr;
    static const char *const who[] = { "ann", "bo", "cy", "di" };
    long i;
    int c;

    rng = seed;
    f->classes = rl_xasprintf("%s/classes.csv", dir);
    f->labels = rl_xasprintf("%s/labels.csv", dir);
    f->preds = rl_xasprintf("%s/predictions.csv", dir);
    f->reviews = rl_xasprintf("%s/reviews.csv", dir);
    f->n_preds = f->n_reviews = 0;
    fc = fopen(f->classes, "w");
    fl = fopen(f->labels, "w");
    fp = fopen(f->preds, "w");
    fr = fopen(f->reviews, "w");
    if (fc == NULL || fl == NULL || fp == NULL || fr == NULL) {
        perror("relabel-bench scale: writing the CSVs");
        return -1;
    }
    for (c = 0; c < 1000; c++)
        fprintf(fc, "%lld,%s\n", (long long)rl_catalog_by_index(cat, c)->id,
                rl_catalog_by_index(cat, c)->wnid);
    fputs("image,wnid\n", fl);
    fputs("image,model,rank,wnid,score\n", fp);
    fputs("image,wnid,state,reviewer\n", fr);
    for (i = 0; i < n; i++) {
        int label = (int)((i * 7919) % 1000), cand[26], nc = 0, m, r, k;
        const char *lw = rl_catalog_by_index(cat, label)->wnid;
        char name[64];

        image_name(name, sizeof name, i, n, lw);
        fprintf(fl, "%s,%s\n", name, lw);
        cand[nc++] = label;
        for (m = 0; m < 5; m++) {
            int top[5];
            double score = 0.5 + rand_below(4900) / 10000.0;

            for (r = 0; r < 5; r++) {
                do {
                    if (r == 0 && rand_below(10) < 7)
                        k = label;
                    else if (rand_below(2) == 0)
                        k = (label + 1 + rand_below(20)) % 1000;
                    else
                        k = rand_below(1000);
                } while (in_list(top, r, k));
                top[r] = k;
                if (!in_list(cand, nc, k))
                    cand[nc++] = k;
                fprintf(fp, "%s,m%d,%d,%s,%.4f\n", name, m + 1, r + 1,
                        rl_catalog_by_index(cat, k)->wnid, score);
                score = floor(score * rand_below(60) / 100.0 * 1e4) / 1e4;
                f->n_preds++;
            }
        }
        /* 7 or 8 reviews, 7.36 on average, at most 4 per candidate. */
        k = rand_below(100) < 36 ? 8 : 7;
        if (k > nc * 4)
            k = nc * 4;
        for (r = 0; r < k; r++) {
            int cls = cand[r % nc];

            fprintf(fr, "%s,%s,%s,%s\n", name,
                    rl_catalog_by_index(cat, cls)->wnid,
                    cls == label ? "correct" : "wrong", who[r / nc]);
            f->n_reviews++;
        }
    }
    fclose(fc);
    fclose(fl);
    fclose(fp);
    return fclose(fr) == 0 ? 0 : -1;
}

static void
files_free(struct files *f)
{
    free(f->classes);
    free(f->labels);
    free(f->preds);
    free(f->reviews);
}

enum { IMP_LABELS, IMP_PREDICTIONS, IMP_REVIEWS };

/* One relabel import of `kind` in a child process: its time (ms, the
 * import call alone), the child's peak RSS (MB) and the longest wait of
 * this process for the write lock meanwhile (ms). 0 or -1. */
static int
timed_import(const char *db, int kind, const char *file, double *ms,
             double *cpu, double *rss_mb, double *lock_ms)
{
    int fds[2], status;
    struct rusage ru;
    sqlite3 *probe = NULL;
    ssize_t got;
    pid_t pid;

    if (pipe(fds) != 0)
        return -1;
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        rl_import_opts o = { .reviewer = "scale" };
        rl_err e;
        rl_store *s = rl_store_open(db, 0, &e);
        rl_catalog *cat = s != NULL ? rl_catalog_load(s, &e) : NULL;
        double t = rl_mono_ms();
        int r = cat == NULL ? -1
                : kind == IMP_LABELS
                ? rl_import_labels(s, cat, file, &o, NULL, &e)
                : kind == IMP_PREDICTIONS
                ? rl_import_predictions(s, cat, file, &o, NULL, &e)
                : rl_import_reviews(s, cat, file, &o, NULL, &e);

        t = rl_mono_ms() - t;
        if (r != 0)
            fprintf(stderr, "relabel-bench scale: %s\n", e.msg);
        else if (write(fds[1], &t, sizeof t) != (ssize_t)sizeof t)
            r = -1;
        rl_catalog_free(cat);
        rl_store_close(s);
        _exit(r == 0 ? 0 : 1);
    }
    close(fds[1]);
    *lock_ms = 0;
    if (sqlite3_open(db, &probe) == SQLITE_OK)
        sqlite3_busy_timeout(probe, 3600 * 1000);
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, WNOHANG, &ru) == 0) {
        double t = rl_mono_ms();

        if (sqlite3_exec(probe, "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL)
            == SQLITE_OK && rl_mono_ms() - t > *lock_ms)
            *lock_ms = rl_mono_ms() - t;
        usleep(20000);
    }
    sqlite3_close(probe);
    got = read(fds[0], ms, sizeof *ms);
    close(fds[0]);
    *rss_mb = (double)ru.ru_maxrss / 1024.0;
    *cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
           + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    return got == (ssize_t)sizeof *ms && WIFEXITED(status)
           && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The reference schema: relabel's keys, the same column kinds. */
static const char REF_SCHEMA[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;\n"
    "CREATE TABLE class(id INTEGER PRIMARY KEY, wnid TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE image(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " label INTEGER);\n"
    "CREATE TABLE model(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE prediction(image INTEGER NOT NULL, model INTEGER NOT NULL,"
    " rank INTEGER NOT NULL, class INTEGER NOT NULL, score REAL,"
    " PRIMARY KEY(image, model, rank)) WITHOUT ROWID;\n"
    "CREATE TABLE candidate(image INTEGER NOT NULL, class INTEGER NOT NULL,"
    " n_models INTEGER NOT NULL DEFAULT 0, rank_sum INTEGER, added_by TEXT,"
    " PRIMARY KEY(image, class)) WITHOUT ROWID;\n"
    /* Schema 7: state and role as codes, events coded and unindexed, a
     * step's event range on its row; schema 10: no index by reviewer. */
    "CREATE TABLE review(image INTEGER NOT NULL, class INTEGER NOT NULL,"
    " reviewer TEXT NOT NULL, state_code INTEGER NOT NULL, updated_at INTEGER,"
    " role_code INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(image, class, reviewer)) WITHOUT ROWID;\n"
    "CREATE TABLE step(id INTEGER PRIMARY KEY, reviewer TEXT, what TEXT,"
    " ev_first INTEGER, ev_last INTEGER);\n"
    "CREATE TABLE event(id INTEGER PRIMARY KEY, step INTEGER, image INTEGER,"
    " class INTEGER, field_code INTEGER, before_code, after_code);\n";

/* The reference work per import (%s: the CSV). */
static const char *const REF_IMPORT[] = {
    [IMP_LABELS] =
    "BEGIN;\n"
    "CREATE TEMP TABLE raw(image TEXT, wnid TEXT);\n"
    ".import --csv --skip 1 --schema temp %s raw\n"
    "INSERT INTO image(name, label) SELECT r.image, c.id FROM temp.raw r"
    " JOIN class c ON c.wnid = r.wnid;\n"
    "INSERT INTO candidate(image, class) SELECT id, label FROM image;\n"
    "COMMIT;\n",
    [IMP_PREDICTIONS] =
    "BEGIN;\n"
    "CREATE TEMP TABLE raw(image TEXT, model TEXT, rank INTEGER, wnid TEXT,"
    " score REAL);\n"
    ".import --csv --skip 1 --schema temp %s raw\n"
    "INSERT OR IGNORE INTO model(name) SELECT DISTINCT model FROM temp.raw;\n"
    "INSERT INTO prediction SELECT i.id, m.id, r.rank, c.id, r.score"
    " FROM temp.raw r JOIN image i ON i.name = r.image"
    " JOIN model m ON m.name = r.model JOIN class c ON c.wnid = r.wnid;\n"
    "INSERT INTO candidate(image, class, n_models, rank_sum)"
    " SELECT image, class, count(*), sum(rank) FROM prediction WHERE true"
    " GROUP BY image, class ON CONFLICT(image, class) DO UPDATE"
    " SET n_models = excluded.n_models, rank_sum = excluded.rank_sum;\n"
    "COMMIT;\n",
    [IMP_REVIEWS] =
    "BEGIN;\n"
    "CREATE TEMP TABLE raw(image TEXT, wnid TEXT, state TEXT,"
    " reviewer TEXT);\n"
    ".import --csv --skip 1 --schema temp %s raw\n"
    "CREATE TEMP TABLE rv AS SELECT i.id AS image, c.id AS class,"
    " r.reviewer, CASE r.state WHEN 'correct' THEN 0 WHEN 'wrong' THEN 1"
    " WHEN 'unclear' THEN 2 WHEN 'dont_know' THEN 3 END AS state"
    " FROM temp.raw r JOIN image i ON i.name = r.image"
    " JOIN class c ON c.wnid = r.wnid;\n"
    "INSERT INTO step(reviewer, what) SELECT DISTINCT reviewer, 'import'"
    " FROM temp.rv;\n"
    "INSERT INTO event(step, image, class, field_code, before_code,"
    " after_code) SELECT s.id, v.image, v.class, 0, o.state_code, v.state"
    " FROM temp.rv v JOIN step s ON s.reviewer = v.reviewer"
    " LEFT JOIN review o ON o.image = v.image AND o.class = v.class"
    " AND o.reviewer = v.reviewer WHERE o.state_code IS NOT v.state;\n"
    "INSERT INTO review(image, class, reviewer, state_code, updated_at)"
    " SELECT image, class, reviewer, state, 0 FROM temp.rv"
    " WHERE true ON CONFLICT(image, class, reviewer) DO UPDATE SET"
    " state_code = excluded.state_code"
    " WHERE state_code IS NOT excluded.state_code;\n"
    "UPDATE step SET ev_first = r.a, ev_last = r.b FROM (SELECT step,"
    " min(id) AS a, max(id) AS b FROM event GROUP BY step) AS r"
    " WHERE step.id = r.step;\n"
    "COMMIT;\n",
};

/* Runs `sql` in the sqlite3 shell on `db`; its wall time in *ms. */
static int
shell(const char *dir, const char *db, const char *sql, double *ms,
      double *cpu)
{
    char *script = rl_xasprintf("%s/ref.sql", dir);
    char *cmd = rl_xasprintf(".read %s", script);
    char *argv[] = { "sqlite3", "-bail", (char *)db, cmd, NULL };
    FILE *f = fopen(script, "w");
    int r = -1;

    if (f != NULL) {
        fputs(sql, f);
        if (fclose(f) == 0)
            r = run(argv, NULL, NULL, ms, cpu);
    }
    unlink(script);
    free(script);
    free(cmd);
    return r;
}

/* The reference project, its class table loaded; 0 or -1. */
static int
ref_setup(const char *dir, const char *db, const struct files *f)
{
    char *sql = rl_xasprintf("%s.import --csv %s class\n", REF_SCHEMA,
                             f->classes);
    double ms, cpu;
    int r = shell(dir, db, sql, &ms, &cpu);

    free(sql);
    return r;
}

/* Bytes of the tables (with their indexes) of project `db` into figures,
 * and the whole file per prediction. */
static void
size_figures(const char *db, long n, long n_preds)
{
    static const char sql[] =
        "SELECT coalesce(s.tbl_name, d.name), sum(d.pgsize) FROM dbstat d"
        " LEFT JOIN sqlite_schema s ON s.name = d.name GROUP BY 1"
        " ORDER BY 2 DESC";
    sqlite3 *h;
    sqlite3_stmt *st;
    double file = 0;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return;
    if (sqlite3_prepare_v2(h, "SELECT page_count * page_size FROM"
                           " pragma_page_count, pragma_page_size", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            file = sqlite3_column_double(st, 0);
        sqlite3_finalize(st);
    }
    figf(file / 1e6, "MB", "scale_%ld_file_mb", n);
    figf(file / (double)n_preds, "B", "scale_%ld_bytes_per_prediction", n);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        double rest = file;

        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            double b = sqlite3_column_double(st, 1);

            if (strcmp(t, "review") == 0 || strcmp(t, "event") == 0
                || strcmp(t, "step") == 0 || strcmp(t, "flag") == 0)
                rest -= b;
            /* Schema 8's packed table keeps the figure's old name. */
            if (strcmp(t, "pred") == 0)
                t = "prediction";
            if (b >= 1e6 || strcmp(t, "prediction") == 0
                || strcmp(t, "candidate") == 0)
                figf(b / (double)n_preds, "B",
                     "scale_%ld_table_%s_bytes_per_prediction", n, t);
        }
        sqlite3_finalize(st);
        /* The file less what the reviews added: the store of the
         * predictions, candidates, images and catalog. */
        figf(rest / (double)n_preds, "B",
             "scale_%ld_bytes_per_prediction_without_reviews", n);
    } else {
        printf("scale: dbstat not available: %s\n", sqlite3_errmsg(h));
    }
    sqlite3_close(h);
}

static void
rm_db(const char *db)
{
    char *p;

    unlink(db);
    p = rl_xasprintf("%s-wal", db);
    unlink(p);
    free(p);
    p = rl_xasprintf("%s-shm", db);
    unlink(p);
    free(p);
}

/* One size: generate, import, reference, figures. Import times in
 * ms[3] for the growth exponents. 0 or -1. */
static int
one_size(long n, uint64_t seed, double ms_out[3])
{
    static const char *const what[] = { "labels", "predictions", "reviews" };
    char *dir = tmpdir_new(), *db = NULL, *ref = NULL;
    struct files f = {0};
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    rl_err e;
    double t;
    int k, rc = -1;

    if (dir == NULL)
        return -1;
    db = rl_xasprintf("%s/scale.db", dir);
    ref = rl_xasprintf("%s/ref.db", dir);
    if ((s = rl_store_open(db, RL_STORE_CREATE, &e)) == NULL
        || rl_catalog_install(s, RL_SRC_SHARE, &e) != 0
        || (cat = rl_catalog_load(s, &e)) == NULL) {
        fprintf(stderr, "relabel-bench scale: %s\n", e.msg);
        goto out;
    }
    t = rl_mono_ms();
    if (write_files(cat, dir, n, seed, &f) != 0)
        goto out;
    figf(rl_mono_ms() - t, "ms", "scale_%ld_generate_ms", n);
    figf((double)f.n_preds, "rows", "scale_%ld_predictions", n);
    figf((double)f.n_reviews, "rows", "scale_%ld_reviews", n);
    rl_catalog_free(cat);
    cat = NULL;
    rl_store_close(s);
    s = NULL;
    if (ref_setup(dir, ref, &f) != 0) {
        fprintf(stderr, "relabel-bench scale: the sqlite3 shell failed "
                "(is it installed?)\n");
        goto out;
    }
    for (k = 0; k < 3; k++) {
        const char *file = k == 0 ? f.labels : k == 1 ? f.preds : f.reviews;
        double ms, cpu, rss, lock, ref_ms = 0, ref_cpu = 0;
        char *sql = rl_xasprintf(REF_IMPORT[k], file);

        if (timed_import(db, k, file, &ms, &cpu, &rss, &lock) != 0) {
            free(sql);
            goto out;
        }
        if (shell(dir, ref, sql, &ref_ms, &ref_cpu) != 0) {
            fprintf(stderr, "relabel-bench scale: reference %s failed\n",
                    what[k]);
            free(sql);
            goto out;
        }
        free(sql);
        ms_out[k] = ms;
        figf(ms, "ms", "scale_%ld_import_%s_ms", n, what[k]);
        figf(ref_ms, "ms", "scale_%ld_import_%s_ref_ms", n, what[k]);
        figf(ms / ref_ms, "x", "scale_%ld_import_%s_ratio", n, what[k]);
        /* CPU time too: on a shared machine wall time is noisy. The
         * child's includes opening the project and its quick check. */
        figf(cpu, "ms", "scale_%ld_import_%s_cpu_ms", n, what[k]);
        figf(ref_cpu, "ms", "scale_%ld_import_%s_ref_cpu_ms", n, what[k]);
        figf(cpu / ref_cpu, "x", "scale_%ld_import_%s_cpu_ratio", n,
             what[k]);
        figf(rss, "MB", "scale_%ld_import_%s_peak_rss_mb", n, what[k]);
        figf(lock, "ms", "scale_%ld_import_%s_lock_wait_max_ms", n, what[k]);
    }
    size_figures(db, n, f.n_preds);
    rc = bench_scale_read(db, n);
out:
    rl_catalog_free(cat);
    rl_store_close(s);
    if (keep) {
        printf("scale: kept %s\n", dir);
        files_free(&f);
        free(db);
        free(ref);
        free(dir);
        return rc;
    }
    if (f.classes != NULL) {
        unlink(f.classes);
        unlink(f.labels);
        unlink(f.preds);
        unlink(f.reviews);
    }
    files_free(&f);
    if (db != NULL)
        rm_db(db);
    if (ref != NULL)
        rm_db(ref);
    free(db);
    free(ref);
    rmtree(dir);
    free(dir);
    return rc;
}

int
bench_scale(int argc, char **argv)
{
    static const char *const what[] = { "labels", "predictions", "reviews" };
    long sizes[8] = { 50000, 250000, 1280000 };
    double ms[8][3];
    int n = 3, i, k;
    char *relabel = NULL;
    const char *given_relabel = NULL;
    bool given = false;
    uint64_t seed = 2026;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--images") == 0 && i + 1 < argc) {
            if (!given)
                n = 0;
            given = true;
            while (i + 1 < argc && argv[i + 1][0] != '-' && n < 8)
                sizes[n++] = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--keep") == 0) {
            keep = true;
        } else if (strcmp(argv[i], "--relabel") == 0 && i + 1 < argc) {
            bench_scale_read_use(given_relabel = argv[++i]);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "relabel-bench scale: unexpected '%s'\n",
                    argv[i]);
            return 2;
        }
    }
    for (i = 0; i < n; i++)
        if (sizes[i] < 10) {
            fprintf(stderr, "relabel-bench scale: --images: at least 10\n");
            return 2;
        }
    /* The read-side figures run the relabel binary: say now, not after
     * the imports (half an hour at 1.28M), when it is not there. */
    if (given_relabel != NULL && access(given_relabel, X_OK) != 0) {
        fprintf(stderr, "relabel-bench scale: --relabel %s: not an "
                "executable\n", given_relabel);
        return 1;
    }
    if (given_relabel == NULL && (relabel = relabel_beside()) == NULL)
        return 1;
    free(relabel);
    for (i = 0; i < n; i++) {
        if (one_size(sizes[i], seed, ms[i]) != 0)
            return 1;
    }
    /* Growth: time ~ N^e between consecutive sizes. */
    for (i = 1; i < n; i++)
        for (k = 0; k < 3; k++)
            figf(log(ms[i][k] / ms[i - 1][k])
                 / log((double)sizes[i] / (double)sizes[i - 1]), "",
                 "scale_%ld_%ld_import_%s_exponent", sizes[i - 1], sizes[i],
                 what[k]);
    return 0;
}
