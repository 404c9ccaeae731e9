/* search.h - ranked keyword search over a catalog's names, lemmas,
 * glosses, wnids and class indices, fast enough to run on every keystroke.
 *
 * Ranking, best first: an exact wnid or class index; a lemma equal to the
 * query; a lemma starting with it; a whole word of a lemma; a word of a
 * lemma starting with it; a substring of a lemma; every query word found in
 * the lemmas or gloss; a whole gloss word; a lemma or lemma word one typo
 * away (insertion, deletion, substitution or transposition: "dalmation"
 * finds "dalmatian"). Ties: classes before inner nodes, then fewer
 * characters of lemma, then class index. */
#ifndef RL_SEARCH_H
#define RL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "relabel/catalog.h"

typedef enum rl_match {
    RL_MATCH_ID = 9,        /* wnid or class index */
    RL_MATCH_EXACT = 8,     /* a lemma equals the query */
    RL_MATCH_PREFIX = 7,    /* a lemma starts with the query */
    RL_MATCH_WORD = 6,      /* a whole word of a lemma */
    RL_MATCH_WORD_PREFIX = 5,
    RL_MATCH_SUBSTRING = 4,
    RL_MATCH_ALL_WORDS = 3, /* every query word in lemmas or gloss */
    RL_MATCH_GLOSS = 2,     /* the query is a word or phrase of the gloss */
    RL_MATCH_TYPO = 1       /* one edit away from a lemma or lemma word */
} rl_match;

typedef struct rl_hit {
    const rl_class *cls;    /* borrowed from the catalog */
    rl_match match;         /* why it matched */
    int score;              /* higher is better */
} rl_hit;

typedef struct rl_search rl_search;

/* Builds a search index (lower-cased lemmas and glosses) over `cat`,
 * which must outlive it. Free with rl_search_free (NULL ok). */
rl_search *rl_search_new(const rl_catalog *cat);
void rl_search_free(rl_search *s);

/* Fills up to `max` hits, best first; returns how many were found (may
 * exceed max: the count of all matches). With `classes_only`, inner
 * hierarchy nodes are left out. An empty query matches nothing. */
size_t rl_search_run(rl_search *s, const char *query, bool classes_only,
                     rl_hit *hits, size_t max);

#endif
