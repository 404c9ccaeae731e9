/* bench_render.c - the image pane: `render` times each stage of drawing a
 * JPEG (read, decode, canvas, terminal bytes) through the same calls the
 * interface makes and runs the `chafa` command on the same file for
 * comparison; `next` times "next image" to the frame being written, with
 * and without the prefetcher having done the work; `detail` prices
 * lower-detail frames for slow links in bytes and picture error.
 *
 * Timings are wall clock over repeated runs after one warm-up run, so the
 * file is in the page cache: "not prefetched" means the prefetcher had not
 * rendered it, not that the disk was cold. */
#include "bench/bench.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pty.h>
#include <sys/wait.h>
#include <zlib.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/picture.h"
#include "relabel/render.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"

#define MAX_IMAGES 16
#define DEMO_IMAGE RL_SRC_SHARE "/demo/chelsea_cat.JPEG"
#define LARGE_IMAGE "../shared/data/badjpeg/large_4000x2664.JPEG"

struct opts {
    const char *cmd;                /* subcommand, for messages */
    int cols, rows;                 /* --size */
    rl_colors colors;               /* --colors */
    int runs;                       /* timed runs per figure */
    int n;                          /* images */
    const char *path[MAX_IMAGES];   /* image files */
    char tag[MAX_IMAGES][16];       /* "" for the first, "_large", "_2"... */
    bool size_given, runs_given;    /* --size, --runs were on the line */
    bool defaults;                  /* no IMAGE given: the default ones */
};

static int
parse(int argc, char **argv, struct opts *o)
{
    int i;

    o->cmd = argv[0];
    o->cols = 100;
    o->rows = 40;
    o->colors = RL_COLORS_256;
    o->runs = 21;
    o->n = 0;
    o->size_given = o->runs_given = o->defaults = false;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &o->cols, &o->rows) != 2
                || o->cols <= 0 || o->rows <= 0
                || o->cols > RL_RENDER_MAX_CELLS
                || o->rows > RL_RENDER_MAX_CELLS)
                goto bad;
            o->size_given = true;
        } else if (strcmp(argv[i], "--colors") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "256") == 0)
                o->colors = RL_COLORS_256;
            else if (strcmp(argv[i], "full") == 0)
                o->colors = RL_COLORS_FULL;
            else
                goto bad;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            o->runs = atoi(argv[++i]);
            if (o->runs < 1 || o->runs > 1000)
                goto bad;
            o->runs_given = true;
        } else if (argv[i][0] == '-') {
            goto bad;
        } else if (o->n < MAX_IMAGES) {
            snprintf(o->tag[o->n], sizeof o->tag[0],
                     o->n == 0 ? "" : "_%d", o->n + 1);
            o->path[o->n++] = argv[i];
        }
    }
    if (o->n == 0) {
        o->defaults = true;
        o->path[o->n] = DEMO_IMAGE;
        o->tag[o->n++][0] = '\0';
        if (access(LARGE_IMAGE, R_OK) == 0) {
            o->path[o->n] = LARGE_IMAGE;
            snprintf(o->tag[o->n++], sizeof o->tag[0], "_large");
        }
    }
    return 0;
bad:
    fprintf(stderr, "relabel-bench %s: unexpected '%s' (see --help)\n",
            o->cmd, argv[i]);
    return 2;
}

static double
since(double *t)
{
    double now = rl_mono_ms(), d = now - *t;

    *t = now;
    return d;
}

/* Bytes of `b` through zlib at level 6, as `ssh -C` compresses. */
static size_t
gzip_len(const rl_buf *b)
{
    uLongf n = compressBound((uLong)b->len);
    unsigned char *z = rl_xmalloc(n);

    if (compress2(z, &n, (const Bytef *)b->data, (uLong)b->len, 6) != Z_OK)
        n = 0;
    free(z);
    return (size_t)n;
}

/* ---- render -------------------------------------------------------- */

/* The chafa command on the same file, timed as a process. */
static void
bench_chafa(const struct opts *o, int k, double ours_p50, size_t ours_bytes,
            double ours_cpu)
{
    char size[32], *argv[8];
    char *env[] = { (char *)"TERM=xterm-256color", NULL };
    double wall[1000], cpu[1000];
    size_t bytes = 0;
    int i;

    snprintf(size, sizeof size, "%dx%d", o->cols, o->rows);
    argv[0] = (char *)"chafa";
    argv[1] = (char *)"--size";
    argv[2] = size;
    argv[3] = (char *)"--colors";
    argv[4] = (char *)(o->colors == RL_COLORS_FULL ? "full" : "256");
    argv[5] = (char *)o->path[k];
    argv[6] = NULL;
    for (i = -1; i < o->runs; i++) {
        double w, c;

        if (run(argv, env, &bytes, &w, &c) != 0) {
            fprintf(stderr, "relabel-bench render: `chafa` did not run "
                    "(not installed?); no chafa figures\n");
            return;
        }
        if (i >= 0) {
            wall[i] = w;
            cpu[i] = c;
        }
    }
    figf(pct(wall, o->runs, 0.5), "ms", "chafa%s_ms_p50", o->tag[k]);
    figf(pct(wall, o->runs, 0.9), "ms", "chafa%s_ms_p90", o->tag[k]);
    figf(pct(cpu, o->runs, 0.5), "ms", "chafa%s_cpu_ms_p50", o->tag[k]);
    figf((double)bytes, "B", "chafa%s_bytes", o->tag[k]);
    figf(ours_p50 / pct(wall, o->runs, 0.5), "x", "render%s_vs_chafa_time",
         o->tag[k]);
    figf(ours_cpu / pct(cpu, o->runs, 0.5), "x", "render%s_vs_chafa_cpu",
         o->tag[k]);
    figf((double)ours_bytes / (double)bytes, "x", "render%s_vs_chafa_bytes",
         o->tag[k]);
}

