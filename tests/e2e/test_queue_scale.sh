#!/bin/bash
# test_queue_scale.sh - the review queue of a 50,000-image project
# (issue 16): the first screen comes before the queue is counted, and the
# counts become right. Labels and 100,000 predictions are imported as a
# user would; reviews (this reviewer's and another's) and flags are
# written in SQL. Expected counts come from plain COUNT queries on the
# file. Checked: the review screen opens on the first image this reviewer
# has not finished; F (unreviewed) shows that filter's exact count and
# rank once counted; W on the image leaves one image fewer in the filter,
# committed; the home screen says how many need review.
. "$(dirname "$0")/lib.sh"

N=50000
awk -v n=$N 'BEGIN {
    print "image,wnid" > "'"$TMP"'/labels.csv"
    print "image,model,rank,wnid" > "'"$TMP"'/preds.csv"
    split("n01440764 n01443537 n01484850 n01491361 n01494475 n01496331", w)
    for (i = 1; i <= n; i++) {
        name = sprintf("s_%06d.JPEG", (i * 7919) % n)
        print name "," w[1 + i % 6] >> "'"$TMP"'/labels.csv"
        print name ",m1,1," w[1 + i % 6] >> "'"$TMP"'/preds.csv"
        print name ",m1,2," w[1 + (i + 1) % 6] >> "'"$TMP"'/preds.csv"
    }
}'
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "labels"
rl --db "$DB" import predictions "$TMP/preds.csv" >/dev/null \
    || fail "predictions"
# Everything done by e2e on two images in three (by id), one candidate of
# every eleventh; another reviewer on every fifth; every 50th flagged.
# Verdicts are stored as codes (schema 7): correct 0, wrong 1.
sqlite3 "$DB" "
BEGIN;
INSERT INTO review(image, class, reviewer, state_code, updated_at)
  SELECT c.image, c.class, 'e2e', 1, 0 FROM candidate c
  WHERE c.image % 3 != 0
     OR (c.image % 11 = 0 AND c.class = (SELECT min(class) FROM candidate d
                                          WHERE d.image = c.image));
INSERT INTO review(image, class, reviewer, state_code, updated_at)
  SELECT image, class, 'other', 0, 0 FROM candidate
  WHERE image % 5 = 0;
INSERT INTO flag(image, reviewer, problematic, updated_at)
  SELECT id, 'other', 1, 0 FROM image WHERE id % 50 = 0;
COMMIT;" || fail "reviews"

open_n() {
    q "SELECT count(*) FROM image i WHERE (SELECT count(*) FROM candidate c
         WHERE c.image = i.id) > (SELECT count(*) FROM review r
         WHERE r.image = i.id AND r.reviewer = 'e2e')"
}
open=$(open_n)
expect "$(q 'SELECT count(*) FROM image')" $N "images"
[ "$open" -gt 10000 ] && [ "$open" -lt $N ] || fail "unexpected open: $open"
first=$(q "SELECT name FROM image i WHERE (SELECT count(*) FROM candidate c
             WHERE c.image = i.id) > (SELECT count(*) FROM review r
             WHERE r.image = i.id AND r.reviewer = 'e2e')
           ORDER BY name LIMIT 1")

start_review 160 40
wait_for "Image: ${first//./\\.}" 60
wait_for "image [0-9]+ of $N "
send F
# Until the queue is counted the footer says so; then the exact figures.
wait_for "image 1 of $open \\(filter unreviewed; $N in all\\)" 60
send W
wait_for "not in filter unreviewed: $((open - 1))\\)" 30
# Saved means committed: to the project, or, while the quick check that
# opening started still runs (seconds under load), to the journal of
# marks, which the screen's idle work applies to the project once it is
# done.
bulk_landed() { [ "$(open_n)" -eq $((open - 1)) ]; }
poll "the bulk mark in the project" 60 -- bulk_landed
send q
wait_exit
expect "$STATUS" 0 "review exit status"

respawn --db "$DB" train
wait_for "$N images, $((open - 1)) need your review" 60
send q
wait_exit
expect "$STATUS" 0 "home exit status"
echo "$TEST_NAME: ok"
