/* eval.c - `relabel eval` (scoring models against the project's labels),
 * `relabel disagreements`, `relabel dawid-skene` (ReaL's raw votes), and
 * the agreement table behind `relabel stats --agreement`. The numbers come
 * from the core (metrics, consensus); this file only formats them: text,
 * CSV, JSON, a text plot and SVG. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/csv.h"
#include "relabel/export.h"
#include "relabel/metrics.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"

/* "12.34%" or "-" for NaN, into buf. */
static const char *
pct(double x, char *buf, size_t size)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f%%", 100 * x);
    return buf;
}

/* ---- eval ----------------------------------------------------------- */

static const char EVAL_HELP[] =
    "Scores models' predictions against the project. PRED.csv has columns\n"
    "image,wnid and optionally model and rank (1 = top-1; an image's rows\n"
    "count 1, 2, 3... in file order without rank); a class is a wnid or a\n"
    "class index. A file without a model column is one model named after\n"
    "the file (or --model NAME).\n"
    "\n"
    "Per model and subset (all; object, organism (dogs included), dog,\n"
    "organism_no_dog, no_dog by the split of the original label;\n"
    "dataset:TAG per dataset tag):\n"
    "  top-1, top-5   against the original labels\n"
    "  multi-label    the top-1 prediction is a hit (below), on the images\n"
    "                 the rule counts\n"
    "  +unclear       the same, counting unclear classes as correct\n"
    "  ml-top5        any of the top 5 a hit (timm's ReaL top-5)\n"
    "  per-class      the mean over original-label classes of multi-label\n"
    "  interval       95% percentile bootstrap of multi-label accuracy over\n"
    "                 images (fixed seed: the same output every run)\n"
    "Rules: relabel (default) counts images with a correct class that\n"
    "nobody flagged problematic; shankar every reviewed image not flagged\n"
    "(no correct class: a miss), as Shankar et al.'s human_accuracy.py;\n"
    "tfds those images too, correct or unclear a hit, as the TFDS\n"
    "imagenet2012_multilabel README (its figure: per-class).\n"
    "With datasets val and another tag, the drop in multi-label accuracy\n"
    "from val to it is shown with its interval (text and json). With two\n"
    "or more models the text ends with the testbed: per subset the best,\n"
    "median and worst model.\n"
    "csv columns: model,subset,n_top,top1,top5,n_multilabel,multilabel,\n"
    "multilabel_unclear,top5_multilabel,per_class_multilabel,ci_low,ci_high\n"
    "(fractions with six decimals, empty when a count is 0).\n";

static const char EVAL_EPILOG[] =
    "A bad row stops with FILE:LINE: field: what, exit status 1.\n";

static void
json_num(FILE *f, double x)
{
    if (isnan(x))
        fputs("null", f);
    else
        fprintf(f, "%.6f", x);
}

static int
cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void
csv_num(rl_buf *b, double x)
{
    rl_buf_addc(b, ',');
    if (!isnan(x))
        rl_buf_printf(b, "%.6f", x);
}

static void
write_csv(FILE *f, const rl_eval *ev)
{
    rl_buf b = {0};
    size_t m, s;

    fputs("model,subset,n_top,top1,top5,n_multilabel,multilabel,"
          "multilabel_unclear,top5_multilabel,per_class_multilabel,ci_low,"
          "ci_high\n", f);
    for (m = 0; m < ev->n; m++) {
        const rl_model_eval *me = &ev->models[m];

        for (s = 0; s < me->n_sub; s++) {
            const rl_score *sc = &me->sub[s];

            rl_buf_reset(&b);
            rl_csv_write_field(&b, me->name, ',');
            rl_buf_addc(&b, ',');
            rl_csv_write_field(&b, sc->subset, ',');
            rl_buf_printf(&b, ",%ld", sc->n_top);
            csv_num(&b, sc->top1);
            csv_num(&b, sc->top5);
            rl_buf_printf(&b, ",%ld", sc->n_multilabel);
            csv_num(&b, sc->multilabel);
            csv_num(&b, sc->multilabel_unclear);
            csv_num(&b, sc->top5_multilabel);
            csv_num(&b, sc->per_class_multilabel);
            csv_num(&b, sc->ci_low);
            csv_num(&b, sc->ci_high);
            rl_buf_addc(&b, '\n');
            fwrite(b.data, 1, b.len, f);
        }
    }
    rl_buf_free(&b);
}

