/* test_review.c - one reviewer's verdicts without a terminal: states, the
 * bulk action, the assigned label, the main object, added candidates,
 * confirmation, flags and notes; undo and redo over several steps across
 * images and across closing the store; the append-only event log; the
 * queue's filters and wrap-around stepping. */
#include "relabel/review.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif


/* Five images: a has three model candidates (its original among them),
 * b one model candidate and its original, c and d only the original, e
 * has a file but no label and no candidate. */
static const char LABELS[] =
    "image,wnid\n"
    "img_a.JPEG,n01751748\n"      /* sea snake (65) */
    "img_b.JPEG,n09193705\n"      /* alp (970) */
    "img_c.JPEG,151\n"            /* Chihuahua */
    "img_d.JPEG,n01440764\n";     /* tench (0) */
static const char PREDS[] =
    "image,model,rank,wnid\n"
    "img_a.JPEG,m1,1,n01737021\n" /* water snake (58) */
    "img_a.JPEG,m1,2,n01751748\n"
    "img_a.JPEG,m2,1,n01737021\n"
    "img_a.JPEG,m2,2,n01728572\n" /* thunder snake (52) */
    "img_a.JPEG,m3,1,n01751748\n"
    "img_b.JPEG,m1,1,n09468604\n";/* valley (979) */
static const char IMAGES[] = "image,path\nimg_e.JPEG,e.jpg\n";

/* A project with the catalog and the images above. */
static char *
make_project(const char *name)
{
    rl_catalog *cat;
    rl_store *s = fx_project(name, &cat);

    fx_import(s, cat, "labels", "labels.csv", LABELS);
    fx_import(s, cat, "predictions", "preds.csv", PREDS);
    fx_import(s, cat, "images", "images.csv", IMAGES);
    rl_catalog_free(cat);
    rl_store_close(s);
    return tpath(name);
}

/* An open project: store, catalog, and handles to two images. */
struct fx {
    char *db;
    rl_store *s;
    rl_catalog *cat;
};

static void
fx_open(struct fx *x)
{
    rl_err err;

    if ((x->s = rl_store_open(x->db, 0, &err)) == NULL
        || (x->cat = rl_catalog_load(x->s, &err)) == NULL)
        die("open", &err);
}

static void
fx_close(struct fx *x)
{
    rl_catalog_free(x->cat);
    rl_store_close(x->s);
    x->cat = NULL;
    x->s = NULL;
}

static rl_image *
load(struct fx *x, const char *who, const char *name)
{
    rl_err err;
    int64_t id = rl_image_find(x->s, name);
    rl_image *img = rl_image_load(x->s, x->cat, who, id, &err);

    if (img == NULL)
        die(name, &err);
    return img;
}

/* The states of an image's candidates as letters, e.g. "CW.". */
static const char *
states(struct fx *x, const char *who, const char *name)
{
    static char buf[64];
    rl_image *img = load(x, who, name);
    size_t i;

    for (i = 0; i < img->n && i < sizeof buf - 1; i++)
        buf[i] = rl_state_letter(img->cand[i].state);
    buf[i] = '\0';
    rl_image_free(img);
    return buf;
}

static long long
count(struct fx *x, const char *sql)
{
    return fx_file_int(x->db, sql);
}

/* ---- tests ---------------------------------------------------------- */

static void
test_states(void)
{
    rl_state st;
    int i, round = 1;

    for (i = 1; i < RL_STATE_COUNT; i++)
        if (rl_state_parse(rl_state_name((rl_state)i), &st) != 0
            || st != (rl_state)i)
            round = 0;
    ok(round, "every state name parses back to itself");
    is_str(rl_state_name(RL_STATE_DONT_KNOW), "dont_know", "stored name");
    is_str(rl_state_label(RL_STATE_DONT_KNOW), "Don't know", "label");
    is_str(rl_state_label(RL_STATE_NONE), "Unreviewed", "label of none");
    is_str(rl_state_name(RL_STATE_NONE), "", "none has no stored name");
    ok(rl_state_letter(RL_STATE_CORRECT) == 'C'
       && rl_state_letter(RL_STATE_WRONG) == 'W'
       && rl_state_letter(RL_STATE_UNCLEAR) == 'U'
       && rl_state_letter(RL_STATE_DONT_KNOW) == 'D'
       && rl_state_letter(RL_STATE_NONE) == '.', "marker letters");
    ok(rl_state_parse("Correct", &st) == -1 && rl_state_parse("", &st) == -1
       && rl_state_parse("yes", &st) == -1 && rl_state_parse(NULL, &st) == -1,
       "other spellings do not parse");
    is_str(rl_filter_name(RL_FILTER_OTHERS), "others", "filter name");
}

