/* bench_scale_read.c - the read side at ImageNet-train scale (issue 16):
 * what a reviewer waits for on a project of millions of images.
 *
 * Figures, each named scale_<N>_<what> (N: the images; with --order X
 * the review screen's are scale_<N>_<X>_<what>, ':' made '_', and the
 * screen opens in that order; --review-only leaves out stats and eval):
 *   first_frame_ms     `relabel review` started in a 120x40 pty to the
 *                      last byte of its first screen (output then quiet
 *                      for FIRST_QUIET_MS; the quiet is not counted)
 *   first_frame_rss_mb its resident memory then
 *   counted_ms         start to the footer of the unreviewed filter (F,
 *                      pressed after the first frame) with exact counts
 *   peak_rss_mb        its peak resident memory after counting
 *   next_ms_p50/p90    n, key to last byte of the reply
 *   first_mark_ms      the first c: the first write waits for the integrity
 *                      check opening the project started
 *   mark_ms_p50/p90    c after it (each undone with z before the next)
 *   next_cpu_ms_p50/p90, mark_cpu_ms_p50/p90  the CPU time relabel used
 *                      from the key to the end of the second of quiet
 *                      after its reply: the idle work then included
 *   stats_ms           `relabel stats` (median of 3 runs), beside
 *   stats_sqlite3_ms   the sqlite3 shell doing the same counts, and
 *   stats_ratio        the first over the second
 *   eval_ms, eval_peak_rss_mb   `relabel eval` of two models' predictions
 *                      (the two first model ids, exported as
 *                      image,wnid,model,rank by the sqlite3 shell), beside
 *   eval_awk_ms, eval_awk_peak_rss_mb   awk computing top-1, top-5 and
 *                      multi-label accuracy per model from the same file
 *                      and `relabel export --format wide` (AWK_EVAL), and
 *   eval_ratio         the first time over the awk one
 *   eval_cpu_ms, eval_awk_cpu_ms, eval_cpu_ratio   the same in CPU time
 *   eval_shuffled_ms, eval_shuffled_peak_rss_mb, eval_shuffled_ratio
 *                      eval of the same rows scrambled (PRED_SHUFFLED_SQL:
 *                      sorted on disk), its time over awk's on the first
 *   eval_shuffled_cpu_ms, eval_shuffled_cpu_ratio   its CPU time, and
 *                      that over awk's
 *   eval_two_files_*, eval_stdin_*   the same (_ms, _peak_rss_mb,
 *                      _cpu_ms, _cpu_ratio) for each model's rows in a
 *                      file of its own (two files, each by image), and
 *                      for the rows by image through a pipe (`cat FILE |
 *                      relabel eval -`; cat's CPU counted too)
 * The awk reference is a floor, not the same work: it reads the consensus
 * from the wide export (not timed) where eval computes it from the
 * reviews, and skips the subsets, +unclear, ml-top5, per-class and the
 * bootstrap intervals. --eval-only: these figures alone.
 * Exports are not timed.
 * The marks go to the project as reviewer bench-scale and are undone;
 * the log keeps their steps (as any undone mark). The project must not
 * be in use. */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "relabel/util.h"

#define FIRST_QUIET_MS 300.0  /* the first screen is over after this */
#define COUNT_MAX_MS 120000.0 /* longest wait for the counts */
#define RUNS 7                /* of each key */
#define REVIEWER "bench-scale"

/* --relabel PATH of scale-read (the function's callers measure the binary
 * beside the bench). */
static const char *relabel_opt;
/* --eval-only: the eval figures alone (minutes at 1.28M images less). */
static bool eval_only;
/* --order ORDER: the review screen in that order (the review figures are
 * then named scale_<N>_<order>_...); --review-only: no stats nor eval. */
static const char *order_opt;
static bool review_only;

