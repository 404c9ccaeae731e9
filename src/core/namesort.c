/* namesort.c - external merge sort of records keyed by a name (see
 * namesort.h).
 *
 * An entry, in the buffer and in a run alike: the record (`rsize` bytes,
 * its size rounded up to 8), a uint32_t name length, the name and its
 * NUL, zeros up to a multiple of 8. Invariants: `buf` holds `used` bytes
 * of entries, `ent[0..n)` indexes them in the order added until the
 * first _next; the temporary file holds runs[0..n_runs) end to end, each
 * sorted; while merging, `heap` orders the sources (runs, then the sorted
 * buffer as one more) by their current entry, smallest first, equal
 * entries the earlier source first (it holds the ones added earlier), and
 * holds only sources that still have one. */
#include "relabel/namesort.h"

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

#define NAME_MAX_LEN (1u << 20)   /* longest name sorted */
#define READ_MIN (8u << 10)       /* read-ahead of a run, at least */
#define READ_MAX (64u << 10)      /* ... and at most */

/* The name's first 16 bytes as two big-endian numbers (zeros past its
 * end): most comparisons need no name, and no look into the buffer. */
struct pre {
    uint64_t hi, lo;
};

/* One entry of the buffer's index. */
struct ent {
    struct pre pre;
    size_t off;            /* of the entry in buf */
};

struct src {
    off_t start;           /* run: offset of its next unread byte */
    off_t left;            /* run: bytes not yet read */
    char *buf;             /* run: read-ahead; NULL: the sorted buffer */
    size_t cap;            /* its size */
    size_t have, at;       /* run: bytes in buf, offset of the current
                              entry; buffer: entries, the current one */
    struct pre pre;        /* the current entry's name prefix */
};

struct rl_namesort {
    size_t size, rsize;    /* bytes a record, and rounded up to 8 */
    char *buf;             /* entries not yet in a run */
    size_t used, cap;      /* bytes in buf, and room */
    struct ent *ent, *tmp; /* buf's index, and the merge sort's scratch */
    size_t n, cap_ent;     /* entries in ent, and room */
    size_t count;          /* records added */
    size_t read_mem;       /* bytes of read-ahead the runs share */
    FILE *f;               /* the runs, or NULL before the first */
    off_t end;             /* bytes written to f */
    struct src *src;       /* runs, then the buffer as the last source */
    size_t n_runs, cap_src;
    size_t *heap;          /* source indexes, by current entry */
    size_t n_heap;
    bool merging;          /* _next was called */
};

static size_t
pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

rl_namesort *
rl_namesort_new(size_t size, size_t mem)
{
    rl_namesort *s = rl_xcalloc(1, sizeof *s);

    assert(size >= sizeof(uint64_t));
    if (mem < (1u << 20))
        mem = 1u << 20;
    s->size = size;
    s->rsize = pad8(size);
    /* Half for the entries, a quarter for their index and its scratch
     * (two 24-byte slots an entry of 96 bytes or more), a quarter to
     * read the runs back. */
    s->cap = mem / 2;
    s->cap_ent = mem / 4 / (2 * sizeof(struct ent));
    s->read_mem = mem / 4;
    s->buf = rl_xmalloc(s->cap);
    s->ent = rl_xmalloc(s->cap_ent * sizeof *s->ent);
    s->tmp = rl_xmalloc(s->cap_ent * sizeof *s->tmp);
    return s;
}

void
rl_namesort_free(rl_namesort *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n_runs; i++)
        free(s->src[i].buf);
    free(s->src);
    free(s->heap);
    free(s->buf);
    free(s->ent);
    free(s->tmp);
    if (s->f != NULL)
        fclose(s->f);
    free(s);
}

size_t
rl_namesort_count(const rl_namesort *s)
{
    return s->count;
}

size_t
rl_namesort_runs(const rl_namesort *s)
{
    return s->n_runs;
}

/* The name of the entry at `e`, and the bytes the whole entry takes. */
static const char *
ent_name(const rl_namesort *s, const char *e)
{
    return e + s->rsize + sizeof(uint32_t);
}

static size_t
ent_len(const rl_namesort *s, const char *e)
{
    uint32_t len;

    memcpy(&len, e + s->rsize, sizeof len);
    return s->rsize + pad8(sizeof len + len + 1);
}

static uint64_t
rec_key(const char *e)
{
    uint64_t k;

    memcpy(&k, e, sizeof k);
    return k;
}

/* Entries x and y by name, then key: <0, 0, >0. */
static int
cmp_ents(const rl_namesort *s, const char *x, const char *y)
{
    int c = strcmp(ent_name(s, x), ent_name(s, y));
    uint64_t kx, ky;

    if (c != 0)
        return c;
    kx = rec_key(x);
    ky = rec_key(y);
    return (kx > ky) - (kx < ky);
}

