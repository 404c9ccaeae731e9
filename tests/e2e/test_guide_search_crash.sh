#!/bin/bash
# test_guide_search_crash.sh - issue 15, bug 1: on the cat photo, `g`,
# `/`, a query that matches nothing, Enter. The guide screen used to keep
# a pointer to the review screen's stack array of wnids and read it again
# when the search failed: a segmentation fault that left the terminal
# raw. Now the search says so, the entries of the image stay, and the
# screen goes on (the next key still works, q quits with status 0).
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
demo_db "$DB"

start_review 120 40 --start chelsea_cat.JPEG
wait_for 'Image: chelsea_cat.JPEG'
send g
wait_for 'Guide 1/[0-9]+:'
send /
wait_for 'Search the guide:'
typein zzqx
send Enter
wait_for 'nothing in the guide matches'
wait_for 'Guide 1/[0-9]+:'
# Twice more, and a search that does match, to walk the same path again.
send /
wait_for 'Search the guide:'
typein qqqq
send Enter
wait_for 'nothing in the guide matches'
send /
wait_for 'Search the guide:'
typein tabby
send Enter
wait_for 'Guide 1/[0-9]+ \(search\): Tabby'
send Escape
wait_for 'Image: chelsea_cat.JPEG'
send q
wait_exit 5
expect "$STATUS" 0 "relabel's exit status"

# Any crash restores the terminal before the signal's default action:
# a SIGSEGV from outside stands in for one from inside.
grep -q -- ' icanon' "$RC_FILE.stty" || fail "a clean exit left it raw"
respawn_review --start chelsea_cat.JPEG
wait_for 'Image: chelsea_cat.JPEG'
kill -SEGV "$(pid)"
wait_exit 10
# 139 (128 + SIGSEGV) in a plain build; under AddressSanitizer the chained
# handler is the sanitizer's, which reports and exits 1 (or aborts: 134).
case $STATUS in
139|1|134) ;;
*) fail "status after SIGSEGV: got $STATUS, want 139 (or 1/134 under ASan)" ;;
esac
grep -q -- ' icanon' "$RC_FILE.stty" \
    || fail "the terminal was left raw: $(cat "$RC_FILE.stty")"
grep -q -- ' echo ' "$RC_FILE.stty" || fail "echo was left off"
exit 0
