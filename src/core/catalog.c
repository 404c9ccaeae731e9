/* catalog.c - the label set in memory: classes, hierarchy, lookups.
 *
 * Nodes are held in one array in row-id order; `parents` and `children`
 * are positions in it. Lookups by wnid go through an rl_strmap, by class
 * index through a dense array. The catalog is read-only
 * once loaded. */
#include "relabel/catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/csv.h"
#include "relabel/util.h"
#include "internal.h"

struct rl_catalog {
    rl_class *node;        /* all nodes, by row id */
    size_t n;
    size_t nclasses;
    size_t *by_idx;        /* class index -> position, SIZE_MAX if none */
    size_t max_idx;        /* length of by_idx */
    rl_strmap by_wnid;     /* wnid -> position */
    size_t *roots;
    size_t nroots;
};

/* The class id rule. An ImageNet wnid is "n" and eight digits, and an id
 * that starts like one must be one (a typo such as n0208562 is refused).
 * Another label set's ids: 1-15 bytes of UTF-8, no spaces, commas or
 * quotes, no control (C0, DEL, C1), bidi or invisible formatting character
 * (rl_utf8_is_unsafe), and not all digits (that would read as an index). */
static bool
valid_wnid(const char *s)
{
    size_t n = strlen(s), i = 0;
    bool digits = true;

    if (n == 0 || n >= 16 || !rl_utf8_valid(s, n))
        return false;
    if (s[0] == 'n' && n > 1 && isdigit((unsigned char)s[1])) {
        for (i = 1; i < n; i++)
            if (!isdigit((unsigned char)s[i]))
                return false;
        return n == 9;
    }
    while (i < n) {
        uint32_t cp;

        i += rl_utf8_decode(s + i, n - i, &cp);
        if (cp == ' ' || cp == ',' || cp == '"' || rl_utf8_is_unsafe(cp))
            return false;
        if (cp < '0' || cp > '9')
            digits = false;
    }
    return !digits;
}

/* Sets `err` for an id valid_wnid() refuses, the id shown escaped. */
static void
bad_wnid(rl_err *err, const char *path, long line, const char *wnid)
{
    char *safe = rl_utf8_sanitize(wnid);

    rl_err_set(err, RL_E_PARSE, "%s:%ld: wnid: not a class id: '%s' (n and "
               "8 digits, or up to 15 printable characters without spaces, "
               "commas, quotes or control characters)", path, line, safe);
    free(safe);
}

/* ---- install ------------------------------------------------------- */

static const char SQL_INS_CLASS[] =
    "INSERT INTO class(wnid, idx, names, gloss, n_below, depth)"
    " VALUES(?, ?, ?, ?, ?, ?)";
static const char SQL_UPD_NODE[] =
    "UPDATE class SET n_below = ?, depth = ? WHERE wnid = ? AND idx = ?";
static const char SQL_INS_NODE[] =
    "INSERT INTO class(wnid, idx, names, gloss, n_below, depth)"
    " VALUES(?, NULL, ?, ?, ?, ?)";
static const char SQL_INS_PARENT[] =
    "INSERT OR IGNORE INTO class_parent(child, parent)"
    " SELECT c.id, p.id FROM class c, class p WHERE c.wnid = ? AND p.wnid = ?";
static const char SQL_SET_SPLIT[] =
    "UPDATE class SET split = ?, grp = ? WHERE wnid = ? AND idx = ?";

static int
col_or_fail(rl_csv *c, const char *name, rl_err *err)
{
    int i = rl_csv_col(c, name);

    if (i < 0)
        rl_err_set(err, RL_E_PARSE, "%s:1: missing column '%s'",
                   rl_csv_name(c), name);
    return i;
}

static int
step_done(rl_store *s, sqlite3_stmt *st, rl_csv *c, const char *what,
          rl_err *err)
{
    if (sqlite3_step(st) == SQLITE_DONE)
        return 0;
    if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT)
        rl_err_set(err, RL_E_DUP, "%s:%ld: %s: duplicate", rl_csv_name(c),
                   rl_csv_line(c), what);
    else
        store_dberr(s, err, what);
    return -1;
}

