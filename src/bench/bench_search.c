/* bench_search.c - class search as the reviewer types: a set of queries
 * entered one character at a time, each prefix searched as the browse
 * screen does (every node, 200 hits kept), over the shipped catalog and,
 * when WordNet is installed, over every WordNet noun synset installed as a
 * catalog of its own. */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/search.h"
#include "relabel/store.h"
#include "relabel/util.h"

#define MAX_HITS 200          /* as the class screen keeps */
#define PASSES 5              /* each query typed this often ... */
#define PASSES_LARGE 2        /* ... or this often over WordNet */
#define WORDNET "/usr/share/wordnet/data.noun"

/* What reviewers look for: names, a typo, a wnid, an index, an ambiguous
 * name, words of a gloss. */
static const char *const queries[] = {
    "golden retriever", "tabby", "dalmation", "n02085620", "151", "crane",
    "sports car", "espresso maker", "granny smith", "electric guitar",
    "king penguin", "dog", "mushroom", "water bottle", "red wine",
    "container for liquids",
};

/* Types every query `passes` times; records PREFIX_p50, _p90, _max. */
static void
typing(rl_search *idx, bool classes_only, int passes, const char *prefix)
{
    size_t nq = sizeof queries / sizeof queries[0], total = 0, i, k;
    double *v;
    rl_hit *hits = rl_xmalloc(MAX_HITS * sizeof *hits);
    char buf[64];
    int n = 0;

    for (i = 0; i < nq; i++)
        total += strlen(queries[i]);
    v = rl_xmalloc(total * (size_t)passes * sizeof *v);
    for (int p = 0; p < passes; p++)
        for (i = 0; i < nq; i++)
            for (k = 1; k <= strlen(queries[i]); k++) {
                double t;

                memcpy(buf, queries[i], k);
                buf[k] = '\0';
                t = rl_mono_ms();
                (void)rl_search_run(idx, buf, classes_only, hits, MAX_HITS);
                v[n++] = rl_mono_ms() - t;
            }
    figf(pct(v, n, 0.5), "ms", "%s_ms_p50", prefix);
    figf(pct(v, n, 0.9), "ms", "%s_ms_p90", prefix);
    figf(v[n - 1], "ms", "%s_ms_max", prefix);
    free(v);
    free(hits);
}

/* Installs the catalog in folder `dir` into a new project under `tmp`,
 * loads it and indexes it; records NAME_nodes, NAME_install_ms,
 * NAME_index_ms and the keystroke figures. */
static int
search_catalog(const char *dir, const char *tmp, const char *name,
               bool picker)
{
    char *db = rl_xasprintf("%s/%s.db", tmp, name), pre[64];
    rl_store *s;
    rl_catalog *cat = NULL;
    rl_search *idx;
    rl_err e;
    double t = rl_mono_ms();
    int rc = 1;

    s = rl_store_open(db, RL_STORE_CREATE, &e);
    if (s == NULL || rl_catalog_install(s, dir, &e) != 0) {
        fprintf(stderr, "relabel-bench search: %s\n", e.msg);
        goto out;
    }
    figf(rl_mono_ms() - t, "ms", "%s_install_ms", name);
    t = rl_mono_ms();
    if ((cat = rl_catalog_load(s, &e)) == NULL) {
        fprintf(stderr, "relabel-bench search: %s\n", e.msg);
        goto out;
    }
    figf(rl_mono_ms() - t, "ms", "%s_load_ms", name);
    figf((double)rl_catalog_count(cat), "nodes", "%s_nodes", name);
    t = rl_mono_ms();
    idx = rl_search_new(cat);
    figf(rl_mono_ms() - t, "ms", "%s_index_ms", name);
    snprintf(pre, sizeof pre, "%s_keystroke", name);
    typing(idx, false, picker ? PASSES : PASSES_LARGE, pre);
    if (picker) {
        snprintf(pre, sizeof pre, "%s_picker_keystroke", name);
        typing(idx, true, PASSES, pre);
    }
    rl_search_free(idx);
    rc = 0;
out:
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
    return rc;
}

/* Writes dir/classes.tsv from WordNet's data.noun: one class per synset,
 * wnid "n" + offset, lemmas with '_' as spaces, the gloss after "| ".
 * Returns the number of classes, or -1. */
static long
wordnet_classes(const char *noun, const char *dir)
{
    char *path = rl_xasprintf("%s/classes.tsv", dir);
    FILE *in = fopen(noun, "r"), *out = fopen(path, "w");
    char *line = NULL;
    size_t cap = 0;
    long n = 0;

    free(path);
    if (in == NULL || out == NULL) {
        perror("relabel-bench search: wordnet");
        n = -1;
        goto out;
    }
    fputs("index\twnid\tnames\tgloss\n", out);
    while (getline(&line, &cap, in) > 0) {
        char *bar = strstr(line, " | "), *tok, *save, *end;
        unsigned long words;

        if (line[0] == ' ' || bar == NULL)
            continue;               /* the licence header */
        *bar = '\0';
        end = bar + 3 + strlen(bar + 3);
        while (end > bar + 3 && (end[-1] == '\n' || end[-1] == ' '
                                 || end[-1] == '\r'))
            *--end = '\0';
        tok = strtok_r(line, " ", &save);                 /* offset */
        fprintf(out, "%ld\tn%s\t", n, tok);
        strtok_r(NULL, " ", &save);                       /* lex file */
        strtok_r(NULL, " ", &save);                       /* ss_type */
        words = strtoul(strtok_r(NULL, " ", &save), NULL, 16);
        for (unsigned long w = 0; w < words; w++) {
            tok = strtok_r(NULL, " ", &save);
            for (char *c = tok; *c != '\0'; c++)
                if (*c == '_')
                    *c = ' ';
            fprintf(out, "%s%s", w ? ", " : "", tok);
            strtok_r(NULL, " ", &save);                   /* lex_id */
        }
        fprintf(out, "\t%s\n", bar + 3);
        n++;
    }
out:
    free(line);
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        n = -1;
    return n;
}

int
bench_search(int argc, char **argv)
{
    const char *noun = WORDNET;
    char *tmp, *wn;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--wordnet") == 0 && i + 1 < argc) {
            noun = argv[++i];
        } else {
            fprintf(stderr, "relabel-bench search: unexpected '%s'\n",
                    argv[i]);
            return 2;
        }
    }
    if ((tmp = tmpdir_new()) == NULL)
        return 1;
    rc = search_catalog(RL_SRC_SHARE, tmp, "search", true);
    if (rc == 0 && access(noun, R_OK) != 0) {
        fprintf(stderr, "relabel-bench search: %s not found (Debian: "
                "apt-get install wordnet-base); no search_wordnet figures\n",
                noun);
    } else if (rc == 0) {
        wn = rl_xasprintf("%s/wordnet", tmp);
        if (mkdir(wn, 0700) != 0 || wordnet_classes(noun, wn) <= 0)
            rc = 1;
        else
            rc = search_catalog(wn, tmp, "search_wordnet", false);
        free(wn);
    }
    rmtree(tmp);
    free(tmp);
    return rc;
}
