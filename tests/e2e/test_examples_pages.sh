#!/bin/bash
# test_examples_pages.sh - reference examples (e): one file at a time at
# the panel's full width, its place and file name shown; n and N page
# (wrapping), the picture changes with the page, any other key returns
# to the review screen.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
EX=$TMP/examples
# three examples for every candidate of the first image
for w in $(q "SELECT c.wnid FROM candidate k JOIN class c ON c.id = k.class
              JOIN image i ON i.id = k.image
              WHERE i.name = 'astronaut_collins.JPEG'"); do
    mkdir -p "$EX/$w"
    cp "$DEMO/chelsea_cat.JPEG" "$EX/$w/a_cat.JPEG"
    cp "$DEMO/coffee_cup.JPEG" "$EX/$w/b_cup.JPEG"
    cp "$DEMO/hubble_deep_field.JPEG" "$EX/$w/c_hubble.JPEG"
    echo "not a picture" >"$EX/$w/notes.txt"
done
rl --db "$DB" config examples "$EX" >/dev/null || fail "config examples"

start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
send e
wait_for 'Examples of n'
wait_for '1/3  a_cat\.JPEG'
# the picture fills the panel's width: wider than the old quarter panels
width=$(screen | sed -n '5,30p' | sed 's/^.\{49\}//' | sed 's/ *$//' \
        | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$width" -ge 60 ] || fail "example only $width columns wide"
screen >"$TMP/page1"
wait_for 'n next +any key returns'
send n
wait_for '2/3  b_cup\.JPEG'
screen | cmp -s - "$TMP/page1" && fail "the page did not change"
send N
wait_for '1/3  a_cat\.JPEG'
send N
wait_for '3/3  c_hubble\.JPEG'
[ -n "${RL_SHOW:-}" ] && screen
send x
wait_for 'Candidates \('
wait_gone 'Examples of'
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