/* The counts `relabel stats` prints, as plain SQL for the shell. */
static const char STATS_SQL[] =
    "SELECT count(*) FROM class WHERE idx IS NOT NULL;"
    "SELECT count(*) FROM image;"
    "SELECT count(*) FROM image WHERE path IS NOT NULL;"
    "SELECT count(*) FROM prediction;"
    "SELECT count(*) FROM model;"
    "SELECT count(*) FROM candidate;"
    "SELECT count(*) FROM (SELECT DISTINCT image, class FROM review);"
    "SELECT count(*) FROM (SELECT image, count(*) n FROM candidate"
    " GROUP BY image) c JOIN (SELECT image, count(DISTINCT class) n"
    " FROM review GROUP BY image) r USING (image) WHERE c.n = r.n;"
    "SELECT count(DISTINCT image) FROM flag WHERE problematic;"
    "SELECT count(*) FROM event;"
    "SELECT reviewer, count(DISTINCT image), count(*),"
    " (SELECT count(*) FROM flag f WHERE f.reviewer = r.reviewer"
    " AND f.done), (SELECT count(*) FROM flag f"
    " WHERE f.reviewer = r.reviewer AND f.problematic)"
    " FROM review r GROUP BY reviewer ORDER BY reviewer;";

/* The reference eval: the rule relabel's default (an image counts when it
 * has a correct class and is not problematic; a hit when the top-1 is one
 * of them), top-1 and top-5 against the original label. */
static const char AWK_EVAL[] =
    "BEGIN { FS = \",\" }\n"
    "FNR == 1 { next }\n"
    "FILENAME == ARGV[1] {\n"
    "    orig[$1] = $2\n"
    "    if ($3 != \"\" && $7 != \"1\") {\n"
    "        n = split($3, c, \" \")\n"
    "        for (k = 1; k <= n; k++) hit[$1 SUBSEP c[k]] = 1\n"
    "        counted[$1] = 1\n"
    "    }\n"
    "    next\n"
    "}\n"
    "{\n"
    "    m = $3; models[m] = 1\n"
    "    if ($4 == 1) {\n"
    "        n1[m]++\n"
    "        if ($2 == orig[$1]) t1[m]++\n"
    "        if ($1 in counted) {\n"
    "            nml[m]++\n"
    "            if (($1 SUBSEP $2) in hit) ml[m]++\n"
    "        }\n"
    "    }\n"
    "    if ($4 <= 5 && $2 == orig[$1]) t5[m]++\n"
    "}\n"
    "END {\n"
    "    for (m in models)\n"
    "        printf \"%s %.4f %.4f %.4f\\n\", m, 100 * t1[m] / n1[m],\n"
    "               100 * t5[m] / n1[m], nml[m] ? 100 * ml[m] / nml[m] : 0\n"
    "}\n";

#define PRED_SELECT \
    "SELECT i.name AS image, c.wnid AS wnid, m.name AS model," \
    " p.rank AS rank FROM prediction p JOIN image i ON i.id = p.image" \
    " JOIN class c ON c.id = p.class JOIN model m ON m.id = p.model" \
    " WHERE p.model IN (SELECT id FROM model ORDER BY id LIMIT 2)"
/* By image (what a model writes), and the same rows scrambled by a fixed
 * hash, so that no model's rows of an image come together. */
static const char PRED_SQL[] = PRED_SELECT " ORDER BY p.image, p.model, p.rank";
static const char PRED_SHUFFLED_SQL[] = PRED_SELECT
    " ORDER BY (p.image * 40503 + p.rank * 977 + p.model * 7919) % 65521,"
    " p.image, p.model, p.rank";
/* Each of the two models alone, by image. */
static const char PRED_FIRST_SQL[] = PRED_SELECT
    " AND p.model = (SELECT min(id) FROM model)"
    " ORDER BY p.image, p.rank";
static const char PRED_SECOND_SQL[] = PRED_SELECT
    " AND p.model <> (SELECT min(id) FROM model)"
    " ORDER BY p.image, p.rank";

static int64_t
count_images(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_prepare_v2(h, "SELECT count(*) FROM image", -1, &st,
                              NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (n < 0)
        fprintf(stderr, "relabel-bench scale-read: %s: %s\n", db,
                sqlite3_errmsg(h));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* Median wall time of RUNS/2 runs of argv, exit status 0 each; -1 when
 * one fails. */
static double
median_run(char *const argv[], const char *what)
{
    double ms[RUNS];
    int i, n = RUNS / 2;

    for (i = 0; i < n; i++)
        if (run(argv, NULL, NULL, &ms[i], NULL) != 0) {
            fprintf(stderr, "relabel-bench scale-read: %s failed\n", what);
            return -1;
        }
    return pct(ms, n, 0.5);
}

static bool
has_text(const rl_buf *b, const char *text)
{
    size_t n = strlen(text);

    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, text, n) == 0)
            return true;
    return false;
}

