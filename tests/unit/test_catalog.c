/* test_catalog.c - installing a label set (the shipped ImageNet-1k one and
 * small hand-made ones), every malformed-catalog report, lookups by wnid,
 * index and id, name traps, hypernym paths and the hierarchy's shape. */
#include "relabel/catalog.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/csv.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#ifndef RL_SHARED_DATA
#define RL_SHARED_DATA "../shared/data"
#endif
#define CATALOG_DIR RL_TEST_DATA "/../../share/relabel"

static int nstore;

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fputs(text, f) < 0) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* A fresh, empty project in the temporary folder. */
static rl_store *
new_store(void)
{
    char name[32];
    char *p;
    rl_store *s;
    rl_err err;

    snprintf(name, sizeof name, "p%d.db", ++nstore);
    p = tpath(name);
    s = rl_store_open(p, RL_STORE_CREATE, &err);
    if (s == NULL) {
        printf("# cannot create %s: %s\n", p, err.msg);
        exit(1);
    }
    free(p);
    return s;
}

/* Data lines (all but the header) of a text file; -1 if unreadable. */
static long
data_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    long n = 0;
    int ch, last = '\n';

    if (f == NULL)
        return -1;
    while ((ch = getc(f)) != EOF) {
        if (ch == '\n')
            n++;
        last = ch;
    }
    fclose(f);
    return (last != '\n' ? n + 1 : n) - 1;
}

static long
classes_in(rl_store *s)
{
    rl_err err;
    rl_catalog *c = rl_catalog_load(s, &err);
    long n = c != NULL ? (long)rl_catalog_count(c) : -1;

    rl_catalog_free(c);
    return n;
}

/* ---- the shipped catalog ------------------------------------------ */

static bool
contains(const size_t *a, size_t n, size_t v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (a[i] == v)
            return true;
    return false;
}

static void
test_shipped_shape(const rl_catalog *c)
{
    size_t i, j, bad_links = 0, bad_order = 0, bad_ids = 0, bad_paths = 0;
    size_t bad_leaf = 0, nsplit[3] = {0};
    const size_t *roots;
    size_t nroots = rl_catalog_roots(c, &roots);
    const rl_class *entity = rl_catalog_by_wnid(c, "n00001740");

    is_int(nroots, 1, "one root");
    ok(nroots == 1 && rl_catalog_at(c, roots[0]) == entity,
       "the root is entity (n00001740)");
    ok(entity != NULL && entity->idx == -1 && entity->depth == 0
       && entity->n_below == (int)rl_catalog_nclasses(c),
       "entity: an inner node, depth 0, every class below it");

    for (i = 0; i < rl_catalog_count(c); i++) {
        const rl_class *k = rl_catalog_at(c, i);
        const rl_class *path[64];
        size_t n;

        if (rl_catalog_by_id(c, k->id) != k || rl_catalog_pos(c, k) != i
            || rl_catalog_by_wnid(c, k->wnid) != k
            || (k->idx >= 0 && rl_catalog_by_index(c, k->idx) != k))
            bad_ids++;
        /* Links go both ways. */
        for (j = 0; j < k->n_parents; j++)
            if (!contains(rl_catalog_at(c, k->parents[j])->children,
                          rl_catalog_at(c, k->parents[j])->n_children, i))
                bad_links++;
        for (j = 0; j < k->n_children; j++)
            if (!contains(rl_catalog_at(c, k->children[j])->parents,
                          rl_catalog_at(c, k->children[j])->n_parents, i))
                bad_links++;
        /* Children in name order, case-insensitively. */
        for (j = 1; j < k->n_children; j++)
            if (rl_strcasecmp(rl_catalog_at(c, k->children[j - 1])->names,
                              rl_catalog_at(c, k->children[j])->names) > 0)
                bad_order++;
        if (k->idx < 0)
            continue;
        /* Classes are leaves with a split, and their first path is a
         * shortest one: as long as depth_min, root first, each step a
         * parent-to-child link. */
        if (k->n_children != 0 || k->n_below != 1)
            bad_leaf++;
        if (k->split != NULL)
            nsplit[strcmp(k->split, "dog") == 0 ? 0
                   : strcmp(k->split, "organism") == 0 ? 1 : 2]++;
        n = rl_catalog_path(c, k, path, 64);
        if (n != (size_t)k->depth + 1 || path[0] != entity
            || path[n - 1] != k)
            bad_paths++;
        else
            for (j = 1; j < n; j++)
                if (!contains(path[j]->parents, path[j]->n_parents,
                              rl_catalog_pos(c, path[j - 1])))
                    bad_paths++;
    }
    is_int(bad_ids, 0, "every node is found by id, position, wnid, index");
    is_int(bad_links, 0, "parent and child links agree");
    is_int(bad_order, 0, "children are sorted by name");
    is_int(bad_leaf, 0, "classes are leaves counting themselves");
    is_int(bad_paths, 0, "every class's path is a shortest root-to-class "
           "chain of links");
    is_int(nsplit[0], 118, "118 dog classes");
    is_int(nsplit[1], 292, "292 organism (non-dog) classes");
    is_int(nsplit[2], 590, "590 object classes");
}