static void
test_load(struct fx *x)
{
    rl_image *a = load(x, "ann", "img_a.JPEG"), *e;
    rl_err err;

    is_int(a->n, 3, "img_a has three candidates");
    ok(a->n == 3 && strcmp(a->cand[0].cls->wnid, "n01737021") == 0
       && strcmp(a->cand[1].cls->wnid, "n01751748") == 0
       && strcmp(a->cand[2].cls->wnid, "n01728572") == 0,
       "ordered by models, then mean rank (water, sea, thunder snake)");
    ok(a->cand[0].n_models == 2 && a->cand[0].mean_rank == 1.0
       && a->cand[1].n_models == 2 && a->cand[1].mean_rank == 1.5
       && a->cand[2].n_models == 1, "model counts and mean ranks");
    is_str(a->cand[0].models, "m1 m2", "proposing models, by name");
    ok(!a->cand[0].original && a->cand[1].original && !a->cand[2].original,
       "the original label is marked");
    ok(a->label == a->cand[1].cls, "image label is the original class");
    ok(a->main == NULL && !a->done && !a->problematic
       && strcmp(a->note, "") == 0 && a->n_other_reviewers == 0,
       "fresh image: no main, not done, no flag, empty note");
    is_int(rl_image_unreviewed(a), 3, "all three unreviewed");
    is_int(rl_image_cand_pos(a, a->cand[2].cls), 2, "cand_pos finds one");
    ok(rl_image_cand_pos(a, rl_catalog_by_index(x->cat, 0)) == SIZE_MAX,
       "cand_pos of a non-candidate is SIZE_MAX");
    rl_image_free(a);

    e = load(x, "ann", "img_e.JPEG");
    ok(e->n == 0 && e->label == NULL && e->path != NULL
       && strstr(e->path, "e.jpg") != NULL,
       "img_e: a file, no label, no candidates");
    rl_image_free(e);
    ok(rl_image_find(x->s, "nope.JPEG") == -1, "unknown name: -1");
    rl_err_clear(&err);
    ok(rl_image_load(x->s, x->cat, "ann", 999999, &err) == NULL
       && err.code == RL_E_NOTFOUND, "unknown id: RL_E_NOTFOUND");
    rl_image_free(NULL);
}