static int
install_classes(rl_store *s, const char *path, rl_err *err)
{
    rl_csv_opts tsv = { '\t', false };
    rl_csv *c = rl_csv_open(path, &tsv, err);
    sqlite3_stmt *st;
    int ci, cw, cn, cg, r, rc = -1;
    long expect = 0;

    if (c == NULL)
        return -1;
    if (rl_csv_header(c, err) != 0
        || (ci = col_or_fail(c, "index", err)) < 0
        || (cw = col_or_fail(c, "wnid", err)) < 0
        || (cn = col_or_fail(c, "names", err)) < 0
        || (cg = col_or_fail(c, "gloss", err)) < 0)
        goto out;
    while ((r = rl_csv_next(c, err)) == 1) {
        const char *wnid = rl_csv_field(c, (size_t)cw);
        long idx;

        if (rl_parse_long(rl_csv_field(c, (size_t)ci), &idx) != 0
            || idx != expect) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: index: expected %ld, "
                       "found '%s'", path, rl_csv_line(c), expect,
                       rl_csv_field(c, (size_t)ci));
            goto out;
        }
        if (!valid_wnid(wnid)) {
            bad_wnid(err, path, rl_csv_line(c), wnid);
            goto out;
        }
        if (*rl_csv_field(c, (size_t)cn) == '\0') {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: names: empty", path,
                       rl_csv_line(c));
            goto out;
        }
        if ((st = store_stmt(s, SQL_INS_CLASS, err)) == NULL)
            goto out;
        sqlite3_bind_text(st, 1, wnid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, idx);
        sqlite3_bind_text(st, 3, rl_csv_field(c, (size_t)cn), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rl_csv_field(c, (size_t)cg), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int(st, 5, 1);
        sqlite3_bind_int(st, 6, 0);
        if (step_done(s, st, c, "wnid", err) != 0)
            goto out;
        expect++;
    }
    if (r < 0)
        goto out;
    if (expect == 0) {
        rl_err_set(err, RL_E_PARSE, "%s: no classes", path);
        goto out;
    }
    rc = 0;
out:
    rl_csv_close(c);
    return rc;
}

/* Every node reached by walking up from a node, as (start, ancestor)
 * pairs; UNION keeps it finite even on a cycle. */
static const char SQL_CYCLE[] =
    "WITH RECURSIVE up(start, node) AS ("
    " SELECT child, parent FROM class_parent"
    " UNION SELECT up.start, p.parent FROM up"
    " JOIN class_parent p ON p.child = up.node)"
    " SELECT c.wnid FROM up JOIN class c ON c.id = up.start"
    " WHERE up.node = up.start ORDER BY c.wnid LIMIT 1";

/* The hierarchy must be a DAG: a node that is its own ancestor would hide
 * every class below it from the browser. `parents` are install_nodes()'s
 * (child, parent, line) triples, for the line of the node named. */
static int
find_cycle(rl_store *s, char **parents, size_t np, const char *path,
           rl_err *err)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CYCLE, err);
    long line = 0;
    size_t i;
    int r;

    if (st == NULL)
        return -1;
    r = sqlite3_step(st);
    if (r == SQLITE_DONE)
        return 0;
    if (r != SQLITE_ROW) {
        store_dberr(s, err, "checking the hierarchy");
        return -1;
    }
    for (i = 0; i < np; i += 3)
        if (strcmp(parents[i], (const char *)sqlite3_column_text(st, 0)) == 0) {
            line = (long)(intptr_t)parents[i + 2];
            break;
        }
    rl_err_set(err, RL_E_PARSE, "%s:%ld: parents: a cycle: %s is its own "
               "ancestor", path, line, sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return -1;
}

