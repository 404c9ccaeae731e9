/* test_runsort.c - the external sort: records out in order, every one
 * once, from the buffer alone, from many runs on disk, and from none. */
#include "relabel/runsort.h"

#include <stdint.h>
#include <string.h>

#include "t.h"

struct rec {
    uint32_t key;          /* sorted by */
    uint32_t seq;          /* the order added, to check each came once */
};

static int
cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Adds n records with keys from a fixed generator, buffering `mem` bytes;
 * checks that they come out sorted and each once. */
static void
sort_n(size_t n, size_t mem, const char *what)
{
    rl_runsort *s = rl_runsort_new(sizeof(struct rec), cmp_rec, mem);
    unsigned char *seen = calloc(n + 1, 1);
    uint64_t x = 88172645463325252ull;
    struct rec prev = { 0, 0 };
    const void *p;
    size_t i, got = 0, dup = 0, order = 0;
    rl_err err;
    int r;

    for (i = 0; i < n; i++) {
        struct rec rc;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rc.key = (uint32_t)(x % 1000);     /* many equal keys */
        rc.seq = (uint32_t)i;
        if (rl_runsort_add(s, &rc, &err) != 0)
            break;
    }
    ok(i == n && rl_runsort_count(s) == n, "%s: %zu added", what, n);
    while ((r = rl_runsort_next(s, &p, &err)) == 1) {
        const struct rec *rc = p;

        if (got > 0 && cmp_rec(&prev, rc) > 0)
            order++;
        if (rc->seq >= n || seen[rc->seq]++)
            dup++;
        prev = *rc;
        got++;
    }
    ok(r == 0 && got == n && dup == 0 && order == 0,
       "%s: %zu out, in order, each once (%zu out of order, %zu twice)",
       what, got, order, dup);
    ok(rl_runsort_next(s, &p, &err) == 0, "%s: the end stays the end",
       what);
    free(seen);
    rl_runsort_free(s);
}

int
main(void)
{
    sort_n(0, 1 << 20, "nothing");
    sort_n(1, 1 << 20, "one record");
    sort_n(5000, 1 << 20, "in the buffer alone");
    /* 64 records a run (the least): 781 runs and 16 in the buffer. */
    sort_n(50000, 16, "781 runs on disk");
    /* 5000 records a run: each read ahead in three blocks of at most
     * 2048, the last one short; 517 left in the buffer. */
    sort_n(100000 + 517, 40000, "20 runs read in blocks, and a buffer");
    rl_runsort_free(NULL);
    return t_done();
}