static void
test_actions(struct fx *x)
{
    rl_image *a = load(x, "ann", "img_a.JPEG"), *e;
    rl_err err;
    long long steps, events;
    int n;

    /* One verdict is one step with one event, committed at once. */
    steps = count(x, "SELECT count(*) FROM step");
    events = count(x, "SELECT count(*) FROM event");
    ok(rl_review_set(x->s, a, "ann", 0, RL_STATE_CORRECT, &err) == 0,
       "set a verdict");
    ok(a->cand[0].state == RL_STATE_CORRECT, "in memory");
    is_str(states(x, "ann", "img_a.JPEG"), "C..", "and stored");
    is_int(count(x, "SELECT count(*) FROM step") - steps, 1, "one step");
    is_int(count(x, "SELECT count(*) FROM event") - events, 1, "one event");
    ok(count(x, "SELECT count(*) FROM timing WHERE reviewer = 'ann' AND"
             " last_change IS NOT NULL") == 1, "the change time is kept");

    /* Same state again: nothing logged. */
    ok(rl_review_set(x->s, a, "ann", 0, RL_STATE_CORRECT, &err) == 0
       && count(x, "SELECT count(*) FROM step") - steps == 1,
       "setting the same state is a no-op without a step");

    rl_err_clear(&err);
    ok(rl_review_set(x->s, a, "ann", 3, RL_STATE_WRONG, &err) == -1
       && err.code == RL_E_RANGE, "candidate out of range: %s", err.msg);
    rl_err_clear(&err);
    ok(rl_review_set(x->s, a, "ann", 0, RL_STATE_COUNT, &err) == -1
       && err.code == RL_E_RANGE, "state out of range: %s", err.msg);

    /* RL_STATE_NONE removes the row. */
    ok(rl_review_set(x->s, a, "ann", 0, RL_STATE_NONE, &err) == 0
       && count(x, "SELECT count(*) FROM review WHERE reviewer = 'ann'")
          == 0, "setting none deletes the stored verdict");

    /* The assigned label. */
    ok(rl_review_set_assigned(x->s, a, "ann", &err) == 0,
       "set_assigned");
    is_str(states(x, "ann", "img_a.JPEG"), ".C.",
           "the original label (second) is Correct");
    e = load(x, "ann", "img_e.JPEG");
    rl_err_clear(&err);
    ok(rl_review_set_assigned(x->s, e, "ann", &err) == -1
       && err.code == RL_E_NOTFOUND, "no original label: %s", err.msg);

    /* Bulk: every unreviewed one, as one step. */
    steps = count(x, "SELECT count(*) FROM step");
    events = count(x, "SELECT count(*) FROM event");
    n = rl_review_set_rest(x->s, a, "ann", RL_STATE_WRONG, &err);
    is_int(n, 2, "set_rest changed the two open candidates");
    is_str(states(x, "ann", "img_a.JPEG"), "WCW", "stored: rest Wrong, "
           "the Correct one kept");
    is_int(count(x, "SELECT count(*) FROM step") - steps, 1,
           "bulk is one step");
    is_int(count(x, "SELECT count(*) FROM event") - events, 2,
           "with one event per change");
    is_int(rl_review_set_rest(x->s, a, "ann", RL_STATE_WRONG, &err), 0,
           "set_rest with nothing open: 0");
    is_int(count(x, "SELECT count(*) FROM step") - steps, 1,
           "and no step");
    is_int(rl_review_set_rest(x->s, e, "ann", RL_STATE_WRONG, &err), 0,
           "set_rest on an image without candidates: 0");

    /* The main object must be Correct. */
    rl_err_clear(&err);
    ok(rl_review_set_main(x->s, a, "ann", 0, &err) == -1
       && err.code == RL_E_RANGE && a->main == NULL,
       "a Wrong candidate cannot be the main object: %s", err.msg);
    ok(rl_review_set_main(x->s, a, "ann", 5, &err) == -1
       && err.code == RL_E_RANGE, "main out of range");
    ok(rl_review_set_main(x->s, a, "ann", 1, &err) == 0
       && a->main == a->cand[1].cls, "the Correct one can");
    {
        rl_image *b = load(x, "ann", "img_a.JPEG");

        ok(b->main == a->cand[1].cls, "main object stored");
        rl_image_free(b);
    }
    ok(rl_review_set_main(x->s, a, "ann", 1, &err) == 0 && a->main == NULL,
       "setting it again clears it");
    rl_review_set_main(x->s, a, "ann", 1, &err);
    ok(rl_review_set(x->s, a, "ann", 1, RL_STATE_UNCLEAR, &err) == 0
       && a->main == NULL, "marking the main object not-Correct clears "
       "the main object");
    {
        rl_image *b = load(x, "ann", "img_a.JPEG");

        ok(b->main == NULL && b->cand[1].state == RL_STATE_UNCLEAR,
           "stored that way");
        rl_image_free(b);
    }

    /* Flags and notes. */
    ok(rl_review_set_problematic(x->s, a, "ann", true, &err) == 0
       && a->problematic, "flag problematic");
    ok(rl_review_set_note(x->s, a, "ann", "two snakes?\n\x1b[31m", &err) == 0,
       "set a note");
    {
        rl_image *b = load(x, "ann", "img_a.JPEG");

        ok(b->problematic && strcmp(b->note, "two snakes?\n\x1b[31m") == 0,
           "flag and note stored as given");
        rl_image_free(b);
    }

    /* Confirmation needs every candidate reviewed. */
    rl_review_set(x->s, a, "ann", 2, RL_STATE_NONE, &err);
    rl_err_clear(&err);
    ok(rl_review_confirm(x->s, a, "ann", &err) == -1
       && err.code == RL_E_RANGE && strstr(err.msg, "1 candidate") != NULL
       && !a->done, "confirm with one open: %s", err.msg);
    rl_review_set(x->s, a, "ann", 2, RL_STATE_DONT_KNOW, &err);
    ok(rl_review_confirm(x->s, a, "ann", &err) == 0 && a->done,
       "confirm once all are reviewed");
    {
        rl_image *b = load(x, "ann", "img_a.JPEG");

        ok(b->done, "confirmation stored");
        rl_image_free(b);
    }
    rl_image_free(e);
    rl_image_free(a);
}