static void
test_shipped(void)
{
    rl_store *s = new_store();
    rl_catalog *c;
    rl_err err;
    const rl_class *k, *k2;
    char buf[64], *str;
    long want_classes = data_lines(CATALOG_DIR "/classes.tsv");
    long want_nodes = data_lines(CATALOG_DIR "/nodes.tsv");

    ok(rl_catalog_install(s, CATALOG_DIR, &err) == 0,
       "install the shipped catalog");
    c = rl_catalog_load(s, &err);
    ok(c != NULL, "load it");
    if (c == NULL) {
        printf("#   %s\n", err.msg);
        rl_store_close(s);
        return;
    }
    is_int(rl_catalog_nclasses(c), want_classes,
           "as many classes as classes.tsv has lines");
    is_int(rl_catalog_nclasses(c), 1000, "ImageNet-1k: 1000 classes");
    is_int(rl_catalog_count(c), want_nodes,
           "as many nodes as nodes.tsv has lines");

    k = rl_catalog_by_wnid(c, "n01440764");
    ok(k != NULL && k->idx == 0 && strcmp(k->names, "tench, Tinca tinca") == 0
       && strcmp(k->split, "organism") == 0 && k->gloss[0] != '\0',
       "tench: index 0, names, gloss and split");
    k = rl_catalog_by_index(c, 151);
    ok(k != NULL && strcmp(k->wnid, "n02085620") == 0
       && strcmp(k->split, "dog") == 0 && k->grp != NULL
       && strcmp(k->grp, "Dogs") == 0, "151 is n02085620 (Chihuahua), a "
       "dog, Tsipras group Dogs");
    ok(rl_catalog_by_index(c, 1000) == NULL
       && rl_catalog_by_index(c, -1) == NULL
       && rl_catalog_by_wnid(c, "n99999999") == NULL,
       "absent index / wnid give NULL");

    /* The two cranes share a first name; only wnid or index tell them
     * apart, and a name is never a class reference. */
    k = rl_catalog_by_index(c, 134);
    k2 = rl_catalog_by_index(c, 517);
    {
        char a[32], b[32];

        rl_class_short(k, a, sizeof a);
        rl_class_short(k2, b, sizeof b);
        ok(strcmp(a, "crane") == 0 && strcmp(b, "crane") == 0
           && strcmp(k->wnid, k2->wnid) != 0,
           "134 and 517 are both 'crane', with different wnids");
    }
    rl_err_clear(&err);
    ok(rl_catalog_resolve(c, "crane", &err) == NULL
       && err.code == RL_E_NOTFOUND, "a name does not resolve: %s",
       err.msg);

    k = rl_catalog_resolve(c, "151", &err);
    ok(k != NULL && strcmp(k->wnid, "n02085620") == 0, "resolve '151'");
    k = rl_catalog_resolve(c, "0", &err);
    ok(k != NULL && k->idx == 0, "resolve '0'");
    k = rl_catalog_resolve(c, "n15075141", &err);
    ok(k != NULL && k->idx == 999, "resolve the last wnid");
    rl_err_clear(&err);
    ok(rl_catalog_resolve(c, "1000", &err) == NULL
       && err.code == RL_E_NOTFOUND && strstr(err.msg, "'1000'") != NULL,
       "index 1000 is unknown: %s", err.msg);
    ok(rl_catalog_resolve(c, "-1", &err) == NULL, "index -1 is unknown");
    ok(rl_catalog_resolve(c, "", &err) == NULL, "empty is unknown");
    ok(rl_catalog_resolve(c, "n99999999", &err) == NULL
       && strstr(err.msg, "unknown class 'n99999999'") != NULL,
       "unknown wnid: %s", err.msg);
    rl_err_clear(&err);
    ok(rl_catalog_resolve(c, "n02084071", &err) == NULL
       && err.code == RL_E_NOTFOUND
       && strstr(err.msg, "hierarchy node") != NULL,
       "an inner node (dog) is not a class: %s", err.msg);

    k = rl_catalog_by_index(c, 0);
    rl_class_short(k, buf, 4);
    is_str(buf, "ten", "rl_class_short truncates to the buffer");
    rl_class_short(rl_catalog_by_index(c, 817), buf, sizeof buf);
    is_str(buf, "sports car", "rl_class_short stops at the first comma");

    str = rl_catalog_path_str(c, rl_catalog_by_index(c, 151));
    ok(str != NULL && rl_starts_with(str, "entity > ")
       && strstr(str, " > dog > ") != NULL
       && strcmp(str + strlen(str) - strlen(" > Chihuahua"),
                 " > Chihuahua") == 0, "path of Chihuahua: %s", str);
    free(str);
    str = rl_catalog_path_str(c, rl_catalog_by_index(c, 919));
    ok(str != NULL && strstr(str, "entity > abstraction > ") == str,
       "street sign lies under abstraction: %s", str);
    free(str);
    {
        const rl_class *path[2];

        ok(rl_catalog_path(c, rl_catalog_by_index(c, 151), path, 2) > 2
           && path[0] == rl_catalog_by_wnid(c, "n00001740"),
           "rl_catalog_path returns the full length but stores only max");
    }

    test_shipped_shape(c);
    rl_catalog_free(c);

    rl_err_clear(&err);
    ok(rl_catalog_install(s, CATALOG_DIR, &err) == -1
       && err.code == RL_E_DUP, "a second install is refused: %s", err.msg);
    {
        char *v = rl_store_meta_get(s, "catalog");

        is_str(v, CATALOG_DIR, "the catalog folder is recorded");
        free(v);
    }
    rl_store_close(s);
}

