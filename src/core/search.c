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
    uint32_t lw, nlw;      /* word starts in the lemmas: ws[lw..lw+nlw) */
    uint32_t gw, ngw;      /* word starts in the gloss: ws[gw..gw+ngw) */
};

struct rl_search {
    const rl_catalog *cat;
    struct entry *e;
    size_t n;
    char *arena;           /* all strings, NUL-separated */
    uint32_t *ws;          /* word starts, as arena offsets */
    size_t nws, cws;
    rl_hit *scratch;       /* one hit per entry, reused per query */
};

static bool is_word_char(char c);

/* Records the arena offsets in [from, to) where a word starts. */
static void
index_words(rl_search *s, const rl_buf *arena, size_t from, size_t to,
            uint32_t *first, uint32_t *count)
{
    size_t i;

    *first = (uint32_t)s->nws;
    for (i = from; i < to; i++) {
        if (!is_word_char(arena->data[i])
            || (i > from && is_word_char(arena->data[i - 1])))
            continue;
        rl_grow(&s->ws, &s->cws, s->nws + 1, sizeof *s->ws);
        s->ws[s->nws++] = (uint32_t)i;
    }
    *count = (uint32_t)s->nws - *first;
}

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
        index_words(s, &arena, e->lemmas, e->gloss, &e->lw, &e->nlw);
        index_words(s, &arena, e->gloss, arena.len, &e->gw, &e->ngw);
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
    free(s->ws);
    free(s->scratch);
    free(s->arena);
    free(s);
}

static bool
is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '\'' || (unsigned char)c >= 0x80;
}

/* True when `q` (length n) begins at one of the word starts ws[0..nws)
 * in the arena; with `whole`, it must also end where a word ends. */
static bool
at_word(const char *arena, const uint32_t *ws, uint32_t nws, const char *q,
        size_t n, bool whole)
{
    uint32_t i;

    for (i = 0; i < nws; i++) {
        const char *p = arena + ws[i];

        if (p[0] == q[0] && memcmp(p, q, n) == 0
            && (!whole || !is_word_char(p[n])))
            return true;
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
all_words(const rl_search *s, const struct entry *e, const char *q)
{
    const char *p = q;

    while (*p != '\0') {
        size_t n = strcspn(p, " ");

        if (n == 0) {
            p++;
            continue;
        }
        if (!at_word(s->arena, s->ws + e->lw, e->nlw, p, n, false)
            && !at_word(s->arena, s->ws + e->gw, e->ngw, p, n, false))
            return false;
        p += n;
    }
    return true;
}

static rl_match
match_entry(const rl_search *s, const struct entry *e, const char *q,
            size_t qn, bool multi)
{
    const char *arena = s->arena, *l;
    const uint32_t *ws = s->ws + e->lw;
    rl_match best = 0;
    uint32_t i;

    /* One pass over the lemma words: a word right after a NUL (or at the
     * block's start) starts a lemma. */
    for (i = 0; i < e->nlw && best < RL_MATCH_EXACT; i++) {
        const char *p = arena + ws[i];
        bool lemma_start = ws[i] == e->lemmas || p[-1] == '\0';
        rl_match m;

        if (p[0] != q[0] || memcmp(p, q, qn) != 0)
            continue;
        if (lemma_start)
            m = p[qn] == '\0' ? RL_MATCH_EXACT : RL_MATCH_PREFIX;
        else
            m = is_word_char(p[qn]) ? RL_MATCH_WORD_PREFIX : RL_MATCH_WORD;
        if (m > best)
            best = m;
    }
    if (best != 0)
        return best;
    if (qn >= 3)
        for (l = arena + e->lemmas; *l != '\0'; l += strlen(l) + 1)
            if (strstr(l, q) != NULL)
                return RL_MATCH_SUBSTRING;
    if (multi && all_words(s, e, q))
        return RL_MATCH_ALL_WORDS;
    if (qn >= 3 && at_word(arena, s->ws + e->gw, e->ngw, q, qn, true))
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

/* Moves the k best hits of h[0..n) to the front (unordered): quickselect,
 * so that a one-letter query over 80,000 nodes does not sort them all. */
static void
select_top(rl_hit *h, size_t n, size_t k)
{
    size_t lo = 0, hi = n;

    while (hi - lo > 1 && k > lo && k < hi) {
        rl_hit pivot = h[lo + (hi - lo) / 2], t;
        size_t i = lo, lt = lo, gt = hi;

        /* Three-way partition around the pivot. */
        while (i < gt) {
            int c = cmp_hit(&h[i], &pivot);

            if (c < 0) {
                t = h[lt]; h[lt] = h[i]; h[i] = t;
                lt++;
                i++;
            } else if (c > 0) {
                gt--;
                t = h[gt]; h[gt] = h[i]; h[i] = t;
            } else {
                i++;
            }
        }
        if (k <= lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
}

size_t
rl_search_run(rl_search *s, const char *query, bool classes_only,
              rl_hit *hits, size_t max)
{
    char q[128];
    size_t qn = 0, i, n = 0;
    bool multi, looks_wnid;
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
    looks_wnid = q[0] == 'n' && isdigit((unsigned char)q[1]);
    for (i = 0; i < s->n; i++) {
        const struct entry *e = &s->e[i];
        rl_match m;

        if (classes_only && e->cls->idx < 0)
            continue;
        if (looks_wnid && strcmp(e->cls->wnid, q) == 0)
            m = RL_MATCH_ID;
        else
            m = match_entry(s, e, q, qn, multi);
        if (m == 0)
            continue;
        /* Within a kind of match, shorter lemmas rank first. */
        s->scratch[n].cls = e->cls;
        s->scratch[n].match = m;
        s->scratch[n].score = (int)m * 1000
                              - (int)(e->shortest < 999 ? e->shortest : 999);
        n++;
    }
    if (n > max)
        select_top(s->scratch, n, max);
    qsort(s->scratch, n < max ? n : max, sizeof *s->scratch, cmp_hit);
    memcpy(hits, s->scratch, (n < max ? n : max) * sizeof *hits);
    return n;
}