static void
test_add(struct fx *x)
{
    rl_image *b = load(x, "ann", "img_b.JPEG");
    const rl_class *tench = rl_catalog_by_index(x->cat, 0);
    const rl_class *dog = rl_catalog_by_wnid(x->cat, "n02084071");
    size_t pos = 99;
    rl_err err;
    int64_t id;

    ok(rl_review_add(x->s, x->cat, &b, "ann", tench, &pos, &err) == 0,
       "add a candidate no model proposed");
    ok(b->n == 3 && pos < b->n && b->cand[pos].cls == tench,
       "the reloaded image has it at the returned position");
    ok(pos < b->n && b->cand[pos].n_models == 0
       && b->cand[pos].added_by != NULL
       && strcmp(b->cand[pos].added_by, "ann") == 0
       && b->cand[pos].state == RL_STATE_NONE,
       "no models, added by ann, unreviewed");
    rl_err_clear(&err);
    ok(rl_review_add(x->s, x->cat, &b, "ann", tench, &pos, &err) == -1
       && err.code == RL_E_DUP, "adding it again: %s", err.msg);
    rl_err_clear(&err);
    ok(rl_review_add(x->s, x->cat, &b, "ann", dog, &pos, &err) == -1
       && err.code == RL_E_RANGE, "adding an inner node: %s", err.msg);

    ok(rl_review_undo(x->s, "ann", &id, &err) == 1
       && id == b->id, "undo the addition");
    rl_image_free(b);
    b = load(x, "ann", "img_b.JPEG");
    ok(b->n == 2 && rl_image_cand_pos(b, tench) == SIZE_MAX,
       "the candidate is gone");
    ok(rl_review_redo(x->s, "ann", &id, &err) == 1, "redo the addition");
    rl_image_free(b);
    b = load(x, "ann", "img_b.JPEG");
    ok(b->n == 3 && rl_image_cand_pos(b, tench) != SIZE_MAX,
       "the candidate is back");
    rl_image_free(b);
}

/* Undo and redo over steps on two images, across closing the store. */
static void
test_undo(struct fx *x)
{
    const char *who = "uma";
    rl_image *a = load(x, who, "img_a.JPEG"), *b = load(x, who, "img_b.JPEG");
    int64_t ia = a->id, ib = b->id, id;
    rl_err err;
    long long events;

    ok(rl_review_undo(x->s, who, &id, &err) == 0, "nothing to undo yet");
    ok(rl_review_redo(x->s, who, &id, &err) == 0, "nothing to redo yet");

    rl_review_set(x->s, a, who, 0, RL_STATE_CORRECT, &err);    /* s1 */
    rl_review_set(x->s, b, who, 0, RL_STATE_WRONG, &err);      /* s2 */
    rl_review_set(x->s, a, who, 1, RL_STATE_WRONG, &err);      /* s3 */
    rl_review_set_rest(x->s, a, who, RL_STATE_UNCLEAR, &err);  /* s4 */
    rl_image_free(a);
    rl_image_free(b);
    is_str(states(x, who, "img_a.JPEG"), "CWU", "a after four steps");
    is_str(states(x, who, "img_b.JPEG"), "W..", "b after four steps");

    id = 0;
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ia,
       "undo the bulk step: image a");
    is_str(states(x, who, "img_a.JPEG"), "CW.", "bulk undone as one step");
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ia, "undo s3");
    is_str(states(x, who, "img_a.JPEG"), "C..", "s3 undone");

    /* Close and reopen: the stacks are in the file. */
    fx_close(x);
    fx_open(x);
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ib,
       "after reopening, undo continues on image b");
    is_str(states(x, who, "img_b.JPEG"), "...", "s2 undone");

    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ib, "redo s2");
    is_str(states(x, who, "img_b.JPEG"), "W..", "s2 redone");
    fx_close(x);
    fx_open(x);
    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ia,
       "after reopening, redo s3");
    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ia, "redo s4");
    is_str(states(x, who, "img_a.JPEG"), "CWU", "a fully redone");
    ok(rl_review_redo(x->s, who, &id, &err) == 0, "nothing more to redo");

    /* Undo twice, then a new action: redo is gone. */
    rl_review_undo(x->s, who, &id, &err);
    rl_review_undo(x->s, who, &id, &err);
    is_str(states(x, who, "img_a.JPEG"), "C..", "s4, s3 undone again");
    b = load(x, who, "img_b.JPEG");
    ok(rl_review_set(x->s, b, who, 1, RL_STATE_CORRECT, &err) == 0,
       "a new action (s5)");
    rl_image_free(b);
    ok(rl_review_redo(x->s, who, &id, &err) == 0,
       "a new action clears redo");
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ib, "undo s5");
    is_str(states(x, who, "img_b.JPEG"), "W..", "s5 undone");
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ib,
       "undo skips the steps undone before and takes s2");
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ia, "undo s1");
    is_str(states(x, who, "img_a.JPEG"), "...", "a back to unreviewed");
    ok(rl_review_undo(x->s, who, &id, &err) == 0, "bottom of the stack");
    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ia, "redo s1");
    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ib, "redo s2");
    ok(rl_review_redo(x->s, who, &id, &err) == 1 && id == ib, "redo s5");
    ok(rl_review_redo(x->s, who, &id, &err) == 0,
       "the steps undone before s5 stay undone");
    is_str(states(x, who, "img_b.JPEG"), "WC.", "b after the redos");
    is_str(states(x, who, "img_a.JPEG"), "C..", "a after the redos");

    /* Undo restores the main object together with the state that
     * cleared it, and leaves confirmation alone. */
    a = load(x, who, "img_a.JPEG");
    rl_review_set_main(x->s, a, who, 0, &err);
    rl_review_set(x->s, a, who, 0, RL_STATE_WRONG, &err);
    rl_image_free(a);
    ok(rl_review_undo(x->s, who, &id, &err) == 1, "undo the demotion");
    a = load(x, who, "img_a.JPEG");
    ok(a->cand[0].state == RL_STATE_CORRECT && a->main == a->cand[0].cls,
       "state and main object both restored");
    rl_review_set_rest(x->s, a, who, RL_STATE_WRONG, &err);
    ok(rl_review_confirm(x->s, a, who, &err) == 0, "confirm a");
    rl_image_free(a);
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ia,
       "undo after confirming undoes the confirmation");
    a = load(x, who, "img_a.JPEG");
    ok(!a->done && a->cand[1].state == RL_STATE_WRONG, "only the "
       "confirmation: the bulk marks stay");
    rl_image_free(a);
    ok(rl_review_undo(x->s, who, &id, &err) == 1 && id == ia,
       "the next undo undoes the bulk step");
    a = load(x, who, "img_a.JPEG");
    ok(!a->done && a->cand[1].state == RL_STATE_NONE, "bulk undone: with "
       "open candidates again the image is not confirmed");

    /* Flags and notes undo too. */
    rl_review_set_problematic(x->s, a, who, true, &err);
    rl_review_set_note(x->s, a, who, "hmm", &err);
    rl_image_free(a);
    rl_review_undo(x->s, who, &id, &err);
    a = load(x, who, "img_a.JPEG");
    ok(a->problematic && strcmp(a->note, "") == 0, "undo the note");
    rl_image_free(a);
    rl_review_undo(x->s, who, &id, &err);
    a = load(x, who, "img_a.JPEG");
    ok(!a->problematic, "undo the flag");
    rl_image_free(a);

    /* Undo is per reviewer. */
    events = count(x, "SELECT count(*) FROM review WHERE reviewer = 'ann'");
    ok(rl_review_undo(x->s, "nobody", &id, &err) == 0,
       "another reviewer has nothing to undo");
    is_int(count(x, "SELECT count(*) FROM review WHERE reviewer = 'ann'"),
           events, "and ann's verdicts are untouched");
}

