/* search.c - ranked, typo-tolerant class search (see search.h).
 *
 * At build time every node's lemmas are split on ", " and lower-cased, and
 * its gloss lower-cased, into one arena; a query is then a linear pass over
 * small strings with no allocation. Case folding is ASCII only: WordNet's
 * lemmas and glosses are ASCII. */
#include "relabel/search.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"

struct entry {
    const rl_class *cls;   /* the node */
    size_t lemmas;         /* offset of "lemma\0lemma\0\0" in the arena */
    size_t gloss;          /* offset of the lower-cased gloss */
    size_t shortest;       /* length of the shortest lemma */
};

struct rl_search {
    const rl_catalog *cat;
    struct entry *e;
    size_t n;
    char *arena;           /* all strings, NUL-separated */
    rl_hit *scratch;       /* one hit per entry, reused per query */
};

static void
add_lower(rl_buf *b, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        rl_buf_addc(b, (char)tolower((unsigned char)s[i]));
}

rl_search *
rl_search_new(const rl_catalog *cat)
{
    rl_search *s = rl_xcalloc(1, sizeof *s);
    rl_buf arena = {0};
    size_t i;

    s->cat = cat;
    s->n = rl_catalog_count(cat);
    s->e = rl_xcalloc(s->n + 1, sizeof *s->e);
    s->scratch = rl_xcalloc(s->n + 1, sizeof *s->scratch);
    rl_buf_add(&arena, "", 1);
    for (i = 0; i < s->n; i++) {
        const rl_class *k = rl_catalog_at(cat, i);
        const char *p = k->names;
        struct entry *e = &s->e[i];

        e->cls = k;
        e->lemmas = arena.len;
        e->shortest = SIZE_MAX;
        while (*p != '\0') {
            size_t len = strcspn(p, ",");
            size_t lead = 0;

            while (p[lead] == ' ')
                lead++;
            if (len > lead) {
                add_lower(&arena, p + lead, len - lead);
                rl_buf_add(&arena, "", 1);
                if (len - lead < e->shortest)
                    e->shortest = len - lead;
            }
            p += len;
            if (*p == ',')
                p++;
        }
        rl_buf_add(&arena, "", 1);
        e->gloss = arena.len;
        add_lower(&arena, k->gloss, strlen(k->gloss));
        rl_buf_add(&arena, "", 1);
    }
    s->arena = arena.data;
    return s;
}

void
rl_search_free(rl_search *s)
{
    if (s == NULL)
        return;
    free(s->e);
    free(s->scratch);
    free(s->arena);
    free(s);
}

static bool
is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '\'' || (unsigned char)c >= 0x80;
}

/* Finds `w` (length n) in `text` starting at a word boundary; whole: it
 * must also end at one. */
static bool
find_word(const char *text, const char *w, size_t n, bool whole)
{
    const char *p = text;

    while ((p = strstr(p, w)) != NULL) {
        if ((p == text || !is_word_char(p[-1]))
            && (!whole || !is_word_char(p[n])))
            return true;
        p++;
    }
    return false;
}

/* True when a and b (lengths na, nb) are at most one edit apart:
 * insertion, deletion, substitution or adjacent transposition. */
static bool
one_edit(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0;

    if (na > nb + 1 || nb > na + 1)
        return false;
    while (i < na && i < nb && a[i] == b[i])
        i++;
    if (i == na && i == nb)
        return true;            /* equal: zero edits */
    if (na == nb) {
        if (strncmp(a + i + 1, b + i + 1, na - i - 1) == 0)
            return true;        /* substitution */
        return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i]
               && strncmp(a + i + 2, b + i + 2, na - i - 2) == 0;
    }
    if (na > nb)
        return strncmp(a + i + 1, b + i, nb - i) == 0;   /* deletion */
    return strncmp(a + i, b + i + 1, na - i) == 0;       /* insertion */
}

/* One edit away from a whole lemma, or from one of its words. */
static bool
typo_match(const char *lemma, const char *q, size_t qn)
{
    const char *p = lemma;

    if (one_edit(lemma, strlen(lemma), q, qn))
        return true;
    while (*p != '\0') {
        size_t n;

        while (*p != '\0' && !is_word_char(*p))
            p++;
        n = 0;
        while (is_word_char(p[n]))
            n++;
        if (n >= 3 && one_edit(p, n, q, qn))
            return true;
        p += n;
    }
    return false;
}

