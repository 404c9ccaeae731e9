/* test_search.c - ranking and typo tolerance of the class search, on the
 * shipped ImageNet-1k catalog. */
#include "relabel/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"

static rl_search *idx;
static rl_hit hits[64];

static size_t
find(const char *q, bool classes_only)
{
    return rl_search_run(idx, q, classes_only, hits, 64);
}

static int
rank_of(size_t n, const char *wnid)
{
    size_t i;

    for (i = 0; i < n && i < 64; i++)
        if (strcmp(hits[i].cls->wnid, wnid) == 0)
            return (int)i;
    return -1;
}

int
main(void)
{
    char path[] = "/tmp/rl-search-XXXXXX";
    int fd = mkstemp(path);
    rl_store *s;
    rl_catalog *cat;
    rl_err e;
    size_t n, i;
    double t, worst = 0;
    static const char *const typed[] = { "walker hound", "dalmatian",
        "electric ray", "sunglasses", "n02085620", "tabby" };

    close(fd);
    unlink(path);
    s = rl_store_open(path, RL_STORE_CREATE, &e);
    ok(s != NULL, "store created");
    ok(rl_catalog_install(s, RL_TEST_DATA "/../../share/relabel", &e) == 0,
       "catalog installed");
    cat = rl_catalog_load(s, &e);
    idx = rl_search_new(cat);

    n = find("dalmation", true);
    ok(n >= 1 && strcmp(hits[0].cls->wnid, "n02110341") == 0,
       "one-letter typo 'dalmation' finds dalmatian first");
    is_int(hits[0].match, RL_MATCH_TYPO, "and says it was a typo");

    n = find("crane", true);
    ok(rank_of(n, "n02012849") >= 0 && rank_of(n, "n03126707") >= 0
       && rank_of(n, "n02012849") < 2 && rank_of(n, "n03126707") < 2,
       "both cranes (bird 134, machine 517) are the top two");
    ok(hits[0].match == RL_MATCH_EXACT && hits[1].match == RL_MATCH_EXACT,
       "both as exact lemma matches");

    n = find("Maillot", true);
    ok(rank_of(n, "n03710637") >= 0 && rank_of(n, "n03710721") >= 0,
       "both maillots found, case-insensitively");

    n = find("walker", true);
    is_str(hits[0].cls->wnid, "n02089867",
           "a lemma starting with the query ranks first (Walker hound)");

    n = find("hound", true);
    ok(n > 5, "many hounds");
    ok(hits[0].match >= RL_MATCH_WORD, "first hit matches a lemma word");
    for (i = 1; i < n && i < 64; i++)
        if (hits[i].score > hits[i - 1].score)
            break;
    ok(i == (n < 64 ? n : 64), "scores never increase down the list");

    n = find("electric ray", true);
    is_str(hits[0].cls->wnid, "n01496331", "phrase: electric ray");
    ok(rank_of(n, "n01498041") < 0 || rank_of(n, "n01498041") > 0,
       "stingray is not ranked above the electric ray");

    n = find("spines", true);
    ok(n >= 1, "a gloss word finds classes");
    is_int(hits[0].match, RL_MATCH_GLOSS, "as a gloss match");

    n = find("hairless dog", true);
    ok(n >= 1 && hits[0].match >= RL_MATCH_ALL_WORDS,
       "every query word found across lemmas and gloss");

    n = find("151", true);
    ok(n == 1 && strcmp(hits[0].cls->wnid, "n02085620") == 0,
       "class index 151 is the Chihuahua");
    n = find("n02085620", true);
    ok(n >= 1 && hits[0].match == RL_MATCH_ID, "wnid matches as an id");
    is_int(find("1000", true), 0, "index out of range finds nothing");
    is_int(find("   ", true), 0, "blank query finds nothing");
    is_int(find("zzzzqqq", true), 0, "nonsense finds nothing");

    n = find("canine", false);
    ok(n >= 1 && hits[0].cls->idx < 0, "--nodes: inner node 'canine' found");
    n = find("canine", true);
    ok(rank_of(n, "n02083346") < 0, "classes only: the inner node is not");

    /* Asking for fewer hits gives the same best ones, in the same order
     * (the best are selected before sorting). */
    {
        static const char *const qs[] = { "a", "do", "ter", "bird" };
        rl_hit few[7];
        size_t j, m;

        for (j = 0; j < sizeof qs / sizeof qs[0]; j++) {
            bool same = true;

            n = find(qs[j], false);
            m = rl_search_run(idx, qs[j], false, few, 7);
            for (i = 0; i < 7 && i < n; i++)
                same = same && few[i].cls == hits[i].cls;
            ok(m == n && n > 7 && same, "'%s': top 7 of %zu are the first 7 "
               "of the top 64", qs[j], n);
        }
    }

    /* Per-keystroke time, typed one character at a time. */
    for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        char q[64];
        size_t k, len = strlen(typed[i]);

        for (k = 1; k <= len; k++) {
            double dt;

            memcpy(q, typed[i], k);
            q[k] = '\0';
            t = rl_mono_ms();
            find(q, false);
            dt = rl_mono_ms() - t;
            if (dt > worst)
                worst = dt;
        }
    }
    printf("# slowest keystroke over %zu nodes: %.3f ms\n",
           rl_catalog_count(cat), worst);

    rl_search_free(idx);
    rl_catalog_free(cat);
    rl_store_close(s);
    unlink(path);
    return t_done();
}