static void
write_json(FILE *f, const rl_eval *ev, const char *rule,
           const rl_truth_summary *ts)
{
    size_t m, s;

    fputs("{\"consensus\": ", f);
    rl_export_json_str(f, rule);
    fprintf(f, ", \"rule\": \"%s\", \"images\": %ld, \"labelled\": %ld, "
            "\"multilabel_images\": %ld, \"no_correct\": %ld, \"left_out\": "
            "{\"unreviewed\": %ld, \"problematic\": %ld},\n \"bootstrap\": "
            "{\"resamples\": %d, \"level\": %g, \"seed\": %llu},\n "
            "\"models\": [", rl_eval_rule_name(ev->rule), ts->images,
            ts->labelled, ts->multilabel, ts->no_correct, ts->unreviewed,
            ts->problematic, ev->resamples, ev->level,
            (unsigned long long)ev->seed);
    for (m = 0; m < ev->n; m++) {
        const rl_model_eval *me = &ev->models[m];

        fputs(m ? ",\n  {\"model\": " : "\n  {\"model\": ", f);
        rl_export_json_str(f, me->name);
        fprintf(f, ", \"scored\": %ld, \"missing\": %ld, \"subsets\": [",
                me->scored, me->missing);
        for (s = 0; s < me->n_sub; s++) {
            const rl_score *sc = &me->sub[s];

            fputs(s ? ",\n    {\"subset\": " : "\n    {\"subset\": ", f);
            rl_export_json_str(f, sc->subset);
            fprintf(f, ", \"n_top\": %ld, \"top1\": ", sc->n_top);
            json_num(f, sc->top1);
            fputs(", \"top5\": ", f);
            json_num(f, sc->top5);
            fprintf(f, ", \"n_multilabel\": %ld, \"multilabel\": ",
                    sc->n_multilabel);
            json_num(f, sc->multilabel);
            fputs(", \"multilabel_unclear\": ", f);
            json_num(f, sc->multilabel_unclear);
            fputs(", \"top5_multilabel\": ", f);
            json_num(f, sc->top5_multilabel);
            fprintf(f, ", \"n_classes\": %ld, \"per_class_multilabel\": ",
                    sc->n_classes);
            json_num(f, sc->per_class_multilabel);
            fputs(", \"ci_low\": ", f);
            json_num(f, sc->ci_low);
            fputs(", \"ci_high\": ", f);
            json_num(f, sc->ci_high);
            fputs("}", f);
        }
        fputs("],\n   \"drops\": [", f);
        for (s = 0; s < me->n_drops; s++) {
            const rl_drop *d = &me->drops[s];

            fputs(s ? ", {\"from\": " : "{\"from\": ", f);
            rl_export_json_str(f, d->from);
            fputs(", \"to\": ", f);
            rl_export_json_str(f, d->to);
            fputs(", \"multilabel_drop\": ", f);
            json_num(f, d->drop);
            fputs(", \"ci_low\": ", f);
            json_num(f, d->ci_low);
            fputs(", \"ci_high\": ", f);
            json_num(f, d->ci_high);
            fputs("}", f);
        }
        fputs("]}", f);
    }
    fputs("\n]}\n", f);
}

static void
write_text(FILE *f, const rl_eval *ev, const char *rule,
           const rl_truth_summary *ts)
{
    char a[16], b[16], c[16], d[16], g[16], h[16];
    size_t m, s;

    fprintf(f, "consensus: %s; %ld images, %ld with an original label\n",
            rule, ts->images, ts->labelled);
    if (ev->rule == RL_EVAL_RULE_RELABEL)
        fprintf(f, "multi-label accuracy (rule relabel): on the %ld images "
                "with a correct class,\nnot flagged problematic (left out: "
                "%ld without a correct class, %ld flagged\nproblematic)\n",
                ts->multilabel, ts->no_correct, ts->problematic);
    else
        fprintf(f, "multi-label accuracy (rule %s): on the %ld reviewed "
                "images not flagged\nproblematic, %ld of them without a "
                "correct class (left out: %ld unreviewed,\n%ld flagged "
                "problematic)%s\n", rl_eval_rule_name(ev->rule),
                ts->multilabel, ts->no_correct, ts->unreviewed,
                ts->problematic, ev->rule == RL_EVAL_RULE_TFDS
                ? "; unclear counts as correct; per-class: the mean\nover "
                  "original-label classes" : "");
    if (ev->resamples > 0)
        fprintf(f, "interval: %g%% bootstrap of multi-label accuracy (%d "
                "resamples, seed %llu)\n", 100 * ev->level, ev->resamples,
                (unsigned long long)ev->seed);
    for (m = 0; m < ev->n; m++) {
        const rl_model_eval *me = &ev->models[m];
        char *safe = rl_utf8_sanitize(me->name);

        fprintf(f, "\nmodel %s: %ld images scored, %ld without a "
                "prediction\n", safe, me->scored, me->missing);
        free(safe);
        fprintf(f, "  %-15s %6s %7s %7s %7s %11s %8s %7s %9s  %s\n",
                "subset", "n_top", "top-1", "top-5", "n_multi",
                "multi-label", "+unclear", "ml-top5", "per-class",
                "interval");
        for (s = 0; s < me->n_sub; s++) {
            const rl_score *sc = &me->sub[s];
            char *sub = rl_utf8_sanitize(sc->subset);

            fprintf(f, "  %-15s %6ld %7s %7s %7ld %11s %8s %7s %9s  ", sub,
                    sc->n_top, pct(sc->top1, a, sizeof a),
                    pct(sc->top5, b, sizeof b), sc->n_multilabel,
                    pct(sc->multilabel, c, sizeof c),
                    pct(sc->multilabel_unclear, d, sizeof d),
                    pct(sc->top5_multilabel, g, sizeof g),
                    pct(sc->per_class_multilabel, h, sizeof h));
            free(sub);
            if (isnan(sc->ci_low))
                fputs("-\n", f);
            else
                fprintf(f, "%.2f-%.2f%%\n", 100 * sc->ci_low,
                        100 * sc->ci_high);
        }
        for (s = 0; s < me->n_drops; s++) {
            const rl_drop *dr = &me->drops[s];
            char *from = rl_utf8_sanitize(dr->from);
            char *to = rl_utf8_sanitize(dr->to);

            fprintf(f, "  multi-label drop %s -> %s: ", from, to);
            if (isnan(dr->drop))
                fputs("-\n", f);
            else if (isnan(dr->ci_low))
                fprintf(f, "%.2f points\n", 100 * dr->drop);
            else
                fprintf(f, "%.2f points (interval %.2f to %.2f)\n",
                        100 * dr->drop, 100 * dr->ci_low, 100 * dr->ci_high);
            free(from);
            free(to);
        }
    }
}

/* Median of the n values x[] (sorted here); NaN when n is 0. */
static double
median(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_dbl);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* The testbed table of Shankar et al. (2020): per subset, the best,
 * median and worst model on top-1, top-5 and multi-label accuracy. */