static int
render_one(const struct opts *o, int k)
{
    enum { READ, DECODE, CANVAS, OUTPUT, TOTAL, CPU, NSTAGE };
    static const char *const stage[NSTAGE] = {
        "read", "decode", "canvas", "output", NULL, "cpu"
    };
    double *v[NSTAGE], t, c0;
    rl_buf out = {0};
    rl_pixels *px = NULL;
    rl_cells *cells = NULL;
    rl_err e;
    int mw, mh, i, s, rc = 1;

    for (s = 0; s < NSTAGE; s++)
        v[s] = rl_xcalloc((size_t)o->runs, sizeof *v[s]);
    rl_render_target_px(o->cols, o->rows, &mw, &mh);
    for (i = -1; i < o->runs; i++) {
        double d[NSTAGE];
        unsigned char *data;
        size_t n;

        rl_pixels_free(px);
        rl_cells_free(cells);
        c0 = cpu_ms();
        t = rl_mono_ms();
        if ((data = slurp(o->path[k], &n)) == NULL)
            goto out;
        d[READ] = since(&t);
        px = rl_pixels_decode(data, n, mw, mh, &e);
        free(data);
        d[DECODE] = since(&t);
        if (px == NULL
            || (cells = rl_render_cells(px, o->cols, o->rows,
                                        RL_RENDER_SYMBOLS, o->colors,
                                        &e)) == NULL) {
            fprintf(stderr, "relabel-bench render: %s: %s\n", o->path[k],
                    e.msg);
            goto out;
        }
        d[CANVAS] = since(&t);
        rl_buf_reset(&out);
        rl_cells_to_ansi(cells, 0, 0, &out);
        d[OUTPUT] = since(&t);
        d[CPU] = cpu_ms() - c0;
        d[TOTAL] = d[READ] + d[DECODE] + d[CANVAS] + d[OUTPUT];
        for (s = 0; i >= 0 && s < NSTAGE; s++)
            v[s][i] = d[s];
    }

    figf(px->src_w, "px", "render%s_image_w", o->tag[k]);
    figf(px->src_h, "px", "render%s_image_h", o->tag[k]);
    figf(px->w, "px", "render%s_decoded_w", o->tag[k]);
    figf(px->h, "px", "render%s_decoded_h", o->tag[k]);
    for (s = 0; s < NSTAGE; s++) {
        char name[64];

        if (stage[s] == NULL)
            snprintf(name, sizeof name, "render%s_ms", o->tag[k]);
        else
            snprintf(name, sizeof name, "render%s_%s_ms", o->tag[k],
                     stage[s]);
        fig_ms(name, v[s], o->runs, false);
    }
    figf((double)out.len, "B", "render%s_bytes", o->tag[k]);
    figf((double)gzip_len(&out), "B", "render%s_gzip_bytes", o->tag[k]);
    bench_chafa(o, k, pct(v[TOTAL], o->runs, 0.5), out.len,
                pct(v[CPU], o->runs, 0.5));
    rc = 0;
out:
    rl_pixels_free(px);
    rl_cells_free(cells);
    rl_buf_free(&out);
    for (s = 0; s < NSTAGE; s++)
        free(v[s]);
    return rc;
}

int
bench_render(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);

    for (int k = 0; rc == 0 && k < o.n; k++)
        rc = render_one(&o, k);
    return rc;
}

/* ---- next ---------------------------------------------------------- */

/* A project holding the benchmark's images (named img1, img2, ...), each
 * with an original label and five predictions, so that loading an image's
 * state costs what it costs in a real project. */
