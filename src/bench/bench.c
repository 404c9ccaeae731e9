/* bench.c - relabel-bench: measures what users feel. Each subcommand
 * prints one "name value unit" line per figure and exits 0; --json
 * prints the same as a JSON object. This file holds the figure table and
 * the helpers the subcommands share (files, temporary folders, child
 * processes). */
#include "bench/bench.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relabel/util.h"

struct figure {
    char name[64];         /* as scripts read it */
    double value;
    char unit[16];
};

static struct figure figs[512];
static int nfigs;

void
fig(const char *name, double value, const char *unit)
{
    if (nfigs >= (int)(sizeof figs / sizeof figs[0]))
        return;
    snprintf(figs[nfigs].name, sizeof figs[nfigs].name, "%s", name);
    figs[nfigs].value = value;
    snprintf(figs[nfigs].unit, sizeof figs[nfigs].unit, "%s", unit);
    nfigs++;
}

void
figf(double value, const char *unit, const char *fmt, ...)
{
    char name[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    fig(name, value, unit);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double
pct(double *v, int n, double p)
{
    int i;

    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    i = (int)(p * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

void
fig_ms(const char *name, double *v, int n, bool max)
{
    figf(pct(v, n, 0.5), "ms", "%s_p50", name);
    figf(pct(v, n, 0.9), "ms", "%s_p90", name);
    if (max)
        figf(n > 0 ? v[n - 1] : 0, "ms", "%s_max", name);
}

double
peak_rss_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

double
cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

unsigned char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t cap = 0, n = 0, r;

    if (f == NULL) {
        fprintf(stderr, "relabel-bench: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    do {
        if (n == cap)
            rl_grow(&data, &cap, n + 65536, 1);
        r = fread(data + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return data;
}

char *
relabel_beside(void)
{
    char exe[PATH_MAX], *slash, *p;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (n <= 0) {
        fprintf(stderr, "relabel-bench: cannot find myself (/proc/self/exe)"
                "; use --relabel PATH\n");
        return NULL;
    }
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) != NULL)
        *slash = '\0';
    p = rl_xasprintf("%s/relabel", exe);
    if (access(p, X_OK) != 0) {
        fprintf(stderr, "relabel-bench: no relabel binary at %s; build it "
                "or use --relabel PATH\n", p);
        free(p);
        return NULL;
    }
    return p;
}

char *
tmpdir_new(void)
{
    const char *t = getenv("TMPDIR");
    char *d = rl_xasprintf("%s/relabel-bench-XXXXXX",
                           t != NULL && *t != '\0' ? t : "/tmp");

    if (mkdtemp(d) == NULL) {
        perror("relabel-bench: mkdtemp");
        free(d);
        return NULL;
    }
    return d;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void
rmtree(const char *dir)
{
    if (dir != NULL)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
run(char *const argv[], char *const env[], size_t *out_bytes,
    double *wall_ms, double *cpu_ms_out)
{
    return run_peak(argv, env, out_bytes, wall_ms, cpu_ms_out, NULL);
}

int
run_peak(char *const argv[], char *const env[], size_t *out_bytes,
         double *wall_ms, double *cpu_ms_out, double *peak_mb)
{
    int fds[2], status;
    struct rusage ru;
    double t = rl_mono_ms();
    size_t total = 0;
    pid_t pid;

    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(out_bytes != NULL ? fds[1] : null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        for (int i = 0; env != NULL && env[i] != NULL; i++)
            putenv(env[i]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char buf[65536];
        ssize_t r = read(fds[0], buf, sizeof buf);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        total += (size_t)r;
    }
    close(fds[0]);
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    if (wall_ms != NULL)
        *wall_ms = rl_mono_ms() - t;
    if (cpu_ms_out != NULL)
        *cpu_ms_out = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
                      + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)
                      / 1e3;
    if (out_bytes != NULL)
        *out_bytes = total;
    if (peak_mb != NULL)
        *peak_mb = (double)ru.ru_maxrss / 1024.0;     /* KB on Linux */
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char USAGE[] =
    "usage: relabel-bench [--json] SUBCOMMAND [options]\n"
    "\n"
    "  render [--size COLSxROWS] [--colors 256|full] [--runs N] [IMAGE...]\n"
    "        read, decode, canvas and output stages and end to end (median,\n"
    "        p90), the bytes of a full repaint, and the same through the\n"
    "        `chafa` command (default size 100x40, 256 colours; default\n"
    "        images: the demo cat, and ../shared/data/badjpeg/\n"
    "        large_4000x2664.JPEG when present, as render_large_*)\n"
    "  next [--size COLSxROWS] [--colors 256|full] [--runs N] [IMAGE...]\n"
    "        next image to frame sent: not prefetched, and prefetched\n"
    "  detail [--size COLSxROWS] [IMAGE...]\n"
    "        bytes and picture error of lower-detail frames (16 and 8\n"
    "        colours, fewer cells) for slow links\n"
    "  pixels [--size COLSxROWS] [--runs N] [IMAGE...]\n"
    "        per picture mode (symbols256, truecolor, sixel, kitty) with\n"
    "        10x20-pixel cells, beside the `chafa` command in the same mode\n"
    "        (run in a pty that says the cell size): fidelity in dB\n"
    "        against the source at the displayed size, bytes, next image\n"
    "        cold and prefetched (default 120x40, 5 runs, the demo photos)\n"
    "  search [--wordnet FILE]\n"
    "        time per keystroke of class search over the catalog, and over\n"
    "        every WordNet noun (FILE default /usr/share/wordnet/data.noun)\n"
    "  store [--data DIR]\n"
    "        import, export, open and stats on the ReaL-scale project (DIR:\n"
    "        the shared data folder holding val_labels.csv,\n"
    "        real_proposals.csv, real_labels.csv; default ../shared/data)\n"
    "  keys [--relabel PATH] [--runs N]\n"
    "        the real `relabel review` in a 120x40 pseudo-terminal on the\n"
    "        demo project: bytes and time of a cursor move, a mark, a bulk\n"
    "        action, an undo and a next image\n"
    "  memory [--relabel PATH] [--data DIR]\n"
    "        peak memory of the real `relabel review` on the ReaL-scale\n"
    "        project built with the relabel command\n"
    "  queue [--images N] [--seed S] [--no-scores]\n"
    "        how many of a known 5% of replaced labels each queue order\n"
    "        puts in the first 10% and 25% of a seeded synthetic project\n"
    "  scale-read --db FILE [--images N] [--relabel PATH] [--eval-only]\n"
    "             [--order ORDER] [--review-only]\n"
    "        on a large project: review first frame, its memory, the time\n"
    "        until the footer's counts are known, next image and mark;\n"
    "        stats beside the sqlite3 shell doing the same counts (writes\n"
    "        a mark and its undo as reviewer bench-scale); eval beside awk\n"
    "        (--eval-only: that alone), in file order and shuffled\n"
    "  scale [--images N...] [--seed S]\n"
    "        synthetic projects of N images (default 50000 250000 1280000;\n"
    "        5 models x top-5, 7.36 reviews per image): each import beside\n"
    "        the sqlite3 shell doing the same work, peak memory, lock\n"
    "        time, bytes per prediction, growth exponents\n";

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        { "render", bench_render }, { "next", bench_next },
        { "detail", bench_detail }, { "pixels", bench_pixels },
        { "search", bench_search },
        { "store", bench_store }, { "keys", bench_keys },
        { "memory", bench_memory }, { "queue", bench_queue },
        { "scale-read", bench_scale_read_cmd },
        { "scale", bench_scale },
    };
    bool json = false;
    int i = 1, rc = -1;

    if (i < argc && strcmp(argv[i], "--json") == 0) {
        json = true;
        i++;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0) {
        fputs(USAGE, i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
        if (strcmp(argv[i], cmds[k].name) == 0)
            rc = cmds[k].fn(argc - i, argv + i);
    if (rc == -1) {
        fprintf(stderr, "relabel-bench: unknown subcommand '%s'\n", argv[i]);
        return 2;
    }
    if (rc != 0)
        return rc;
    if (json) {
        printf("{");
        for (i = 0; i < nfigs; i++)
            printf("%s\"%s\": {\"value\": %.6g, \"unit\": \"%s\"}",
                   i ? ", " : "", figs[i].name, figs[i].value, figs[i].unit);
        printf("}\n");
    } else {
        /* counts (bytes, pixels) exactly; times to 4 digits */
        for (i = 0; i < nfigs; i++)
            printf(figs[i].value == (double)(long long)figs[i].value
                   && fabs(figs[i].value) < 1e12 ? "%s %.0f %s\n"
                   : "%s %.4g %s\n", figs[i].name, figs[i].value,
                   figs[i].unit);
    }
    return 0;
}
