/* test_training.c - tasks, answers, parts, scoring and human accuracy on
 * the demo project's photos and gold, with no terminal. */
#include "relabel/training.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"

#define SHARE RL_TEST_DATA "/../../share/relabel"
#define DEMO SHARE "/demo"

static char dir[] = "/tmp/rl-training-XXXXXX";

static const char *
tmpfile_with(const char *name, const char *text)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    FILE *f;

    snprintf(p, 256, "%s/%s", dir, name);
    f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static int64_t
image_id(rl_store *s, const char *name)
{
    return rl_image_find(s, name);
}

int
main(void)
{
    char db[256];
    rl_store *s;
    rl_catalog *cat;
    rl_import_opts o = { .reviewer = "alice" };
    rl_task_spec spec;
    rl_task_list l;
    rl_task_item it;
    rl_gold g[16];
    rl_part_score ps;
    rl_human_eval he;
    rl_err e;
    int64_t task, t2;
    size_t n, i;
    long pos;

    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(db, sizeof db, "%s/p.db", dir);
    s = rl_store_open(db, RL_STORE_CREATE, &e);
    ok(s != NULL && rl_catalog_install(s, SHARE, &e) == 0, "project made");
    cat = rl_catalog_load(s, &e);
    ok(rl_import_labels(s, cat, DEMO "/labels.csv", &o, NULL, &e) == 0
       && rl_import_images(s, cat, DEMO "/images.csv", &o, NULL, &e) == 0
       && rl_import_predictions(s, cat, DEMO "/predictions.csv", &o, NULL,
                                &e) == 0, "demo imported");

    memset(&spec, 0, sizeof spec);
    spec.name = "demo";
    spec.description = "d";
    spec.images = DEMO "/task_images.csv";
    spec.gold = DEMO "/task_gold.csv";
    spec.part_size = 4;
    ok(rl_task_create(s, cat, &spec, &task, &e) == 0, "task from files");
    is_int(rl_task_size(s, task), 10, "ten images in file order");
    ok(rl_task_create(s, cat, &spec, &t2, &e) == -1 && e.code == RL_E_DUP,
       "a second task of the same name is refused");

    /* Bad gold: every failure names the file and line, stores nothing. */
    memset(&spec, 0, sizeof spec);
    spec.name = "bad";
    spec.gold = tmpfile_with("g1.csv", "image,wnid,state\n"
                             "chelsea_cat.JPEG,n02123045,correct\n"
                             "chelsea_cat.JPEG,n02123045,wrong\n");
    ok(rl_task_create(s, cat, &spec, NULL, &e) == -1 && e.code == RL_E_DUP
       && strstr(e.msg, "g1.csv:3: wnid: duplicate") != NULL,
       "duplicate gold pair: %s", e.msg);
    spec.gold = tmpfile_with("g2.csv", "image,wnid,state\n"
                             "chelsea_cat.JPEG,n02123045,dont_know\n");
    ok(rl_task_create(s, cat, &spec, NULL, &e) == -1
       && strstr(e.msg, "g2.csv:2: state:") != NULL,
       "dont_know is not a gold state: %s", e.msg);
    spec.gold = tmpfile_with("g3.csv", "image,wnid,state\n"
                             "nope.JPEG,n02123045,correct\n");
    ok(rl_task_create(s, cat, &spec, NULL, &e) == -1
       && strstr(e.msg, "g3.csv:2: image: unknown image") != NULL,
       "unknown image: %s", e.msg);
    spec.gold = tmpfile_with("g4.csv", "image,wnid,state\n"
                             "chelsea_cat.JPEG,n99999999,correct\n");
    ok(rl_task_create(s, cat, &spec, NULL, &e) == -1
       && strstr(e.msg, "g4.csv:2: wnid:") != NULL, "unknown class: %s",
       e.msg);
    ok(rl_task_find(s, "bad") == -1, "no half-made task is left behind");

    /* Progress and resume. */
    is_int(rl_task_resume(s, task, "alice"), 0, "a new reviewer starts at 0");
    ok(rl_task_item_load(s, cat, task, "alice", 0, &it, &e) == 0
       && it.image == image_id(s, "chelsea_cat.JPEG") && !it.answered,
       "position 0 is the first listed image");
    n = rl_task_gold(s, cat, task, it.image, g, 16);
    ok(n == 4 && g[0].state == RL_STATE_CORRECT
       && g[n - 1].state == RL_STATE_WRONG, "gold: correct first, wrong last");
    ok(rl_task_is_correct(g, n, rl_catalog_by_wnid(cat, "n02123045")),
       "tabby counts as correct for the cat");
    ok(!rl_task_is_correct(g, n, rl_catalog_by_wnid(cat, "n02124075")),
       "Egyptian cat (unclear in the gold) does not");
    ok(!rl_task_is_correct(g, n, NULL), "no answer is not correct");

    ok(rl_task_answer(s, task, it.image, "alice",
                      rl_catalog_by_wnid(cat, "n02123045"),
                      RL_TRAIN_TRAINING, false, 1200, &e) == 0, "answer 1");
    ok(rl_task_item_load(s, cat, task, "alice", 1, &it, &e) == 0, "item 2");
    ok(rl_task_answer(s, task, it.image, "alice",
                      rl_catalog_by_wnid(cat, "n04266014"),
                      RL_TRAIN_TRAINING, true, 800, &e) == 0,
       "answer 2 (space shuttle for the Falcon 9: not scored, the guide "
       "makes its gold Wrong for every class)");
    ok(rl_task_suggest(s, task, it.image, "alice", RL_STATE_UNCLEAR, true,
                       &e) == 0, "a suggestion is stored");
    ok(rl_task_item_load(s, cat, task, "alice", 1, &it, &e) == 0
       && it.answered && it.external && it.suggestion == RL_STATE_UNCLEAR
       && it.suggest_problematic, "answer, external flag and suggestion "
       "read back");
    n = rl_task_gold(s, cat, task, it.image, g, 16);
    ok(n == 3 && !rl_task_is_correct(g, n, rl_catalog_by_wnid(cat,
       "n04266014")), "the suggestion did not change the gold");
    ok(rl_task_suggest(s, task, image_id(s, "coffee_cup.JPEG"), "alice",
                       RL_STATE_CORRECT, false, &e) == -1,
       "suggesting before answering is refused");
    is_int(rl_task_resume(s, task, "alice"), 2,
           "quitting after two answers resumes at the third image");

    /* Undo of the last answer, and the explicit "no class applies". */
    ok(rl_task_unanswer(s, task, it.image, "alice", &e) == 0,
       "take the second answer back");
    ok(rl_task_item_load(s, cat, task, "alice", 1, &it, &e) == 0
       && !it.answered && it.suggestion == RL_STATE_NONE,
       "it is gone, with its suggestion");
    is_int(rl_task_resume(s, task, "alice"), 1, "resume at it again");
    ok(rl_task_unanswer(s, task, it.image, "alice", &e) == -1
       && e.code == RL_E_NOTFOUND, "nothing to take back twice");
    ok(rl_task_answer(s, task, it.image, "alice", NULL, RL_TRAIN_TRAINING,
                      true, 800, &e) == 0, "answer: no class applies");
    ok(rl_task_item_load(s, cat, task, "alice", 1, &it, &e) == 0
       && it.answered && it.answer == NULL, "stored as an answer without a "
       "class");
    is_int(rl_task_resume(s, task, "alice"), 2, "it counts as answered");
    rl_task_suggest(s, task, it.image, "alice", RL_STATE_UNCLEAR, true, &e);
    is_int(rl_task_resume(s, task, "bob"), 0, "progress is per reviewer");

    /* Finish part 1 (positions 0..3): a mistake on the coffee cup. */
    for (pos = 2; pos < 4; pos++) {
        rl_task_item_load(s, cat, task, "alice", pos, &it, &e);
        n = rl_task_gold(s, cat, task, it.image, g, 16);
        rl_task_answer(s, task, it.image, "alice", pos == 2
                       ? rl_catalog_by_wnid(cat, "n04266014")
                       : n > 0 ? g[0].cls : NULL,
                       RL_TRAIN_TRAINING, false, 500, &e);
    }
    ok(rl_task_part_score(s, cat, task, "alice", 0, 4, &ps, &e) == 0,
       "part 1 scored");
    is_int(ps.answered, 4, "four answered");
    is_int(ps.scored, 3, "three with a correct gold class (not the "
           "Falcon 9)");
    is_int(ps.correct, 2, "two correct");
    ok(ps.n_wrong == 1 && ps.wrong_pos[0] == 2, "the mistake is image 3");
    ok(rl_task_part_score(s, cat, task, "alice", 3, 4, &ps, &e) == -1,
       "there is no part 4 of a ten-image task in parts of four");

    ok(rl_task_list_load(s, "alice", &l, &e) == 0 && l.n == 1, "task list");
    is_int(l.items[0].answered, 4, "listed: 4 answered");
    is_int(l.items[0].parts, 3, "listed: 3 parts");
    is_int(l.items[0].parts_done, 1, "listed: 1 part done");
    is_int(l.items[0].correct, 2, "listed: 2 correct");
    rl_task_list_free(&l);

    /* Re-answering replaces the answer and clears the suggestion. */
    rl_task_item_load(s, cat, task, "alice", 1, &it, &e);
    ok(rl_task_answer(s, task, it.image, "alice",
                      rl_catalog_by_wnid(cat, "n03773504"),
                      RL_TRAIN_TRAINING, false, 300, &e) == 0, "re-answer");
    rl_task_item_load(s, cat, task, "alice", 1, &it, &e);
    ok(it.suggestion == RL_STATE_NONE && !it.suggest_problematic
       && strcmp(it.answer->wnid, "n03773504") == 0,
       "the new answer replaces the old one");

    /* Human accuracy counts evaluation-mode answers only. */
    ok(rl_human_eval_run(s, cat, &he, &e) == 0 && he.n == 0,
       "no evaluation answers yet: no rows");
    rl_human_eval_free(&he);
    for (pos = 0; pos < 10; pos++) {
        rl_task_item_load(s, cat, task, "eve", pos, &it, &e);
        n = rl_task_gold(s, cat, task, it.image, g, 16);
        /* eve answers the last gold class: right only where it is the
         * only correct one is not the case, so compute expectations. */
        rl_task_answer(s, task, it.image, "eve", n > 0 ? g[n - 1].cls : NULL,
                       RL_TRAIN_EVALUATION, false, 1000 * (pos + 1), &e);
    }
    ok(rl_human_eval_run(s, cat, &he, &e) == 0, "human eval runs");
    {
        long exp_n = 0, exp_ok = 0, exp_oku = 0, exp_out = 0;
        bool found = false;

        for (pos = 0; pos < 10; pos++) {
            bool any = false;

            rl_task_item_load(s, cat, task, "eve", pos, &it, &e);
            n = rl_task_gold(s, cat, task, it.image, g, 16);
            for (i = 0; i < n; i++)
                any = any || g[i].state == RL_STATE_CORRECT;
            if (!any) {
                exp_out++;
                continue;
            }
            exp_n++;
            exp_ok += rl_task_is_correct(g, n, it.answer);
            for (i = 0; i < n; i++)
                if (g[i].cls == it.answer && g[i].state != RL_STATE_WRONG)
                    exp_oku++;
        }
        for (i = 0; i < he.n; i++) {
            if (strcmp(he.rows[i].reviewer, "eve") != 0
                || strcmp(he.rows[i].subset, "all") != 0)
                continue;
            found = true;
            is_int(he.rows[i].n, exp_n, "images scored = images with a "
                   "correct gold class");
            is_int(he.rows[i].correct, exp_ok, "correct as recomputed");
            is_int(he.rows[i].correct_unclear, exp_oku,
                   "correct counting unclear");
            ok(he.rows[i].median_s > 0.9 && he.rows[i].median_s < 10.1,
               "median seconds from the answers' times (%.1f)",
               he.rows[i].median_s);
        }
        ok(found, "a row for eve / all");
        is_int(he.left_out, exp_out, "images without a correct gold class "
               "are left out");
        is_int(exp_out, 3, "(hubble, the dahlia and the Falcon 9 have "
               "none)");
        for (i = 0; i < he.n; i++)
            ok(strcmp(he.rows[i].reviewer, "alice") != 0,
               "training answers are not counted (%s)", he.rows[i].subset);
        /* The subsets of eval: organism holds the dogs, no_dog the other
         * organisms and the objects; rows in eval's order. */
        {
            static const char *const order[] = { "all", "object",
                "organism", "dog", "organism_no_dog", "no_dog" };
            long cnt[6] = { 0 };
            int last = -1, k;
            bool sorted = true;

            for (i = 0; i < he.n; i++) {
                if (strcmp(he.rows[i].reviewer, "eve") != 0)
                    continue;
                for (k = 0; k < 6; k++)
                    if (strcmp(he.rows[i].subset, order[k]) == 0) {
                        cnt[k] = he.rows[i].n;
                        sorted = sorted && k > last;
                        last = k;
                    }
            }
            ok(sorted, "eval --humans rows in eval's subset order");
            ok(cnt[2] > 0 && cnt[2] == cnt[3] + cnt[4]
               && cnt[5] == cnt[4] + cnt[1] && cnt[0] == cnt[1] + cnt[2],
               "organism = dog + organism_no_dog, no_dog = organism_no_dog "
               "+ object (%ld %ld %ld %ld %ld %ld)", cnt[0], cnt[1], cnt[2],
               cnt[3], cnt[4], cnt[5]);
        }
    }
    rl_human_eval_free(&he);

    /* A task from a query: images whose candidates hold both classes; the
     * gold comes from reviews. */
    {
        rl_image *img = rl_image_load(s, cat, "rev1",
                                      image_id(s, "chelsea_cat.JPEG"), &e);

        rl_review_set_rest(s, img, "rev1", RL_STATE_WRONG, &e);
        rl_image_free(img);
        memset(&spec, 0, sizeof spec);
        spec.name = "cats";
        spec.pair[0] = "n02123045";
        spec.pair[1] = "281";
        ok(rl_task_create(s, cat, &spec, &t2, &e) == 0
           && rl_task_size(s, t2) == 1, "pair task: the one cat photo");
        n = rl_task_gold(s, cat, t2, image_id(s, "chelsea_cat.JPEG"), g, 16);
        ok(n == 4 && g[0].state == RL_STATE_WRONG,
           "gold from rev1's reviews (all wrong)");
        spec.name = "none";
        spec.pair[0] = "n01440764";
        spec.pair[1] = "n02123045";
        ok(rl_task_create(s, cat, &spec, NULL, &e) == -1
           && e.code == RL_E_NOTFOUND, "a query with no images is refused");

        /* --pair-in-gold: only images whose gold has one of the pair
         * Correct. rev1 said Wrong to all: the cat photo is left out. */
        spec.name = "cats in gold";
        spec.pair[0] = "n02123045";
        spec.pair[1] = "281";
        spec.pair_in_gold = true;
        ok(rl_task_create(s, cat, &spec, NULL, &e) == -1
           && e.code == RL_E_NOTFOUND, "pair in gold: none, refused (%s)",
           e.msg);
        ok(rl_task_find(s, "cats in gold") == -1, "and nothing is left");
        {
            const char *who[] = { "rev2", "rev3" };
            size_t k, j;

            for (k = 0; k < 2; k++) {
                img = rl_image_load(s, cat, who[k],
                                    image_id(s, "chelsea_cat.JPEG"), &e);
                for (j = 0; j < img->n; j++)
                    if (strcmp(img->cand[j].cls->wnid, "n02123045") == 0)
                        rl_review_set(s, img, who[k], j, RL_STATE_CORRECT,
                                      &e);
                rl_image_free(img);
            }
        }
        ok(rl_task_create(s, cat, &spec, &t2, &e) == 0
           && rl_task_size(s, t2) == 1, "two of three say tabby: kept");
        n = rl_task_gold(s, cat, t2, image_id(s, "chelsea_cat.JPEG"), g, 16);
        ok(n > 0 && g[0].state == RL_STATE_CORRECT
           && strcmp(g[0].cls->wnid, "n02123045") == 0,
           "its gold has tabby Correct");
    }

    rl_catalog_free(cat);
    rl_store_close(s);
    {
        char cmd[300];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            printf("# could not remove %s\n", dir);
    }
    return t_done();
}
