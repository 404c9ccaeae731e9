/* bench.h - relabel-bench: figures printed as "name value unit" lines, or
 * as JSON with --json. Not run by the test suite. */
#ifndef RL_BENCH_H
#define RL_BENCH_H

#include <stdbool.h>

/* Records one figure (printed at the end, in order). */
void fig(const char *name, double value, const char *unit);
/* Median and 90th percentile of n samples (sorts them). */
double pct(double *v, int n, double p);
/* Peak resident memory of this process in MB. */
double peak_rss_mb(void);

int bench_store(int argc, char **argv);

#endif
