/* classes.c - `relabel classes QUERY`: the class search of the interface,
 * ranked the same way, on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/search.h"
#include "relabel/store.h"
#include "relabel/util.h"

static const char CLASSES_HELP[] =
    "Searches the project's label set by name, any lemma, gloss words, wnid\n"
    "or class index, and prints the matches best first: wnid, class index,\n"
    "names, gloss and WordNet path. A lemma that starts with the query ranks\n"
    "first, then whole words, then gloss matches; one typo is forgiven\n"
    "(\"dalmation\" finds dalmatian).\n";

static const char *const match_names[] = {
    "", "typo", "gloss", "words", "substring", "word prefix", "word",
    "prefix", "exact", "id"
};

static int
cmd_classes(const cli *c, const struct cmd_args *a)
{
    const char *limit_s = cmd_get(a, "limit");
    bool nodes = cmd_has(a, "nodes");
    rl_buf query = {0};
    rl_store *s;
    rl_catalog *cat;
    rl_search *idx;
    rl_hit *hits;
    long limit = 20;
    size_t n, i;
    int j, rc;

    if (limit_s != NULL && (rl_parse_long(limit_s, &limit) != 0 || limit < 1))
        return usage_error("classes", "--limit: a positive number");
    for (j = 0; j < a->argc; j++) {
        if (query.len > 0)
            rl_buf_addc(&query, ' ');
        rl_buf_adds(&query, a->argv[j]);
    }
    if (query.len == 0)
        return usage_error("classes", "give a QUERY");
    if ((rc = cmd_open(c, a->cmd, RL_STORE_READONLY, &s, &cat)) != 0) {
        rl_buf_free(&query);
        return rc;
    }
    idx = rl_search_new(cat);
    hits = rl_xcalloc((size_t)limit, sizeof *hits);
    n = rl_search_run(idx, rl_buf_str(&query), !nodes, hits, (size_t)limit);
    for (i = 0; i < n && i < (size_t)limit; i++) {
        const rl_class *k = hits[i].cls;
        char *names = rl_utf8_sanitize(k->names);
        char *gloss = rl_utf8_sanitize(k->gloss);
        char *path = rl_catalog_path_str(cat, k);
        char *spath = rl_utf8_sanitize(path);
        char index[16];

        if (k->idx >= 0)
            snprintf(index, sizeof index, "%d", k->idx);
        else
            snprintf(index, sizeof index, "-");
        printf("%s %4s  %s  [%s]\n    %s\n    %s\n", k->wnid, index, names,
               match_names[hits[i].match], gloss, spath);
        free(names);
        free(gloss);
        free(path);
        free(spath);
    }
    if (n == 0) {
        char *safe = rl_utf8_sanitize(rl_buf_str(&query));

        fprintf(stderr, "relabel: no class matches '%s'\n", safe);
        free(safe);
    } else if (n > (size_t)limit) {
        printf("(%zu more; --limit shows more)\n", n - (size_t)limit);
    }
    free(hits);
    rl_search_free(idx);
    rl_catalog_free(cat);
    rl_store_close(s);
    rl_buf_free(&query);
    return n > 0 ? 0 : 1;
}

static const struct cmd_arg classes_args[] = {
    { "QUERY", CMD_TEXT, NULL },
    { 0 }
};

static const struct cmd_opt classes_opts[] = {
    { .name = "limit", .type = CMD_NUMBER, .meta = "N",
      .help = "list at most N matches (default 20)" },
    { .name = "nodes", .type = CMD_FLAG,
      .help = "include the inner nodes of the hierarchy" },
    { 0 }
};

const struct cmd_entry cmd_classes_entry = {
    .name = "classes",
    .summary = "search the label set by name, gloss, wnid or index",
    .usage = "QUERY...", .args = classes_args, .max_args = -1,
    .flags = CMD_DB, .opts = classes_opts, .text = CLASSES_HELP,
    .run = cmd_classes,
};
