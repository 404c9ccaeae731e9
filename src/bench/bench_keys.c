/* bench_keys.c - the real `relabel review` in a pseudo-terminal: what one
 * key costs in bytes to the terminal and in time (`keys`), and the
 * interface's peak memory on a ReaL-scale project (`memory`).
 *
 * Method: the binary runs under forkpty() in a 120x40 window with
 * TERM=xterm-256color and LC_ALL=C.UTF-8; after the first frame, each key
 * is written to the master side and everything the program prints is read
 * until it has been quiet for QUIET_MS. Time is from the key's write to
 * the last byte read (nothing subtracted); CPU is the child's CPU clock
 * over the same span, every thread. A reply repainted the image when it
 * holds a block element (U+2580..259F): the interface's text never
 * does. */
#include "bench/bench.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relabel/util.h"

#define QUIET_MS 150.0        /* output is over after this much silence */
#define FIRST_QUIET_MS 600.0  /* ... for the first frame */
#define MAX_RUNS 50

double
bench_tty_cpu(const struct bench_tty *t)
{
    struct timespec ts;

    if (!t->has_cpu || clock_gettime(t->cpu, &ts) != 0)
        return 0;
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
bench_tty_start(struct bench_tty *t, const char *relabel, const char *db,
                const char *reviewer)
{
    return bench_tty_start_order(t, relabel, db, reviewer, NULL);
}

int
bench_tty_start_order(struct bench_tty *t, const char *relabel,
                      const char *db, const char *reviewer, const char *order)
{
    struct winsize ws = { .ws_row = 40, .ws_col = 120 };

    t->pid = forkpty(&t->fd, NULL, NULL, &ws);
    if (t->pid < 0) {
        perror("relabel-bench: forkpty");
        return -1;
    }
    if (t->pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        unsetenv("LINES");
        unsetenv("COLUMNS");
        if (order != NULL)
            execl(relabel, relabel, "--db", db, "--reviewer", reviewer,
                  "review", "--order", order, (char *)NULL);
        else
            execl(relabel, relabel, "--db", db, "--reviewer", reviewer,
                  "review", (char *)NULL);
        _exit(127);
    }
    t->has_cpu = clock_getcpuclockid(t->pid, &t->cpu) == 0;
    t->answer = t->answered = false;
    t->tail[0] = t->tail[1] = '\0';
    return 0;
}

/* Answers DA1 as xterm does if `buf` (after t->tail) ends a DA1 query. */
static void
answer_da1(struct bench_tty *t, const char *buf, size_t n)
{
    static const char da1[] = "\033[?62;22c";

    for (size_t i = 0; t->answer && !t->answered && i < n; i++) {
        char c0 = i >= 2 ? buf[i - 2] : i == 1 ? t->tail[1] : t->tail[0];
        char c1 = i >= 1 ? buf[i - 1] : t->tail[1];

        if (c0 == '\033' && c1 == '[' && buf[i] == 'c')
            t->answered = write(t->fd, da1, sizeof da1 - 1)
                          == (ssize_t)(sizeof da1 - 1);
    }
    if (n > 0) {
        t->tail[0] = n >= 2 ? buf[n - 2] : t->tail[1];
        t->tail[1] = buf[n - 1];
    }
}

size_t
bench_tty_drain(struct bench_tty *t, double quiet, double *last, rl_buf *keep)
{
    double start = rl_mono_ms(), mark = start;
    size_t n = 0;

    *last = start;
    for (;;) {
        double now = rl_mono_ms(), left = quiet - (now - mark);
        struct pollfd p = { .fd = t->fd, .events = POLLIN };
        char buf[16384];
        ssize_t r;

        if (left <= 0 || now - start > 10000)
            break;
        if (poll(&p, 1, (int)left + 1) <= 0)
            continue;
        r = read(t->fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;                 /* EIO: the child closed the pty */
        n += (size_t)r;
        mark = *last = rl_mono_ms();
        answer_da1(t, buf, (size_t)r);
        if (keep != NULL)
            rl_buf_add(keep, buf, (size_t)r);
    }
    return n;
}

static bool
has_blocks(const rl_buf *b)
{
    for (size_t i = 0; i + 2 < b->len; i++)
        if ((unsigned char)b->data[i] == 0xE2
            && (unsigned char)b->data[i + 1] == 0x96
            && (unsigned char)b->data[i + 2] >= 0x80
            && (unsigned char)b->data[i + 2] <= 0x9F)
            return true;
    return false;
}

int
bench_tty_press(struct bench_tty *t, char key, struct bench_reply *r)
{
    rl_buf b = {0};
    double t0, c0 = bench_tty_cpu(t), last;

    t0 = rl_mono_ms();
    if (write(t->fd, &key, 1) != 1) {
        perror("relabel-bench keys: write");
        return -1;
    }
    r->bytes = bench_tty_drain(t, QUIET_MS, &last, &b);
    r->ms = r->bytes > 0 ? last - t0 : 0;
    r->cpu_ms = bench_tty_cpu(t) - c0;
    r->image = has_blocks(&b);
    rl_buf_free(&b);
    return 0;
}

void
bench_tty_mem(const struct bench_tty *t, double *hwm, double *rss)
{
    char path[64], line[256];
    FILE *f;

    *hwm = *rss = 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)t->pid);
    if ((f = fopen(path, "r")) == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm = strtod(line + 6, NULL) / 1024.0;
        else if (strncmp(line, "VmRSS:", 6) == 0)
            *rss = strtod(line + 6, NULL) / 1024.0;
    }
    fclose(f);
}