static rl_store *
next_project(const struct opts *o, const char *dir, rl_catalog **cat,
             int64_t *ids)
{
    static const char *const wnids[] = {
        "n02123045", "n02123159", "n02124075", "n02127052", "n02123394"
    };
    char *db = rl_xasprintf("%s/next.db", dir);
    char *lab = rl_xasprintf("%s/labels.csv", dir);
    char *img = rl_xasprintf("%s/images.csv", dir);
    char *pred = rl_xasprintf("%s/predictions.csv", dir);
    rl_import_opts io = { .reviewer = "bench", .root = "/" };
    FILE *fl = fopen(lab, "w"), *fi = fopen(img, "w"), *fp = fopen(pred, "w");
    rl_store *s = NULL;
    rl_err e;
    int k, j, ok = 0;

    *cat = NULL;
    if (fl == NULL || fi == NULL || fp == NULL)
        goto out;
    fputs("image,wnid\n", fl);
    fputs("image,path\n", fi);
    fputs("image,wnid,model,rank\n", fp);
    for (k = 0; k < o->n; k++) {
        char *abs = realpath(o->path[k], NULL);

        if (abs == NULL) {
            fprintf(stderr, "relabel-bench next: %s: %s\n", o->path[k],
                    strerror(errno));
            goto out;
        }
        fprintf(fl, "img%d,%s\n", k + 1, wnids[0]);
        fprintf(fi, "img%d,%s\n", k + 1, abs);
        for (j = 0; j < 5; j++)
            fprintf(fp, "img%d,%s,m%d,1\n", k + 1, wnids[j], j);
        free(abs);
    }
    ok = 1;
out:
    if (fl != NULL)
        fclose(fl);
    if (fi != NULL)
        fclose(fi);
    if (fp != NULL)
        fclose(fp);
    if (ok) {
        ok = 0;
        s = rl_store_open(db, RL_STORE_CREATE, &e);
        if (s != NULL && rl_catalog_install(s, RL_SRC_SHARE, &e) == 0
            && (*cat = rl_catalog_load(s, &e)) != NULL
            && rl_import_labels(s, *cat, lab, &io, NULL, &e) == 0
            && rl_import_images(s, *cat, img, &io, NULL, &e) == 0
            && rl_import_predictions(s, *cat, pred, &io, NULL, &e) == 0)
            ok = 1;
        else
            fprintf(stderr, "relabel-bench next: %s\n", e.msg);
        for (k = 0; ok && k < o->n; k++) {
            char name[32];

            snprintf(name, sizeof name, "img%d", k + 1);
            ids[k] = rl_image_find(s, name);
        }
    }
    if (!ok) {
        rl_catalog_free(*cat);
        *cat = NULL;
        rl_store_close(s);
        s = NULL;
    }
    free(db);
    free(lab);
    free(img);
    free(pred);
    return s;
}

/* What the review screen does on "next image", up to the image's bytes
 * being written: record attention on the image left, load the new one's
 * state, mark it seen, take its grid from the prefetcher, load the two
 * neighbours' state (their renders are queued after the frame), make the
 * terminal bytes and write them (to /dev/null). Returns ms or -1. */
/* The bytes that draw grid `c` at the top-left: its picture, or its
 * cells. */
static void
frame_bytes(const rl_cells *c, rl_buf *out)
{
    rl_buf_reset(out);
    if (c->pic != NULL)
        rl_pic_place(c->pic, 0, 0, 1, false, out);
    else
        rl_cells_to_ansi(c, 0, 0, out);
}

static double
next_once(const struct opts *o, rl_store *s, rl_catalog *cat, rl_prefetch *pf,
          int64_t from, int64_t id, int null, rl_buf *out,
          rl_render_mode mode, rl_colors colors)
{
    double t = rl_mono_ms();
    rl_image *img;
    rl_cells *cells;
    char warning[128];
    rl_err e;

    rl_review_touch(s, "bench", from, 1500, NULL);
    if ((img = rl_image_load(s, cat, "bench", id, &e)) == NULL) {
        fprintf(stderr, "relabel-bench next: %s\n", e.msg);
        return -1;
    }
    rl_review_touch(s, "bench", id, 0, NULL);
    cells = rl_prefetch_get(pf, img->path, o->cols, o->rows, mode, colors,
                            warning, &e);
    rl_image_free(img);
    if (cells == NULL) {
        fprintf(stderr, "relabel-bench next: %s\n", e.msg);
        return -1;
    }
    for (int k = 0; k < 2; k++)
        rl_image_free(rl_image_load(s, cat, "bench", from, NULL));
    frame_bytes(cells, out);
    rl_cells_free(cells);
    if (write(null, out->data, out->len) != (ssize_t)out->len) {
        perror("relabel-bench next: write");
        return -1;
    }
    return rl_mono_ms() - t;
}

/* Waits until the prefetcher has rendered `n` grids (at most 10 s). */
static void
wait_renders(rl_prefetch *pf, unsigned long n)
{
    rl_prefetch_stats st;
    struct timespec ms = { 0, 1000000 };

    for (int i = 0; i < 10000; i++) {
        rl_prefetch_counters(pf, &st);
        if (st.renders >= n)
            return;
        nanosleep(&ms, NULL);
    }
}