static void
write_testbed(FILE *f, const rl_eval *ev)
{
    double *x = rl_xcalloc(ev->n + 1, sizeof *x);
    size_t m, s;
    int k;

    fprintf(f, "\ntestbed: %zu models; best / median / worst\n  %-15s "
            "%-24s %-24s %s\n", ev->n, "subset", "top-1", "top-5",
            "multi-label");
    for (s = 0; s < ev->models[0].n_sub; s++) {
        char *sub = rl_utf8_sanitize(ev->models[0].sub[s].subset);

        fprintf(f, "  %-15s", sub);
        free(sub);
        for (k = 0; k < 3; k++) {
            size_t n = 0;

            for (m = 0; m < ev->n; m++) {
                const rl_score *sc = &ev->models[m].sub[s];
                double v = k == 0 ? sc->top1 : k == 1 ? sc->top5
                                                      : sc->multilabel;

                if (!isnan(v))
                    x[n++] = v;
            }
            if (n == 0)
                fprintf(f, " %-24s", "-");
            else {
                double med = median(x, n);

                fprintf(f, " %6.2f / %6.2f / %6.2f", 100 * x[n - 1],
                        100 * med, 100 * x[0]);
            }
        }
        fputc('\n', f);
    }
    free(x);
}

/* ---- plots ---------------------------------------------------------- */

#define PLOT_W 51
#define PLOT_H 21

static char
plot_mark(size_t i)
{
    static const char marks[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    return i < sizeof marks - 1 ? marks[i] : '*';
}

/* A common range for both axes, so the diagonal is y = x. */
static void
plot_range(const rl_eval *ev, size_t ps, double *lo, double *hi)
{
    double mn = 2, mx = -1;
    size_t m;

    for (m = 0; m < ev->n; m++) {
        const rl_score *sc = &ev->models[m].sub[ps];

        if (isnan(sc->top1) || isnan(sc->multilabel))
            continue;
        mn = fmin(mn, fmin(sc->top1, sc->multilabel));
        mx = fmax(mx, fmax(sc->top1, sc->multilabel));
    }
    if (mx < mn) {
        mn = 0;
        mx = 1;
    }
    *lo = fmax(0, floor((mn - 0.005) * 50) / 50);
    *hi = fmin(1, ceil((mx + 0.005) * 50) / 50);
    if (*hi - *lo < 0.04) {
        *lo = fmax(0, *lo - 0.02);
        *hi = fmin(1, *hi + 0.02);
    }
}

static void
plot_text(FILE *f, const rl_eval *ev, size_t ps)
{
    char grid[PLOT_H][PLOT_W + 1];
    double lo, hi;
    size_t m;
    int r, col;

    plot_range(ev, ps, &lo, &hi);
    memset(grid, ' ', sizeof grid);
    for (col = 0; col < PLOT_W; col++) {
        double x = lo + (hi - lo) * col / (PLOT_W - 1);
        int row = (PLOT_H - 1) - (int)lround((x - lo) / (hi - lo)
                                              * (PLOT_H - 1));

        grid[row][col] = '.';
    }
    for (m = 0; m < ev->n; m++) {
        const rl_score *sc = &ev->models[m].sub[ps];

        if (isnan(sc->top1) || isnan(sc->multilabel))
            continue;
        col = (int)lround((sc->top1 - lo) / (hi - lo) * (PLOT_W - 1));
        r = (PLOT_H - 1) - (int)lround((sc->multilabel - lo) / (hi - lo)
                                       * (PLOT_H - 1));
        grid[r][col] = grid[r][col] == ' ' || grid[r][col] == '.'
                       ? plot_mark(m) : '+';
    }
    fprintf(f, "\nmulti-label (up) against top-1 (across) accuracy, all "
            "images; '.' is y = x, '+' overlapping models\n");
    for (r = 0; r < PLOT_H; r++) {
        grid[r][PLOT_W] = '\0';
        if (r == 0 || r == PLOT_H - 1 || r == PLOT_H / 2)
            fprintf(f, "%6.1f%% |%s\n", 100 * (hi - (hi - lo) * r
                                               / (PLOT_H - 1)), grid[r]);
        else
            fprintf(f, "        |%s\n", grid[r]);
    }
    fprintf(f, "        +");
    for (col = 0; col < PLOT_W; col++)
        fputc(col % 10 == 0 ? '+' : '-', f);
    {
        char l[16], h[16];

        snprintf(l, sizeof l, "%.1f%%", 100 * lo);
        snprintf(h, sizeof h, "%.1f%%", 100 * hi);
        fprintf(f, "\n        %-*s%s\n", PLOT_W + 1 - (int)strlen(h), l, h);
    }
    for (m = 0; m < ev->n; m++) {
        const rl_score *sc = &ev->models[m].sub[ps];
        char *safe = rl_utf8_sanitize(ev->models[m].name);
        char a[16], b[16];

        fprintf(f, "  %c %s: top-1 %s, multi-label %s%s\n", plot_mark(m),
                safe, pct(sc->top1, a, sizeof a),
                pct(sc->multilabel, b, sizeof b),
                isnan(sc->top1) || isnan(sc->multilabel)
                ? " (not plotted)" : "");
        free(safe);
    }
}

static void
xml_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20)
                fputc(*s, f);
        }
    }
}

static int
plot_svg(const char *path, const rl_eval *ev, size_t ps, const char *rule)
{
    const double L = 70, T = 40, S = 400;    /* margins, plot size */
    static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2 };
    double lo, hi, step = 0.2, v;
    FILE *f = fopen(path, "w");
    size_t m, i;

    if (f == NULL) {
        fprintf(stderr, "relabel: %s: %s\n", path, strerror(errno));
        return -1;
    }
    plot_range(ev, ps, &lo, &hi);
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if ((hi - lo) / steps[i] <= 10) {
            step = steps[i];
            break;
        }
