#!/bin/bash
# test_adjudicate.sh - an adjudicator walks the disagreements: review
# --adjudicate opens on the images where reviewers differ, the filter
# says so, a mark is stored with the adjudicator role, and the pair stops
# being an open disagreement (consensus follows the adjudicator).
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
RENDER=ascii
demo_db "$DB"
cat >"$TMP/votes.csv" <<'CSV'
image,wnid,state,reviewer
coffee_cup.JPEG,n07930864,correct,alice
coffee_cup.JPEG,n07930864,correct,carol
coffee_cup.JPEG,n07930864,wrong,bob
summer_palace.JPEG,n03781244,unclear,alice
summer_palace.JPEG,n03781244,unclear,bob
CSV
rl --db "$DB" import reviews "$TMP/votes.csv" >/dev/null \
    || fail "cannot import the votes"
expect "$(rl --db "$DB" disagreements | tail -n 1)" \
    "1 candidates on 1 images where reviewers differ (0 adjudicated, 1 open)" \
    "one open disagreement before"

start_review 120 36 --adjudicate
wait_for 'Image: coffee_cup.JPEG'
wait_for 'image 1 of 1 \(filter disagreements; 10 in all\)'
wait_for 'ADJUDICATING'
# Select the cup (two say Correct, one Wrong) and settle it as Wrong.
for i in 1 2 3 4 5; do
    screen | grep -Eq "$(sel . n07930864)" && break
    send j
    sleep 0.05
done
wait_for "$(sel . n07930864)"
send w
wait_for "$(row W n07930864)"
wait_for '\| saved'
expect "$(q "SELECT role FROM review r JOIN class c ON c.id = r.class
    WHERE r.reviewer = '$REVIEWER' AND c.wnid = 'n07930864'")" adjudicator \
    "the verdict is stored with the adjudicator role"
expect "$(q "SELECT what FROM step WHERE reviewer = '$REVIEWER'")" \
    adjudicate "and logged as an adjudication"
# F cycles through the disagreements filter too, back to it.
send F
wait_for 'filter: all \('
send F F F F
# F's answer names the filter (the status line then does not repeat it).
wait_for 'ADJUDICATING \| filter: disagreements \([0-9]+ images?\)'
send q
wait_exit
expect "$(rl --db "$DB" disagreements | tail -n 1)" \
    "1 candidates on 1 images where reviewers differ (1 adjudicated, 0 open)" \
    "the disagreement is settled"
rl --db "$DB" export --format wide -o "$TMP/wide.csv" \
    || fail "export failed"
# The majority says Correct; the adjudicator's Wrong settles it.
expect "$(grep '^coffee_cup' "$TMP/wide.csv" | cut -d, -f3,4)" \
    ",n07930864" "the export follows the adjudicator, not the majority"
out=$(rl --db "$DB" export --format wide --consensus reviewer:alice \
      | grep '^coffee_cup' | cut -d, -f3,4)
expect "$out" ",n07930864" "under reviewer:alice as well"
exit 0