static void
test_others_and_log(struct fx *x)
{
    rl_image *a;
    rl_err err;
    char msg[200];
    long long events = count(x, "SELECT count(*) FROM event");

    a = load(x, "ann", "img_a.JPEG");
    ok(a->n_other_reviewers == 1 && a->cand[0].n_others == 1,
       "ann sees one other reviewer (uma) on img_a");
    rl_image_free(a);

    ok(fx_file_exec(x->db, "UPDATE event SET after_code = 0", msg,
                    sizeof msg) != SQLITE_OK && strstr(msg, "append-only"),
       "UPDATE on the event log fails: %s", msg);
    ok(fx_file_exec(x->db, "DELETE FROM event WHERE id = 1", msg,
                    sizeof msg) != SQLITE_OK && strstr(msg, "append-only"),
       "DELETE on the event log fails: %s", msg);
    is_int(count(x, "SELECT count(*) FROM event"), events,
           "no event was lost");
    ok(count(x, "SELECT count(*) FROM step WHERE kind = 'undo'") > 0
       && count(x, "SELECT count(*) FROM step WHERE kind = 'redo'") > 0,
       "undo and redo are logged as steps of their own");

    ok(rl_review_touch(x->s, "ann", rl_image_find(x->s, "img_c.JPEG"), 1000,
                       &err) == 0
       && rl_review_touch(x->s, "ann", rl_image_find(x->s, "img_c.JPEG"),
                          500, &err) == 0
       && rl_review_touch(x->s, "ann", rl_image_find(x->s, "img_c.JPEG"),
                          -7, &err) == 0, "touch three times");
    is_int(count(x, "SELECT active_ms FROM timing t JOIN image i"
                 " ON i.id = t.image WHERE i.name = 'img_c.JPEG'"
                 " AND reviewer = 'ann'"), 1500,
           "attention time adds up; negative counts as 0");
}

