/* bench_store.c - the project store at ImageNet-ReaL scale: 50,000
 * images, 184,962 candidate pairs, 210,073 reviews. Each import is timed
 * in-process through the same core calls `relabel import` makes. */
#include "bench/bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csv.h"
#include "relabel/csvio.h"
#include "relabel/journal.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"

static int
fail(const rl_err *e)
{
    fprintf(stderr, "relabel-bench: %s\n", e->msg);
    return 1;
}

/* The rated proposals that ReaL rejected, as wrong reviews. */
static int
write_rejected(const char *proposals, const char *out, rl_err *e)
{
    rl_csv *c = rl_csv_open(proposals, NULL, e);
    FILE *f;
    int ci, cw, cr, r;

    if (c == NULL || rl_csv_header(c, e) != 0) {
        rl_csv_close(c);
        return -1;
    }
    ci = rl_csv_col(c, "image");
    cw = rl_csv_col(c, "wnid");
    cr = rl_csv_col(c, "in_real");
    if ((f = fopen(out, "w")) == NULL || ci < 0 || cw < 0 || cr < 0) {
        rl_err_set(e, RL_E_IO, "%s: cannot write, or columns missing", out);
        rl_csv_close(c);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fputs("image,wnid,state\n", f);
    while ((r = rl_csv_next(c, e)) == 1)
        if (strcmp(rl_csv_field(c, (size_t)cr), "0") == 0)
            fprintf(f, "%s,%s,wrong\n", rl_csv_field(c, (size_t)ci),
                    rl_csv_field(c, (size_t)cw));
    rl_csv_close(c);
    fclose(f);
    return r < 0 ? -1 : 0;
}

/* 2,000,000 predictions of a new model over the project's images: 40
 * distinct classes each (steps of 13 through the 1000 class indices). */
static int
write_2m(const char *db_labels, const char *out, long *rows)
{
    FILE *in = fopen(db_labels, "r"), *f = fopen(out, "w");
    char line[256];
    long n = 0;

    if (in == NULL || f == NULL) {
        perror(in == NULL ? db_labels : out);
        if (in)
            fclose(in);
        if (f)
            fclose(f);
        return -1;
    }
    fputs("image,model,rank,wnid\n", f);
    if (fgets(line, sizeof line, in) == NULL)      /* header */
        line[0] = '\0';
    while (fgets(line, sizeof line, in) != NULL && n < 2000000) {
        char *comma = strchr(line, ',');
        int r;

        if (comma == NULL)
            continue;
        *comma = '\0';
        for (r = 0; r < 40 && n < 2000000; r++, n++)
            fprintf(f, "%s,bench2m,%d,%d\n", line, r + 1,
                    (int)((n / 40 * 7 + (long)r * 13) % 1000));
    }
    fclose(in);
    *rows = n;
    return fclose(f) == 0 ? 0 : -1;
}

/* Steps of `reviewer` the project file at `db` holds (-1: unreadable). */
static long
count_steps(const char *db, const char *reviewer)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_prepare_v2(h, "SELECT count(*) FROM step WHERE reviewer"
                              " = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* Marks on one image every 20 ms by a reviewer while another process
 * imports 2M predictions: how long each mark waits for the write lock
 * (the figure behind "imports never block reviewers"). */
static int
marks_during_import(const char *db, const char *data, const char *dir)
{
    char *labels = rl_xasprintf("%s/val_labels.csv", data);
    char *big = rl_xasprintf("%s/pred2m.csv", dir);
    double *v = NULL, t0, import_ms = 0;
    size_t cap = 0;
    int n = 0, failed = 0, status = 0, rc = -1;
    long rows = 0;
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    rl_image *img = NULL;
    rl_err e;
    pid_t pid;

    if (write_2m(labels, big, &rows) != 0)
        goto out;
    t0 = rl_mono_ms();
    if ((pid = fork()) < 0) {
        perror("fork");
        goto out;
    }
    if (pid == 0) {
        rl_store *is = rl_store_open(db, 0, &e);
        rl_catalog *ic = is != NULL ? rl_catalog_load(is, &e) : NULL;
        int r = ic != NULL && rl_import_predictions(is, ic, big, NULL, NULL,
                                                    &e) == 0 ? 0 : 1;

        /* As `relabel import` does after its commit. */
        if (r == 0 && rl_journal_apply(is, -1, &e) < 0)
            r = 1;

        if (r != 0)
            fprintf(stderr, "relabel-bench: import: %s\n", e.msg);
        rl_catalog_free(ic);
        rl_store_close(is);
        _exit(r);
    }
    if ((s = rl_store_open(db, 0, &e)) == NULL
        || (cat = rl_catalog_load(s, &e)) == NULL
        || (img = rl_image_load(s, cat, "marker", rl_image_find(s,
            "ILSVRC2012_val_00000001.JPEG"), &e)) == NULL) {
        fail(&e);
        waitpid(pid, &status, 0);
        goto out;
    }
    rl_store_set_wait(s, 0, NULL, NULL);       /* as the review screen */
    rl_journal_set_interactive(s, true);
    rl_store_set_idle_checkpoints(s);
    /* Until the import ends (at most an hour of marks). */
    while (n < 180000) {
        double t = rl_mono_ms();
        rl_state st = n % 2 ? RL_STATE_WRONG : RL_STATE_CORRECT;

        if (rl_review_set(s, img, "marker", 0, st, &e) != 0)
            failed++;
        rl_grow(&v, &cap, (size_t)n + 1, sizeof *v);
        v[n++] = rl_mono_ms() - t;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            import_ms = rl_mono_ms() - t0;
            break;
        }
        usleep(20000);
    }
    if (import_ms == 0) {
        waitpid(pid, &status, 0);
        import_ms = rl_mono_ms() - t0;
    }
    /* Every mark acknowledged is in the project once the journal of
     * marks is applied (the importer applies it after its commit). */
    if (rl_journal_apply(s, -1, &e) < 0)
        fail(&e);
    fig("marks_during_import_lost", (double)(n - failed) - (double)
        count_steps(db, "marker"), "marks");
    fig("import_2m_predictions_ms", import_ms, "ms");
    fig("import_2m_rows", (double)rows, "rows");
    fig("marks_during_import", n, "marks");
    fig("marks_during_import_failed", failed, "marks");
    fig("mark_during_import_ms_p50", pct(v, n, 0.5), "ms");
    fig("mark_during_import_ms_p99", pct(v, n, 0.99), "ms");
    fig("mark_during_import_ms_max", pct(v, n, 1.0), "ms");
    rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
out:
    free(v);
    rl_image_free(img);
    rl_catalog_free(cat);
    rl_store_close(s);
    unlink(big);
    free(big);
    free(labels);
    return rc;
}

int
bench_store(int argc, char **argv)
{
    const char *data = "../shared/data";
    char *dir, *db, *path, *rejected;
    rl_import_opts o = { .reviewer = "real" };
    rl_store *s;
    rl_catalog *cat;
    rl_stats st;
    rl_queue q = {0};
    rl_err e;
    double t, v[21];
    FILE *null;
    int i, k, rc = 1;
    static const char *const fmts[] = { "long", "wide", "real_json" };

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else {
            fprintf(stderr, "relabel-bench store: unexpected '%s'\n",
                    argv[i]);
            return 2;
        }
    }
    if ((dir = tmpdir_new()) == NULL)
        return 1;
    db = rl_xasprintf("%s/real.db", dir);
    rejected = rl_xasprintf("%s/rejected.csv", dir);
    if (write_rejected(path = rl_xasprintf("%s/real_proposals.csv", data),
                       rejected, &e) != 0) {
        free(path);
        rc = fail(&e);
        goto out;
    }
    free(path);

    t = rl_mono_ms();
    s = rl_store_open(db, RL_STORE_CREATE, &e);
    if (s == NULL || rl_catalog_install(s, RL_SRC_SHARE, &e) != 0) {
        rc = fail(&e);
        rl_store_close(s);
        goto out;
    }
    fig("init_ms", rl_mono_ms() - t, "ms");
    cat = rl_catalog_load(s, &e);

#define TIMED(name, call) do { \
        t = rl_mono_ms(); \
        if ((call) != 0) { rc = fail(&e); goto close; } \
        fig(name, rl_mono_ms() - t, "ms"); } while (0)

    path = rl_xasprintf("%s/val_labels.csv", data);
    TIMED("import_labels_ms", rl_import_labels(s, cat, path, &o, NULL, &e));
    free(path);
    path = rl_xasprintf("%s/real_proposals.csv", data);
    TIMED("import_predictions_ms",
          rl_import_predictions(s, cat, path, &o, NULL, &e));
    free(path);
    path = rl_xasprintf("%s/real_labels.csv", data);
    o.state = "correct";
    TIMED("import_reviews_correct_ms",
          rl_import_reviews(s, cat, path, &o, NULL, &e));
    free(path);
    o.state = NULL;
    TIMED("import_reviews_wrong_ms",
          rl_import_reviews(s, cat, rejected, &o, NULL, &e));

    null = fopen("/dev/null", "w");
    for (k = 0; k < 3; k++) {
        char name[64];

        snprintf(name, sizeof name, "export_%s_ms", fmts[k]);
        TIMED(name, rl_export(s, cat, (rl_export_format)k, NULL, null, &e));
    }
    fclose(null);
    for (i = 0; i < 5; i++) {
        t = rl_mono_ms();
        if (rl_store_stats(s, &st, &e) != 0) {
            rc = fail(&e);
            goto close;
        }
        v[i] = rl_mono_ms() - t;
        rl_stats_free(&st);
    }
    fig("stats_ms", pct(v, 5, 0.5), "ms");
    rl_catalog_free(cat);
    rl_store_close(s);

    /* Opening: the store and its catalog, as the interface does. */
    for (i = 0; i < 5; i++) {
        t = rl_mono_ms();
        s = rl_store_open(db, 0, &e);
        cat = s != NULL ? rl_catalog_load(s, &e) : NULL;
        v[i] = rl_mono_ms() - t;
        if (cat == NULL) {
            rc = fail(&e);
            rl_store_close(s);
            goto out;
        }
        if (i < 4) {
            rl_catalog_free(cat);
            rl_store_close(s);
        }
    }
    fig("store_open_ms", pct(v, 5, 0.5), "ms");
    t = rl_mono_ms();
    if (rl_queue_load(s, "alice", &q, &e) != 0) {
        rc = fail(&e);
        goto close;
    }
    fig("queue_load_ms", rl_mono_ms() - t, "ms");
    /* Worst case for the next-unreviewed lookup: a reviewer who has done
     * every image ("real"), so the scan finds nothing. */
    if (rl_queue_load(s, "real", &q, &e) != 0) {
        rc = fail(&e);
        goto close;
    }
    for (i = 0; i < 21; i++) {
        t = rl_mono_ms();
        (void)rl_queue_step(&q, (size_t)i * 2000, 1, RL_FILTER_UNREVIEWED);
        v[i] = rl_mono_ms() - t;
    }
    fig("store_next_unreviewed_ms", pct(v, 21, 0.5), "ms");
    fig("peak_rss_mb", peak_rss_mb(), "MB");
    rl_queue_free(&q);
    rl_catalog_free(cat);
    rl_store_close(s);
    s = NULL;
    cat = NULL;
    rc = marks_during_import(db, data, dir) == 0 ? 0 : 1;
close:
    rl_queue_free(&q);
    rl_catalog_free(cat);
    rl_store_close(s);
out:
    unlink(rejected);
    free(rejected);
    for (i = 0; i < 5; i++) {
        static const char *const ext[] = { "-wal", "-shm", "-marks",
                                           "-marks-wal", "-marks-shm" };

        path = rl_xasprintf("%s%s", db, ext[i]);
        unlink(path);
        free(path);
    }
    unlink(db);
    free(db);
    rmdir(dir);
    free(dir);
    return rc;
}