static int
install_nodes(rl_store *s, const char *path, rl_err *err)
{
    rl_csv_opts tsv = { '\t', false };
    rl_csv *c = rl_csv_open(path, &tsv, err);
    int cw, cc, ci, cb, cd, cp, cn, cg, r, rc = -1;
    char **parents = NULL;      /* pairs child, parent, inserted after */
    size_t np = 0, cap = 0, i;
    sqlite3_stmt *st;

    if (c == NULL)
        return -1;
    if (rl_csv_header(c, err) != 0
        || (cw = col_or_fail(c, "wnid", err)) < 0
        || (cc = col_or_fail(c, "is_class", err)) < 0
        || (ci = col_or_fail(c, "class_index", err)) < 0
        || (cb = col_or_fail(c, "n_classes_below", err)) < 0
        || (cd = col_or_fail(c, "depth_min", err)) < 0
        || (cp = col_or_fail(c, "parents", err)) < 0
        || (cn = col_or_fail(c, "names", err)) < 0
        || (cg = col_or_fail(c, "gloss", err)) < 0)
        goto out;
    while ((r = rl_csv_next(c, err)) == 1) {
        const char *wnid = rl_csv_field(c, (size_t)cw);
        const char *is = rl_csv_field(c, (size_t)cc);
        long below, depth;
        char *plist, *tok, *save;

        if (!valid_wnid(wnid)) {
            bad_wnid(err, path, rl_csv_line(c), wnid);
            goto out;
        }
        if (rl_parse_long(rl_csv_field(c, (size_t)cb), &below) != 0
            || below < 0) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: n_classes_below: not a "
                       "count", path, rl_csv_line(c));
            goto out;
        }
        if (rl_parse_long(rl_csv_field(c, (size_t)cd), &depth) != 0
            || depth < 0) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: depth_min: not a depth",
                       path, rl_csv_line(c));
            goto out;
        }
        if (strcmp(is, "1") == 0) {
            /* A class: it must be in classes.tsv with the same index. */
            long idx;

            if (rl_parse_long(rl_csv_field(c, (size_t)ci), &idx) != 0) {
                rl_err_set(err, RL_E_PARSE, "%s:%ld: class_index: not a "
                           "number", path, rl_csv_line(c));
                goto out;
            }
            if ((st = store_stmt(s, SQL_UPD_NODE, err)) == NULL)
                goto out;
            sqlite3_bind_int64(st, 1, below);
            sqlite3_bind_int64(st, 2, depth);
            sqlite3_bind_text(st, 3, wnid, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, idx);
            if (step_done(s, st, c, "wnid", err) != 0)
                goto out;
            if (sqlite3_changes(s->db) != 1) {
                rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: wnid: no class %s "
                           "with index %ld in classes.tsv", path,
                           rl_csv_line(c), wnid, idx);
                goto out;
            }
        } else if (strcmp(is, "0") == 0) {
            if ((st = store_stmt(s, SQL_INS_NODE, err)) == NULL)
                goto out;
            sqlite3_bind_text(st, 1, wnid, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, rl_csv_field(c, (size_t)cn), -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(st, 3, rl_csv_field(c, (size_t)cg), -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, below);
            sqlite3_bind_int64(st, 5, depth);
            if (step_done(s, st, c, "wnid", err) != 0)
                goto out;
        } else {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: is_class: expected 0 or 1,"
                       " found '%s'", path, rl_csv_line(c), is);
            goto out;
        }
        plist = rl_xstrdup(rl_csv_field(c, (size_t)cp));
        for (tok = strtok_r(plist, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save)) {
            rl_grow(&parents, &cap, np + 3, sizeof *parents);
            parents[np++] = rl_xstrdup(wnid);
            parents[np++] = rl_xstrdup(tok);
            parents[np++] = (char *)(intptr_t)rl_csv_line(c);
        }
        free(plist);
    }
    if (r < 0)
        goto out;
    /* Parents may come after children in the file: link at the end. */
    for (i = 0; i < np; i += 3) {
        if ((st = store_stmt(s, SQL_INS_PARENT, err)) == NULL)
            goto out;
        sqlite3_bind_text(st, 1, parents[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, parents[i + 1], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(s, err, "linking the hierarchy");
            goto out;
        }
        if (sqlite3_changes(s->db) != 1) {
            rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: parents: unknown node "
                       "'%s'", path, (long)(intptr_t)parents[i + 2],
                       parents[i + 1]);
            goto out;
        }
    }
    if (find_cycle(s, parents, np, path, err) != 0)
        goto out;
    rc = 0;
