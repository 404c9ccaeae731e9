/* runsort.c - external merge sort of fixed-size records (see runsort.h).
 *
 * Invariants: `buf` holds `n_buf` unsorted records until the first _next;
 * the temporary file holds runs[0..n_runs) end to end, each sorted; while
 * merging, `heap` orders the sources (runs, then the sorted buffer as one
 * more) by their current record, smallest first (equal records: the
 * earlier source first, so a keyed sort keeps the order added across
 * runs), and holds only sources that still have one. A keyed sort has
 * `cmp` NULL and `tmp`, the radix sort's second copy of the buffer. */
#include "relabel/runsort.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "relabel/file.h"
#include "relabel/util.h"

#define READ_RECS 2048     /* records read at a time from one run */

struct run {
    off_t start;           /* byte offset of its next unread record */
    size_t left;           /* records not yet read */
    char *buf;             /* READ_RECS records read ahead (runs only) */
    size_t n, at;          /* records in buf, and the current one */
};

struct rl_runsort {
    size_t size;           /* bytes a record */
    int (*cmp)(const void *, const void *);  /* NULL: keyed */
    size_t nkeys;          /* keyed: leading uint64_t words compared */
    char *buf;             /* the records not yet in a run */
    char *tmp_buf;         /* keyed: scratch as large as buf */
    size_t n_buf, cap;     /* records in buf, and room */
    size_t count;          /* records added */
    FILE *tmp;             /* the runs, or NULL before the first */
    off_t end;             /* bytes written to tmp */
    struct run *runs;      /* runs, then the buffer as the last source */
    size_t n_runs, cap_runs;
    size_t *heap;          /* source indexes, by current record */
    size_t n_heap;
    bool merging;          /* _next was called */
};

rl_runsort *
rl_runsort_new(size_t size, int (*cmp)(const void *, const void *),
               size_t mem)
{
    rl_runsort *s = rl_xcalloc(1, sizeof *s);

    s->size = size;
    s->cmp = cmp;
    s->cap = mem / size < 64 ? 64 : mem / size;
    s->buf = rl_xmalloc(s->cap * size);
    return s;
}

rl_runsort *
rl_runsort_new_keyed(size_t size, size_t nkeys, size_t mem)
{
    rl_runsort *s = rl_runsort_new(size, NULL, mem / 2);

    assert(nkeys >= 1 && nkeys * sizeof(uint64_t) <= size);
    s->nkeys = nkeys;
    s->tmp_buf = rl_xmalloc(s->cap * size);
    return s;
}

static uint64_t
key_word(const char *rec, size_t w)
{
    uint64_t k;

    memcpy(&k, rec + w * sizeof k, sizeof k);
    return k;
}

/* One stable pass: each record to the next place of its byte. */
static inline void
scatter(const char *src, char *dst, size_t n, size_t size, size_t w,
        size_t shift, size_t *next)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *r = src + i * size;

        memcpy(dst + next[(key_word(r, w) >> shift) & 0xff]++ * size, r,
               size);
    }
}

void
rl_runsort_radix(void *recs, void *tmp, size_t n, size_t size, size_t nkeys)
{
    size_t (*count)[256] = rl_xcalloc(nkeys * 8, sizeof *count);
    char *src = recs, *dst = tmp;
    size_t i, d, j;

    /* One pass counts every byte of every key (count[w * 8 + byte]);
     * then one stable scatter per byte, least significant first (the
     * last word's low byte), skipping bytes the same in every record. */
    for (i = 0; i < n; i++)
        for (d = 0; d < nkeys * 8; d++)
            count[d][(key_word(src + i * size, d / 8) >> (d % 8 * 8))
                     & 0xff]++;
    for (j = 0; j < nkeys * 8; j++) {
        size_t w = nkeys - 1 - j / 8, shift = j % 8 * 8, pos = 0, b;

        d = w * 8 + j % 8;
        for (b = 0; b < 256 && count[d][b] != n; b++)
            ;
        if (b < 256 || n == 0)
            continue;
        for (b = 0; b < 256; b++) {
            size_t c = count[d][b];

            count[d][b] = pos;
            pos += c;
        }
        /* Constant sizes let the copy be a few moves, not a call. */
        if (size == 16)
            scatter(src, dst, n, 16, w, shift, count[d]);
        else if (size == 32)
            scatter(src, dst, n, 32, w, shift, count[d]);
        else
            scatter(src, dst, n, size, w, shift, count[d]);
        {
            char *t = src;

            src = dst;
            dst = t;
        }
    }
    if (src != recs)
        memcpy(recs, src, n * size);
    free(count);
}

void
rl_runsort_free(rl_runsort *s)
{
    size_t i;

    if (s == NULL)
        return;
    free(s->tmp_buf);
    for (i = 0; i < s->n_runs; i++)
        free(s->runs[i].buf);
    free(s->runs);
    free(s->heap);
    free(s->buf);
    if (s->tmp != NULL)
        fclose(s->tmp);
    free(s);
}

size_t
rl_runsort_count(const rl_runsort *s)
{
    return s->count;
}

