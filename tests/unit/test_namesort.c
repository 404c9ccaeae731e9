/* test_namesort.c - the external sort by name: records out by name, then
 * key, then the order added, each once, from the buffer alone, from many
 * runs on disk (names sharing long prefixes, names shorter than 8 bytes,
 * a name longer than a run's read-ahead), and none; the runs go to
 * $TMPDIR, and a $TMPDIR that cannot be written is an RL_E_IO naming it. */
#include "relabel/namesort.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

struct rec {
    uint64_t key;          /* compared after the name */
    uint32_t seq;          /* the order added */
    uint32_t name;         /* index of the name in the test's list */
};

struct ref {
    const char *name;
    struct rec r;
};

static int
cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    if (x->r.key != y->r.key)
        return x->r.key < y->r.key ? -1 : 1;
    return (x->r.seq > y->r.seq) - (x->r.seq < y->r.seq);
}

static void
xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
}

/* n records on names drawn from `n_names` (a few of them short, one
 * `long_len` bytes long when not 0), keys from 0..3, buffering `mem`;
 * checks the order against qsort's and that `runs` is as expected
 * (-1: any, 0: none). */
static void
sort_n(size_t n, size_t n_names, size_t long_len, size_t mem, int runs,
       const char *what)
{
    rl_namesort *s = rl_namesort_new(sizeof(struct rec), mem);
    char **names = calloc(n_names, sizeof *names);
    struct ref *ref = calloc(n + 1, sizeof *ref);
    uint64_t x = 88172645463325252ull;
    size_t i, bad = 0, got = 0;
    const char *name;
    const void *rec;
    rl_err err;
    int r = 0;

    for (i = 0; i < n_names; i++) {
        names[i] = malloc(40);
        xorshift(&x);
        if (i % 17 == 0)
            snprintf(names[i], 40, "n%u", (unsigned)(x % 1000));
        else
            snprintf(names[i], 40, "n01440764_%08u.JPEG",
                     (unsigned)(x % 100000000));
    }
    if (long_len > 0) {
        free(names[0]);
        names[0] = malloc(long_len + 1);
        memset(names[0], 'z', long_len);
        names[0][long_len] = '\0';
    }
    for (i = 0; i < n && r == 0; i++) {
        xorshift(&x);
        ref[i].r.name = (uint32_t)(x % n_names);
        ref[i].r.key = (x >> 20) % 4;
        ref[i].r.seq = (uint32_t)i;
        ref[i].name = names[ref[i].r.name];
        r = rl_namesort_add(s, ref[i].name, &ref[i].r, &err);
    }
    ok(r == 0, "%s: added", what);
    if (runs >= 0)
        is_int((long long)rl_namesort_runs(s), runs, "runs");
    else
        ok(rl_namesort_runs(s) > 1, "%s: %zu runs on disk", what,
           rl_namesort_runs(s));
    qsort(ref, n, sizeof *ref, cmp_ref);
    while ((r = rl_namesort_next(s, &name, &rec, &err)) == 1) {
        const struct rec *q = rec;

        if (got >= n || strcmp(name, ref[got].name) != 0
            || q->seq != ref[got].r.seq || q->key != ref[got].r.key
            || strcmp(names[q->name], name) != 0
            || (uintptr_t)rec % 8 != 0)
            bad++;
        got++;
    }
    ok(r == 0, "%s: read to the end", what);
    is_int((long long)got, (long long)n, "every record once");
    is_int((long long)bad, 0, "in name, key, added order");
    ok(rl_namesort_next(s, &name, &rec, &err) == 0, "%s: stays at the end",
       what);
    rl_namesort_free(s);
    for (i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    free(ref);
}

int
main(void)
{
    rl_namesort *s;
    struct rec q = {0};
    const char *name;
    const void *rec;
    rl_err err;
    size_t i;
    int r = 0;

    sort_n(0, 1, 0, 0, 0, "nothing");
    sort_n(5000, 700, 0, 0, 0, "in memory");
    sort_n(200000, 50000, 0, 0, -1, "many runs");
    sort_n(60000, 3, 0, 0, -1, "three names, many runs");
    sort_n(100000, 20000, 300000, 0, -1, "a name past the read-ahead");

    /* $TMPDIR: a folder that is not there is named in the error. */
    setenv("TMPDIR", "/nonexistent-relabel-dir", 1);
    s = rl_namesort_new(sizeof q, 0);
    for (i = 0; i < 100000 && r == 0; i++)
        r = rl_namesort_add(s, "n01440764_00000001.JPEG", &q, &err);
    ok(r == -1 && err.code == RL_E_IO
       && strstr(err.msg, "/nonexistent-relabel-dir") != NULL,
       "an unwritable TMPDIR: %s", err.msg);
    rl_namesort_free(s);
    unsetenv("TMPDIR");
    s = rl_namesort_new(sizeof q, 0);
    ok(rl_namesort_add(s, "a", &q, &err) == 0
       && rl_namesort_next(s, &name, &rec, &err) == 1
       && strcmp(name, "a") == 0, "no TMPDIR: /tmp, one record");
    rl_namesort_free(s);
    return t_done();
}