out:
    for (i = 0; i < np; i += 3) {
        free(parents[i]);
        free(parents[i + 1]);
    }
    free(parents);
    rl_csv_close(c);
    return rc;
}

static int
install_splits(rl_store *s, const char *path, rl_err *err)
{
    rl_csv_opts tsv = { '\t', false };
    rl_csv *c = rl_csv_open(path, &tsv, err);
    int ci, cw, cs, cg, r, rc = -1;
    sqlite3_stmt *st;

    if (c == NULL)
        return -1;
    if (rl_csv_header(c, err) != 0
        || (ci = col_or_fail(c, "index", err)) < 0
        || (cw = col_or_fail(c, "wnid", err)) < 0
        || (cs = col_or_fail(c, "split", err)) < 0)
        goto out;
    cg = rl_csv_col(c, "tsipras_group");
    while ((r = rl_csv_next(c, err)) == 1) {
        const char *split = rl_csv_field(c, (size_t)cs);
        long idx;

        if (strcmp(split, "dog") != 0 && strcmp(split, "organism") != 0
            && strcmp(split, "object") != 0) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: split: expected dog, "
                       "organism or object, found '%s'", path,
                       rl_csv_line(c), split);
            goto out;
        }
        if (rl_parse_long(rl_csv_field(c, (size_t)ci), &idx) != 0) {
            rl_err_set(err, RL_E_PARSE, "%s:%ld: index: not a number",
                       path, rl_csv_line(c));
            goto out;
        }
        if ((st = store_stmt(s, SQL_SET_SPLIT, err)) == NULL)
            goto out;
        sqlite3_bind_text(st, 1, split, -1, SQLITE_STATIC);
        if (cg >= 0)
            sqlite3_bind_text(st, 2, rl_csv_field(c, (size_t)cg), -1,
                              SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rl_csv_field(c, (size_t)cw), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, idx);
        if (step_done(s, st, c, "split", err) != 0)
            goto out;
        if (sqlite3_changes(s->db) != 1) {
            rl_err_set(err, RL_E_NOTFOUND, "%s:%ld: wnid: no class %s with "
                       "index %ld", path, rl_csv_line(c),
                       rl_csv_field(c, (size_t)cw), idx);
            goto out;
        }
    }
    rc = r < 0 ? -1 : 0;
out:
    rl_csv_close(c);
    return rc;
}

static bool
file_exists(const char *path)
{
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return false;
    fclose(f);
    return true;
}

int
rl_catalog_install(rl_store *s, const char *dir, rl_err *err)
{
    char *classes = rl_xasprintf("%s/classes.tsv", dir);
    char *nodes = rl_xasprintf("%s/nodes.tsv", dir);
    char *splits = rl_xasprintf("%s/superclasses.tsv", dir);
    int rc = -1;

    if (rl_store_begin(s, err) != 0)
        goto out;
    if (store_int(s, "SELECT count(*) FROM class", 0) != 0) {
        rl_err_set(err, RL_E_DUP, "%s: the project has a catalog already",
                   rl_store_path(s));
        goto end;
    }
    if (install_classes(s, classes, err) != 0)
        goto end;
    if (file_exists(nodes) && install_nodes(s, nodes, err) != 0)
        goto end;
    if (file_exists(splits) && install_splits(s, splits, err) != 0)
        goto end;
    if (rl_store_meta_set(s, "catalog", dir, err) != 0)
        goto end;
    rc = 0;
end:
    rc = rl_store_end(s, rc, err);
out:
    free(classes);
    free(nodes);
    free(splits);
    return rc;
}

/* ---- load ---------------------------------------------------------- */