/* Writes `key` and reads the reply until a second of silence: a key that
 * takes longer than bench_tty_press's quiet to answer is still timed. */
static int
press_slow(struct bench_tty *t, char key, struct bench_reply *r)
{
    double t0 = rl_mono_ms(), c0 = bench_tty_cpu(t), last;

    memset(r, 0, sizeof *r);
    if (write(t->fd, &key, 1) != 1) {
        perror("relabel-bench scale-read: write");
        return -1;
    }
    r->bytes = bench_tty_drain(t, 1000, &last, NULL);
    r->ms = r->bytes > 0 ? last - t0 : -1;
    r->cpu_ms = bench_tty_cpu(t) - c0;
    return 0;
}

/* Writes `key`, waits up to `limit` ms for a reply and reads it until
 * FIRST_QUIET_MS of silence; r->ms -1 when none came. */
static int
press_wait(struct bench_tty *t, char key, double limit, struct bench_reply *r)
{
    double t0 = rl_mono_ms(), last;

    memset(r, 0, sizeof *r);
    r->ms = -1;
    if (write(t->fd, &key, 1) != 1) {
        perror("relabel-bench scale-read: write");
        return -1;
    }
    /* Each drain reads until a pause, so the last byte is that of the
     * last drain that read any. */
    while (r->bytes == 0 && rl_mono_ms() - t0 < limit)
        r->bytes = bench_tty_drain(t, FIRST_QUIET_MS, &last, NULL);
    if (r->bytes > 0)
        r->ms = last - t0;
    return 0;
}

