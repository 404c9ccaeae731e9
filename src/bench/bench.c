/* bench.c - relabel-bench: measures what users feel. Each subcommand
 * prints one "name value unit" line per figure and exits 0; --json
 * prints the same as a JSON object. */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "relabel/util.h"

struct figure {
    char name[64];
    double value;
    char unit[16];
};

static struct figure figs[256];
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

double
peak_rss_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static const char USAGE[] =
    "usage: relabel-bench [--json] SUBCOMMAND [options]\n"
    "\n"
    "  store [--data DIR]   import, export, open and stats on the ReaL-scale\n"
    "                       project (DIR: the shared data folder holding\n"
    "                       val_labels.csv, real_proposals.csv,\n"
    "                       real_labels.csv; default ../shared/data)\n";

int
main(int argc, char **argv)
{
    bool json = false;
    int i = 1, rc;

    if (i < argc && strcmp(argv[i], "--json") == 0) {
        json = true;
        i++;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0) {
        fputs(USAGE, i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    if (strcmp(argv[i], "store") == 0) {
        rc = bench_store(argc - i, argv + i);
    } else {
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
        for (i = 0; i < nfigs; i++)
            printf("%s %.4g %s\n", figs[i].name, figs[i].value,
                   figs[i].unit);
    }
    return 0;
}
