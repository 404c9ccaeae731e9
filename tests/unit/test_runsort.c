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

/* The next of a fixed sequence of keys (xorshift64). */
static void
xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
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

        xorshift(&x);
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

struct krec {
    uint64_t k1, k2;       /* the keys, k1 first */
    uint64_t seq;          /* the order added */
};

/* The keyed (radix) sort: n records with many equal keys, buffering
 * `mem` bytes, come out by (k1, k2), and equal keys in the order added,
 * from the buffer and across runs. */
static void
sort_keyed(size_t n, size_t mem, const char *what)
{
    rl_runsort *s = rl_runsort_new_keyed(sizeof(struct krec), 2, mem);
    unsigned char *seen = calloc(n + 1, 1);
    uint64_t x = 88172645463325252ull;
    struct krec prev = { 0, 0, 0 };
    const void *p;
    size_t i, got = 0, dup = 0, order = 0, unstable = 0;
    rl_err err;
    int r;

    for (i = 0; i < n; i++) {
        struct krec rc;

        xorshift(&x);
        /* High bytes that differ and low ones that tie often. */
        rc.k1 = (x % 7) << 56 | ((x >> 8) % 3);
        rc.k2 = (x >> 20) % 50 << 40 | ((x >> 32) % 2);
        rc.seq = i;
        if (rl_runsort_add(s, &rc, &err) != 0)
            break;
    }
    ok(i == n, "%s: %zu added", what, n);
    while ((r = rl_runsort_next(s, &p, &err)) == 1) {
        const struct krec *rc = p;

        if (got > 0 && (prev.k1 > rc->k1
                        || (prev.k1 == rc->k1 && prev.k2 > rc->k2)))
            order++;
        else if (got > 0 && prev.k1 == rc->k1 && prev.k2 == rc->k2
                 && prev.seq > rc->seq)
            unstable++;
        if (rc->seq >= n || seen[rc->seq]++)
            dup++;
        prev = *rc;
        got++;
    }
    ok(r == 0 && got == n && dup == 0 && order == 0 && unstable == 0,
       "%s: %zu out by key, ties in the order added, each once (%zu out of"
       " order, %zu ties swapped, %zu twice)", what, got, order, unstable,
       dup);
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
    sort_keyed(0, 1 << 20, "keyed, nothing");
    sort_keyed(20000, 1 << 20, "keyed, in the buffer alone");
    /* 2 x 24-byte records a KB: 43 records a run at the least (64). */
    sort_keyed(30000, 4096, "keyed, 468 runs on disk");
    sort_keyed(100000, 1 << 20, "keyed, runs read in blocks");
    {
        /* Keys equal in every byte but one: only that byte is sorted. */
        uint64_t a[3 * 6] = { 5, 0, 9,  3, 0, 9,  5, 0, 1,  1, 0, 9,
                              3, 0, 2,  5, 0, 3 };
        uint64_t tmp[3 * 6], b[6];
        size_t i;

        rl_runsort_radix(a, tmp, 6, 3 * sizeof(uint64_t), 1);
        for (i = 0; i < 6; i++)
            b[i] = a[i * 3] * 10 + a[i * 3 + 2];
        ok(b[0] == 19 && b[1] == 39 && b[2] == 32 && b[3] == 59
           && b[4] == 51 && b[5] == 53, "radix: stable on one key");
    }
    rl_runsort_free(NULL);
    return t_done();
}