static void
test_queue(void)
{
    static const char *const names[] = { "img_a.JPEG", "img_b.JPEG",
        "img_c.JPEG", "img_d.JPEG", "img_e.JPEG" };
    struct fx x = { make_project("queue.db"), NULL, NULL };
    rl_queue q = {0};
    rl_image *img;
    rl_err err;
    size_t rank, i;

    fx_open(&x);
    ok(rl_queue_load(x.s, "ann", &q, &err) == 0 && q.n == 5,
       "queue of five images");
    ok(rl_queue_step(&q, SIZE_MAX, +1, RL_FILTER_PROBLEMATIC) == SIZE_MAX,
       "no problematic image yet: SIZE_MAX");

    /* ann reviews all of img_b; bob flags img_c and reviews img_d. */
    img = load(&x, "ann", "img_b.JPEG");
    rl_review_set_rest(x.s, img, "ann", RL_STATE_CORRECT, &err);
    rl_image_free(img);
    img = load(&x, "ann", "img_a.JPEG");
    rl_review_set(x.s, img, "ann", 0, RL_STATE_CORRECT, &err);
    rl_image_free(img);
    img = load(&x, "bob", "img_c.JPEG");
    rl_review_set_problematic(x.s, img, "bob", true, &err);
    rl_image_free(img);
    img = load(&x, "bob", "img_d.JPEG");
    rl_review_set(x.s, img, "bob", 0, RL_STATE_WRONG, &err);
    rl_image_free(img);

    ok(rl_queue_load(x.s, "ann", &q, &err) == 0 && q.n == 5,
       "reload the queue");
    for (i = 0; i < q.n && i < 5; i++)
        if (q.items[i].id != rl_image_find(x.s, names[i]))
            break;
    is_int(i, 5, "images in name order");
    ok(q.items[0].n_cand == 3 && q.items[0].n_mine == 1
       && q.items[1].n_cand == 2 && q.items[1].n_mine == 2
       && q.items[4].n_cand == 0, "candidate and own-verdict counts");
    ok(q.items[2].problematic && !q.items[2].others
       && q.items[3].others && !q.items[0].others,
       "problematic (by anyone) and reviewed-by-others flags");

    /* all: 0..4; unreviewed: a c d; problematic: c; others: d. */
    is_int(rl_queue_count(&q, RL_FILTER_ALL, 0, NULL), 5, "all: 5");
    is_int(rl_queue_count(&q, RL_FILTER_UNREVIEWED, 3, &rank), 3,
           "unreviewed: a, c, d");
    is_int(rank, 3, "d is the third of them");
    rl_queue_count(&q, RL_FILTER_UNREVIEWED, 1, &rank);
    is_int(rank, 0, "b is not among them: rank 0");
    is_int(rl_queue_count(&q, RL_FILTER_PROBLEMATIC, 2, &rank), 1,
           "problematic: c");
    is_int(rl_queue_count(&q, RL_FILTER_OTHERS, 0, NULL), 1,
           "others: d (c was flagged, not reviewed, by bob)");
    ok(!rl_queue_match(&q.items[4], RL_FILTER_UNREVIEWED),
       "an image without candidates is not unreviewed");

    is_int(rl_queue_step(&q, SIZE_MAX, +1, RL_FILTER_ALL), 0,
           "from nowhere forward: first");
    is_int(rl_queue_step(&q, SIZE_MAX, -1, RL_FILTER_ALL), 4,
           "from nowhere backward: last");
    is_int(rl_queue_step(&q, 4, +1, RL_FILTER_ALL), 0, "wraps forward");
    is_int(rl_queue_step(&q, 0, -1, RL_FILTER_ALL), 4, "wraps backward");
    is_int(rl_queue_step(&q, 0, +1, RL_FILTER_UNREVIEWED), 2,
           "unreviewed: a -> c skips b");
    is_int(rl_queue_step(&q, 3, +1, RL_FILTER_UNREVIEWED), 0,
           "unreviewed: d -> a wraps");
    is_int(rl_queue_step(&q, 0, -1, RL_FILTER_UNREVIEWED), 3,
           "unreviewed: a <- d wraps back");
    is_int(rl_queue_step(&q, 2, +1, RL_FILTER_PROBLEMATIC), 2,
           "the only match steps to itself");
    is_int(rl_queue_step(&q, 1, -1, RL_FILTER_OTHERS), 3,
           "others backward from b wraps to d");
    is_int(rl_queue_find(&q, rl_image_find(x.s, "img_c.JPEG")), 2,
           "find by id");
    ok(rl_queue_find(&q, 987654) == SIZE_MAX, "find unknown: SIZE_MAX");

    /* bob sees it from his side. */
    ok(rl_queue_load(x.s, "bob", &q, &err) == 0, "bob's queue");
    is_int(rl_queue_count(&q, RL_FILTER_OTHERS, 0, NULL), 2,
           "others for bob: a and b (ann's)");
    is_int(rl_queue_count(&q, RL_FILTER_UNREVIEWED, 0, NULL), 3,
           "unreviewed for bob: a, b, c");
    rl_queue_free(&q);
    ok(q.items == NULL && q.n == 0, "queue freed");
    fx_close(&x);

    /* An empty project. */
    {
        char *db = tpath("empty.db");
        rl_store *s = rl_store_open(db, RL_STORE_CREATE, &err);

        ok(s != NULL && rl_queue_load(s, "ann", &q, &err) == 0 && q.n == 0
           && rl_queue_step(&q, SIZE_MAX, +1, RL_FILTER_ALL) == SIZE_MAX
           && rl_queue_count(&q, RL_FILTER_ALL, 0, &rank) == 0,
           "empty queue: no step, count 0");
        rl_queue_free(&q);
        rl_store_close(s);
        free(db);
    }
    free(x.db);
}

