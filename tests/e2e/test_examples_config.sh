#!/bin/bash
# test_examples_config.sh - issue 15 bugs 6 and 7: at 80x24 the "no
# example images" message is cut at a word and ends in an ellipsis, never
# mid-word; `relabel config examples DIR`, run while a session is open, is
# seen by that session's next e.
. "$(dirname "$0")/lib.sh"

IMG=astronaut_collins.JPEG
MSG='no example images: relabel config examples DIR sets them (DIR/<wnid>/*.JPEG, e.g. ImageNet'"'"'s train folder)'
demo_db "$DB"
start_review 80 24 --start $IMG
wait_for "Image: $IMG "
send e
wait_for '\| no example images'
line=$(screen | grep -E '\| no example images')
shown=${line##*| }
shown=${shown%%…*}
case $line in
*…*) ;;
*) fail "no ellipsis on the cut message: '$line'" ;;
esac
case "$MSG" in
"$shown "*|"$shown("*) echo "ok - cut at a word: '$shown…'" ;;
*) fail "cut inside a word: '$shown…'" ;;
esac

# Set the folder from another process; the open session sees it.
first=$(cands_of $IMG | head -n 1)
mkdir -p "$TMP/ex/$first"
cp "$DEMO/$IMG" "$TMP/ex/$first/a.JPEG"
rl --db "$DB" config examples "$TMP/ex" >/dev/null || fail "config examples"
send e
wait_for "Examples of $first "
wait_for 'any key returns'
send x
wait_for "Image: $IMG "
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
