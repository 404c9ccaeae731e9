/* test_export.c - the JSON exports on a small hand-checked project:
 * real-json by image number (count, the empty lists counted by reason, a
 * name off the numbering or past the count refused before anything is
 * written), the TFDS layout (empty lists left out, reasons from notes,
 * one reviewer's view), the Label Studio tasks (reviewer numbers, notes
 * escaped, the consensus as ground truth) and the JSON string writer. */
#include "relabel/export.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#define CATALOG_DIR RL_TEST_DATA "/../../share/relabel"

#define V(n) "ILSVRC2012_val_0000000" #n ".JPEG"

static rl_store *s;
static rl_catalog *cat;

static void
import(const char *name, const char *text, bool labels)
{
    char *f;
    rl_err err;

    spew(name, text);
    f = tpath(name);
    if ((labels ? rl_import_labels(s, cat, f, NULL, NULL, &err)
                : rl_import_reviews(s, cat, f, NULL, NULL, &err)) != 0)
        die(name, &err);
    free(f);
}

/* Runs one export into a string (NULL on failure, err set). */
enum what { REAL, TFDS, LS };

static char *
run(enum what w, const char *cons, long count, rl_real_json_stats *st,
    rl_err *err)
{
    rl_consensus_opts co;
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    int rc;

    if (rl_consensus_parse(cons, &co, err) != 0)
        die("consensus", err);
    rc = w == REAL ? rl_export_real_json(s, cat, &co, count, mem, st, err)
         : w == TFDS ? rl_export_tfds(s, cat, &co, mem, err)
         : rl_export_labelstudio(s, cat, &co, mem, err);
    fclose(mem);
    if (rc != 0) {
        ok(n == 0, "a failed export wrote nothing (%zu bytes)", n);
        free(buf);
        return NULL;
    }
    return buf;
}

static void
test_json_str(void)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);

    rl_export_json_str(mem, "a\"b\\c\nd\te\x7f" "\xc3\xa9");
    fclose(mem);
    is_str(buf, "\"a\\\"b\\\\c\\nd\\u0009e\\u007f\xc3\xa9\"",
           "json strings: quote, backslash, newline, controls escaped; "
           "UTF-8 kept");
    free(buf);
}

