/* bench.h - relabel-bench: figures printed as "name value unit" lines, or
 * as JSON with --json. Not run by the test suite.
 *
 * One file per subcommand: bench_store.c (store), bench_render.c (render,
 * next, detail, pixels), bench_search.c (search), bench_keys.c (keys,
 * memory), bench_queue.c (queue), bench_scale.c and bench_scale_read.c
 * (scale).
 * The helpers below live in bench.c. */
#ifndef RL_BENCH_H
#define RL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "relabel/util.h"

/* Records one figure (printed at the end, in order). */
void fig(const char *name, double value, const char *unit);
/* fig() with a printf-formatted name. */
void figf(double value, const char *unit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Median and 90th percentile of n samples (sorts them). */
double pct(double *v, int n, double p);
/* Records NAME_p50 and NAME_p90 (and NAME_max with `max`) of n samples,
 * in ms; sorts them. */
void fig_ms(const char *name, double *v, int n, bool max);
/* Peak resident memory of this process in MB. */
double peak_rss_mb(void);
/* CPU time of this process (every thread) in ms. */
double cpu_ms(void);

/* Reads a whole file into a new buffer the caller frees; NULL with a
 * message on standard error. */
unsigned char *slurp(const char *path, size_t *len);
/* Path of the `relabel` binary beside this one (same build folder), in a
 * new string; NULL with a message when there is none. */
char *relabel_beside(void);
/* A new temporary folder's path (caller frees), or NULL (said on
 * stderr); in $TMPDIR, else /tmp. rmtree() removes it and everything in
 * it. */
char *tmpdir_new(void);
void rmtree(const char *dir);
/* Runs argv[0] (searched in PATH) with stderr discarded and stdout read
 * and counted into *out_bytes (or discarded when it is NULL), with the
 * extra environment `env` (NULL, or NULL-terminated "K=V" strings).
 * Waits; returns the exit status, or -1. *wall_ms and *cpu_ms_out (each
 * may be NULL) receive its wall-clock time, fork to exit, and its CPU time
 * (user + system, all threads). */
int run(char *const argv[], char *const env[], size_t *out_bytes,
        double *wall_ms, double *cpu_ms_out);
/* run(), also giving the child's peak resident memory in MB (`peak_mb`
 * may be NULL). */
int run_peak(char *const argv[], char *const env[], size_t *out_bytes,
             double *wall_ms, double *cpu_ms_out, double *peak_mb);

/* The real `relabel --db DB --reviewer NAME review` in a 120x40
 * pseudo-terminal (TERM=xterm-256color, LC_ALL=C.UTF-8), in
 * bench_keys.c. */
struct bench_tty {
    pid_t pid;                /* the relabel process */
    int fd;                   /* master side */
    clockid_t cpu;            /* its CPU clock */
    bool has_cpu;
    bool answer;              /* drain answers DA1 (ESC [ c), once */
    bool answered;
    char tail[2];             /* last two bytes read: a split query */
};

/* One key's reply. */
struct bench_reply {
    double ms, cpu_ms;        /* key written to last byte read; child CPU */
    size_t bytes;
    bool image;               /* repainted the image */
};

/* Starts it; 0, or -1 with a message on standard error. */
int bench_tty_start(struct bench_tty *t, const char *relabel, const char *db,
                    const char *reviewer);
/* CPU milliseconds the child has used so far (0 when unknown). */
double bench_tty_cpu(const struct bench_tty *t);
/* The same with `relabel review --order ORDER` (order NULL: none). */
int bench_tty_start_order(struct bench_tty *t, const char *relabel,
                          const char *db, const char *reviewer,
                          const char *order);
/* Reads until `quiet` ms pass without output (or 10 s, or EOF); returns
 * the bytes read, the time of the last one in *last, and keeps them in
 * `keep` unless it is NULL. */
size_t bench_tty_drain(struct bench_tty *t, double quiet, double *last,
                       rl_buf *keep);
/* Writes `key` and reads its reply until QUIET_MS of silence. */
int bench_tty_press(struct bench_tty *t, char key, struct bench_reply *r);
/* VmHWM (peak) and VmRSS of the child, in MB. */
void bench_tty_mem(const struct bench_tty *t, double *hwm, double *rss);
/* Quits with q; ends the child (by its pid) if it does not leave. */
void bench_tty_stop(struct bench_tty *t);

int bench_store(int argc, char **argv);
int bench_render(int argc, char **argv);
int bench_next(int argc, char **argv);
int bench_detail(int argc, char **argv);
int bench_pixels(int argc, char **argv);
int bench_search(int argc, char **argv);
int bench_keys(int argc, char **argv);
int bench_memory(int argc, char **argv);
int bench_queue(int argc, char **argv);
int bench_scale(int argc, char **argv);
int bench_scale_read_cmd(int argc, char **argv);
/* The read side at scale on the project `db` of `n_images` images (0:
 * count them): review first frame, RSS, next image, mark; stats beside
 * the sqlite3 shell; eval beside awk. Prints scale_<N>_<what> figures.
 * Writes one mark and its undo (reviewer bench-scale) to `db`. 0, or 1
 * with a message on standard error. */
int bench_scale_read(const char *db, int64_t n_images);
/* The relabel binary bench_scale_read runs (NULL, the default: the one
 * beside relabel-bench); `path` is not copied. */
void bench_scale_read_use(const char *path);

#endif