/* Every space-separated query word starts a word in lemmas or gloss. */
static bool
all_words(const struct entry *e, const char *arena, const char *q)
{
    char word[64];
    const char *p = q;

    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        const char *l;
        bool found = false;

        if (n == 0) {
            p++;
            continue;
        }
        if (n >= sizeof word)
            return false;
        memcpy(word, p, n);
        word[n] = '\0';
        for (l = arena + e->lemmas; *l != '\0' && !found; l += strlen(l) + 1)
            found = find_word(l, word, n, false);
        if (!found && !find_word(arena + e->gloss, word, n, false))
            return false;
        p += n;
    }
    return true;
}

static rl_match
match_entry(const struct entry *e, const char *arena, const char *q,
            size_t qn, bool multi)
{
    const char *l;
    rl_match best = 0;

    for (l = arena + e->lemmas; *l != '\0'; l += strlen(l) + 1) {
        rl_match m = 0;

        if (strcmp(l, q) == 0)
            m = RL_MATCH_EXACT;
        else if (strncmp(l, q, qn) == 0)
            m = RL_MATCH_PREFIX;
        else if (find_word(l, q, qn, true))
            m = RL_MATCH_WORD;
        else if (find_word(l, q, qn, false))
            m = RL_MATCH_WORD_PREFIX;
        else if (qn >= 3 && strstr(l, q) != NULL)
            m = RL_MATCH_SUBSTRING;
        if (m > best)
            best = m;
    }
    if (best != 0)
        return best;
    if (multi && all_words(e, arena, q))
        return RL_MATCH_ALL_WORDS;
    if (qn >= 3 && find_word(arena + e->gloss, q, qn, true))
        return RL_MATCH_GLOSS;
    if (qn >= 4) {
        for (l = arena + e->lemmas; *l != '\0'; l += strlen(l) + 1)
            if (typo_match(l, q, qn))
                return RL_MATCH_TYPO;
    }
    return 0;
}

static int
cmp_hit(const void *a, const void *b)
{
    const rl_hit *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if ((x->cls->idx >= 0) != (y->cls->idx >= 0))
        return x->cls->idx >= 0 ? -1 : 1;
    if (x->cls->idx != y->cls->idx)
        return x->cls->idx < y->cls->idx ? -1 : 1;
    return strcmp(x->cls->wnid, y->cls->wnid);
}

size_t
rl_search_run(rl_search *s, const char *query, bool classes_only,
              rl_hit *hits, size_t max)
{
    char q[128];
    size_t qn = 0, i, n = 0;
    bool multi;
    long idx;

    /* Lower-case and squeeze spaces; a comma acts as a space. */
    while (*query == ' ')
        query++;
    for (; *query != '\0' && qn < sizeof q - 1; query++) {
        char c = *query == ',' ? ' ' : (char)tolower((unsigned char)*query);

        if (c == ' ' && (qn == 0 || q[qn - 1] == ' '))
            continue;
        q[qn++] = c;
    }
    while (qn > 0 && q[qn - 1] == ' ')
        qn--;
    q[qn] = '\0';
    if (qn == 0)
        return 0;
    multi = strchr(q, ' ') != NULL;

    if (rl_parse_long(q, &idx) == 0) {
        const rl_class *k = idx >= 0 && idx < 1 << 30
                            ? rl_catalog_by_index(s->cat, (int)idx) : NULL;

        if (k != NULL && max > 0) {
            hits[0] = (rl_hit){ k, RL_MATCH_ID, RL_MATCH_ID * 1000 };
            return 1;
        }
        return k != NULL ? 1 : 0;
    }
    for (i = 0; i < s->n; i++) {
        const struct entry *e = &s->e[i];
        rl_match m;

        if (classes_only && e->cls->idx < 0)
            continue;
        if (strcmp(e->cls->wnid, q) == 0)
            m = RL_MATCH_ID;
        else
            m = match_entry(e, s->arena, q, qn, multi);
        if (m == 0)
            continue;
        /* Within a kind of match, shorter lemmas rank first. */
        s->scratch[n].cls = e->cls;
        s->scratch[n].match = m;
        s->scratch[n].score = (int)m * 1000
                              - (int)(e->shortest < 999 ? e->shortest : 999);
        n++;
    }
    qsort(s->scratch, n, sizeof *s->scratch, cmp_hit);
    memcpy(hits, s->scratch, (n < max ? n : max) * sizeof *hits);
    return n;
}