int
bench_next(int argc, char **argv)
{
    struct opts o;
    int64_t ids[MAX_IMAGES];
    char *dir = NULL;
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    rl_buf out = {0};
    double *cold = NULL, *warm = NULL;
    int rc = parse(argc, argv, &o), null = -1, k, i;

    if (rc != 0)
        return rc;
    rc = 1;
    if ((dir = tmpdir_new()) == NULL
        || (s = next_project(&o, dir, &cat, ids)) == NULL
        || (null = open("/dev/null", O_WRONLY)) < 0)
        goto out;
    cold = rl_xcalloc((size_t)o.runs, sizeof *cold);
    warm = rl_xcalloc((size_t)o.runs, sizeof *warm);
    for (k = 0; k < o.n; k++) {
        int64_t from = ids[(k + 1) % o.n];
        /* the project stores absolute paths: the prefetcher's key */
        char *abs = realpath(o.path[k], NULL);

        for (i = -1; i < o.runs; i++) {
            rl_prefetch *pf = rl_prefetch_new(24);
            double c, w;

            c = next_once(&o, s, cat, pf, from, ids[k], null, &out,
                          RL_RENDER_SYMBOLS, o.colors);
            rl_prefetch_free(pf);

            pf = rl_prefetch_new(24);
            rl_prefetch_want(pf, abs, o.cols, o.rows, RL_RENDER_SYMBOLS,
                             o.colors);
            wait_renders(pf, 1);
            w = next_once(&o, s, cat, pf, from, ids[k], null, &out,
                          RL_RENDER_SYMBOLS, o.colors);
            rl_prefetch_free(pf);
            if (c < 0 || w < 0) {
                free(abs);
                goto out;
            }
            if (i >= 0) {
                cold[i] = c;
                warm[i] = w;
            }
        }
        figf(pct(cold, o.runs, 0.5), "ms", "next%s_cold_ms_p50", o.tag[k]);
        figf(pct(cold, o.runs, 0.9), "ms", "next%s_cold_ms_p90", o.tag[k]);
        figf(pct(warm, o.runs, 0.5), "ms", "next%s_prefetched_ms_p50",
             o.tag[k]);
        figf(pct(warm, o.runs, 0.9), "ms", "next%s_prefetched_ms_p90",
             o.tag[k]);
        figf((double)out.len, "B", "next%s_bytes", o.tag[k]);
        free(abs);
    }
    rc = 0;
out:
    if (null >= 0)
        close(null);
    free(cold);
    free(warm);
    rl_buf_free(&out);
    rl_catalog_free(cat);
    rl_store_close(s);
    rmtree(dir);
    free(dir);
    return rc;
}

/* ---- detail -------------------------------------------------------- */

/* Palette 0..15 as chafa assumes it when it picks them (chafa-palette.c,
 * term_colors_256); real terminals theme these, so 8/16-colour errors are
 * indicative only. */
static const uint32_t ansi16[16] = {
    0x000000, 0x800000, 0x007000, 0x707000, 0x000070, 0x700070, 0x007070,
    0xc0c0c0, 0x404040, 0xff0000, 0x00ff00, 0xffff00, 0x0000ff, 0xff00ff,
    0x00ffff, 0xffffff,
};

