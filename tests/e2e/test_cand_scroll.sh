#!/bin/bash
# test_cand_scroll.sh - issue 15 bugs 4 and 5: at 80x24 the last candidate
# selected scrolls the list, and "(N more above)" goes on the Candidates
# header's own row, never over the path text above the list; after a
# resize to 200x60 the scroll is recomputed: every candidate, the
# original label among them, is on screen with nothing "more above".
. "$(dirname "$0")/lib.sh"

IMG=chelsea_cat.JPEG
demo_db "$DB"
start_review 80 24 --start $IMG
wait_for "Image: $IMG "
mapfile -t C < <(cands_of $IMG)
ORIG=$(q "SELECT c.wnid FROM image i JOIN class c ON c.id = i.label
          WHERE i.name = '$IMG'")
last=${C[${#C[@]} - 1]}
for _ in "${C[@]}"; do
    send j
done
wait_for "$(sel . "$last")"
wait_for '^.{30,}Candidates \([0-9]+\)  \([0-9]+ more above\) *$'
# The shared path line keeps its words: nothing drawn into it.
screen | grep -E 'all under:' | grep -q 'more above' \
    && fail "(more above) drawn over the path line"
screen | grep -Eq '[a-z]\(more above\)' && fail "(more above) glued to text"

t resize-window -t rl -x 200 -y 60 || fail "resize-window"
wait_for "$(sel . "$last")"
wait_gone 'more above'
for w in "${C[@]}"; do
    wait_for "$(row . "$w")"
done
wait_for "$(row . "$ORIG").*ORIG"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