static size_t
find_id(const rl_catalog *c, int64_t id)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (c->node[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && c->node[lo].id == id ? lo : SIZE_MAX;
}

static const rl_catalog *sort_cat;   /* qsort has no context argument */

static int
cmp_by_name(const void *a, const void *b)
{
    const rl_class *x = &sort_cat->node[*(const size_t *)a];
    const rl_class *y = &sort_cat->node[*(const size_t *)b];
    int r = rl_strcasecmp(x->names, y->names);

    return r != 0 ? r : strcmp(x->wnid, y->wnid);
}

rl_catalog *
rl_catalog_load(rl_store *s, rl_err *err)
{
    rl_catalog *c = rl_xcalloc(1, sizeof *c);
    sqlite3_stmt *st = NULL;
    size_t cap = 0, i, *ccap = NULL, rcap = 0;
    int r;

    if (sqlite3_prepare_v2(s->db,
            "SELECT id, wnid, idx, names, gloss, split, grp, n_below, depth"
            " FROM class ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rl_class *k;
        const char *w = (const char *)sqlite3_column_text(st, 1);

        rl_grow(&c->node, &cap, c->n + 1, sizeof *c->node);
        k = &c->node[c->n++];
        memset(k, 0, sizeof *k);
        k->id = sqlite3_column_int64(st, 0);
        snprintf(k->wnid, sizeof k->wnid, "%s", w ? w : "");
        k->idx = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1
                 : sqlite3_column_int(st, 2);
        k->names = store_col_dup(st, 3);
        k->gloss = store_col_dup(st, 4);
        k->split = store_col_dup(st, 5);
        k->grp = store_col_dup(st, 6);
        k->n_below = sqlite3_column_int(st, 7);
        k->depth = sqlite3_column_int(st, 8);
        if (k->idx >= 0) {
            c->nclasses++;
            if ((size_t)k->idx + 1 > c->max_idx)
                c->max_idx = (size_t)k->idx + 1;
        }
    }
    if (r != SQLITE_DONE)      /* a damaged file: no partial catalog */
        goto dberr;
    sqlite3_finalize(st);
    st = NULL;

    c->by_idx = rl_xmalloc((c->max_idx + 1) * sizeof *c->by_idx);
    for (i = 0; i < c->max_idx; i++)
        c->by_idx[i] = SIZE_MAX;
    for (i = 0; i < c->n; i++) {
        rl_strmap_put(&c->by_wnid, c->node[i].wnid, (int64_t)i);
        if (c->node[i].idx >= 0)
            c->by_idx[c->node[i].idx] = i;
    }

    if (sqlite3_prepare_v2(s->db, "SELECT child, parent FROM class_parent",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    ccap = rl_xcalloc(c->n + 1, sizeof *ccap);
    {
        size_t *pcap = rl_xcalloc(c->n + 1, sizeof *pcap);

        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            size_t ch = find_id(c, sqlite3_column_int64(st, 0));
            size_t pa = find_id(c, sqlite3_column_int64(st, 1));
            rl_class *k, *p;

            if (ch == SIZE_MAX || pa == SIZE_MAX)
                continue;
            k = &c->node[ch];
            p = &c->node[pa];
            rl_grow(&k->parents, &pcap[ch], k->n_parents + 1,
                    sizeof *k->parents);
            k->parents[k->n_parents++] = pa;
            rl_grow(&p->children, &ccap[pa], p->n_children + 1,
                    sizeof *p->children);
            p->children[p->n_children++] = ch;
        }
        free(pcap);
    }
    if (r != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(st);
    st = NULL;
    free(ccap);

    sort_cat = c;
    for (i = 0; i < c->n; i++) {
        rl_class *k = &c->node[i];

        if (k->n_children > 1)
            qsort(k->children, k->n_children, sizeof *k->children,
                  cmp_by_name);
        if (k->n_parents == 0) {
            rl_grow(&c->roots, &rcap, c->nroots + 1, sizeof *c->roots);
            c->roots[c->nroots++] = i;
        }
    }
    if (c->nroots > 1)
        qsort(c->roots, c->nroots, sizeof *c->roots, cmp_by_name);
    sort_cat = NULL;
    return c;
dberr:
    store_dberr(s, err, "loading the catalog");
    sqlite3_finalize(st);
    free(ccap);
    rl_catalog_free(c);
    return NULL;
}

void
rl_catalog_free(rl_catalog *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n; i++) {
        rl_class *k = &c->node[i];

        free(k->names);
        free(k->gloss);
        free(k->split);
        free(k->grp);
        free(k->parents);
        free(k->children);
    }
    free(c->node);
    free(c->by_idx);
    rl_strmap_free(&c->by_wnid);
    free(c->roots);
    free(c);
}

size_t
rl_catalog_count(const rl_catalog *c)
{
    return c->n;
}

size_t
rl_catalog_nclasses(const rl_catalog *c)
{
    return c->nclasses;
}

const rl_class *
rl_catalog_at(const rl_catalog *c, size_t pos)
{
    return pos < c->n ? &c->node[pos] : NULL;
}

size_t
rl_catalog_pos(const rl_catalog *c, const rl_class *cls)
{
    return (size_t)(cls - c->node);
}

const rl_class *
rl_catalog_by_id(const rl_catalog *c, int64_t id)
{
    size_t p = find_id(c, id);

    return p == SIZE_MAX ? NULL : &c->node[p];
}

const rl_class *
rl_catalog_by_wnid(const rl_catalog *c, const char *wnid)
{
    int64_t pos = rl_strmap_get(&c->by_wnid, wnid, -1);

    return pos >= 0 ? &c->node[pos] : NULL;
}

const rl_class *
rl_catalog_by_index(const rl_catalog *c, int idx)
{
    if (idx < 0 || (size_t)idx >= c->max_idx || c->by_idx[idx] == SIZE_MAX)
        return NULL;
    return &c->node[c->by_idx[idx]];
}

size_t
rl_catalog_roots(const rl_catalog *c, const size_t **roots)
{
    *roots = c->roots;
    return c->nroots;
}

const rl_class *
rl_catalog_resolve(const rl_catalog *c, const char *spec, rl_err *err)
{
    const rl_class *k = NULL;
    long idx;

    if (rl_parse_long(spec, &idx) == 0) {
        if (idx >= 0 && idx <= 0x7fffffff)
            k = rl_catalog_by_index(c, (int)idx);
    } else {
        k = rl_catalog_by_wnid(c, spec);
        if (k != NULL && k->idx < 0) {
            rl_err_set(err, RL_E_NOTFOUND, "'%s' is a hierarchy node, not a "
                       "class of this label set", spec);
            return NULL;
        }
    }
    if (k == NULL)
        rl_err_set(err, RL_E_NOTFOUND, "unknown class '%s' (give a wnid "
                   "like n02085620 or a class index)", spec);
    return k;
}

size_t
rl_catalog_path(const rl_catalog *c, const rl_class *cls,
                const rl_class **out, size_t max)
{
    const rl_class *chain[64];
    size_t n = 0, i;
    const rl_class *k = cls;

    /* Walk up through the parent with the smallest depth (ties: first by
     * wnid), which yields a shortest path from the root. */
    while (k != NULL && n < 64) {
        const rl_class *best = NULL;

        chain[n++] = k;
        for (i = 0; i < k->n_parents; i++) {
            const rl_class *p = &c->node[k->parents[i]];

            if (best == NULL || p->depth < best->depth
                || (p->depth == best->depth && strcmp(p->wnid, best->wnid) < 0))
                best = p;
        }
        k = best;
    }
    for (i = 0; i < n && i < max; i++)
        out[i] = chain[n - 1 - i];
    return n;
}

void
rl_class_short(const rl_class *cls, char *buf, size_t size)
{
    size_t n = strcspn(cls->names, ",");

    if (n >= size)
        n = rl_utf8_whole(cls->names, size - 1);   /* whole characters */
    memcpy(buf, cls->names, n);
    buf[n] = '\0';
}

char *
rl_catalog_path_str(const rl_catalog *c, const rl_class *cls)
{
    const rl_class *path[64];
    size_t n = rl_catalog_path(c, cls, path, 64), i;
    rl_buf b = {0};
    char name[128];

    rl_buf_add(&b, "", 0);
    for (i = 0; i < n && i < 64; i++) {
        rl_class_short(path[i], name, sizeof name);
        if (i > 0)
            rl_buf_adds(&b, " > ");
        rl_buf_adds(&b, name);
    }
    return b.data;
}