void
bench_tty_stop(struct bench_tty *t)
{
    double last;
    int status;

    if (write(t->fd, "q", 1) == 1)
        bench_tty_drain(t, 500, &last, NULL);
    for (int i = 0; i < 300; i++) {
        struct timespec ms10 = { 0, 10000000 };

        if (waitpid(t->pid, &status, WNOHANG) == t->pid)
            goto out;
        nanosleep(&ms10, NULL);
    }
    fprintf(stderr, "relabel-bench: relabel did not quit; ending it\n");
    kill(t->pid, SIGTERM);
    waitpid(t->pid, &status, 0);
out:
    close(t->fd);
}

/* Time from the start of `relabel review` on `db` to the last byte of
 * its first frame, answering the terminal query (DA1, ESC [ c) at once
 * as a local terminal does, so the figure holds no query timeout. The
 * quick check of open runs in the background meanwhile. -1 on failure. */
static double
first_frame(const char *relabel, const char *db)
{
    double t0 = rl_mono_ms(), last;
    struct bench_tty t;

    if (bench_tty_start(&t, relabel, db, "bench") != 0)
        return -1;
    t.answer = true;
    bench_tty_drain(&t, FIRST_QUIET_MS, &last, NULL);
    bench_tty_stop(&t);
    return t.answered ? last - t0 : -1;
}

/* Runs `relabel --db DB ARGS...` quietly; 0 when it exits 0. */
static int
cli(const char *relabel, const char *db, const char *a, const char *b,
    const char *c)
{
    char *argv[] = { (char *)relabel, (char *)"--db", (char *)db,
                     (char *)a, (char *)b, (char *)c, NULL };
    int rc = run(argv, NULL, NULL, NULL, NULL);

    if (rc != 0)
        fprintf(stderr, "relabel-bench: `relabel --db %s %s %s %s` failed "
                "(%d)\n", db, a, b ? b : "", c ? c : "", rc);
    return rc;
}

static int
find_relabel(int argc, char **argv, int *i, char **relabel)
{
    if (strcmp(argv[*i], "--relabel") == 0 && *i + 1 < argc) {
        free(*relabel);
        *relabel = rl_xstrdup(argv[++*i]);
        return 1;
    }
    return 0;
}

/* Figures for one action from its replies. */
static void
report(const char *name, struct bench_reply *r, int n)
{
    double ms[MAX_RUNS], cpu[MAX_RUNS];
    size_t bytes = 0;
    int image = 0;

    for (int i = 0; i < n; i++) {
        ms[i] = r[i].ms;
        cpu[i] = r[i].cpu_ms;
        bytes = r[i].bytes > bytes ? r[i].bytes : bytes;
        image += r[i].image;
    }
    figf((double)bytes, "B", "%s_bytes", name);
    figf(pct(ms, n, 0.5), "ms", "%s_ms", name);
    figf(ms[n - 1], "ms", "%s_ms_max", name);
    figf(pct(cpu, n, 0.5), "ms", "%s_cpu_ms", name);
    figf(image, "of_runs", "%s_image_repaints", name);
}