/* A cell colour as RGB (the terminal's default taken as black). */
static void
to_rgb(rl_colors m, int32_t v, double rgb[3])
{
    static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

    if (v < 0) {
        rgb[0] = rgb[1] = rgb[2] = 0;
    } else if (m == RL_COLORS_FULL) {
        rgb[0] = v >> 16 & 255;
        rgb[1] = v >> 8 & 255;
        rgb[2] = v & 255;
    } else if (v < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = ansi16[v] >> (16 - 8 * i) & 255;
    } else if (v < 232) {
        rgb[0] = cube[(v - 16) / 36];
        rgb[1] = cube[(v - 16) / 6 % 6];
        rgb[2] = cube[(v - 16) % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (v - 232);
    }
}

/* How much of a cell glyph `cp` covers at (fx, fy) in [0,1)^2: the
 * foreground's share of the colour there. */
static double
cover(uint32_t cp, double fx, double fy)
{
    int l = fx < 0.5, t = fy < 0.5;

    if (cp >= 0x2581 && cp <= 0x2588)           /* lower k/8 */
        return fy >= 1.0 - (cp - 0x2580) / 8.0;
    if (cp >= 0x2589 && cp <= 0x258F)           /* left k/8 */
        return fx < (0x2590 - cp) / 8.0;
    switch (cp) {
    case 0x2580: return t;
    case 0x2590: return !l;
    case 0x2591: return 0.25;
    case 0x2592: return 0.5;
    case 0x2593: return 0.75;
    case 0x2594: return fy < 0.125;
    case 0x2595: return fx >= 0.875;
    case 0x2596: return l && !t;
    case 0x2597: return !l && !t;
    case 0x2598: return l && t;
    case 0x2599: return !(!l && t);
    case 0x259A: return l == t;
    case 0x259B: return !(!l && !t);
    case 0x259C: return !(l && !t);
    case 0x259D: return !l && t;
    case 0x259E: return l != t;
    case 0x259F: return !(l && t);
    case ' ': return 0;
    }
    return 0.5;                                 /* anything else: a mix */
}

/* RMS error (0..255) of grid `c` shown on a terminal against the picture
 * `ref`: every reference pixel is compared with the colour at the same
 * relative place in the grid's picture area. */
/* The box of cells of `c` that hold picture (not both colours default):
 * x0, y0, x1, y1 inclusive; 0 when there is none. */
static int
picture_box(const rl_cells *c, int *x0, int *y0, int *x1, int *y1)
{
    int x, y;

    *x0 = c->cols;
    *y0 = c->rows;
    *x1 = *y1 = -1;
    for (y = 0; y < c->rows; y++)
        for (x = 0; x < c->cols; x++) {
            const rl_cell *e = &c->cell[y * c->cols + x];

            if (e->fg < 0 && e->bg < 0)
                continue;
            *x0 = x < *x0 ? x : *x0;
            *y0 = y < *y0 ? y : *y0;
            *x1 = x > *x1 ? x : *x1;
            *y1 = y > *y1 ? y : *y1;
        }
    return *x1 >= 0;
}

static double
rms_error(const rl_cells *c, const rl_pixels *ref)
{
    int x0, y0, x1, y1, x, y;
    double sum = 0;

    if (!picture_box(c, &x0, &y0, &x1, &y1))
        return -1;
    for (y = 0; y < ref->h; y++) {
        double gy = (y + 0.5) / ref->h * (y1 - y0 + 1);
        int cy = (int)gy;

        for (x = 0; x < ref->w; x++) {
            double gx = (x + 0.5) / ref->w * (x1 - x0 + 1), fg[3], bg[3];
            int cx = (int)gx;
            const rl_cell *e = &c->cell[(y0 + cy) * c->cols + x0 + cx];
            double a = cover(e->cp, gx - cx, gy - cy);
            const unsigned char *p = ref->rgb + ((size_t)y * ref->w + x) * 3;

            to_rgb(c->colors, e->fg, fg);
            to_rgb(c->colors, e->bg, bg);
            for (int i = 0; i < 3; i++) {
                double d = a * fg[i] + (1 - a) * bg[i] - p[i];

                sum += d * d;
            }
        }
    }
    return sqrt(sum / (3.0 * ref->w * ref->h));
}

static int
detail_one(const struct opts *o, int k)
{
    static const struct {
        const char *name;
        rl_colors colors;
        int scale;             /* cells per side, in tenths of --size */
    } var[] = {
        { "full", RL_COLORS_FULL, 10 }, { "256", RL_COLORS_256, 10 },
        { "16", RL_COLORS_16, 10 }, { "8", RL_COLORS_8, 10 },
        { "256", RL_COLORS_256, 7 }, { "16", RL_COLORS_16, 7 },
        { "256", RL_COLORS_256, 5 },
    };
    unsigned char *data;
    size_t n;
    rl_pixels *ref, *px;
    rl_buf out = {0};
    rl_err e;

    if ((data = slurp(o->path[k], &n)) == NULL)
        return 1;
    /* The reference: the picture at up to 1024 pixels a side. */
    ref = rl_pixels_decode(data, n, 1024, 1024, &e);
    if (ref == NULL) {
        fprintf(stderr, "relabel-bench detail: %s: %s\n", o->path[k], e.msg);
        free(data);
        return 1;
    }
    for (size_t v = 0; v < sizeof var / sizeof var[0]; v++) {
        int cols = (o->cols * var[v].scale + 5) / 10;
        int rows = (o->rows * var[v].scale + 5) / 10, mw, mh;
        rl_cells *c;
        double t = rl_mono_ms();
        char name[80];

        rl_render_target_px(cols, rows, &mw, &mh);
        px = rl_pixels_decode(data, n, mw, mh, &e);
        c = px != NULL ? rl_render_cells(px, cols, rows, RL_RENDER_SYMBOLS,
                                         var[v].colors, &e) : NULL;
        rl_pixels_free(px);
        if (c == NULL) {
            fprintf(stderr, "relabel-bench detail: %s\n", e.msg);
            continue;
        }
        rl_buf_reset(&out);
        rl_cells_to_ansi(c, 0, 0, &out);
        t = rl_mono_ms() - t;
        /* detail[_TAG]_COLOURS_COLSxROWS_... */
        snprintf(name, sizeof name, "detail%s_%s_%dx%d", o->tag[k],
                 var[v].name, cols, rows);
        figf((double)out.len, "B", "%s_bytes", name);
        figf((double)gzip_len(&out), "B", "%s_gzip_bytes", name);
        figf(rms_error(c, ref), "rms", "%s_error", name);
        figf(t, "ms", "%s_ms", name);
        rl_cells_free(c);
    }
    rl_buf_free(&out);
    rl_pixels_free(ref);
    free(data);
    return 0;
}

int
bench_detail(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);

    for (int k = 0; rc == 0 && k < o.n; k++)
        rc = detail_one(&o, k);
    return rc;
}

/* ---- pixels -------------------------------------------------------- */

/* Decoders of the picture formats (kitty APC + PNG, sixel), shared with
 * the unit tests. */
#include "../../tests/unit/picdecode.h"

#define PIX_CELL_W 10
#define PIX_CELL_H 20
#define PIX_DEMO_MAX 16

static const struct pixmode {
    const char *name;          /* in the figure names */
    rl_render_mode mode;
    rl_colors colors;
    const char *chafa_f;       /* chafa -f */
    const char *chafa_colors;  /* chafa --colors, or NULL */
} pixmodes[] = {
    { "symbols256", RL_RENDER_SYMBOLS, RL_COLORS_256, "symbols", "256" },
    { "truecolor", RL_RENDER_SYMBOLS, RL_COLORS_FULL, "symbols", "full" },
    { "sixel", RL_RENDER_SIXEL, RL_COLORS_FULL, "sixel", NULL },
    { "kitty", RL_RENDER_KITTY, RL_COLORS_FULL, "kitty", NULL },
};
#define NPIXMODES (sizeof pixmodes / sizeof pixmodes[0])

/* Runs argv in a raw pseudo-terminal of cols x rows cells of 10x20
 * pixels (so chafa knows the cell size, as in a real terminal); its
 * output goes to `out`. Returns the exit status, or -1; *wall_ms gets
 * fork to exit. */
