#!/bin/bash
# test_queue_orders_scale.sh - the doubt-first orders on a 20,000-image
# project (issue 16), from the order keys the predictions import stores:
# the review screen opens in disagree order on the one image whose model
# does not list its original label; O cycles to margin (the footer names
# it) and `:1` goes to the one image whose model is unsure of its top-1;
# O again names random:1, then name; under F the footer gives the
# unreviewed filter's exact count (in random and in name order).
# The database holds a key row for every image, and the
# disagree and margin positions 0 are those two images.
#   every image: m1 rank 1 = its label (0.9), rank 2 another class (0.05):
#                disagree 1 - 0.9 = 0.1, margin 1 - 0.85 = 0.15
#   s_012345:    its label is not predicted at all: disagree 1
#   s_004321:    scores 0.5 and 0.45: margin 1 - 0.05 = 0.95
# Reviewer e2e has marked every candidate of one image in three.
. "$(dirname "$0")/lib.sh"

N=20000
awk -v n=$N 'BEGIN {
    print "image,wnid" > "'"$TMP"'/labels.csv"
    print "image,model,rank,wnid,score" > "'"$TMP"'/preds.csv"
    split("n01440764 n01443537 n01484850 n01491361 n01494475 n01496331", w)
    for (i = 1; i <= n; i++) {
        k = (i * 7919) % n
        name = sprintf("s_%06d.JPEG", k)
        l = w[1 + i % 6]; o = w[1 + (i + 1) % 6]; p = w[1 + (i + 2) % 6]
        print name "," l >> "'"$TMP"'/labels.csv"
        if (k == 12345)
            print name ",m1,1," o ",0.9\n" name ",m1,2," p ",0.05" \
                >> "'"$TMP"'/preds.csv"
        else if (k == 4321)
            print name ",m1,1," l ",0.5\n" name ",m1,2," o ",0.45" \
                >> "'"$TMP"'/preds.csv"
        else
            print name ",m1,1," l ",0.9\n" name ",m1,2," o ",0.05" \
                >> "'"$TMP"'/preds.csv"
    }
}'
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "labels"
rl --db "$DB" import predictions "$TMP/preds.csv" >/dev/null \
    || fail "predictions"
# Each order stored whole, a varint (1-3 bytes here) an image; which
# image comes first in each the screen shows below.
expect "$(q "SELECT group_concat(ord || ':' || (length(ids) BETWEEN $N AND 3 * $N), ' ')
             FROM (SELECT * FROM queue_ids WHERE ord <> 'unpredicted' ORDER BY ord)")" \
    "disagree:1 margin:1 name:1" "order keys stored"
expect "$(q "SELECT length(ids) FROM queue_ids WHERE ord = 'unpredicted'")" 0 \
    "every image has predictions"
# Verdicts are stored as codes (schema 7): wrong 1.
sqlite3 "$DB" "INSERT INTO review(image, class, reviewer, state_code, updated_at)
  SELECT c.image, c.class, 'e2e', 1, 0 FROM candidate c
  WHERE c.image % 3 = 0 AND c.image NOT IN (SELECT id FROM image
        WHERE name IN ('s_012345.JPEG', 's_004321.JPEG'))" || fail "reviews"
open=$(q "SELECT count(*) FROM image i WHERE (SELECT count(*) FROM candidate c
          WHERE c.image = i.id) > (SELECT count(*) FROM review r
          WHERE r.image = i.id AND r.reviewer = 'e2e')")
[ "$open" -gt 10000 ] && [ "$open" -lt $N ] || fail "unexpected open: $open"

start_review 160 40 --order disagree
wait_for 'Image: s_012345\.JPEG' 60
wait_for 'image 1 of 20000 .*\| order: disagree'
send O
wait_for 'order: margin \(models unsure first\)'
wait_for '\| order: margin'
send : 1 Enter
wait_for 'Image: s_004321\.JPEG'
wait_for 'image 1 of 20000 .*\| order: margin'
send O
wait_for '\| order: random:1'
send F
# F's exact answer, or (still counting when F came) the footer's.
wait_for "of $open \\(filter unreviewed; $N in all\\)|unreviewed \\($open images\\)" 60
send O
wait_for 'order: name'
wait_for "of $open \\(filter unreviewed; $N in all\\)" 60
send q
wait_exit
expect "$STATUS" 0 "exit status"
echo "$TEST_NAME: ok"