static struct pre
pre_of(const char *name)
{
    struct pre p = { 0, 0 };
    size_t i;

    for (i = 0; i < 16 && name[i] != '\0'; i++) {
        if (i < 8)
            p.hi |= (uint64_t)(unsigned char)name[i] << (56 - 8 * i);
        else
            p.lo |= (uint64_t)(unsigned char)name[i] << (56 - 8 * (i - 8));
    }
    return p;
}

/* Entries x and y whose names have prefixes px and py: the prefixes
 * first; equal ones ending within 16 bytes are equal names. */
static int
cmp_pre(const rl_namesort *s, const struct pre *px, const struct pre *py,
        const char *x, const char *y)
{
    uint64_t kx, ky;

    if (px->hi != py->hi)
        return px->hi < py->hi ? -1 : 1;
    if (px->lo != py->lo)
        return px->lo < py->lo ? -1 : 1;
    if ((px->lo & 0xff) != 0)
        return cmp_ents(s, x, y);
    kx = rec_key(x);
    ky = rec_key(y);
    return (kx > ky) - (kx < ky);
}

static int
cmp_index(const rl_namesort *s, const struct ent *a, const struct ent *b)
{
    return cmp_pre(s, &a->pre, &b->pre, s->buf + a->off, s->buf + b->off);
}

/* Sorts ent[0..n) stably: insertion sort of blocks of 16, then merges
 * of blocks twice as long through `tmp`. */