static int
run_pty(char *const argv[], int cols, int rows, rl_buf *out, double *wall_ms)
{
    struct winsize ws = { (unsigned short)rows, (unsigned short)cols,
                          (unsigned short)(cols * PIX_CELL_W),
                          (unsigned short)(rows * PIX_CELL_H) };
    struct termios raw;
    double t = rl_mono_ms();
    char buf[65536];
    int fd, status = 0;
    pid_t pid;

    memset(&raw, 0, sizeof raw);
    cfmakeraw(&raw);
    pid = forkpty(&fd, NULL, &raw, &ws);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    rl_buf_reset(out);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);

        if (n > 0)
            rl_buf_add(out, buf, (size_t)n);
        else if (n < 0 && errno == EINTR)
            continue;
        else
            break;              /* EIO: the child closed the pty */
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    *wall_ms = rl_mono_ms() - t;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reads chafa's symbol output (SGR colours, UTF-8 block glyphs, one row
 * per line) back into a grid of cols x rows. */
static rl_cells *
parse_symbols(const rl_buf *b, int cols, int rows, rl_colors colors)
{
    rl_cells *c = rl_cells_blank(cols, rows, colors);
    const unsigned char *p = (const unsigned char *)b->data;
    const unsigned char *end = p + b->len;
    int32_t fg = -1, bg = -1;
    int x = 0, y = 0, inv = 0;

    while (p < end && y < rows) {
        if (*p == 0x1b && p + 1 < end && p[1] == '[') {
            int v[16], n = 0, i;
            const unsigned char *q = p + 2;

            memset(v, 0, sizeof v);
            while (q < end && (isdigit(*q) || *q == ';' || *q == '?')) {
                if (*q == ';' && n < 15)
                    n++;
                else if (isdigit(*q))
                    v[n] = v[n] * 10 + (*q - '0');
                q++;
            }
            if (q < end && *q == 'm')
                for (i = 0; i <= n; i++) {
                    int32_t *t = v[i] == 38 ? &fg : v[i] == 48 ? &bg : NULL;

                    if (v[i] == 0)
                        fg = bg = -1, inv = 0;
                    else if (v[i] == 7)
                        inv = 1;
                    else if (v[i] == 27)
                        inv = 0;
                    else if (v[i] == 39)
                        fg = -1;
                    else if (v[i] == 49)
                        bg = -1;
                    else if (t != NULL && i + 2 <= n && v[i + 1] == 5)
                        *t = v[i + 2], i += 2;
                    else if (t != NULL && i + 4 <= n && v[i + 1] == 2)
                        *t = v[i + 2] << 16 | v[i + 3] << 8 | v[i + 4],
                        i += 4;
                }
            p = q + 1;
            continue;
        }
        if (*p == '\n') {
            x = 0;
            y++;
            p++;
            continue;
        }
        if (*p < 0x20) {
            p++;
            continue;
        }
        {
            uint32_t cp = *p;
            int len = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;

            if (len > 1) {
                cp &= 0x3f >> (len - 1);
                for (int i = 1; i < len && p + i < end; i++)
                    cp = cp << 6 | (p[i] & 0x3f);
            }
            if (x < cols) {
                rl_cell *e = &c->cell[y * cols + x];

                e->cp = cp;
                e->fg = inv ? bg : fg;
                e->bg = inv ? fg : bg;
            }
            x++;
            p += len;
        }
    }
    return c;
}

/* PSNR of grid `c` shown on a terminal against `full` resized to the
 * picture's cells at 10x20 pixels. */
static double
cells_db(const rl_cells *c, const rl_pixels *full)
{
    int x0, y0, x1, y1;
    double win[4] = { 0, 0, full->w, full->h }, rms;
    rl_pixels *ref;

    if (!picture_box(c, &x0, &y0, &x1, &y1))
        return 0;
    ref = rl_pixels_view(full, win, (x1 - x0 + 1) * PIX_CELL_W,
                         (y1 - y0 + 1) * PIX_CELL_H, NULL);
    rms = ref != NULL ? rms_error(c, ref) : -1;
    rl_pixels_free(ref);
    return rms > 0 ? 20 * log10(255.0 / rms) : rms == 0 ? 99 : 0;
}

/* PSNR of a kitty or sixel picture in bytes b against `full` at the
 * picture's own size; *px gets that size in pixels. */
static double
pic_db(const rl_buf *b, rl_render_mode mode, const rl_pixels *full,
       double *px)
{
    struct pd_image *im;
    double win[4] = { 0, 0, full->w, full->h }, db = 0;
    rl_pixels *ref;
    int chunks;
    size_t maxc;

    im = mode == RL_RENDER_KITTY ? pd_kitty(b->data, b->len, &chunks, &maxc)
                                 : pd_sixel(b->data, b->len);
    *px = 0;
    if (im == NULL)
        return 0;
    ref = rl_pixels_view(full, win, im->w, im->h, NULL);
    if (ref != NULL)
        db = pd_psnr(ref->rgb, im->rgb, im->w, im->h);
    *px = (double)im->w * im->h;
    rl_pixels_free(ref);
    pd_free(im);
    return db;
}

struct pixsum {
    double db, chafa_db, bytes, chafa_bytes, px, chafa_px;
    double same_bytes, same_db;         /* sixel: ours at chafa's size */
    double *cold, *warm, *chafa_ms;     /* runs x images samples */
    int n;                              /* samples so far */
};