int
bench_keys(int argc, char **argv)
{
    enum { MOVE, MARK, UNDO, BULK, NEXT, PREV, PICK, NACT };
    static const char *const names[NACT] = {
        "move", "mark", "undo", "bulk", "nextkey", "prevkey", "pickerkey"
    };
    static const char typed[] = "tabby cat";
    static const char *const what[] = { "labels", "images", "predictions" };
    struct bench_reply rep[NACT][MAX_RUNS], r;
    char *relabel = NULL, *dir = NULL, *db = NULL, *p;
    int runs = 5, rc = 1, i, a, nmove = 0, nundo = 0, npick = 0;
    struct bench_tty t;
    double t0, last, hwm, rss;
    size_t n;

    for (i = 1; i < argc; i++) {
        if (find_relabel(argc, argv, &i, &relabel))
            continue;
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
            if (runs >= 1 && runs <= MAX_RUNS / 2)
                continue;
        }
        fprintf(stderr, "relabel-bench keys: unexpected '%s'\n", argv[i]);
        free(relabel);
        return 2;
    }
    if (relabel == NULL && (relabel = relabel_beside()) == NULL)
        return 1;
    if ((dir = tmpdir_new()) == NULL)
        goto out;

    /* The demo project, built with the command line as a user would. */
    db = rl_xasprintf("%s/demo.db", dir);
    if (cli(relabel, db, "init", NULL, NULL) != 0)
        goto out;
    for (a = 0; a < 3; a++) {
        p = rl_xasprintf("%s/demo/%s.csv", RL_SRC_SHARE, what[a]);
        i = cli(relabel, db, "import", what[a], p);
        free(p);
        if (i != 0)
            goto out;
    }

    t0 = rl_mono_ms();
    if (bench_tty_start(&t, relabel, db, "bench") != 0)
        goto out;
    n = bench_tty_drain(&t, FIRST_QUIET_MS, &last, NULL);
    fig("quiet_ms", QUIET_MS, "ms");
    fig("startup_bytes", (double)n, "B");
    fig("startup_ms", last - t0, "ms");

    /* Each round leaves the image fresh and the selection where it was:
     * c advances the selection, z keeps it, so k puts it back. */
    for (i = 0; i < runs; i++) {
        if (bench_tty_press(&t, 'j', &rep[MOVE][nmove++]) != 0
            || bench_tty_press(&t, 'k', &rep[MOVE][nmove++]) != 0
            || bench_tty_press(&t, 'c', &rep[MARK][i]) != 0
            || bench_tty_press(&t, 'z', &rep[UNDO][nundo++]) != 0
            || bench_tty_press(&t, 'k', &r) != 0
            || bench_tty_press(&t, 'W', &rep[BULK][i]) != 0
            || bench_tty_press(&t, 'z', &rep[UNDO][nundo++]) != 0)
            goto stop;
    }
    for (i = 0; i < runs; i++)
        if (bench_tty_press(&t, 'n', &rep[NEXT][i]) != 0
            || bench_tty_press(&t, 'N', &rep[PREV][i]) != 0)
            goto stop;
    /* Typing in the class picker (+): one query letter per key. */
    if (bench_tty_press(&t, '+', &r) != 0)
        goto stop;
    for (i = 0; typed[i] != '\0' && npick < MAX_RUNS; i++)
        if (bench_tty_press(&t, typed[i], &rep[PICK][npick++]) != 0)
            goto stop;
    if (bench_tty_press(&t, 27, &r) != 0)
        goto stop;
    report(names[MOVE], rep[MOVE], nmove);
    report(names[PICK], rep[PICK], npick);
    {
        /* The first letters replace the whole list (the tree by the
         * hits): the median says what a typical letter costs. */
        double b[MAX_RUNS];

        for (i = 0; i < npick; i++)
            b[i] = (double)rep[PICK][i].bytes;
        figf(pct(b, npick, 0.5), "B", "%s_bytes_median", names[PICK]);
    }
    report(names[MARK], rep[MARK], runs);
    report(names[BULK], rep[BULK], runs);
    report(names[UNDO], rep[UNDO], nundo);
    report(names[NEXT], rep[NEXT], runs);
    report(names[PREV], rep[PREV], runs);
    bench_tty_mem(&t, &hwm, &rss);
    fig("demo_ui_peak_rss_mb", hwm, "MB");
    rc = 0;
stop:
    bench_tty_stop(&t);
out:
    rmtree(dir);
    free(dir);
    free(db);
    free(relabel);
    return rc;
}