/* ---- against the shared data ------------------------------------- */

/* The shipped catalog against ../shared/data: the same 1000 classes and
 * names, and every class's path is one of its hypernym paths listed in
 * imagenet1k_hierarchy.tsv, of the shortest length listed there. */
static void
test_shared(void)
{
    static const rl_csv_opts tsv = { '\t', false };
    rl_store *s;
    rl_catalog *c;
    rl_csv *in;
    rl_err err;
    long rows = 0, bad_names = 0, bad_paths = 0, not_shortest = 0;
    int r, ci, cw, cn, cp;
    /* Per class index: our path as "wnid/wnid/...", whether the data
     * lists it, and the data's shortest depth. */
    char **ours;
    bool *listed;
    int *min_depth, i;

    in = rl_csv_open(RL_SHARED_DATA "/imagenet1k_classes.tsv", &tsv, &err);
    if (in == NULL) {
        printf("# SKIP shared data absent (%s)\n", err.msg);
        return;
    }
    s = new_store();
    if (rl_catalog_install(s, CATALOG_DIR, &err) != 0
        || (c = rl_catalog_load(s, &err)) == NULL) {
        ok(0, "load the shipped catalog: %s", err.msg);
        rl_csv_close(in);
        rl_store_close(s);
        return;
    }
    rl_csv_header(in, &err);
    ci = rl_csv_col(in, "index");
    cw = rl_csv_col(in, "wnid");
    cn = rl_csv_col(in, "names");
    while ((r = rl_csv_next(in, &err)) == 1) {
        const rl_class *k = rl_catalog_by_index(c,
                                                atoi(rl_csv_field(in, ci)));

        rows++;
        if (k == NULL || strcmp(k->wnid, rl_csv_field(in, cw)) != 0
            || strcmp(k->names, rl_csv_field(in, cn)) != 0)
            bad_names++;
    }
    rl_csv_close(in);
    ok(r == 0 && rows == 1000 && bad_names == 0, "shared classes: %ld rows,"
       " %ld differ from the shipped catalog", rows, bad_names);

    ours = rl_xcalloc(1000, sizeof *ours);
    listed = rl_xcalloc(1000, sizeof *listed);
    min_depth = rl_xcalloc(1000, sizeof *min_depth);
    for (i = 0; i < 1000; i++) {
        const rl_class *path[64];
        size_t n = rl_catalog_path(c, rl_catalog_by_index(c, i), path, 64), j;
        rl_buf b = {0};

        for (j = 0; j < n && j < 64; j++)
            rl_buf_printf(&b, j ? "/%s" : "%s", path[j]->wnid);
        ours[i] = b.data;
        min_depth[i] = INT32_MAX;
    }
    in = rl_csv_open(RL_SHARED_DATA "/imagenet1k_hierarchy.tsv", &tsv, &err);
    if (in == NULL || rl_csv_header(in, &err) != 0) {
        ok(0, "read imagenet1k_hierarchy.tsv: %s", err.msg);
    } else {
        ci = rl_csv_col(in, "index");
        cp = rl_csv_col(in, "path");
        while ((r = rl_csv_next(in, &err)) == 1) {
            int idx = atoi(rl_csv_field(in, ci)), depth = 0;
            const char *p = rl_csv_field(in, cp);

            if (idx < 0 || idx >= 1000)
                continue;
            for (; *p; p++)
                depth += *p == '/';
            if (depth < min_depth[idx])
                min_depth[idx] = depth;
            if (strcmp(ours[idx], rl_csv_field(in, cp)) == 0)
                listed[idx] = true;
        }
        for (i = 0; i < 1000; i++) {
            int depth = 0;
            const char *p;

            for (p = ours[i]; *p; p++)
                depth += *p == '/';
            bad_paths += !listed[i];
            not_shortest += depth != min_depth[i];
        }
        is_int(bad_paths, 0, "every class's path is a WordNet path the "
               "shared hierarchy lists");
        is_int(not_shortest, 0, "and a shortest one");
    }
    rl_csv_close(in);
    for (i = 0; i < 1000; i++)
        free(ours[i]);
    free(ours);
    free(listed);
    free(min_depth);
    rl_catalog_free(c);
    rl_store_close(s);
}