/* Sorts the buffer: radix when keyed, else qsort. */
static void
sort_buf(rl_runsort *s)
{
    if (s->cmp == NULL)
        rl_runsort_radix(s->buf, s->tmp_buf, s->n_buf, s->size, s->nkeys);
    else
        qsort(s->buf, s->n_buf, s->size, s->cmp);
}

/* Sorts the buffer and appends it to the temporary file as a run. */
static int
spill(rl_runsort *s, rl_err *err)
{
    struct run *r;

    sort_buf(s);
    if (s->tmp == NULL
        && (s->tmp = rl_file_tmp("a temporary file for sorting", err))
           == NULL)
        return -1;
    if (fwrite(s->buf, s->size, s->n_buf, s->tmp) != s->n_buf
        || fflush(s->tmp) != 0) {
        rl_err_set(err, RL_E_IO, "writing a temporary file for sorting: %s",
                   strerror(errno));
        return -1;
    }
    rl_grow(&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs);
    r = &s->runs[s->n_runs++];
    memset(r, 0, sizeof *r);
    r->start = s->end;
    r->left = s->n_buf;
    s->end += (off_t)(s->n_buf * s->size);
    s->n_buf = 0;
    return 0;
}

int
rl_runsort_add(rl_runsort *s, const void *rec, rl_err *err)
{
    if (s->n_buf == s->cap && spill(s, err) != 0)
        return -1;
    memcpy(s->buf + s->n_buf * s->size, rec, s->size);
    s->n_buf++;
    s->count++;
    return 0;
}

/* The current record of source i. */
static const void *
head(const rl_runsort *s, size_t i)
{
    const struct run *r = &s->runs[i];

    return (r->buf != NULL ? r->buf : s->buf) + r->at * s->size;
}

/* Makes source i's current record valid: reads ahead from its run when
 * the read-ahead is used up. 1, 0 when the source is exhausted, -1. */
static int
fill(rl_runsort *s, size_t i, rl_err *err)
{
    struct run *r = &s->runs[i];
    size_t want;
    ssize_t got;

    if (r->at < r->n)
        return 1;
    if (r->left == 0)
        return 0;
    want = r->left < READ_RECS ? r->left : READ_RECS;
    got = pread(fileno(s->tmp), r->buf, want * s->size, r->start);
    if (got != (ssize_t)(want * s->size)) {
        rl_err_set(err, RL_E_IO, "reading a temporary file for sorting: %s",
                   got < 0 ? strerror(errno) : "short read");
        return -1;
    }
    r->start += (off_t)(want * s->size);
    r->left -= want;
    r->n = want;
    r->at = 0;
    return 1;
}

/* Source a's current record before source b's (ties: the earlier
 * source, which holds the records added earlier). */
static bool
less(const rl_runsort *s, size_t a, size_t b)
{
    const char *x = head(s, a), *y = head(s, b);
    int c = 0;
    size_t w;

    if (s->cmp != NULL)
        c = s->cmp(x, y);
    for (w = 0; c == 0 && w < s->nkeys; w++) {
        uint64_t kx = key_word(x, w), ky = key_word(y, w);

        c = (kx > ky) - (kx < ky);
    }
    return c < 0 || (c == 0 && a < b);
}

/* Moves heap entry k down to its place. */
static void
sift(rl_runsort *s, size_t k)
{
    for (;;) {
        size_t l = 2 * k + 1, m = k, t;

        if (l < s->n_heap && less(s, s->heap[l], s->heap[m]))
            m = l;
        if (l + 1 < s->n_heap && less(s, s->heap[l + 1], s->heap[m]))
            m = l + 1;
        if (m == k)
            return;
        t = s->heap[k];
        s->heap[k] = s->heap[m];
        s->heap[m] = t;
        k = m;
    }
}

/* Ends the adding: the buffer sorted in place becomes the last source,
 * and every source with a record goes into the heap. */
static int
start(rl_runsort *s, rl_err *err)
{
    size_t i, n_src;
    struct run *r;

    s->merging = true;
    sort_buf(s);
    for (i = 0; i < s->n_runs; i++)
        s->runs[i].buf = rl_xmalloc(READ_RECS * s->size);
    rl_grow(&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs);
    r = &s->runs[s->n_runs];
    memset(r, 0, sizeof *r);
    r->n = s->n_buf;       /* buf NULL: reads s->buf, never refilled */
    n_src = s->n_runs + 1;
    s->heap = rl_xcalloc(n_src, sizeof *s->heap);
    for (i = 0; i < n_src; i++) {
        int f = fill(s, i, err);

        if (f < 0)
            return -1;
        if (f > 0)
            s->heap[s->n_heap++] = i;
    }
    for (i = s->n_heap; i-- > 0;)
        sift(s, i);
    return 0;
}

int
rl_runsort_next(rl_runsort *s, const void **rec, rl_err *err)
{
    size_t top;
    int f;

    if (!s->merging) {
        if (start(s, err) != 0)
            return -1;
    } else if (s->n_heap > 0) {
        /* Step past the record handed out last time. */
        top = s->heap[0];
        s->runs[top].at++;
        if ((f = fill(s, top, err)) < 0)
            return -1;
        if (f == 0)
            s->heap[0] = s->heap[--s->n_heap];
        sift(s, 0);
    }
    if (s->n_heap == 0)
        return 0;
    *rec = head(s, s->heap[0]);
    return 1;
}