int
main(void)
{
    rl_real_json_stats st;
    rl_err err;
    char *db, *out;

    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_export.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_json_str();
    db = tpath("p.db");
    s = rl_store_open(db, RL_STORE_CREATE, &err);
    if (s == NULL || rl_catalog_install(s, CATALOG_DIR, &err) != 0
        || (cat = rl_catalog_load(s, &err)) == NULL)
        die("set up", &err);
    free(db);
    /* 1 tench, 2 goldfish, 4 Chihuahua; no 3. */
    import("labels.csv", "image,wnid\n" V(1) ",0\n" V(2) ",1\n" V(4)
           ",151\n", true);
    /* 1: tench correct (both), goldfish wrong (alice). 2: goldfish a tie
     * (unclear), flagged by bob with a note. 4: nothing. */
    import("reviews.csv", "image,wnid,state,reviewer,problematic,note\n"
           V(1) ",0,correct,alice,,\n" V(1) ",0,correct,bob,,\n"
           V(1) ",1,wrong,alice,,\n" V(2) ",1,correct,alice,,\n"
           V(2) ",1,wrong,bob,1,\"say \"\"fish\"\"\nor not\"\n", false);

    /* real-json: lists 1..4 = [0] [] (2: unclear only) [] (3 absent)
     * [] (4 no verdict). */
    out = run(REAL, "majority", 0, &st, &err);
    is_str(out, "[[0], [], [], []]\n", "real-json up to the highest number");
    ok(st.written == 4 && st.absent == 1 && st.no_verdict == 1
       && st.no_correct == 1, "empties by reason: absent 1, no verdict 1, "
       "no correct class 1");
    free(out);
    out = run(REAL, "majority", 6, &st, &err);
    is_str(out, "[[0], [], [], [], [], []]\n", "--count 6: two more []");
    ok(st.absent == 3, "... counted absent");
    free(out);
    out = run(REAL, "reviewer:bob", 0, &st, &err);
    is_str(out, "[[0], [], [], []]\n", "real-json of one reviewer");
    free(out);
    ok(run(REAL, "majority", 3, &st, &err) == NULL && err.code == RL_E_RANGE
       && strstr(err.msg, "number 4, past --count 3") != NULL,
       "an image past the count is refused: %s", err.msg);

    /* TFDS: exact layout; 4 has no verdict, so no entry. */
    out = run(TFDS, "majority", 0, NULL, &err);
    is_str(out, "{\"initial_annots\": {\n"
           "  \"" V(1) "\": {\"correct\": [\"n01440764\"], \"wrong\": "
           "[\"n01443537\"]},\n"
           "  \"" V(2) "\": {\"unclear\": [\"n01443537\"]}\n"
           " },\n \"problematic_images\": {\n"
           "  \"" V(2) "\": {\"reason\": \"say \\\"fish\\\"\\nor not\", "
           "\"reviewer\": \"bob\"}\n"
           " },\n \"imagenet_m\": []\n}\n", "tfds layout, reasons from "
           "notes");
    free(out);
    out = run(TFDS, "reviewer:alice", 0, NULL, &err);
    ok(out != NULL && strstr(out, "\"" V(2) "\": {\"correct\": "
                             "[\"n01443537\"]}") != NULL
       && strstr(out, "\"problematic_images\": {\n },") != NULL,
       "tfds of alice: her labels, not bob's flag");
    free(out);
    /* Under dawid-skene the export says what the consensus module says:
     * image 1's tench under the state the module gives it. */
    out = run(TFDS, "dawid-skene", 0, NULL, &err);
    {
        rl_consensus_opts co = { .rule = RL_CONSENSUS_DAWID_SKENE };
        rl_consensus c;
        const rl_cpair *pr = NULL;
        char want[96];

        if (rl_consensus_compute(s, &co, &c, &err) == 0 && c.n > 0)
            pr = &c.pairs[0];      /* image 1 (first id), tench (class 0) */
        snprintf(want, sizeof want, "\"" V(1) "\": {\"%s\": "
                 "[\"n01440764\"", pr ? rl_state_name(pr->state) : "?");
        ok(out != NULL && pr != NULL
           && rl_catalog_by_id(cat, pr->cls)->idx == 0
           && strstr(out, want) != NULL,
           "tfds under dawid-skene: the consensus module's state (%s)",
           pr ? rl_state_name(pr->state) : "none");
        rl_consensus_free(&c);
    }
    free(out);

    /* Label Studio: alice is reviewer 1, bob 2; 3 tasks; the consensus is
     * the ground truth of tasks 1 and 2 only. */
    out = run(LS, "majority", 0, NULL, &err);
    ok(out != NULL, "label-studio export: %s", out ? "" : err.msg);
    if (out != NULL) {
        const char *p = out;
        int truths = 0, tasks = 0;

        while ((p = strstr(p, "\"ground_truth\": true")) != NULL && ++p)
            truths++;
        for (p = out; (p = strstr(p, "\"predictions\": [")) != NULL && ++p;)
            tasks++;
        is_int(truths, 2, "a consensus annotation on each reviewed image");
        ok(strstr(out, "\"completed_by\": 2, \"relabel_reviewer\": \"bob\"")
           != NULL, "bob is reviewer 2");
        ok(strstr(out, "{\"text\": [\"say \\\"fish\\\"\\nor not\"]}") != NULL,
           "the note, escaped");
        ok(strstr(out, "\"data\": {\"image\": \"" V(4) "\", \"name\": \""
                  V(4) "\", \"original\": \"n02085620\"") != NULL,
           "an image without verdicts is still a task");
        is_int(tasks, 3, "three tasks");
    }
    free(out);

    /* A name off the numbering: refused, naming the other formats. */
    import("odd.csv", "image,wnid\nodd.JPEG,2\n", true);
    ok(run(REAL, "majority", 0, &st, &err) == NULL && err.code == RL_E_USAGE
       && strstr(err.msg, "'odd.JPEG' does not follow the numbering") != NULL
       && strstr(err.msg, "tfds-multilabel") != NULL,
       "real-json refuses other names: %s", err.msg);

    rl_catalog_free(cat);
    rl_store_close(s);
    nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