/* Our sixel at exactly the size chafa's sixel `ch` has (chafa cuts the
 * picture to whole cells and bands, ours keeps the aspect): its bytes and
 * fidelity added to sum->same_*, so the two byte counts compare at an
 * equal number of pixels. */
static int
sixel_same_size(const rl_pixels *px, const rl_pixels *full,
                const rl_buf *ch, struct pixsum *sum)
{
    struct pd_image *im = pd_sixel(ch->data, ch->len);
    rl_buf b = {0};
    rl_err e;
    double n;
    int rc = -1;

    if (im == NULL)
        return -1;
    if (rl_sixel_encode(px, im->w, im->h, &b, &e) == 0) {
        sum->same_bytes += (double)b.len;
        sum->same_db += pic_db(&b, RL_RENDER_SIXEL, full, &n);
        rc = 0;
    }
    pd_free(im);
    rl_buf_free(&b);
    return rc;
}

/* One image in one mode: fidelity and bytes, ours and chafa's, and the
 * next-image and chafa times. */
static int
pixels_one(const struct opts *o, const struct pixmode *m, int k,
           const char *abs, rl_store *s, rl_catalog *cat, int64_t from,
           int64_t id, int null, struct pixsum *sum)
{
    char size[32], *argv[10];
    rl_buf out = {0}, ch = {0};
    rl_pixels *full, *px;
    rl_cells *c;
    rl_err e;
    double px_n, chafa_ms = 0;
    int mw, mh, i, a = 0, rc = 1;

    if ((full = rl_pixels_load(o->path[k], 0, 0, &e)) == NULL) {
        fprintf(stderr, "relabel-bench pixels: %s: %s\n", o->path[k], e.msg);
        return 1;
    }
    rl_render_view_target(o->cols, o->rows, m->mode, PIX_CELL_W, PIX_CELL_H,
                          NULL, &mw, &mh);
    px = rl_pixels_load(o->path[k], mw, mh, &e);
    c = px != NULL ? rl_render_view(px, o->cols, o->rows, m->mode, m->colors,
                                    NULL, PIX_CELL_W, PIX_CELL_H, &e) : NULL;
    if (c == NULL) {
        fprintf(stderr, "relabel-bench pixels: %s: %s\n", o->path[k], e.msg);
        goto out;
    }
    frame_bytes(c, &out);
    sum->bytes += (double)out.len;
    if (c->pic != NULL) {
        sum->db += pic_db(&out, m->mode, full, &px_n);
        sum->px += px_n;
    } else {
        sum->db += cells_db(c, full);
    }

    snprintf(size, sizeof size, "%dx%d", o->cols, o->rows);
    argv[a++] = (char *)"chafa";
    argv[a++] = (char *)"-f";
    argv[a++] = (char *)m->chafa_f;
    if (m->chafa_colors != NULL) {
        argv[a++] = (char *)"--colors";
        argv[a++] = (char *)m->chafa_colors;
        argv[a++] = (char *)"--symbols=block";   /* what cells_db reads */
    }
    argv[a++] = (char *)"--size";
    argv[a++] = size;
    argv[a++] = (char *)o->path[k];
    argv[a] = NULL;
    for (i = 0; i < o->runs; i++) {
        double w;

        if (run_pty(argv, o->cols, o->rows, &ch, &w) != 0) {
            fprintf(stderr, "relabel-bench pixels: `chafa` did not run "
                    "(not installed?)\n");
            goto out;
        }
        sum->chafa_ms[sum->n + i] = w;
        chafa_ms += w;
    }
    sum->chafa_bytes += (double)ch.len;
    if (m->chafa_colors != NULL) {
        rl_cells *cc = parse_symbols(&ch, o->cols, o->rows, m->colors);

        sum->chafa_db += cells_db(cc, full);
        rl_cells_free(cc);
    } else {
        sum->chafa_db += pic_db(&ch, m->mode, full, &px_n);
        sum->chafa_px += px_n;
        if (m->mode == RL_RENDER_SIXEL
            && sixel_same_size(px, full, &ch, sum) != 0) {
            fprintf(stderr, "relabel-bench pixels: %s: no sixel at chafa's "
                    "size\n", o->path[k]);
            goto out;
        }
    }

    /* next image, cold (a new prefetcher) and prefetched */
    for (i = 0; i < o->runs; i++) {
        rl_prefetch *pf = rl_prefetch_new(24);
        double cold, warm;

        rl_prefetch_set_cell(pf, PIX_CELL_W, PIX_CELL_H);
        cold = next_once(o, s, cat, pf, from, id, null, &out, m->mode,
                         m->colors);
        rl_prefetch_free(pf);
        pf = rl_prefetch_new(24);
        rl_prefetch_set_cell(pf, PIX_CELL_W, PIX_CELL_H);
        rl_prefetch_want(pf, abs, o->cols, o->rows, m->mode, m->colors);
        wait_renders(pf, 1);
        warm = next_once(o, s, cat, pf, from, id, null, &out, m->mode,
                         m->colors);
        rl_prefetch_free(pf);
        if (cold < 0 || warm < 0)
            goto out;
        sum->cold[sum->n + i] = cold;
        sum->warm[sum->n + i] = warm;
    }
    sum->n += o->runs;
    rc = 0;
out:
    rl_cells_free(c);
    rl_pixels_free(px);
    rl_pixels_free(full);
    rl_buf_free(&out);
    rl_buf_free(&ch);
    return rc;
}