/* The review screen: first frame, counts, next image, a mark. */
static int
review_figures(const char *relabel, const char *db, int64_t n)
{
    struct bench_tty t;
    struct bench_reply r, r2, next[RUNS], mark[RUNS];
    double t0, last, first = 0, l = 0, hwm, rss, ms[RUNS];
    char name[64];
    rl_buf out = {0};
    int i;
    char sfx[40] = "";

    if (order_opt != NULL) {
        snprintf(sfx, sizeof sfx, "_%s", order_opt);
        for (i = 0; sfx[i] != '\0'; i++)
            if (sfx[i] == ':')
                sfx[i] = '_';      /* random:5 -> _random_5 */
    }
    t0 = rl_mono_ms();
    if (bench_tty_start_order(&t, relabel, db, REVIEWER, order_opt) != 0)
        return 1;
    /* The terminal set-up comes at once; the screen is there when its
     * footer is ("filter:" is in every review footer), and complete when
     * the output pauses after it. */
    while (!has_text(&out, "filter:") && rl_mono_ms() - t0 < COUNT_MAX_MS)
        if (bench_tty_drain(&t, 1000, &l, &out) > 0)
            first = l;
    if (!has_text(&out, "filter:")) {
        fprintf(stderr, "relabel-bench scale-read: relabel review drew "
                "no review screen\n");
        rl_buf_free(&out);
        bench_tty_stop(&t);
        return 1;
    }
    rl_buf_free(&out);
    if (bench_tty_drain(&t, FIRST_QUIET_MS, &l, NULL) > 0)
        first = l;
    bench_tty_mem(&t, &hwm, &rss);
    figf(first - t0, "ms", "scale_%lld%s_first_frame_ms", (long long)n, sfx);
    figf(rss, "MB", "scale_%lld%s_first_frame_rss_mb", (long long)n, sfx);

    /* F: the unreviewed filter, whose footer says "counting..." until
     * the counts are known, then "(filter unreviewed; N in all)". */
    if (write(t.fd, "F", 1) != 1)
        goto fail;
    last = -1;
    while (rl_mono_ms() - t0 < COUNT_MAX_MS) {
        if (bench_tty_drain(&t, 200, &l, &out) > 0 && has_text(&out,
                                                             "in all)")) {
            last = l;
            break;
        }
    }
    rl_buf_free(&out);
    figf(last > 0 ? last - t0 : -1, "ms", "scale_%lld%s_counted_ms",
         (long long)n, sfx);
    for (i = 0; i < 3; i++)        /* problematic, others, all again */
        if (press_slow(&t, 'F', &r) != 0)
            goto fail;
    for (i = 0; i < RUNS; i++)
        if (press_slow(&t, 'n', &next[i]) != 0)
            goto fail;
    /* The first write waits for the integrity check that opening the
     * project started (store.c): timed alone. */
    if (press_wait(&t, 'c', COUNT_MAX_MS, &r) != 0
        || press_wait(&t, 'z', COUNT_MAX_MS, &r2) != 0)
        goto fail;
    figf(r.ms, "ms", "scale_%lld%s_first_mark_ms", (long long)n, sfx);
    for (i = 0; i < RUNS; i++)
        if (press_slow(&t, 'c', &mark[i]) != 0
            || press_slow(&t, 'z', &r) != 0)
            goto fail;
    bench_tty_mem(&t, &hwm, &rss);
    figf(hwm, "MB", "scale_%lld%s_peak_rss_mb", (long long)n, sfx);
    for (i = 0; i < RUNS; i++)
        ms[i] = next[i].ms;
    snprintf(name, sizeof name, "scale_%lld%s_next_ms", (long long)n, sfx);
    fig_ms(name, ms, RUNS, false);
    for (i = 0; i < RUNS; i++)
        ms[i] = mark[i].ms;
    snprintf(name, sizeof name, "scale_%lld%s_mark_ms", (long long)n, sfx);
    fig_ms(name, ms, RUNS, false);
    /* The CPU relabel used in each key's window (idle work included). */
    for (i = 0; i < RUNS; i++)
        ms[i] = next[i].cpu_ms;
    snprintf(name, sizeof name, "scale_%lld%s_next_cpu_ms", (long long)n,
             sfx);
    fig_ms(name, ms, RUNS, false);
    for (i = 0; i < RUNS; i++)
        ms[i] = mark[i].cpu_ms;
    snprintf(name, sizeof name, "scale_%lld%s_mark_cpu_ms", (long long)n,
             sfx);
    fig_ms(name, ms, RUNS, false);
    bench_tty_stop(&t);
    return 0;
fail:
    bench_tty_stop(&t);
    return 1;
}

/* The sqlite3 shell's command that loads relabel's SQL functions (the
 * view prediction reads schema 8's packed rows through them), from the
 * folder of `relabel`; the caller frees it. */
static char *
load_cmd(const char *relabel)
{
    const char *slash = strrchr(relabel, '/');

    return slash == NULL ? rl_xstrdup(".load ./relabel_sql")
           : rl_xasprintf(".load %.*s/relabel_sql", (int)(slash - relabel),
                          relabel);
}

/* The figures of one more shape of eval's input: run `argv`, check it
 * wrote `want` bytes. 0, or 1. */
static int
eval_shape(char *const argv[], const char *shape, int64_t n, double acpu,
           size_t want)
{
    double ms, cpu, peak;
    size_t bytes;

    if (run_peak(argv, NULL, &bytes, &ms, &cpu, &peak) != 0) {
        fprintf(stderr, "relabel-bench scale-read: eval (%s) failed\n",
                shape);
        return 1;
    }
    figf(ms, "ms", "scale_%lld_eval_%s_ms", (long long)n, shape);
    figf(peak, "MB", "scale_%lld_eval_%s_peak_rss_mb", (long long)n, shape);
    figf(cpu, "ms", "scale_%lld_eval_%s_cpu_ms", (long long)n, shape);
    figf(acpu > 0 ? cpu / acpu : 0, "x", "scale_%lld_eval_%s_cpu_ratio",
         (long long)n, shape);
    if (bytes != want) {
        fprintf(stderr, "relabel-bench scale-read: eval wrote %zu bytes in "
                "image order, %zu from %s\n", want, bytes, shape);
        return 1;
    }
    return 0;
}