/* A confirmed image whose verdict is cleared (x) or undone is no longer
 * confirmed; undoing the clearing confirms it again. */
static void
test_unconfirm(void)
{
    char *db = make_project("unconfirm.db");
    rl_err err;
    rl_store *s = rl_store_open(db, 0, &err);
    rl_catalog *cat = rl_catalog_load(s, &err);
    int64_t id = rl_image_find(s, "img_a.JPEG"), image = -1;
    rl_image *img = rl_image_load(s, cat, "u", id, &err);
    char sql[160];

    snprintf(sql, sizeof sql, "SELECT done FROM flag WHERE image = %lld AND "
             "reviewer = 'u'", (long long)id);
    ok(rl_review_set_rest(s, img, "u", RL_STATE_WRONG, &err) > 0
       && rl_review_confirm(s, img, "u", &err) == 0 && img->done,
       "all marked and confirmed");
    is_int(fx_file_int(db, sql), 1, "stored as confirmed");
    ok(rl_review_set(s, img, "u", 0, RL_STATE_NONE, &err) == 0 && !img->done,
       "clearing a verdict unconfirms the image in memory");
    is_int(fx_file_int(db, sql), 0, "and in the store, in the same step");
    ok(rl_review_undo(s, "u", &image, &err) == 1 && image == id,
       "undo the clearing");
    is_int(fx_file_int(db, sql), 1, "confirmed again");
    ok(rl_review_undo(s, "u", &image, &err) == 1, "undo the confirmation");
    is_int(fx_file_int(db, sql), 0, "a step of its own: not confirmed");
    ok(rl_review_undo(s, "u", &image, &err) == 1, "undo the bulk action");
    is_int(fx_file_int(db, sql), 0, "open candidates again: not confirmed");
    rl_image_free(img);
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* Collects the names rl_image_names() passes, space-separated. */
static void
collect(void *ctx, const char *name)
{
    rl_buf *b = ctx;

    if (b->len > 0)
        rl_buf_addc(b, ' ');
    rl_buf_adds(b, name);
}

static void
test_names(struct fx *x)
{
    rl_buf b = {0};
    rl_err err;

    is_int(rl_image_names(x->s, "img_", 100, collect, &b, &err), 5,
           "names: five images start with img_");
    is_str(rl_buf_str(&b), "img_a.JPEG img_b.JPEG img_c.JPEG img_d.JPEG "
           "img_e.JPEG", "in name order");
    rl_buf_reset(&b);
    is_int(rl_image_names(x->s, "img_c", 100, collect, &b, &err), 1,
           "a longer prefix: one");
    is_str(rl_buf_str(&b), "img_c.JPEG", "img_c.JPEG");
    rl_buf_reset(&b);
    is_int(rl_image_names(x->s, "", 2, collect, &b, &err), 2,
           "the cap holds");
    rl_buf_reset(&b);
    is_int(rl_image_names(x->s, "img%", 100, collect, &b, &err), 0,
           "'%' is no wildcard");
    is_int(rl_image_names(x->s, "img_a.JPEGX", 100, collect, &b, &err), 0,
           "a prefix longer than every name: none");
    rl_buf_free(&b);
}

/* Issue 15 bug 2: A W Enter, then undo and redo: the marks and the
 * confirmation come back, and any number of undos followed by as many
 * redos leaves every image as it was. */
static void
test_undo_redo_confirm(void)
{
    char *db = make_project("redoconfirm.db");
    rl_err err;
    rl_store *s = rl_store_open(db, 0, &err);
    rl_catalog *cat = rl_catalog_load(s, &err);
    const char *names[] = { "img_a.JPEG", "img_b.JPEG" };
    const char *done_sql = "SELECT count(*) FROM flag WHERE reviewer = 'u'"
        " AND done";
    const char *marks_sql = "SELECT count(*) FROM review WHERE reviewer = 'u'";
    rl_step_info info;
    int64_t image = -1;
    size_t i;
    int marks, k;

    for (i = 0; i < 2; i++) {
        int64_t id = rl_image_find(s, names[i]);
        rl_image *img = rl_image_load(s, cat, "u", id, &err);

        rl_review_set_assigned(s, img, "u", &err);
        rl_review_set_rest(s, img, "u", RL_STATE_WRONG, &err);
        ok(rl_review_confirm(s, img, "u", &err) == 0, "A W Enter on %s",
           names[i]);
        rl_image_free(img);
    }
    marks = fx_file_int(db, marks_sql);
    is_int(fx_file_int(db, done_sql), 2, "both confirmed");

    ok(rl_review_revert(s, "u", false, &info, &err) == 1
       && strcmp(info.what, "confirm") == 0 && info.n_marks == 0,
       "z after Enter undoes the confirmation (%s)", info.what);
    is_int(fx_file_int(db, done_sql), 1, "one image unconfirmed");
    is_int(fx_file_int(db, marks_sql), marks, "its marks stay");
    ok(rl_review_revert(s, "u", true, &info, &err) == 1
       && strcmp(info.what, "confirm") == 0, "Z redoes it");
    is_int(fx_file_int(db, done_sql), 2, "confirmed again");

    for (k = 0; k < 5; k++)
        rl_review_undo(s, "u", &image, &err);
    for (k = 0; k < 5; k++)
        rl_review_redo(s, "u", &image, &err);
    is_int(fx_file_int(db, done_sql), 2, "five undos, five redos: both still "
           "confirmed");
    is_int(fx_file_int(db, marks_sql), marks, "and every mark back");

    ok(rl_review_revert(s, "u", false, &info, &err) == 1
       && rl_review_revert(s, "u", false, &info, &err) == 1
       && strcmp(info.what, "bulk") == 0 && info.n_marks >= 1,
       "the bulk step is one step (%zu marks)", info.n_marks);
    ok(rl_review_revert(s, "u", true, &info, &err) == 1
       && strcmp(info.what, "bulk") == 0, "redo the bulk step");
    ok(rl_review_revert(s, "u", true, &info, &err) == 1
       && strcmp(info.what, "confirm") == 0, "redo the confirmation");
    is_int(fx_file_int(db, done_sql), 2, "confirmed after undo/redo of both");
    rl_catalog_free(cat);
    rl_store_close(s);
    free(db);
}

/* `:` in the review screen: exact name, else prefix, else substring. */
static void
test_lookup(void)
{
    char *db = make_project("lookup.db");
    rl_err err;
    rl_store *s = rl_store_open(db, 0, &err);
    int64_t ids[8];
    bool exact;
    size_t n;

    n = rl_image_lookup(s, "img_b.JPEG", ids, 8, &exact);
    ok(n == 1 && exact && ids[0] == rl_image_find(s, "img_b.JPEG"),
       "the exact name");
    n = rl_image_lookup(s, "img_c", ids, 8, &exact);
    ok(n == 1 && !exact && ids[0] == rl_image_find(s, "img_c.JPEG"),
       "a unique prefix");
    n = rl_image_lookup(s, "img_", ids, 8, &exact);
    ok(n == 5 && !exact && ids[0] == rl_image_find(s, "img_a.JPEG")
       && ids[3] == rl_image_find(s, "img_d.JPEG"),
       "a shared prefix: all five, by name");
    n = rl_image_lookup(s, "d.JP", ids, 8, &exact);
    ok(n == 1 && ids[0] == rl_image_find(s, "img_d.JPEG"), "a substring");
    n = rl_image_lookup(s, "JPEG", ids, 2, &exact);
    ok(n == 3 && ids[0] == rl_image_find(s, "img_a.JPEG"),
       "more matches than room: max + 1 reported, max stored");
    ok(rl_image_lookup(s, "%", ids, 8, &exact) == 0
       && rl_image_lookup(s, "_", ids, 8, &exact) == 5,
       "LIKE wildcards match literally");
    ok(rl_image_lookup(s, "zzz", ids, 8, &exact) == 0
       && rl_image_lookup(s, "", ids, 8, &exact) == 0, "no match, empty");
    rl_store_close(s);
    free(db);
}

int
main(void)
{
    struct fx x;

    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_test_review_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    spew("e.jpg", "");            /* make_project writes the CSVs */
    x.db = make_project("review.db");
    x.s = NULL;
    x.cat = NULL;

    test_states();
    fx_open(&x);
    test_load(&x);
    test_names(&x);
    test_actions(&x);
    test_add(&x);
    test_undo(&x);
    test_others_and_log(&x);
    fx_close(&x);
    test_queue();
    test_unconfirm();
    test_undo_redo_confirm();
    test_lookup();

    free(x.db);
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