#define PX(x) (L + ((x) - lo) / (hi - lo) * S)
#define PY(y) (T + S - ((y) - lo) / (hi - lo) * S)
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            L + S + 200, T + S + 60);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"14\">Top-1 vs "
            "multi-label accuracy (consensus: ", L);
    xml_str(f, rule);
    fputs("; subset ", f);
    xml_str(f, ev->models[0].sub[ps].subset);
    fputs(")</text>\n", f);
    for (v = ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/>\n", PX(v), T, PX(v), T + S);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/>\n", L, PY(v), L + S, PY(v));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                "%g%%</text>\n", PX(v), T + S + 18, 100 * v);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g%%"
                "</text>\n", L - 6, PY(v) + 4, 100 * v);
    }
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
            "fill=\"none\" stroke=\"black\"/>\n", L, T, S, S);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n", PX(lo), PY(lo),
            PX(hi), PY(hi));
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">top-1 "
            "accuracy (original labels)</text>\n", L + S / 2, T + S + 40);
    fprintf(f, "<text transform=\"translate(16 %.0f) rotate(-90)\" "
            "text-anchor=\"middle\">multi-label accuracy</text>\n",
            T + S / 2);
    for (m = 0; m < ev->n; m++) {
        const rl_score *sc = &ev->models[m].sub[ps];

        if (isnan(sc->top1) || isnan(sc->multilabel))
            continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\">"
                "<title>", PX(sc->top1), PY(sc->multilabel));
        xml_str(f, ev->models[m].name);
        fprintf(f, ": top-1 %.2f%%, multi-label %.2f%%</title></circle>\n",
                100 * sc->top1, 100 * sc->multilabel);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", PX(sc->top1) + 6,
                PY(sc->multilabel) - 6);
        xml_str(f, ev->models[m].name);
        fputs("</text>\n", f);
    }
