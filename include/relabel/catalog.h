/* catalog.h - the label set: classes and the WordNet hypernym nodes above
 * them, loaded from the project into memory for fast lookups, walks and
 * search. A class is named by wnid ("n02085620") or class index ("151");
 * never by its name alone (ImageNet has two "crane"s). */
#ifndef RL_CATALOG_H
#define RL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/store.h"

typedef struct rl_class {
    int64_t id;            /* row id in the project */
    char wnid[16];         /* "n01440764" */
    int idx;               /* class index, -1 for an inner node */
    char *names;           /* "tench, Tinca tinca" (owned by the catalog) */
    char *gloss;           /* WordNet gloss, may be "" */
    char *split;           /* "dog", "organism", "object" or NULL */
    char *grp;             /* Tsipras et al. group or NULL */
    int n_below;           /* classes at or under this node */
    int depth;             /* shortest depth from the root */
    size_t *parents;       /* catalog positions of hypernyms */
    size_t n_parents;
    size_t *children;      /* catalog positions of hyponyms, by name */
    size_t n_children;
} rl_class;

typedef struct rl_catalog rl_catalog;

/* Fills an empty project's class tables from a folder holding classes.tsv
 * (index, wnid, names, gloss: required), nodes.tsv (the hierarchy:
 * optional) and superclasses.tsv (index, wnid, split, tsipras_group:
 * optional). Errors name FILE:LINE: field. One transaction. */
int rl_catalog_install(rl_store *s, const char *dir, rl_err *err);

/* Loads the project's catalog. Free with rl_catalog_free (NULL ok). */
rl_catalog *rl_catalog_load(rl_store *s, rl_err *err);
void rl_catalog_free(rl_catalog *c);

size_t rl_catalog_count(const rl_catalog *c);       /* nodes, classes too */
size_t rl_catalog_nclasses(const rl_catalog *c);    /* classes only */
/* Borrowed pointers, valid while the catalog lives. NULL when absent. */
const rl_class *rl_catalog_at(const rl_catalog *c, size_t pos);
const rl_class *rl_catalog_by_id(const rl_catalog *c, int64_t id);
const rl_class *rl_catalog_by_wnid(const rl_catalog *c, const char *wnid);
const rl_class *rl_catalog_by_index(const rl_catalog *c, int idx);
size_t rl_catalog_pos(const rl_catalog *c, const rl_class *cls);
/* Root nodes (no parents), as catalog positions. */
size_t rl_catalog_roots(const rl_catalog *c, const size_t **roots);

/* A class (not an inner node) from "n02085620" or "151"; NULL with
 * RL_E_NOTFOUND ("unknown class 'x'") otherwise. */
const rl_class *rl_catalog_resolve(const rl_catalog *c, const char *spec,
                                   rl_err *err);
/* First (shortest, then lexically first) hypernym path from the root down
 * to `cls`; stores up to `max` nodes, returns the path length. */
size_t rl_catalog_path(const rl_catalog *c, const rl_class *cls,
                       const rl_class **out, size_t max);
/* "entity > ... > dog > hound > Walker hound" in a buffer the caller
 * frees: first name of every node on the first path. */
char *rl_catalog_path_str(const rl_catalog *c, const rl_class *cls);
/* The first name (up to the first comma) into buf. */
void rl_class_short(const rl_class *cls, char *buf, size_t size);

#endif