/* ---- small hand-made catalogs ------------------------------------- */

static const char CLASSES[] =
    "index\twnid\tnames\tgloss\n"
    "0\tn00000010\tapple, pome\ta fruit\n"
    "1\tn00000020\tbanana\tanother fruit\n"
    "2\tn00000030\tCart\ta vehicle\n";
static const char NODES[] =
    "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\tparents\t"
    "names\tgloss\n"
    "n00000001\t0\t\t3\t0\t\tthing\tanything\n"
    "n00000010\t1\t0\t1\t2\tn00000002\tapple, pome\ta fruit\n"
    "n00000002\t0\t\t2\t1\tn00000001\tfruit\tedible\n"
    "n00000020\t1\t1\t1\t2\tn00000002\tbanana\tanother fruit\n"
    "n00000030\t1\t2\t1\t1\tn00000001,n00000002\tCart\ta vehicle\n";
static const char SPLITS[] =
    "index\twnid\tsplit\ttsipras_group\n"
    "0\tn00000010\torganism\tFood\n"
    "1\tn00000020\torganism\tFood\n"
    "2\tn00000030\tobject\tvehicles\n";

/* Writes a catalog folder `name` holding the given files (NULL: absent). */
static char *
make_dir(const char *name, const char *classes, const char *nodes,
         const char *splits)
{
    char *dir = tpath(name), *f;

    mkdir(dir, 0755);
    if (classes != NULL) {
        f = rl_xasprintf("%s/classes.tsv", dir);
        write_file(f, classes);
        free(f);
    }
    if (nodes != NULL) {
        f = rl_xasprintf("%s/nodes.tsv", dir);
        write_file(f, nodes);
        free(f);
    }
    if (splits != NULL) {
        f = rl_xasprintf("%s/superclasses.tsv", dir);
        write_file(f, splits);
        free(f);
    }
    return dir;
}