#undef PX
#undef PY
    fputs("</svg>\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "relabel: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Whether every file is a regular file, so that it can be read again. */
static bool
rereadable(const char *const *files, size_t n)
{
    struct stat sb;
    size_t i;

    for (i = 0; i < n; i++)
        if (stat(files[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            return false;
    return true;
}

#define ORDER_PROBE 4096   /* rows looked at before a join */

/* Whether the first ORDER_PROBE rows of `path` come in image-name order
 * (true as well when it cannot be read: the reading says why). Rows out
 * of order are seen here, before the join opens the project's scan, whose
 * first step sorts every review: a shuffled file would pay for it twice. */
static bool
starts_in_name_order(const char *path)
{
    rl_csv *c = rl_csv_open(path, NULL, NULL);
    char *prev = NULL;
    bool in_order = true;
    int ci, n;

    if (c == NULL || rl_csv_header(c, NULL) != 0
        || (ci = rl_csv_col(c, "image")) < 0) {
        rl_csv_close(c);
        return true;
    }
    for (n = 0; in_order && n < ORDER_PROBE && rl_csv_next(c, NULL) == 1;
         n++) {
        const char *img = rl_csv_field(c, (size_t)ci);

        in_order = prev == NULL || strcmp(prev, img) <= 0;
        free(prev);
        prev = rl_xstrdup(img);
    }
    free(prev);
    rl_csv_close(c);
    return in_order;
}

/* Reads the predictions files into `p`, each named after its file (or
 * `model`). 0, or -1 with `err` set ("FILE:LINE: field: what"). */
static int
read_preds(rl_preds *p, const rl_catalog *cat, const char *const *files,
           size_t n, const char *model, rl_err *err)
{
    size_t i;

    rl_err_clear(err);
    for (i = 0; i < n; i++) {
        char *stem = model != NULL ? rl_xstrdup(model)
                                   : rl_path_stem(files[i]);
        rl_csv *csv = rl_csv_open(files[i], NULL, err);
        int r = csv != NULL ? rl_preds_read(p, cat, csv, stem, err) : -1;

        rl_csv_close(csv);
        free(stem);
        if (r != 0)
            return -1;
    }
    return 0;
}

static int
cmd_eval(const cli *c, const struct cmd_args *a)
{
    const char *cons = "majority", *fmt = "text", *svg = cmd_get(a, "svg");
    const char *model = cmd_get(a, "model"), *thr_s = cmd_get(a, "threshold");
    const char *res_s = cmd_get(a, "resamples"), *seed_s = cmd_get(a, "seed");
    const char *rule_s = "relabel", *subset = "all";
    const char **files = rl_xcalloc((size_t)a->argc + 1, sizeof *files);
    rl_eval_opts eo = { -1, RL_EVAL_SEED, 0, RL_EVAL_RULE_RELABEL };
    rl_consensus_opts co;
    rl_truth_summary ts;
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    rl_truth *t = NULL;
    rl_preds *p = NULL;
    rl_eval ev = {0};
    bool plot = cmd_has(a, "plot"), humans = cmd_has(a, "humans"), joined;
    size_t n_files = 0, ps = 0;
    char rule[128];
    rl_err e;
    int rc = 1, r;

    if (cmd_has(a, "consensus"))
        cons = cmd_get(a, "consensus");
    if (cmd_has(a, "format"))
        fmt = cmd_get(a, "format");
    if (cmd_has(a, "rule"))
        rule_s = cmd_get(a, "rule");
    if (cmd_has(a, "subset"))
        subset = cmd_get(a, "subset");
    /* "-": the predictions on standard input. */
    for (; (int)n_files < a->argc; n_files++)
        files[n_files] = cmd_input(a->argv[n_files]);
    if (humans) {
        free(files);
        if (n_files > 0)
            return usage_error("eval", "--humans scores the reviewers, not "
                               "a predictions file");
        if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0)
            return usage_error("eval", "--humans: format text or csv");
        return eval_humans(c, strcmp(fmt, "csv") == 0);
    }
    if (n_files == 0) {
        usage_error("eval", "give a predictions file PRED.csv");
        goto usage;
    }
    if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0
        && strcmp(fmt, "json") != 0) {
        usage_error("eval", "unknown format '%s' (text, csv or json)", fmt);
        goto usage;
    }
    if (plot && strcmp(fmt, "text") != 0) {
        usage_error("eval", "--plot draws after the text table; with %s use"
                    " --svg FILE", fmt);
        goto usage;
    }
    if (model != NULL && n_files > 1) {
        usage_error("eval", "--model names the model of a single file");
        goto usage;
    }
    if (rl_consensus_parse(cons, &co, &e) != 0) {
        usage_error("eval", "--consensus: %s", e.msg);
        goto usage;
    }
    if (rl_eval_rule_parse(rule_s, &eo.rule, &e) != 0) {
        usage_error("eval", "--rule: %s", e.msg);
        goto usage;
    }
    if (thr_s != NULL) {
        char *end;
        double th = strtod(thr_s, &end);

        if (co.rule != RL_CONSENSUS_DAWID_SKENE) {
            usage_error("eval", "--threshold needs --consensus dawid-skene");
            goto usage;
        }
        if (end == thr_s || *end != '\0' || !(th > 0 && th <= 1)) {
            usage_error("eval", "--threshold: a number in (0, 1]");
            goto usage;
        }
        co.threshold = th;
    }
    if (res_s != NULL) {
        long v;

        if (rl_parse_long(res_s, &v) != 0 || v < 0 || v > 1000000) {
            usage_error("eval", "--resamples: a whole number from 0");
            goto usage;
        }
        eo.resamples = (int)v;
    }
    if (seed_s != NULL) {
        long v;

        if (rl_parse_long(seed_s, &v) != 0 || v < 0) {
            usage_error("eval", "--seed: a whole number from 0");
            goto usage;
        }
        eo.seed = (uint64_t)v;
    }
    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, &cat)) != 0)
        goto out;
    rc = 1;
    /* A file that can be read twice is first joined with the project in
     * image-name order, one image of it in memory; rows out of that
     * order, several files and a pipe go through the sort by name (on
     * disk past 16 MB) and are joined with the project as they come out
     * of it: memory does not grow with the images or the rows. */
    joined = n_files == 1 && rereadable(files, n_files)
             && starts_in_name_order(files[0]);
    if ((t = rl_truth_open(s, cat, &co, &e)) == NULL) {
        print_err(&e);
        goto out;
    }
    if (joined) {
        p = rl_preds_new_scan(t, eo.rule);
        r = read_preds(p, cat, files, n_files, model, &e);
        if (r != 0 && rl_preds_regroup(p)) {
            rl_preds_free(p);
            rl_truth_free(t);
            p = NULL;
            joined = false;
            if ((t = rl_truth_open(s, cat, &co, &e)) == NULL) {
                print_err(&e);
                goto out;
            }
        }
    }
    if (!joined) {
        p = rl_preds_new_scan_sorted(t, eo.rule);
        r = read_preds(p, cat, files, n_files, model, &e);
    }
    /* A duplicate found in the sort comes before the reading's error; a
     * join that stopped at a row is not finished. */
    if (((r == 0 || !joined) && rl_preds_finish(p, &e) != 0) || r != 0) {
        print_err(&e);
        goto out;
    }
    rl_eval_run(t, p, &eo, &ev);
    rl_truth_summary_get(t, eo.rule, &ts);
    for (ps = 0; ev.n > 0 && ps < ev.models[0].n_sub; ps++)
        if (strcmp(ev.models[0].sub[ps].subset, subset) == 0)
            break;
    if (ev.n > 0 && ps == ev.models[0].n_sub) {
        usage_error("eval", "--subset: no subset '%s'", subset);
        rc = 2;
        goto out;
    }
    rl_consensus_describe(&co, rule, sizeof rule);
    if (strcmp(fmt, "csv") == 0)
        write_csv(stdout, &ev);
    else if (strcmp(fmt, "json") == 0)
        write_json(stdout, &ev, rule, &ts);
    else
        write_text(stdout, &ev, rule, &ts);
    if (strcmp(fmt, "text") == 0 && ev.n > 1)
        write_testbed(stdout, &ev);
    if (plot)
        plot_text(stdout, &ev, ps);
    if (svg != NULL && plot_svg(svg, &ev, ps, rule) != 0)
        goto out;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "relabel: writing the results: %s\n",
                strerror(errno));
        goto out;
    }
    rc = 0;
out:
    rl_eval_free(&ev);
    rl_preds_free(p);
    rl_truth_free(t);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(files);
    return rc;
usage:
    free(files);
    return 2;
}

static const struct cmd_arg eval_args[] = {
    { "PRED.csv", CMD_FILE, NULL },
    { 0 }
};

