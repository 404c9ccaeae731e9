#!/bin/bash
# test_golden.sh - the whole screen after a fixed key sequence, compared
# byte for byte with golden/review_bulk.txt (as tmux's cursor-test1.sh
# does). --render ascii keeps it free of colour; the image part depends on
# the decoder and chafa, so a change of either can mean regenerating:
#   RL_REGEN_GOLDEN=1 ctest -R e2e.test_golden    (then read the diff!)
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
wait_for '^c Correct '
send c W
wait_for '\| 0 unreviewed \| filter: all \| saved$'
wait_for "$(row W n03355925)"
screen >"$TMP/screen.txt"

expect "$(q "SELECT group_concat(state, ' ') FROM
             (SELECT state FROM review ORDER BY class)")" \
    "correct wrong wrong" "stored states"

if [ "${RL_REGEN_GOLDEN:-}" = 1 ]; then
    cp "$TMP/screen.txt" "$GOLDEN/review_bulk.txt"
    echo "regenerated $GOLDEN/review_bulk.txt: check it by eye"
    exit 0
fi
[ -f "$GOLDEN/review_bulk.txt" ] || fail "no golden file $GOLDEN/review_bulk.txt"
diff -u "$GOLDEN/review_bulk.txt" "$TMP/screen.txt" >&2 \
    || fail "screen differs from golden/review_bulk.txt (diff above)"
send q
wait_exit
exit 0