static void
test_small(void)
{
    char *dir = make_dir("small", CLASSES, NODES, SPLITS);
    rl_store *s = new_store();
    rl_catalog *c;
    rl_err err;
    const rl_class *k;
    const size_t *roots;
    char *str;

    ok(rl_catalog_install(s, dir, &err) == 0, "install a small catalog");
    c = rl_catalog_load(s, &err);
    if (c == NULL) {
        ok(0, "load: %s", err.msg);
        goto out;
    }
    is_int(rl_catalog_nclasses(c), 3, "3 classes");
    is_int(rl_catalog_count(c), 5, "5 nodes");
    is_int(rl_catalog_roots(c, &roots), 1, "one root");
    k = rl_catalog_by_wnid(c, "n00000030");
    ok(k != NULL && k->n_parents == 2 && k->depth == 1
       && strcmp(k->split, "object") == 0
       && strcmp(k->grp, "vehicles") == 0, "a class with two parents");
    str = rl_catalog_path_str(c, k);
    is_str(str, "thing > Cart", "its path takes the shallower parent");
    free(str);
    str = rl_catalog_path_str(c, rl_catalog_by_index(c, 1));
    is_str(str, "thing > fruit > banana", "a two-step path");
    free(str);
    k = rl_catalog_by_wnid(c, "n00000002");
    ok(k != NULL && k->n_children == 3
       && strcmp(rl_catalog_at(c, k->children[0])->wnid, "n00000010") == 0
       && strcmp(rl_catalog_at(c, k->children[2])->wnid, "n00000030") == 0,
       "children ordered by name ignoring case (apple, banana, Cart)");
    rl_catalog_free(c);
out:
    rl_store_close(s);
    free(dir);

    /* classes.tsv alone is enough. */
    dir = make_dir("only_classes", CLASSES, NULL, NULL);
    s = new_store();
    ok(rl_catalog_install(s, dir, &err) == 0, "install classes.tsv only");
    c = rl_catalog_load(s, &err);
    ok(c != NULL && rl_catalog_count(c) == 3
       && rl_catalog_roots(c, &roots) == 3
       && rl_catalog_by_index(c, 2)->split == NULL,
       "three classes, each a root, no split");
    rl_catalog_free(c);
    rl_store_close(s);
    free(dir);

    /* An empty project has an empty catalog. */
    s = new_store();
    c = rl_catalog_load(s, &err);
    ok(c != NULL && rl_catalog_count(c) == 0
       && rl_catalog_by_wnid(c, "n00000010") == NULL
       && rl_catalog_by_index(c, 0) == NULL
       && rl_catalog_resolve(c, "0", &err) == NULL,
       "empty project: empty catalog, nothing resolves");
    rl_catalog_free(c);
    rl_store_close(s);
    rl_catalog_free(NULL);
}

/* Installs a catalog folder that must fail with `code` and a message
 * starting with "DIR/" + `msg`; then checks that nothing was stored
 * and that a good catalog still installs into the same project. */