static const struct cmd_opt eval_opts[] = {
    { .name = "consensus", .type = CMD_TEXT, .meta = "RULE",
      .help = "majority (default; a tie is unclear), reviewer:NAME, or "
              "dawid-skene[:THRESHOLD]" },
    { .name = "threshold", .type = CMD_NUMBER, .meta = "T",
      .help = "Dawid-Skene posterior for correct (default 0.8)" },
    { .name = "format", .type = CMD_CHOICE, .choices = "text|csv|json",
      .help = "text (default), csv or json" },
    { .name = "model", .type = CMD_TEXT, .meta = "NAME",
      .help = "the model of a file without a model column (default: the "
              "file name)" },
    { .name = "rule", .type = CMD_CHOICE, .choices = "relabel|shankar|tfds",
      .help = "relabel (default), shankar or tfds: which images count and "
              "what a hit is (see above)" },
    { .name = "subset", .type = CMD_TEXT, .meta = "S",
      .help = "the subset the plots show (default all)" },
    { .name = "plot", .type = CMD_FLAG,
      .help = "after the text table, plot top-1 against multi-label "
              "accuracy, one point per model" },
    { .name = "svg", .type = CMD_FILE, .meta = "FILE",
      .help = "write that plot as SVG" },
    { .name = "resamples", .type = CMD_NUMBER, .meta = "N",
      .help = "bootstrap resamples (default 1000; 0: none)" },
    { .name = "seed", .type = CMD_NUMBER, .meta = "N",
      .help = "bootstrap seed (default 20200615)" },
    { .name = "humans", .type = CMD_FLAG,
      .help = "instead: each reviewer's accuracy on training tasks done in "
              "evaluation mode (text or csv)" },
    { 0 }
};

const struct cmd_entry cmd_eval_entry = {
    .name = "eval",
    .summary = "score model predictions against the project's labels",
    .usage = "PRED.csv...", .args = eval_args, .max_args = -1,
    .flags = CMD_DB, .opts = eval_opts, .text = EVAL_HELP,
    .epilog = EVAL_EPILOG, .run = cmd_eval,
};

/* ---- disagreements -------------------------------------------------- */

static const char DISAGREE_HELP[] =
    "Lists the candidates (image, class) on which reviewers gave different\n"
    "verdicts, by image name and class index, with who said what and the\n"
    "adjudicator's verdict if there is one (an adjudicator's verdict is\n"
    "final under every consensus rule). --open lists only those not yet\n"
    "adjudicated. csv writes image,wnid,reviewer,state,role: one row per\n"
    "verdict on a listed candidate.\n";

/* What cmd_disagreements prints as the images stream by. */
struct disagree_out {
    bool csv;
    rl_buf row;
    size_t n, images, n_adj;
};

/* The disagreements `d[0 .. n)` of one image, printed. */
static int
disagree_image(void *ctx, const rl_consensus *cs, const rl_disagreement *d,
               size_t n)
{
    struct disagree_out *o = ctx;
    size_t i, k;

    o->images++;
    for (i = 0; i < n; i++) {
        const rl_cpair *p = d[i].pair;

        o->n++;
        o->n_adj += p->adjudicated != RL_STATE_NONE;
        if (o->csv) {
            /* The votes, then the adjudication if any. */
            for (k = 0; k <= p->n_votes; k++) {
                const char *f[5];

                if (k == p->n_votes && p->adjudicated == RL_STATE_NONE)
                    break;
                f[0] = d[i].image;
                f[1] = d[i].cls->wnid;
                if (k < p->n_votes) {
                    f[2] = cs->raters[cs->votes[p->first + k].rater];
                    f[3] = rl_state_name(cs->votes[p->first + k].state);
                    f[4] = "reviewer";
                } else {
                    f[2] = cs->raters[p->adjudicator];
                    f[3] = rl_state_name(p->adjudicated);
                    f[4] = "adjudicator";
                }
                rl_buf_reset(&o->row);
                rl_csv_write_row(&o->row, f, 5, ',');
                fwrite(o->row.data, 1, o->row.len, stdout);
            }
        } else {
            char *img = rl_utf8_sanitize(d[i].image), shortname[64];
            rl_state st;

            rl_class_short(d[i].cls, shortname, sizeof shortname);
            printf("%s  %s %s:", img, d[i].cls->wnid, shortname);
            free(img);
            for (st = RL_STATE_CORRECT; st < RL_STATE_COUNT; st++) {
                bool first = true;

                if (p->n[st] == 0)
                    continue;
                printf("  %s:", rl_state_name(st));
                for (k = 0; k < p->n_votes; k++) {
                    const rl_cvote *v = &cs->votes[p->first + k];
                    char *who;

                    if (v->state != st)
                        continue;
                    who = rl_utf8_sanitize(cs->raters[v->rater]);
                    printf("%s%s", first ? " " : ", ", who);
                    free(who);
                    first = false;
                }
            }
            if (p->adjudicated != RL_STATE_NONE) {
                char *who = rl_utf8_sanitize(cs->raters[p->adjudicator]);

                printf("  -> adjudicated %s (%s)",
                       rl_state_name(p->adjudicated), who);
                free(who);
            }
            putchar('\n');
        }
    }
    return 0;
}

static int
cmd_disagreements(const cli *c, const struct cmd_args *a)
{
    const char *fmt = "text";
    struct disagree_out o = {0};
    rl_store *s = NULL;
    rl_catalog *cat = NULL;
    bool open_only = cmd_has(a, "open");
    rl_err e;
    int rc;

    if (cmd_has(a, "format"))
        fmt = cmd_get(a, "format");
    if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0)
        return usage_error("disagreements", "unknown format '%s' (text or "
                           "csv)", fmt);
    o.csv = strcmp(fmt, "csv") == 0;
    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, &cat)) != 0)
        return rc;
    rc = 1;
    if (o.csv)
        fputs("image,wnid,reviewer,state,role\n", stdout);
    /* Image by image: a 1.28M-image project's consensus whole took
     * 818 MB. */
    if (rl_consensus_disagreements_each(s, cat, open_only, disagree_image,
                                        &o, &e) != 0) {
        print_err(&e);
        goto out;
    }
    if (!o.csv)
        printf("%zu candidates on %zu images where reviewers differ "
               "(%zu adjudicated, %zu open)\n", o.n, o.images, o.n_adj,
               o.n - o.n_adj);
    rc = 0;