/* eval beside awk, on files exported into a temporary folder: in image
 * order, then shuffled (read again from a sort on disk), then as two
 * files and through a pipe (the same sort). */
static int
eval_figures(const char *relabel, const char *db, int64_t n)
{
    char *dir = tmpdir_new(), *pred = NULL, *wide = NULL, *awk = NULL;
    char *out = NULL, *shuf = NULL, *sout = NULL, *load = load_cmd(relabel);
    char *one = NULL, *two = NULL, *oout = NULL, *tout = NULL, *pipe = NULL;
    double ms, peak, ams, apeak, cpu, acpu, sms, speak, scpu;
    size_t bytes, sbytes;
    int rc = 1;
    FILE *f;

    if (dir == NULL)
        return 1;
    pred = rl_xasprintf("%s/pred.csv", dir);
    shuf = rl_xasprintf("%s/shuffled.csv", dir);
    wide = rl_xasprintf("%s/wide.csv", dir);
    awk = rl_xasprintf("%s/eval.awk", dir);
    out = rl_xasprintf(".output %s", pred);
    sout = rl_xasprintf(".output %s", shuf);
    one = rl_xasprintf("%s/first.csv", dir);
    two = rl_xasprintf("%s/second.csv", dir);
    oout = rl_xasprintf(".output %s", one);
    tout = rl_xasprintf(".output %s", two);
    pipe = rl_xasprintf("cat '%s' | '%s' --db '%s' eval -", pred, relabel,
                        db);
    {
        char *ex[] = { (char *)"sqlite3", (char *)"-readonly", (char *)"-cmd",
                       load, (char *)db, (char *)".headers on", (char *)".mode csv", out,
                       (char *)PRED_SQL, sout, (char *)PRED_SHUFFLED_SQL,
                       oout, (char *)PRED_FIRST_SQL, tout,
                       (char *)PRED_SECOND_SQL, NULL };
        char *wx[] = { (char *)relabel, (char *)"--db", (char *)db,
                       (char *)"export", (char *)"--format", (char *)"wide",
                       (char *)"-o", wide, NULL };

        if (run(ex, NULL, NULL, NULL, NULL) != 0
            || run(wx, NULL, NULL, NULL, NULL) != 0) {
            fprintf(stderr, "relabel-bench scale-read: exporting for eval "
                    "failed\n");
            goto out;
        }
    }
    if ((f = fopen(awk, "w")) == NULL || fputs(AWK_EVAL, f) < 0
        || fclose(f) != 0) {
        perror(awk);
        goto out;
    }
    {
        char *ev[] = { (char *)relabel, (char *)"--db", (char *)db,
                       (char *)"eval", pred, NULL };
        char *es[] = { (char *)relabel, (char *)"--db", (char *)db,
                       (char *)"eval", shuf, NULL };
        char *aw[] = { (char *)"awk", (char *)"-f", awk, wide, pred, NULL };

        if (run_peak(ev, NULL, &bytes, &ms, &cpu, &peak) != 0
            || run_peak(aw, NULL, NULL, &ams, &acpu, &apeak) != 0
            || run_peak(es, NULL, &sbytes, &sms, &scpu, &speak) != 0) {
            fprintf(stderr, "relabel-bench scale-read: eval or awk "
                    "failed\n");
            goto out;
        }
    }
    figf(ms, "ms", "scale_%lld_eval_ms", (long long)n);
    figf(peak, "MB", "scale_%lld_eval_peak_rss_mb", (long long)n);
    figf(ams, "ms", "scale_%lld_eval_awk_ms", (long long)n);
    figf(apeak, "MB", "scale_%lld_eval_awk_peak_rss_mb", (long long)n);
    figf(ams > 0 ? ms / ams : 0, "x", "scale_%lld_eval_ratio", (long long)n);
    /* CPU time: what the machine's other load does not stretch. */
    figf(cpu, "ms", "scale_%lld_eval_cpu_ms", (long long)n);
    figf(acpu, "ms", "scale_%lld_eval_awk_cpu_ms", (long long)n);
    figf(acpu > 0 ? cpu / acpu : 0, "x", "scale_%lld_eval_cpu_ratio",
         (long long)n);
    figf(sms, "ms", "scale_%lld_eval_shuffled_ms", (long long)n);
    figf(speak, "MB", "scale_%lld_eval_shuffled_peak_rss_mb", (long long)n);
    figf(ams > 0 ? sms / ams : 0, "x", "scale_%lld_eval_shuffled_ratio",
         (long long)n);
    figf(scpu, "ms", "scale_%lld_eval_shuffled_cpu_ms", (long long)n);
    figf(acpu > 0 ? scpu / acpu : 0, "x",
         "scale_%lld_eval_shuffled_cpu_ratio", (long long)n);
    if (bytes != sbytes) {
        fprintf(stderr, "relabel-bench scale-read: eval wrote %zu bytes in "
                "image order, %zu shuffled\n", bytes, sbytes);
        goto out;
    }
    {
        /* Two files: the models are named by their column, as in one. */
        char *e2[] = { (char *)relabel, (char *)"--db", (char *)db,
                       (char *)"eval", one, two, NULL };
        char *ep[] = { (char *)"sh", (char *)"-c", pipe, NULL };

        if (eval_shape(e2, "two_files", n, acpu, bytes) != 0
            || eval_shape(ep, "stdin", n, acpu, bytes) != 0)
            goto out;
    }
    rc = 0;
out:
    rmtree(dir);
    free(dir);
    free(pred);
    free(shuf);
    free(sout);
    free(load);
    free(wide);
    free(awk);
    free(out);
    free(one);
    free(two);
    free(oout);
    free(tout);
    free(pipe);
    return rc;
}

