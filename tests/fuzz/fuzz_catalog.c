/* fuzz_catalog.c - the catalog/hierarchy reader: rl_catalog_install() of
 * a label-set folder, then rl_catalog_load().
 *
 * Input: classes.tsv, then optionally a form feed (0x0c) and nodes.tsv,
 * then optionally another form feed and superclasses.tsv; the parts are
 * written to a temporary folder (a missing part is a missing file) and
 * installed into a fresh in-memory project. Checks: a result of 0, or -1
 * with an error code and a message; after a success the catalog loads and
 * every id follows the id rule (catalog.c: valid UTF-8, 1-15 bytes, no
 * space, comma, quote, control, bidi or invisible character, not all
 * digits), every id resolves to its own node, the hierarchy has no cycle
 * and a root whenever it has nodes, and every class's path is built. */
#include "fuzz.h"

#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"

static char dir[64];                   /* the temporary label-set folder */
static const char *const files[3] = {
    "classes.tsv", "nodes.tsv", "superclasses.tsv"
};

static int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *f)
{
    (void)sb; (void)type; (void)f;
    return remove(p);
}

static void
cleanup(void)
{
    if (dir[0] != '\0')
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setlocale(LC_CTYPE, "C.UTF-8");
    snprintf(dir, sizeof dir, "/tmp/rl_fuzz_catalog_XXXXXX");
    if (mkdtemp(dir) == NULL)
        fuzz_fail(__FILE__, __LINE__, "setup: mkdtemp failed");
    atexit(cleanup);
    return 0;
}

static void
put(int k, const uint8_t *data, size_t n)
{
    char *path = rl_xasprintf("%s/%s", dir, files[k]);
    FILE *f;

    if (data == NULL) {
        unlink(path);
    } else {
        f = fopen(path, "wb");
        FUZZ_CHECK(f != NULL, "cannot write %s", path);
        if (n > 0)
            fwrite(data, 1, n, f);
        fclose(f);
    }
    free(path);
}

static void
check_id(const char *w)
{
    size_t n = strlen(w), i;
    bool digits = true;

    FUZZ_CHECK(n >= 1 && n <= 15, "id of %zu bytes", n);
    fuzz_check_safe(w, n, "class id");
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(w[i] != ' ' && w[i] != ',' && w[i] != '"',
                   "id with a separator: %s", w);
        if (w[i] < '0' || w[i] > '9')
            digits = false;
    }
    FUZZ_CHECK(!digits, "an id that reads as an index: %s", w);
}

/* Depth-first walk up the parents: 1 = on the path, 2 = done. */
static void
no_cycle(const rl_catalog *c, size_t pos, unsigned char *mark)
{
    const rl_class *k = rl_catalog_at(c, pos);
    size_t i;

    FUZZ_CHECK(mark[pos] != 1, "a cycle through %s", k->wnid);
    if (mark[pos] == 2)
        return;
    mark[pos] = 1;
    for (i = 0; i < k->n_parents; i++) {
        FUZZ_CHECK(k->parents[i] < rl_catalog_count(c), "parent out of range");
        no_cycle(c, k->parents[i], mark);
    }
    mark[pos] = 2;
}

static void
check_catalog(const rl_catalog *c)
{
    size_t n = rl_catalog_count(c), i;
    const size_t *roots;
    unsigned char *mark = rl_xcalloc(n + 1, 1);

    if (n > 0)
        FUZZ_CHECK(rl_catalog_roots(c, &roots) > 0, "%zu nodes, no root", n);
    for (i = 0; i < n; i++) {
        const rl_class *k = rl_catalog_at(c, i);
        rl_err err;

        check_id(k->wnid);
        FUZZ_CHECK(rl_catalog_by_wnid(c, k->wnid) == k, "%s does not "
                   "resolve to itself", k->wnid);
        FUZZ_CHECK(rl_catalog_resolve(c, k->wnid, &err)
                   == (k->idx >= 0 ? k : NULL), "%s: resolve", k->wnid);
        no_cycle(c, i, mark);
        if (k->idx >= 0)
            free(rl_catalog_path_str(c, k));
    }
    free(mark);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[3] = { NULL, NULL, NULL };
    size_t len[3] = { 0, 0, 0 }, k = 0, i, start = 0;
    rl_store *s;
    rl_catalog *c;
    rl_err err;
    int rc;

    for (i = 0; i <= size && k < 3; i++)
        if (i == size || data[i] == '\f') {
            part[k] = data + start;
            len[k++] = i - start;
            start = i + 1;
        }
    for (k = 0; k < 3; k++)
        put((int)k, part[k], len[k]);

    rl_err_clear(&err);
    s = rl_store_open(":memory:", RL_STORE_CREATE, &err);
    FUZZ_CHECK(s != NULL, "setup: in-memory project: %s", err.msg);
    rc = rl_catalog_install(s, dir, &err);
    FUZZ_CHECK(rc == 0 || rc == -1, "install returned %d", rc);
    if (rc != 0) {
        FUZZ_CHECK(err.code != RL_E_OK && err.msg[0] != '\0',
                   "install failed without a message");
    } else {
        c = rl_catalog_load(s, &err);
        FUZZ_CHECK(c != NULL, "installed, but does not load: %s", err.msg);
        check_catalog(c);
        rl_catalog_free(c);
    }
    rl_store_close(s);
    return 0;
}
