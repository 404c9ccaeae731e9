#!/bin/bash
# test_check_tally.sh - the counters `relabel stats` reads (table tally,
# schema 5): stats prints them, `relabel check` compares each with its
# count over the tables and names a counter that was tampered with (exit
# 1, the file untouched), `check --recount` mends it, and a repaired copy
# has its counters recounted.
. "$(dirname "$0")/lib.sh"
need sqlite3

db=$TMP/p.db
rl_ok --db "$db" init || finish
rl_ok --db "$db" import labels "$FIX/labels.csv" || finish
rl_ok --db "$db" import predictions "$FIX/predictions.csv" || finish
rl_ok --db "$db" import reviews "$FIX/reviews.csv" || finish

rl --db "$db" check
expect_rc 0 "check on a fresh project"
expect_out "$db: the statistics counters agree with the tables" \
    "check says the counters agree"
rl_ok --db "$db" stats || finish
cp "$OUT" "$TMP/stats.good"
images=$(q "$db" "SELECT count(*) FROM image")

# A counter changed behind relabel's back: stats shows it (it reads the
# counter, it does not count), check names it and leaves the file alone.
sqlite3 "$db" "UPDATE tally SET n = n + 5 WHERE name = 'images'" ||
    fail "tampering with the images counter"
rl_ok --db "$db" stats
grep -qE "^images +$((images + 5)) " "$OUT" &&
    pass "stats reads the counter ($((images + 5)) images)" ||
    { fail "stats should read the tampered counter"; show; }
before=$(sha "$db")
rl --db "$db" check
expect_rc 1 "check on a tampered counter"
expect_err "the statistics counters drifted from the tables (images: kept $((images + 5)), counted $images)" \
    "check names the counter, what it kept and the count"
expect_err "check --recount" "check says how to mend it"
expect_out "sound (integrity check ok)" "the file itself is sound"
expect_eq "$(sha "$db")" "$before" "check leaves the project unchanged"

# A reviewer's counter, and a missing row (which counts 0).
sqlite3 "$db" "UPDATE tally SET n = 1 WHERE name = 'reviewer_reviews'
               AND reviewer = 'alice'; DELETE FROM tally WHERE name = 'events'" ||
    fail "tampering with two more counters"
events=$(q "$db" "SELECT count(*) FROM event")
rl --db "$db" check
expect_rc 1 "check on three drifted counters"
expect_err "reviewer_reviews of alice: kept 1, counted $(q "$db" "SELECT count(*) FROM review WHERE reviewer = 'alice'")" \
    "check names a reviewer's counter"
expect_err "events: kept 0, counted $events" "check names a missing counter"

# --repair writes a copy whose counters are recounted.
rl --db "$db" check --repair --to "$TMP/copy.db"
expect_rc 0 "check --repair of a sound file with drifted counters"
rl --db "$TMP/copy.db" check
expect_rc 0 "the repaired copy's counters agree"
rl_ok --db "$TMP/copy.db" stats
expect_same_file "$TMP/stats.good" "$OUT" "the copy's stats are the true ones"

rl --db "$db" check --recount --repair
expect_rc 2 "--recount and --repair together are refused"
rl --db "$db" check --recount
expect_rc 0 "check --recount"
expect_out "the statistics counters were recounted" "it says so"
rl --db "$db" check
expect_rc 0 "check after the recount"
rl_ok --db "$db" stats
expect_same_file "$TMP/stats.good" "$OUT" "stats prints the true counts again"

# An import after the recount keeps them agreeing (marks, undo, merges
# and the rest: tests/unit/test_tally.c).
printf 'image,wnid,state,reviewer\nILSVRC2012_val_00000002.JPEG,n09193705,wrong,zed\n' \
    >"$TMP/more.csv"
rl_ok --db "$db" import reviews "$TMP/more.csv"
rl --db "$db" check
expect_rc 0 "the counters agree after another import"
rl_ok --db "$db" stats
grep -qE '^zed +1 +1 ' "$OUT" && pass "stats: zed 1 image, 1 verdict" ||
    { fail "stats: zed line"; show; }
finish