void
bench_scale_read_use(const char *path)
{
    relabel_opt = path;
}

int
bench_scale_read(const char *db, int64_t n_images)
{
    char *relabel = relabel_opt != NULL ? rl_xstrdup(relabel_opt)
                                        : relabel_beside();
    char *stats[] = { relabel, (char *)"--db", (char *)db, (char *)"stats",
                      NULL };
    char *load;
    char *ref[] = { (char *)"sqlite3", (char *)"-readonly", (char *)"-cmd",
                    NULL, (char *)db, (char *)STATS_SQL, NULL };
    double a, b;
    int rc = 1;

    if (relabel == NULL)
        return 1;                  /* said by relabel_beside */
    ref[3] = load = load_cmd(relabel);
    if (n_images <= 0 && (n_images = count_images(db)) < 0)
        goto out;
    if (eval_only) {
        rc = eval_figures(relabel, db, n_images);
        goto out;
    }
    if (review_figures(relabel, db, n_images) != 0)
        goto out;
    if (review_only) {
        rc = 0;
        goto out;
    }
    if ((a = median_run(stats, "relabel stats")) < 0
        || (b = median_run(ref, "sqlite3 (is it installed?)")) < 0)
        goto out;
    figf(a, "ms", "scale_%lld_stats_ms", (long long)n_images);
    figf(b, "ms", "scale_%lld_stats_sqlite3_ms", (long long)n_images);
    figf(b > 0 ? a / b : 0, "x", "scale_%lld_stats_ratio",
         (long long)n_images);
    if (eval_figures(relabel, db, n_images) != 0)
        goto out;
    rc = 0;
out:
    free(relabel);
    free(load);
    return rc;
}

int
bench_scale_read_cmd(int argc, char **argv)
{
    const char *db = NULL;
    long long n = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--relabel") == 0 && i + 1 < argc) {
            relabel_opt = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--eval-only") == 0) {
            eval_only = true;
            continue;
        }
        if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
            order_opt = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--review-only") == 0) {
            review_only = true;
            continue;
        }
        if (strcmp(argv[i], "--images") == 0 && i + 1 < argc) {
            n = atoll(argv[++i]);
            if (n > 0)
                continue;
        }
        fprintf(stderr, "relabel-bench scale-read: unexpected '%s'\n",
                argv[i]);
        return 2;
    }
    if (db == NULL) {
        fprintf(stderr, "relabel-bench scale-read: give --db FILE\n");
        return 2;
    }
    return bench_scale_read(db, (int64_t)n);
}