out:
    rl_buf_free(&o.row);
    rl_catalog_free(cat);
    rl_store_close(s);
    return rc;
}

static const struct cmd_opt disagree_opts[] = {
    { .name = "open", .type = CMD_FLAG,
      .help = "only the candidates not yet adjudicated" },
    { .name = "format", .type = CMD_CHOICE, .choices = "text|csv",
      .help = "text (default) or csv" },
    { 0 }
};

const struct cmd_entry cmd_disagreements_entry = {
    .name = "disagreements",
    .summary = "candidates on which reviewers differ",
    .max_args = 0, .flags = CMD_DB, .opts = disagree_opts,
    .text = DISAGREE_HELP, .run = cmd_disagreements,
};

/* ---- dawid-skene on anonymous votes ---------------------------------- */

static const char DS_HELP[] =
    "Fits Dawid & Skene's model to raw vote counts, as ImageNet-ReaL's\n"
    "real_proposals.csv gives them: columns image,wnid,votes_no,votes_maybe,\n"
    "votes_yes, optionally in_real (1/0: the published label set) and\n"
    "ds_score (the published posterior). That file names no raters, so the\n"
    "raters are one anonymous pool sharing one confusion matrix P(answer |\n"
    "truth) over no/maybe/yes; EM starts from (yes + maybe/2) / votes. A\n"
    "pair is in an image's label set when its posterior is at least T\n"
    "(default 0.8, ReaL's cut). Prints the fitted model and, with in_real,\n"
    "how the fitted sets compare: pairs (precision, recall) and images\n"
    "whose set matches exactly; with ds_score, how far the posteriors are\n"
    "from the published ones. --posteriors FILE writes image,wnid,\n"
    "posterior,in_set per pair. Needs no project.\n";