static void
bad_case(const char *what, const char *classes, const char *nodes,
         const char *splits, rl_errcode code, const char *msg)
{
    static int n;
    char name[32], *dir, *want;
    rl_store *s = new_store();
    char *good = make_dir("good", CLASSES, NODES, SPLITS);
    rl_err err;
    char *v;

    snprintf(name, sizeof name, "bad%d", ++n);
    dir = make_dir(name, classes, nodes, splits);
    want = rl_xasprintf("%s/%s", dir, msg);
    rl_err_clear(&err);
    ok(rl_catalog_install(s, dir, &err) == -1, "%s: install fails", what);
    is_int(err.code, code, "error code");
    ok(rl_starts_with(err.msg, want), "%s: message '%s'", what, err.msg);
    if (!rl_starts_with(err.msg, want))
        printf("#   expected it to start with '%s'\n", want);
    is_int(classes_in(s), 0, "nothing of the catalog was stored");
    v = rl_store_meta_get(s, "catalog");
    ok(v == NULL, "no catalog setting recorded");
    free(v);
    ok(rl_catalog_install(s, good, &err) == 0 && classes_in(s) == 5,
       "a good catalog installs afterwards");
    rl_store_close(s);
    free(dir);
    free(want);
    free(good);
}

static void
test_bad(void)
{
    bad_case("missing classes.tsv", NULL, NODES, SPLITS, RL_E_IO,
             "classes.tsv: No such file");
    bad_case("missing column", "index\twnid\tnames\n0\tn00000010\ta\n",
             NULL, NULL, RL_E_PARSE, "classes.tsv:1: missing column 'gloss'");
    bad_case("header only", "index\twnid\tnames\tgloss\n", NULL, NULL,
             RL_E_PARSE, "classes.tsv: no classes");
    bad_case("index gap",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n"
             "2\tn00000020\tb\tg\n", NULL, NULL, RL_E_PARSE,
             "classes.tsv:3: index: expected 1, found '2'");
    bad_case("index not a number",
             "index\twnid\tnames\tgloss\nzero\tn00000010\ta\tg\n", NULL, NULL,
             RL_E_PARSE, "classes.tsv:2: index: expected 0, found 'zero'");
    bad_case("wnid that looks like an index",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n1\t123\tb\tg\n",
             NULL, NULL, RL_E_PARSE, "classes.tsv:3: wnid: not a class id: "
             "'123'");
    bad_case("wnid with a space",
             "index\twnid\tnames\tgloss\n0\tn0 10\ta\tg\n", NULL, NULL,
             RL_E_PARSE, "classes.tsv:2: wnid: not a class id");
    bad_case("empty names",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n"
             "1\tn00000020\t\tg\n", NULL, NULL, RL_E_PARSE,
             "classes.tsv:3: names: empty");
    bad_case("duplicate wnid",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n"
             "1\tn00000010\tb\tg\n", NULL, NULL, RL_E_DUP,
             "classes.tsv:3: wnid: duplicate");
    bad_case("wrong field count",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n"
             "1\tn00000020\tb\n", NULL, NULL, RL_E_PARSE,
             "classes.tsv:3: expected 4 fields, found 3");
    bad_case("non-UTF-8 names",
             "index\twnid\tnames\tgloss\n0\tn00000010\ta\tg\n"
             "1\tn00000020\tb\xff\tg\n", NULL, NULL, RL_E_PARSE,
             "classes.tsv:3: column names: ");
    bad_case("node with an unknown parent", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\t0\t\t3\t0\t\tthing\tanything\n"
             "n00000010\t1\t0\t1\t1\tn00000999\tapple\ta fruit\n",
             NULL, RL_E_NOTFOUND,
             "nodes.tsv:3: parents: unknown node 'n00000999'");
    bad_case("node naming a class with another index", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000010\t1\t1\t1\t0\t\tapple\ta fruit\n",
             NULL, RL_E_NOTFOUND,
             "nodes.tsv:2: wnid: no class n00000010 with index 1");
    bad_case("is_class not 0/1", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\tyes\t\t3\t0\t\tthing\tanything\n",
             NULL, RL_E_PARSE,
             "nodes.tsv:2: is_class: expected 0 or 1, found 'yes'");
    bad_case("negative count", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\t0\t\t-3\t0\t\tthing\tanything\n",
             NULL, RL_E_PARSE, "nodes.tsv:2: n_classes_below: not a count");
    bad_case("duplicate node", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\t0\t\t3\t0\t\tthing\tanything\n"
             "n00000001\t0\t\t3\t0\t\tthing\tanything\n",
             NULL, RL_E_DUP, "nodes.tsv:3: wnid: duplicate");
    /* Issue 14: controls and bidi characters are not part of an id. */
    bad_case("wnid with DEL",
             "index\twnid\tnames\tgloss\n0\tx\x7f" "1\ta\tg\n", NULL, NULL,
             RL_E_PARSE, "classes.tsv:2: wnid: not a class id: 'x\\x7f1'");
    bad_case("wnid with a C1 control (U+009B)",
             "index\twnid\tnames\tgloss\n0\tx\xc2\x9b" "1\ta\tg\n", NULL,
             NULL, RL_E_PARSE, "classes.tsv:2: wnid: not a class id: "
             "'x\\x9b1'");
    bad_case("wnid with U+009D",
             "index\twnid\tnames\tgloss\n0\tx\xc2\x9d\ta\tg\n", NULL,
             NULL, RL_E_PARSE, "classes.tsv:2: wnid: not a class id");
    bad_case("wnid with U+202E",
             "index\twnid\tnames\tgloss\n0\tab\xe2\x80\xae" "cd\ta\tg\n",
             NULL, NULL, RL_E_PARSE, "classes.tsv:2: wnid: not a class id: "
             "'ab\\u202ecd'");
    bad_case("wnid with U+2067",
             "index\twnid\tnames\tgloss\n0\tab\xe2\x81\xa7\ta\tg\n",
             NULL, NULL, RL_E_PARSE, "classes.tsv:2: wnid: not a class id");
    bad_case("node wnid with ESC", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "x\x1b]2\t0\t\t3\t0\t\tthing\tanything\n",
             NULL, RL_E_PARSE, "nodes.tsv:2: wnid: not a class id");
    bad_case("ImageNet-like wnid of 7 digits",
             "index\twnid\tnames\tgloss\n0\tn0208562\ta\tg\n", NULL, NULL,
             RL_E_PARSE, "classes.tsv:2: wnid: not a class id: 'n0208562'");
    bad_case("a cycle in the hierarchy", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\t0\t\t3\t0\tn00000002\tthing\tanything\n"
             "n00000002\t0\t\t3\t1\tn00000001\tfruit\tedible\n"
             "n00000010\t1\t0\t1\t2\tn00000002\tapple\ta fruit\n",
             NULL, RL_E_PARSE,
             "nodes.tsv:2: parents: a cycle: n00000001 is its own ancestor");
    bad_case("a node its own parent", CLASSES,
             "wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\t"
             "parents\tnames\tgloss\n"
             "n00000001\t0\t\t3\t0\tn00000001\tthing\tanything\n",
             NULL, RL_E_PARSE,
             "nodes.tsv:2: parents: a cycle: n00000001 is its own ancestor");
    bad_case("unknown split", CLASSES, NODES,
             "index\twnid\tsplit\n0\tn00000010\torganism\n"
             "1\tn00000020\tanimal\n", RL_E_PARSE,
             "superclasses.tsv:3: split: expected dog, organism or object, "
             "found 'animal'");
    bad_case("split for an unknown class", CLASSES, NODES,
             "index\twnid\tsplit\n0\tn00000010\torganism\n"
             "7\tn00000070\tobject\n", RL_E_NOTFOUND,
             "superclasses.tsv:3: wnid: no class n00000070 with index 7");
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_test_catalog_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_shipped();
    test_shared();
    test_small();
    test_bad();
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