static void
sort_index(rl_namesort *s)
{
    struct ent *a = s->ent, *b = s->tmp, *t;
    size_t n = s->n, i, j, w, lo;

    for (lo = 0; lo < n; lo += 16) {
        size_t hi = lo + 16 < n ? lo + 16 : n;

        for (i = lo + 1; i < hi; i++) {
            struct ent x = a[i];

            for (j = i; j > lo && cmp_index(s, &x, &a[j - 1]) < 0; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
    }
    for (w = 16; w < n; w *= 2) {
        for (lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n, k = lo;

            i = lo;
            j = mid;
            while (i < mid && j < hi)
                b[k++] = cmp_index(s, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        t = a;
        a = b;
        b = t;
    }
    s->ent = a;
    s->tmp = b;
}

static int
io_err(rl_err *err, const char *what, int e)
{
    rl_err_set(err, RL_E_IO, "%s a temporary file for sorting: %s", what,
               e != 0 ? strerror(e) : "short read");
    return -1;
}

/* Sorts the buffer and appends it to the temporary file as a run. */
static int
spill(rl_namesort *s, rl_err *err)
{
    struct src *r;
    size_t i;

    sort_index(s);
    if (s->f == NULL
        && (s->f = rl_file_tmp("a temporary file for sorting", err)) == NULL)
        return -1;
    for (i = 0; i < s->n; i++) {
        const char *e = s->buf + s->ent[i].off;

        if (fwrite(e, ent_len(s, e), 1, s->f) != 1)
            return io_err(err, "writing", errno);
    }
    if (fflush(s->f) != 0)
        return io_err(err, "writing", errno);
    rl_grow(&s->src, &s->cap_src, s->n_runs + 1, sizeof *s->src);
    r = &s->src[s->n_runs++];
    memset(r, 0, sizeof *r);
    r->start = s->end;
    r->left = (off_t)s->used;
    s->end += (off_t)s->used;
    s->used = 0;
    s->n = 0;
    return 0;
}

int
rl_namesort_add(rl_namesort *s, const char *name, const void *rec,
                rl_err *err)
{
    size_t len = strlen(name), need;
    uint32_t len32 = (uint32_t)len;
    struct ent *x;
    char *e;

    assert(!s->merging);
    if (len >= NAME_MAX_LEN) {
        rl_err_set(err, RL_E_RANGE, "a name too long to sort (%zu bytes)",
                   len);
        return -1;
    }
    need = s->rsize + pad8(sizeof len32 + len + 1);
    if ((s->used + need > s->cap || s->n == s->cap_ent) && s->n > 0
        && spill(s, err) != 0)
        return -1;
    if (need > s->cap) {   /* one long name: room for it alone */
        s->cap = need;
        s->buf = rl_xrealloc(s->buf, s->cap);
    }
    e = s->buf + s->used;
    memset(e, 0, need);
    memcpy(e, rec, s->size);
    memcpy(e + s->rsize, &len32, sizeof len32);
    memcpy(e + s->rsize + sizeof len32, name, len);
    x = &s->ent[s->n++];
    x->off = s->used;
    x->pre = pre_of(name);
    s->used += need;
    s->count++;
    return 0;
}

/* The current entry of source i. */
static const char *
head(const rl_namesort *s, size_t i)
{
    const struct src *r = &s->src[i];

    return r->buf != NULL ? r->buf + r->at : s->buf + s->ent[r->at].off;
}

/* Makes run i's current entry whole in its read-ahead: what is left of
 * the read-ahead moves to its start and more is read after it. 1, 0 when
 * the run is exhausted, -1. */
static int
fill(rl_namesort *s, size_t i, rl_err *err)
{
    struct src *r = &s->src[i];
    size_t rest = r->have - r->at, need = s->rsize + sizeof(uint32_t);

    if (rest >= need && rest >= ent_len(s, r->buf + r->at))
        return 1;
    if (rest == 0 && r->left == 0)
        return 0;
    if (rest >= need && ent_len(s, r->buf + r->at) > r->cap) {
        r->cap = ent_len(s, r->buf + r->at);
        r->buf = rl_xrealloc(r->buf, r->cap);
    }
    memmove(r->buf, r->buf + r->at, rest);
    r->at = 0;
    r->have = rest;
    while (r->left > 0 && r->have < r->cap) {
        size_t want = r->cap - r->have;
        ssize_t got;

        if ((off_t)want > r->left)
            want = (size_t)r->left;
        got = pread(fileno(s->f), r->buf + r->have, want, r->start);
        if (got <= 0)
            return io_err(err, "reading", got < 0 ? errno : 0);
        r->start += got;
        r->left -= got;
        r->have += (size_t)got;
    }
    rest = r->have;
    if (rest >= need && rest >= ent_len(s, r->buf))
        return 1;
    if (r->left == 0)      /* the run ends within an entry */
        return io_err(err, "reading", 0);
    /* A long entry that did not fit: the read-ahead grows to it. */
    return fill(s, i, err);
}

/* Steps source i past its current entry. 1, 0 when exhausted, -1. */
static int
advance(rl_namesort *s, size_t i, rl_err *err)
{
    struct src *r = &s->src[i];

    if (r->buf == NULL)
        return ++r->at < r->have;
    r->at += ent_len(s, r->buf + r->at);
    return fill(s, i, err);
}

static bool
less(const rl_namesort *s, size_t a, size_t b)
{
    int c = cmp_pre(s, &s->src[a].pre, &s->src[b].pre, head(s, a),
                    head(s, b));

    return c < 0 || (c == 0 && a < b);
}

/* Source i's current entry's prefix, for `less`. */
static void
set_pre(rl_namesort *s, size_t i)
{
    struct src *r = &s->src[i];

    r->pre = r->buf != NULL ? pre_of(ent_name(s, head(s, i)))
                            : s->ent[r->at].pre;
}

static void
sift(rl_namesort *s, size_t k)
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
 * the runs share the read-ahead, every source with an entry goes into
 * the heap. */
static int
start(rl_namesort *s, rl_err *err)
{
    size_t i, n_src, each;
    struct src *r;

    s->merging = true;
    sort_index(s);
    free(s->tmp);
    s->tmp = NULL;
    each = s->n_runs > 0 ? s->read_mem / s->n_runs : 0;
    each = each < READ_MIN ? READ_MIN : each > READ_MAX ? READ_MAX : each;
    for (i = 0; i < s->n_runs; i++) {
        s->src[i].cap = each;
        s->src[i].buf = rl_xmalloc(each);
    }
    rl_grow(&s->src, &s->cap_src, s->n_runs + 1, sizeof *s->src);
    r = &s->src[s->n_runs];
    memset(r, 0, sizeof *r);
    r->have = s->n;        /* buf NULL: entries of s->buf by index */
    n_src = s->n_runs + 1;
    s->heap = rl_xcalloc(n_src, sizeof *s->heap);
    for (i = 0; i < n_src; i++) {
        int f = s->src[i].buf != NULL ? fill(s, i, err)
                                      : s->src[i].have > 0;

        if (f < 0)
            return -1;
        if (f > 0) {
            set_pre(s, i);
            s->heap[s->n_heap++] = i;
        }
    }
    for (i = s->n_heap; i-- > 0;)
        sift(s, i);
    return 0;
}

int
rl_namesort_next(rl_namesort *s, const char **name, const void **rec,
                 rl_err *err)
{
    const char *e;
    int f;

    if (!s->merging) {
        if (start(s, err) != 0)
            return -1;
    } else if (s->n_heap > 0) {
        if ((f = advance(s, s->heap[0], err)) < 0)
            return -1;
        if (f == 0)
            s->heap[0] = s->heap[--s->n_heap];
        else
            set_pre(s, s->heap[0]);
        sift(s, 0);
    }
    if (s->n_heap == 0)
        return 0;
    e = head(s, s->heap[0]);
    *name = ent_name(s, e);
    *rec = e;
    return 1;
}