int
bench_pixels(int argc, char **argv)
{
    struct opts o;
    int64_t ids[MAX_IMAGES];
    char *dir = NULL, *abs[MAX_IMAGES] = { NULL };
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    struct pixsum sum;
    int rc, null = -1, k;
    size_t mi;

    rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (!o.size_given) {
        o.cols = 120;
        o.rows = 40;
    }
    if (!o.runs_given)
        o.runs = 5;
    if (o.n == 0 || o.defaults) {
        /* the demo photos */
        static const char *const demo[] = {
            "astronaut_collins", "cameraman_tripod_gray", "chelsea_cat",
            "coffee_cup", "dahlia_flower", "falcon9_rocket", "grace_hopper",
            "hubble_deep_field", "summer_palace", "wall_clock_blurred_gray",
        };
        static char paths[PIX_DEMO_MAX][256];

        o.n = 0;
        for (size_t d = 0; d < sizeof demo / sizeof demo[0]; d++) {
            snprintf(paths[d], sizeof paths[d], "%s/demo/%s.JPEG",
                     RL_SRC_SHARE, demo[d]);
            o.tag[o.n][0] = '\0';
            o.path[o.n++] = paths[d];
        }
    }
    rc = 1;
    if ((dir = tmpdir_new()) == NULL
        || (s = next_project(&o, dir, &cat, ids)) == NULL
        || (null = open("/dev/null", O_WRONLY)) < 0)
        goto out;
    for (k = 0; k < o.n; k++)
        if ((abs[k] = realpath(o.path[k], NULL)) == NULL)
            goto out;
    figf(o.n, "images", "pixels_images");
    figf(o.cols, "cells", "pixels_cols");
    figf(o.rows, "cells", "pixels_rows");
    for (mi = 0; mi < NPIXMODES; mi++) {
        const struct pixmode *m = &pixmodes[mi];

        memset(&sum, 0, sizeof sum);
        sum.cold = rl_xcalloc((size_t)(o.runs * o.n), sizeof *sum.cold);
        sum.warm = rl_xcalloc((size_t)(o.runs * o.n), sizeof *sum.warm);
        sum.chafa_ms = rl_xcalloc((size_t)(o.runs * o.n),
                                  sizeof *sum.chafa_ms);
        for (k = 0; k < o.n; k++)
            if (pixels_one(&o, m, k, abs[k], s, cat, ids[(k + 1) % o.n],
                           ids[k], null, &sum) != 0)
                break;
        if (k == o.n) {
            double ours_ms = pct(sum.cold, sum.n, 0.5);
            double chafa_ms = pct(sum.chafa_ms, sum.n, 0.5);

            figf(sum.db / o.n, "dB", "fidelity_%s_db", m->name);
            figf(sum.chafa_db / o.n, "dB", "chafa_fidelity_%s_db", m->name);
            figf(sum.bytes / o.n, "B", "pixel_bytes_%s", m->name);
            figf(sum.chafa_bytes / o.n, "B", "chafa_bytes_%s", m->name);
            if (sum.px > 0)
                figf(sum.bytes / sum.px, "B/px", "pixel_bytes_per_px_%s",
                     m->name);
            if (sum.chafa_px > 0)
                figf(sum.chafa_bytes / sum.chafa_px, "B/px",
                     "chafa_bytes_per_px_%s", m->name);
            if (sum.px > 0 && sum.chafa_px > 0)
                figf((sum.bytes / sum.px) / (sum.chafa_bytes / sum.chafa_px),
                     "x", "pixel_bytes_per_px_%s_vs_chafa", m->name);
            if (sum.same_bytes > 0) {
                /* the same pixels as chafa's picture, byte for byte */
                figf(sum.same_bytes / o.n, "B",
                     "pixel_bytes_%s_at_chafa_size", m->name);
                figf(sum.same_db / o.n, "dB",
                     "fidelity_%s_at_chafa_size_db", m->name);
                figf(sum.same_bytes / sum.chafa_bytes, "x",
                     "pixel_bytes_%s_at_chafa_size_vs_chafa", m->name);
            }
            figf(ours_ms, "ms", "next_%s_ms_p50", m->name);
            figf(pct(sum.warm, sum.n, 0.5), "ms",
                 "next_prefetched_%s_ms_p50", m->name);
            figf(chafa_ms, "ms", "chafa_%s_ms_p50", m->name);
            figf(ours_ms / chafa_ms, "x", "next_%s_vs_chafa_time", m->name);
            figf(sum.bytes / sum.chafa_bytes, "x",
                 "pixel_bytes_%s_vs_chafa", m->name);
        }
        free(sum.cold);
        free(sum.warm);
        free(sum.chafa_ms);
        if (k != o.n)
            goto out;
    }
    rc = 0;
out:
    for (k = 0; k < o.n; k++)
        free(abs[k]);
    if (null >= 0)
        close(null);
    rl_catalog_free(cat);
    rl_store_close(s);
    rmtree(dir);
    free(dir);
    return rc;
}
