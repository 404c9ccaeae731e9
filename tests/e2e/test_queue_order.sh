#!/bin/bash
# test_queue_order.sh - the review queue in doubt order (issue 16):
# --order disagree opens on the image whose original label the models
# doubt most and n walks on in doubt order; O cycles to margin (models
# unsure of their own top-1 first), keeping the image on screen; the
# status line names the order; an unknown order is a usage error.
#   disagree: b = mean(1, 1) = 1 (neither model lists its label),
#             c = 1 - 0.3 = 0.7, a = mean(1 - 0.9, 1 - 0.9) = 0.1
#   margin:   c = 1 - (0.6 - 0.3) = 0.7, a = b = 1 - (0.9 - 0.05) = 0.15
#             (a tie: name order, a before b)
. "$(dirname "$0")/lib.sh"

cat >"$TMP/labels.csv" <<'CSV'
image,wnid
a.JPEG,n01440764
b.JPEG,n01443537
c.JPEG,n01484850
CSV
cat >"$TMP/preds.csv" <<'CSV'
image,model,rank,wnid,score
a.JPEG,m1,1,n01440764,0.9
a.JPEG,m1,2,n01491361,0.05
a.JPEG,m2,1,n01440764,0.9
a.JPEG,m2,2,n01491361,0.05
b.JPEG,m1,1,n01494475,0.9
b.JPEG,m1,2,n01496331,0.05
b.JPEG,m2,1,n01494475,0.9
b.JPEG,m2,2,n01496331,0.05
c.JPEG,m1,1,n01498041,0.6
c.JPEG,m1,2,n01484850,0.3
CSV
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "labels"
rl --db "$DB" import predictions "$TMP/preds.csv" >/dev/null \
    || fail "predictions"

out=$(rl --db "$DB" review --order doubt 2>&1)
[ $? -eq 2 ] || fail "an unknown order should exit 2"
echo "$out" | grep -q -- '--order: unknown order' || fail "message: $out"

start_review 120 30 --order disagree
wait_for 'Image: b\.JPEG'
wait_for 'order: disagree'
send n
wait_for 'Image: c\.JPEG'
send n
wait_for 'Image: a\.JPEG'
send O
wait_for 'order: margin \(models unsure first\)'
wait_for 'Image: a\.JPEG'
send n
wait_for 'Image: b\.JPEG'
send n
wait_for 'Image: c\.JPEG'
send O
wait_for 'order: random:1'
send O
wait_for 'order: name'
send '?'
wait_for 'O +cycle the queue order'
send q
send q
wait_exit
expect "$STATUS" 0 "exit status"
echo "$TEST_NAME: ok"