static int
write_posteriors(const char *path, const rl_vote_table *t, double thr)
{
    FILE *f = fopen(path, "w");
    rl_buf b = {0};
    size_t i;

    if (f == NULL) {
        fprintf(stderr, "relabel: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("image,wnid,posterior,in_set\n", f);
    for (i = 0; i < t->n; i++) {
        const rl_vote_row *r = &t->rows[i];

        rl_buf_reset(&b);
        rl_csv_write_field(&b, t->images[r->image], ',');
        rl_buf_addc(&b, ',');
        rl_csv_write_field(&b, r->wnid, ',');
        rl_buf_printf(&b, ",%.6f,%d\n", r->post, r->post >= thr);
        fwrite(b.data, 1, b.len, f);
    }
    rl_buf_free(&b);
    if (fclose(f) != 0) {
        fprintf(stderr, "relabel: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The pooled posterior depends only on the vote counts: lists the count
 * patterns of the most common number of votes that make the cut. */
static void
print_patterns(const rl_vote_table *t, const rl_ds_model *m, double thr)
{
    long hist[33] = { 0 };
    int best = 0, no, maybe, j, col;
    size_t i;

    for (i = 0; i < t->n; i++) {
        const int *v = t->rows[i].votes;
        int tot = v[0] + v[1] + v[2];

        if (tot < 33)
            hist[tot]++;
    }
    for (j = 1; j < 33; j++)
        if (hist[j] > hist[best])
            best = j;
    if (best == 0)
        return;
    col = printf("in the sets with %d votes (no/maybe/yes):", best);
    for (no = best; no >= 0; no--)
        for (maybe = best - no; maybe >= 0; maybe--) {
            int v[3] = { no, maybe, best - no - maybe };
            double l0 = log1p(-m->prior), l1 = log(m->prior);

            for (j = 0; j < RL_VOTE_COUNT; j++) {
                l0 += v[j] * log(m->confusion[j]);
                l1 += v[j] * log(m->confusion[RL_VOTE_COUNT + j]);
            }
            if (1 / (1 + exp(l0 - l1)) < thr)
                continue;
            if (col > 70) {
                printf("\n ");
                col = 1;
            }
            col += printf(" %d/%d/%d", v[0], v[1], v[2]);
        }
    putchar('\n');
}

static int
cmd_dawid_skene(const cli *c, const struct cmd_args *a)
{
    const char *file = cmd_input(cmd_arg(a, 0));
    const char *thr_s = cmd_get(a, "threshold");
    const char *it_s = cmd_get(a, "iterations");
    const char *post = cmd_get(a, "posteriors");
    rl_ds_opts o = { 0, 0, 0 };
    rl_vote_table t;
    rl_ds_model m = {0};
    rl_vote_agreement ag;
    double thr = RL_DS_THRESHOLD;
    rl_err e;
    int rc = 1, j, k;
    long n_in = 0;
    size_t i;

    (void)c;
    if (file == NULL)
        return usage_error("dawid-skene", "give a VOTES.csv file");
    if (thr_s != NULL) {
        char *end;

        thr = strtod(thr_s, &end);
        if (end == thr_s || *end != '\0' || !(thr > 0 && thr <= 1))
            return usage_error("dawid-skene", "--threshold: a number in "
                               "(0, 1]");
    }
    if (it_s != NULL) {
        long v;

        if (rl_parse_long(it_s, &v) != 0 || v < 1 || v > 100000)
            return usage_error("dawid-skene", "--iterations: a whole number"
                               " from 1");
        o.max_iter = (int)v;
    }
    if (rl_vote_table_read(&t, file, &e) != 0
        || rl_vote_table_fit(&t, &o, &m, &e) != 0) {
        print_err(&e);
        goto out;
    }
    for (i = 0; i < t.n; i++)
        n_in += t.rows[i].post >= thr;
    printf("%zu pairs on %zu images; raters pooled (the file names none)\n",
           t.n, t.n_images);
    printf("EM: %d iterations, %s; prior P(correct) %.4f\n", m.iterations,
           m.converged ? "converged" : "stopped at the cap", m.prior);
    printf("P(answer | truth)      no   maybe     yes\n");
    for (k = 1; k >= 0; k--) {
        printf("  %-16s", k ? "correct" : "not correct");
        for (j = 0; j < RL_VOTE_COUNT; j++)
            printf(" %7.4f", m.confusion[k * RL_VOTE_COUNT + j]);
        putchar('\n');
    }
    print_patterns(&t, &m, thr);
    printf("threshold %g: %ld pairs in the fitted label sets\n", thr, n_in);
    if (t.has_ref) {
        double prec, rec;

        rl_vote_table_compare(&t, thr, &ag, NULL);
        prec = ag.tp + ag.fp > 0 ? (double)ag.tp / (ag.tp + ag.fp) : NAN;
        rec = ag.tp + ag.fn > 0 ? (double)ag.tp / (ag.tp + ag.fn) : NAN;
        printf("against in_real (%ld pairs in the reference sets):\n",
               ag.tp + ag.fn);
        printf("  pairs: %ld agree of %ld (%.2f%%); precision %.2f%%, "
               "recall %.2f%%, F1 %.2f%%\n", ag.tp + ag.tn, ag.pairs,
               100.0 * (ag.tp + ag.tn) / ag.pairs, 100 * prec, 100 * rec,
               100 * 2 * prec * rec / (prec + rec));
        printf("  images with exactly the reference set: %ld of %ld "
               "(%.2f%%)\n", ag.images_exact, ag.images,
               100.0 * ag.images_exact / ag.images);
        printf("  empty reference sets: %ld, of them empty in the fit too: "
               "%ld\n", ag.ref_sets_empty, ag.fit_sets_empty);
        if (!isnan(ag.score_mad))
            printf("  |posterior - ds_score|: mean %.4f, max %.4f\n",
                   ag.score_mad, ag.score_max);
    }
    if (post != NULL && write_posteriors(post, &t, thr) != 0)
        goto out;
    rc = 0;
out:
    rl_ds_model_free(&m);
    rl_vote_table_free(&t);
    return rc;
}

static const struct cmd_arg ds_args[] = {
    { "VOTES.csv", CMD_FILE, NULL },
    { 0 }
};

static const struct cmd_opt ds_opts[] = {
    { .name = "threshold", .type = CMD_NUMBER, .meta = "T",
      .help = "the posterior a pair needs to be in a label set (default "
              "0.8)" },
    { .name = "iterations", .type = CMD_NUMBER, .meta = "N",
      .help = "at most N rounds of EM" },
    { .name = "posteriors", .type = CMD_FILE, .meta = "FILE",
      .help = "write image,wnid,posterior,in_set per pair to FILE" },
    { 0 }
};

const struct cmd_entry cmd_dawid_skene_entry = {
    .name = "dawid-skene",
    .summary = "fit Dawid-Skene to raw vote counts (ReaL's ratings)",
    .usage = "VOTES.csv", .args = ds_args, .max_args = 1,
    .opts = ds_opts, .text = DS_HELP, .run = cmd_dawid_skene,
};

/* ---- stats --agreement ---------------------------------------------- */

static const char *
kfmt(double x, char *buf, size_t size)
{
    if (isnan(x))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.3f", x);
    return buf;
}

int
eval_print_agreement(rl_store *s)
{
    rl_agreement ag;
    rl_err e;
    char k1[16], k2[16], p1[16], p2[16];
    size_t i;

    if (rl_metrics_agreement(s, &ag, &e) != 0) {
        print_err(&e);
        return 1;
    }
    printf("\nagreement (reviewer verdicts on shared candidates; "
           "adjudications left out)\n");
    if (ag.n_pairs == 0) {
        printf("no candidate has verdicts from two reviewers\n");
        rl_agreement_free(&ag);
        return 0;
    }
    printf("%-16s %-16s %7s %8s %7s %8s %7s\n", "reviewer", "reviewer",
           "shared", "agree", "kappa", "agree", "kappa");
    printf("%-16s %-16s %7s %16s %16s\n", "", "", "", "(4 states)",
           "(correct/not)");
    for (i = 0; i < ag.n_pairs; i++) {
        const rl_kappa_pair *kp = &ag.pairs[i];
        char *a = rl_utf8_sanitize(kp->a), *b = rl_utf8_sanitize(kp->b);

        printf("%-16s %-16s %7ld %8s %7s %8s %7s\n", a, b, kp->n,
               pct(kp->agree, p1, sizeof p1), kfmt(kp->kappa, k1, sizeof k1),
               pct(kp->agree_bin, p2, sizeof p2),
               kfmt(kp->kappa_bin, k2, sizeof k2));
        free(a);
        free(b);
    }
    printf("Fleiss' kappa over %ld candidates with 2+ verdicts: states %s "
           "(agreement %s), correct/not %s (agreement %s)\n", ag.n_items,
           kfmt(ag.fleiss, k1, sizeof k1), pct(ag.agree, p1, sizeof p1),
           kfmt(ag.fleiss_bin, k2, sizeof k2),
           pct(ag.agree_bin, p2, sizeof p2));
    rl_agreement_free(&ag);
    return 0;
}