/* images.csv giving every image of val_labels.csv one of the demo photos,
 * in turn, so that the interface decodes and renders as it goes. */
static int
real_images(const char *labels, const char *out)
{
    static const char *const photos[] = {
        "astronaut_collins", "cameraman_tripod_gray", "chelsea_cat",
        "coffee_cup", "dahlia_flower", "falcon9_rocket", "grace_hopper",
        "hubble_deep_field", "summer_palace", "wall_clock_blurred_gray",
    };
    FILE *in = fopen(labels, "r"), *o = fopen(out, "w");
    char line[512];
    long n = 0;

    if (in == NULL || o == NULL) {
        perror("relabel-bench memory");
        if (in != NULL)
            fclose(in);
        if (o != NULL)
            fclose(o);
        return -1;
    }
    fputs("image,path\n", o);
    if (fgets(line, sizeof line, in) != NULL)       /* header */
        while (fgets(line, sizeof line, in) != NULL) {
            char *comma = strchr(line, ',');

            if (comma == NULL)
                continue;
            *comma = '\0';
            fprintf(o, "%s,%s/demo/%s.JPEG\n", line, RL_SRC_SHARE,
                    photos[n++ % 10]);
        }
    fclose(in);
    return fclose(o) == 0 ? 0 : -1;
}

int
bench_memory(int argc, char **argv)
{
    const char *data = "../shared/data";
    char *relabel = NULL, *dir = NULL, *db = NULL, *lab, *pred, *img;
    struct bench_reply r[40];
    struct bench_tty t;
    double t0, last, hwm, rss, ms[40];
    int i, rc = 1;

    for (i = 1; i < argc; i++) {
        if (find_relabel(argc, argv, &i, &relabel))
            continue;
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
            continue;
        }
        fprintf(stderr, "relabel-bench memory: unexpected '%s'\n", argv[i]);
        free(relabel);
        return 2;
    }
    lab = rl_xasprintf("%s/val_labels.csv", data);
    pred = rl_xasprintf("%s/real_proposals.csv", data);
    if (access(lab, R_OK) != 0 || access(pred, R_OK) != 0) {
        fprintf(stderr, "relabel-bench memory: no %s or %s; nothing "
                "measured\n", lab, pred);
        rc = 0;
        goto out;
    }
    if (relabel == NULL && (relabel = relabel_beside()) == NULL)
        goto out;
    if ((dir = tmpdir_new()) == NULL)
        goto out;
    db = rl_xasprintf("%s/real.db", dir);
    img = rl_xasprintf("%s/images.csv", dir);
    t0 = rl_mono_ms();
    i = cli(relabel, db, "init", NULL, NULL) != 0
        || cli(relabel, db, "import", "labels", lab) != 0
        || cli(relabel, db, "import", "predictions", pred) != 0
        || real_images(lab, img) != 0
        || cli(relabel, db, "import", "images", img) != 0;
    free(img);
    if (i != 0)
        goto out;
    fig("memory_build_ms", rl_mono_ms() - t0, "ms");

    /* Open to first frame, five fresh processes. */
    for (i = 0; i < 5; i++)
        if ((ms[i] = first_frame(relabel, db)) < 0) {
            fprintf(stderr, "relabel-bench memory: no first frame (or no "
                    "terminal query) from %s\n", relabel);
            goto out;
        }
    fig("first_frame_50k_ms", pct(ms, 5, 0.5), "ms");
    fig("first_frame_50k_ms_max", pct(ms, 5, 1.0), "ms");

    t0 = rl_mono_ms();
    if (bench_tty_start(&t, relabel, db, "bench") != 0)
        goto out;
    bench_tty_drain(&t, FIRST_QUIET_MS, &last, NULL);
    fig("ui_startup_ms", last - t0, "ms");
    /* Forty images forward: the caches fill and stay at their bound. */
    for (i = 0; i < 40; i++) {
        if (bench_tty_press(&t, 'n', &r[i]) != 0)
            break;
        ms[i] = r[i].ms;
    }
    if (i > 0)
        fig_ms("ui_next_ms", ms, i, true);
    bench_tty_mem(&t, &hwm, &rss);
    fig("ui_peak_rss_mb", hwm, "MB");
    fig("ui_rss_mb", rss, "MB");
    bench_tty_stop(&t);
    rc = 0;
out:
    rmtree(dir);
    free(dir);
    free(db);
    free(lab);
    free(pred);
    free(relabel);
    return rc;
}
